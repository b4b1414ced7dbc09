/**
 * Usage reports for ops (tenantctl usage, the API, the page): each tenant's quantities and cost
 * per meter over a date range, its fixed costs, tier price and margin. Reads the ledger and the
 * status store only, so it works from any machine that reaches the database.
 */
import type { Pool } from '../db/pool.js';
import type { DesiredTenant } from '../desired/types.js';
import type { StatusStore } from '../status/store.js';
import { tenantCost, type TenantCost } from './cost.js';
import { dailyReadings, readingsByTenant } from './ledger.js';
import { METERS, type MeterReading } from '../../contract/meters.js';
import type { PriceTable } from './prices.js';

export interface UsageRange {
  from: Date;
  to: Date;
}

export interface UsageReport {
  from: string;
  to: string;
  pricesTakenOn: string;
  /** Share of its price past which a tenant's cost is flagged. */
  alertShare: number;
  tenants: (TenantCost & { overShare: boolean })[];
}

export interface UsageSource {
  pool: Pool;
  store: Pick<StatusStore, 'tenantRecords'>;
  prices: PriceTable;
  alertShare: number;
}

/** The usage source of a controller context: its database, status store and configured prices. */
export function usageSourceOf(ctx: { pool: Pool; store: Pick<StatusStore, 'tenantRecords'>; config: { usage: { prices: PriceTable; alertShare: number } } }): UsageSource {
  return { pool: ctx.pool, store: ctx.store, prices: ctx.config.usage.prices, alertShare: ctx.config.usage.alertShare };
}

/** Secrets the controller keeps for a tenant: its db secret and one per integration. */
/** silo: the db secret and one per integration; pool: at most its one secret (counted once it lists an integration). */
export const secretCount = (desired: DesiredTenant) => (desired.isolation === 'pool' ? Math.min(1, desired.secrets.integrations.length) : 1 + desired.secrets.integrations.length);

/** The first instant of the UTC month `at` falls in, and of the next one. */
export function monthOf(at: Date): UsageRange {
  return { from: new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1)), to: new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1)) };
}

const DAY_MS = 86_400_000;

/**
 * `from` and `to` as dates (YYYY-MM-DD, UTC; `to` inclusive); by default the current month to date.
 * A problem names the parameter (`from …`), for the CLI (--from) and the API (?from=) alike.
 */
export function parseRange(from: unknown, to: unknown, now: number): UsageRange | { problem: string } {
  const day = (value: unknown): Date | undefined | null => {
    if (value === undefined) return undefined;
    const parsed = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : undefined;
    return parsed && !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value ? parsed : null;
  };
  const start = day(from);
  const end = day(to);
  if (start === null) return { problem: `from ${JSON.stringify(from)} is not valid (allowed: a date YYYY-MM-DD)` };
  if (end === null) return { problem: `to ${JSON.stringify(to)} is not valid (allowed: a date YYYY-MM-DD)` };
  const range = { from: start ?? monthOf(new Date(now)).from, to: end ? new Date(end.getTime() + DAY_MS) : new Date(now) };
  if (range.to.getTime() <= range.from.getTime()) return { problem: 'to must not be before from' };
  return range;
}

/** Every known tenant (or one), with usage in the range or not: a tenant without runs still has fixed costs and a price. */
export async function usageReport(source: UsageSource, range: UsageRange, tenant?: string): Promise<UsageReport> {
  const [records, usage] = await Promise.all([source.store.tenantRecords(tenant), readingsByTenant(source.pool, { ...range, tenant })]);
  const readings = new Map(usage.map((u) => [u.tenant, u.readings]));
  const tenants = records
    .filter((r) => r.lifecycle === 'Active' || readings.has(r.name))
    .map((r) => {
      const cost = tenantCost(r.name, r.desired.tier, readings.get(r.name) ?? [], { secrets: r.lifecycle === 'Active' ? secretCount(r.desired) : 0 }, range, source.prices);
      return { ...cost, overShare: cost.priceUsd > 0 && cost.costShare > source.alertShare };
    });
  return { from: range.from.toISOString(), to: range.to.toISOString(), pricesTakenOn: source.prices.takenOn, alertShare: source.alertShare, tenants };
}

export interface DailyCost {
  day: string;
  /** Cost per meter that day (all dimensions together). */
  byMeter: Record<string, number>;
  totalUsd: number;
}

/** One tenant's variable cost per UTC day and meter: the page's chart. */
export async function dailyCosts(source: UsageSource, tenant: string, tier: DesiredTenant['tier'], range: UsageRange): Promise<DailyCost[]> {
  const days = await dailyReadings(source.pool, tenant, range);
  return days.map(({ day, readings }) => {
    const cost = tenantCost(tenant, tier, readings, { secrets: 0 }, { from: range.from, to: range.from }, source.prices);
    const byMeter: Record<string, number> = {};
    for (const line of cost.lines) byMeter[line.meter] = (byMeter[line.meter] ?? 0) + line.costUsd;
    return { day, byMeter, totalUsd: cost.usageUsd };
  });
}

/** Model tokens (input and output) among readings. */
export function tokensIn(readings: readonly MeterReading[]): number {
  return readings.filter((r) => r.meter === METERS.modelInputTokens || r.meter === METERS.modelOutputTokens).reduce((n, r) => n + r.quantity, 0);
}
