import { CronExpressionParser } from 'cron-parser';
import type { DesiredTenant } from '../desired/types.js';
import { QUOTAS, type QuotaReading } from '../engine/types.js';

/** Fargate's sustained RunTask rate in an account and Region (after a burst of 100): the launches a day it allows. */
export const FARGATE_LAUNCHES_PER_SECOND = 20;
export const FARGATE_LAUNCHES_PER_DAY = FARGATE_LAUNCHES_PER_SECOND * 86_400;

/**
 * Pure: the fires of a cron expression on its busiest day (minutes × hours that match; a day either
 * matches or not), found from the parsed fields rather than by walking the fires, so 100,000 tenants
 * cost 100,000 lookups of a few distinct expressions. An expression that does not parse fires never.
 */
export function firesOnBusiestDay(expression: string, memo: Map<string, number> = new Map()): number {
  let fires = memo.get(expression);
  if (fires === undefined) {
    try {
      const { fields } = CronExpressionParser.parse(expression);
      fires = fields.minute.values.length * fields.hour.values.length;
    } catch {
      fires = 0;
    }
    memo.set(expression, fires);
  }
  return fires;
}

/** What the forecast reads of a tenant: its name, schedules and isolation. */
export interface LaunchingTenant {
  name: string;
  suspended: boolean;
  agents: readonly Pick<DesiredTenant['agents'][number], 'active' | 'schedule'>[];
  isolation?: DesiredTenant['isolation'];
}

/**
 * Pure: the Fargate task launches a tenant's active schedules imply on their busiest day. A pooled
 * tenant launches none: its runs go to the workers' queue, whose tasks are long-lived. (A state recorded
 * before isolation models has no `isolation`: every tenant was silo then.)
 */
export function tenantLaunchesPerDay(tenant: LaunchingTenant | null | undefined, memo?: Map<string, number>): number {
  if (!tenant || tenant.suspended || tenant.isolation === 'pool') return 0;
  return tenant.agents.filter((a) => a.active).reduce((n, a) => n + firesOnBusiestDay(a.schedule, memo), 0);
}

/**
 * Pure: the launches a day that the schedules in force (each tenant's last applied state) and the
 * desired ones imply, against Fargate's launch rate, with the tenants whose desired schedules add launches:
 * a tenant moving from pool to silo adds its runs, one moving into the pool takes them away.
 */
export function launchesReading(desired: readonly LaunchingTenant[], applied: ReadonlyMap<string, LaunchingTenant | null>): QuotaReading {
  const memo = new Map<string, number>();
  let used = 0;
  for (const tenant of applied.values()) used += tenantLaunchesPerDay(tenant, memo);
  let after = 0;
  const addedBy: string[] = [];
  for (const tenant of desired) {
    const launches = tenantLaunchesPerDay(tenant, memo);
    after += launches;
    if (launches > tenantLaunchesPerDay(applied.get(tenant.name), memo)) addedBy.push(tenant.name);
  }
  // Tenants gone from the manifests stop launching.
  return {
    quota: QUOTAS.launchesPerDay, description: 'Agent task launches a day (busiest day; pooled runs launch none)', used, after, addedBy,
    limit: FARGATE_LAUNCHES_PER_DAY, source: `the schedules; Fargate launches ${FARGATE_LAUNCHES_PER_SECOND} tasks a second after a burst of 100`,
  };
}
