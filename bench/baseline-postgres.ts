/** The naive PostgreSQL observation: one catalog query per tenant (the shared tables are fleet-wide in both designs). */
import { readMigrations } from '../controller/db/migrate.js';
import type { Pool } from '../controller/db/pool.js';
import { names } from '../contract/names.js';
import { createLogger } from '../contract/logger.js';
import { FINGERPRINT_TAG } from '../controller/providers/credentials.js';
import type { DbCredentialStore, SecretRecord } from '../controller/providers/types.js';
import { postgresModule } from '../controller/resources/postgres/index.js';
import { ROLE_COLUMNS } from '../controller/resources/postgres/observe.js';
import type { PgGrant, PgPlatformObserved, PgRole, PgTenantObserved } from '../controller/resources/postgres/model.js';

const TENANT_QUERY = `
  WITH r AS (
    SELECT ${ROLE_COLUMNS} FROM pg_roles r WHERE r.rolname IN ($1, $2))
  SELECT (SELECT coalesce(json_agg(r), '[]') FROM r) AS roles,
         (SELECT json_build_object('name', n.nspname, 'owner', pg_get_userbyid(n.nspowner)) FROM pg_namespace n WHERE n.nspname = $3) AS schema,
         (SELECT coalesce(json_agg(json_build_object('on', n.nspname, 'grantee', CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE g.rolname END, 'privilege', a.privilege_type)), '[]')
            FROM pg_namespace n, aclexplode(n.nspacl) a LEFT JOIN pg_roles g ON g.oid = a.grantee WHERE n.nspname = $3) AS grants,
         EXISTS (SELECT 1 FROM pg_database d, aclexplode(d.datacl) a JOIN pg_roles g ON g.oid = a.grantee
                  WHERE d.datname = current_database() AND a.privilege_type = 'CONNECT' AND g.rolname = $2) AS connect,
         (SELECT coalesce(max(version), 0)::int FROM openclaw.tenant_migrations WHERE tenant = $4) AS version`;

/** One tenant's roles, schema, grants, CONNECT and migration version; the fingerprint from its db secret's tags. */
export async function observeTenantCatalog(pool: Pool, tenant: string, dbSecret: SecretRecord | undefined): Promise<PgTenantObserved> {
  const owner = names.pgOwnerRole(tenant);
  const runtime = names.pgRuntimeRole(tenant);
  const { rows } = await pool.query<{ roles: PgRole[]; schema: { name: string; owner: string } | null; grants: PgGrant[]; connect: boolean; version: number }>(
    TENANT_QUERY, [owner, runtime, names.pgSchema(tenant), tenant],
  );
  const [row] = rows;
  const fingerprint = dbSecret && dbSecret.deletedAt === undefined ? dbSecret.tags[FINGERPRINT_TAG] : undefined;
  return {
    ...(row.schema ? { schema: row.schema } : {}),
    owner: row.roles.find((r) => r.name === owner),
    runtime: row.roles.find((r) => r.name === runtime),
    schemaGrants: row.grants,
    runtimeForeignGrants: [],
    runtimeHasConnect: row.connect,
    migrationVersion: row.version,
    ...(fingerprint ? { storedFingerprint: fingerprint } : {}),
  };
}

/**
 * The shared tables' row-level security, observed by the controller's own module (fleet-wide, once a
 * pass, in both designs). Its credential store is a stub: the naive design reads fingerprints per tenant.
 */
export async function platformObserver(pool: Pool): Promise<(tenants: readonly string[]) => Promise<PgPlatformObserved>> {
  const credentials = { fingerprints: async () => new Map<string, string>() } as unknown as DbCredentialStore;
  const module = postgresModule({ pool, credentials, migrations: await readMigrations('tenant') });
  const ctx = { log: createLogger({ level: 'silent' }), now: Date.now };
  return async () => {
    const { fleet } = await module.observe([], ctx);
    if (!fleet) throw new Error('the postgres module observed no shared tables');
    return fleet;
  };
}
