import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../controller/cli.js';
import { cliOverrides } from '../../controller/cli/context.js';
import { createLogger } from '../../contract/logger.js';
import { poolWorkerPart } from '../../controller/pool/part.js';
import { butlerTenantYaml, createOnboardingWorld, type OnboardingWorld } from './onboarding-world.js';

/**
 * The path `npm start` gives a new user: connect acme's Google account at the sandbox provider, trigger
 * butler, and find the digest of the sandbox mailbox and calendar in acme's outbox.
 */
describe('a sandbox account connected for acme, then butler triggered', () => {
  let ow: OnboardingWorld;

  beforeAll(async () => {
    ow = await createOnboardingWorld();
    cliOverrides.open = { provider: ow.world.ctx.provider, log: createLogger({ level: 'silent' }) };
  });

  afterAll(async () => {
    cliOverrides.open = undefined;
    await ow?.close();
  });

  async function tenantctl(...argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const status = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), cwd: process.cwd(), env: ow.env });
    return { status, stdout, stderr };
  }

  /** Connects acme's Google account the first time a test needs it; a test that breaks the connection makes it again. */
  let acmeConnection: Promise<void> | undefined;
  const acmeConnected = () => (acmeConnection ??= (async () => {
    const link = await ow.link('acme', 'google');
    const { callback, cookie } = await ow.consent(link.url, { account: 'owner@acme-bakeries.example' });
    expect((await ow.callback(callback, cookie)).status).toBe(200);
  })());

  /** The digests `act` adds to a tenant's outbox, whatever earlier runs left there. */
  async function newMails(tenant: string, act: () => Promise<void>): Promise<string[]> {
    const outbox = join(ow.world.dataDir, 'outbox', tenant);
    const listed = () => (existsSync(outbox) ? readdirSync(outbox) : []);
    const before = new Set(listed());
    await act();
    return listed().filter((f) => !before.has(f)).map((f) => join(outbox, f));
  }

  it('delivers an email to acme’s outbox built from the sandbox mailbox and calendar', async () => {
    await acmeConnected();

    const files = await newMails('acme', async () => {
      const { status, stdout, stderr } = await tenantctl('trigger', 'acme', 'butler');
      expect(stderr).toBe('');
      expect(status, stdout).toBe(0);
    });
    expect(files).toHaveLength(1);
    const mail = await simpleParser(readFileSync(files[0]));
    expect(Array.isArray(mail.to) ? [] : mail.to?.value.map((a) => a.address)).toEqual(['ops@acme-bakeries.example']);
    expect(mail.subject).toMatch(/^Acme Bakeries daily digest, \d{4}-\d{2}-\d{2}: 6 messages, \d+ events?$/);
    expect(mail.text).toContain('Pilot: next steps after Tuesday');
    expect(mail.text).toContain('Pilot kickoff with Northwind');
    expect(mail.html).toContain('<strong>Signed contract attached</strong>');
  }, 120_000);

  it('delivers a pooled tenant’s digest from a pooled worker, which reads the account from the tenant’s one secret', async () => {
    ow.world.writeTenant('hooli.yaml', butlerTenantYaml('hooli', { displayName: 'Hooli', tier: 'starter', providers: ['google'] }));
    await ow.world.pass();
    const link = await ow.link('hooli', 'google');
    const { callback, cookie } = await ow.consent(link.url, { account: 'it@hooli.example' });
    expect((await ow.callback(callback, cookie)).status).toBe(200);
    expect((await ow.world.ctx.provider.secrets.list('openclaw/tenants/hooli/')).map((s) => s.name)).toEqual(['openclaw/tenants/hooli/integrations']);

    let stdout = '';
    const status = await main(['trigger', 'hooli', 'butler'], { stdout: (t) => void (stdout += t), stderr: (t) => void (stdout += t), cwd: process.cwd(), env: ow.env });
    expect(status, stdout).toBe(0);
    expect(stdout).toMatch(/started: pool:/);
    // The workers take the queued run at once; stopping them waits for the run they are on to end.
    const workers = await poolWorkerPart.start(ow.world.ctx);
    await workers.stop();
    const finished = (await ow.world.ctx.pool.query(`SELECT exit_code FROM openclaw.pool_queue WHERE tenant = 'hooli' AND finished_at IS NOT NULL`)).rows;
    expect(finished).toEqual([{ exit_code: 0 }]);
    const [{ n }] = (await ow.world.ctx.pool.query(`SELECT count(*)::int AS n FROM app.messages WHERE tenant_id = 'hooli'`)).rows;
    expect(n).toBe(6);
    const outbox = join(ow.world.dataDir, 'outbox', 'hooli');
    const [file] = readdirSync(outbox);
    const mail = await simpleParser(readFileSync(join(outbox, file)));
    expect(mail.subject).toMatch(/^Hooli daily digest, \d{4}-\d{2}-\d{2}: 6 messages, \d+ events?$/);
    expect(mail.text).toContain('Pilot: next steps after Tuesday');
  }, 120_000);

  it('marks Google ReauthorizationRequired when butler is refused, with the reconnect command in status and no token, until acme connects again', async () => {
    await acmeConnected();
    // The customer removes the app at Google: the token in acme's secret is refused, and no renewed one comes.
    ow.double.state.revokeAccount('google', 'owner@acme-bakeries.example');
    const refused = await tenantctl('trigger', 'acme', 'butler');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('google refused the tenant\'s authorization: the customer must reconnect with tenantctl connect acme google');

    const described = JSON.parse((await tenantctl('describe', 'acme', '--output', 'json')).stdout);
    expect(described.integrations.find((i: { provider: string }) => i.provider === 'google')).toMatchObject({
      state: 'ReauthorizationRequired', connected: false, message: expect.stringMatching(/^reconnect with tenantctl connect acme google \(google refused the authorization in butler run /),
    });
    expect(described.conditions.find((c: { type: string }) => c.type === 'IntegrationsReady')).toMatchObject({ status: 'False', reason: 'ReauthorizationRequired' });
    expect(described.events.map((e: { reason: string; message: string }) => `${e.reason}: ${e.message}`)).toContainEqual(expect.stringMatching(/^ReauthorizationRequired: google refused .*: reconnect with tenantctl connect acme google$/));
    const status = await tenantctl('status');
    expect(status.stdout.split('\n').find((l) => l.startsWith('acme '))).toContain('ReauthorizationRequired: google: reconnect with tenantctl connect acme google');
    for (const token of ow.double.state.issued()) {
      for (const text of [refused.stdout, refused.stderr, status.stdout, JSON.stringify(described)]) expect(text).not.toContain(token);
    }

    const link = await ow.link('acme', 'google');
    const { callback, cookie } = await ow.consent(link.url, { account: 'owner@acme-bakeries.example' });
    expect((await ow.callback(callback, cookie)).status).toBe(200);
    const reconnected = JSON.parse((await tenantctl('describe', 'acme', '--output', 'json')).stdout);
    expect(reconnected.integrations.find((i: { provider: string }) => i.provider === 'google')).toMatchObject({ state: 'Connected', message: null });
    expect((await tenantctl('status')).stdout).not.toContain('ReauthorizationRequired');
  }, 120_000);

  it('lets a recipient unsubscribe in one click (RFC 8058), refuses a forged token changing nothing, and butler then stops emailing them', async () => {
    await acmeConnected();
    const files = await newMails('acme', async () => expect((await tenantctl('trigger', 'acme', 'butler')).status).toBe(0));
    expect(files).toHaveLength(1);
    const mail = await simpleParser(readFileSync(files[0]));
    const header = (name: string) => mail.headerLines.find((h) => h.key === name)?.line.replace(/\r?\n[ \t]+/g, ' ');
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    const listed = /^List-Unsubscribe: <(https?:\/\/[^>]+)>, <mailto:([^>]+)>$/.exec(header('list-unsubscribe') ?? '');
    expect(listed, header('list-unsubscribe')).not.toBeNull();
    const link = new URL(listed![1]);
    expect(link.pathname).toBe('/unsubscribe');
    const token = link.searchParams.get('token')!;

    const optOuts = async () => (await ow.world.ctx.pool.query('SELECT tenant, address FROM openclaw.email_opt_outs ORDER BY tenant, address')).rows;
    const post = (query: string, body = 'List-Unsubscribe=One-Click') => fetch(`${ow.server.url}/unsubscribe?${query}`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body,
    });
    const [payload, signature] = token.split('.');
    const otherRecipient = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), a: 'someone-else@acme-bakeries.example' })).toString('base64url');
    const otherTenant = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), t: 'globex' })).toString('base64url');
    for (const forged of [`${otherRecipient}.${signature}`, `${otherTenant}.${signature}`, `${payload}.${signature.slice(0, -2)}AA`, payload, '']) {
      const refused = await post(`token=${encodeURIComponent(forged)}`);
      expect(refused.status, forged).toBe(403);
      expect(await refused.text()).toContain('This unsubscribe link is not valid');
    }
    // A GET (a person, or a mail client's link scanner) and a POST that is not one-click unsubscribe nobody.
    const shown = await fetch(`${ow.server.url}${link.pathname}${link.search}`);
    expect(shown.status).toBe(200);
    expect(await shown.text()).toContain('name="List-Unsubscribe" value="One-Click"');
    expect((await post(link.search.slice(1), 'List-Unsubscribe=Maybe')).status).toBe(403);
    expect(await optOuts()).toEqual([]);

    try {
      const accepted = await post(link.search.slice(1));
      expect(accepted.status).toBe(200);
      expect(await accepted.text()).toContain('ops@acme-bakeries.example</strong> will no longer receive this digest');
      expect(await optOuts()).toEqual([{ tenant: 'acme', address: 'ops@acme-bakeries.example' }]);

      expect(await newMails('acme', async () => expect((await tenantctl('trigger', 'acme', 'butler')).status).toBe(0))).toEqual([]);
    } finally {
      // Acme's other tests expect ops@ to receive the digest, as before this test opted it out.
      await ow.world.ctx.pool.query(`DELETE FROM openclaw.email_opt_outs WHERE tenant = 'acme' AND address = 'ops@acme-bakeries.example'`);
    }
  }, 120_000);
});
