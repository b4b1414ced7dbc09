import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isConnected } from '../../contract/integration-secret.js';
import { ApiTokens, generateToken } from '../../controller/status/access/tokens.js';
import { startStatusServer } from '../../controller/status/http.js';
import { createOnboardingWorld, type OnboardingWorld } from './onboarding-world.js';

describe('onboarding links and the OAuth consent', () => {
  let ow: OnboardingWorld;

  beforeAll(async () => {
    ow = await createOnboardingWorld();
  });

  afterAll(async () => {
    await ow?.close();
  });

  /** What a refusal must leave alone: the secret's value and the integration's row. */
  async function snapshot(tenant: string, provider: 'google' | 'microsoft' | 'hubspot') {
    return { secret: await ow.secretText(tenant, provider), row: await ow.integrations.store.get(tenant, provider) };
  }

  it('shows the tenant, the provider and the scopes in words, with one button, and a strict CSP', async () => {
    const link = await ow.link('acme', 'google');
    expect(link.url).toMatch(/\/connect\/[A-Za-z0-9_-]{43}$/);
    const response = await fetch(link.url);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('Acme Bakeries');
    expect(html).toContain('Read your Gmail messages and settings');
    expect(html).toContain('See the events on your Google calendars');
    expect(html.match(/<button/g)).toHaveLength(1);
    expect(html).not.toContain('<script');
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('stores only the hash of a link', async () => {
    const link = await ow.link('acme', 'google');
    const secretPart = link.url.split('/').pop()!;
    const { rows } = await ow.world.ctx.pool.query('SELECT row_to_json(l)::text AS row FROM openclaw.onboarding_links l');
    expect(rows.length).toBeGreaterThan(0);
    for (const { row } of rows) expect(row).not.toContain(secretPart);
  });

  it('connects a tenant: code with PKCE exchanged, tokens, account and scopes in its secret, the link spent', async () => {
    const before = ow.double.state.counts.authorizationCode;
    const link = await ow.link('acme', 'google');
    const { callback, cookie, authorizeUrl } = await ow.consent(link.url, { account: 'owner@acme.example' });
    const authorize = new URL(authorizeUrl);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('access_type')).toBe('offline');
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${ow.server.url}/callback`);
    const response = await ow.callback(callback, cookie);
    const html = await response.text();
    expect(response.status, html).toBe(200);
    expect(html).toContain('owner@acme.example');
    expect(ow.double.state.counts.authorizationCode).toBe(before + 1);

    const secret = await ow.secret('acme', 'google');
    expect(isConnected(secret)).toBe(true);
    if (!isConnected(secret)) return;
    expect(secret.account).toBe('owner@acme.example');
    expect(secret.scopes).toEqual(['https://www.googleapis.com/auth/gmail.readonly', 'https://www.googleapis.com/auth/calendar.readonly']);
    expect(ow.double.state.isActiveRefreshToken(secret.refreshToken)).toBe(true);
    expect(Date.parse(secret.expiresAt)).toBe(ow.clock.now + 3599_000);
    expect(secret.lastRefreshAt).toBeNull();

    const row = await ow.integrations.store.get('acme', 'google');
    expect(row).toMatchObject({ state: 'Connected', account: 'owner@acme.example', version: secret.version });

    const again = await fetch(link.url);
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('already been used');
  });

  it('connects HubSpot, which names the portal and the scopes only through its API', async () => {
    const link = await ow.link('globex', 'hubspot');
    const { callback, cookie } = await ow.consent(link.url, { account: '24681357' });
    expect((await ow.callback(callback, cookie)).status).toBe(200);
    const secret = await ow.secret('globex', 'hubspot');
    expect(isConnected(secret) && secret.account).toBe('24681357');
    expect(isConnected(secret) && secret.scopes).toEqual(['oauth', 'crm.objects.contacts.read', 'sales-email-read']);
  });

  it('refuses an expired link with a page that says what to do, and writes nothing', async () => {
    const link = await ow.link('globex', 'microsoft', 60_000);
    const before = await snapshot('globex', 'microsoft');
    ow.clock.now += 61_000;
    const page = await fetch(link.url);
    expect(page.status).toBe(410);
    const html = await page.text();
    expect(html).toContain('This link has expired');
    expect(html).toContain('What to do next');
    const post = await fetch(link.url, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(post.status).toBe(410);
    expect(await snapshot('globex', 'microsoft')).toEqual(before);
  });

  it('refuses a link that expires between the button and the callback, and writes nothing', async () => {
    const link = await ow.link('globex', 'microsoft', 120_000);
    const { callback, cookie } = await ow.consent(link.url);
    const before = await snapshot('globex', 'microsoft');
    ow.clock.now += 121_000;
    const response = await ow.callback(callback, cookie);
    expect(response.status).toBe(410);
    expect(await snapshot('globex', 'microsoft')).toEqual(before);
  });

  it('refuses a forged state, and writes nothing', async () => {
    const link = await ow.link('initech', 'google');
    const { callback, cookie } = await ow.consent(link.url);
    const before = await snapshot('initech', 'google');
    const forged = new URL(callback);
    forged.searchParams.set('state', 'forged-state-value');
    const response = await ow.callback(forged.toString(), cookie);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('does not match a sign-in started here');
    expect(await snapshot('initech', 'google')).toEqual(before);
  });

  it('refuses a callback from another browser (no cookie), and writes nothing', async () => {
    const link = await ow.link('initech', 'google');
    const { callback } = await ow.consent(link.url);
    const before = await snapshot('initech', 'google');
    const response = await ow.callback(callback);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('same browser');
    expect(await snapshot('initech', 'google')).toEqual(before);
  });

  it('refuses a replayed callback of a used link, and a replayed code at the provider, writing nothing', async () => {
    const first = await ow.link('initech', 'google');
    const done = await ow.consent(first.url, { account: 'it@initech.example' });
    expect((await ow.callback(done.callback, done.cookie)).status).toBe(200);
    const connected = await snapshot('initech', 'google');

    const replay = await ow.callback(done.callback, done.cookie);
    expect(replay.status).toBe(410);
    expect(await snapshot('initech', 'google')).toEqual(connected);

    // The used code with a new consent's state: the provider refuses it (single use), nothing is written.
    const second = await ow.link('initech', 'google');
    const fresh = await ow.consent(second.url);
    const mixed = new URL(fresh.callback);
    mixed.searchParams.set('code', new URL(done.callback).searchParams.get('code')!);
    const invalidBefore = ow.double.state.counts.invalidGrant;
    const response = await ow.callback(mixed.toString(), fresh.cookie);
    expect(response.status).toBe(502);
    expect(await response.text()).toContain('invalid_grant');
    expect(ow.double.state.counts.invalidGrant).toBe(invalidBefore + 1);
    expect(await snapshot('initech', 'google')).toEqual(connected);
  });

  it('refuses a code presented with another consent\'s PKCE verifier, and writes nothing', async () => {
    const a = await ow.consent((await ow.link('globex', 'microsoft')).url);
    const b = await ow.consent((await ow.link('globex', 'microsoft')).url);
    const before = await snapshot('globex', 'microsoft');
    // b's state (so b's verifier) with a's code: the double checks the verifier against a's challenge.
    const mixed = new URL(b.callback);
    mixed.searchParams.set('code', new URL(a.callback).searchParams.get('code')!);
    const response = await ow.callback(mixed.toString(), b.cookie);
    expect(response.status).toBe(502);
    expect(await snapshot('globex', 'microsoft')).toEqual(before);
    // a's code was not spent by the failed attempt with the wrong verifier: a completes.
    expect((await ow.callback(a.callback, a.cookie)).status).toBe(200);
  });

  it('says so when the customer denies consent, keeps the link usable, and writes nothing', async () => {
    const link = await ow.link('globex', 'hubspot');
    const before = await snapshot('globex', 'hubspot');
    const { callback, cookie } = await ow.consent(link.url, { decision: 'deny' });
    const response = await ow.callback(callback, cookie);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Access was not granted');
    expect(await snapshot('globex', 'hubspot')).toEqual(before);
    expect((await fetch(link.url)).status).toBe(200);
  });

  it('answers unknown links and every other path with a page, never the ops API', async () => {
    for (const path of ['/connect/not-a-link', `/connect/${'a'.repeat(43)}`, '/api/tenants', '/metrics', '/', '/healthz']) {
      const response = await fetch(`${ow.server.url}${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.text()).toContain('This link is not valid');
    }
  });

  it('refuses to issue a link for an integration the tenant does not list', async () => {
    await expect(ow.link('acme', 'hubspot')).rejects.toThrow(/does not list hubspot under spec.integrations/);
  });

  it('issues a link to an operator through the ops API, and refuses a viewer', async () => {
    const tokens = new ApiTokens(ow.world.ctx.pool);
    const operator = generateToken();
    const viewer = generateToken();
    await tokens.create('onboarding-operator', 'operator', operator, 'test');
    await tokens.create('onboarding-viewer', 'viewer', viewer, 'test');
    const ops = await startStatusServer(ow.world.ctx, { port: 0, host: '127.0.0.1' });
    try {
      const post = (token: string, path: string, body: unknown) => fetch(`${ops.url}${path}`, {
        method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
      expect((await post(viewer, '/api/tenants/acme/integrations/google/links', {})).status).toBe(403);
      const response = await post(operator, '/api/tenants/acme/integrations/google/links', { expires: '2h' });
      expect(response.status).toBe(201);
      const link = await response.json();
      expect(link).toMatchObject({ tenant: 'acme', provider: 'google' });
      expect(Date.parse(link.expiresAt)).toBe(ow.clock.now + 2 * 3_600_000);
      const secretPart = new URL(link.url).pathname;
      expect((await fetch(`${ow.server.url}${secretPart}`)).status).toBe(200);
      expect((await post(operator, '/api/tenants/acme/integrations/google/links', { expires: 'soon' })).status).toBe(400);
      expect((await post(operator, '/api/tenants/acme/integrations/salesforce/links', {})).status).toBe(400);
      expect((await post(operator, '/api/tenants/acme/integrations/hubspot/links', {})).status).toBe(409);
      const { rows } = await ow.world.ctx.pool.query("SELECT detail::text FROM openclaw.audit WHERE action = 'onboarding-link-issued'");
      expect(rows).toHaveLength(1);
      expect(rows[0].detail).toContain('onboarding-operator');
      expect(rows[0].detail).not.toContain(secretPart.split('/').pop());
    } finally {
      await ops.close();
    }
  });
});
