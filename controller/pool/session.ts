import { createHash, randomBytes } from 'node:crypto';
import { POOL_LOGIN } from '../../contract/agent-env.js';
import type { Pool, PoolClient } from '../db/pool.js';
import { quoteIdent, quoteLiteral } from '../../contract/sql.js';
import { scramSha256Verifier } from '../db/scram.js';
import { credentialFingerprint } from '../providers/credentials.js';
import type { DbCredentials } from '../../contract/db-credentials.js';

export { POOL_LOGIN };

/** How long a run has to spend its grant: it connects right after the worker issues it. */
export const POOL_GRANT_TTL_MS = 5 * 60_000;

type Queryable = Pick<Pool | PoolClient, 'query'>;

/**
 * A single-use grant that binds one database session to `tenant` (app.bind_pool_session): only its
 * SHA-256 is stored, and the token goes to the run alone. Issued by the worker (trusted), never by a run.
 */
export async function issuePoolGrant(db: Queryable, tenant: string, runId: string, ttlMs = POOL_GRANT_TTL_MS): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.query(
    `INSERT INTO app_private.pool_grants (token_hash, tenant, run_id, expires_at) VALUES ($1, $2, $3, clock_timestamp() + make_interval(secs => $4::double precision / 1000))`,
    [createHash('sha256').update(token).digest(), tenant, runId, ttlMs],
  );
  return token;
}

/** Ends a run's bindings and any grant it did not spend: the pid of a finished session binds nothing later. */
export async function releasePoolRun(db: Queryable, runId: string): Promise<void> {
  await db.query('DELETE FROM app_private.pool_sessions WHERE run_id = $1', [runId]);
  await db.query('DELETE FROM app_private.pool_grants WHERE run_id = $1 OR expires_at < clock_timestamp()', [runId]);
}

/**
 * Gives the pool's login the password in `credentials` (as a SCRAM verifier, never the password) and
 * CONNECT, when its role comment does not already carry that password's fingerprint. Idempotent.
 */
export async function ensurePoolLogin(db: Queryable, credentials: DbCredentials): Promise<boolean> {
  const fingerprint = credentialFingerprint(credentials.password);
  const comment = `openclaw:managed; pooled runs; credential=${fingerprint}`;
  const { rows } = await db.query<{ comment: string | null; login: boolean; db: string }>(
    `SELECT shobj_description(oid, 'pg_authid') AS comment, rolcanlogin AS login, current_database() AS db FROM pg_roles WHERE rolname = $1`, [POOL_LOGIN]);
  if (rows.length === 0) throw new Error(`the pool's role ${POOL_LOGIN} does not exist: platform migrations have not run`);
  if (rows[0].login && rows[0].comment === comment) return false;
  await db.query(`ALTER ROLE ${quoteIdent(POOL_LOGIN)} LOGIN PASSWORD ${quoteLiteral(scramSha256Verifier(credentials.password))}`);
  await db.query(`COMMENT ON ROLE ${quoteIdent(POOL_LOGIN)} IS ${quoteLiteral(comment)}`);
  await db.query(`GRANT CONNECT ON DATABASE ${quoteIdent(rows[0].db)} TO ${quoteIdent(POOL_LOGIN)}`);
  return true;
}
