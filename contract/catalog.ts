/**
 * The agents the platform runs and the tiers that include them.
 * This is the single source of the tier → agent policy: manifest validation,
 * desired state and the scheduler all read it from here.
 */
import { isOneOf } from './one-of.js';

export const AGENT_NAMES = ['butler', 'scout', 'writer'] as const;
export type AgentName = (typeof AGENT_NAMES)[number];

export const TIERS = ['starter', 'professional', 'enterprise'] as const;
export type Tier = (typeof TIERS)[number];

/** How a tenant is isolated: its own IAM role, schema and tasks (silo), or the shared ones (pool). */
export const ISOLATIONS = ['silo', 'pool'] as const;
export type Isolation = (typeof ISOLATIONS)[number];

export function isIsolation(value: unknown): value is Isolation {
  return isOneOf(ISOLATIONS, value);
}

/** Where the platform runs: on this machine (files, local processes) or on AWS. */
export const PROVIDER_NAMES = ['local', 'aws'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

export function isProviderName(value: unknown): value is ProviderName {
  return isOneOf(PROVIDER_NAMES, value);
}

/** The isolation a tier gets unless its manifest says otherwise: dedicated resources are an enterprise feature. */
export function defaultIsolation(tier: Tier): Isolation {
  return tier === 'enterprise' ? 'silo' : 'pool';
}

export interface AgentDefinition {
  name: AgentName;
  description: string;
  /** Tiers whose price includes this agent. */
  tiers: readonly Tier[];
  /** Command run inside the shared image, the compiled tree (ECS task definition, or a local child process). */
  command: readonly string[];
  cpu: number;
  memory: number;
  /** Integrations whose secrets the agent reads when the tenant has them. */
  secrets: readonly string[];
  defaultSchedule: string;
}

export const AGENTS: Readonly<Record<AgentName, AgentDefinition>> = Object.freeze({
  butler: {
    name: 'butler',
    description: 'Daily digest of the tenant’s messages and calendar.',
    tiers: ['starter', 'professional', 'enterprise'],
    command: ['node', 'agents/run.js', 'butler'],
    cpu: 256,
    memory: 512,
    secrets: ['google', 'microsoft'],
    defaultSchedule: '0 7 * * *',
  },
  scout: {
    name: 'scout',
    description: 'Scores intent signals from the tenant’s leads and events.',
    tiers: ['professional', 'enterprise'],
    command: ['node', 'agents/run.js', 'scout'],
    cpu: 512,
    memory: 1024,
    secrets: ['salesforce', 'hubspot'],
    defaultSchedule: '0 */4 * * *',
  },
  writer: {
    name: 'writer',
    description: 'Builds a sales dossier for a lead.',
    tiers: ['enterprise'],
    command: ['node', 'agents/run.js', 'writer'],
    cpu: 512,
    memory: 1024,
    secrets: ['salesforce', 'hubspot'],
    defaultSchedule: '30 8 * * 1-5',
  },
});

export function agentsInTier(tier: Tier): AgentName[] {
  return AGENT_NAMES.filter((name) => AGENTS[name].tiers.includes(tier));
}

/** The container of every agent task definition (terraform/modules/compute/tasks.tf): the one RunTask overrides. */
export const AGENT_CONTAINER = 'agent';

export function isAgentName(value: unknown): value is AgentName {
  return isOneOf(AGENT_NAMES, value);
}
