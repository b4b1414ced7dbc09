/** Measuring one pass: wall time, controller CPU, AWS calls by operation, throttling, PostgreSQL statements. */
import type { PassReport } from '../controller/engine/reconciler.js';
import { callClass } from '../controller/providers/aws/rate-limit.js';
import { round } from './limits.js';
import type { BenchController, World } from './world.js';

export interface CallSummary {
  total: number;
  reads: number;
  writes: number;
  /** `service:Operation` → calls (throttled attempts and retries included). */
  byOperation: Record<string, number>;
  byService: Record<string, { reads: number; writes: number }>;
}

export interface PassMeasurement {
  wallMs: number;
  /** process.cpuUsage() delta, user + system: the controller and pg client, and the AWS double when it is in this process (--aws-double inline); not the PostgreSQL server. */
  cpuMs: number;
  aws: CallSummary;
  throttled: { total: number; byOperation: Record<string, number> };
  postgres: {
    /** The pool's statement counter: writes to tenant resources (not the controller's own status). */
    resourceWrites: number;
    writes: number;
    reads: number;
    /** Catalog and migration-ledger reads (in a pass without changes: the observation), the controller's own tables, everything else. */
    catalogQueries: number;
    bookkeepingStatements: number;
    otherStatements: number;
  };
  pass: { tenants: number; changesApplied: number; errors: number; firstError?: string };
  rssMB: number;
}

export function diffCounts(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [key, value] of Object.entries(after)) {
    const delta = value - (before[key] ?? 0);
    if (delta > 0) result[key] = delta;
  }
  return Object.fromEntries(Object.entries(result).sort(([a], [b]) => (a < b ? -1 : 1)));
}

export function summarize(byOperation: Record<string, number>): CallSummary {
  const summary: CallSummary = { total: 0, reads: 0, writes: 0, byOperation, byService: {} };
  for (const [name, count] of Object.entries(byOperation)) {
    const [service, operation] = name.split(':');
    const cls = callClass(operation) === 'read' ? 'reads' : 'writes';
    summary.total += count;
    summary[cls] += count;
    summary.byService[service] ??= { reads: 0, writes: 0 };
    summary.byService[service][cls] += count;
  }
  return summary;
}

/** Runs `pass` and measures it on `controller` (its provider's calls) and the world (the account's throttling). */
export async function measure(world: Pick<World, 'quotas'>, controller: BenchController, pass: () => Promise<PassReport | undefined>): Promise<PassMeasurement & { report?: PassReport }> {
  const calls = controller.ctx.provider.callCounts();
  const throttled = Object.fromEntries(world.quotas.throttled);
  const counter = { ...controller.counter };
  const statements = { ...controller.statements };
  const cpu = process.cpuUsage();
  const started = performance.now();
  const report = await pass();
  const wallMs = performance.now() - started;
  const cpuUsed = process.cpuUsage(cpu);
  const throttledNow = diffCounts(throttled, Object.fromEntries(world.quotas.throttled));
  const errors = report?.outcomes.filter((o) => o.error) ?? [];
  return {
    wallMs: round(wallMs, 1),
    cpuMs: round((cpuUsed.user + cpuUsed.system) / 1000, 1),
    aws: summarize(diffCounts(calls, controller.ctx.provider.callCounts())),
    throttled: { total: Object.values(throttledNow).reduce((a, b) => a + b, 0), byOperation: throttledNow },
    postgres: {
      resourceWrites: controller.counter.resourceWrites - counter.resourceWrites,
      writes: controller.counter.writes - counter.writes,
      reads: controller.counter.reads - counter.reads,
      catalogQueries: controller.statements.catalog - statements.catalog,
      bookkeepingStatements: controller.statements.bookkeeping - statements.bookkeeping,
      otherStatements: controller.statements.other - statements.other,
    },
    pass: {
      tenants: report?.outcomes.length ?? 0,
      changesApplied: report?.changesApplied ?? 0,
      errors: errors.length,
      ...(errors[0]?.error ? { firstError: `${errors[0].tenant}: ${errors[0].error.message}` } : {}),
    },
    rssMB: round(process.memoryUsage().rss / 2 ** 20, 1),
    report,
  };
}

/** a / b, rounded; undefined when either side is missing or b is 0. */
export function ratio(a: number | undefined, b: number | undefined, digits = 2): number | undefined {
  if (a === undefined || b === undefined || b === 0) return undefined;
  return round(a / b, digits);
}
