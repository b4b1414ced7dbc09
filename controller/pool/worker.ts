import type { Logger } from 'pino';
import { AGENT_ENV } from '../../contract/agent-env.js';
import { equalJitterBackoff, type BackoffLimits } from '../../contract/backoff.js';
import { errorMessage } from '../../contract/errors.js';
import type { Pool } from '../db/pool.js';
import type { Launcher } from '../scheduler/launcher.js';
import type { PooledJob, PoolQueue } from './queue.js';
import { issuePoolGrant, releasePoolRun } from './session.js';
import { TokenVendingError, type Vend } from './vend.js';

/** Attempts of a run whose credentials could not be vended (throttling, a 5xx) before it fails. */
export const VEND_ATTEMPTS = 3;
/** How long a run waits in the queue after a vend that may succeed later. */
export const VEND_RETRY: BackoffLimits = { baseMs: 30_000, maxMs: 300_000 };

export interface PoolWorkerOptions {
  /** This worker's name in the queue (claimed_by). */
  name: string;
  queue: PoolQueue;
  /** The trusted connection that issues and ends the runs' grants. */
  pool: Pool;
  /** Runs one job as a process of its own: the agent, its environment, nothing of the worker's. */
  executor: Launcher;
  /** Token vending: tenant-scoped AWS credentials for one run; absent with the local provider (no AWS). */
  vend?: Vend;
  log: Logger;
  /** Jitter of the wait before a run whose vend failed is tried again. */
  random?: () => number;
  /** A claimed run whose heartbeat is older than this is claimed again (its worker died). */
  staleMs?: number;
  heartbeatMs?: number;
}

/**
 * A pooled worker: claims due runs from the queue (SKIP LOCKED, so workers never share one), and for
 * each obtains the tenant's credentials (token vending), issues the single-use grant that binds the
 * run's database session to the tenant, runs the agent with only those, and records its exit. The run
 * never sees the worker's own credentials: it gets a fresh environment. A vend that fails never
 * starts the run: a retryable failure sends it back to the queue for a later attempt (at most
 * VEND_ATTEMPTS), any other fails it with the reason.
 */
export class PoolWorker {
  constructor(private readonly options: PoolWorkerOptions) {}

  /** Claims and runs one job; false when none is due. */
  async step(): Promise<boolean> {
    const { queue, name, log } = this.options;
    const job = await queue.claim(name, this.options.staleMs ?? 120_000);
    if (!job) return false;
    const fields = { tenant: job.tenant, agent: job.agent, runId: job.runId, attempt: job.attempts };
    const beat = setInterval(() => void queue.heartbeat(job.runId, name).catch((e) => log.warn({ ...fields, err: e }, 'could not beat the heartbeat')), this.options.heartbeatMs ?? 30_000);
    try {
      const { exitCode, reason } = await this.run(job);
      await queue.finish(job.runId, exitCode, reason, name);
      log.info({ ...fields, exitCode }, 'pooled run ended');
    } catch (error) {
      if (error instanceof TokenVendingError && error.retryable && job.attempts < VEND_ATTEMPTS) {
        const delayMs = equalJitterBackoff(job.attempts, VEND_RETRY, this.options.random ?? Math.random);
        log.warn({ ...fields, err: error, delayMs }, 'could not vend the run\'s credentials: it goes back to the queue');
        await queue.defer(job.runId, name, delayMs);
      } else {
        log.error({ ...fields, err: error }, 'pooled run could not start');
        await queue.finish(job.runId, null, `could not start: ${errorMessage(error)}`, name);
      }
    } finally {
      clearInterval(beat);
      await releasePoolRun(this.options.pool, job.runId).catch((e) => log.warn({ ...fields, err: e }, 'could not release the run\'s grant'));
    }
    return true;
  }

  private async run(job: PooledJob): Promise<{ exitCode: number | null; reason: string | null }> {
    const credentials = this.options.vend ? await this.options.vend(job.tenant, job.runId) : undefined;
    const grant = await issuePoolGrant(this.options.pool, job.tenant, job.runId);
    const { [AGENT_ENV.dbSecretArn]: _silo, ...env } = job.env;
    const { taskArn } = await this.options.executor.launch({
      runId: job.runId,
      entry: job.entry,
      env: {
        ...env,
        [AGENT_ENV.isolation]: 'pool',
        [AGENT_ENV.poolGrant]: grant,
        ...(credentials ? { AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
      },
    });
    await this.options.executor.wait?.(taskArn);
    const [state] = await this.options.executor.describe([taskArn]);
    return { exitCode: state?.exitCode ?? null, reason: state?.reason ?? null };
  }

  /** Steps until none is due; `concurrency` jobs at once. */
  async drain(concurrency = 1): Promise<number> {
    let ran = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (await this.step()) ran++;
    }));
    return ran;
  }
}
