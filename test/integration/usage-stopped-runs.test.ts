import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchedulerService } from '../../controller/scheduler/service.js';
import { createHarness, tenant, type Harness } from './scheduler-harness.js';

const at = (iso: string) => new Date(`2026-11-30T${iso}Z`).getTime();
const hhmm = (d: Date) => d.toISOString().slice(11, 16);

/**
 * A Replace agent every two minutes whose task runs ten: each fire stops the run before it. The stopped
 * run's task ran (and was billed by Fargate) from its start to the StopTask, so it is metered like any
 * other run, from the task's real times, once.
 */
describe('metering runs the controller stopped', () => {
  let h: Harness;
  let replica: SchedulerService;
  const ledger = async (runId: string) => (await h.pool.query<{ meter: string; dimension: string; quantity: string }>(
    'SELECT meter, dimension, quantity::text AS quantity FROM openclaw.usage_records WHERE run_id = $1 ORDER BY meter, dimension', [runId],
  )).rows.map((r) => ({ ...r, quantity: Number(r.quantity) }));

  beforeAll(async () => {
    h = await createHarness(at('06:59:30'));
    h.double.state.ecs.configure({ durationMs: 600_000 });
    replica = h.controller();
    await replica.update([tenant('acme', { tier: 'starter', agents: [{ schedule: '*/2 * * * *', concurrencyPolicy: 'Replace' }] })]);
    for (let i = 0; i < 6; i++) await h.step([replica], 30_000); // → 07:02:30
  });
  afterAll(async () => {
    await replica?.stop();
    await h?.close();
  });

  it('meters a run stopped by Replace from its task’s start to the stop, on Spot', async () => {
    const [replaced, current] = await h.runs();
    expect([hhmm(replaced.scheduledAt), replaced.status, hhmm(current.scheduledAt), current.status]).toEqual(['07:00', 'stopped', '07:02', 'running']);
    expect(replaced.reason).toBe(`Replace: stopped for run ${current.id}`);
    // Launched 07:00:00, started 5 s later (the double's provisioning), stopped by the 07:02 fire: 115 s of 0.25 vCPU and 0.5 GB.
    expect(await ledger(replaced.id)).toEqual([
      { meter: 'fargate_gb_seconds', dimension: 'spot', quantity: 57.5 },
      { meter: 'fargate_vcpu_seconds', dimension: 'spot', quantity: 28.75 },
      { meter: 'run_seconds', dimension: 'butler', quantity: 115 },
    ]);
    expect(await ledger(current.id)).toEqual([]);
  });

  it('meters a stopped run once: later polls read nothing more', async () => {
    const [replaced] = await h.runs();
    const { rows } = await h.pool.query<{ meteredAt: Date | null }>('SELECT metered_at AS "meteredAt" FROM openclaw.agent_runs WHERE id = $1', [replaced.id]);
    expect(rows[0].meteredAt).not.toBeNull();
    const describes = () => h.double.calls.filter((c) => c.operation === 'DescribeTasks' && JSON.stringify(c.input).includes(replaced.taskArn!)).length;
    const before = describes();
    await h.step([replica], 30_000);
    expect(describes()).toBe(before);
  });
});
