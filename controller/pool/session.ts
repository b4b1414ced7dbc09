import { createHash, randomBytes } from 'node:crypto';
import type { Pool, PoolClient } from '../db/pool.js';

export { POOL_LOGIN } from '../../contract/agent-env.js';
export { ensurePoolLogin } from './logins.js';

/** How long a run has to spend its grant: it connects right after the worker issues it. */
export const POOL_GRANT_TTL_MS = 5 * 60_000;

type Queryable = Pick<Pool | PoolClient, 'query'>;

/**
 * A single-use grant that binds one database session to `tenant` (app.bind_pool_session): only its
 * SHA-256 is stored, and the token goes to the run alone. Issued by the worker (trusted), never by a run,
 * and only for a run that is claimed and not finished, for that run's tenant (app.issue_pool_grant).
 */
export async function issuePoolGrant(db: Queryable, tenant: string, runId: string, ttlMs = POOL_GRANT_TTL_MS): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.query(
    'SELECT app.issue_pool_grant($1, $2, $3, $4)',
    [createHash('sha256').update(token).digest(), tenant, runId, ttlMs],
  );
  return token;
}

/** Ends a run's bindings and any grant it did not spend: the pid of a finished session binds nothing later. */
export async function releasePoolRun(db: Queryable, runId: string): Promise<void> {
  await db.query('SELECT app.release_pool_run($1)', [runId]);
}
