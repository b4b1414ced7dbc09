import { POOL_LOGIN } from '../../contract/agent-env.js';
import type { DbCredentials } from '../../contract/db-credentials.js';
import { quoteIdent, quoteLiteral } from '../../contract/sql.js';
import type { Pool, PoolClient } from '../db/pool.js';
import { scramSha256Verifier } from '../db/scram.js';
import { MANAGED_BY_TAG, MANAGED_BY_VALUE } from '../desired/tenant.js';
import { credentialFingerprint, generatePassword, secretValueIfExists } from '../providers/credentials.js';
import type { SecretsApi } from '../providers/types.js';

/** The pooled workers' own database login (platform migration 40): the queue and the grants, through functions only. */
export const POOL_WORKER_LOGIN = 'openclaw_pool_worker';

/**
 * The two logins of the pool, each a role made NOLOGIN by a platform migration, given LOGIN and a
 * generated password by the controller, its password in a secret of its own under the prefix.
 */
export const POOL_LOGINS = {
  /** What every pooled run logs in as, then binds its session to its tenant with a grant. */
  pool: { role: POOL_LOGIN, secret: 'pool/db', purpose: 'pooled runs' },
  /** What a pooled worker logs in as: claims, beats and ends queue rows, issues and releases grants. */
  worker: { role: POOL_WORKER_LOGIN, secret: 'pool/worker-db', purpose: 'pooled workers' },
} as const;
export type PoolLogin = keyof typeof POOL_LOGINS;

export const poolSecretName = (secretsPrefix: string, login: PoolLogin) => `${secretsPrefix}/${POOL_LOGINS[login].secret}`;

type Queryable = Pick<Pool | PoolClient, 'query'>;

/** A login's credentials from its secret: made once, generated, never in git or the logs. */
export async function poolLoginCredentials(secrets: SecretsApi, secretsPrefix: string, login: PoolLogin = 'pool'): Promise<DbCredentials> {
  const { role, purpose } = POOL_LOGINS[login];
  const name = poolSecretName(secretsPrefix, login);
  const stored = await secretValueIfExists(secrets, name);
  if (stored) {
    const parsed: unknown = JSON.parse(stored);
    if (typeof parsed === 'object' && parsed !== null && 'password' in parsed && typeof parsed.password === 'string') return { username: role, password: parsed.password };
  }
  const credentials = { username: role, password: generatePassword() };
  await secrets.create(name, JSON.stringify(credentials), { [MANAGED_BY_TAG]: MANAGED_BY_VALUE }, `Database login of the ${purpose} (${role})`);
  return credentials;
}

/**
 * Gives a login the password in `credentials` (as a SCRAM verifier, never the password) and CONNECT,
 * when its role comment does not already carry that password's fingerprint. Idempotent.
 */
export async function ensurePoolLogin(db: Queryable, credentials: DbCredentials, login: PoolLogin = 'pool'): Promise<boolean> {
  const { role, purpose } = POOL_LOGINS[login];
  const fingerprint = credentialFingerprint(credentials.password);
  const comment = `openclaw:managed; ${purpose}; credential=${fingerprint}`;
  const { rows } = await db.query<{ comment: string | null; login: boolean; db: string }>(
    `SELECT shobj_description(oid, 'pg_authid') AS comment, rolcanlogin AS login, current_database() AS db FROM pg_roles WHERE rolname = $1`, [role]);
  if (rows.length === 0) throw new Error(`the role ${role} does not exist: platform migrations have not run`);
  if (rows[0].login && rows[0].comment === comment) return false;
  await db.query(`ALTER ROLE ${quoteIdent(role)} LOGIN PASSWORD ${quoteLiteral(scramSha256Verifier(credentials.password))}`);
  await db.query(`COMMENT ON ROLE ${quoteIdent(role)} IS ${quoteLiteral(comment)}`);
  await db.query(`GRANT CONNECT ON DATABASE ${quoteIdent(rows[0].db)} TO ${quoteIdent(role)}`);
  return true;
}
