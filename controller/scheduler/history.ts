import { withTransaction, type Pool } from '../db/pool.js';
import type { ConcurrencyPolicy } from '../manifests/types.js';

export type RunTrigger = 'schedule' | 'manual' | 'catch-up';
export type RunStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'stopped';

/** A row of openclaw.agent_runs. */
export interface RunRecord {
  id: string;
  tenant: string;
  agent: string;
  scheduledAt: Date;
  trigger: RunTrigger;
  startedAt: Date | null;
  finishedAt: Date | null;
  status: RunStatus;
  exitCode: number | null;
  taskArn: string | null;
  reason: string | null;
  durationMs: number | null;
}

export interface NewRun {
  id: string;
  tenant: string;
  agent: string;
  scheduledAt: Date;
  trigger: RunTrigger;
  schedule: string;
  /** Model tokens the run may use, fixed when it is claimed so that every launch attempt sends the same request. */
  tokenAllowance?: number;
}

/** What launching a pending run needs from its row: every attempt launches the same request. */
export interface LaunchState {
  status: RunStatus;
  scheduledAt: Date;
  /** Launch attempts made so far. */
  attempts: number;
  tokenAllowance: number | null;
}

/** A pending run whose launch retry is due. */
export type DueLaunch = Pick<RunRecord, 'id' | 'tenant' | 'agent' | 'scheduledAt'>;

export type ActiveRun = Pick<RunRecord, 'id' | 'taskArn' | 'status' | 'startedAt'>;

export type Claim =
  | { outcome: 'duplicate' }
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'claimed'; replace: ActiveRun[] };

const COLUMNS = `id, tenant, agent, scheduled_at AS "scheduledAt", trigger, started_at AS "startedAt", finished_at AS "finishedAt",
  status, exit_code AS "exitCode", task_arn AS "taskArn", reason, duration_ms::float8 AS "durationMs"`;

const INSERT = `INSERT INTO openclaw.agent_runs (id, tenant, agent, scheduled_at, trigger, schedule, status, reason, finished_at, token_allowance)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`;

const insertArgs = (run: NewRun, status: RunStatus, reason: string | null, finishedAt: Date | null) =>
  [run.id, run.tenant, run.agent, run.scheduledAt, run.trigger, run.schedule, status, reason, finishedAt,
    run.tokenAllowance === undefined ? null : Math.max(0, Math.floor(run.tokenAllowance))];

/** The run history in PostgreSQL: claims (the concurrency policy), transitions, and reads for status. */
export class RunHistory {
  constructor(readonly pool: Pool) {}

  /**
   * Claims a run under the concurrency policy, in one transaction holding a lock on (tenant, agent):
   * a scheduled fire already recorded (by this or another replica) is a duplicate; with Forbid a run
   * still pending or running makes this one skipped; with Replace the active ones are returned to stop.
   */
  claim(run: NewRun, policy: ConcurrencyPolicy, at: Date): Promise<Claim> {
    return withTransaction(this.pool, async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('openclaw.agent_runs'), hashtext($1))`, [`${run.tenant}/${run.agent}`]);
      if (run.trigger !== 'manual') {
        const seen = await client.query(`SELECT 1 FROM openclaw.agent_runs WHERE tenant = $1 AND agent = $2 AND scheduled_at = $3 AND trigger <> 'manual'`, [run.tenant, run.agent, run.scheduledAt]);
        if (seen.rowCount) return { outcome: 'duplicate' };
      }
      const { rows: active } = await client.query<ActiveRun>(
        `SELECT id, task_arn AS "taskArn", status, started_at AS "startedAt" FROM openclaw.agent_runs
          WHERE tenant = $1 AND agent = $2 AND status IN ('pending', 'running') ORDER BY scheduled_at`,
        [run.tenant, run.agent],
      );
      if (policy === 'Forbid' && active.length > 0) {
        const reason = `Forbid: run ${active[0].id} is still ${active[0].status}`;
        await client.query(INSERT, insertArgs(run, 'skipped', reason, at));
        return { outcome: 'skipped', reason };
      }
      await client.query(INSERT, insertArgs(run, 'pending', null, null));
      return { outcome: 'claimed', replace: policy === 'Replace' ? active : [] };
    });
  }

  /** Fires that will not run (missed beyond the deadline, superseded): recorded, never silently dropped. */
  async recordSkipped(runs: readonly (NewRun & { reason: string })[], at: Date): Promise<void> {
    for (const run of runs) await this.pool.query(INSERT, insertArgs(run, 'skipped', run.reason, at));
  }

  /** pending → running, with the task that runs it. False when the run was stopped meanwhile. */
  async markRunning(id: string, taskArn: string, at: Date): Promise<boolean> {
    const result = await this.pool.query(`UPDATE openclaw.agent_runs SET status = 'running', task_arn = $2, started_at = $3, reason = NULL, next_launch_at = NULL, launch_attempts = launch_attempts + 1
        WHERE id = $1 AND status = 'pending'`, [id, taskArn, at]);
    return result.rowCount === 1;
  }

  /** A final status, once: only from one of `from`. */
  async finish(id: string, outcome: { status: RunStatus; at: Date; exitCode?: number | null; reason?: string | null; durationMs?: number | null }, from: RunStatus[] = ['running']): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE openclaw.agent_runs SET status = $2, finished_at = $3, exit_code = $4, reason = COALESCE($5, reason),
              duration_ms = COALESCE($6, CASE WHEN started_at IS NULL THEN NULL ELSE (extract(epoch FROM $3::timestamptz - started_at) * 1000)::bigint END)
        WHERE id = $1 AND status = ANY($7::text[])`,
      [id, outcome.status, outcome.at, outcome.exitCode ?? null, outcome.reason ?? null, outcome.durationMs ?? null, from],
    );
    return result.rowCount === 1;
  }

  async launchState(id: string): Promise<LaunchState | undefined> {
    const { rows } = await this.pool.query<LaunchState>(
      `SELECT status, scheduled_at AS "scheduledAt", launch_attempts AS attempts, token_allowance::float8 AS "tokenAllowance" FROM openclaw.agent_runs WHERE id = $1`,
      [id],
    );
    return rows[0];
  }

  /** A failed launch attempt of a pending run, to be tried again at `retryAt`; the run stays pending. */
  async deferLaunch(id: string, attempts: number, retryAt: Date, reason: string): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE openclaw.agent_runs SET launch_attempts = $2, next_launch_at = $3, reason = $4 WHERE id = $1 AND status = 'pending'`,
      [id, attempts, retryAt, reason],
    );
    return result.rowCount === 1;
  }

  /** Pending runs whose launch retry is due: taken (the retry time cleared), so each is handed out once. */
  async takeDueLaunches(at: Date): Promise<DueLaunch[]> {
    const { rows } = await this.pool.query<DueLaunch>(
      `UPDATE openclaw.agent_runs SET next_launch_at = NULL WHERE status = 'pending' AND next_launch_at <= $1
        RETURNING id, tenant, agent, scheduled_at AS "scheduledAt"`,
      [at],
    );
    return rows;
  }

  /** The task a run's launch started, when the run was stopped before it could be recorded as running. */
  async attachTask(id: string, taskArn: string): Promise<void> {
    await this.pool.query('UPDATE openclaw.agent_runs SET task_arn = $2 WHERE id = $1 AND task_arn IS NULL', [id, taskArn]);
  }

  /** Runs the controller stopped whose task has not been metered yet (the poller's second working set). */
  async unmeteredStops(limit = 100): Promise<RunRecord[]> {
    const { rows } = await this.pool.query<RunRecord>(
      `SELECT ${COLUMNS} FROM openclaw.agent_runs WHERE status = 'stopped' AND task_arn IS NOT NULL AND metered_at IS NULL ORDER BY scheduled_at LIMIT $1`,
      [limit],
    );
    return rows;
  }

  async markMetered(id: string, at: Date): Promise<void> {
    await this.pool.query('UPDATE openclaw.agent_runs SET metered_at = $2 WHERE id = $1', [id, at]);
  }

  async status(id: string): Promise<RunStatus | undefined> {
    const { rows } = await this.pool.query<{ status: RunStatus }>('SELECT status FROM openclaw.agent_runs WHERE id = $1', [id]);
    return rows[0]?.status;
  }

  async get(id: string): Promise<RunRecord | undefined> {
    return (await this.pool.query<RunRecord>(`SELECT ${COLUMNS} FROM openclaw.agent_runs WHERE id = $1`, [id])).rows[0];
  }

  /** Runs not finished: the poller's and the recovery's working set. */
  async unfinished(status: 'pending' | 'running'): Promise<RunRecord[]> {
    const { rows } = await this.pool.query<RunRecord>(`SELECT ${COLUMNS} FROM openclaw.agent_runs WHERE status = $1 ORDER BY scheduled_at`, [status]);
    return rows;
  }

  /** Runs of one agent of one tenant that a task is running: checked before a concurrency decision. */
  async running(tenant: string, agent: string): Promise<RunRecord[]> {
    const { rows } = await this.pool.query<RunRecord>(
      `SELECT ${COLUMNS} FROM openclaw.agent_runs WHERE tenant = $1 AND agent = $2 AND status = 'running' AND task_arn IS NOT NULL`,
      [tenant, agent],
    );
    return rows;
  }

  /** The newest run of every tenant: one query for the whole fleet (status API and CLI). */
  async latestPerTenant(): Promise<RunRecord[]> {
    const { rows } = await this.pool.query<RunRecord>(
      `SELECT DISTINCT ON (tenant) ${COLUMNS} FROM openclaw.agent_runs ORDER BY tenant, scheduled_at DESC, created_at DESC`,
    );
    return rows;
  }

  /** Runs in the history by status (metrics). */
  async countsByStatus(): Promise<Map<string, number>> {
    const { rows } = await this.pool.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM openclaw.agent_runs GROUP BY status');
    return new Map(rows.map((r) => [r.status, r.n]));
  }

  /** The tenant's most recent runs, newest first (status API and CLI). */
  async lastRuns(tenant: string, limit = 20): Promise<RunRecord[]> {
    const { rows } = await this.pool.query<RunRecord>(
      `SELECT ${COLUMNS} FROM openclaw.agent_runs WHERE tenant = $1 ORDER BY scheduled_at DESC, created_at DESC LIMIT $2`,
      [tenant, limit],
    );
    return rows;
  }
}
