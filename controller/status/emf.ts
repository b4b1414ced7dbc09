/**
 * The key metrics as CloudWatch Embedded Metric Format lines in the log, after each pass: on ECS nobody
 * scrapes /metrics, and CloudWatch Logs turns these lines into metrics (namespace OPENCLAW_METRICS_NAMESPACE,
 * dimension Service=controller) that the alarms in terraform/modules/monitoring watch.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Pool } from '../db/pool.js';
import type { PassListener } from '../engine/controller.js';
import type { PassReport } from '../engine/outcome.js';
import type { RuntimePart } from '../runtime.js';
import { realTimer, repeat, type Timer } from '../scheduler/timer.js';
import { PoolQueue } from '../pool/queue.js';
import type { TenantStatusRecord } from './store.js';

export type EmfUnit = 'Count' | 'Milliseconds';

export interface EmfMetric {
  name: string;
  unit: EmfUnit;
  value: number;
}

/** The dimension every metric carries; alarms select it. */
export const EMF_DIMENSION = { Service: 'controller' } as const;

/** Pure: one EMF document (the `_aws` metadata and each value as a top-level member). */
export function emfDocument(namespace: string, at: number, metrics: readonly EmfMetric[]): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: at,
      CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [Object.keys(EMF_DIMENSION)], Metrics: metrics.map((m) => ({ Name: m.name, Unit: m.unit })) }],
    },
    ...EMF_DIMENSION,
    ...Object.fromEntries(metrics.map((m) => [m.name, m.value])),
  };
}

/** What a pass and the state after it say, as metrics. `since` counts are since the previous line. */
export function passMetrics(report: PassReport, facts: { statuses: readonly Pick<TenantStatusRecord, 'conditions'>[]; runsFinished: number; runsFailed: number; awsCalls: number; poolQueueDepth: number }): EmfMetric[] {
  const failures = report.outcomes.filter((o) => o.error).length + (report.fleet.error ? 1 : 0);
  const withCondition = (type: string) => facts.statuses.filter((s) => s.conditions.some((c) => c.type === type && c.status === 'True')).length;
  return [
    { name: 'Passes', unit: 'Count', value: 1 },
    { name: 'SuccessfulPasses', unit: 'Count', value: failures === 0 ? 1 : 0 },
    { name: 'PassDuration', unit: 'Milliseconds', value: report.durationMs },
    { name: 'TenantFailures', unit: 'Count', value: failures },
    { name: 'DegradedTenants', unit: 'Count', value: withCondition('Degraded') },
    { name: 'BudgetExceededTenants', unit: 'Count', value: withCondition('BudgetExceeded') },
    { name: 'AgentRunsFinished', unit: 'Count', value: facts.runsFinished },
    { name: 'AgentRunsFailed', unit: 'Count', value: facts.runsFailed },
    { name: 'AwsCalls', unit: 'Count', value: facts.awsCalls },
    // Pooled runs waiting for a worker: what the pooled workers' service scales on.
    { name: 'PoolQueueDepth', unit: 'Count', value: facts.poolQueueDepth },
  ];
}

export interface MetricsLogContext {
  config: Readonly<Config>;
  log: Logger;
  pools: { scheduler: Pool };
  store: { statuses(): Promise<TenantStatusRecord[]> };
  loop: { onPass(listener: PassListener): void };
  provider: { callCounts(): Record<string, number> };
  now: () => number;
  /** The queue depth's own line comes on this timer (tests drive it). */
  timer?: Timer;
}

/**
 * The queue depth once a minute between passes: the workers' service scales on it (target tracking
 * wants a data point a minute), and passes may be minutes apart (OPENCLAW_RESYNC_INTERVAL).
 */
export const QUEUE_DEPTH_INTERVAL_MS = 60_000;

/** EMF lines after each pass, and the pooled queue's depth every minute, as `tenantctl run` starts them (OPENCLAW_METRICS_EMF, on by default with the aws provider). */
export const metricsLogPart: RuntimePart<MetricsLogContext> = {
  name: 'metrics-log',
  async start(ctx) {
    const { emf, namespace } = ctx.config.metricsLog;
    if (!emf) return { stop: async () => {} };
    const log = ctx.log.child({ component: 'metrics' });
    let since = new Date(ctx.now());
    let callsBefore = totalCalls(ctx.provider.callCounts());
    const queue = new PoolQueue(ctx.pools.scheduler, ctx.now);
    ctx.loop.onPass(async (report) => {
      const until = new Date(ctx.now());
      const [statuses, queued, runs] = await Promise.all([
        ctx.store.statuses(),
        queue.depth(),
        ctx.pools.scheduler.query<{ finished: number; failed: number }>(
          `SELECT count(*)::int AS finished, count(*) FILTER (WHERE status = 'failed')::int AS failed
             FROM openclaw.agent_runs WHERE finished_at > $1 AND finished_at <= $2 AND status IN ('succeeded', 'failed')`,
          [since, until],
        ),
      ]);
      const calls = totalCalls(ctx.provider.callCounts());
      const metrics = passMetrics(report, { statuses, runsFinished: runs.rows[0].finished, runsFailed: runs.rows[0].failed, awsCalls: calls - callsBefore, poolQueueDepth: queued });
      since = until;
      callsBefore = calls;
      log.info(emfDocument(namespace, until.getTime(), metrics), 'metrics');
    });
    const depth = repeat(ctx.timer ?? realTimer, () => QUEUE_DEPTH_INTERVAL_MS, async () => {
      const value = await queue.depth();
      log.info(emfDocument(namespace, ctx.now(), [{ name: 'PoolQueueDepth', unit: 'Count', value }]), 'metrics');
    }, (error) => log.warn({ err: error }, 'could not read the pooled queue\'s depth'), QUEUE_DEPTH_INTERVAL_MS);
    return { stop: () => depth.stop() };
  },
};

function totalCalls(counts: Record<string, number>): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}
