import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROGRAMS } from '../../agents/run.js';
import { runAgent } from '../../agents/runtime/runner.js';
import { createWorld, type World } from '../helpers/world.js';
import { secretsOnlyProvider } from '../helpers/secrets-only-provider.js';

const NOW = new Date('2025-01-06T07:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);

/** A runs as initech (enterprise: all three agents); B is globex, whose data sits in the same tables. */
const A = 'initech';
const B = 'globex';

describe('an agent of tenant A, run with B’s data present', () => {
  let world: World;
  let admin: pg.Client;
  let objectsDir: string;

  const credentialsOf = async (tenant: string) => JSON.stringify(await world.ctx.provider.credentials.get(tenant));
  const run = async (agent: string, tenant = A, extra: Record<string, string> = {}) =>
    runAgent(PROGRAMS, agent, {
      env: {
        OPENCLAW_TENANT: tenant, OPENCLAW_RUN_ID: `${agent}-${tenant}-1`, OPENCLAW_PROVIDER: 'local', OPENCLAW_DATA_DIR: objectsDir,
        DATABASE_URL: world.db.url, OPENCLAW_DB_CREDENTIALS: await credentialsOf(tenant), ...extra,
      },
      now: () => NOW,
      log: pino({ level: 'silent' }),
    });
  const files = (prefix: string): string[] => {
    const dir = join(objectsDir, 's3', 'local-tenants', prefix);
    return existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String).filter((f) => f.includes('.')) : [];
  };

  beforeAll(async () => {
    world = await createWorld({ provider: secretsOnlyProvider(mkdtempSync(join(tmpdir(), 'oc-agents-'))) });
    objectsDir = mkdtempSync(join(tmpdir(), 'oc-agent-objects-'));
    const report = await world.pass();
    expect(report.fleet.error).toBeUndefined();
    expect(report.outcomes.filter((o) => o.error)).toEqual([]);
    admin = new pg.Client({ connectionString: world.db.url });
    await admin.connect();
    for (const [tenant, subjects] of [[A, ['Renewal terms for Q2', 'Invoice 4411 overdue']], [B, ['Globex merger rumours', 'Secret globex pricing']]] as const) {
      for (const [i, subject] of subjects.entries()) {
        await admin.query('INSERT INTO app.messages (tenant_id, sender, subject, body, received_at) VALUES ($1, $2, $3, $4, $5)', [tenant, `s${i}@${tenant}.example`, subject, `${subject}. Please reply today.`, hoursAgo(i + 1)]);
      }
      await admin.query('INSERT INTO app.calendar_events (tenant_id, title, starts_at, ends_at) VALUES ($1, $2, $3, $4)', [tenant, `${tenant} standup`, new Date(NOW.getTime() + 3_600_000), new Date(NOW.getTime() + 4_000_000)]);
    }
    for (const [tenant, leads] of [[A, [['Ada', 'Analytical Engines', ['demo_request', 'pricing_view']], ['Bob', 'Builders', ['site_visit']]]], [B, [['Mallory', 'Globex Rival', ['demo_request', 'demo_request', 'meeting_booked']]]]] as const) {
      for (const [name, company, kinds] of leads) {
        const { rows } = await admin.query<{ id: string }>('INSERT INTO app.leads (tenant_id, name, company) VALUES ($1, $2, $3) RETURNING id', [tenant, name, company]);
        for (const kind of kinds) await admin.query('INSERT INTO app.lead_events (tenant_id, lead_id, kind, occurred_at) VALUES ($1, $2, $3, $4)', [tenant, rows[0].id, kind, hoursAgo(24)]);
      }
    }
  });

  afterAll(async () => {
    await admin?.end();
    await world?.close();
  });

  // One story: scout scores what butler left, writer builds on scout's scores, and the usage is all three runs'.
  it('runs butler, scout and writer as A in turn on A’s data alone, under A’s prefix and in A’s schema, and records their outputs and usage as A', async () => {
    // butler digests only A’s messages and calendar.
    expect(await run('butler')).toBe(0);
    const [file] = files(`tenants/${A}/agents/butler`);
    const digest = readFileSync(join(objectsDir, 's3', 'local-tenants', 'tenants', A, 'agents', 'butler', file), 'utf8');
    expect(digest).toContain('Renewal terms for Q2');
    expect(digest).toContain(`${A} standup`);
    expect(digest).not.toMatch(/globex/i);
    const digests = await admin.query(`SELECT run_id, for_date::text, item_count, object_key FROM tenant_${A}.digests`);
    expect(digests.rows).toEqual([{ run_id: `butler-${A}-1`, for_date: '2025-01-06', item_count: 3, object_key: `tenants/${A}/agents/butler/${file}` }]);

    // scout scores A’s leads only; B’s stay unscored.
    expect(await run('scout')).toBe(0);
    const leads = await admin.query<{ tenant_id: string; name: string; score: string | null }>('SELECT tenant_id, name, score FROM app.leads ORDER BY id');
    expect(leads.rows.map((r) => [r.tenant_id, r.name, r.score === null ? null : Number(r.score)])).toEqual([
      [A, 'Ada', 57.1], [A, 'Bob', 2.86], [B, 'Mallory', null],
    ]);
    const report = JSON.parse(readFileSync(join(objectsDir, 's3', 'local-tenants', 'tenants', A, 'agents', 'scout', 'scores', `scout-${A}-1.json`), 'utf8'));
    expect(report.leads.map((l: { name: string }) => l.name)).toEqual(['Ada', 'Bob']);

    // writer builds a dossier for A’s high-scoring lead only, although B’s lead scores higher in the shared table.
    await admin.query(`UPDATE app.leads SET score = 99 WHERE tenant_id = $1`, [B]);
    expect(await run('writer')).toBe(0);
    expect(files(`tenants/${A}/agents/writer`)).toEqual(['dossiers/lead-1.md']);
    expect(readFileSync(join(objectsDir, 's3', 'local-tenants', 'tenants', A, 'agents', 'writer', 'dossiers', 'lead-1.md'), 'utf8')).toContain('# Dossier: Ada, Analytical Engines');
    // Nothing new since scout scored: no dossier is written again, and Bob (2.86) is below the bar.
    expect(await run('writer', A, { OPENCLAW_RUN_ID: `writer-${A}-2` })).toBe(0);
    expect(files(`tenants/${A}/agents/writer`)).toEqual(['dossiers/lead-1.md']);

    // Nothing under B’s prefix; A’s outputs and usage recorded as A.
    expect(files(`tenants/${B}`)).toEqual([]);
    const outputs = await admin.query('SELECT DISTINCT tenant_id FROM app.agent_outputs WHERE tenant_id IN ($1, $2)', [A, B]);
    expect(outputs.rows).toEqual([{ tenant_id: A }]);
    const usage = await admin.query(`SELECT agent, run_id, items_processed, model, input_tokens > 0 AS tokens, duration_ms >= 0 AS timed FROM app.usage WHERE tenant_id = $1 ORDER BY id`, [A]);
    expect(usage.rows).toEqual([
      { agent: 'butler', run_id: `butler-${A}-1`, items_processed: 3, model: 'offline-extractive', tokens: true, timed: true },
      { agent: 'scout', run_id: `scout-${A}-1`, items_processed: 2, model: null, tokens: false, timed: true },
      { agent: 'writer', run_id: `writer-${A}-1`, items_processed: 1, model: 'offline-extractive', tokens: true, timed: true },
      { agent: 'writer', run_id: `writer-${A}-2`, items_processed: 0, model: null, tokens: false, timed: true },
    ]);
  });

  it('cannot read B’s schema or B’s rows with A’s credentials, whatever tenant id it sets', async () => {
    const creds = JSON.parse(await credentialsOf(A));
    const url = new URL(world.db.url);
    url.username = creds.username;
    url.password = encodeURIComponent(creds.password);
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      await expect(client.query(`SELECT * FROM tenant_${B}.digests`)).rejects.toThrow(`permission denied for schema tenant_${B}`);
      await client.query(`SELECT set_config('app.tenant_id', $1, false)`, [B]);
      expect((await client.query('SELECT count(*)::int AS n FROM app.messages')).rows[0].n).toBe(0);
      expect((await client.query('SELECT count(*)::int AS n FROM app.leads')).rows[0].n).toBe(0);
    } finally {
      await client.end();
    }
  });

  it('refuses to run as B with A’s credentials, and to start without credentials', async () => {
    expect(await run('butler', B, { OPENCLAW_DB_CREDENTIALS: await credentialsOf(A) })).toBe(1);
    expect(await run('butler', A, { OPENCLAW_DB_CREDENTIALS: '' })).toBe(2);
    expect(files(`tenants/${B}`)).toEqual([]);
  });

  // As acme, whom no other test runs, into objects of its own: A’s outputs, usage and files stay the story’s above.
  it('connects after a rotation of its credentials that it started in the middle of: secret written, role not yet', async () => {
    const C = 'acme';
    const current = await world.ctx.provider.credentials.get(C);
    const rotated = { ...current!, password: 'rotated-while-the-run-started' };
    let secretReads = 0;
    const slept: number[] = [];
    const code = await runAgent(PROGRAMS, 'butler', {
      env: {
        OPENCLAW_TENANT: C, OPENCLAW_RUN_ID: `butler-${C}-rotation`, OPENCLAW_PROVIDER: 'local', OPENCLAW_DATA_DIR: mkdtempSync(join(tmpdir(), 'oc-agent-objects-')),
        DATABASE_URL: world.db.url, OPENCLAW_DB_SECRET_ARN: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:openclaw/tenants/${C}/db`,
      },
      secrets: () => async () => {
        secretReads++;
        return JSON.stringify(rotated);
      },
      // The controller's pass sets the role's password from the secret while the agent waits.
      sleep: async (ms) => {
        slept.push(ms);
        await admin.query(`ALTER ROLE "${current!.username}" PASSWORD '${rotated.password}'`);
      },
      now: () => NOW,
      log: pino({ level: 'silent' }),
    });
    await admin.query(`ALTER ROLE "${current!.username}" PASSWORD '${current!.password.replaceAll("'", "''")}'`);
    expect(code).toBe(0);
    expect(secretReads).toBe(2);
    expect(slept).toHaveLength(1);
  });
});
