import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { main } from '../../controller/cli.js';
import { cliOverrides } from '../../controller/cli/context.js';
import { names } from '../../contract/names.js';
import { createGitRepo, tenantYaml, type GitRepo, type TenantYamlOptions } from './git-repo.js';
import { secretsOnlyProvider } from './secrets-only-provider.js';
import type { TestDatabase } from './postgres.js';
import { createWorld, perTest, type World } from './world.js';

/**
 * Tenant names unique to one test file: PostgreSQL roles belong to the whole server,
 * which every test file shares, so two files must never manage the same tenant.
 */
export function tenantNames<const T extends string>(...labels: T[]): Record<T, string> {
  const suffix = randomBytes(3).toString('hex');
  const named: Partial<Record<T, string>> = {};
  for (const label of labels) named[label] = `${label}-${suffix}`;
  if (!namesEvery(named, labels)) throw new Error(`tenantNames: a label of ${labels.join(', ')} got no name`);
  return named;
}

function namesEvery<T extends string>(named: Partial<Record<T, string>>, labels: readonly T[]): named is Record<T, string> {
  return labels.every((label) => typeof named[label] === 'string');
}

/** A controller following the `main` branch of a fresh git repository, on a real PostgreSQL. */
export interface GitWorld {
  world: World;
  origin: GitRepo;
  admin: pg.Client;
  secretsDir: string;
  /** Writes `tenants/<name>.yaml`. */
  put(name: string, options?: TenantYamlOptions): void;
  drop(name: string): void;
  /** `tenantctl <argv>` in-process against the same database, source and secrets. */
  cli(argv: string[], env?: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

export interface GitWorldOptions {
  env?: Record<string, string>;
  now?: () => number;
  /** The world's database (dropped on close), e.g. a copy of `createMigratedDatabase()`; a new one when absent. */
  database?: TestDatabase;
}

export async function createGitWorld(options: GitWorldOptions = {}): Promise<GitWorld> {
  const origin = createGitRepo();
  origin.commit('empty repository');
  const secretsDir = mkdtempSync(join(tmpdir(), 'oc-secrets-'));
  const env = { OPENCLAW_GIT_URL: origin.url, OPENCLAW_GIT_PATH: 'tenants/', OPENCLAW_GIT_INTERVAL: '1ms', ...options.env };
  const world = await createWorld({
    examples: false, provider: secretsOnlyProvider(secretsDir), extraEnv: env,
    ...(options.now ? { now: options.now } : {}), ...(options.database ? { database: options.database } : {}),
  });
  const admin = new pg.Client({ connectionString: world.db.url });
  await admin.connect();
  return {
    world, origin, admin, secretsDir,
    put: (name, yamlOptions) => origin.write(`tenants/${name}.yaml`, tenantYaml(name, yamlOptions)),
    drop: (name) => origin.remove(`tenants/${name}.yaml`),
    async cli(argv, extraEnv = {}) {
      let stdout = '';
      let stderr = '';
      cliOverrides.open = { provider: secretsOnlyProvider(secretsDir) };
      try {
        const code = await main(argv, {
          stdout: (text) => void (stdout += text),
          stderr: (text) => void (stderr += text),
          env: { DATABASE_URL: world.db.url, OPENCLAW_DATA_DIR: world.dataDir, OPENCLAW_LOG_LEVEL: 'error', ...env, ...extraEnv },
          cwd: origin.dir,
        });
        return { code, stdout, stderr };
      } finally {
        cliOverrides.open = undefined;
      }
    },
    async close() {
      await admin.end();
      await world.close();
      origin.close();
      rmSync(secretsDir, { recursive: true, force: true });
    },
  };
}

/**
 * A git world per test, for a file whose tests must not build on each other's commits: each
 * test's world starts on a copy of one migrated database (see `perTest`), with a repository of
 * its own. Call at the top of a `describe`.
 */
export function gitWorldPerTest(defaults: GitWorldOptions = {}): (options?: GitWorldOptions) => Promise<GitWorld> {
  return perTest((database, options: GitWorldOptions = {}) => createGitWorld({ ...defaults, ...options, env: { ...defaults.env, ...options.env }, database }));
}

export type DbState = 'active' | 'revoked' | 'gone';

/**
 * What PostgreSQL holds for a tenant: active (schema, runtime role that may log in),
 * revoked (schema kept, runtime role NOLOGIN without its schema), gone (neither schema nor roles:
 * never created, or purged).
 */
export async function dbState(admin: pg.Client, tenant: string): Promise<DbState> {
  const runtime = names.pgRuntimeRole(tenant);
  const { rows } = await admin.query<{ schema: boolean; roles: number; login: boolean | null; usage: boolean | null }>(
    `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS schema,
            (SELECT count(*)::int FROM pg_roles WHERE rolname IN ($2, $3)) AS roles,
            (SELECT rolcanlogin FROM pg_roles WHERE rolname = $2) AS login,
            CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $2) AND EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)
                 THEN has_schema_privilege($2, $1, 'USAGE') END AS usage`,
    [names.pgSchema(tenant), runtime, names.pgOwnerRole(tenant)],
  );
  const row = rows[0];
  if (!row.schema && row.roles === 0) return 'gone';
  if (row.schema && row.login && row.usage) return 'active';
  if (row.schema && row.login === false && row.usage === false) return 'revoked';
  throw new Error(`tenant ${tenant} is half-way: ${JSON.stringify(row)}`);
}

export async function dbStates(admin: pg.Client, tenants: readonly string[]): Promise<Record<string, DbState>> {
  const states: Record<string, DbState> = {};
  for (const tenant of tenants) states[tenant] = await dbState(admin, tenant);
  return states;
}

/** Rows that must survive offboarding: one in the tenant's own schema, one in a shared table. */
export async function writeTenantData(admin: pg.Client, tenant: string): Promise<void> {
  await admin.query(`INSERT INTO ${names.pgSchema(tenant)}.notes (title, body) VALUES ('kept', 'every byte')`);
  await admin.query(`INSERT INTO app.leads (tenant_id, name, company) VALUES ($1, 'Ada', 'Partner')`, [tenant]);
}

export async function tenantData(admin: pg.Client, tenant: string): Promise<{ notes: number | null; leads: number }> {
  const schema = await admin.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [names.pgSchema(tenant)]);
  const notes = schema.rowCount ? (await admin.query(`SELECT count(*)::int AS n FROM ${names.pgSchema(tenant)}.notes`)).rows[0].n as number : null;
  const leads = (await admin.query(`SELECT count(*)::int AS n FROM app.leads WHERE tenant_id = $1`, [tenant])).rows[0].n as number;
  return { notes, leads };
}

/** Can the tenant's runtime role open a session with the credentials the controller stored? */
export async function canLogIn(world: World, tenant: string): Promise<boolean> {
  const credentials = await world.ctx.provider.credentials.get(tenant);
  if (!credentials) return false;
  const url = new URL(world.db.url);
  url.username = credentials.username;
  url.password = encodeURIComponent(credentials.password);
  const client = new pg.Client({ connectionString: url.toString() });
  try {
    await client.connect();
    await client.query(`SELECT set_config('app.tenant_id', $1, false)`, [tenant]);
    await client.query(`SELECT count(*) FROM ${names.pgSchema(tenant)}.notes`);
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** The observed revision in each tenant's status. */
export async function observedRevisions(world: World, tenants: readonly string[]): Promise<Record<string, string | null>> {
  return Object.fromEntries(await Promise.all(tenants.map(async (t) => [t, (await world.ctx.store.status(t))?.observedRevision ?? null] as const)));
}
