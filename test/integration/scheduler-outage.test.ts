import type { RunTaskCommandInput } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchedulerService } from '../../controller/scheduler/service.js';
import type { AwsReachableCondition } from '../../controller/scheduler/reachability.js';
import { StatusStore } from '../../controller/status/store.js';
import { fleetView } from '../../controller/status/views.js';
import { createHarness, tenant, type Harness } from './scheduler-harness.js';

const at = (iso: string) => new Date(`2025-01-06T${iso}Z`).getTime();
const hhmm = (d: Date) => d.toISOString().slice(11, 16);

/**
 * An ECS outage of four minutes (every call a ServerException) over the 07:05 fires, with the answer
 * of the first RunTask lost after it had started its task. Fires within their starting deadline are
 * launched once AWS is back, each exactly once; a fire whose deadline closes during the outage is
 * failed, saying so; the fleet status says AWS is unreachable while it is.
 */
describe('agent launches through an AWS outage', () => {
  let h: Harness;
  let replica: SchedulerService;
  let during: AwsReachableCondition | undefined;
  const until = async (iso: string) => {
    while (h.clock.now() < at(iso)) await h.step([replica], 15_000);
  };

  beforeAll(async () => {
    h = await createHarness(at('07:03:30'));
    h.double.state.ecs.configure({ durationMs: 10_000 });
    replica = h.controller();
    await replica.update([
      ...['acme', 'globex', 'initech'].map((name) => tenant(name, { agents: [{ schedule: '*/5 * * * *', startingDeadlineSeconds: 600 }] })),
      tenant('hooli', { agents: [{ schedule: '*/5 * * * *', startingDeadlineSeconds: 120 }] }),
    ]);
    await until('07:04:45');
    h.double.setOptions({ faultRate: 1 });
    // The first launch reaches ECS and starts its task, but its answer is lost.
    h.double.failNext({ service: 'ecs', operation: 'RunTask', after: true }, { name: 'ServerException', message: 'connection reset by peer' });
    await until('07:08:45');
    during = await new StatusStore(h.pool).getState<AwsReachableCondition>('awsReachable');
    h.double.setOptions({ faultRate: 0 });
    await until('07:12:00');
  });
  afterAll(async () => {
    await replica?.stop();
    await h?.close();
  });

  it('launches every fire whose starting deadline is still open once AWS answers again', async () => {
    const runs = await h.runs(`tenant <> 'hooli'`);
    const retried = runs.filter((r) => hhmm(r.scheduledAt) === '07:05');
    expect(retried.map((r) => [r.tenant, r.status])).toEqual([['acme', 'succeeded'], ['globex', 'succeeded'], ['initech', 'succeeded']]);
    // The 07:10 fires: launched, or skipped under Forbid while their 07:05 run was still being retried or running.
    for (const run of runs.filter((r) => hhmm(r.scheduledAt) === '07:10')) {
      if (run.status !== 'succeeded') expect(run).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^Forbid: run [\w-]+ is still (pending|running)$/) });
    }
    for (const run of retried) expect(run.startedAt!.getTime()).toBeGreaterThanOrEqual(at('07:08:45'));
    const { rows } = await h.pool.query<{ attempts: number }>(`SELECT launch_attempts AS attempts FROM openclaw.agent_runs WHERE tenant <> 'hooli' AND scheduled_at = $1`, [new Date(at('07:05:00'))]);
    for (const row of rows) expect(row.attempts).toBeGreaterThan(1);
  });

  it('starts one task per run, the one whose answer was lost included: every task is a run’s, under its id as client token', async () => {
    const runs = (await h.runs()).filter((r) => r.taskArn);
    const tasks = [...h.double.state.ecs.tasks.values()];
    expect(tasks).toHaveLength(runs.length);
    expect(tasks.map((t) => t.input.clientToken).sort()).toEqual(runs.map((r) => r.id).sort());
    expect(new Set(runs.map((r) => r.taskArn)).size).toBe(runs.length);
    for (const run of runs) expect(h.double.state.ecs.tasks.get(run.taskArn!)?.input.clientToken).toBe(run.id);
    const tokens = h.double.calls.filter((c) => c.operation === 'RunTask').map((c) => (c.input as RunTaskCommandInput).clientToken);
    expect(tokens.length).toBeGreaterThan(runs.length);
  });

  it('fails a run whose starting deadline closed during the outage, saying why, and runs its next fire', async () => {
    const runs = await h.runs(`tenant = 'hooli'`);
    expect(runs.map((r) => [hhmm(r.scheduledAt), r.status])).toEqual([['07:05', 'failed'], ['07:10', 'succeeded']]);
    expect(runs[0].reason).toMatch(/^could not launch within the starting deadline of 120s \(\d+ attempts\): .*ServerException/);
    expect(runs[0].taskArn).toBeNull();
  });

  it('says in the fleet status that AWS is unreachable during the outage, and reachable after it', async () => {
    expect(during).toMatchObject({ type: 'AwsReachable', status: 'False', reason: 'LaunchFailing', message: expect.stringContaining('ServerException') });
    const fleet = await fleetView({ pool: h.pool, store: new StatusStore(h.pool), now: h.clock.now });
    expect(fleet.awsReachable).toMatchObject({ status: 'True', reason: 'LaunchSucceeded' });
  });
});
