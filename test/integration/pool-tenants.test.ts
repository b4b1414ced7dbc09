/**
 * Pooled tenants on a real PostgreSQL: no schema, roles or secrets of their own; a run's session
 * bound to its tenant for good; and a tier change that moves a tenant's rows between its schema and
 * the shared tables, crash-safe.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIntegrationSecret, parsePooledIntegrations, serializeIntegrationSecret, type ConnectedIntegration } from '../../contract/integration-secret.js';
import { ensurePoolLogin, issuePoolGrant as issueGrant, releasePoolRun } from '../../controller/pool/session.js';
import { localLauncherFor } from '../../controller/compose/launchers.js';
import { renderPlanText } from '../../controller/engine/render.js';
import { desiredTenant } from '../../controller/desired/tenant.js';
import { pooledLauncher } from '../../controller/pool/launcher.js';
import { PoolQueue } from '../../controller/pool/queue.js';
import { PoolWorker } from '../../controller/pool/worker.js';
import { createPool } from '../../controller/db/pool.js';
import { credentialFingerprint } from '../../controller/providers/credentials.js';
import { activeEntry } from '../../controller/scheduler/entries.js';
import { runEnvironment } from '../../controller/scheduler/run-env.js';
import { createWorld, type World } from '../helpers/world.js';

const MICROSOFT_SECRET = 'openclaw/tenants/globex/integrations/microsoft';
const GAVIN_MICROSOFT = 'openclaw/tenants/gavin/integrations/microsoft';
const MICROSOFT: ConnectedIntegration = {
  provider: 'microsoft', accessToken: 'ms-access', refreshToken: 'ms-refresh', expiresAt: '2026-12-03T10:00:00.000Z', scopes: ['Mail.Read'],
  account: 'it@globex.example', connectedAt: '2026-12-01T00:00:00.000Z', lastRefreshAt: null, version: 3,
};
const POOL_PASSWORD = 'pool-test-password-0123456789abcdef';
const WORKER_PASSWORD = 'pool-worker-test-password-0123456789';

function manifest(name: string, tier: string, isolation?: 'silo' | 'pool', integrations: string[] = []): string {
  return [
    'apiVersion: openclaw.io/v1alpha1', 'kind: Tenant', `metadata: { name: ${name} }`, 'spec:',
    `  displayName: ${name}`, `  contact: { email: ops@${name}.example }`, `  tier: ${tier}`,
    ...(isolation ? [`  isolation: ${isolation}`] : []),
    '  agents: [{ name: butler, schedule: "0 7 * * *" }]',
    ...(integrations.length ? [`  integrations: [${integrations.map((p) => `{ provider: ${p} }`).join(', ')}]`] : []), '',
  ].join('\n');
}

let failOn: RegExp | undefined;
let world: World;
let admin: pg.Client;
let firstFleet: string[];
/** Where each tenant was placed, and the isolation it was meant to have, as the first pass left them (later tests move tenants). */
let firstPlacements: unknown[];
let firstDesired: Record<string, string>;

async function loginAs(username: string, password: string): Promise<pg.Client> {
  const url = new URL(world.db.url);
  url.username = username;
  url.password = password;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  return client;
}
const poolSession = () => loginAs('openclaw_pool', POOL_PASSWORD);

/** A run of `tenant` in the queue, claimed by a worker: the only kind a grant may be issued for. */
async function heldRun(tenant: string, runId: string): Promise<void> {
  await admin.query(`INSERT INTO openclaw.pool_queue (run_id, tenant, agent, env, entry, claimed_by, claimed_at, heartbeat_at, attempts)
    VALUES ($1, $2, 'butler', '{}', '{}', 'test-worker', now(), now(), 1) ON CONFLICT (run_id) DO NOTHING`, [runId, tenant]);
}

async function issuePoolGrant(db: pg.Client, tenant: string, runId: string, ttlMs?: number): Promise<string> {
  await heldRun(tenant, runId);
  return issueGrant(db, tenant, runId, ttlMs);
}

async function boundSession(tenant: string, runId: string): Promise<pg.Client> {
  const token = await issuePoolGrant(admin, tenant, runId);
  const client = await poolSession();
  await client.query('SELECT app.bind_pool_session($1)', [token]);
  return client;
}

const count = async (sql: string, params: unknown[] = []) => Number((await admin.query<{ n: string }>(sql, params)).rows[0].n);
const errorOf = (promise: Promise<unknown>) => promise.then(() => undefined, (error: { code?: string; message: string }) => error);

beforeAll(async () => {
  world = await createWorld({ beforeQuery: (text) => { if (failOn?.test(text)) throw new Error(`injected failure at ${failOn.source}`); } });
  world.writeTenant('hooli.yaml', manifest('hooli', 'starter'));
  world.writeTenant('piper.yaml', manifest('piper', 'professional'));
  // Each test that changes a tenant has its own: bighead runs through the queue, gavin moves back out of the pool.
  world.writeTenant('bighead.yaml', manifest('bighead', 'professional'));
  world.writeTenant('gavin.yaml', manifest('gavin', 'professional', 'silo', ['microsoft', 'hubspot']));
  firstFleet = (await world.pass()).fleet.applied.map((c) => c.resource);
  admin = new pg.Client({ connectionString: world.db.url });
  await admin.connect();
  await ensurePoolLogin(admin, { username: 'openclaw_pool', password: POOL_PASSWORD });
  await ensurePoolLogin(admin, { username: 'openclaw_pool_worker', password: WORKER_PASSWORD }, 'worker');
  firstPlacements = (await admin.query(`SELECT tenant, isolation FROM openclaw.tenant_placements ORDER BY tenant`)).rows;
  const desired = await admin.query<{ name: string; isolation: string }>(`SELECT name, desired->>'isolation' AS isolation FROM openclaw.tenants ORDER BY name`);
  firstDesired = Object.fromEntries(desired.rows.map((r) => [r.name, r.isolation]));
  await admin.query(`INSERT INTO app.messages (tenant_id, sender, subject) VALUES ('hooli', 'a@x', 'for hooli'), ('piper', 'b@x', 'for piper'), ('acme', 'c@x', 'for acme')`);
}, 120_000);

afterAll(async () => {
  await admin?.end();
  await world?.close();
});

describe('a pooled tenant', () => {
  it('gets no schema, no roles and no secrets: its tier defaults to pool, and the status says so', async () => {
    expect(await count(`SELECT count(*) AS n FROM pg_namespace WHERE nspname IN ('tenant_hooli', 'tenant_piper')`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM pg_roles WHERE rolname LIKE 'tenant\\_hooli%' OR rolname LIKE 'tenant\\_piper%'`)).toBe(0);
    const secrets = await world.ctx.provider.secrets.list('openclaw/tenants/');
    expect(secrets.map((s) => s.name).filter((n) => /\/(hooli|piper)\//.test(n))).toEqual([]);
    expect(firstPlacements).toEqual([{ tenant: 'bighead', isolation: 'pool' }, { tenant: 'hooli', isolation: 'pool' }, { tenant: 'piper', isolation: 'pool' }]);
    expect(firstDesired).toEqual({ acme: 'silo', bighead: 'pool', gavin: 'silo', globex: 'silo', hooli: 'pool', initech: 'silo', piper: 'pool' });
  });

  it('keeps its private rows in shared tables that are born with row-level security: the first pass finds them right', () => {
    expect(firstFleet).toContain('table/app.messages');
    expect(firstFleet.filter((r) => /app\.(notes|settings|digests)$/.test(r))).toEqual([]);
  });

  it('converges with the silo tenants: a second pass plans nothing', async () => {
    const report = await world.pass();
    expect(report.outcomes.flatMap((o) => o.applied)).toEqual([]);
  });
});

describe("a pooled run's database session", () => {
  it('sees the rows of the tenant it was bound to and no other', async () => {
    const session = await boundSession('hooli', 'run-see');
    expect((await session.query('SELECT tenant_id, subject FROM app.messages')).rows).toEqual([{ tenant_id: 'hooli', subject: 'for hooli' }]);
    await session.end();
  });

  it('cannot change its tenant: not by the setting, not by binding again, not by a role', async () => {
    const session = await boundSession('hooli', 'run-change');
    await session.query(`SELECT set_config('app.tenant_id', 'piper', false)`);
    expect((await session.query('SELECT tenant_id FROM app.messages')).rows).toEqual([{ tenant_id: 'hooli' }]);
    const second = await issuePoolGrant(admin, 'piper', 'run-other');
    expect(await errorOf(session.query('SELECT app.bind_pool_session($1)', [second]))).toMatchObject({ code: '42501', message: 'this session is already bound to a tenant' });
    expect(await errorOf(session.query(`INSERT INTO app.messages (tenant_id, sender, subject) VALUES ('piper', 'x', 'planted')`))).toMatchObject({ code: '42501' });
    expect(await errorOf(session.query(`UPDATE app_private.pool_sessions SET tenant = 'piper'`))).toMatchObject({ code: '42501' });
    expect(await errorOf(session.query(`INSERT INTO app_private.pool_grants VALUES ('\\x00', 'piper', 'r', now() + interval '1 hour')`))).toMatchObject({ code: '42501' });
    expect(await errorOf(session.query('SET ROLE tenant_acme_runtime'))).toMatchObject({ code: '42501' });
    await session.query('SET ROLE openclaw_runtime');
    expect((await session.query('SELECT tenant_id FROM app.messages')).rows).toEqual([]);
    await session.end();
    expect(await count(`SELECT count(*) AS n FROM app.messages WHERE tenant_id = 'piper'`)).toBe(1);
  });

  it('sees nothing before it is bound, and a grant binds once, before its deadline, for the login of the pool only', async () => {
    const unbound = await poolSession();
    expect((await unbound.query('SELECT tenant_id FROM app.messages')).rows).toEqual([]);
    const token = await issuePoolGrant(admin, 'piper', 'run-once');
    await unbound.query('SELECT app.bind_pool_session($1)', [token]);
    const thief = await poolSession();
    expect(await errorOf(thief.query('SELECT app.bind_pool_session($1)', [token]))).toMatchObject({ code: '28000' });
    const expired = await issuePoolGrant(admin, 'piper', 'run-late', -1);
    expect(await errorOf(thief.query('SELECT app.bind_pool_session($1)', [expired]))).toMatchObject({ code: '28000' });
    expect((await thief.query('SELECT tenant_id FROM app.messages')).rows).toEqual([]);
    await Promise.all([unbound.end(), thief.end()]);
  });

  it('logs in with a connection limit and a statement timeout of its own, shared by every pooled run', async () => {
    const { rows } = await admin.query(`SELECT rolconnlimit, rolconfig FROM pg_roles WHERE rolname = 'openclaw_pool'`);
    expect(rows).toEqual([{ rolconnlimit: 100, rolconfig: ['statement_timeout=60000'] }]);
    const session = await poolSession();
    expect((await session.query('SHOW statement_timeout')).rows).toEqual([{ statement_timeout: '1min' }]);
    await session.end();
  });

  it('loses its binding when the worker releases the run', async () => {
    const session = await boundSession('piper', 'run-release');
    await releasePoolRun(admin, 'run-release');
    expect((await session.query('SELECT tenant_id FROM app.messages')).rows).toEqual([]);
    await session.end();
  });
});

describe('a tier change', () => {
  it('moves a silo tenant into the pool with its rows, dropping its schema and roles', async () => {
    await admin.query(`INSERT INTO tenant_globex.notes (title, body) VALUES ('n1', 'first'), ('n2', 'second')`);
    await admin.query(`INSERT INTO tenant_globex.digests (run_id, for_date, item_count, object_key) VALUES ('r1', '2026-12-01', 3, 'tenants/globex/d.md')`);
    await world.ctx.provider.secrets.putValue(MICROSOFT_SECRET, serializeIntegrationSecret(MICROSOFT));
    world.writeTenant('globex.yaml', manifest('globex', 'professional'));
    const { planned } = await world.ctx.loop.planFor(await world.ctx.source.load());
    const text = renderPlanText(planned.plan);
    expect(text).toMatch(/placement\/globex/);
    expect(text).toMatch(/role\/openclaw-tenant-globex/);
    expect(text).toMatch(/secret\/openclaw\/tenants\/globex\/integrations\b/);
    expect(planned.plan.tenants.find((t) => t.tenant === 'globex')!.changes.find((c) => c.resource === 'placement/globex')).toMatchObject({ action: 'update', fields: ['isolation'], before: { isolation: 'silo' }, after: { isolation: 'pool' }, destructive: false });
    const report = await world.pass();
    const applied = report.outcomes.find((o) => o.tenant === 'globex')!.applied.map((c) => `${c.action} ${c.kind} ${c.resource}`);
    expect(applied).toEqual(expect.arrayContaining(['update postgres placement/globex', 'delete postgres role/tenant_globex_runtime', 'delete postgres role/tenant_globex_owner']));
    expect(await count(`SELECT count(*) AS n FROM pg_namespace WHERE nspname = 'tenant_globex'`)).toBe(0);
    const session = await boundSession('globex', 'run-after-move');
    expect((await session.query('SELECT title, body FROM app.notes ORDER BY title')).rows).toEqual([{ title: 'n1', body: 'first' }, { title: 'n2', body: 'second' }]);
    expect((await session.query('SELECT run_id, item_count FROM app.digests')).rows).toEqual([{ run_id: 'r1', item_count: 3 }]);
    await session.end();
    // Its tokens moved too: into its one secret, the per-integration secrets emptied and scheduled for deletion.
    expect((await world.ctx.provider.secrets.list('openclaw/tenants/globex/')).filter((s) => s.deletedAt === undefined).map((s) => s.name)).toEqual(['openclaw/tenants/globex/integrations']);
    expect(parsePooledIntegrations(await world.ctx.provider.secrets.getValue('openclaw/tenants/globex/integrations'))!.integrations).toEqual({ microsoft: MICROSOFT });
  });

  it('moves a pooled tenant into its own schema with its rows; a move cut short is done whole by the next pass', async () => {
    // A pooled tenant with rows and a token: gavin, moved into the pool as the test above moves globex.
    await admin.query(`INSERT INTO tenant_gavin.notes (title, body) VALUES ('n1', 'first'), ('n2', 'second')`);
    await admin.query(`INSERT INTO tenant_gavin.digests (run_id, for_date, item_count, object_key) VALUES ('r1', '2026-12-01', 3, 'tenants/gavin/d.md')`);
    await world.ctx.provider.secrets.putValue(GAVIN_MICROSOFT, serializeIntegrationSecret(MICROSOFT));
    world.writeTenant('gavin.yaml', manifest('gavin', 'professional'));
    await world.pass();
    expect((await admin.query(`SELECT isolation FROM openclaw.tenant_placements WHERE tenant = 'gavin'`)).rows).toEqual([{ isolation: 'pool' }]);

    world.writeTenant('gavin.yaml', manifest('gavin', 'professional', 'silo'));
    failOn = /^DELETE FROM "app"\."digests"/;
    await world.pass();
    failOn = undefined;
    expect(await count(`SELECT count(*) AS n FROM tenant_gavin.notes`)).toBe(0);
    expect((await admin.query(`SELECT isolation FROM openclaw.tenant_placements WHERE tenant = 'gavin'`)).rows).toEqual([{ isolation: 'pool' }]);
    await world.pass();
    expect((await admin.query('SELECT title FROM tenant_gavin.notes ORDER BY title')).rows).toEqual([{ title: 'n1' }, { title: 'n2' }]);
    expect(await count(`SELECT count(*) AS n FROM tenant_gavin.digests`)).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM app.notes WHERE tenant_id = 'gavin'`)).toBe(0);
    expect((await admin.query(`SELECT isolation FROM openclaw.tenant_placements WHERE tenant = 'gavin'`)).rows).toEqual([{ isolation: 'silo' }]);
    const again = await world.pass();
    expect(again.outcomes.flatMap((o) => o.applied)).toEqual([]);
    // Its one secret spread out again: microsoft in its own secret (kept though the manifest no longer lists it: the tokens are the tenant's).
    expect(parseIntegrationSecret(await world.ctx.provider.secrets.getValue(GAVIN_MICROSOFT))).toEqual(MICROSOFT);
    expect((await world.ctx.provider.secrets.list('openclaw/tenants/gavin/integrations')).map((s) => [s.name, s.deletedAt !== undefined]).sort()).toEqual([
      ['openclaw/tenants/gavin/integrations', true], ['openclaw/tenants/gavin/integrations/hubspot', true], [GAVIN_MICROSOFT, false],
    ]);
  });
});

describe('a pooled run', () => {
  it('goes through the queue to a worker that runs the agent bound to its tenant, and ends as the scheduler sees it', async () => {
    await admin.query(`INSERT INTO app.messages (tenant_id, sender, subject, received_at) VALUES ('bighead', 'd@x', 'fresh for bighead', now() - interval '1 hour')`);
    const snapshot = await world.ctx.source.load();
    const entry = activeEntry(desiredTenant(snapshot.tenants.find((t) => t.name === 'bighead')!.manifest, world.ctx.desiredContext), 'bighead', 'butler');
    if (typeof entry === 'string') throw new Error(entry);
    expect(entry.isolation).toBe('pool');
    const queue = new PoolQueue(world.ctx.pool);
    const launcher = pooledLauncher(queue);
    const { taskArn } = await launcher.launch({ runId: 'pooled-run-1', entry, env: runEnvironment(entry, 'pooled-run-1', { arn: (name) => `local:secret:${name}` }) });
    await launcher.launch({ runId: 'pooled-run-1', entry, env: {} });
    expect(await queue.depth()).toBe(1);
    expect((await launcher.describe([taskArn]))[0]).toMatchObject({ status: 'running' });
    const login = { username: 'openclaw_pool', password: POOL_PASSWORD };
    const executor = localLauncherFor(world.ctx.config, { get: async () => ({ ...login, fingerprint: credentialFingerprint(login.password) }) }, world.db.url, { now: Date.now, sleep: async () => {} });
    // The worker on its own login: the queue and the grants through their functions, nothing else.
    const url = new URL(world.db.url);
    url.username = 'openclaw_pool_worker';
    url.password = WORKER_PASSWORD;
    const workerPool = createPool(url.toString(), { log: world.ctx.log, max: 2 });
    // The other tests' runs stay claimed, their heartbeats never renewed: with the default two minutes, a run
    // held that long before this test would count as its worker's dead and be taken here too (a day: never).
    const worker = new PoolWorker({ name: 'test-worker', queue: new PoolQueue(workerPool), pool: workerPool, executor, log: world.ctx.log, staleMs: 86_400_000 });
    expect(await worker.drain(2)).toBe(1);
    await workerPool.end();
    expect((await launcher.describe([taskArn]))[0]).toMatchObject({ status: 'stopped', exitCode: 0 });
    expect(await count(`SELECT count(*) AS n FROM app.digests WHERE tenant_id = 'bighead' AND run_id = 'pooled-run-1'`)).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM app.agent_outputs WHERE tenant_id = 'bighead' AND run_id = 'pooled-run-1'`)).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM app_private.pool_sessions WHERE run_id = 'pooled-run-1'`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM app_private.pool_grants WHERE run_id = 'pooled-run-1'`)).toBe(0);
    await executor.close();
  }, 60_000);
});

describe('the pooled queue', () => {
  it('gives concurrent workers different runs, and a run whose worker stopped beating to the next worker', async () => {
    let clock = Date.parse('2026-12-03T04:00:00Z');
    const queue = new PoolQueue(world.ctx.pool, () => clock);
    const snapshot = await world.ctx.source.load();
    const entry = activeEntry(desiredTenant(snapshot.tenants.find((t) => t.name === 'piper')!.manifest, world.ctx.desiredContext), 'piper', 'butler');
    if (typeof entry === 'string') throw new Error(entry);
    for (const runId of ['q-1', 'q-2', 'q-3']) {
      await queue.enqueue({ runId, tenant: 'piper', agent: 'butler', env: {}, entry });
      clock += 1;
    }
    const workers = ['w1', 'w2', 'w3', 'w4'];
    const claims = await Promise.all(workers.map((w) => queue.claim(w, 60_000)));
    expect(claims.filter(Boolean).map((c) => c!.runId).sort()).toEqual(['q-1', 'q-2', 'q-3']);
    expect(await queue.depth()).toBe(0);
    const dead = claims.findIndex((c) => c?.runId === 'q-1');
    clock += 30_000;
    for (const [i, c] of claims.entries()) if (c && i !== dead) await queue.heartbeat(c.runId, workers[i]);
    expect(await queue.claim('w5', 60_000)).toBeUndefined();
    clock += 45_000;
    const again = await queue.claim('w5', 60_000);
    expect(again).toMatchObject({ runId: 'q-1', attempts: 2 });
    expect(await queue.finish('q-1', 0, null, workers[dead])).toBe(false);
    expect(await queue.finish('q-1', 0, null, 'w5')).toBe(true);
    for (const runId of ['q-2', 'q-3']) await queue.finish(runId, 1, 'test over');
  });
});

describe("the pooled workers' own login", () => {
  it('claims, beats, defers and ends queue rows and issues grants for the runs it holds, through its functions', async () => {
    const worker = await loginAs('openclaw_pool_worker', WORKER_PASSWORD);
    await admin.query(`INSERT INTO openclaw.pool_queue (run_id, tenant, agent, env, entry, enqueued_at) VALUES ('w-1', 'piper', 'butler', '{}', '{}', now() - interval '1 day')`);
    const queue = new PoolQueue(worker);
    expect(await queue.claim('w-login', 60_000)).toMatchObject({ runId: 'w-1', tenant: 'piper', attempts: 1 });
    expect(await queue.defer('w-1', 'w-login', 0)).toBe(true);
    expect(await queue.claim('w-login', 60_000)).toMatchObject({ runId: 'w-1', attempts: 2 });
    await queue.heartbeat('w-1', 'w-login');
    const token = await issueGrant(worker, 'piper', 'w-1');
    const session = await poolSession();
    await session.query('SELECT app.bind_pool_session($1)', [token]);
    expect((await session.query('SELECT tenant_id FROM app.messages')).rows).toEqual([{ tenant_id: 'piper' }]);
    await releasePoolRun(worker, 'w-1');
    expect((await session.query('SELECT tenant_id FROM app.messages')).rows).toEqual([]);
    expect(await queue.finish('w-1', 0, null, 'someone-else')).toBe(false);
    expect(await queue.finish('w-1', 0, null, 'w-login')).toBe(true);
    await Promise.all([session.end(), worker.end()]);
  });

  it("can read no table and write none, and cannot bind a session to a tenant no claimed run of which it holds", async () => {
    const worker = await loginAs('openclaw_pool_worker', WORKER_PASSWORD);
    await heldRun('hooli', 'w-held');
    for (const sql of [
      'SELECT * FROM openclaw.pool_queue', 'SELECT * FROM openclaw.tenants', 'SELECT * FROM openclaw.agent_runs',
      'SELECT * FROM app.messages', 'SELECT * FROM app.notes', 'SELECT * FROM app_private.pool_grants', 'SELECT * FROM app_private.pool_sessions',
      `UPDATE openclaw.pool_queue SET tenant = 'piper' WHERE run_id = 'w-held'`,
      `UPDATE app_private.pool_sessions SET tenant = 'piper'`,
      `INSERT INTO app_private.pool_grants VALUES ('\\x00', 'piper', 'w-held', now() + interval '1 hour')`,
      `INSERT INTO app.messages (tenant_id, sender, subject) VALUES ('piper', 'x', 'planted')`,
      'SET ROLE openclaw_pool', 'SET ROLE openclaw_runtime', 'SELECT app.bind_pool_session($$x$$)',
    ]) expect(await errorOf(worker.query(sql)), sql).toMatchObject({ code: '42501' });
    expect(await errorOf(issueGrant(worker, 'piper', 'w-held'))).toMatchObject({ code: '42501', message: 'no claimed run w-held of tenant piper to grant a session to' });
    expect(await errorOf(issueGrant(worker, 'piper', 'no-such-run'))).toMatchObject({ code: '42501' });
    await admin.query(`UPDATE openclaw.pool_queue SET finished_at = now() WHERE run_id = 'w-held'`);
    expect(await errorOf(issueGrant(worker, 'hooli', 'w-held'))).toMatchObject({ code: '42501' });
    expect(await count(`SELECT count(*) AS n FROM app_private.pool_grants WHERE run_id IN ('w-held', 'no-such-run')`)).toBe(0);
    await worker.end();
  });
});
