/**
 * Pure cost arithmetic: readings × the price table → dollars, per meter; fixed monthly costs and the
 * tier price prorated over a date range; the margin. No I/O, no clock: tests compute by hand.
 */
import type { Tier } from '../../contract/catalog.js';
import { METERS, type MeterReading } from '../../contract/meters.js';
import type { PriceTable } from './prices.js';

export interface CostLine extends MeterReading {
  costUsd: number;
  /** No price for this dimension (a model missing from the table): costed at 0, and said so. */
  unpriced?: true;
}

const SECONDS_PER_HOUR = 3600;

/** The price of one unit of a meter's dimension, or undefined when the table has none. */
export function unitPrice(meter: string, dimension: string, prices: PriceTable): number | undefined {
  const spot = dimension === 'spot' ? 1 - prices.fargate.spotDiscount : 1;
  switch (meter) {
    case METERS.modelInputTokens: return prices.models[dimension] ? prices.models[dimension].inputPer1k / 1000 : undefined;
    case METERS.modelOutputTokens: return prices.models[dimension] ? prices.models[dimension].outputPer1k / 1000 : undefined;
    case METERS.fargateVcpuSeconds: return (prices.fargate.vcpuHour / SECONDS_PER_HOUR) * spot;
    case METERS.fargateGbSeconds: return (prices.fargate.gbHour / SECONDS_PER_HOUR) * spot;
    case METERS.emailsSent: return prices.ses.per1000Emails / 1000;
    case METERS.connectorItems: return prices.connectorPer1000Items / 1000;
    // Wall-clock time is reported, not charged: the compute it used is in the fargate meters.
    case METERS.runSeconds: return 0;
    default: return undefined;
  }
}

export function costLines(readings: readonly MeterReading[], prices: PriceTable): CostLine[] {
  return readings.map((r) => {
    const price = unitPrice(r.meter, r.dimension, prices);
    return price === undefined ? { ...r, costUsd: 0, unpriced: true } : { ...r, costUsd: r.quantity * price };
  });
}

/** How many months [from, to) spans, day by day: a whole calendar month is 1, 15 days of a 30-day month 0.5. */
export function monthsIn(from: Date, to: Date): number {
  let months = 0;
  let cursor = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  const end = to.getTime();
  while (cursor < end) {
    const day = new Date(cursor);
    const monthStart = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), 1);
    const monthEnd = Date.UTC(day.getUTCFullYear(), day.getUTCMonth() + 1, 1);
    const upTo = Math.min(monthEnd, end);
    months += (upTo - cursor) / (monthEnd - monthStart);
    cursor = upTo;
  }
  return Math.round(months * 1e9) / 1e9;
}

export interface TenantCost {
  tenant: string;
  tier: Tier;
  lines: CostLine[];
  usageUsd: number;
  /** Secrets Manager and the base infrastructure share, prorated over the range. */
  fixedUsd: number;
  costUsd: number;
  priceUsd: number;
  marginUsd: number;
  /** cost ÷ price (0 when the price is 0). */
  costShare: number;
}

export interface FixedFacts {
  /** Secrets the controller keeps for the tenant (its db secret and one per integration). */
  secrets: number;
}

/** One tenant's cost and margin over [from, to). */
export function tenantCost(tenant: string, tier: Tier, readings: readonly MeterReading[], fixed: FixedFacts, range: { from: Date; to: Date }, prices: PriceTable): TenantCost {
  const lines = costLines(readings, prices);
  const months = monthsIn(range.from, range.to);
  const usageUsd = sum(lines.map((l) => l.costUsd));
  const fixedUsd = (fixed.secrets * prices.secretsManager.perSecretMonth + prices.baseInfrastructurePerTenantMonth) * months;
  const costUsd = usageUsd + fixedUsd;
  const priceUsd = prices.tiers[tier] * months;
  return { tenant, tier, lines, usageUsd, fixedUsd, costUsd, priceUsd, marginUsd: priceUsd - costUsd, costShare: priceUsd > 0 ? costUsd / priceUsd : 0 };
}

export function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Dollars for display: cents, or more digits below a cent so small costs do not read as zero. */
export function formatUsd(value: number): string {
  const abs = Math.abs(value);
  const digits = abs === 0 || abs >= 0.01 ? 2 : 6;
  return `${value < 0 ? '-' : ''}$${abs.toFixed(digits)}`;
}
