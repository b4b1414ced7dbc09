import pg from 'pg';
import { names } from '../../contract/names.js';
import type { DbCredentials } from './credentials.js';
import { POOL_LOGIN } from '../../contract/agent-env.js';
import type { AgentEnv } from './env.js';

/** The session setting the row-level security policies read. */
export const TENANT_SETTING = 'app.tenant_id';

export type Queryable = Pick<pg.ClientBase, 'query'>;

/**
 * Connects as the tenant's runtime role and scopes the session to the tenant, so row-level
 * security applies to every statement. Refuses to go on as any other role: an agent never runs
 * with more rights than its tenant's.
 */
export async function connectAsTenant(env: Pick<AgentEnv, 'tenant' | 'agent' | 'databaseUrl' | 'isolation' | 'poolGrant'>, credentials: DbCredentials): Promise<pg.Client> {
  const config: pg.ClientConfig = { application_name: `openclaw-agent-${env.agent}` };
  if (env.databaseUrl) {
    const url = new URL(env.databaseUrl);
    url.username = encodeURIComponent(credentials.username);
    url.password = encodeURIComponent(credentials.password);
    config.connectionString = url.toString();
  } else {
    // PGHOST, PGPORT, PGDATABASE and PGSSLMODE come from the task definition's environment.
    config.user = credentials.username;
    config.password = credentials.password;
  }
  const client = new pg.Client(config);
  await client.connect();
  if (env.isolation === 'pool') return bindPooledSession(client, env);
  try {
    const { rows } = await client.query<{ role: string }>('SELECT set_config($1, $2, false), current_user AS role', [TENANT_SETTING, env.tenant]);
    const expected = names.pgRuntimeRole(env.tenant);
    if (rows[0].role !== expected) throw new Error(`refusing to run: connected as ${rows[0].role}, not the tenant's runtime role ${expected}`);
    return client;
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
}

/**
 * A pooled run: logged in as the pool, the session spends its single-use grant and is bound to the
 * tenant for good (app.bind_pool_session). RLS then admits the tenant's rows only; nothing the run
 * does in this session (set app.tenant_id, bind again, SET ROLE) changes that.
 */
async function bindPooledSession(client: pg.Client, env: Pick<AgentEnv, 'tenant' | 'poolGrant'>): Promise<pg.Client> {
  try {
    const { rows } = await client.query<{ tenant: string; role: string }>('SELECT app.bind_pool_session($1) AS tenant, current_user AS role', [env.poolGrant ?? '']);
    if (rows[0].role !== POOL_LOGIN) throw new Error(`refusing to run: connected as ${rows[0].role}, not the pool's login ${POOL_LOGIN}`);
    if (rows[0].tenant !== env.tenant) throw new Error(`refusing to run: the session was bound to another tenant than ${env.tenant}`);
    return client;
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
}
