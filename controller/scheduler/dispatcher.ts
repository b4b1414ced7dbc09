import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { errorMessage } from '../../contract/errors.js';
import type { ScheduleEntry } from './entries.js';
import type { ActiveRun, RunHistory, RunRecord, RunTrigger } from './history.js';
import type { Launcher } from './launcher.js';
import { afterLaunchFailure } from './launch-retry.js';
import type { LaunchOutcomes } from './reachability.js';
import { runEnvironment } from './run-env.js';
import type { SecretArns } from './secret-arns.js';
import type { BudgetDecision } from '../usage/budget.js';

export interface DispatcherOptions {
  history: RunHistory;
  launcher: Launcher;
  arns: Pick<SecretArns, 'arn'>;
  now: () => number;
  log: Logger;
  /** Launches in flight at once; the launcher's rate limit spreads them in time. */
  concurrency?: number;
  /** The tenant's monthly budget and concurrency limit: a refused run is recorded as skipped with the reason. */
  budget?: (entry: ScheduleEntry) => Promise<BudgetDecision>;
  /** Records runs whose task has ended (the poller), so a concurrency decision never rests on a stale status. */
  settle?: (runs: RunRecord[]) => Promise<unknown>;
  /** Told of each launch's outcome (the AwsReachable condition). */
  outcomes?: LaunchOutcomes;
  /** Jitter of the launch retries' backoff. */
  random?: () => number;
  /** What the run's environment gets besides runEnvironment's (the digest's recipients without opt-outs, with their unsubscribe links). */
  recipients?: (entry: ScheduleEntry) => Promise<Record<string, string>>;
}

export type Submitted =
  | { outcome: 'queued'; runId: string }
  | { outcome: 'skipped'; runId: string; reason: string }
  | { outcome: 'duplicate' };

interface Job {
  runId: string;
  entry: ScheduleEntry;
}

/**
 * Claims runs (the concurrency policy, in the database) and launches the claimed ones from a queue,
 * a few at a time: a cron minute with thousands of fires claims them all at once and launches them
 * at the launcher's rate. Replace stops the active runs before the new one starts. A launch that fails
 * on a transient error leaves the run pending with a retry time (launch-retry.ts); the scheduler hands
 * it back here when that time comes. A run is queued at most once at a time.
 */
export class Dispatcher {
  private readonly queue: Job[] = [];
  /** Runs queued or launching: a run handed in again meanwhile (a retry, a recovery) is not launched twice. */
  private readonly queued = new Set<string>();
  private active = 0;
  private waiters: (() => void)[] = [];

  constructor(private readonly options: DispatcherOptions) {}

  async submit(entry: ScheduleEntry, scheduledAt: number, trigger: RunTrigger): Promise<Submitted> {
    const { history, now, log } = this.options;
    const runId = randomUUID();
    if (entry.concurrencyPolicy !== 'Allow' && this.options.settle) {
      const running = await history.running(entry.tenant, entry.agent);
      if (running.length > 0) await this.options.settle(running);
    }
    const budget = await this.options.budget?.(entry);
    const tokenAllowance = budget?.allowed ? budget.tokensLeft : undefined;
    const run = { id: runId, tenant: entry.tenant, agent: entry.agent, scheduledAt: new Date(scheduledAt), trigger, schedule: entry.label, tokenAllowance };
    if (budget && !budget.allowed) {
      await history.recordSkipped([{ ...run, reason: budget.reason }], new Date(now()));
      log.info({ tenant: entry.tenant, agent: entry.agent, runId, reason: budget.reason }, 'run skipped');
      return { outcome: 'skipped', runId, reason: budget.reason };
    }
    const claim = await history.claim(run, entry.concurrencyPolicy, new Date(now()));
    if (claim.outcome === 'duplicate') return claim;
    if (claim.outcome === 'skipped') {
      log.info({ tenant: entry.tenant, agent: entry.agent, runId, reason: claim.reason }, 'run skipped');
      return { outcome: 'skipped', runId, reason: claim.reason };
    }
    for (const old of claim.replace) await this.replace(old, runId);
    this.enqueue({ runId, entry });
    return { outcome: 'queued', runId };
  }

  /**
   * A pending run launched again under the same id: claimed before a crash and never launched, or
   * whose retry is due. RunTask is idempotent on the id (its client token), and the request is the same.
   */
  resume(run: Pick<RunRecord, 'id'>, entry: ScheduleEntry): void {
    this.enqueue({ runId: run.id, entry });
  }

  /** Resolves when nothing is queued or launching. */
  idle(): Promise<void> {
    if (this.active === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Drops what is queued (leadership lost): those runs stay pending for the next leader to resume. */
  clear(): void {
    for (const job of this.queue.splice(0)) this.queued.delete(job.runId);
    this.settle();
  }

  private async replace(old: ActiveRun, runId: string): Promise<void> {
    const reason = `Replace: stopped for run ${runId}`;
    if (old.taskArn) await this.options.launcher.stop(old.taskArn, reason).catch((error) => this.options.log.warn({ err: error, runId: old.id }, 'could not stop the replaced run'));
    await this.options.history.finish(old.id, { status: 'stopped', at: new Date(this.options.now()), reason }, ['pending', 'running']);
  }

  private enqueue(job: Job): void {
    if (this.queued.has(job.runId)) return;
    this.queued.add(job.runId);
    this.queue.push(job);
    this.pump();
  }

  private pump(): void {
    const limit = this.options.concurrency ?? 4;
    while (this.active < limit && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.active++;
      void this.launch(job).finally(() => {
        this.queued.delete(job.runId);
        this.active--;
        this.pump();
        this.settle();
      });
    }
  }

  private settle(): void {
    if (this.active > 0 || this.queue.length > 0) return;
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  private async launch({ runId, entry }: Job): Promise<void> {
    const { history, launcher, now, log } = this.options;
    const fields = { tenant: entry.tenant, agent: entry.agent, runId };
    let attempt = { attempts: 1, scheduledAt: now() };
    try {
      await launcher.pace?.();
      const state = await history.launchState(runId);
      if (state?.status !== 'pending') return;
      attempt = { attempts: state.attempts + 1, scheduledAt: state.scheduledAt.getTime() };
      // The same request on every attempt (the allowance was fixed at the claim): the client token finds an earlier attempt's task.
      const env = { ...runEnvironment(entry, runId, this.options.arns, state.tokenAllowance ?? undefined), ...(await this.options.recipients?.(entry)) };
      const { taskArn } = await launcher.launch({ runId, entry, env });
      await this.options.outcomes?.succeeded().catch((e) => log.warn({ ...fields, err: e }, 'could not record the launch outcome'));
      if (await history.markRunning(runId, taskArn, new Date(now()))) {
        log.info({ ...fields, taskArn, attempts: attempt.attempts }, 'run started');
      } else if ((await history.get(runId))?.taskArn !== taskArn) {
        // Stopped (replaced) while launching: the task is stopped, and metered like any stopped run.
        await history.attachTask(runId, taskArn);
        await launcher.stop(taskArn, 'run cancelled before it started');
      }
    } catch (error) {
      await this.launchFailed(runId, entry, attempt, error).catch((e) => log.error({ ...fields, err: e }, 'could not record the failed launch'));
    }
  }

  /** A transient failure within the starting deadline: pending, retried later. Anything else: failed. */
  private async launchFailed(runId: string, entry: ScheduleEntry, attempt: { attempts: number; scheduledAt: number }, error: unknown): Promise<void> {
    const { history, now, log } = this.options;
    const fields = { tenant: entry.tenant, agent: entry.agent, runId, attempts: attempt.attempts };
    await this.options.outcomes?.failed(error).catch((e) => log.warn({ ...fields, err: e }, 'could not record the launch outcome'));
    const decision = afterLaunchFailure({ error, ...attempt, startingDeadlineMs: entry.startingDeadlineMs, now: now() }, this.options.random ?? Math.random);
    if ('retryAt' in decision) {
      log.warn({ ...fields, err: error, retryAt: new Date(decision.retryAt).toISOString() }, 'could not launch run: retrying within its starting deadline');
      await history.deferLaunch(runId, attempt.attempts, new Date(decision.retryAt), decision.reason);
      return;
    }
    log.error({ ...fields, err: error }, 'could not launch run');
    await history.finish(runId, { status: 'failed', at: new Date(now()), reason: decision.reason }, ['pending']);
  }
}
