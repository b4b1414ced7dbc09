import type { DesiredTenant } from '../desired/types.js';
import { activeEntry } from './entries.js';
import type { RunRecord } from './history.js';
import { createSchedulerService, type SchedulerContext, type SchedulerSeams } from './service.js';

export type TriggerResult =
  | { ok: false; message: string; run?: RunRecord }
  | { ok: true; run: RunRecord; waited: boolean };

/** The desired state the controller last recorded for an active tenant (what it schedules from). */
async function recordedTenant(ctx: Pick<SchedulerContext, 'pool'>, tenant: string): Promise<DesiredTenant | undefined> {
  const { rows } = await ctx.pool.query<{ desired: DesiredTenant }>(`SELECT desired FROM openclaw.tenants WHERE name = $1 AND lifecycle = 'Active'`, [tenant]);
  return rows[0]?.desired;
}

/**
 * A manual run now (trigger 'manual'): claimed like a scheduled one, under the agent's concurrency
 * policy, and launched by the provider's launcher. A local run is awaited (its process belongs to this
 * one) and its final status recorded; an ECS run is left to the leader's task polling.
 */
export async function triggerRun(ctx: SchedulerContext, tenant: string, agent: string, seams: SchedulerSeams = {}): Promise<TriggerResult> {
  const desired = await recordedTenant(ctx, tenant);
  const entry = activeEntry(desired, tenant, agent);
  if (typeof entry === 'string') return { ok: false, message: desired ? entry : `${entry}: no active tenant of that name has been applied` };
  const service = createSchedulerService(ctx, seams);
  if ('problem' in service) return { ok: false, message: service.problem };
  await service.update([desired!]);
  const submitted = await service.dispatcher.submit(entry, ctx.now(), 'manual');
  if (submitted.outcome === 'duplicate') return { ok: false, message: 'the run was already recorded' };
  await service.dispatcher.idle();
  let run = (await service.history.get(submitted.runId))!;
  const { launcher } = service;
  if (run.status === 'running' && run.taskArn && launcher.wait) {
    await launcher.wait(run.taskArn);
    await service.poller.poll();
    run = (await service.history.get(submitted.runId))!;
  }
  await service.launcher.close();
  if (run.status === 'pending') return { ok: false, message: `run ${run.id} is not launched yet: ${run.reason ?? 'queued'}; the leading controller retries it within the starting deadline`, run };
  if (run.status === 'skipped' || run.status === 'failed') return { ok: false, message: `run ${run.id} ${run.status}: ${run.reason ?? `exit code ${run.exitCode}`}`, run };
  // A pooled run is not waited for here: it ends on a worker, whose exit the scheduler's poller records.
  return { ok: true, run, waited: Boolean(launcher.wait) && run.status !== 'running' };
}
