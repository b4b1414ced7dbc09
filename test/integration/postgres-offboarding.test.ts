import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createWorld, perTest } from '../helpers/world.js';
import { secretsOnlyProvider } from '../helpers/secrets-only-provider.js';

describe('offboarding a tenant whose manifest is removed', () => {
  /** The example tenants applied on a database of the test's own, acme and initech holding a note each; `clock.now` is the controller's time. */
  const offboarding = perTest(async (database) => {
    const clock = { now: Date.parse('2026-11-24T12:00:00Z') };
    const world = await createWorld({
      database,
      provider: secretsOnlyProvider(mkdtempSync(join(tmpdir(), 'oc-secrets-'))),
      now: () => clock.now,
      // Three tenants: removing one is a third of the fleet, so allow it for these tests.
      extraEnv: { OPENCLAW_MAX_DELETE_FRACTION: '0.5', OPENCLAW_PURGE_GRACE: '1h' },
    });
    const admin = new pg.Client({ connectionString: world.db.url });
    await admin.connect();
    await world.pass();
    await admin.query(`INSERT INTO tenant_acme.notes (title, body) VALUES ('keep', 'me')`);
    await admin.query(`INSERT INTO tenant_initech.notes (title, body) VALUES ('erase', 'me')`);
    return {
      world, admin, clock,
      async close() {
        await admin.end();
        await world.close();
      },
    };
  });

  it('revokes login, CONNECT and schema access under Retain, keeps every row, and brings the tenant back with its data when its manifest returns', async () => {
    const { world, admin } = await offboarding();
    world.removeTenant('acme.yaml');
    await world.pass();
    const role = await admin.query(`SELECT rolcanlogin FROM pg_roles WHERE rolname = 'tenant_acme_runtime'`);
    expect(role.rows[0].rolcanlogin).toBe(false);
    const access = await admin.query(
      `SELECT has_database_privilege('tenant_acme_runtime', current_database(), 'CONNECT') AS connect,
              has_schema_privilege('tenant_acme_runtime', 'tenant_acme', 'USAGE') AS usage,
              pg_has_role('tenant_acme_runtime', 'openclaw_runtime', 'MEMBER') AS shared`,
    );
    // PUBLIC's default CONNECT is revoked by the platform migrations, so the role's own grant was its only one.
    expect(access.rows[0]).toEqual({ connect: false, usage: false, shared: false });
    const notes = await admin.query('SELECT title FROM tenant_acme.notes');
    expect(notes.rows).toEqual([{ title: 'keep' }]);
    const status = await world.ctx.store.status('acme');
    expect(status?.conditions.find((c) => c.type === 'Offboarded')).toMatchObject({ status: 'True', reason: 'Retained' });
    const known = (await world.ctx.store.knownTenants()).find((k) => k.name === 'acme');
    expect(known?.lifecycle).toBe('Retained');

    world.writeTenant('acme.yaml', (await import('node:fs')).readFileSync(new URL('../../tenants/acme.yaml', import.meta.url), 'utf8'));
    await world.pass();
    const back = await admin.query(`SELECT rolcanlogin FROM pg_roles WHERE rolname = 'tenant_acme_runtime'`);
    expect(back.rows[0].rolcanlogin).toBe(true);
    const kept = await admin.query('SELECT title FROM tenant_acme.notes');
    expect(kept.rows).toEqual([{ title: 'keep' }]);
  });

  it('revokes access at once under Delete and purges schema, roles and shared rows only after the grace period, with an audit record', async () => {
    const { world, admin, clock } = await offboarding();
    const runtime = await world.ctx.provider.credentials.get('initech');
    const url = new URL(world.db.url);
    url.username = runtime!.username;
    url.password = encodeURIComponent(runtime!.password);
    const asInitech = new pg.Client({ connectionString: url.toString() });
    await asInitech.connect();
    await asInitech.query(`SELECT set_config('app.tenant_id', 'initech', false)`);
    await asInitech.query(`INSERT INTO app.leads (tenant_id, name, company) VALUES ('initech', 'Peter', 'Initrode')`);
    await asInitech.end();

    world.removeTenant('initech.yaml');
    await world.pass();
    const staged = await admin.query(`SELECT rolcanlogin FROM pg_roles WHERE rolname = 'tenant_initech_runtime'`);
    expect(staged.rows[0].rolcanlogin).toBe(false);
    expect((await admin.query(`SELECT count(*)::int AS n FROM tenant_initech.notes`)).rows[0].n).toBe(1);
    expect((await world.ctx.store.status('initech'))?.conditions.find((c) => c.type === 'Offboarded')?.reason).toBe('PendingPurge');

    clock.now += 2 * 3_600_000;
    await world.pass();
    const left = await admin.query(
      `SELECT (SELECT count(*) FROM pg_namespace WHERE nspname = 'tenant_initech')::int AS schemas,
              (SELECT count(*) FROM pg_roles WHERE rolname LIKE 'tenant\\_initech\\_%')::int AS roles,
              (SELECT count(*) FROM app.leads WHERE tenant_id = 'initech')::int AS shared_rows,
              (SELECT count(*) FROM openclaw.tenant_migrations WHERE tenant = 'initech')::int AS ledger`,
    );
    expect(left.rows[0]).toEqual({ schemas: 0, roles: 0, shared_rows: 0, ledger: 0 });
    const audit = await admin.query(`SELECT action, detail FROM openclaw.audit WHERE tenant = 'initech'`);
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0].action).toBe('purge');
    expect(audit.rows[0].detail.erased).toEqual(expect.arrayContaining(['postgres/schema/tenant_initech', 'postgres/role/tenant_initech_runtime']));
    // Other tenants untouched.
    expect((await admin.query(`SELECT count(*)::int AS n FROM pg_roles WHERE rolname LIKE 'tenant\\_acme\\_%'`)).rows[0].n).toBe(2);
  });

  it('never deletes anything when the manifest directory becomes empty', async () => {
    const { world, admin } = await offboarding();
    for (const file of ['acme.yaml', 'globex.yaml', 'initech.yaml']) world.removeTenant(file);
    const { snapshot, changed } = await world.ctx.loop.refreshSource();
    expect(changed).toBe(false);
    expect(snapshot?.tenants.map((t) => t.name)).toEqual(['acme', 'globex', 'initech']);
    await world.ctx.loop.pass();
    const roles = await admin.query(`SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname LIKE 'tenant\\_%\\_runtime' ORDER BY 1`);
    expect(roles.rows).toEqual(['acme', 'globex', 'initech'].map((tenant) => ({ rolname: `tenant_${tenant}_runtime`, rolcanlogin: true })));
    const rejected = await world.ctx.store.getState<{ reason: string }>('rejectedRevision');
    expect(rejected?.reason).toMatch(/no manifest files/);
  });
});
