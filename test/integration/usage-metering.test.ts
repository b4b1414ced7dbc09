import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordUsage } from '../../agents/runtime/record.js';
import { migratePlatform } from '../../controller/db/migrate.js';
import type { SchedulerService } from '../../controller/scheduler/service.js';
import { meterRun } from '../../controller/usage/ledger.js';
import { METERS } from '../../contract/meters.js';
import { createHarness, tenant, type Harness } from './scheduler-harness.js';

const at = (iso: string) => new Date(`2026-11-30T${iso}Z`).getTime();
const secretArn = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`;
const MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';

describe('metering an agent run on ECS', () => {
  let h: Harness;
  let replica: SchedulerService;
  const ledger = async (tenantName: string) => (await h.pool.query<{ meter: string; dimension: string; quantity: string }>(
    `SELECT meter, dimension, quantity::text AS quantity FROM openclaw.usage_records WHERE tenant = $1 ORDER BY meter, dimension`, [tenantName],
  )).rows.map((r) => ({ ...r, quantity: Number(r.quantity) }));

  beforeAll(async () => {
    h = await createHarness(at('06:59:00'));
    await migratePlatform(h.pool);
    // The runtime roles the agents would connect as, with what the postgres module grants them.
    for (const name of ['acme', 'globex']) {
      await h.pool.query(`CREATE ROLE tenant_${name}_runtime LOGIN IN ROLE openclaw_runtime`);
      await h.pool.query(`GRANT tenant_${name}_runtime TO CURRENT_USER`);
      h.secrets.push({ name: `openclaw/tenants/${name}/db`, arn: secretArn(`openclaw/tenants/${name}/db`), tags: {} });
    }
    await h.pool.query('GRANT USAGE ON SCHEMA app TO openclaw_runtime; GRANT SELECT ON app.usage_meters TO openclaw_runtime');
    h.double.state.ecs.setOutcome({ startedBy: 'openclaw/globex/butler' }, { durationMs: 30_000 });
    replica = h.controller();
    await replica.update([
      tenant('acme', { tier: 'starter', agents: [{ schedule: '0 7 * * *' }] }),
      tenant('globex', { tier: 'professional', agents: [{ schedule: '0 7 * * *' }] }),
    ]);
    await h.step([replica], 30_000); // 06:59:30: leading
    await h.step([replica], 30_000); // 07:00:00: both runs launched, their tasks provisioning
    for (const run of await h.runs()) {
      // What the agent writes in its run's transaction: tokens per model, items per connector, and a forged compute meter.
      await recordUsage(h.pool, { tenant: run.tenant, agent: run.agent, runId: run.id, startedAt: new Date(at('07:00:06')), durationMs: 1, itemsProcessed: 3, model: MODEL, inputTokens: 1200, outputTokens: 300 }, [
        { meter: METERS.modelInputTokens, dimension: MODEL, quantity: 1200 },
        { meter: METERS.modelOutputTokens, dimension: MODEL, quantity: 300 },
        { meter: METERS.connectorItems, dimension: 'google', quantity: 42 },
        { meter: METERS.fargateVcpuSeconds, dimension: 'on-demand', quantity: 1_000_000 },
      ]);
    }
    for (let i = 0; i < 4; i++) await h.step([replica], 30_000); // 07:02:00: both tasks stopped and polled
  });
  afterAll(async () => {
    await replica?.stop();
    await h?.close();
  });

  it('records tokens per model and items per connector from the agent, and vCPU and GB seconds from the task’s real start and stop on Spot', async () => {
    const [run] = await h.runs(`tenant = 'acme'`);
    expect(run.status).toBe('succeeded');
    // The double's task: 256 cpu units and 512 MiB, started 5 s after RunTask, stopped 60 s later.
    expect(await ledger('acme')).toEqual([
      { meter: 'connector_items', dimension: 'google', quantity: 42 },
      { meter: 'fargate_gb_seconds', dimension: 'spot', quantity: 30 },
      { meter: 'fargate_vcpu_seconds', dimension: 'spot', quantity: 15 },
      { meter: 'model_input_tokens', dimension: MODEL, quantity: 1200 },
      { meter: 'model_output_tokens', dimension: MODEL, quantity: 300 },
      { meter: 'run_seconds', dimension: 'butler', quantity: 60 },
    ]);
  });

  it('bills an on-demand task of 30 s for Fargate’s one-minute minimum, and its wall-clock time as measured', async () => {
    const rows = await ledger('globex');
    expect(rows).toEqual(expect.arrayContaining([
      { meter: 'fargate_vcpu_seconds', dimension: 'on-demand', quantity: 15 },
      { meter: 'fargate_gb_seconds', dimension: 'on-demand', quantity: 30 },
      { meter: 'run_seconds', dimension: 'butler', quantity: 30 },
    ]));
  });

  it('never takes compute meters from what the agent wrote', async () => {
    expect((await ledger('globex')).filter((r) => r.quantity === 1_000_000)).toEqual([]);
  });

  it('meters a run once: metering it again, or the agent retrying it, changes nothing already in the ledger', async () => {
    const [run] = await h.runs(`tenant = 'acme'`);
    const before = await ledger('acme');
    await recordUsage(h.pool, { tenant: 'acme', agent: 'butler', runId: run.id, startedAt: new Date(at('07:00:06')), durationMs: 1, itemsProcessed: 3, model: MODEL, inputTokens: 1200, outputTokens: 300 }, [
      { meter: METERS.modelInputTokens, dimension: MODEL, quantity: 1200 },
    ]);
    await meterRun(h.pool, { ...run, scheduledAt: run.scheduledAt }, { startedAt: at('07:00:05'), stoppedAt: at('07:01:05') });
    expect(await ledger('acme')).toEqual(before);
    const agentRows = await h.pool.query(`SELECT count(*)::int AS n FROM app.usage WHERE run_id = $1`, [run.id]);
    expect(agentRows.rows[0].n).toBe(1);
  });
});
