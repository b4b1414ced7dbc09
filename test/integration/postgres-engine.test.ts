import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorld, runtimeClient, type World } from '../helpers/world.js';
import { secretsOnlyProvider } from '../helpers/secrets-only-provider.js';
import { readMigrations } from '../../controller/db/migrate.js';

const TENANTS = ['acme', 'globex', 'initech'];

describe('the postgres resources of each tenant', () => {
  let world: World;
  let admin: pg.Client;

  beforeAll(async () => {
    world = await createWorld({ provider: secretsOnlyProvider(mkdtempSync(join(tmpdir(), 'oc-secrets-'))) });
    admin = new pg.Client({ connectionString: world.db.url });
    await admin.connect();
    const report = await world.pass();
    expect(report.fleet.error).toBeUndefined();
    expect(report.outcomes.filter((o) => o.error)).toEqual([]);
  });

  afterAll(async () => {
    await admin?.end();
    await world?.close();
  });

  it('creates a schema, a NOLOGIN owner and a LOGIN runtime role without privileges for every tenant', async () => {
    const { rows } = await admin.query(
      `SELECT rolname, rolcanlogin, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname LIKE 'tenant\\_%' ORDER BY 1`,
    );
    expect(rows.map((r) => r.rolname)).toEqual(TENANTS.flatMap((t) => [`tenant_${t}_owner`, `tenant_${t}_runtime`]));
    for (const role of rows) {
      expect(role.rolcanlogin).toBe(role.rolname.endsWith('_runtime'));
      expect([role.rolsuper, role.rolbypassrls, role.rolcreaterole, role.rolcreatedb]).toEqual([false, false, false, false]);
    }
    const schemas = await admin.query(`SELECT nspname, pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname LIKE 'tenant\\_%' ORDER BY 1`);
    expect(schemas.rows).toEqual(TENANTS.map((t) => ({ nspname: `tenant_${t}`, owner: `tenant_${t}_owner` })));
  });

  it('never makes a runtime role the owner of anything', async () => {
    const { rows } = await admin.query(
      `SELECT count(*)::int AS owned FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname LIKE 'tenant\\_%\\_runtime'`,
    );
    expect(rows[0].owned).toBe(0);
  });

  it('applies every tenant-schema migration once and records the version per tenant', async () => {
    const migrations = await readMigrations('tenant');
    const latest = Math.max(...migrations.map((m) => m.version));
    const { rows } = await admin.query(`SELECT tenant, max(version)::int AS version, count(*)::int AS applied FROM openclaw.tenant_migrations GROUP BY tenant ORDER BY tenant`);
    expect(rows).toEqual(TENANTS.map((tenant) => ({ tenant, version: latest, applied: migrations.length })));
    const status = await world.ctx.store.status('acme');
    expect(status?.migrationVersion).toBe(latest);
    const tables = await admin.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'tenant_acme' ORDER BY 1`);
    expect(tables.rows.map((r) => r.tablename)).toEqual(['digests', 'notes', 'settings']);
  });

  it('enables and forces row-level security with a fail-closed policy on every shared table that has tenant_id', async () => {
    const { rows } = await admin.query(
      `SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
              (SELECT count(*) FROM pg_policies p WHERE p.schemaname = 'app' AND p.tablename = c.relname)::int AS policies
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'app' AND c.relkind = 'r'
          AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id')`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(6);
    for (const table of rows) expect(table).toMatchObject({ relrowsecurity: true, relforcerowsecurity: true, policies: 1 });
    const policy = await admin.query(`SELECT qual, with_check FROM pg_policies WHERE schemaname = 'app' AND tablename = 'leads'`);
    expect(policy.rows[0].qual).toContain("NULLIF(current_setting('app.tenant_id'::text, true), ''::text)");
    expect(policy.rows[0].with_check).toBe(policy.rows[0].qual);
  });

  it('makes a second pass over unchanged manifests execute zero writing statements on tenant resources', async () => {
    world.counter.reset();
    const report = await world.pass();
    expect(report.changesApplied).toBe(0);
    expect(world.counter.resourceWrites).toBe(0);
    // Bookkeeping only: the pass time on the tenants and the controller's last-pass record.
    expect(world.counter.writes).toBeLessThanOrEqual(3);
    const planned = await world.ctx.reconciler.plan((await world.ctx.source.load()));
    expect(planned.plan.tenants.flatMap((t) => t.changes)).toEqual([]);
  });

  describe('tenant isolation', () => {
    let acme: pg.Client;
    let globex: pg.Client;

    beforeAll(async () => {
      acme = await runtimeClient(world, 'acme');
      globex = await runtimeClient(world, 'globex');
      await acme.query(`SELECT set_config('app.tenant_id', 'acme', false)`);
      await globex.query(`SELECT set_config('app.tenant_id', 'globex', false)`);
      await acme.query(`INSERT INTO app.leads (tenant_id, name, company) VALUES ('acme', 'Ada', 'Acme Partner')`);
      await globex.query(`INSERT INTO app.leads (tenant_id, name, company) VALUES ('globex', 'Grace', 'Globex Partner')`);
      await globex.query(`INSERT INTO app.messages (tenant_id, sender, subject) VALUES ('globex', 'ceo@globex.example', 'Q3 plan')`);
    });

    afterAll(async () => {
      await acme?.end();
      await globex?.end();
    });

    it("shows a tenant's runtime role only its own rows in every shared table", async () => {
      const leads = await acme.query('SELECT tenant_id, name FROM app.leads');
      expect(leads.rows).toEqual([{ tenant_id: 'acme', name: 'Ada' }]);
      for (const table of ['messages', 'calendar_events', 'lead_events', 'agent_outputs', 'usage']) {
        const { rows } = await acme.query(`SELECT count(*)::int AS n FROM app.${table} WHERE tenant_id <> 'acme'`);
        expect(rows[0].n, table).toBe(0);
      }
    });

    it("refuses a row written for another tenant", async () => {
      await expect(acme.query(`INSERT INTO app.leads (tenant_id, name, company) VALUES ('globex', 'Mallory', 'Evil')`)).rejects.toThrow(/row-level security/);
    });

    it("shows nothing to a runtime role that sets another tenant's id", async () => {
      const client = await runtimeClient(world, 'acme');
      try {
        await client.query(`SELECT set_config('app.tenant_id', 'globex', false)`);
        const { rows } = await client.query('SELECT count(*)::int AS n FROM app.leads');
        expect(rows[0].n).toBe(0);
        await expect(client.query(`INSERT INTO app.leads (tenant_id, name, company) VALUES ('globex', 'Mallory', 'Evil')`)).rejects.toThrow(/row-level security/);
      } finally {
        await client.end();
      }
    });

    it('shows no rows to a session without the tenant setting', async () => {
      const client = await runtimeClient(world, 'acme');
      try {
        const { rows } = await client.query('SELECT count(*)::int AS n FROM app.leads');
        expect(rows[0].n).toBe(0);
      } finally {
        await client.end();
      }
    });

    it("denies a runtime role the use of another tenant's schema", async () => {
      await expect(acme.query('SELECT * FROM tenant_globex.notes')).rejects.toThrow(/permission denied for schema tenant_globex/);
      await expect(acme.query('CREATE TABLE tenant_globex.stolen (x int)')).rejects.toThrow(/permission denied/);
      await expect(acme.query(`INSERT INTO tenant_acme.notes (title, body) VALUES ('mine', 'ok') RETURNING id`)).resolves.toBeTruthy();
    });
  });

  describe('drift', () => {
    it('restores a dropped policy, disabled RLS, a cross-tenant grant and BYPASSRLS, and records drift events', async () => {
      await admin.query('DROP POLICY tenant_isolation ON app.leads');
      await admin.query('ALTER TABLE app.messages DISABLE ROW LEVEL SECURITY');
      await admin.query('ALTER TABLE app.usage NO FORCE ROW LEVEL SECURITY');
      await admin.query('GRANT USAGE ON SCHEMA tenant_globex TO tenant_acme_runtime');
      await admin.query('ALTER ROLE tenant_initech_runtime BYPASSRLS');
      await admin.query('GRANT tenant_globex_owner TO tenant_acme_runtime');

      const planned = await world.ctx.reconciler.plan(await world.ctx.source.load());
      const drift = [...planned.plan.fleet.changes.map((c) => ({ ...c, tenant: 'shared' })), ...planned.plan.tenants.flatMap((t) => t.changes)].filter((c) => c.drift);
      expect(drift.map((c) => `${c.tenant}:${c.resource}:${c.fields.join('+')}`).sort()).toEqual([
        'acme:grants/tenant_acme_runtime:foreignMemberships',
        'globex:grants/tenant_globex_runtime:foreignGrants',
        'initech:role/tenant_initech_runtime:bypassrls',
        'shared:table/app.leads:policy',
        'shared:table/app.messages:rowSecurity',
        'shared:table/app.usage:forceRowSecurity',
      ]);

      const report = await world.pass();
      expect(report.driftCorrected).toBe(6);
      const tables = await admin.query(`SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname IN ('leads','messages','usage') AND relnamespace = 'app'::regnamespace`);
      for (const t of tables.rows) expect(t).toMatchObject({ relrowsecurity: true, relforcerowsecurity: true });
      const policy = await admin.query(`SELECT count(*)::int AS n FROM pg_policies WHERE schemaname = 'app' AND tablename = 'leads'`);
      expect(policy.rows[0].n).toBe(1);
      const grant = await admin.query(`SELECT has_schema_privilege('tenant_acme_runtime', 'tenant_globex', 'USAGE') AS usage, pg_has_role('tenant_acme_runtime', 'tenant_globex_owner', 'MEMBER') AS member`);
      expect(grant.rows[0]).toEqual({ usage: false, member: false });
      const role = await admin.query(`SELECT rolbypassrls FROM pg_roles WHERE rolname = 'tenant_initech_runtime'`);
      expect(role.rows[0].rolbypassrls).toBe(false);
      const events = await world.ctx.store.events({ limit: 50 });
      expect(events.filter((e) => e.reason === 'DriftCorrected').length).toBeGreaterThanOrEqual(6);

      world.counter.reset();
      expect((await world.pass()).changesApplied).toBe(0);
      expect(world.counter.resourceWrites).toBe(0);
    });
  });
});
