import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorld, type World } from '../helpers/world.js';
import { secretsOnlyProvider } from '../helpers/secrets-only-provider.js';

const MANIFEST = (limits: string) => `apiVersion: openclaw.io/v1alpha1
kind: Tenant
metadata: { name: hooli }
spec:
  displayName: Hooli
  contact: { email: ops@hooli.example }
  tier: professional
  isolation: silo
  limits: ${limits}
`;

describe('the runtime role’s connection limit and statement timeout on PostgreSQL', () => {
  let world: World;
  let admin: pg.Client;
  const opened: pg.Client[] = [];

  async function connectAsRuntime(): Promise<pg.Client> {
    const credentials = await world.ctx.provider.credentials.get('hooli');
    const url = new URL(world.db.url);
    url.username = credentials!.username;
    url.password = encodeURIComponent(credentials!.password);
    const client = new pg.Client({ connectionString: url.toString() });
    client.on('error', () => {});
    await client.connect();
    opened.push(client);
    return client;
  }
  const role = async () => (await admin.query(`SELECT rolconnlimit, rolconfig FROM pg_roles WHERE rolname = 'tenant_hooli_runtime'`)).rows[0];

  beforeAll(async () => {
    world = await createWorld({ examples: false, provider: secretsOnlyProvider(mkdtempSync(join(tmpdir(), 'oc-secrets-'))) });
    world.writeTenant('hooli.yaml', MANIFEST('{ dbConnections: 10, statementTimeout: 200ms }'));
    admin = new pg.Client({ connectionString: world.db.url });
    await admin.connect();
    const report = await world.pass();
    expect(report.outcomes.filter((o) => o.error)).toEqual([]);
  });
  afterAll(async () => {
    for (const client of opened) await client.end().catch(() => {});
    await admin?.end();
    await world?.close();
  });

  it('sets the limits from spec.limits on the runtime role', async () => {
    expect(await role()).toEqual({ rolconnlimit: 10, rolconfig: ['statement_timeout=200'] });
  });

  it('refuses the 11th connection of a limit of 10', async () => {
    for (let i = 0; i < 10; i++) await connectAsRuntime();
    await expect(connectAsRuntime()).rejects.toThrow(/too many connections for role "tenant_hooli_runtime"/);
    for (const client of opened.splice(0)) await client.end().catch(() => {});
  });

  it('cancels a statement of the runtime role that runs past the timeout', async () => {
    const client = await connectAsRuntime();
    await expect(client.query('SELECT pg_sleep(2)')).rejects.toMatchObject({ code: '57014' });
    await expect(client.query('SELECT 1 AS ok')).resolves.toMatchObject({ rows: [{ ok: 1 }] });
    // Its connection would count against the limit another test fills.
    for (const open of opened.splice(0)) await open.end().catch(() => {});
  });

  it('puts back limits changed out of band on the next pass', async () => {
    await admin.query('ALTER ROLE tenant_hooli_runtime CONNECTION LIMIT -1');
    await admin.query('ALTER ROLE tenant_hooli_runtime RESET statement_timeout');
    const report = await world.pass();
    const applied = report.outcomes.flatMap((o) => o.applied ?? []).map((c) => c.resource);
    expect(applied).toContain('limits/tenant_hooli_runtime');
    expect(await role()).toEqual({ rolconnlimit: 10, rolconfig: ['statement_timeout=200'] });
  });

  it('takes the tier’s defaults when spec.limits names none, and changes nothing on a pass after', async () => {
    world.writeTenant('hooli.yaml', MANIFEST('{}'));
    try {
      await world.pass();
      expect(await role()).toEqual({ rolconnlimit: 10, rolconfig: ['statement_timeout=60000'] });
      const again = await world.pass();
      expect(again.outcomes.flatMap((o) => o.applied ?? [])).toEqual([]);
    } finally {
      // The other tests, in whatever order they run, see the limits the file started with.
      world.writeTenant('hooli.yaml', MANIFEST('{ dbConnections: 10, statementTimeout: 200ms }'));
      await world.pass();
    }
  });
});
