import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { errorMessage } from '../../contract/errors.js';
import type { ScheduleEntry } from './entries.js';
import type { ActiveRun, RunHistory, RunRecord, RunTrigger } from './history.js';
import type { Launcher } from './launcher.js';
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
}

export type Submitted =
  | { outcome: 'queued'; runId: string }
  | { outcome: 'skipped'; runId: string; reason: string }
  | { outcome: 'duplicate' };

interface Job {
  runId: string;
  entry: ScheduleEntry;
  /** Model tokens the run may use (what is left of the tenant's monthly budget). */
  tokenAllowance?: number;
}

/**
 * Claims runs (the concurrency policy, in the database) and launches the claimed ones from a queue,
 * a few at a time: a cron minute with thousands of fires claims them all at once and launches them
 * at the launcher's rate. Replace stops the active runs before the new one starts.
 */
export class Dispatcher {
  private readonly queue: Job[] = [];
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
    const run = { id: runId, tenant: entry.tenant, agent: entry.agent, scheduledAt: new Date(scheduledAt), trigger, schedule: entry.label };
    const budget = await this.options.budget?.(entry);
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
    this.enqueue({ runId, entry, tokenAllowance: budget?.allowed ? budget.tokensLeft : undefined });
    return { outcome: 'queued', runId };
  }

  /** A run claimed before a crash and never launched: launched again under the same id (RunTask is idempotent on it). */
  resume(run: RunRecord, entry: ScheduleEntry): void {
    this.enqueue({ runId: run.id, entry });
  }

  /** Resolves when nothing is queued or launching. */
  idle(): Promise<void> {
    if (this.active === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Drops what is queued (leadership lost): those runs stay pending for the next leader to resume. */
  clear(): void {
    this.queue.splice(0);
    this.settle();
  }

  private async replace(old: ActiveRun, runId: string): Promise<void> {
    const reason = `Replace: stopped for run ${runId}`;
    if (old.taskArn) await this.options.launcher.stop(old.taskArn, reason).catch((error) => this.options.log.warn({ err: error, runId: old.id }, 'could not stop the replaced run'));
    await this.options.history.finish(old.id, { status: 'stopped', at: new Date(this.options.now()), reason }, ['pending', 'running']);
  }

  private enqueue(job: Job): void {
    this.queue.push(job);
    this.pump();
  }

  private pump(): void {
    const limit = this.options.concurrency ?? 4;
    while (this.active < limit && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.active++;
      void this.launch(job).finally(() => {
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

  private async launch({ runId, entry, tokenAllowance }: Job): Promise<void> {
    const { history, launcher, now, log } = this.options;
    const fields = { tenant: entry.tenant, agent: entry.agent, runId };
    try {
      await launcher.pace?.();
      if ((await history.status(runId)) !== 'pending') return;
      const { taskArn } = await launcher.launch({ runId, entry, env: runEnvironment(entry, runId, this.options.arns, tokenAllowance) });
      if (await history.markRunning(runId, taskArn, new Date(now()))) {
        log.info({ ...fields, taskArn }, 'run started');
      } else {
        await launcher.stop(taskArn, 'run cancelled before it started');
      }
    } catch (error) {
      log.error({ ...fields, err: error }, 'could not launch run');
      await history.finish(runId, { status: 'failed', at: new Date(now()), reason: `could not launch: ${errorMessage(error)}` }, ['pending'])
        .catch((e) => log.error({ ...fields, err: e }, 'could not record the failed launch'));
    }
  }
}
