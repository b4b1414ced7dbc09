/**
 * Prometheus metrics of one controller, in a registry of its own (never prom-client's global one,
 * so two controllers in one process, as in tests, do not collide). Pass metrics are counted from
 * each pass report; fleet and provider figures are read when Prometheus scrapes.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { executionOrder } from '../engine/planner.js';
import type { PassReport, PlannedPass, TenantOutcome } from '../engine/reconciler.js';
import type { ResourceModule, TenantPlan } from '../engine/types.js';
import type { Logger } from 'pino';
import type { Pool } from '../db/pool.js';
import type { ControllerLoop } from '../engine/controller.js';
import type { Reconciler } from '../engine/reconciler.js';
import type { Provider } from '../providers/types.js';
import type { StatusStore } from './store.js';
import { CONDITION_TYPES } from './conditions.js';
import { RunHistory } from '../scheduler/history.js';
import { AWS_REACHABLE_KEY, type AwsReachableCondition } from '../scheduler/reachability.js';

/** What the metrics read: the pass reports, the backoff, the provider's call counts and the status tables. */
export interface MetricsContext {
  pool: Pool;
  store: StatusStore;
  provider: Pick<Provider, 'callCounts' | 'throttleCounts'>;
  reconciler: Pick<Reconciler, 'modules' | 'backoff'>;
  loop: ControllerLoop;
  log: Logger;
}

export interface StatusMetrics {
  registry: Registry;
  /** Counts one pass: call from the loop's pass listener. */
  observePass(report: PassReport, pass: PlannedPass): void;
}

/** Result of one reconcile of one resource kind for one tenant. */
export type ReconcileResult = 'unchanged' | 'changed' | 'failed' | 'blocked' | 'conflict' | 'skipped';

export function createMetrics(ctx: MetricsContext): StatusMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'openclaw_' });
  const registers = [registry];

  const reconciles = new Counter({ name: 'openclaw_reconciles_total', help: 'Reconciles of one resource kind of one tenant, by kind and result', labelNames: ['kind', 'result'], registers });
  const changes = new Counter({ name: 'openclaw_resource_changes_total', help: 'Changes applied, by resource kind and action', labelNames: ['kind', 'action'], registers });
  const drift = new Counter({ name: 'openclaw_drift_corrected_total', help: 'Out-of-band changes found and corrected, by resource kind', labelNames: ['kind'], registers });
  const passes = new Counter({ name: 'openclaw_reconcile_passes_total', help: 'Reconcile passes, by result (ok, or errors when any tenant failed)', labelNames: ['result'], registers });
  const duration = new Histogram({
    name: 'openclaw_reconcile_pass_duration_seconds', help: 'Duration of reconcile passes', registers,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
  });

  new Gauge({
    name: 'openclaw_queue_depth', help: 'Tenants whose backoff has expired and that wait for the next pass', registers,
    collect() { this.set(ctx.reconciler.backoff.dueTenants().length); },
  });
  new Gauge({
    name: 'openclaw_tenants_backoff', help: 'Tenants with failures pending a retry (or stopped on a terminal error)', registers,
    collect() {
      const tenants = ctx.loop.lastReport?.outcomes.map((o) => o.tenant) ?? [];
      this.set(tenants.filter((t) => ctx.reconciler.backoff.failures(t) > 0).length);
    },
  });

  new Counter({
    name: 'openclaw_aws_calls_total', help: 'Cloud provider API calls, by service and operation', labelNames: ['service', 'operation'], registers,
    collect: deltaCollector(() => ctx.provider.callCounts()),
  });
  new Counter({
    name: 'openclaw_aws_throttles_total', help: 'Cloud provider API calls answered with throttling, by service and operation', labelNames: ['service', 'operation'], registers,
    collect: deltaCollector(() => ctx.provider.throttleCounts?.() ?? {}),
  });

  // One read of the database per scrape, shared by every store-backed gauge (collectors run in parallel).
  let inflight: Promise<StoreFacts | undefined> | undefined;
  const facts = () => inflight ??= readStoreFacts(ctx).finally(() => { inflight = undefined; });

  new Gauge({
    name: 'openclaw_status_store_up', help: '1 when the last scrape could read the status store', registers,
    async collect() { this.set((await facts()) ? 1 : 0); },
  });
  new Gauge({
    name: 'openclaw_tenants', help: 'Tenants by condition type and status', labelNames: ['condition', 'status'], registers,
    async collect() {
      const read = await facts();
      if (!read) return;
      this.reset();
      for (const condition of CONDITION_TYPES) {
        for (const status of ['True', 'False', 'Unknown'] as const) this.set({ condition, status }, 0);
        for (const record of read.statuses) this.inc({ condition, status: record.conditions.find((c) => c.type === condition)?.status ?? 'Unknown' });
      }
    },
  });
  new Gauge({
    name: 'openclaw_agent_runs', help: 'Agent runs in the run history, by result', labelNames: ['result'], registers,
    async collect() {
      const read = await facts();
      if (!read) return;
      this.reset();
      for (const [result, n] of read.runs) this.set({ result }, n);
    },
  });
  new Gauge({
    name: 'openclaw_last_pass_timestamp_seconds', help: 'When the last full reconcile pass started (Unix time)', registers,
    async collect() {
      const at = (await facts())?.lastPassAt;
      if (at) this.set(Date.parse(at) / 1000);
    },
  });
  new Gauge({
    name: 'openclaw_aws_reachable', help: '1 while agent launches reach AWS, 0 from a launch that failed on a transient error until one succeeds (absent before any launch)', registers,
    async collect() {
      const status = (await facts())?.awsReachable;
      if (status) this.set(status === 'True' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'openclaw_revision_rejected', help: '1 while the newest manifest revision is rejected and the last good one stays in force', registers,
    async collect() {
      const read = await facts();
      if (read) this.set(read.rejected ? 1 : 0);
    },
  });

  return {
    registry,
    observePass(report, pass) {
      const countApplied = (applied: readonly { kind: string; action: string; drift?: boolean }[]) => {
        for (const change of applied) {
          changes.inc({ kind: change.kind, action: change.action });
          if (change.drift) drift.inc({ kind: change.kind });
        }
      };
      const kinds = ctx.reconciler.modules.map((m) => m.kind);
      // By name: a scan of the plan per outcome is quadratic (10^10 comparisons at 100,000 tenants).
      const plans = new Map(pass.plan.tenants.map((t) => [t.tenant, t]));
      for (const outcome of report.outcomes) {
        const tenantPlan = plans.get(outcome.tenant);
        for (const kind of kinds) {
          const result = reconcileResult(kind, outcome, tenantPlan, ctx.reconciler.modules);
          if (result) reconciles.inc({ kind, result });
        }
        countApplied(outcome.applied);
      }
      countApplied(report.fleet.applied);
      passes.inc({ result: report.fleet.error || report.outcomes.some((o) => o.error) ? 'errors' : 'ok' });
      duration.observe(report.durationMs / 1000);
    },
  };
}

/**
 * Pure: what happened to one kind of one tenant in a pass; undefined when the tenant was not planned.
 * A failed apply stops the tenant: the kind of the change that failed is `failed`, kinds whose changes
 * were never tried are `blocked`.
 */
export function reconcileResult(kind: string, outcome: TenantOutcome, tenantPlan: TenantPlan | undefined, modules: readonly ResourceModule[]): ReconcileResult | undefined {
  if (!tenantPlan) return undefined;
  if (outcome.skipped) return 'skipped';
  if (tenantPlan.errors.some((e) => e.kind === kind)) return 'failed';
  const planned = tenantPlan.changes.filter((c) => c.kind === kind);
  if (planned.some((c) => c.conflict)) return 'conflict';
  const applied = new Set(outcome.applied);
  if (outcome.error) {
    const actionable = tenantPlan.changes.filter((c) => c.action !== 'noop' && !c.conflict);
    const failed = executionOrder(actionable, modules).find((c) => !applied.has(c));
    if (failed?.kind === kind) return 'failed';
    if (planned.some((c) => c.action !== 'noop' && !applied.has(c))) return 'blocked';
  }
  return outcome.applied.some((c) => c.kind === kind) ? 'changed' : 'unchanged';
}

interface StoreFacts {
  statuses: Awaited<ReturnType<MetricsContext['store']['statuses']>>;
  runs: Map<string, number>;
  lastPassAt?: string;
  rejected: boolean;
  awsReachable?: AwsReachableCondition['status'];
}

async function readStoreFacts(ctx: MetricsContext): Promise<StoreFacts | undefined> {
  try {
    const [statuses, runs, pass, rejection, aws] = await Promise.all([
      ctx.store.statuses(), new RunHistory(ctx.pool).countsByStatus(), ctx.store.getState<{ at: string }>('lastPass'), ctx.store.getState<{ revision: string }>('rejectedRevision'),
      ctx.store.getState<AwsReachableCondition>(AWS_REACHABLE_KEY),
    ]);
    return { statuses, runs, lastPassAt: pass?.at, rejected: Boolean(rejection), awsReachable: aws?.status };
  } catch (error) {
    ctx.log.warn({ err: error }, 'could not read the status store for metrics');
    return undefined;
  }
}

/** A counter collector fed by a monotonically growing `service:Operation` → count map. */
function deltaCollector(read: () => Record<string, number>): (this: Counter<'service' | 'operation'>) => void {
  const seen = new Map<string, number>();
  return function collect(this: Counter<'service' | 'operation'>) {
    for (const [key, value] of Object.entries(read())) {
      const previous = seen.get(key) ?? 0;
      seen.set(key, value);
      if (value <= previous) continue;
      const [service, ...rest] = key.split(':');
      this.inc({ service, operation: rest.join(':') || 'unknown' }, value - previous);
    }
  };
}
