import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../controller/cli.js';
import { EXIT, type CliIo } from '../../controller/cli/command.js';
import { cliOverrides } from '../../controller/cli/context.js';
import { DEFAULT_PRICES } from '../../controller/usage/prices.js';
import { closePeriod, toJsonLines } from '../../controller/usage/export.js';
import { meterRun } from '../../controller/usage/ledger.js';
import { createPool, type Pool } from '../../controller/db/pool.js';
import { perTestCopy } from '../helpers/per-test.js';
import type { TestDatabase } from '../helpers/postgres.js';
import { createTemplateDatabase } from '../helpers/world.js';

const NOW = Date.parse('2026-12-02T10:00:00Z');
const task = (startIso: string, seconds: number) => ({
  startedAt: Date.parse(startIso), stoppedAt: Date.parse(startIso) + seconds * 1000, resources: { vcpu: 0.25, memoryGb: 0.5, capacity: 'spot' as const },
});

/** Runs metered in October, November and December 2026. */
const RUNS: [id: string, tenant: string, scheduledIso: string, seconds: number][] = [
  ['oct-acme', 'acme', '2026-10-15T07:00:00Z', 120],
  ['nov-acme', 'acme', '2026-11-10T07:00:00Z', 600],
  ['nov-globex', 'globex', '2026-11-12T07:00:00Z', 90],
  ['nov-initech', 'initech', '2026-11-20T07:00:00Z', 30],
  ['dec-acme', 'acme', '2026-12-01T07:00:00Z', 60],
];
const meter = (pool: Pool, id: string, tenant: string, scheduledIso: string, seconds: number) =>
  meterRun(pool, { id, tenant, agent: 'butler', scheduledAt: new Date(scheduledIso) }, task(scheduledIso, seconds));

/** The example tenants applied and the runs above metered, no period closed: the start of every test. */
const meteredDatabase = () => createTemplateDatabase(async (world) => {
  await world.pass();
  for (const run of RUNS) await meter(world.ctx.pool, ...run);
});

interface Billing {
  pool: Pool;
  /** The time tenantctl runs at. */
  now: number;
  tenantctl(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** The files `tenantctl usage export --period` wrote. */
  read(period: string): { jsonl: string; csv: string };
  close(): Promise<void>;
}

/** tenantctl on a copy of the metered database, writing its files to a folder of its own. */
async function openBilling(database: TestDatabase): Promise<Billing> {
  const pool = createPool(database.url, { max: 2 });
  const dir = mkdtempSync(join(tmpdir(), 'usage-export-'));
  const billing: Billing = {
    pool,
    now: NOW,
    async tenantctl(...argv) {
      let stdout = '';
      let stderr = '';
      const io: CliIo = { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, env: { DATABASE_URL: database.url, OPENCLAW_LOG_LEVEL: 'warn' }, cwd: dir };
      cliOverrides.open = { now: () => billing.now };
      try {
        return { code: await main(argv, io), stdout, stderr };
      } finally {
        cliOverrides.open = undefined;
      }
    },
    read: (period) => ({ jsonl: readFileSync(join(dir, `usage-${period}.jsonl`), 'utf8'), csv: readFileSync(join(dir, `usage-${period}.csv`), 'utf8') }),
    async close() {
      await pool.end();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return billing;
}

describe('tenantctl usage and the billing export', () => {
  const billing = perTestCopy(meteredDatabase, openBilling);

  it('shows each tenant’s quantity and cost per meter, its tier price and margin', async () => {
    const { tenantctl } = await billing();
    const { code, stdout } = await tenantctl('usage', '--from', '2026-11-01', '--to', '2026-11-30', '--output', 'json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.tenants.map((t: { tenant: string }) => t.tenant)).toEqual(['acme', 'globex', 'initech']);
    const acme = report.tenants[0];
    expect(acme.lines).toContainEqual({ meter: 'fargate_vcpu_seconds', dimension: 'spot', quantity: 150, costUsd: expect.closeTo(150 / 3600 * 0.04048 * 0.3, 12) });
    expect(acme).toMatchObject({ tier: 'starter', priceUsd: 299, fixedUsd: 0.8 });
    expect(acme.marginUsd).toBeCloseTo(299 - acme.costUsd, 9);
    const text = await tenantctl('usage', 'acme', '--from', '2026-11-01', '--to', '2026-11-30');
    expect(text.stdout).toMatch(/^acme \(starter\): cost \$0\.80 of price \$299\.00, margin \$298\.20 \(cost 0\.3% of price\)$/m);
    expect(text.stdout).toMatch(/^ {2}run_seconds\s+butler\s+600\s+\$0\.00$/m);
    const csv = await tenantctl('usage', '--from', '2026-11-01', '--to', '2026-11-30', '-o', 'csv');
    expect(csv.stdout.split('\r\n')).toContain('globex,professional,run_seconds,butler,90,0.000000,,');
  });

  it('refuses a bad date and a month that has not ended, changing nothing', async () => {
    const { tenantctl, pool } = await billing();
    expect(await tenantctl('usage', '--from', '2026-13-01')).toMatchObject({ code: EXIT.usage, stderr: expect.stringContaining('--from "2026-13-01" is not valid (allowed: a date YYYY-MM-DD)') });
    expect(await tenantctl('usage', 'export', '--period', '2026-12')).toMatchObject({ code: 1, stderr: expect.stringContaining('period 2026-12 has not ended yet') });
    expect(await tenantctl('usage', 'export', '--period', 'november')).toMatchObject({ code: 1, stderr: expect.stringContaining('allowed: a month YYYY-MM') });
    const closed = await pool.query('SELECT count(*)::int AS n FROM openclaw.usage_periods');
    expect(closed.rows[0].n).toBe(0);
  });

  it('writes the same records after a crash between closing a period and writing its files', async () => {
    const { tenantctl, pool, read } = await billing();
    // The close commits, then the process dies before any file is written.
    const { records } = await closePeriod(pool, '2026-10', new Date(NOW), DEFAULT_PRICES);
    const replay = await tenantctl('usage', 'export', '--period', '2026-10');
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain('period 2026-10 was closed');
    expect(read('2026-10').jsonl).toBe(toJsonLines(records));
    expect(records.map((r) => r.tenant)).toEqual(['acme', 'acme', 'acme']);
  });

  it('exports a month as Stripe meter events with a stable identifier per tenant, period and meter', async () => {
    const { tenantctl, read } = await billing();
    // October closed first: November then bills November's runs alone (an unbilled run goes to the next period closed).
    expect((await tenantctl('usage', 'export', '--period', '2026-10')).code).toBe(0);
    const { code, stdout, stderr } = await tenantctl('usage', 'export', '--period', '2026-11');
    expect(code).toBe(0);
    expect(stdout).toContain('period 2026-11 closed: 9 record(s)');
    expect(stderr).toContain('no spec.billing.customerRef for initech');
    const events = read('2026-11').jsonl.trim().split('\n').map((line) => JSON.parse(line));
    expect(events).toHaveLength(6);
    expect(events[0]).toEqual({
      event_name: 'fargate_gb_seconds.spot',
      payload: { stripe_customer_id: 'cus_AcmeBakeries01', value: '300' },
      timestamp: Date.parse('2026-11-30T23:59:59Z') / 1000,
      identifier: expect.stringMatching(/^openclaw-2026-11-[0-9a-f]{40}$/),
    });
    expect(new Set(events.map((e) => e.identifier)).size).toBe(6);
    const csv = read('2026-11').csv.split('\r\n');
    expect(csv[0]).toBe('identifier,event_name,stripe_customer_id,value,timestamp,tenant,period,meter,dimension,quantity,cost_usd');
    expect(csv.filter((l) => l.includes(',initech,'))).toHaveLength(3);
  });

  it('yields the same files when the same period is exported twice', async () => {
    const { tenantctl, read } = await billing();
    expect((await tenantctl('usage', 'export', '--period', '2026-11')).stdout).toContain('period 2026-11 closed: 9 record(s)');
    const first = read('2026-11');
    const again = await tenantctl('usage', 'export', '--period', '2026-11');
    expect(again.stdout).toContain('period 2026-11 was closed');
    expect(read('2026-11')).toEqual(first);
  });

  it('bills a run metered after its month was closed in the next period, never in the past export', async () => {
    const b = await billing();
    const { tenantctl, read } = b;
    expect((await tenantctl('usage', 'export', '--period', '2026-11')).code).toBe(0);
    const first = read('2026-11');
    await meter(b.pool, 'late-acme', 'acme', '2026-11-30T23:00:00Z', 60);
    await tenantctl('usage', 'export', '--period', '2026-11');
    expect(read('2026-11')).toEqual(first);
    b.now = Date.parse('2027-01-02T00:00:00Z');
    expect((await tenantctl('usage', 'export', '--period', '2026-12')).code).toBe(0);
    const december = read('2026-12').jsonl.trim().split('\n').map((line) => JSON.parse(line));
    // dec-acme (60 s) and the late November run (60 s): 120 s × 0.25 vCPU.
    expect(december.find((e) => e.event_name === 'fargate_vcpu_seconds.spot')).toMatchObject({ payload: { value: '30' } });
  });
});
