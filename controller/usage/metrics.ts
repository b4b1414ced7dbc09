/**
 * Usage in Prometheus, month to date (UTC): cost and model tokens by tier — not by tenant, so label
 * cardinality stays bounded whatever the fleet — and quantity and cost per meter. Read at scrape time,
 * one report shared by every gauge of the scrape.
 */
import { Gauge, type Registry } from 'prom-client';
import { TIERS } from '../../contract/catalog.js';
import { costLines } from './cost.js';
import { monthOf, tokensIn, usageReport, type UsageReport, type UsageSource } from './report.js';
import { METER_NAMES } from '../../contract/meters.js';

export function registerUsageMetrics(registry: Registry, source: UsageSource, now: () => number): void {
  const registers = [registry];
  let inflight: Promise<UsageReport | undefined> | undefined;
  const report = () => inflight ??= usageReport(source, { from: monthOf(new Date(now())).from, to: new Date(now()) })
    .catch(() => undefined)
    .finally(() => { inflight = undefined; });
  const byTier = (pick: (t: UsageReport['tenants'][number]) => number) => async function collect(this: Gauge) {
    const read = await report();
    if (!read) return;
    this.reset();
    for (const tier of TIERS) this.set({ tier }, read.tenants.filter((t) => t.tier === tier).reduce((n, t) => n + pick(t), 0));
  };
  const byMeter = (pick: (quantity: number, cost: number) => number) => async function collect(this: Gauge) {
    const read = await report();
    if (!read) return;
    this.reset();
    for (const meter of METER_NAMES) this.set({ meter }, 0);
    for (const t of read.tenants) for (const line of costLines(t.lines, source.prices)) this.inc({ meter: line.meter }, pick(line.quantity, line.costUsd));
  };
  new Gauge({ name: 'openclaw_usage_cost_usd', help: 'Cost this month (UTC) so far, usage and prorated fixed costs, by tenant tier', labelNames: ['tier'], registers, collect: byTier((t) => t.costUsd) });
  new Gauge({ name: 'openclaw_usage_margin_usd', help: 'Tier price minus cost this month (UTC) so far, prorated, by tenant tier', labelNames: ['tier'], registers, collect: byTier((t) => t.marginUsd) });
  new Gauge({ name: 'openclaw_usage_model_tokens', help: 'Model tokens (input and output) this month (UTC) so far, by tenant tier', labelNames: ['tier'], registers, collect: byTier((t) => tokensIn(t.lines)) });
  new Gauge({ name: 'openclaw_usage_meter_quantity', help: 'Quantity of each meter this month (UTC) so far, all tenants', labelNames: ['meter'], registers, collect: byMeter((quantity) => quantity) });
  new Gauge({ name: 'openclaw_usage_meter_cost_usd', help: 'Cost of each meter this month (UTC) so far, all tenants', labelNames: ['meter'], registers, collect: byMeter((_q, cost) => cost) });
}
