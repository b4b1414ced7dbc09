/**
 * The ops page in headless Chromium (Debian's package at /usr/bin/chromium, driven by playwright-core,
 * which never downloads a browser of its own), against a controller on a real PostgreSQL.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNotifier } from '../../controller/notify/part.js';
import { createStatusWorld, EXAMPLE_TENANTS, type StatusWorld } from '../integration/status-world.js';

const CHROMIUM = '/usr/bin/chromium';
const RESULTS = new URL('../../test-results/', import.meta.url).pathname;
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`SKIPPED: the status page browser test needs Debian's chromium at ${CHROMIUM} (apt-get install -y chromium; .ci/run installs it)`);

describe.skipIf(!hasChromium)('the ops status page in headless Chromium', () => {
  let sw: StatusWorld;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    sw = await createStatusWorld();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => { if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`); });
    mkdirSync(RESULTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await sw?.close();
  });

  // Every test, whatever runs before it, ran without script errors or content security policy violations.
  afterEach(() => {
    expect(pageErrors.splice(0), 'script errors or content security policy violations').toEqual([]);
  });

  /** The list view, freshly loaded (no filter or detail view left from another test) and filled. */
  const openList = async () => {
    await page.goto('about:blank');
    await page.goto(`${sw.server.url}/`);
    await page.waitForSelector('body[data-loaded="true"]');
  };

  const rows = () => page.locator('#tenants tbody tr.tenant-row');
  const rowNames = () => rows().evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-tenant')));

  it('loads and shows the fleet overview and the example tenants', async () => {
    await openList();
    expect(await rowNames()).toEqual(EXAMPLE_TENANTS);
    expect(await page.textContent('#count-ready')).toBe('2');
    expect(await page.textContent('#count-degraded')).toBe('1');
    expect(await page.textContent('#count-suspended')).toBe('0');
    expect(await page.textContent('#applied-revision')).toMatch(/^dir:/);
    expect(await page.textContent('#last-pass')).toMatch(/ago · \d+\.\ds · \d+ change\(s\)/);
    expect(await page.isHidden('#rejected')).toBe(true);
    expect(await page.textContent('#tenants tbody tr[data-tenant="acme"]')).toContain('starter');
  });

  it('makes a Degraded tenant stand out with the degraded class, a red badge and its error', async () => {
    await openList();
    const globex = page.locator('#tenants tbody tr[data-tenant="globex"]');
    expect(await globex.getAttribute('class')).toContain('degraded');
    expect(await page.locator('#tenants tbody tr.degraded').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-tenant')))).toEqual(['globex']);
    const badge = globex.locator('.degraded-badge');
    expect(await badge.isVisible()).toBe(true);
    expect(await badge.textContent()).toBe('Degraded');
    expect(await globex.textContent()).toContain('could not create postgres schema/tenant_globex: permission denied');
    const background = (name: string) => page.locator(`#tenants tbody tr[data-tenant="${name}"] td`).first().evaluate((td) => getComputedStyle(td).backgroundColor);
    expect(await background('globex')).not.toBe(await background('acme'));
    expect(await page.locator('.card-degraded').getAttribute('class')).toContain('alarm');
    await page.screenshot({ path: join(RESULTS, 'status-page.png'), fullPage: true });
  });

  it('narrows the table with the filter and the state selector', async () => {
    await openList();
    await page.fill('#filter', 'glob');
    expect(await rowNames()).toEqual(['globex']);
    await page.fill('#filter', 'enterprise');
    expect(await rowNames()).toEqual(['initech']);
    await page.fill('#filter', 'degraded');
    expect(await rowNames()).toEqual(['globex']);
    await page.fill('#filter', 'nothing-matches-this');
    expect(await rowNames()).toEqual([]);
    expect(await page.textContent('#shown')).toBe('0 of 3 shown');
    await page.fill('#filter', '');
    await page.selectOption('#state', 'not-ready');
    expect(await rowNames()).toEqual(['globex']);
    await page.selectOption('#state', '');
    expect(await rowNames()).toEqual(EXAMPLE_TENANTS);
  });

  it('opens a tenant detail view with conditions, resources, agents, events and a link to the last digest', async () => {
    // What butler leaves in acme's outbox with the local provider.
    mkdirSync(join(sw.world.dataDir, 'outbox', 'acme'), { recursive: true });
    writeFileSync(join(sw.world.dataDir, 'outbox', 'acme', '20250106T070000Z-digest.r1.acme.eml'), 'Subject: digest\r\n\r\nbody');
    await openList();
    await page.click('#tenants tbody tr[data-tenant="acme"] a');
    await page.waitForSelector('#detail:not([hidden])');
    expect(new URL(page.url()).hash).toBe('#/tenants/acme');
    expect(await page.isHidden('#list-view')).toBe(true);
    // The view opens at once and fills when the tenant's status arrives.
    await page.waitForFunction(() => document.querySelector('#detail-name')?.textContent === 'acme');
    await page.waitForSelector('#detail-conditions tbody tr td');
    const conditions = await page.locator('#detail-conditions tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.children[0].textContent, tr.children[1].textContent]));
    expect(conditions).toContainEqual(['Ready', 'True']);
    expect(conditions).toContainEqual(['Degraded', 'False']);
    expect(await page.locator('#detail-resources tbody tr').count()).toBeGreaterThanOrEqual(1);
    expect(await page.textContent('#detail-agents tbody')).toContain('butler');
    expect(await page.locator('#detail-events tbody tr').count()).toBeGreaterThan(0);
    expect(await page.textContent('#detail-facts')).toContain('starter');
    await page.waitForSelector('#detail-digest a');
    expect(await page.getAttribute('#detail-digest a', 'href')).toBe('/api/tenants/acme/digests/last.eml');
    expect(await page.textContent('#detail-digest a')).toBe('20250106T070000Z-digest.r1.acme.eml');
    await page.click('#back');
    await page.waitForSelector('#list-view:not([hidden])');
  });

  it('opens the detail view from a /tenants/<name> link, and shows text from the store as text', async () => {
    await sw.world.ctx.store.recordEvents([{ type: 'Warning', reason: 'Probe', message: '<img src=x onerror="document.body.dataset.pwned=1"><b>bold</b>', tenant: 'globex' }]);
    await page.goto(`${sw.server.url}/tenants/globex`);
    await page.waitForSelector('#detail:not([hidden]) #detail-events tbody tr td');
    expect(await page.locator('#detail').getAttribute('class')).toContain('degraded');
    expect(await page.textContent('#detail-events tbody')).toContain('<img src=x onerror="document.body.dataset.pwned=1"><b>bold</b>');
    expect(await page.locator('#detail-events img, #detail-events b').count()).toBe(0);
    expect(await page.evaluate(() => document.body.dataset.pwned)).toBeUndefined();
    await page.screenshot({ path: join(RESULTS, 'status-page-detail.png'), fullPage: true });
  });

  it('refreshes without a full reload when a tenant recovers', async () => {
    await openList();
    await page.waitForSelector('#tenants tbody tr.degraded');
    await page.evaluate(() => void Object.assign(window, { stillHere: true }));
    sw.failGlobex = false;
    try {
      await sw.world.pass();
      await page.waitForFunction(() => document.querySelectorAll('#tenants tbody tr.degraded').length === 0 && document.getElementById('count-ready')?.textContent === '3', undefined, { timeout: 15_000 });
      expect(await page.evaluate(() => Reflect.get(window, 'stillHere'))).toBe(true);
      expect(await page.textContent('#count-degraded')).toBe('0');
    } finally {
      // globex Degraded again for whichever tests run after this one: its schema gone, and creating it refused as before.
      sw.failGlobex = true;
      await sw.admin.query('DROP SCHEMA IF EXISTS "tenant_globex" CASCADE');
      await sw.world.pass();
    }
  });

  it('shows each notification channel’s deliveries, and a failure with its reason, never the channel’s secret address', async () => {
    // A Slack hook that takes everything and a webhook that is gone.
    const receiver = createServer((request, response) => {
      request.resume();
      request.on('end', () => void response.writeHead(request.url === '/hook' ? 410 : 200, { 'content-type': 'text/plain' }).end(request.url === '/hook' ? 'gone' : 'ok'));
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const address = receiver.address();
    if (address === null || typeof address === 'string') throw new Error('the receiver has no port');
    const base = `http://127.0.0.1:${address.port}`;
    try {
      const slackUrl = `${base}/slack/T000/B000/hook-secret-of-ops-slack`;
      const channel = (name: string, spec: string) => sw.world.writeTenant(`${name}.yaml`, `apiVersion: openclaw.io/v1alpha1\nkind: NotificationChannel\nmetadata:\n  name: ${name}\nspec:\n${spec}`);
      channel('ops-slack', '  type: slack\n  events: [Degraded]\n  secretRef:\n    name: slack/ops\n');
      channel('ops-hook', `  type: webhook\n  events: [Degraded]\n  secretRef:\n    name: hook-key\n  webhook:\n    url: ${base}/hook\n`);
      await sw.world.ctx.provider.secrets.create('openclaw/notifications/slack/ops', slackUrl, {});
      await sw.world.ctx.provider.secrets.create('openclaw/notifications/hook-key', 'a-webhook-signing-key-of-some-length', {});
      await sw.world.pass();
      const notifier = createNotifier({ ...sw.world.ctx, random: () => 0.5 });
      await notifier.prime();
      await sw.admin.query(`INSERT INTO openclaw.events (type, reason, message, tenant, revision) VALUES ('Warning', 'Degraded', 'Failed: injected by the page test', 'initech', 'dir:test')`);
      expect(await notifier.collect()).toBe(2);
      expect(await notifier.deliverDue()).toEqual({ delivered: 1, retried: 0, failed: 1 });

      await openList();
      await page.waitForSelector('#notify-channels tbody tr[data-channel="ops-hook"]');
      const cells = (channel: string) => page.locator(`#notify-channels tbody tr[data-channel="${channel}"] td`).allTextContents();
      expect((await cells('ops-slack')).slice(0, 6)).toEqual(['ops-slack', 'slack', '0', '1', '0', '0']);
      expect(await cells('ops-hook')).toEqual(['ops-hook', 'webhook', '0', '0', '1', '0', '–', expect.stringMatching(/^the webhook answered HTTP 410: gone \(\d+s ago\)$/)]);
      expect(await page.locator('#notify-channels tbody tr[data-channel="ops-hook"]').getAttribute('class')).toContain('warning');
      const recent = await page.locator('#notify-recent tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.children).slice(1).map((td) => td.textContent)));
      expect(recent).toContainEqual(['ops-slack', 'Degraded', 'initech', 'delivered', '1', '']);
      expect(recent).toContainEqual(['ops-hook', 'Degraded', 'initech', 'failed', '1', 'the webhook answered HTTP 410: gone']);
      const text = await page.textContent('body');
      expect(text).not.toContain('hook-secret-of-ops-slack');
      expect(text).not.toContain('a-webhook-signing-key');
      await page.screenshot({ path: join(RESULTS, 'status-page-notifications.png'), fullPage: true });
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});
