import { describe, expect, it } from 'vitest';
import { modelReadings, runMeter } from '../../agents/runtime/meter.js';
import { offlineSummariser, withTokenAllowance } from '../../agents/runtime/model.js';

describe('what an agent run meters', () => {
  it('sums items per connector and emails, for connectors and the mailer to call', () => {
    const meter = runMeter();
    meter.itemsIngested('google', 40);
    meter.itemsIngested('hubspot', 5);
    meter.itemsIngested('google', 2);
    meter.emailsSent(1);
    expect(meter.readings()).toEqual([
      { meter: 'connector_items', dimension: 'google', quantity: 42 },
      { meter: 'connector_items', dimension: 'hubspot', quantity: 5 },
      { meter: 'emails_sent', dimension: '', quantity: 1 },
    ]);
  });

  it('refuses a negative quantity or a dimension with spaces, naming what is allowed', () => {
    const meter = runMeter();
    expect(() => meter.emailsSent(-1)).toThrow('could not record usage: quantity -1 of emails_sent is not valid (allowed: a number of 0 or more)');
    expect(() => meter.itemsIngested('my connector', 1)).toThrow(/dimension "my connector" of connector_items is not valid/);
    expect(meter.readings()).toEqual([]);
  });

  it('records no model readings when the model was never called', () => {
    expect(modelReadings({ model: null, inputTokens: 0, outputTokens: 0 })).toEqual([]);
  });

  it('stops calling the model once the run has used its token allowance', async () => {
    const model = offlineSummariser();
    const exceeded: number[] = [];
    const budgeted = withTokenAllowance(model, 10, (used) => exceeded.push(used));
    await budgeted.summarise('Summarise.', ['One two three four five six seven eight. Nine ten eleven.']);
    const after = model.usage();
    expect(after.inputTokens + after.outputTokens).toBeGreaterThanOrEqual(10);
    const text = await budgeted.summarise('Summarise.', ['Another sentence here. And one more.']);
    expect(text).toBe('Another sentence here. And one more.');
    expect(model.usage()).toEqual(after);
    expect(exceeded).toEqual([after.inputTokens + after.outputTokens]);
  });
});
