/**
 * A controller on a real PostgreSQL with the example tenants, globex made Degraded, and the
 * status server on a free port. Shared by the status API, CLI, secrets and page tests.
 *
 * globex fails because the database refuses to create its schema (a statement seam of this
 * world's pool), not through a conflicting role: roles are shared by every database of the
 * test server, so a role made here would make globex Degraded in other test files too.
 */
import pg from 'pg';
import { createWorld, type World, type WorldOptions } from '../helpers/world.js';
import { startStatusServer, type StatusServer } from '../../controller/status/http.js';

export interface StatusWorld {
  world: World;
  server: StatusServer;
  admin: pg.Client;
  /** While true, creating globex's schema fails (permission denied), so globex is Degraded. */
  failGlobex: boolean;
  /** While true, every statement of the controller's pools fails as an unreachable database would. */
  databaseDown: boolean;
  /** GET (or another method) against the status server. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  json<T = any>(path: string): Promise<T>;
  /** Every tenant's generated runtime database password. */
  passwords(): Promise<string[]>;
  close(): Promise<void>;
}

export const EXAMPLE_TENANTS = ['acme', 'globex', 'initech'];

export const GLOBEX_FAILURE = 'permission denied for database (injected by the status tests)';

export const DATABASE_DOWN = 'connect ECONNREFUSED 10.0.0.5:5432';

export async function createStatusWorld(options: WorldOptions & { degraded?: boolean; pass?: boolean } = {}): Promise<StatusWorld> {
  let sw: StatusWorld | undefined;
  const beforeQuery = (text: string) => {
    if (sw?.databaseDown) throw Object.assign(new Error(DATABASE_DOWN), { code: 'ECONNREFUSED' });
    if (sw?.failGlobex && /^\s*CREATE SCHEMA IF NOT EXISTS "?tenant_globex"?\s/i.test(text)) {
      throw Object.assign(new Error(GLOBEX_FAILURE), { code: '42501' });
    }
  };
  const world = await createWorld({ beforeQuery, ...options, extraEnv: { OPENCLAW_EVENTS_RETENTION: '200', ...options.extraEnv } });
  const admin = new pg.Client({ connectionString: world.db.url });
  await admin.connect();
  const server = await startStatusServer(world.ctx, { port: 0, host: '127.0.0.1' });
  const fetchPath = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);
  sw = {
    world, server, admin,
    failGlobex: options.degraded !== false,
    databaseDown: false,
    fetch: fetchPath,
    async json(path) {
      const response = await fetchPath(path);
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status}: ${await response.text()}`);
      return response.json();
    },
    async passwords() {
      const found: string[] = [];
      for (const tenant of EXAMPLE_TENANTS) {
        const credentials = await world.ctx.provider.credentials.get(tenant);
        if (credentials) found.push(credentials.password);
      }
      return found;
    },
    async close() {
      await server?.close();
      await admin?.end();
      await world?.close();
    },
  };
  if (options.pass !== false) await world.pass();
  return sw;
}
