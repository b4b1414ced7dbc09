import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigratedDatabase, createWorld, type World } from '../helpers/world.js';
import { secretsOnlyProvider } from '../helpers/secrets-only-provider.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { applyPostgresChange } from '../../controller/resources/postgres/apply.js';
import { quoteIdent, quoteLiteral } from '../../contract/sql.js';
import { statementText } from '../../controller/db/pool.js';
import { names } from '../../contract/names.js';

const GLOBEX = readFileSync(new URL('../../tenants/globex.yaml', import.meta.url), 'utf8');
const RESOURCE_WRITE = /^\s*(insert|update|delete|create|alter|drop|grant|revoke|comment)\b/i;

function isResourceWrite(sql: string): boolean {
  const text = statementText(sql);
  return RESOURCE_WRITE.test(text) && !/\bopenclaw\./.test(text) && !/^\s*create temporary|openclaw_policy_probe/i.test(text);
}

/** Everything a converged tenant has, without values that differ between runs (passwords). */
async function catalogSnapshot(url: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const q = async (sql: string) => (await client.query(sql)).rows;
    return {
      roles: await q(`SELECT rolname, rolcanlogin, rolsuper, rolbypassrls, rolcreaterole, regexp_replace(shobj_description(oid, 'pg_authid'), ' credential=[0-9a-f]+( rotated=[0-9]+)?', '') AS comment,
                             array(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid ORDER BY 1) AS member_of
                        FROM pg_roles r WHERE rolname LIKE 'tenant\\_%' ORDER BY 1`),
      schemas: await q(`SELECT nspname, pg_get_userbyid(nspowner) AS owner, nspacl::text AS acl FROM pg_namespace WHERE nspname LIKE 'tenant\\_%' OR nspname = 'app' ORDER BY 1`),
      tables: await q(`SELECT schemaname, tablename FROM pg_tables WHERE schemaname LIKE 'tenant\\_%' ORDER BY 1, 2`),
      rls: await q(`SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relnamespace = 'app'::regnamespace AND relkind = 'r' ORDER BY 1`),
      policies: await q(`SELECT tablename, policyname, qual, with_check FROM pg_policies WHERE schemaname = 'app' ORDER BY 1, 2`),
      ledger: await q(`SELECT tenant, version, name FROM openclaw.tenant_migrations ORDER BY 1, 2`),
      connect: await q(`SELECT count(*)::int AS grants FROM pg_database d, aclexplode(d.datacl) a JOIN pg_roles g ON g.oid = a.grantee WHERE d.datname = current_database() AND g.rolname LIKE 'tenant\\_%'`),
    };
  } finally {
    await client.end();
  }
}

async function credentialsMatchRole(world: World, tenant: string): Promise<boolean> {
  const stored = await world.ctx.provider.credentials.get(tenant);
  const { rows } = await world.ctx.pool.query(`SELECT shobj_description(oid, 'pg_authid') AS comment FROM pg_roles WHERE rolname = $1`, [names.pgRuntimeRole(tenant)]);
  return stored !== undefined && rows[0]?.comment?.includes(`credential=${stored.fingerprint}`);
}

describe('crash safety of the postgres resources', () => {
  const worlds: World[] = [];
  let migrated: TestDatabase;
  beforeAll(async () => {
    // Every start below begins where a freshly opened controller begins: migrated, no tenant yet.
    // Copying that database is what makes one start per apply step affordable.
    migrated = await createMigratedDatabase({ provider: secretsOnlyProvider(mkdtempSync(join(tmpdir(), 'oc-secrets-'))) });
  });
  afterAll(async () => {
    for (const world of worlds) await world.close();
    await migrated?.drop();
  });

  async function singleTenantWorld(beforeQuery?: (text: string) => void): Promise<World> {
    const database = await createTestDatabase('step', { template: migrated });
    const world = await createWorld({ database, examples: false, provider: secretsOnlyProvider(mkdtempSync(join(tmpdir(), 'oc-secrets-'))), beforeQuery });
    world.writeTenant('globex.yaml', GLOBEX);
    worlds.push(world);
    return world;
  }

  it('converges with nothing duplicated and nothing left behind after a failure at any apply step', async () => {
    let statements = 0;
    let counting = false;
    const reference = await singleTenantWorld((text) => { if (counting && isResourceWrite(text)) statements++; });
    counting = true;
    const first = await reference.pass();
    expect([first.fleet, ...first.outcomes].some((o) => o.error)).toBe(false);
    const expected = await catalogSnapshot(reference.db.url);
    const steps = statements;
    expect(steps).toBeGreaterThan(20);
    // Roles are cluster-wide: the reference tenant's roles must be gone before each fresh start.
    await reference.close();
    worlds.splice(worlds.indexOf(reference), 1);

    for (let failAt = 1; failAt <= steps; failAt++) {
      let seen = 0;
      let armed = false;
      const world = await singleTenantWorld((text) => {
        if (armed && isResourceWrite(text) && ++seen === failAt) throw new Error(`injected failure at write ${failAt}`);
      });
      armed = true;
      const failed = await world.pass();
      expect([failed.fleet, ...failed.outcomes].some((o) => o.error?.message.includes('injected failure')), `step ${failAt}`).toBe(true);
      armed = false;
      // The tenant backs off after a failure; a fresh process has no memory of it, as after a crash.
      await world.reopen();
      const recovered = await world.pass();
      expect([recovered.fleet, ...recovered.outcomes].filter((o) => o.error), `step ${failAt}`).toEqual([]);
      expect(await catalogSnapshot(world.db.url), `step ${failAt}`).toEqual(expected);
      expect(await credentialsMatchRole(world, 'globex'), `step ${failAt}`).toBe(true);
      expect((await world.ctx.provider.secrets.list('openclaw/tenants/')).length, `step ${failAt}`).toBe(1);
      world.counter.reset();
      expect((await world.pass()).changesApplied, `step ${failAt}`).toBe(0);
      expect(world.counter.resourceWrites, `step ${failAt}`).toBe(0);
      await world.close();
      worlds.splice(worlds.indexOf(world), 1);
    }
  }, 300_000);
});

describe('the cost of observing PostgreSQL', () => {
  let world: World;
  afterAll(async () => world?.close());

  it('takes the same number of catalog queries for 200 tenants as for 3, and a no-op pass no statement per tenant', async () => {
    world = await createWorld({ provider: secretsOnlyProvider(mkdtempSync(join(tmpdir(), 'oc-secrets-'))), extraEnv: { OPENCLAW_CONCURRENCY: '16' } });
    await world.pass();
    world.counter.reset();
    await world.ctx.reconciler.plan(await world.ctx.source.load());
    const readsForThree = world.counter.reads;
    world.counter.reset();
    await world.pass();
    const passReadsForThree = world.counter.reads;

    for (let i = 0; i < 197; i++) {
      world.writeTenant(`bulk-${i}.yaml`, GLOBEX.replace('name: globex', `name: bulk-${String(i).padStart(3, '0')}`));
    }
    const report = await world.pass();
    expect(report.outcomes.filter((o) => o.error)).toEqual([]);
    world.counter.reset();
    const { plan } = await world.ctx.reconciler.plan(await world.ctx.source.load());
    expect(plan.tenants.flatMap((t) => t.changes)).toEqual([]);
    expect(world.counter.reads).toBe(readsForThree);
    expect(world.counter.reads).toBeLessThan(15);
    world.counter.reset();
    expect((await world.pass()).changesApplied).toBe(0);
    expect(world.counter.reads).toBe(passReadsForThree);
    expect(world.counter.resourceWrites).toBe(0);
  }, 180_000);
});

describe('SQL injection through a name that reached the SQL layer', () => {
  let world: World;
  afterAll(async () => world?.close());

  it('quotes identifiers and binds values, so a quote in a tenant name cannot inject', async () => {
    world = await createWorld({ examples: false, provider: secretsOnlyProvider(mkdtempSync(join(tmpdir(), 'oc-secrets-'))) });
    const hostile = `x"; DROP SCHEMA app CASCADE; --`;
    const owner = names.pgOwnerRole(hostile);
    await applyPostgresChange(
      { tenant: hostile, kind: 'postgres', resource: `role/${owner}`, action: 'create', before: null, after: null, destructive: false, fields: [], detail: { op: 'owner-role', role: owner } },
      { pool: world.ctx.pool, credentials: world.ctx.provider.credentials, migrations: [] },
    );
    const { rows } = await world.ctx.pool.query(
      `SELECT (SELECT count(*) FROM pg_namespace WHERE nspname = 'app')::int AS app,
              (SELECT count(*) FROM pg_roles WHERE rolname = $1)::int AS role,
              (SELECT shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = $1) AS comment`,
      [owner],
    );
    expect(rows[0]).toEqual({ app: 1, role: 1, comment: `openclaw:managed tenant=${hostile}` });
    await world.ctx.pool.query(`DROP OWNED BY ${quoteIdent(owner)}; DROP ROLE ${quoteIdent(owner)}`);
  });

  it('escapes quotes and backslashes in literals and refuses identifiers over 63 bytes', () => {
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(quoteLiteral('a\\b')).toBe(" E'a\\\\b'");
    expect(() => quoteIdent('x'.repeat(64))).toThrow(/longer than 63 bytes/);
    expect(() => quoteIdent('é'.repeat(32))).toThrow(/longer than 63 bytes/);
  });
});
