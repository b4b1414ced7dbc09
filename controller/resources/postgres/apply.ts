import { withTransaction, type Pool, type PoolClient } from '../../db/pool.js';
import { quoteIdent, quoteLiteral } from '../../../contract/sql.js';
import type { Migration } from '../../db/migrate.js';
import { scramSha256Verifier } from '../../db/scram.js';
import { names } from '../../../contract/names.js';
import { applyLimits } from './limits.js';
import { detailOf, type Change, type FleetChange } from '../../engine/types.js';
import { ProgrammingError, systemErrorCode } from '../../../contract/errors.js';
import type { DbCredentialStore } from '../../providers/types.js';
import { ISOLATION_EXPRESSION, ISOLATION_POLICY, POOL_ROLE, RUNTIME_GROUP, SHARED_SCHEMA, TENANT_SETTING, parseRoleComment, roleComment, type PgDetail, type PgFleetDetail } from './model.js';

export interface PostgresApplyDeps {
  pool: Pool;
  credentials: DbCredentialStore;
  migrations: Migration[];
}

const grantee = (name: string) => (name === 'PUBLIC' ? 'PUBLIC' : quoteIdent(name));

/** Executes one create/update change, in one transaction. Every statement is safe to repeat. */
export async function applyPostgresChange(change: Change<PgDetail>, deps: PostgresApplyDeps): Promise<void> {
  const detail = detailOf(change);
  const tenant = change.tenant;
  if (detail.op === 'migrations') return applyMigrations(tenant, deps);
  // Credentials are made durable in the secret store before any role is given them.
  const credentials = detail.op === 'runtime-role' && (change.action === 'create' || change.fields.includes('password'))
    ? await deps.credentials.ensure(tenant, detail.role)
    : undefined;
  await withTransaction(deps.pool, async (client) => {
    switch (detail.op) {
      case 'owner-role': {
        const name = detail.role;
        await createRole(client, name, `NOLOGIN NOINHERIT NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB`);
        await client.query(`COMMENT ON ROLE ${quoteIdent(name)} IS ${quoteLiteral(roleComment(tenant))}`);
        // Lets a controller that is not a superuser (RDS) create the schema on the owner's behalf.
        await client.query(`GRANT ${quoteIdent(name)} TO CURRENT_USER`);
        return;
      }
      case 'revoke-access':
        return revokeAccess(client, tenant, detail.memberOf);
      case 'runtime-role': {
        const name = detail.role;
        const flags = 'LOGIN INHERIT NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB NOREPLICATION';
        if (change.action === 'create') await createRole(client, name, flags);
        // Repairing an interrupted rotation may find the role already on the stored password: leave
        // it, and the sessions it has, alone.
        const current = change.action === 'update' && credentials ? parseRoleComment((await client.query<{ comment: string | null }>(
          `SELECT shobj_description(oid, 'pg_authid') AS comment FROM pg_roles WHERE rolname = $1`, [name])).rows[0]?.comment ?? null).fingerprint : undefined;
        const password = credentials && current !== credentials.fingerprint ? credentials : undefined;
        // The server receives a SCRAM verifier, never the password (statement logs, pg_stat_statements).
        await client.query(`ALTER ROLE ${quoteIdent(name)} ${flags}${password ? ` PASSWORD ${quoteLiteral(scramSha256Verifier(password.password))}` : ''}`);
        if (password) {
          // Last in the transaction: sessions that started before this moment used the previous password.
          const { rows } = await client.query<{ at: string }>(`SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint::text AS at`);
          await client.query(`COMMENT ON ROLE ${quoteIdent(name)} IS ${quoteLiteral(roleComment(tenant, password.fingerprint, Number(rows[0].at)))}`);
        }
        await client.query(`GRANT ${quoteIdent(name)} TO CURRENT_USER`);
        return;
      }
      case 'limits':
        return applyLimits(client, detail);
      case 'end-sessions':
        // Sessions opened with a password the role no longer has, once the rotation's grace is over.
        await client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1 AND backend_start < to_timestamp($2::bigint / 1000.0)`,
          [detail.role, String(detail.startedBefore)]);
        return;
      case 'schema': {
        const schema = quoteIdent(detail.schema);
        const owner = quoteIdent(names.pgOwnerRole(tenant));
        const runtime = quoteIdent(names.pgRuntimeRole(tenant));
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema} AUTHORIZATION ${owner}`);
        await client.query(`REVOKE ALL ON SCHEMA ${schema} FROM PUBLIC`);
        await client.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA ${schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${runtime}`);
        await client.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA ${schema} GRANT USAGE, SELECT ON SEQUENCES TO ${runtime}`);
        return;
      }
      case 'move-out':
      case 'move-in':
        return moveRows(client, tenant, detail.op, detail.schema);
      case 'placement':
        await recordPlacement(client, tenant, 'pool');
        return;
      case 'grants': {
        const runtime = quoteIdent(detail.role);
        const database = await lockDatabaseAcl(client);
        await client.query(`GRANT CONNECT ON DATABASE ${quoteIdent(database)} TO ${runtime}`);
        await client.query(`GRANT USAGE ON SCHEMA ${quoteIdent(names.pgSchema(tenant))} TO ${runtime}`);
        await client.query(`GRANT ${quoteIdent(RUNTIME_GROUP)} TO ${runtime}`);
        for (const grant of detail.revokeSchemaGrants) {
          await client.query(`REVOKE ${grant.privilege === 'CREATE' ? 'CREATE' : 'USAGE'} ON SCHEMA ${quoteIdent(names.pgSchema(tenant))} FROM ${grantee(grant.grantee)}`);
        }
        for (const role of detail.revokeMemberships) {
          await client.query(`REVOKE ${quoteIdent(role)} FROM ${runtime}`);
        }
        return;
      }
      default:
        throw new ProgrammingError(`postgres: ${detail.op} is not applied by a ${change.action} (${change.resource})`);
    }
  });
  // A rotation interrupted after its tag was written leaves a tag that is not the value's: set it back.
  if (credentials && change.action === 'update') await deps.credentials.confirm(tenant, credentials.fingerprint);
}

/** Executes one delete change (a purge after the tenant's grace period). */
export async function deletePostgresChange(change: Change<PgDetail>, deps: PostgresApplyDeps): Promise<void> {
  const detail = detailOf(change);
  const tenant = change.tenant;
  await withTransaction(deps.pool, async (client) => {
    switch (detail.op) {
      case 'drop-schema': {
        if (detail.purgeSharedRows) await purgeSharedRows(client, tenant);
        await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(detail.schema)} CASCADE`);
        await client.query('DELETE FROM openclaw.tenant_migrations WHERE tenant = $1', [tenant]);
        return;
      }
      case 'drop-role': {
        const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [detail.role]);
        if (exists.rowCount === 0) return;
        await client.query(`DROP OWNED BY ${quoteIdent(detail.role)}`);
        await client.query(`DROP ROLE ${quoteIdent(detail.role)}`);
        return;
      }
      case 'purge-pooled-rows':
        await purgePooledRows(client, tenant);
        await client.query('DELETE FROM openclaw.tenant_placements WHERE tenant = $1', [tenant]);
        return;
      default:
        throw new ProgrammingError(`postgres: ${detail.op} is not a deletion (${change.resource})`);
    }
  });
}

/**
 * The database's ACL is one catalog row: concurrent GRANT/REVOKE CONNECT from tenants
 * reconciled in parallel would fail with "tuple concurrently updated". Serialize them.
 */
async function lockDatabaseAcl(client: PoolClient): Promise<string> {
  await client.query(`SELECT pg_advisory_xact_lock(hashtext('openclaw.database-acl'))`);
  return (await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0].db;
}

async function createRole(client: PoolClient, name: string, flags: string): Promise<void> {
  // A crash after a previous CREATE ROLE committed leaves the role in place: carry on.
  await client.query('SAVEPOINT create_role');
  try {
    await client.query(`CREATE ROLE ${quoteIdent(name)} ${flags}`);
  } catch (error) {
    if (systemErrorCode(error) !== '42710') throw error;
    await client.query('ROLLBACK TO SAVEPOINT create_role');
  }
}

async function revokeAccess(client: PoolClient, tenant: string, memberOf: string[]): Promise<void> {
  const runtime = quoteIdent(names.pgRuntimeRole(tenant));
  const database = await lockDatabaseAcl(client);
  await client.query(`ALTER ROLE ${runtime} NOLOGIN`);
  await client.query(`REVOKE CONNECT ON DATABASE ${quoteIdent(database)} FROM ${runtime}`);
  const schema = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [names.pgSchema(tenant)]);
  if (schema.rowCount) await client.query(`REVOKE ALL ON SCHEMA ${quoteIdent(names.pgSchema(tenant))} FROM ${runtime}`);
  for (const role of memberOf) await client.query(`REVOKE ${quoteIdent(role)} FROM ${runtime}`);
  // Open sessions keep working after NOLOGIN; end them so access is revoked now.
  await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [names.pgRuntimeRole(tenant)]);
}

/** Deletes the tenant's rows in every shared table, acting as the tenant's own runtime role so RLS scopes it. */
async function purgeSharedRows(client: PoolClient, tenant: string): Promise<void> {
  const runtime = names.pgRuntimeRole(tenant);
  const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [runtime]);
  if (exists.rowCount === 0) return;
  await client.query(`GRANT ${quoteIdent(RUNTIME_GROUP)} TO ${quoteIdent(runtime)}`);
  await client.query(`SELECT set_config($1, $2, true)`, [TENANT_SETTING, tenant]);
  await client.query(`SET LOCAL ROLE ${quoteIdent(runtime)}`);
  await deleteSharedRows(client, tenant);
  await client.query('RESET ROLE');
}

/** Deletes the tenant's rows in every shared table, as whatever role the session acts as (RLS scopes it). */
async function deleteSharedRows(client: PoolClient, tenant: string): Promise<void> {
  const tables = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r','p')
        AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)`,
    [SHARED_SCHEMA],
  );
  // Children first: lead_events references leads.
  for (const table of tables.rows.map((t) => t.name).sort((a, b) => (a === 'leads' ? 1 : b === 'leads' ? -1 : a.localeCompare(b)))) {
    await client.query(`DELETE FROM ${quoteIdent(SHARED_SCHEMA)}.${quoteIdent(table)} WHERE tenant_id = $1`, [tenant]);
  }
}

async function recordPlacement(client: PoolClient, tenant: string, isolation: 'silo' | 'pool'): Promise<void> {
  await client.query(
    `INSERT INTO openclaw.tenant_placements (tenant, isolation) VALUES ($1, $2)
     ON CONFLICT (tenant) DO UPDATE SET isolation = EXCLUDED.isolation, moved_at = now()`, [tenant, isolation]);
}

/**
 * A tier change moves the tenant's private rows, in one transaction with its placement record, so it is
 * either done or not (a crash anywhere leaves the previous state, and the next pass plans the move again).
 * Acting as the tenant's runtime role with its id set, RLS admits exactly its rows in the shared tables.
 * move-out (silo → pool): schema rows → shared tables, then the schema is dropped. move-in: the reverse.
 */
async function moveRows(client: PoolClient, tenant: string, direction: 'move-out' | 'move-in', schemaName: string): Promise<void> {
  const schema = quoteIdent(schemaName);
  const runtime = quoteIdent(names.pgRuntimeRole(tenant));
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`openclaw.tenant-migrations.${tenant}`]);
  await client.query(`SELECT set_config($1, $2, true)`, [TENANT_SETTING, tenant]);
  await client.query(`SET LOCAL ROLE ${runtime}`);
  for (const table of PRIVATE_TABLES) {
    const columns = table.columns.map(quoteIdent).join(', ');
    const shared = `${quoteIdent(SHARED_SCHEMA)}.${quoteIdent(table.name)}`;
    const own = `${schema}.${quoteIdent(table.name)}`;
    if (direction === 'move-out') {
      await client.query(`INSERT INTO ${shared} (tenant_id, ${columns}) SELECT $1, ${columns} FROM ${own}`, [tenant]);
    } else {
      await client.query(`INSERT INTO ${own} (${columns}) SELECT ${columns} FROM ${shared} WHERE tenant_id = $1`, [tenant]);
      await client.query(`DELETE FROM ${shared} WHERE tenant_id = $1`, [tenant]);
    }
  }
  await client.query('RESET ROLE');
  if (direction === 'move-out') {
    await client.query(`DROP SCHEMA ${schema} CASCADE`);
    await client.query('DELETE FROM openclaw.tenant_migrations WHERE tenant = $1', [tenant]);
  }
  await recordPlacement(client, tenant, direction === 'move-out' ? 'pool' : 'silo');
}

/**
 * The tables a silo tenant keeps in its own schema (migrations/tenant) and a pooled one in the shared
 * tables (platform migration 30), with the columns a move carries (ids are the destination's own).
 */
export const PRIVATE_TABLES: readonly { name: string; columns: readonly string[] }[] = [
  { name: 'notes', columns: ['title', 'body', 'created_at'] },
  { name: 'settings', columns: ['key', 'value', 'updated_at'] },
  { name: 'digests', columns: ['run_id', 'for_date', 'item_count', 'object_key', 'created_at', 'recipients', 'message_id', 'delivered_to', 'sent_at'] },
];

/** A pooled tenant's rows in every shared table, erased acting as the pool bound to it, so RLS scopes the delete. */
async function purgePooledRows(client: PoolClient, tenant: string): Promise<void> {
  await client.query(
    `INSERT INTO app_private.pool_sessions (pid, backend_start, tenant, run_id)
     SELECT pid, backend_start, $1, 'purge' FROM pg_stat_activity WHERE pid = pg_backend_pid()
     ON CONFLICT (pid, backend_start) DO UPDATE SET tenant = EXCLUDED.tenant`, [tenant]);
  await client.query(`SET LOCAL ROLE ${quoteIdent(POOL_ROLE)}`);
  await deleteSharedRows(client, tenant);
  await client.query('RESET ROLE');
  await client.query('DELETE FROM app_private.pool_sessions WHERE pid = pg_backend_pid()');
}

/** Executes one change to the shared tables: the runtime group's schema usage, or a table's RLS and grants. */
export async function applySharedTable(change: FleetChange<PgFleetDetail>, pool: Pool): Promise<void> {
  const detail = detailOf(change);
  if (detail.op === 'schema-usage') {
    await pool.query(`GRANT USAGE ON SCHEMA ${quoteIdent(SHARED_SCHEMA)} TO ${quoteIdent(RUNTIME_GROUP)}`);
    return;
  }
  const table = `${quoteIdent(SHARED_SCHEMA)}.${quoteIdent(detail.table)}`;
  await withTransaction(pool, async (client) => {
    await client.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
    await client.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
    if (change.fields.includes('policy')) {
      await client.query(`DROP POLICY IF EXISTS ${quoteIdent(ISOLATION_POLICY)} ON ${table}`);
      await client.query(`CREATE POLICY ${quoteIdent(ISOLATION_POLICY)} ON ${table} AS PERMISSIVE FOR ALL TO PUBLIC USING ${ISOLATION_EXPRESSION} WITH CHECK ${ISOLATION_EXPRESSION}`);
    }
    // No sequence privileges: ids come from identity columns, which INSERT uses without them.
    await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO ${quoteIdent(RUNTIME_GROUP)}`);
  });
}

/** Pending tenant-schema migrations, all in one transaction for this tenant, recorded in the ledger. */
async function applyMigrations(tenant: string, deps: PostgresApplyDeps): Promise<void> {
  const schema = quoteIdent(names.pgSchema(tenant));
  await withTransaction(deps.pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`openclaw.tenant-migrations.${tenant}`]);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM openclaw.tenant_migrations WHERE tenant = $1', [tenant]);
    const applied = new Set(rows.map((r) => r.version));
    for (const migration of deps.migrations.filter((m) => !applied.has(m.version))) {
      await client.query(`SET LOCAL search_path TO ${schema}`);
      await client.query(`SET LOCAL ROLE ${quoteIdent(names.pgOwnerRole(tenant))}`);
      await client.query(migration.sql);
      await client.query('RESET ROLE');
      await client.query('RESET search_path');
      await client.query('INSERT INTO openclaw.tenant_migrations (tenant, version, name) VALUES ($1, $2, $3)', [tenant, migration.version, migration.name]);
    }
  });
}
