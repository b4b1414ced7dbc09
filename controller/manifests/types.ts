import type { AgentName, Isolation, Tier } from '../../contract/catalog.js';
import type { LimitsSpec } from '../usage/limits.js';

export type ConcurrencyPolicy = 'Forbid' | 'Allow' | 'Replace';
export type DeletionPolicy = 'Retain' | 'Delete';
export type IntegrationProvider = 'google' | 'microsoft' | 'salesforce' | 'hubspot' | 'slack';

export interface AgentSpec {
  name: AgentName;
  enabled: boolean;
  schedule: string;
  timezone: string;
  concurrencyPolicy: ConcurrencyPolicy;
  startingDeadlineSeconds: number;
  /** butler: who gets the digest besides the contact. */
  recipients?: string[];
}

export interface TenantSpec {
  displayName: string;
  contact: { name?: string; email: string };
  tier: Tier;
  /** Unset: the tier's default (contract/catalog.ts defaultIsolation). */
  isolation?: Isolation;
  suspended: boolean;
  deletionPolicy: DeletionPolicy;
  agents: AgentSpec[];
  integrations: { provider: IntegrationProvider; scopes?: string[] }[];
  storage: { archiveAfterDays: number; expireAfterDays: number };
  costAllocationTags: Record<string, string>;
  /** The tenant's customer in the billing system (usage export). */
  billing?: { customerRef?: string };
  /** Budget and limits; unset ones take the tier's defaults (controller/usage/limits.ts). */
  limits?: LimitsSpec;
}

export interface TenantManifest {
  apiVersion: string;
  kind: 'Tenant';
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: TenantSpec;
}

export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

/** A validated manifest, defaults applied, with where it came from. */
export interface LoadedTenant {
  name: string;
  manifest: TenantManifest;
  source: SourcePosition;
}

export type ValidationLayer = 'yaml' | 'schema' | 'semantic' | 'source';

export interface ValidationIssue extends SourcePosition {
  layer: ValidationLayer;
  /** Field path such as `spec.agents[1].name`; empty for a whole-document problem. */
  path: string;
  message: string;
}

export interface ValidationResult {
  tenants: LoadedTenant[];
  /** NotificationChannel documents; like tenants, only when there is no issue at all. */
  channels: LoadedChannel[];
  issues: ValidationIssue[];
  files: string[];
}

/** What a notification is about; a channel lists the ones it receives. */
export const NOTIFICATION_EVENTS = ['Degraded', 'Recovered', 'DeletionHeld', 'Purged', 'AgentFailing', 'ReauthorizationRequired', 'BudgetExceeded'] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];
export type ChannelType = 'slack' | 'webhook' | 'sns';

export interface NotificationChannelSpec {
  type: ChannelType;
  events: NotificationEvent[];
  /** Only these tenants' events; unset, every tenant's. */
  tenants?: string[];
  /** Below `<secrets prefix>/notifications/`: the Slack webhook URL, or the webhook's signing key. */
  secretRef?: { name: string };
  webhook?: { url: string };
  sns?: { topicArn: string };
  maxPerHour: number;
}

export interface NotificationChannelManifest {
  apiVersion: string;
  kind: 'NotificationChannel';
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: NotificationChannelSpec;
}

/** A validated channel, defaults applied, with where it came from. */
export interface LoadedChannel {
  name: string;
  manifest: NotificationChannelManifest;
  source: SourcePosition;
}
