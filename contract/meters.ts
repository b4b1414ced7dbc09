/**
 * The meters usage is recorded under: one name per thing a tenant uses, with an optional
 * dimension (the model id, the connector, on-demand or spot). Agents, connectors and the
 * controller all record with these names; prices (prices.ts) and the billing export
 * (export.ts) read them. Quantities are in the unit each meter names.
 */
import { isOneOf } from './one-of.js';
export const METERS = {
  /** Model input tokens; dimension: the model id. */
  modelInputTokens: 'model_input_tokens',
  /** Model output tokens; dimension: the model id. */
  modelOutputTokens: 'model_output_tokens',
  /** Wall-clock seconds of a run; dimension: the agent. Measured by the controller. */
  runSeconds: 'run_seconds',
  /** vCPU × seconds of an ECS task between its real start and stop; dimension: on-demand or spot. */
  fargateVcpuSeconds: 'fargate_vcpu_seconds',
  /** GB of memory × seconds of an ECS task; dimension: on-demand or spot. */
  fargateGbSeconds: 'fargate_gb_seconds',
  /** Items a connector ingested (messages, events, leads); dimension: the connector (google, hubspot…). */
  connectorItems: 'connector_items',
  /** Emails sent (SES); no dimension. */
  emailsSent: 'emails_sent',
} as const;

export type MeterName = (typeof METERS)[keyof typeof METERS];
export const METER_NAMES: readonly MeterName[] = Object.values(METERS);

/** Meters an agent run may record itself (app.usage_meters); the others are the controller's. */
export const AGENT_METERS: readonly MeterName[] = [METERS.modelInputTokens, METERS.modelOutputTokens, METERS.connectorItems, METERS.emailsSent];

export type CapacityKind = 'on-demand' | 'spot';

/** One quantity of one meter. */
export interface MeterReading {
  meter: MeterName;
  dimension: string;
  quantity: number;
}

export function isMeterName(value: string): value is MeterName {
  return isOneOf(METER_NAMES, value);
}

const DIMENSION = /^[\w.:/@+-]{0,128}$/;

/** Why a reading cannot be recorded, or undefined when it can. */
export function readingProblem(reading: { meter: string; dimension: string; quantity: number }): string | undefined {
  if (!isMeterName(reading.meter)) return `unknown meter ${JSON.stringify(reading.meter)} (allowed: ${METER_NAMES.join(', ')})`;
  if (!DIMENSION.test(reading.dimension)) return `dimension ${JSON.stringify(reading.dimension)} of ${reading.meter} is not valid (allowed: up to 128 letters, digits and ._:/@+-)`;
  if (!Number.isFinite(reading.quantity) || reading.quantity < 0) return `quantity ${reading.quantity} of ${reading.meter} is not valid (allowed: a number of 0 or more)`;
  return undefined;
}

/** Readings summed per (meter, dimension), in a stable order. */
export function sumReadings(readings: Iterable<MeterReading>): MeterReading[] {
  const sums = new Map<string, MeterReading>();
  for (const r of readings) {
    const key = `${r.meter}\u0000${r.dimension}`;
    const seen = sums.get(key);
    if (seen) seen.quantity += r.quantity;
    else sums.set(key, { ...r });
  }
  return [...sums.values()].sort((a, b) => a.meter.localeCompare(b.meter) || a.dimension.localeCompare(b.dimension));
}
