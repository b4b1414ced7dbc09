import type { Logger } from 'pino';
import { refusalReason } from '../integrations/run-refusals.js';
import type { RunHistory, RunRecord } from './history.js';
import type { Launcher, TaskState } from './launcher.js';

export interface PollerOptions {
  history: RunHistory;
  launcher: Launcher;
  now: () => number;
  log: Logger;
  /** Called once per run whose final status was just recorded (usage metering); a failure is logged, not retried. */
  onFinished?: (run: RunRecord, state: TaskState) => Promise<void>;
  /** Called once per run just recorded failed (a refused authorization reaches the integration's status); a failure is logged. */
  onFailed?: (run: RunRecord, state: TaskState) => Promise<void>;
}

/**
 * Records how running runs ended: one DescribeTasks per 100 running tasks (ECS), or the child's exit
 * (local). Exit code 0 is succeeded, anything else failed with its exit code; a task the backend has
 * forgotten is failed with that reason, never left running for ever.
 */
export class RunPoller {
  constructor(private readonly options: PollerOptions) {}

  /** One round over every running run, then the stopped ones to meter; returns the number of runs that got their final status. */
  async poll(): Promise<number> {
    const finished = await this.settle(await this.options.history.unfinished('running'));
    await this.meterStopped();
    return finished;
  }

  /**
   * Runs the controller stopped (Replace, a cancelled launch) are recorded `stopped` at once, but their
   * task goes on until ECS has stopped it: each is metered from its task's real times once it has ended,
   * then marked metered. A task the backend no longer knows has nothing left to measure.
   */
  async meterStopped(): Promise<number> {
    const { history, launcher, now, log } = this.options;
    const runs = await history.unmeteredStops();
    if (runs.length === 0) return 0;
    const states = new Map((await launcher.describe(runs.map((r) => r.taskArn!))).map((s) => [s.taskArn, s]));
    let metered = 0;
    for (const run of runs) {
      const state = states.get(run.taskArn!);
      if (!state || state.status === 'running') continue;
      const fields = { tenant: run.tenant, agent: run.agent, runId: run.id };
      if (state.status === 'stopped') {
        const ok = await (this.options.onFinished?.(run, state) ?? Promise.resolve()).then(() => true, (error) => {
          log.error({ ...fields, err: error }, 'could not meter the stopped run');
          return false;
        });
        if (!ok) continue;
      } else {
        log.warn({ ...fields, taskArn: run.taskArn, status: state.status }, 'stopped run not metered: its task is no longer known');
      }
      await history.markMetered(run.id, new Date(now()));
      metered++;
    }
    return metered;
  }

  /** Records the final status of those of `runs` whose task has ended. */
  async settle(runs: readonly RunRecord[]): Promise<number> {
    const { history, launcher, now, log } = this.options;
    const running = runs.filter((r) => r.taskArn);
    if (running.length === 0) return 0;
    const states = new Map((await launcher.describe(running.map((r) => r.taskArn!))).map((s) => [s.taskArn, s]));
    let finished = 0;
    for (const run of running) {
      const state = states.get(run.taskArn!);
      if (!state || state.status === 'running' || state.status === 'foreign') continue;
      const at = new Date(state.stoppedAt ?? now());
      const ok = state.status === 'stopped' && state.exitCode === 0;
      const durationMs = state.startedAt !== undefined && state.stoppedAt !== undefined ? Math.max(0, state.stoppedAt - state.startedAt) : undefined;
      const reason = state.status === 'missing'
        ? `${launcher.name} no longer knows task ${run.taskArn} (${state.reason ?? 'missing'}); its outcome is unknown`
        : ok ? undefined : refusalReason(run.tenant, state.exitCode) ?? state.reason ?? `exit code ${state.exitCode ?? 'unknown'}`;
      const recorded = await history.finish(run.id, { status: ok ? 'succeeded' : 'failed', at, exitCode: state.exitCode ?? null, reason, durationMs });
      if (!recorded) continue;
      finished++;
      const fields = { tenant: run.tenant, agent: run.agent, runId: run.id, exitCode: state.exitCode, durationMs };
      if (ok) log.info(fields, 'run succeeded');
      else {
        log.warn({ ...fields, reason }, 'run failed');
        await this.options.onFailed?.(run, state).catch((error) => log.error({ ...fields, err: error }, 'could not record what the failed run reported'));
      }
      await this.options.onFinished?.(run, state).catch((error) => log.error({ ...fields, err: error }, 'could not meter the run'));
    }
    return finished;
  }
}
