import type { RunTaskCommandInput } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchedulerService } from '../../controller/scheduler/service.js';
import { decide } from '../../controller/usage/budget.js';
import { TIER_LIMITS } from '../../controller/usage/limits.js';
import { createHarness, tenant, type Harness } from './scheduler-harness.js';

const MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const secretArn = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`;

/**
 * acme has spent its month's 1000 model tokens and globex 850 of them, both with a butler due at
 * 07:00 on 30 November: a scheduler leading on its own database, past that fire.
 */
async function afterNovemberFire(): Promise<{ h: Harness; replica: SchedulerService; close(): Promise<void> }> {
  const h = await createHarness(Date.parse('2026-11-30T06:59:00Z'));
  for (const name of ['acme', 'globex']) {
    h.secrets.push({ name: `openclaw/tenants/${name}/db`, arn: secretArn(`openclaw/tenants/${name}/db`), tags: {} });
    await h.pool.query(`INSERT INTO openclaw.tenant_status (tenant) VALUES ($1)`, [name]);
  }
  await spend(h, 'acme', 'earlier', 1000, '2026-11-03T07:00:00Z');
  await spend(h, 'globex', 'earlier', 850, '2026-11-03T07:00:00Z');
  const replica = h.controller();
  const limited = (name: string) => {
    const desired = tenant(name, { agents: [{ schedule: '0 7 * * *' }] });
    return { ...desired, limits: { ...desired.limits, monthlyModelTokens: 1000 } };
  };
  await replica.update([limited('acme'), limited('globex')]);
  await h.step([replica], 30_000); // 06:59:30: leading
  await h.step([replica], 30_000); // 07:00:00: both fires due
  return { h, replica, async close() { await replica.stop(); await h.close(); } };
}

const spend = (h: Harness, name: string, runId: string, tokens: number, at: string) => h.pool.query(
  `INSERT INTO openclaw.usage_records (tenant, run_id, meter, dimension, quantity, occurred_at) VALUES ($1, $2, 'model_input_tokens', $3, $4, $5)`,
  [name, runId, MODEL, tokens, at],
);
const condition = async (h: Harness, name: string) => (await h.pool.query(`SELECT c FROM openclaw.tenant_status, jsonb_array_elements(conditions) c WHERE tenant = $1 AND c->>'type' = 'BudgetExceeded'`, [name])).rows[0]?.c;
const events = async (h: Harness, name: string) => (await h.pool.query(`SELECT reason, message FROM openclaw.events WHERE tenant = $1 ORDER BY id`, [name])).rows;
const allowance = (h: Harness, startedBy: string) => h.double.calls.filter((c) => c.operation === 'RunTask').map((c) => c.input as RunTaskCommandInput)
  .filter((i) => i.startedBy === startedBy).map((i) => i.overrides!.containerOverrides![0].environment!.find((e) => e.name === 'OPENCLAW_MODEL_TOKEN_ALLOWANCE')?.value);

describe('the monthly budget in the scheduler', () => {
  // The first two tests read what the 07:00 fire left; the third moves the clock into December, on a scheduler of its own.
  let november: Awaited<ReturnType<typeof afterNovemberFire>>;

  beforeAll(async () => {
    november = await afterNovemberFire();
  });
  afterAll(async () => {
    await november?.close();
  });

  it('skips a run once the month’s model tokens are spent, with reason BudgetExceeded, an event and a condition', async () => {
    const { h } = november;
    const [run] = await h.runs(`tenant = 'acme'`);
    expect(run).toMatchObject({ status: 'skipped', reason: 'BudgetExceeded: 1000 of 1000 model tokens used this month' });
    expect(allowance(h, 'openclaw/acme/butler')).toEqual([]);
    expect(await events(h, 'acme')).toEqual([{ reason: 'BudgetExceeded', message: '1000 of 1000 model tokens used this month: agent runs are skipped until the next month or a higher limit' }]);
    expect(await condition(h, 'acme')).toMatchObject({ status: 'True', reason: 'BudgetExceeded' });
  });

  it('warns at 80 % and runs, telling the run how many tokens are left', async () => {
    const { h } = november;
    const [run] = await h.runs(`tenant = 'globex'`);
    expect(run.status).toBe('running');
    expect(allowance(h, 'openclaw/globex/butler')).toEqual(['150']);
    expect(await events(h, 'globex')).toEqual([{ reason: 'BudgetWarning', message: expect.stringMatching(/^85% of the monthly budget used \(850 of 1000 tokens/) }]);
    expect(await condition(h, 'globex')).toBeUndefined();
  });

  it('allows the run again in the next month and clears the condition', async () => {
    const december = await afterNovemberFire();
    try {
      const { h, replica } = december;
      h.clock.set(Date.parse('2026-12-01T06:59:30Z'));
      await h.step([replica], 30_000); // 07:00:00 on 1 December
      const runs = await h.runs(`tenant = 'acme'`);
      expect(runs.map((r) => [r.scheduledAt.toISOString(), r.status])).toEqual([['2026-11-30T07:00:00.000Z', 'skipped'], ['2026-12-01T07:00:00.000Z', 'running']]);
      expect(allowance(h, 'openclaw/acme/butler')).toEqual(['1000']);
      expect(await condition(h, 'acme')).toMatchObject({ status: 'False', reason: 'WithinBudget' });
    } finally {
      await december.close();
    }
  });
});

describe('the budget decision', () => {
  const limits = { ...TIER_LIMITS.professional, monthlyCostUsd: 10 };
  it('refuses past the cost budget and when the tenant’s other agents fill its concurrency', () => {
    expect(decide(limits, { tokens: 0, costUsd: 10, otherAgentsActive: 0 })).toEqual({ allowed: false, reason: 'BudgetExceeded: $10.00 of $10.00 spent this month' });
    expect(decide(limits, { tokens: 0, costUsd: 0, otherAgentsActive: 2 })).toMatchObject({ allowed: false, reason: expect.stringMatching(/^ConcurrencyLimit: 2 other agent\(s\)/) });
    expect(decide(limits, { tokens: 5, costUsd: 7.99, otherAgentsActive: 1 })).toEqual({ allowed: true, tokensLeft: 10_000_000 - 5 });
    expect(decide(limits, { tokens: 5, costUsd: 8, otherAgentsActive: 1 })).toMatchObject({ allowed: true, warning: expect.stringMatching(/^80% of the monthly budget/) });
  });
});
