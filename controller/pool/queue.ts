import type { Pool, PoolClient } from '../db/pool.js';
import type { ScheduleEntry } from '../scheduler/entries.js';

/** A pooled run as a worker claims it. */
export interface PooledJob {
  runId: string;
  tenant: string;
  agent: string;
  /** The run's schedule entry and environment as the scheduler made them: names and ARNs, never secret values. */
  env: Record<string, string>;
  entry: ScheduleEntry;
  attempts: number;
}

export interface QueueRow {
  runId: string;
  claimedAt: Date | null;
  finishedAt: Date | null;
  exitCode: number | null;
  reason: string | null;
}

/**
 * The pooled workers' queue (openclaw.pool_queue): PostgreSQL rows claimed with FOR UPDATE SKIP LOCKED.
 * A worker's calls (claim, heartbeat, defer, finish as a worker) go through the functions of platform
 * migration 40, the only thing the workers' own login may use; the scheduler's (enqueue, rows, depth, a
 * stop) through the controller's connection.
 */
export class PoolQueue {
  constructor(private readonly pool: Pick<Pool | PoolClient, 'query'>, private readonly now: () => number = Date.now) {}

  /** Hands a run to the workers; handing the same run again (a relaunch after a crash) changes nothing. */
  async enqueue(job: Omit<PooledJob, 'attempts'>): Promise<void> {
    await this.pool.query(
      `INSERT INTO openclaw.pool_queue (run_id, tenant, agent, env, entry, enqueued_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (run_id) DO NOTHING`,
      [job.runId, job.tenant, job.agent, JSON.stringify(job.env), JSON.stringify(job.entry), new Date(this.now())],
    );
  }

  /**
   * Claims the oldest due run: never claimed, or claimed by a worker whose heartbeat is older than
   * `staleMs` (it died). SKIP LOCKED lets any number of workers claim at once, each a different row.
   */
  async claim(worker: string, staleMs: number): Promise<PooledJob | undefined> {
    const now = new Date(this.now());
    const { rows } = await this.pool.query<PooledJob>(
      'SELECT "runId", tenant, agent, env, entry, attempts FROM openclaw.pool_claim($1, $2, $3)',
      [worker, now, new Date(now.getTime() - staleMs)],
    );
    return rows[0];
  }

  async heartbeat(runId: string, worker: string): Promise<void> {
    await this.pool.query('SELECT openclaw.pool_heartbeat($1, $2, $3)', [runId, worker, new Date(this.now())]);
  }

  /** Gives a claimed run back to the queue, due again after `delayMs` (its credentials could not be vended yet). */
  async defer(runId: string, worker: string, delayMs: number): Promise<boolean> {
    const { rows } = await this.pool.query<{ deferred: boolean }>('SELECT openclaw.pool_defer($1, $2, $3) AS deferred', [runId, worker, new Date(this.now() + delayMs)]);
    return rows[0].deferred;
  }

  /** Records the run's end once (the scheduler's poller reads it like a task's exit). */
  async finish(runId: string, exitCode: number | null, reason: string | null, worker?: string): Promise<boolean> {
    const at = new Date(this.now());
    if (worker !== undefined) {
      const { rows } = await this.pool.query<{ finished: boolean }>('SELECT openclaw.pool_finish($1, $2, $3, $4, $5) AS finished', [runId, worker, at, exitCode, reason]);
      return rows[0].finished;
    }
    // The scheduler stopping a run: the controller's own connection, whoever holds the run.
    const result = await this.pool.query('UPDATE openclaw.pool_queue SET finished_at = $2, exit_code = $3, reason = $4 WHERE run_id = $1 AND finished_at IS NULL', [runId, at, exitCode, reason]);
    return result.rowCount === 1;
  }

  async rows(runIds: readonly string[]): Promise<QueueRow[]> {
    const { rows } = await this.pool.query<QueueRow>(
      `SELECT run_id AS "runId", claimed_at AS "claimedAt", finished_at AS "finishedAt", exit_code AS "exitCode", reason FROM openclaw.pool_queue WHERE run_id = ANY($1::text[])`,
      [runIds],
    );
    return rows;
  }

  /** Runs waiting for a worker, not those held back for a later vend: what the worker service scales on. */
  async depth(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM openclaw.pool_queue WHERE finished_at IS NULL AND claimed_at IS NULL AND (not_before IS NULL OR not_before <= $1)', [new Date(this.now())]);
    return rows[0].n;
  }
}
