import { chmodSync, cpSync, mkdtempSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { createLogger } from '../../contract/logger.js';
import { openController, type ControllerContext, type OpenOptions } from '../../controller/main.js';
import { createStatementCounter, type StatementCounter } from '../../controller/db/pool.js';
import { perTestCopy } from './per-test.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

export const EXAMPLES_DIR = new URL('../../tenants/', import.meta.url).pathname;

export interface World {
  ctx: ControllerContext;
  db: TestDatabase;
  dataDir: string;
  tenantsDir: string;
  counter: StatementCounter;
  /** Every log line the controller wrote, as parsed JSON. */
  logLines: string[];
  writeTenant(file: string, yaml: string): void;
  removeTenant(file: string): void;
  /** A pass as `tenantctl apply` runs it. */
  pass(): Promise<import('../../controller/engine/reconciler.js').PassReport>;
  reopen(overrides?: Partial<OpenOptions>): Promise<ControllerContext>;
  close(): Promise<void>;
}

export interface WorldOptions extends Partial<OpenOptions> {
  /** Copy the example tenants into the world's manifest directory (default true). */
  examples?: boolean;
  extraEnv?: Record<string, string>;
  /** A database prepared by the test (e.g. migrated to an older version and populated); dropped on close. */
  database?: TestDatabase;
}

/** A controller on a real, private PostgreSQL database with its own data and manifest directories. */
export async function createWorld(options: WorldOptions = {}): Promise<World> {
  const db = options.database ?? (await createTestDatabase('world'));
  const root = mkdtempSync(join(tmpdir(), 'openclaw-world-'));
  // As root, local agents run as their tenant's own user, which must pass through (not list) this folder.
  chmodSync(root, 0o711);
  const dataDir = join(root, 'data');
  const tenantsDir = join(root, 'tenants');
  cpSync(EXAMPLES_DIR, tenantsDir, { recursive: true, filter: (src) => options.examples === false ? !src.endsWith('.yaml') : true });
  const logLines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { logLines.push(...String(chunk).split('\n').filter(Boolean)); done(); } });
  const counter = createStatementCounter();
  const env = {
    DATABASE_URL: db.url,
    OPENCLAW_TENANTS_DIR: tenantsDir,
    OPENCLAW_DATA_DIR: dataDir,
    OPENCLAW_LOG_LEVEL: 'debug',
    OPENCLAW_BACKOFF_BASE: '1ms',
    OPENCLAW_BACKOFF_MAX: '2ms',
    ...options.extraEnv,
  };
  const open = (overrides: Partial<OpenOptions> = {}) =>
    openController({ log: createLogger({ level: 'debug', destination: sink }), counter, ...options, ...overrides, env: { ...env, ...overrides.env } });
  let ctx = await open();
  const world: World = {
    get ctx() { return ctx; },
    db, dataDir, tenantsDir, counter, logLines,
    writeTenant: (file, yaml) => writeFileSync(join(tenantsDir, file), yaml),
    removeTenant: (file) => rmSync(join(tenantsDir, file)),
    async pass() {
      await ctx.loop.refreshSource();
      const report = await ctx.loop.pass();
      if (!report) throw new Error('no valid revision to apply');
      return report;
    },
    async reopen(overrides = {}) {
      await ctx.close();
      ctx = await open(overrides);
      return ctx;
    },
    async close() {
      await ctx.close();
      await db.drop();
      rmSync(root, { recursive: true, force: true });
    },
  };
  return world;
}

/**
 * A database as a freshly opened controller leaves it (migrated, no tenant yet), to copy with
 * `createTestDatabase(prefix, { template })`: a world started from a copy skips the migrations.
 * With `fleet`, after a first pass over no tenant too: the fleet-wide resources (shared tables'
 * row security, grants) are in place, and a copy's first pass has only its tenants to apply.
 */
export function createMigratedDatabase(options: Partial<OpenOptions> & { fleet?: boolean } = {}): Promise<TestDatabase> {
  const { fleet, ...open } = options;
  return createTemplateDatabase(async (opened) => {
    if (!fleet) return;
    // A source's empty revision is never applied (it could delete every tenant): plan one directly.
    const report = await opened.ctx.reconciler.apply(await opened.ctx.reconciler.plan({ revision: 'fleet-only', tenants: [], issues: [], fileCount: 0 }));
    if (report.fleet.error) throw new Error(`the fleet-wide resources could not be applied: ${report.fleet.error.message}`);
  }, { ...open, examples: false });
}

/**
 * A database as `prepare` leaves it in a world opened on it (migrated first), with that world's
 * controller closed, to be the template of `createTestDatabase(prefix, { template })`.
 */
export async function createTemplateDatabase(prepare: (world: World) => Promise<void>, options: Omit<WorldOptions, 'database'> = {}): Promise<TestDatabase> {
  const template = await createTestDatabase('template');
  const opened = await createWorld({ ...options, database: template });
  await prepare(opened);
  await opened.ctx.close();
  rmSync(dirname(opened.dataDir), { recursive: true, force: true });
  return template;
}

/**
 * Something a test opens on a database of its own (see `perTestCopy`): a copy of one migrated
 * database whose fleet-wide resources are applied. Call at the top of a `describe`.
 */
export function perTest<A extends unknown[], T extends { close(): Promise<void> }>(open: (database: TestDatabase, ...args: A) => Promise<T>): (...args: A) => Promise<T> {
  return perTestCopy(() => createMigratedDatabase({ fleet: true }), open);
}

/** A starter tenant's manifest, the least a valid one holds; `spec` adds lines under `spec:` (indented by two). */
export function starterYaml(name: string, spec = ''): string {
  return `apiVersion: openclaw.io/v1alpha1
kind: Tenant
metadata:
  name: ${name}
spec:
  displayName: ${name}
  contact:
    email: ops@${name}.example
  tier: starter
${spec}`;
}

export function exampleTenantFiles(): string[] {
  return readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.yaml'));
}

/** A session as the tenant's runtime role (its credentials from the db secret), optionally with `app.tenant_id` set. */
export async function runtimeClient(world: World, tenant: string, options: { setting?: string } = {}): Promise<pg.Client> {
  const credentials = await world.ctx.provider.credentials.get(tenant);
  const url = new URL(world.db.url);
  url.username = credentials!.username;
  url.password = encodeURIComponent(credentials!.password);
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  if (options.setting !== undefined) await client.query(`SELECT set_config('app.tenant_id', $1, false)`, [options.setting]);
  return client;
}
