/**
 * A customer connects an account in headless Chromium (Debian's package, driven by playwright-core):
 * the link page, the button, the provider's consent page (the stateful double), the callback page,
 * then the tenant's secret and status. Any CSP violation or script error fails the test.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isConnected, parsePooledIntegrations } from '../../contract/integration-secret.js';
import { describeTenant } from '../../controller/status/views.js';
import { butlerTenantYaml, createOnboardingWorld, type OnboardingWorld } from '../integration/onboarding-world.js';

const CHROMIUM = '/usr/bin/chromium';
const RESULTS = new URL('../../test-results/', import.meta.url).pathname;
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`SKIPPED: the onboarding browser test needs Debian's chromium at ${CHROMIUM} (apt-get install -y chromium; .ci/run installs it)`);

describe.skipIf(!hasChromium)('a customer connects an account in a browser', () => {
  let ow: OnboardingWorld;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    ow = await createOnboardingWorld();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    // A failure page's own status (410, 400) is reported as a failed load: expected. A CSP violation is not.
    page.on('console', (message) => {
      if (message.type() === 'error' && !/^Failed to load resource: the server responded with a status of (400|410)/.test(message.text())) problems.push(`console: ${message.text()}`);
    });
    mkdirSync(RESULTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await ow?.close();
  });

  it('goes from the link to a connected integration: link page, consent, callback, secret filled, status connected', async () => {
    const link = await ow.link('globex', 'microsoft');
    await page.goto(link.url);
    expect(await page.textContent('h1')).toBe('Connect a Microsoft 365 account to Globex Logistics');
    expect(await page.locator('#scopes li').allTextContents()).toEqual([
      'Read your Outlook mail (no sending, no deleting)', 'Read your Outlook calendars (no changes)',
      'Read your name and email address, to show which account is connected', 'Keep this access when you are not signed in (until you disconnect)',
    ]);
    expect(await page.locator('button').count()).toBe(1);
    await page.screenshot({ path: join(RESULTS, 'onboarding-link.png'), fullPage: true });

    await Promise.all([page.waitForURL(/\/microsoft\/authorize\?/), page.click('#continue')]);
    expect(await page.textContent('#banner')).toContain('SANDBOX');
    await page.fill('#account', 'it@globex.example');
    await Promise.all([page.waitForURL(/\/callback\?/), page.click('#approve')]);
    expect(await page.textContent('h1')).toBe('Microsoft 365 is connected');
    expect(await page.textContent('#account')).toBe('it@globex.example');
    await page.screenshot({ path: join(RESULTS, 'onboarding-connected.png'), fullPage: true });

    const secret = await ow.secret('globex', 'microsoft');
    expect(isConnected(secret) && secret.account).toBe('it@globex.example');
    expect(isConnected(secret) && secret.scopes).toContain('offline_access');
    const detail = await describeTenant({ pool: ow.world.ctx.pool, store: ow.world.ctx.store }, 'globex');
    expect(detail!.integrations.find((i) => i.provider === 'microsoft')).toMatchObject({ connected: true, state: 'Connected', account: 'it@globex.example' });

    // The link is spent: opening it again says so.
    await page.goto(link.url);
    expect(await page.textContent('h1')).toBe('This link has already been used');
    expect(await page.textContent('#next')).toContain('What to do next');
    expect(problems).toEqual([]);
  });

  it('connects a pooled tenant the same way, into its one secret', async () => {
    ow.world.writeTenant('hooli.yaml', butlerTenantYaml('hooli', { displayName: 'Hooli', tier: 'professional', providers: ['google'] }));
    await ow.world.pass();
    const link = await ow.link('hooli', 'google');
    await page.goto(link.url);
    expect(await page.textContent('h1')).toBe('Connect a Google account to Hooli');
    await Promise.all([page.waitForURL(/\/google\/authorize\?/), page.click('#continue')]);
    await page.fill('#account', 'it@hooli.example');
    await Promise.all([page.waitForURL(/\/callback\?/), page.click('#approve')]);
    expect(await page.textContent('#account')).toBe('it@hooli.example');

    expect((await ow.world.ctx.provider.secrets.list('openclaw/tenants/hooli/')).map((s) => s.name)).toEqual(['openclaw/tenants/hooli/integrations']);
    const document = parsePooledIntegrations(await ow.world.ctx.provider.secrets.getValue('openclaw/tenants/hooli/integrations'));
    expect(document?.integrations.google).toMatchObject({ account: 'it@hooli.example', version: 1 });
    const detail = await describeTenant({ pool: ow.world.ctx.pool, store: ow.world.ctx.store }, 'hooli');
    expect(detail!.integrations).toMatchObject([{ provider: 'google', connected: true, state: 'Connected', account: 'it@hooli.example' }]);
    expect(problems).toEqual([]);
  });

  it('shows a page with what to do next when the customer denies consent, and the link still works', async () => {
    const link = await ow.link('globex', 'hubspot');
    await page.goto(link.url);
    await Promise.all([page.waitForURL(/\/hubspot\/authorize\?/), page.click('#continue')]);
    await Promise.all([page.waitForURL(/\/callback\?/), page.click('#deny')]);
    expect(await page.textContent('h1')).toBe('Access was not granted');
    expect(await page.textContent('#next')).toContain('open your onboarding link again');
    await page.goto(link.url);
    expect(await page.locator('#continue').count()).toBe(1);
    expect(isConnected(await ow.secret('globex', 'hubspot'))).toBe(false);
    expect(problems).toEqual([]);
  });
});
