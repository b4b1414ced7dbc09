/**
 * Read models for ops: what the HTTP API, the status page and `tenantctl status|describe` show.
 * Built from the database only (status store, run history; no provider, no loop), so they work from
 * any machine that reaches DATABASE_URL. Never carries a secret value: status rows, desired state,
 * runs and events hold none.
 */
import { recentAudit, type AuditEntry } from '../actions/audit.js';
import type { Pool } from '../db/pool.js';
import { TENANT_NAME_PATTERN, MAX_TENANT_NAME_LENGTH } from '../../contract/names.js';
import { nextFire } from '../scheduler/cron.js';
import { lastRuns, upcomingRuns } from '../scheduler/status.js';
import { RunHistory, type RunRecord } from '../scheduler/history.js';
import { AWS_REACHABLE_KEY, type AwsReachableCondition } from '../scheduler/reachability.js';
import { integrationsCondition, integrationViews, type IntegrationView } from '../integrations/status.js';
import { IntegrationStore, type IntegrationRecord } from '../integrations/store.js';
import { HEADROOM_STATE, type QuotaForecast } from '../engine/quota.js';
import { conditionStatus, type Condition, type ConditionStatus } from './conditions.js';
import type { KnownTenant, ResourceState, StatusStore, TenantStatusRecord } from './store.js';

/** What a read model needs: the store, and the pool for the agent run history. */
export interface StatusReader {
  pool: Pool;
  store: StatusStore;
  now?: () => number;
}

/** A run of openclaw.agent_runs as ops see it (times as ISO strings). */
export interface AgentRun {
  id: string;
  agent: string;
  trigger: string;
  status: string;
  scheduledAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  exitCode: number | null;
  taskArn: string | null;
  reason: string | null;
  durationMs: number | null;
}

export interface AgentView {
  name: string;
  schedule: string;
  timezone: string;
  /** Enabled, included in the tier, tenant neither suspended nor offboarded. */
  active: boolean;
  /** Next time the schedule fires; null when the agent is not active. */
  nextRunAt: string | null;
  lastRun: AgentRun | null;
}

export interface TenantSummary {
  name: string;
  displayName: string | null;
  tier: string | null;
  /** silo or pool: the model in force (the manifest's, else the tier's default). */
  isolation: string | null;
  lifecycle: KnownTenant['lifecycle'] | null;
  ready: ConditionStatus;
  synced: ConditionStatus;
  degraded: ConditionStatus;
  suspended: ConditionStatus;
  paused: ConditionStatus;
  offboarded: ConditionStatus;
  /** Every integration the manifest lists is connected (Unknown when it lists none). */
  integrationsReady: ConditionStatus;
  /** Why the tenant is not Ready (its last error first); null when all is well. */
  message: string | null;
  lastError: string | null;
  lastReconcileAt: string | null;
  observedRevision: string | null;
  lastRun: AgentRun | null;
  nextRun: { agent: string; at: string } | null;
}

export interface EventView {
  id: number;
  at: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  resource: string | null;
  revision: string | null;
}

export interface TenantDetail extends TenantSummary {
  generation: number | null;
  /** Operator actions on this tenant, newest first. */
  audit: AuditEntry[];
  observedGeneration: number | null;
  migration: { version: number | null; latest: number | null };
  provider: string | null;
  terminal: boolean;
  rejectedRevision: string | null;
  rejectedReason: string | null;
  conditions: Condition[];
  resources: ResourceState[];
  /** Per integration: connected or not, account, scopes, connected at, last refresh. Never a token. */
  integrations: IntegrationView[];
  /** Out-of-band changes the controller found and corrected, newest first. */
  drift: { at: string; resource: string | null; message: string }[];
  agents: AgentView[];
  runs: AgentRun[];
  events: EventView[];
}

export interface FleetView {
  tenants: number;
  counts: { ready: number; notReady: number; degraded: number; suspended: number; paused: number; offboarded: number };
  lastPass: { at: string; durationMs: number; revision: string; changes: number; drift: number } | null;
  appliedRevision: { revision: string; at: string } | null;
  rejectedRevision: { revision: string; reason: string; at: string } | null;
  sourceError: { at: string; message: string } | null;
  provider: { name: string; accountId?: string; partition?: string; region?: string } | null;
  /** Whether the scheduler's agent launches reach AWS (ECS only; null until a launch was made). */
  awsReachable: AwsReachableCondition | null;
  /** The account's headroom under each quota, as the last full pass forecast it. */
  headroom: QuotaForecast | null;
}

/** A tenant name as the API accepts it: the manifest rule, so nothing else reaches a query. */
export function isTenantName(name: string): boolean {
  return name.length <= MAX_TENANT_NAME_LENGTH && TENANT_NAME_PATTERN.test(name);
}

export async function listTenants(reader: StatusReader): Promise<TenantSummary[]> {
  const [statuses, records, latest, integrations] = await Promise.all([reader.store.statuses(), reader.store.tenantRecords(), latestRuns(reader.pool), new IntegrationStore(reader.pool).list()]);
  const recordByName = new Map(records.map((r) => [r.name, r]));
  const statusByName = new Map(statuses.map((s) => [s.tenant, s]));
  const names = [...new Set([...statusByName.keys(), ...recordByName.keys()])].sort();
  const now = reader.now?.() ?? Date.now();
  return names.map((name) => summarize(name, statusByName.get(name), recordByName.get(name), latest.get(name) ?? null, now, integrations));
}

export async function describeTenant(reader: StatusReader, name: string): Promise<TenantDetail | undefined> {
  if (!isTenantName(name)) return undefined;
  const [status, [record], events, runs, integrationRecords, audit] = await Promise.all([
    reader.store.status(name), reader.store.tenantRecords(name), reader.store.events({ tenant: name, limit: 50 }), lastRuns(reader.pool, name, 20),
    new IntegrationStore(reader.pool).list(name), recentAudit(reader.pool, { tenant: name, limit: 20 }),
  ]);
  if (!status && !record) return undefined;
  const now = reader.now?.() ?? Date.now();
  const runViews = runs.map(runView);
  const summary = summarize(name, status, record, runViews[0] ?? null, now, integrationRecords);
  const integrations = tenantIntegrations(name, record, integrationRecords);
  const agents: AgentView[] = (record?.desired.agents ?? []).map((agent) => {
    const active = agent.active && record?.lifecycle === 'Active';
    const next = active ? nextFire(agent.schedule, agent.timezone, now) : undefined;
    return {
      name: agent.name,
      schedule: agent.schedule,
      timezone: agent.timezone,
      active,
      nextRunAt: next === undefined ? null : new Date(next).toISOString(),
      lastRun: runViews.find((run) => run.agent === agent.name) ?? null,
    };
  });
  const facts = status?.facts ?? {};
  return {
    ...summary,
    generation: record?.generation ?? null,
    observedGeneration: status?.observedGeneration ?? null,
    migration: { version: status?.migrationVersion ?? null, latest: typeof facts.latestMigration === 'number' ? facts.latestMigration : null },
    provider: status?.provider ?? null,
    terminal: status?.terminal ?? false,
    audit,
    rejectedRevision: status?.rejectedRevision ?? null,
    rejectedReason: status?.rejectedReason ?? null,
    conditions: [...(status?.conditions ?? []), ...(integrations.condition ? [integrations.condition] : [])],
    resources: status?.resources ?? [],
    integrations: integrations.views,
    drift: events.filter((e) => e.reason === 'DriftCorrected').map((e) => ({ at: iso(e.at)!, resource: e.resource ?? null, message: e.message })),
    agents,
    runs: runViews,
    events: events.map((e) => ({ id: e.id, at: iso(e.at)!, type: e.type, reason: e.reason, message: e.message, resource: e.resource ?? null, revision: e.revision ?? null })),
  };
}

export async function fleetView(reader: StatusReader, tenants?: TenantSummary[]): Promise<FleetView> {
  const [list, lastPass, appliedRevision, rejectedRevision, sourceError, provider, awsReachable, headroom] = await Promise.all([
    tenants ?? listTenants(reader),
    reader.store.getState<FleetView['lastPass']>('lastPass'),
    reader.store.getState<FleetView['appliedRevision']>('appliedRevision'),
    reader.store.getState<FleetView['rejectedRevision']>('rejectedRevision'),
    reader.store.getState<FleetView['sourceError']>('sourceError'),
    reader.store.getState<FleetView['provider']>('provider'),
    reader.store.getState<AwsReachableCondition>(AWS_REACHABLE_KEY),
    reader.store.getState<QuotaForecast>(HEADROOM_STATE),
  ]);
  const count = (test: (t: TenantSummary) => boolean) => list.filter(test).length;
  return {
    tenants: list.length,
    counts: {
      ready: count((t) => t.ready === 'True'),
      notReady: count((t) => t.ready !== 'True' && t.offboarded !== 'True'),
      degraded: count((t) => t.degraded === 'True'),
      suspended: count((t) => t.suspended === 'True'),
      paused: count((t) => t.paused === 'True'),
      offboarded: count((t) => t.offboarded === 'True'),
    },
    lastPass: lastPass ?? null,
    appliedRevision: appliedRevision ?? null,
    rejectedRevision: rejectedRevision ?? null,
    sourceError: sourceError ?? null,
    provider: provider ? { name: provider.name, accountId: provider.accountId, partition: provider.partition, region: provider.region } : null,
    awsReachable: awsReachable ?? null,
    headroom: headroom ?? null,
  };
}

type TenantRecord = Awaited<ReturnType<StatusStore['tenantRecords']>>[number];

function tenantIntegrations(name: string, record: TenantRecord | undefined, all: readonly IntegrationRecord[]): { views: IntegrationView[]; condition: Condition | undefined } {
  const records = all.filter((r) => r.tenant === name);
  const views = integrationViews(name, record?.lifecycle === 'Active' ? record.desired.secrets.integrations.map((i) => i.provider) : [], records);
  return { views, condition: integrationsCondition(views, records) };
}

function summarize(name: string, status: TenantStatusRecord | undefined, record: TenantRecord | undefined, lastRun: AgentRun | null, now: number, integrations: readonly IntegrationRecord[]): TenantSummary {
  const conditions = status?.conditions ?? [];
  const ready = conditionStatus(conditions, 'Ready');
  const integrationsReady = tenantIntegrations(name, record, integrations).condition;
  const [next] = record?.lifecycle === 'Active' ? upcomingRuns(record.desired, 1, now) : [];
  return {
    name,
    displayName: record?.desired.displayName ?? null,
    tier: record?.desired.tier ?? null,
    isolation: record?.desired.isolation ?? null,
    lifecycle: record?.lifecycle ?? null,
    ready,
    synced: conditionStatus(conditions, 'Synced'),
    degraded: conditionStatus(conditions, 'Degraded'),
    suspended: conditionStatus(conditions, 'Suspended'),
    paused: conditionStatus(conditions, 'Paused'),
    offboarded: conditionStatus(conditions, 'Offboarded'),
    integrationsReady: integrationsReady?.status ?? 'Unknown',
    message: status?.lastError ?? (ready === 'True' ? null : conditions.find((c) => c.type === 'Ready')?.message ?? 'not reconciled yet')
      ?? (integrationsReady?.reason === 'ReauthorizationRequired' ? `ReauthorizationRequired: ${integrationsReady.message}` : null),
    lastError: status?.lastError ?? null,
    lastReconcileAt: iso(status?.lastReconcileAt),
    observedRevision: status?.observedRevision ?? null,
    lastRun,
    nextRun: next ? { agent: next.agent, at: next.at.toISOString() } : null,
  };
}

function iso(value: Date | string | null | undefined): string | null {
  return value === null || value === undefined ? null : new Date(value).toISOString();
}

function runView(run: RunRecord): AgentRun {
  return { ...run, scheduledAt: iso(run.scheduledAt)!, startedAt: iso(run.startedAt), finishedAt: iso(run.finishedAt) };
}

/** The newest run of every tenant: one query for the whole fleet. */
async function latestRuns(pool: Pool): Promise<Map<string, AgentRun>> {
  return new Map((await new RunHistory(pool).latestPerTenant()).map((r) => [r.tenant, runView(r)]));
}
