import { AGENTS, type AgentName, type Isolation, type Tier } from '../../contract/catalog.js';
import type { DesiredAgent, DesiredTenant } from '../desired/types.js';
import type { ConcurrencyPolicy } from '../manifests/types.js';
import type { TenantLimits } from '../usage/limits.js';
import { scheduleLabel } from './cron.js';

/** One tenant's active agent, as the scheduler runs it: pure data derived from desired state. */
export interface ScheduleEntry {
  /** `<tenant>/<agent>` */
  key: string;
  tenant: string;
  displayName: string;
  agent: AgentName;
  tier: Tier;
  schedule: string;
  timezone: string;
  /** schedule and time zone together: stored with each run. */
  label: string;
  concurrencyPolicy: ConcurrencyPolicy;
  startingDeadlineMs: number;
  /** silo: an ECS task (or a local child) per run; pool: the pooled workers' queue. */
  isolation: Isolation;
  /** The tenant's IAM role: the task runs with it (overrides.taskRoleArn). */
  roleArn: string;
  tags: Record<string, string>;
  /** Secret names: the tenant's db secret and the integration secrets this agent reads. */
  dbSecret: string;
  integrationSecrets: { provider: string; name: string }[];
  /** The tenant's budget and limits (checked before a run is claimed). */
  limits: TenantLimits;
  /** Who the agent's email goes to (butler's digest); empty for agents that send none. */
  recipients: string[];
}

/** Starter runs go to Fargate Spot, the other tiers to on-demand Fargate. */
export function capacityProviderFor(tier: Tier): 'FARGATE_SPOT' | 'FARGATE' {
  return tier === 'starter' ? 'FARGATE_SPOT' : 'FARGATE';
}

export const entryKey = (tenant: string, agent: string) => `${tenant}/${agent}`;

export function toEntry(tenant: DesiredTenant, agent: DesiredAgent): ScheduleEntry {
  const needs = AGENTS[agent.name].secrets;
  return {
    key: entryKey(tenant.name, agent.name),
    tenant: tenant.name,
    displayName: tenant.displayName,
    agent: agent.name,
    tier: tenant.tier,
    schedule: agent.schedule,
    timezone: agent.timezone,
    label: scheduleLabel(agent.schedule, agent.timezone),
    concurrencyPolicy: agent.concurrencyPolicy,
    startingDeadlineMs: agent.startingDeadlineSeconds * 1000,
    isolation: tenant.isolation,
    roleArn: tenant.iam.arn,
    tags: tenant.tags,
    dbSecret: tenant.secrets.db.name,
    integrationSecrets: tenant.secrets.integrations.filter((i) => needs.includes(i.provider)).map((i) => ({ provider: i.provider, name: i.name })),
    limits: tenant.limits,
    recipients: agent.recipients,
  };
}

/** Every active agent of every tenant (active folds in enabled, tier, suspension). */
export function scheduleEntries(tenants: Iterable<DesiredTenant>): ScheduleEntry[] {
  const entries: ScheduleEntry[] = [];
  for (const tenant of tenants) for (const agent of tenant.agents) if (agent.active) entries.push(toEntry(tenant, agent));
  return entries;
}

/** Why `agent` of `tenant` cannot run now, or its entry. */
export function activeEntry(tenant: DesiredTenant | undefined, tenantName: string, agent: string): ScheduleEntry | string {
  if (!tenant) return `unknown tenant ${JSON.stringify(tenantName)}`;
  if (!(agent in AGENTS)) return `unknown agent ${JSON.stringify(agent)} (allowed: ${Object.keys(AGENTS).join(', ')})`;
  const spec = tenant.agents.find((a) => a.name === agent);
  if (!spec) return `agent ${agent} is not configured for tenant ${tenantName}`;
  if (!spec.active) {
    const why = tenant.suspended ? 'the tenant is suspended' : !AGENTS[spec.name].tiers.includes(tenant.tier) ? `the ${tenant.tier} tier does not include it` : 'it is disabled in the manifest';
    return `agent ${agent} of tenant ${tenantName} is not active: ${why}`;
  }
  return toEntry(tenant, spec);
}

/**
 * The secrets a tenant's scheduled runs read, which it has once they exist: the db secret of a silo
 * tenant (a pooled one has none: its runs get a database session from the worker) and the
 * integration secrets its active agents read.
 */
export function* scheduledSecretNames(tenant: Pick<DesiredTenant, 'isolation' | 'secrets'> & { agents: readonly Pick<DesiredTenant['agents'][number], 'name' | 'active'>[] }): Generator<string> {
  const active = tenant.agents.filter((a) => a.active);
  if (active.length === 0) return;
  if (tenant.isolation === 'silo') yield tenant.secrets.db.name;
  for (const secret of tenant.secrets.integrations) if (active.some((a) => AGENTS[a.name].secrets.includes(secret.provider))) yield secret.name;
}
