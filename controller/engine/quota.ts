import type { QuotaForecast, QuotaForecastRow, QuotaReading, TenantPlan } from './types.js';

export type { QuotaForecast, QuotaForecastRow, QuotaReading } from './types.js';

/**
 * The account's headroom under the quotas a revision can exhaust, and the revision's forecast against
 * it. Pure: the readings come from the provider (IAM's account summary, Service Quotas), the modules'
 * observations (the bucket's lifecycle rules, the secrets listed) and the schedules; the planner counts
 * what the plan adds and holds the tenants that would take the account past a quota.
 */

/** Controller state key: the forecast of the last full pass (the API and the page show it). */
export const HEADROOM_STATE = 'headroom';

/**
 * Pure: the forecast of `plans` against `readings`, and the tenants held because of it. A change that
 * creates a resource counted by a quota names it (`Change.quota`); a delete frees one. A quota is
 * crossed when the revision adds to it and the total after it exceeds the limit: every tenant adding to
 * a crossed quota is held, with the numbers, until the account has room (the quota is raised, or the
 * revision asks less). A paused tenant adds nothing this pass.
 */
export function forecastQuotas(readings: readonly QuotaReading[], plans: readonly TenantPlan[], now: number): { forecast: QuotaForecast; held: { tenant: string; reason: string }[] } {
  const rows: QuotaForecastRow[] = [];
  const held = new Map<string, string>();
  for (const reading of readings) {
    const byTenant = new Map<string, number>();
    for (const plan of plans) {
      if (plan.paused) continue;
      for (const change of plan.changes) {
        if (change.quota !== reading.quota || change.conflict) continue;
        const delta = change.action === 'create' ? 1 : change.action === 'delete' ? -1 : 0;
        if (delta !== 0) byTenant.set(plan.tenant, (byTenant.get(plan.tenant) ?? 0) + delta);
      }
    }
    const counted = [...byTenant.values()].reduce((a, b) => a + b, 0);
    const after = reading.after ?? (reading.used === undefined ? undefined : reading.used + counted);
    const adds = reading.after !== undefined && reading.used !== undefined ? reading.after - reading.used : counted;
    const headroom = reading.limit !== undefined && after !== undefined ? reading.limit - after : undefined;
    const crosses = adds > 0 && headroom !== undefined && headroom < 0;
    rows.push({ ...reading, adds, ...(after !== undefined ? { after } : {}), ...(headroom !== undefined ? { headroom } : {}), crosses });
    if (!crosses) continue;
    const adding = reading.addedBy ?? [...byTenant].filter(([, n]) => n > 0).map(([tenant]) => tenant);
    const reason = `${reading.description}: this revision adds ${adds} to ${reading.used ?? 'unknown'} in use, ${after} > the limit of ${reading.limit} (${reading.source}); held until the account has room`;
    for (const tenant of adding) if (!held.has(tenant)) held.set(tenant, reason);
  }
  return { forecast: { at: new Date(now).toISOString(), rows }, held: [...held].map(([tenant, reason]) => ({ tenant, reason })) };
}

const num = (n: number | undefined) => (n === undefined ? 'unknown' : n.toLocaleString('en-US'));

/** One line per quota, for `tenantctl plan` and the logs: `IAM roles: 940 of 1,000 used, +70 → 1,010, over by 10`. */
export function formatForecastRow(row: QuotaForecastRow): string {
  const change = row.adds === 0 ? 'no change' : `${row.adds > 0 ? '+' : ''}${num(row.adds)} → ${num(row.after)}`;
  const room = row.headroom === undefined ? 'headroom unknown' : row.headroom < 0 ? `over by ${num(-row.headroom)}` : `${num(row.headroom)} left`;
  return `${row.description}: ${num(row.used)} of ${num(row.limit)} used, ${change}, ${room}${row.crosses ? ' (HELD)' : ''} [${row.source}]`;
}

/** The forecast as a table, for a pull-request comment. */
export function forecastMarkdown(forecast: QuotaForecast): string[] {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  return [
    '#### Account headroom', '', '| quota | used | this revision | after | limit | headroom | source |', '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...forecast.rows.map((r) => `| ${cell(r.description)}${r.crosses ? ' :no_entry:' : ''} | ${num(r.used)} | ${r.adds > 0 ? '+' : ''}${num(r.adds)} | ${num(r.after)} | ${num(r.limit)} | ${num(r.headroom)} | ${cell(r.source)} |`),
    '',
  ];
}
