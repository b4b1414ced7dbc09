import type { Pool } from '../db/pool.js';
import type { DesiredTenant } from '../desired/types.js';
import { nextFires } from './cron.js';
import { scheduleEntries } from './entries.js';
import { RunHistory, type RunRecord } from './history.js';

/** Read side for the status API and CLI: the tenant's recent runs and its next scheduled ones. */

export interface NextRun {
  agent: string;
  at: Date;
  schedule: string;
  timezone: string;
}

export function lastRuns(pool: Pool, tenant: string, limit = 20): Promise<RunRecord[]> {
  return new RunHistory(pool).lastRuns(tenant, limit);
}

/** Pure: the next `n` fires of the tenant's active agents after `now`, soonest first. */
export function upcomingRuns(tenant: DesiredTenant, n: number, now: number): NextRun[] {
  return scheduleEntries([tenant])
    .flatMap((e) => nextFires(e.schedule, e.timezone, now, n).map((at) => ({ agent: e.agent, at: new Date(at), schedule: e.schedule, timezone: e.timezone })))
    .sort((a, b) => a.at.getTime() - b.at.getTime() || a.agent.localeCompare(b.agent))
    .slice(0, n);
}

/** The next `n` runs of `tenant`, from the desired state the controller last recorded for it. */
export async function nextRuns(pool: Pool, tenant: string, n: number, now: number = Date.now()): Promise<NextRun[]> {
  const { rows } = await pool.query<{ desired: DesiredTenant }>(`SELECT desired FROM openclaw.tenants WHERE name = $1 AND lifecycle = 'Active'`, [tenant]);
  return rows[0] ? upcomingRuns(rows[0].desired, n, now) : [];
}
