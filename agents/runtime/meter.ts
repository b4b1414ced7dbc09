import { METERS, readingProblem, sumReadings, type MeterName, type MeterReading } from '../../contract/meters.js';
import type { ModelUsage } from './model.js';

/**
 * What one run used, as the agent measures it: connectors call `itemsIngested`, the mailer calls
 * `emailsSent`; model tokens are added from the summariser at the end of the run. The runner
 * writes the readings to app.usage_meters in the run's transaction, once per run.
 */
export interface RunMeter {
  /** Items a connector ingested (messages, events, leads), under the connector's name (google, hubspot…). */
  itemsIngested(connector: string, count: number): void;
  emailsSent(count: number): void;
  add(meter: MeterName, dimension: string, quantity: number): void;
  readings(): MeterReading[];
}

export class MeterError extends Error {
  override readonly name = 'MeterError';
}

export function runMeter(): RunMeter {
  const readings: MeterReading[] = [];
  const meter: RunMeter = {
    add(name, dimension, quantity) {
      const problem = readingProblem({ meter: name, dimension, quantity });
      if (problem) throw new MeterError(`could not record usage: ${problem}`);
      readings.push({ meter: name, dimension, quantity });
    },
    itemsIngested: (connector, count) => meter.add(METERS.connectorItems, connector, count),
    emailsSent: (count) => meter.add(METERS.emailsSent, '', count),
    readings: () => sumReadings(readings),
  };
  return meter;
}

/** The model's token counts as readings, per model (none when the model was never called). */
export function modelReadings(usage: ModelUsage): MeterReading[] {
  if (!usage.model) return [];
  return [
    { meter: METERS.modelInputTokens, dimension: usage.model, quantity: usage.inputTokens },
    { meter: METERS.modelOutputTokens, dimension: usage.model, quantity: usage.outputTokens },
  ];
}
