import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateControllerSchema, migratePlatform } from '../../controller/db/migrate.js';
import { createPool } from '../../controller/db/pool.js';
import { createWorld, runtimeClient, type World } from '../helpers/world.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { secretsOnlyProvider } from '../helpers/secrets-only-provider.js';

describe('shared tables with tenant-scoped keys, migrated on a database that holds rows', () => {
  let world: World;
  let admin: pg.Client;
  let acme: pg.Client;
  let globex: pg.Client;
  const before: Record<string, string> = {};
  /** The rows as the migration left them, before any test writes or deletes some. */
  let migrated: { events: unknown[]; messages: number; audit: unknown[] };

  beforeAll(async () => {
    // A database as the previous release left it: platform migrations 1 and 2, with rows, one of
    // them a lead_events row of globex pointing at a lead of acme (what the old schema allowed).
    const db = await createTestDatabase('keys');
    const pool = createPool(db.url);
    await migrateControllerSchema(pool);
    expect(await migratePlatform(pool, undefined, 2)).toBe(2);
    const lead = async (tenant: string, name: string) =>
      (await pool.query<{ id: string }>(`INSERT INTO app.leads (tenant_id, name, company) VALUES ($1, $2, 'Co') RETURNING id`, [tenant, name])).rows[0].id;
    const ada = await lead('acme', 'Ada');
    const grace = await lead('globex', 'Grace');
    before.ada = ada;
    await pool.query(`INSERT INTO app.lead_events (tenant_id, lead_id, kind) VALUES ('acme', $1, 'demo_request'), ('globex', $2, 'site_visit'), ('globex', $1, 'probe')`, [ada, grace]);
    await pool.query(`INSERT INTO app.messages (tenant_id, sender, subject) VALUES ('acme', 'a@acme.example', 'hello'), ('globex', 'g@globex.example', 'hi')`);
    await pool.end();

    world = await createWorld({ database: db, provider: secretsOnlyProvider(mkdtempSync(join(tmpdir(), 'oc-keys-'))) });
    expect((await world.pass()).outcomes.filter((o) => o.error)).toEqual([]);
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    migrated = {
      events: (await admin.query(`SELECT tenant_id, kind FROM app.lead_events ORDER BY tenant_id, kind`)).rows,
      messages: (await admin.query(`SELECT count(*)::int AS n FROM app.messages`)).rows[0].n,
      audit: (await admin.query(`SELECT tenant, action, detail->'row'->>'kind' AS kind, detail->>'referencedTenant' AS referenced FROM openclaw.audit`)).rows,
    };
    acme = await runtimeClient(world, 'acme', { setting: 'acme' });
    globex = await runtimeClient(world, 'globex', { setting: 'globex' });
  });

  afterAll(async () => {
    await acme?.end();
    await globex?.end();
    await admin?.end();
    await world?.close();
  });

  it('keeps every row, and moves a reference that crossed tenants into the audit trail', () => {
    expect(migrated.events).toEqual([{ tenant_id: 'acme', kind: 'demo_request' }, { tenant_id: 'globex', kind: 'site_visit' }]);
    expect(migrated.messages).toBe(2);
    expect(migrated.audit).toEqual([{ tenant: 'globex', action: 'removed-cross-tenant-reference', kind: 'probe', referenced: 'acme' }]);
  });

  it('leads every primary key with tenant_id and references leads by (tenant_id, id)', async () => {
    const { rows } = await admin.query<{ table: string; kind: string; columns: string[] }>(
      `SELECT c.conrelid::regclass::text AS table, c.contype AS kind,
              array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i) AS columns
         FROM pg_constraint c WHERE c.connamespace = 'app'::regnamespace AND c.contype IN ('p', 'f', 'u') ORDER BY 1, 2`);
    for (const row of rows) expect(row.columns[0], `${row.table} ${row.kind}`).toBe('tenant_id');
    expect(rows.filter((r) => r.kind === 'p').map((r) => r.table)).toEqual(expect.arrayContaining(
      ['app.agent_outputs', 'app.calendar_events', 'app.lead_events', 'app.leads', 'app.messages', 'app.usage']));
    expect(rows.find((r) => r.kind === 'f')).toEqual({ table: 'app.lead_events', kind: 'f', columns: ['tenant_id', 'lead_id'] });
    // Unique indexes made without a constraint too: a duplicate can only ever be one of the tenant's own rows.
    const unique = await admin.query<{ index: string; first: string }>(
      `SELECT c.relname AS index, a.attname AS first FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
         LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
        WHERE i.indisunique AND t.relnamespace = 'app'::regnamespace`);
    expect(unique.rows.length).toBeGreaterThanOrEqual(6);
    for (const index of unique.rows) expect(index.first, index.index).toBe('tenant_id');
  });

  it("refuses a lead_events row that points at another tenant's lead", async () => {
    await expect(globex.query(`INSERT INTO app.lead_events (tenant_id, lead_id, kind) VALUES ('globex', $1, 'probe')`, [before.ada]))
      .rejects.toThrow(/foreign key/);
  });

  it("never cascades a tenant's delete into another tenant's rows", async () => {
    // A lead of acme's own, with an event: Ada stays for the tests that need another tenant's lead.
    const { rows: [lead] } = await acme.query<{ id: string }>(`INSERT INTO app.leads (tenant_id, name, company) VALUES ('acme', 'Cy', 'Co') RETURNING id`);
    await acme.query(`INSERT INTO app.lead_events (tenant_id, lead_id, kind) VALUES ('acme', $1, 'demo_request')`, [lead.id]);
    const globexEvents = async () => (await globex.query(`SELECT count(*)::int AS n FROM app.lead_events`)).rows[0].n;
    const count = await globexEvents();
    await globex.query(`INSERT INTO app.lead_events (tenant_id, lead_id, kind) VALUES ('globex', $1, 'probe')`, [lead.id]).catch(() => undefined);
    await acme.query(`DELETE FROM app.leads WHERE id = $1`, [lead.id]);
    expect(await globexEvents()).toBe(count);
    expect((await acme.query(`SELECT count(*)::int AS n FROM app.lead_events WHERE lead_id = $1`, [lead.id])).rows[0].n).toBe(0);
  });

  it("does not tell a tenant whether another tenant's id exists", async () => {
    const { rows } = await admin.query<{ id: string }>(`SELECT id FROM app.messages WHERE tenant_id = 'acme'`);
    // The id is taken by acme; globex writing the same id is no conflict and no signal.
    await expect(globex.query(`INSERT INTO app.messages (id, tenant_id, sender, subject) OVERRIDING SYSTEM VALUE VALUES ($1, 'globex', 'x', 'y') ON CONFLICT DO NOTHING RETURNING id`, [rows[0].id]))
      .resolves.toMatchObject({ rowCount: 1 });
  });

  it('continues ids after the largest one in use, without the runtime roles touching the sequence', async () => {
    const { rows } = await acme.query<{ id: string }>(`INSERT INTO app.leads (tenant_id, name, company) VALUES ('acme', 'Bob', 'Co') RETURNING id`);
    expect(BigInt(rows[0].id)).toBeGreaterThan(BigInt(before.ada));
    const sequence = (await admin.query<{ seq: string }>(`SELECT pg_get_serial_sequence('app.leads', 'id') AS seq`)).rows[0].seq;
    await expect(acme.query(`SELECT nextval($1)`, [sequence])).rejects.toThrow(/permission denied/);
    await expect(acme.query(`SELECT setval($1, 1)`, [sequence])).rejects.toThrow(/permission denied/);
  });

  it('gives runtime roles no large objects, no pg_notify and no advisory locks', async () => {
    await expect(acme.query(`SELECT lo_create(0)`)).rejects.toThrow(/permission denied/);
    await expect(acme.query(`SELECT lo_from_bytea(0, 'x')`)).rejects.toThrow(/permission denied/);
    await expect(acme.query(`SELECT pg_notify('globex', 'hello')`)).rejects.toThrow(/permission denied/);
    await expect(acme.query(`SELECT pg_advisory_lock(hashtext('openclaw.database-acl'))`)).rejects.toThrow(/permission denied/);
    await expect(acme.query(`SELECT pg_try_advisory_lock(1)`)).rejects.toThrow(/permission denied/);
  });
});
