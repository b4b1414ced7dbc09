/**
 * The usage view of the ops page in headless Chromium, and the usage API and metrics behind it,
 * against a controller on a real PostgreSQL whose ledger holds a month of runs.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStatusWorld, type StatusWorld } from '../integration/status-world.js';

const CHROMIUM = '/usr/bin/chromium';
const RESULTS = new URL('../../test-results/', import.meta.url).pathname;
const HAIKU = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const NOW = Date.parse('2026-11-20T12:00:00Z');
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`SKIPPED: the usage page browser test needs Debian's chromium at ${CHROMIUM}`);

describe.skipIf(!hasChromium)('the usage view of the ops page', () => {
  let sw: StatusWorld;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const record = (tenant: string, runId: string, meter: string, dimension: string, quantity: number, at: string) => sw.admin.query(
    `INSERT INTO openclaw.usage_records (tenant, run_id, meter, dimension, quantity, occurred_at) VALUES ($1, $2, $3, $4, $5, $6)`,
    [tenant, runId, meter, dimension, quantity, at],
  );
  const tenantOrder = () => page.locator('#usage-table tbody tr.usage-row').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-tenant')));

  beforeAll(async () => {
    sw = await createStatusWorld({ now: () => NOW, degraded: false });
    await record('acme', 'a1', 'fargate_vcpu_seconds', 'spot', 900, '2026-11-03T07:00:00Z');
    await record('acme', 'a1', 'run_seconds', 'butler', 3600, '2026-11-03T07:00:00Z');
    // globex spends $240 of output tokens: past half of its prorated price.
    await record('globex', 'g1', 'model_output_tokens', HAIKU, 60_000_000, '2026-11-05T08:00:00Z');
    await record('initech', 'i1', 'model_input_tokens', HAIKU, 2_000_000, '2026-11-05T09:00:00Z');
    await record('initech', 'i2', 'model_input_tokens', HAIKU, 4_000_000, '2026-11-12T09:00:00Z');
    await record('initech', 'i2', 'fargate_vcpu_seconds', 'on-demand', 36_000, '2026-11-12T09:00:00Z');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => { if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`); });
    mkdirSync(RESULTS, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await sw?.close();
  });

  it('lists the fleet by cost, and by margin on request, highlighting a tenant past the alert share of its price', async () => {
    await page.goto(`${sw.server.url}/`);
    await page.waitForSelector('body[data-usage-loaded="fleet:cost"]');
    expect(await tenantOrder()).toEqual(['globex', 'initech', 'acme']);
    expect(await page.locator('#usage-table tr.over-share').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-tenant')))).toEqual(['globex']);
    // 60,000 × $0.004 of tokens, and 3 secrets × $0.40 × 19.5 of 30 days: $240.78.
    expect(await page.textContent('#usage-table tr[data-tenant="globex"] td.cost')).toBe('$240.78');
    expect(await page.textContent('#usage-table tr[data-tenant="globex"] .over-share-badge')).toBe('Over share');
    await page.selectOption('#usage-sort', 'margin');
    await page.waitForSelector('body[data-usage-loaded="fleet:margin"]');
    // Margins, prorated to 19.5 of 30 days: acme $194.35 − $0.53, globex $454.35 − $240.78, initech $1,299.35 − $5.6.
    expect(await tenantOrder()).toEqual(['acme', 'globex', 'initech']);
  });

  it('charts one tenant’s cost per day by meter, with its cost per meter', async () => {
    await page.goto(`${sw.server.url}/#/tenants/initech`);
    await page.waitForSelector('body[data-usage-loaded="tenant:initech"]');
    const bars = await page.locator('#usage-chart rect.bar').evaluateAll((rects) => rects.map((r) => [r.getAttribute('data-day'), r.getAttribute('data-meter'), Number(r.getAttribute('height'))]));
    expect(bars.map(([day, meter]) => `${day} ${meter}`)).toEqual(['2026-11-05 model_input_tokens', '2026-11-12 model_input_tokens', '2026-11-12 fargate_vcpu_seconds']);
    // $3.20 + $0.40 on the 12th is the tallest day: the 5th's $1.60 bar is half the 12th's token bar.
    expect(bars[0][2] as number).toBeCloseTo((bars[1][2] as number) / 2, 1);
    expect(await page.textContent('#usage-legend')).toBe('model_input_tokensfargate_vcpu_seconds');
    expect(await page.textContent('#detail-usage tr[data-meter="model_input_tokens"]')).toContain('6,000,000');
    expect(await page.textContent('#usage-summary')).toMatch(/^enterprise: cost \$\d+\.\d\d \(usage \$5\.2\d, fixed/);
    await page.screenshot({ path: join(RESULTS, 'usage-page.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('answers the usage API with clear errors for bad input', async () => {
    expect((await sw.fetch('/api/usage?sort=price')).status).toBe(400);
    expect(await (await sw.fetch('/api/usage?from=2026-02-30')).json()).toEqual({ error: 'from "2026-02-30" is not valid (allowed: a date YYYY-MM-DD)' });
    expect((await sw.fetch('/api/tenants/nobody/usage')).status).toBe(404);
    const one = await sw.json('/api/tenants/acme/usage?from=2026-11-01&to=2026-11-30');
    expect(one).toMatchObject({ tenant: 'acme', tier: 'starter', priceUsd: 299, days: [{ day: '2026-11-03' }] });
  });

  it('exports cost and tokens by tier and totals per meter to Prometheus', async () => {
    const metrics = await (await sw.fetch('/metrics')).text();
    expect(metrics).toMatch(/^openclaw_usage_model_tokens\{tier="enterprise"\} 6000000$/m);
    expect(metrics).toMatch(/^openclaw_usage_meter_quantity\{meter="model_output_tokens"\} 60000000$/m);
    expect(metrics).toMatch(/^openclaw_usage_cost_usd\{tier="professional"\} 240\.\d+$/m);
    expect(metrics).not.toMatch(/openclaw_usage_\w+\{[^}]*tenant=/);
  });
});
