import { withTransaction, type Pool } from '../db/pool.js';
import type { Slot } from './slots.js';

/** Where missed fires are counted from, per (tenant, agent): from PostgreSQL, never from memory. */
export interface Resume {
  /** Since when the entry has been active with its current schedule. */
  activeSince: number;
  /** The latest fire recorded in the run history (scheduled, caught up or skipped), if any. */
  lastFire?: number;
}

/**
 * The leader's record of active schedules (openclaw.agent_schedules) and, with the run history, the
 * point each entry resumes from. One transaction: upsert what is active (a row changes only when its
 * schedule does, so an unchanged pass writes nothing), delete what is not, read both back.
 */
export async function syncSchedules(pool: Pool, entries: readonly Pick<Slot, 'tenant' | 'kind'>[], now: number): Promise<Map<string, Resume>> {
  const tenants = entries.map((e) => e.tenant);
  const agents = entries.map((e) => e.kind.agent);
  return withTransaction(pool, async (client) => {
    await client.query(
      `INSERT INTO openclaw.agent_schedules AS s (tenant, agent, schedule, active_since)
       SELECT k.tenant, k.agent, k.schedule, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS k(tenant, agent, schedule)
       ON CONFLICT (tenant, agent) DO UPDATE SET schedule = EXCLUDED.schedule, active_since = EXCLUDED.active_since
       WHERE s.schedule IS DISTINCT FROM EXCLUDED.schedule`,
      [tenants, agents, entries.map((e) => e.kind.label), new Date(now)],
    );
    await client.query(
      `DELETE FROM openclaw.agent_schedules s
        WHERE NOT EXISTS (SELECT 1 FROM unnest($1::text[], $2::text[]) AS k(tenant, agent) WHERE k.tenant = s.tenant AND k.agent = s.agent)`,
      [tenants, agents],
    );
    const { rows } = await client.query<{ tenant: string; agent: string; activeSince: Date; lastFire: Date | null }>(
      `SELECT s.tenant, s.agent, s.active_since AS "activeSince",
              (SELECT max(r.scheduled_at) FROM openclaw.agent_runs r
                WHERE r.tenant = s.tenant AND r.agent = s.agent AND r.trigger <> 'manual') AS "lastFire"
         FROM openclaw.agent_schedules s`,
    );
    return new Map(rows.map((r) => [`${r.tenant}/${r.agent}`, { activeSince: r.activeSince.getTime(), lastFire: r.lastFire?.getTime() }]));
  });
}

/** The instant after which fires are due: the later of the last recorded fire and the activation. */
export function resumeFrom(resume: Resume | undefined, now: number): number {
  if (!resume) return now - 1;
  return Math.min(now, Math.max(resume.lastFire ?? -Infinity, resume.activeSince - 1));
}
