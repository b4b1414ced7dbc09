/**
 * Operator actions through the API and the CLI run the same code and land in one audit log, which the
 * API, `tenantctl describe` and the tenant detail show.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../controller/cli.js';
import { startStatusServer, type StatusServer } from '../../controller/status/http.js';
import { ApiTokens, generateToken } from '../../controller/status/access/tokens.js';
import { createStatusWorld, type StatusWorld } from './status-world.js';

describe('operator actions and the audit log', () => {
  let sw: StatusWorld;
  let server: StatusServer;
  const operator = generateToken();
  const viewer = generateToken();

  beforeAll(async () => {
    sw = await createStatusWorld({ degraded: false, extraEnv: { OPENCLAW_ROTATION_GRACE: '10ms' } });
    const tokens = new ApiTokens(sw.world.ctx.pool);
    await tokens.create('release-bot', 'operator', operator, 'test');
    await tokens.create('dashboards', 'viewer', viewer, 'test');
    server = await startStatusServer(sw.world.ctx, { port: 0, host: '0.0.0.0', announce: () => {} });
  });

  afterAll(async () => {
    await server?.close();
    await sw?.close();
  });

  const post = (path: string, token: string, body?: object) => fetch(`${server.url}${path}`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
  });
  const get = async (path: string) => (await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${viewer}` } })).json();
  const condition = async (tenant: string, type: string) => (await get(`/api/tenants/${tenant}`)).conditions.find((c: { type: string }) => c.type === type);

  const databaseTime = async () => (await sw.admin.query<{ now: Date }>('SELECT clock_timestamp() AS now')).rows[0].now.getTime();

  async function tenantctl(...argv: string[]) {
    let stdout = '';
    let stderr = '';
    const env = { DATABASE_URL: sw.world.db.url, OPENCLAW_TENANTS_DIR: sw.world.tenantsDir, OPENCLAW_DATA_DIR: sw.world.dataDir, USER: 'dana', OPENCLAW_LOG_LEVEL: 'warn' };
    const code = await main(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, env, cwd: sw.world.dataDir });
    return { code, stdout, stderr };
  }

  it('pauses and resumes a tenant from the API, and records who did it, in which role, on which revision', async () => {
    // What acme's detail showed before: another test may have started one of its runs first.
    const earlier = (await get('/api/tenants/acme')).audit.map((a: { action: string }) => a.action);
    const before = await databaseTime();
    const paused = await post('/api/tenants/acme/pause', operator);
    const after = await databaseTime();
    expect(paused.status).toBe(200);
    expect(await paused.json()).toMatchObject({ tenant: 'acme', done: true, changed: true, paused: true });
    expect(await condition('acme', 'Paused')).toMatchObject({ status: 'True' });

    const { entries } = await get('/api/audit');
    const revision = (await get('/api/fleet')).appliedRevision.revision;
    expect(entries[0]).toMatchObject({ actor: 'token:release-bot', role: 'operator', via: 'token', action: 'pause', target: 'acme', tenant: 'acme', revision, result: 'succeeded' });
    // Stamped by the database when the action ran.
    expect(Date.parse(entries[0].at)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(entries[0].at)).toBeLessThanOrEqual(after);

    expect((await post('/api/tenants/acme/resume', operator)).status).toBe(200);
    expect(await condition('acme', 'Paused')).toMatchObject({ status: 'False' });
    const detail = await get('/api/tenants/acme');
    expect(detail.audit.map((a: { action: string }) => a.action)).toEqual(['resume', 'pause', ...earlier]);
  });

  it('refuses a viewer, changes nothing, and records the refusal', async () => {
    const before = (await get('/api/audit')).entries.length;
    expect((await post('/api/tenants/acme/pause', viewer)).status).toBe(403);
    const { entries } = await get('/api/audit');
    expect(entries.length).toBe(before + 1);
    expect(entries[0]).toMatchObject({ action: 'POST /api/tenants/acme/pause', result: 'refused', role: 'viewer' });
    expect(await condition('acme', 'Paused')).toMatchObject({ status: 'False' });
  });

  it('rotates a password from the API and records the new fingerprint, never the password', async () => {
    const before = await sw.passwords();
    const response = await post('/api/tenants/initech/rotate', operator);
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ tenant: 'initech', rotated: true, roleUpdated: true });
    const after = await sw.passwords();
    expect(after).not.toEqual(before);
    const { entries } = await get('/api/audit?tenant=initech');
    expect(entries[0]).toMatchObject({ action: 'rotate', result: 'succeeded', message: `fingerprint ${body.fingerprint}` });
    for (const password of after) expect(JSON.stringify(entries)).not.toContain(password);
  });

  it('records a failed action with its reason', async () => {
    const response = await post('/api/tenants/nosuch/pause', operator);
    expect(response.status).toBe(409);
    const { entries } = await get('/api/audit?tenant=nosuch');
    expect(entries[0]).toMatchObject({ action: 'pause', result: 'failed', message: expect.stringContaining('tenant nosuch is not declared') });
  });

  it('confirms a held deletion from the API, as the CLI does, with a DeletionConfirmed event', async () => {
    const response = await post('/api/deletions/abcdef1234/confirm', operator);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ confirmed: true, revision: 'abcdef1234', tenants: null });
    expect((await post('/api/deletions/not-a-sha/confirm', operator)).status).toBe(400);
    const { entries } = await get('/api/audit');
    expect(entries[0]).toMatchObject({ action: 'confirm-deletion', target: 'abcdef1234', result: 'succeeded' });
    const events = await sw.world.ctx.store.events({ limit: 5 });
    expect(events.some((e) => e.reason === 'DeletionConfirmed' && e.message.startsWith('token:release-bot confirmed'))).toBe(true);
  });

  it('starts a run from the API and records how it ended', async () => {
    expect((await post('/api/tenants/acme/runs', operator, {})).status).toBe(400);
    const response = await post('/api/tenants/acme/runs', operator, { agent: 'scout' });
    expect(response.status).toBe(202);
    await server.settled();
    const entry = (await get('/api/audit?tenant=acme')).entries.find((e: { action: string }) => e.action === 'trigger');
    expect(entry).toMatchObject({ target: 'acme/scout', result: 'failed', actor: 'token:release-bot' });
  });

  it('records CLI verbs in the same log, shown by tenantctl describe', async () => {
    const paused = await tenantctl('pause', 'globex');
    expect(paused).toMatchObject({ code: 0, stdout: 'Tenant globex paused.\n' });
    expect((await tenantctl('resume', 'globex')).code).toBe(0);
    const described = await tenantctl('describe', 'globex');
    expect(described.stdout).toMatch(/Operator Actions:\n\s+Action\s+Target\s+Result\s+Who\s+Role\s+Via/);
    expect(described.stdout).toMatch(/resume\s+globex\s+succeeded\s+dana\s+operator\s+cli/);
    expect(described.stdout).toMatch(/pause\s+globex\s+succeeded\s+dana\s+operator\s+cli/);
  });
});
