import { quoteIdent } from '../../../contract/sql.js';
import type { PoolClient } from '../../db/pool.js';
import { names } from '../../../contract/names.js';
import type { Change } from '../../engine/types.js';
import type { TenantLimits } from '../../usage/limits.js';
import type { PgDetail, PgRole } from './model.js';

type LimitsDetail = Extract<PgDetail, { op: 'limits' }>;

/** How statement_timeout reads in pg_roles.rolconfig once set in milliseconds. */
export const timeoutSetting = (ms: number) => `statement_timeout=${ms}`;

/**
 * Pure: the runtime role's CONNECTION LIMIT and statement_timeout against the tenant's limits. A new
 * role (not observed yet) gets them right after it is created; a changed one is drift and is put back.
 */
export function limitsDiff(tenant: string, runtime: PgRole | undefined, limits: TenantLimits): Change<PgDetail> | undefined {
  const fields: string[] = [];
  if (runtime?.connectionLimit !== limits.dbConnections) fields.push('connectionLimit');
  if (runtime?.statementTimeout !== timeoutSetting(limits.statementTimeoutMs)) fields.push('statementTimeout');
  if (fields.length === 0) return undefined;
  return {
    tenant, kind: 'postgres', resource: `limits/${names.pgRuntimeRole(tenant)}`, action: 'update', destructive: false, fields,
    before: runtime ? { connectionLimit: runtime.connectionLimit ?? null, statementTimeout: runtime.statementTimeout ?? null } : null,
    after: { connectionLimit: limits.dbConnections, statementTimeout: timeoutSetting(limits.statementTimeoutMs) },
    detail: { op: 'limits', role: names.pgRuntimeRole(tenant), connectionLimit: limits.dbConnections, statementTimeoutMs: limits.statementTimeoutMs },
  };
}

/** ALTER ROLE … CONNECTION LIMIT and SET statement_timeout: both apply to sessions opened from now. */
export async function applyLimits(client: PoolClient, detail: LimitsDetail): Promise<void> {
  const { role, connectionLimit, statementTimeoutMs } = detail;
  if (!Number.isInteger(connectionLimit) || !Number.isInteger(statementTimeoutMs)) throw new Error(`postgres: limits of ${role} are not whole numbers`);
  await client.query(`ALTER ROLE ${quoteIdent(role)} CONNECTION LIMIT ${connectionLimit}`);
  await client.query(`ALTER ROLE ${quoteIdent(role)} SET statement_timeout = ${statementTimeoutMs}`);
}
