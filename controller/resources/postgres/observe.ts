import { ISOLATIONS, type Isolation } from '../../../contract/catalog.js';
import { sharingBy } from '../../../contract/sharing.js';
import type { Pool } from '../../db/pool.js';
import { names } from '../../../contract/names.js';
import type { DbCredentialStore } from '../../providers/types.js';
import { ISOLATION_EXPRESSION, RUNTIME_GROUP, SHARED_SCHEMA, type PgGrant, type PgPlatformObserved, type PgRole, type PgTenantObserved } from './model.js';

const TENANT_LIKE = `tenant\\_%`;

/** A role as PgRole reads it, from `pg_roles r`: every attribute the diff compares, limits included. */
export const ROLE_COLUMNS = `r.rolname AS name, r.rolcanlogin AS login, r.rolsuper AS superuser, r.rolbypassrls AS bypassrls,
       r.rolcreaterole AS createrole, r.rolcreatedb AS createdb,
       shobj_description(r.oid, 'pg_authid') AS comment,
       coalesce(array(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid ORDER BY 1), '{}'::text[]) AS "memberOf",
       r.rolconnlimit AS "connectionLimit", (SELECT c FROM unnest(r.rolconfig) c WHERE c LIKE 'statement\\_timeout=%' LIMIT 1) AS "statementTimeout"`;

/**
 * One pass of catalog reads for every tenant: a fixed number of queries on pg_catalog
 * (roles, schemas with their grants, the database's CONNECT grants, the migration
 * ledger, the shared tables), whatever the number of tenants.
 */
/** What a read-only plan may observe: the ledger and the shared tables only once they exist, the policy text only as recorded. */
export interface ReadOnlyObservation {
  ledger: boolean;
  platform: boolean;
  canonicalPolicy?: string;
}

/**
 * Which tenants the catalog queries read: every `tenant_%` name (a pass of the fleet), or only the
 * names of a few tenants (a pass of those), so that one change does not read the whole catalog.
 */
interface CatalogScope {
  /** Bound as $1: a LIKE pattern, or the tenants' role, schema or tenant names. */
  roles: string | string[];
  schemas: string | string[];
  runtimes: string | string[];
  tenants?: string[];
}

function catalogScope(tenants: readonly string[] | undefined): CatalogScope {
  if (!tenants) return { roles: TENANT_LIKE, schemas: TENANT_LIKE, runtimes: TENANT_LIKE };
  return {
    roles: tenants.flatMap((t) => [names.pgOwnerRole(t), names.pgRuntimeRole(t)]),
    schemas: tenants.map((t) => names.pgSchema(t)),
    runtimes: tenants.map((t) => names.pgRuntimeRole(t)),
    tenants: [...tenants],
  };
}

/** `LIKE $n` for the fleet's pattern, `= ANY($n)` for a list of names. */
const matches = (column: string, bound: string | string[], n: number) => (Array.isArray(bound) ? `${column} = ANY($${n}::text[])` : `${column} LIKE $${n}`);

export async function observePostgres(pool: Pool, credentials: DbCredentialStore, tenants: readonly string[], readOnly?: ReadOnlyObservation): Promise<{ tenants: Map<string, PgTenantObserved>; platform: PgPlatformObserved }> {
  const [observed, platform] = await Promise.all([
    observeTenants(pool, credentials, tenants, catalogScope(undefined), readOnly),
    readOnly && !readOnly.platform
      ? { tables: [], runtimeGroupHasUsage: true }
      : observePlatform(pool, readOnly ? readOnly.canonicalPolicy : await canonicalIsolationPolicy(pool)),
  ]);
  return { tenants: observed, platform };
}

/**
 * A few tenants only, for a pass of those: the same catalog queries restricted to their names (a
 * runtime role's grants on other tenants' schemas included), their own db secrets' fingerprints, and
 * no shared tables (planned in every full pass).
 */
export async function observePostgresFew(pool: Pool, credentials: DbCredentialStore, tenants: readonly string[], readOnly?: ReadOnlyObservation): Promise<Map<string, PgTenantObserved>> {
  return observeTenants(pool, credentials, tenants, catalogScope(tenants), readOnly);
}

async function observeTenants(pool: Pool, credentials: DbCredentialStore, tenants: readonly string[], scope: CatalogScope, readOnly?: ReadOnlyObservation): Promise<Map<string, PgTenantObserved>> {
  const [roles, schemas, connect, ledger, fingerprints, sessions, placements] = await Promise.all([
    pool.query<PgRole>(
      `SELECT ${ROLE_COLUMNS} FROM pg_roles r WHERE ${matches('r.rolname', scope.roles, 1)}`,
      [scope.roles],
    ),
    pool.query<{ name: string; owner: string; grantee: string | null; privilege: string | null }>(
      `SELECT n.nspname AS name, pg_get_userbyid(n.nspowner) AS owner,
              CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE g.rolname END AS grantee, a.privilege_type AS privilege
         FROM pg_namespace n
         LEFT JOIN LATERAL aclexplode(n.nspacl) a ON true
         LEFT JOIN pg_roles g ON g.oid = a.grantee
        WHERE n.nspname LIKE $1 AND (${matches('n.nspname', scope.schemas, 2)} OR ${matches('g.rolname', scope.runtimes, 3)})`,
      [TENANT_LIKE, scope.schemas, scope.runtimes],
    ),
    pool.query<{ grantee: string }>(
      `SELECT g.rolname AS grantee FROM pg_database d, aclexplode(d.datacl) a JOIN pg_roles g ON g.oid = a.grantee
        WHERE d.datname = current_database() AND a.privilege_type = 'CONNECT' AND ${matches('g.rolname', scope.runtimes, 1)}`,
      [scope.runtimes],
    ),
    readOnly && !readOnly.ledger
      ? { rows: [] }
      : scope.tenants
        ? pool.query<{ tenant: string; version: number }>(`SELECT tenant, max(version)::int AS version FROM openclaw.tenant_migrations WHERE tenant = ANY($1::text[]) GROUP BY tenant`, [scope.tenants])
        : pool.query<{ tenant: string; version: number }>(`SELECT tenant, max(version)::int AS version FROM openclaw.tenant_migrations GROUP BY tenant`),
    credentials.fingerprints(scope.tenants),
    // Sessions of runtime roles, to end those that outlive a rotation's grace. The server's clock on both sides.
    pool.query<{ role: string | null; oldest: string | null; now: string }>(
      `SELECT s.usename AS role, (extract(epoch FROM min(s.backend_start)) * 1000)::bigint::text AS oldest,
              (extract(epoch FROM clock_timestamp()) * 1000)::bigint::text AS now
         FROM (SELECT 1) one LEFT JOIN pg_stat_activity s ON ${matches('s.usename', scope.runtimes, 1)}
        GROUP BY s.usename`,
      [scope.runtimes],
    ),
    observePlacements(pool, readOnly),
  ]);

  const roleByName = new Map(roles.rows.map((r) => [r.name, r]));
  const schemaByName = new Map<string, { name: string; owner: string }>();
  const grantsBySchema = new Map<string, PgGrant[]>();
  const grantsByGrantee = new Map<string, PgGrant[]>();
  for (const row of schemas.rows) {
    schemaByName.set(row.name, { name: row.name, owner: row.owner });
    if (!row.grantee || !row.privilege) continue;
    const grant = { on: row.name, grantee: row.grantee, privilege: row.privilege };
    grantsBySchema.set(row.name, [...(grantsBySchema.get(row.name) ?? []), grant]);
    grantsByGrantee.set(row.grantee, [...(grantsByGrantee.get(row.grantee) ?? []), grant]);
  }
  const connectGrantees = new Set(connect.rows.map((r) => r.grantee));
  const versions = new Map(ledger.rows.map((r) => [r.tenant, r.version]));
  const oldestSession = new Map(sessions.rows.filter((r) => r.role && r.oldest).map((r) => [r.role!, Number(r.oldest)]));
  const observedAt = Number(sessions.rows[0].now);

  const result = new Map<string, PgTenantObserved>();
  const bare = sharingBy<PgTenantObserved>((o) => `${o.migrationVersion}/${o.placement ?? ''}`);
  for (const tenant of tenants) {
    const schema = names.pgSchema(tenant);
    const runtime = names.pgRuntimeRole(tenant);
    const foreign = grantsByGrantee.get(runtime)?.filter((g) => g.on !== schema);
    const observed: PgTenantObserved = {
      schema: schemaByName.get(schema),
      owner: roleByName.get(names.pgOwnerRole(tenant)),
      runtime: roleByName.get(runtime),
      schemaGrants: grantsBySchema.get(schema) ?? NO_GRANTS,
      runtimeForeignGrants: foreign && foreign.length > 0 ? foreign : NO_GRANTS,
      runtimeHasConnect: connectGrantees.has(runtime),
      migrationVersion: versions.get(tenant) ?? 0,
      storedFingerprint: fingerprints.get(tenant),
      ...(oldestSession.has(runtime) ? { oldestSession: oldestSession.get(runtime) } : {}),
      observedAt,
      ...(placements.has(tenant) ? { placement: placements.get(tenant) } : {}),
    };
    result.set(tenant, isBare(observed) ? bare(observed) : observed);
  }
  return result;
}

const NO_GRANTS: readonly PgGrant[] = Object.freeze([]);

/**
 * Pure: nothing of the tenant's own in the catalog (no schema, role, grant or session, no db secret),
 * as for every pooled tenant. Such observations differ only by the tenant's ledger version and
 * placement, so the fleet's share a handful of frozen instances.
 */
function isBare(observed: PgTenantObserved): boolean {
  return !observed.schema && !observed.owner && !observed.runtime && observed.schemaGrants.length === 0 && observed.runtimeForeignGrants.length === 0 &&
    !observed.runtimeHasConnect && observed.storedFingerprint === undefined && observed.oldestSession === undefined;
}

/** Where each tenant's private rows live, as the last move recorded (a read-only plan against an older controller schema sees none). */
async function observePlacements(pool: Pool, readOnly?: ReadOnlyObservation): Promise<Map<string, Isolation>> {
  if (readOnly) {
    const exists = await pool.query<{ found: boolean }>(`SELECT to_regclass('openclaw.tenant_placements') IS NOT NULL AS found`);
    if (!exists.rows[0].found) return new Map();
  }
  const { rows } = await pool.query<{ tenant: string; isolation: string }>('SELECT tenant, isolation FROM openclaw.tenant_placements');
  // The model's own constant, not the driver's copy of it a row.
  return new Map(rows.flatMap((r) => ISOLATIONS.filter((model) => model === r.isolation).map((model) => [r.tenant, model] as const)));
}

let canonicalPolicy: string | undefined;

/** The isolation expression as this server deparses it (found once per process; needs a temporary table, so never in a read-only plan). */
export async function canonicalIsolationPolicy(pool: Pool): Promise<string> {
  return canonicalPolicy ??= await deparsePolicy(pool);
}

async function observePlatform(pool: Pool, canonical: string | undefined): Promise<PgPlatformObserved> {
  const tables = await pool.query<{
    name: string; rowSecurity: boolean; forceRowSecurity: boolean; runtimeGroupHasDml: boolean;
    using: string | null; check: string | null; permissive: string | null; command: string | null; roles: string[] | null;
  }>(
    `SELECT c.relname AS name, c.relrowsecurity AS "rowSecurity", c.relforcerowsecurity AS "forceRowSecurity",
            (has_table_privilege('${RUNTIME_GROUP}', c.oid, 'SELECT') AND has_table_privilege('${RUNTIME_GROUP}', c.oid, 'INSERT') AND
             has_table_privilege('${RUNTIME_GROUP}', c.oid, 'UPDATE') AND has_table_privilege('${RUNTIME_GROUP}', c.oid, 'DELETE')) AS "runtimeGroupHasDml",
            p.qual AS using, p.with_check AS check, p.permissive, p.cmd AS command, p.roles::text[] AS roles
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_policies p ON p.schemaname = n.nspname AND p.tablename = c.relname AND p.policyname = 'tenant_isolation'
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
        AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
      ORDER BY c.relname`,
    [SHARED_SCHEMA],
  );
  const usage = await pool.query<{ usage: boolean }>(`SELECT has_schema_privilege('${RUNTIME_GROUP}', $1, 'USAGE') AS usage`, [SHARED_SCHEMA]);
  return {
    runtimeGroupHasUsage: usage.rows[0].usage,
    ...(canonical !== undefined ? { canonicalPolicy: canonical } : {}),
    tables: tables.rows.map((t) => ({
      name: t.name,
      rowSecurity: t.rowSecurity,
      forceRowSecurity: t.forceRowSecurity,
      runtimeGroupHasDml: t.runtimeGroupHasDml,
      policy: t.using === null && t.check === null && t.command === null ? undefined : { using: t.using, check: t.check, permissive: t.permissive === 'PERMISSIVE', command: t.command ?? '', roles: t.roles ?? [] },
    })),
  };
}

/** How this server prints the isolation expression: create the policy on a temporary table, read it back, roll back. */
async function deparsePolicy(pool: Pool): Promise<string> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('CREATE TEMPORARY TABLE openclaw_policy_probe (tenant_id text) ON COMMIT DROP');
    await client.query(`CREATE POLICY probe ON openclaw_policy_probe USING ${ISOLATION_EXPRESSION}`);
    const { rows } = await client.query<{ qual: string }>(`SELECT qual FROM pg_policies WHERE tablename = 'openclaw_policy_probe' AND policyname = 'probe'`);
    return rows[0].qual;
  } finally {
    await client.query('ROLLBACK').catch(() => {});
    client.release();
  }
}
