/**
 * Signing in to the ops page with OIDC (a local IdP double) in headless Chromium, then acting as an
 * operator from the page: the action lands in the audit log the page shows.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStatusServer, type StatusServer } from '../../controller/status/http.js';
import { startOidcDouble, type OidcDouble } from '../helpers/oidc-double.js';
import { createStatusWorld, type StatusWorld } from '../integration/status-world.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const OPERATOR = { sub: 'u-1', email: 'olivia@example.com', groups: ['platform'] };
const VIEWER = { sub: 'u-2', email: 'victor@example.com', groups: [] };

describe.skipIf(!hasChromium)('the ops page behind an OIDC login, in headless Chromium', () => {
  let sw: StatusWorld;
  let idp: OidcDouble;
  let server: StatusServer;
  let browser: Browser;

  beforeAll(async () => {
    sw = await createStatusWorld({ degraded: false });
    idp = await startOidcDouble('ops-page', OPERATOR);
    const port = await freePort();
    const base = sw.world.ctx.config;
    const auth = {
      ...base.http.auth, operators: ['group:platform'], viewers: ['victor@example.com'],
      oidc: { issuer: idp.issuer, clientId: 'ops-page', redirectUrl: `http://127.0.0.1:${port}/auth/callback`, groupsClaim: 'groups' },
    };
    server = await startStatusServer({ ...sw.world.ctx, config: { ...base, http: { ...base.http, auth } } }, { port, host: '127.0.0.1' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await idp?.close();
    await sw?.close();
  });

  it('refuses the API without a session, and sends a browser opening the page to the login', async () => {
    expect((await fetch(`${server.url}/api/fleet`)).status).toBe(401);
    const page = await fetch(`${server.url}/tenants/acme`, { redirect: 'manual' });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/auth/login?next=%2Ftenants%2Facme');
  });

  it('signs an operator in through the IdP with PKCE, back to the page they asked for, and lets them pause a tenant with an audit record', async () => {
    // The IdP signs in whoever it was last told to: this test's operator, whatever test ran before.
    idp.user = OPERATOR;
    const pkceFailures = idp.pkceFailures;
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/tenants/acme`);
    await page.waitForSelector('body[data-loaded="true"]');
    expect(new URL(page.url()).pathname).toBe('/tenants/acme');
    expect(idp.pkceFailures).toBe(pkceFailures);
    expect(await page.textContent('#whoami')).toBe('olivia@example.com · operator');
    const session = (await context.cookies()).find((c) => c.name === 'openclaw_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

    await page.click('button[data-action="pause"]');
    await page.waitForSelector('button[data-action="resume"]');
    const row = page.locator('#detail-audit tbody tr').first();
    await expect.poll(() => row.textContent()).toContain('olivia@example.com');
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(1, 6)).toEqual(['olivia@example.com', 'operator', 'session', 'pause', 'succeeded']);

    await page.click('button[data-action="resume"]');
    await page.waitForSelector('button[data-action="pause"]');
    await context.close();
  });

  it('shows a viewer the page without action buttons, and the API refuses their change', async () => {
    idp.user = VIEWER;
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/tenants/acme`);
    await page.waitForSelector('body[data-loaded="true"]');
    expect(await page.textContent('#whoami')).toBe('victor@example.com · viewer');
    expect(await page.locator('#detail-actions button').count()).toBe(0);
    const status = await page.evaluate(async () => {
      const me = await (await fetch('/api/me')).json();
      return (await fetch('/api/tenants/acme/pause', { method: 'POST', headers: { 'x-csrf-token': me.csrfToken } })).status;
    });
    expect(status).toBe(403);
    await context.close();
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
