import type { AgentName, Isolation, Tier } from '../../contract/catalog.js';
import type { LimitsSpec } from '../usage/limits.js';

export type ConcurrencyPolicy = 'Forbid' | 'Allow' | 'Replace';
export type DeletionPolicy = 'Retain' | 'Delete';
export type IntegrationProvider = 'google' | 'microsoft' | 'salesforce' | 'hubspot' | 'slack';

/*
 * Manifests are read-only: what the sources hand out is deeply frozen, and tenants of one tier share
 * one instance of their equal parts (controller/manifests/subtree-pool.ts).
 */

export interface AgentSpec {
  readonly name: AgentName;
  readonly enabled: boolean;
  readonly schedule: string;
  readonly timezone: string;
  readonly concurrencyPolicy: ConcurrencyPolicy;
  readonly startingDeadlineSeconds: number;
  /** butler: who gets the digest besides the contact. */
  readonly recipients?: readonly string[];
}

export interface TenantSpec {
  readonly displayName: string;
  readonly contact: { readonly name?: string; readonly email: string };
  readonly tier: Tier;
  /** Unset: the tier's default (contract/catalog.ts defaultIsolation). */
  readonly isolation?: Isolation;
  readonly suspended: boolean;
  readonly deletionPolicy: DeletionPolicy;
  readonly agents: readonly AgentSpec[];
  readonly integrations: readonly { readonly provider: IntegrationProvider; readonly scopes?: readonly string[] }[];
  readonly storage: { readonly archiveAfterDays: number; readonly expireAfterDays: number };
  readonly costAllocationTags: Readonly<Record<string, string>>;
  /** The tenant's customer in the billing system (usage export). */
  readonly billing?: { readonly customerRef?: string };
  /** Budget and limits; unset ones take the tier's defaults (controller/usage/limits.ts). */
  readonly limits?: Readonly<LimitsSpec>;
}

export interface TenantManifest {
  readonly apiVersion: string;
  readonly kind: 'Tenant';
  readonly metadata: { readonly name: string; readonly labels?: Readonly<Record<string, string>>; readonly annotations?: Readonly<Record<string, string>> };
  readonly spec: TenantSpec;
}

export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

/** A validated manifest, defaults applied, with where it came from. */
export interface LoadedTenant {
  readonly name: string;
  readonly manifest: TenantManifest;
  readonly source: SourcePosition;
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
  readonly type: ChannelType;
  readonly events: readonly NotificationEvent[];
  /** Only these tenants' events; unset, every tenant's. */
  readonly tenants?: readonly string[];
  /** Below `<secrets prefix>/notifications/`: the Slack webhook URL, or the webhook's signing key. */
  readonly secretRef?: { readonly name: string };
  readonly webhook?: { readonly url: string };
  readonly sns?: { readonly topicArn: string };
  readonly maxPerHour: number;
}

export interface NotificationChannelManifest {
  readonly apiVersion: string;
  readonly kind: 'NotificationChannel';
  readonly metadata: { readonly name: string; readonly labels?: Readonly<Record<string, string>>; readonly annotations?: Readonly<Record<string, string>> };
  readonly spec: NotificationChannelSpec;
}

/** A validated channel, defaults applied, with where it came from. */
export interface LoadedChannel {
  readonly name: string;
  readonly manifest: NotificationChannelManifest;
  readonly source: SourcePosition;
}
