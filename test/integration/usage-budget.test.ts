import type { RunTaskCommandInput } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchedulerService } from '../../controller/scheduler/service.js';
import { decide } from '../../controller/usage/budget.js';
import { TIER_LIMITS } from '../../controller/usage/limits.js';
import { createHarness, tenant, type Harness } from './scheduler-harness.js';

const MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const secretArn = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`;

describe('the monthly budget in the scheduler', () => {
  let h: Harness;
  let replica: SchedulerService;
  const spend = (name: string, runId: string, tokens: number, at: string) => h.pool.query(
    `INSERT INTO openclaw.usage_records (tenant, run_id, meter, dimension, quantity, occurred_at) VALUES ($1, $2, 'model_input_tokens', $3, $4, $5)`,
    [name, runId, MODEL, tokens, at],
  );
  const condition = async (name: string) => (await h.pool.query(`SELECT c FROM openclaw.tenant_status, jsonb_array_elements(conditions) c WHERE tenant = $1 AND c->>'type' = 'BudgetExceeded'`, [name])).rows[0]?.c;
  const events = async (name: string) => (await h.pool.query(`SELECT reason, message FROM openclaw.events WHERE tenant = $1 ORDER BY id`, [name])).rows;
  const allowance = (startedBy: string) => h.double.calls.filter((c) => c.operation === 'RunTask').map((c) => c.input as RunTaskCommandInput)
    .filter((i) => i.startedBy === startedBy).map((i) => i.overrides!.containerOverrides![0].environment!.find((e) => e.name === 'OPENCLAW_MODEL_TOKEN_ALLOWANCE')?.value);

  beforeAll(async () => {
    h = await createHarness(Date.parse('2026-11-30T06:59:00Z'));
    for (const name of ['acme', 'globex']) {
      h.secrets.push({ name: `openclaw/tenants/${name}/db`, arn: secretArn(`openclaw/tenants/${name}/db`), tags: {} });
      await h.pool.query(`INSERT INTO openclaw.tenant_status (tenant) VALUES ($1)`, [name]);
    }
    await spend('acme', 'earlier', 1000, '2026-11-03T07:00:00Z');
    await spend('globex', 'earlier', 850, '2026-11-03T07:00:00Z');
    replica = h.controller();
    const limited = (name: string) => {
      const desired = tenant(name, { agents: [{ schedule: '0 7 * * *' }] });
      return { ...desired, limits: { ...desired.limits, monthlyModelTokens: 1000 } };
    };
    await replica.update([limited('acme'), limited('globex')]);
    await h.step([replica], 30_000); // 06:59:30: leading
    await h.step([replica], 30_000); // 07:00:00: both fires due
  });
  afterAll(async () => {
    await replica?.stop();
    await h?.close();
  });

  it('skips a run once the month’s model tokens are spent, with reason BudgetExceeded, an event and a condition', async () => {
    const [run] = await h.runs(`tenant = 'acme'`);
    expect(run).toMatchObject({ status: 'skipped', reason: 'BudgetExceeded: 1000 of 1000 model tokens used this month' });
    expect(allowance('openclaw/acme/butler')).toEqual([]);
    expect(await events('acme')).toEqual([{ reason: 'BudgetExceeded', message: '1000 of 1000 model tokens used this month: agent runs are skipped until the next month or a higher limit' }]);
    expect(await condition('acme')).toMatchObject({ status: 'True', reason: 'BudgetExceeded' });
  });

  it('warns at 80 % and runs, telling the run how many tokens are left', async () => {
    const [run] = await h.runs(`tenant = 'globex'`);
    expect(run.status).toBe('running');
    expect(allowance('openclaw/globex/butler')).toEqual(['150']);
    expect(await events('globex')).toEqual([{ reason: 'BudgetWarning', message: expect.stringMatching(/^85% of the monthly budget used \(850 of 1000 tokens/) }]);
    expect(await condition('globex')).toBeUndefined();
  });

  it('allows the run again in the next month and clears the condition', async () => {
    h.clock.set(Date.parse('2026-12-01T06:59:30Z'));
    await h.step([replica], 30_000); // 07:00:00 on 1 December
    const runs = await h.runs(`tenant = 'acme'`);
    expect(runs.map((r) => [r.scheduledAt.toISOString(), r.status])).toEqual([['2026-11-30T07:00:00.000Z', 'skipped'], ['2026-12-01T07:00:00.000Z', 'running']]);
    expect(allowance('openclaw/acme/butler')).toEqual(['1000']);
    expect(await condition('acme')).toMatchObject({ status: 'False', reason: 'WithinBudget' });
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
