/** The audit log of operator actions (openclaw.audit_log): who, in which role, did what to what, and how it ended. */
import type { Pool } from '../db/pool.js';
import type { Principal } from '../status/access/principal.js';

export type AuditResult = 'succeeded' | 'failed' | 'refused';

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  role: string;
  via: string;
  action: string;
  target: string;
  tenant: string | null;
  revision: string | null;
  result: AuditResult;
  message: string | null;
}

export interface AuditRecord {
  principal: Principal;
  action: string;
  target: string;
  tenant?: string;
  revision?: string;
  result: AuditResult;
  message?: string;
}

type Queryable = Pick<Pool, 'query'>;

export async function recordAudit(pool: Queryable, entry: AuditRecord): Promise<void> {
  await pool.query(
    `INSERT INTO openclaw.audit_log (actor, role, via, action, target, tenant, revision, result, message) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [entry.principal.subject, entry.principal.role, entry.principal.via, entry.action, entry.target, entry.tenant ?? null, entry.revision ?? null, entry.result, entry.message ?? null],
  );
}

/** The newest entries, for one tenant or for all. */
export async function recentAudit(pool: Queryable, options: { tenant?: string; limit: number }): Promise<AuditEntry[]> {
  const { rows } = await pool.query<{ id: string; at: Date; actor: string; role: string; via: string; action: string; target: string; tenant: string | null; revision: string | null; result: AuditResult; message: string | null }>(
    `SELECT id, at, actor, role, via, action, target, tenant, revision, result, message FROM openclaw.audit_log
     WHERE $1::text IS NULL OR tenant = $1 ORDER BY id DESC LIMIT $2`,
    [options.tenant ?? null, options.limit],
  );
  return rows.map((r) => ({ ...r, id: Number(r.id), at: r.at.toISOString() }));
}
