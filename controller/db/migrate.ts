import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ControllerError } from '../../contract/errors.js';
import { withTransaction, type Pool } from './pool.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Versioned SQL files `NNNN_name.sql` from one folder of migrations/, in order. */
export async function readMigrations(set: 'controller' | 'tenant' | 'platform', dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const folder = join(dir, set);
  const files = (await readdir(folder)).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f)).sort();
  const migrations = await Promise.all(
    files.map(async (file) => ({ version: Number(file.slice(0, 4)), name: file.slice(5, -4), sql: await readFile(join(folder, file), 'utf8') })),
  );
  const versions = new Set<number>();
  for (const m of migrations) {
    if (versions.has(m.version)) throw new ControllerError('INTERNAL', `two ${set} migrations share version ${m.version}`);
    versions.add(m.version);
  }
  return migrations;
}

/**
 * Applies the pending migrations of one set in a single transaction, recording each in its
 * ledger table. A transaction-level advisory lock makes concurrent replicas migrate one at a time.
 */
async function migrateSet(pool: Pool, set: 'controller' | 'platform', ledger: string, log?: Logger, upTo = Infinity): Promise<number> {
  const migrations = (await readMigrations(set)).filter((m) => m.version <= upTo);
  return withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`openclaw.${set}-migrations`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS openclaw`);
    await client.query(`CREATE TABLE IF NOT EXISTS openclaw.${ledger} (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM openclaw.${ledger}`);
    const applied = new Set(rows.map((r) => r.version));
    let latest = Math.max(0, ...applied);
    for (const migration of migrations.filter((m) => !applied.has(m.version))) {
      await client.query(migration.sql);
      await client.query(`INSERT INTO openclaw.${ledger} (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
      log?.info({ version: migration.version, migration: migration.name }, `applied ${set} migration`);
      latest = Math.max(latest, migration.version);
    }
    return latest;
  });
}

/** The controller's own schema `openclaw`, migrated at start. */
export function migrateControllerSchema(pool: Pool, log?: Logger): Promise<number> {
  return migrateSet(pool, 'controller', 'schema_migrations', log);
}

/**
 * Fleet-wide structure (the shared tables in schema `app`). Row-level security on those
 * tables is not here: it is declared state that the postgres module restores on every pass.
 */
export function migratePlatform(pool: Pool, log?: Logger, upTo?: number): Promise<number> {
  return migrateSet(pool, 'platform', 'platform_migrations', log, upTo);
}
