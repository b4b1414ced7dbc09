import type { AgentName, Isolation, Tier } from '../../contract/catalog.js';
import type { TenantLimits } from '../usage/limits.js';
import type { ConcurrencyPolicy, DeletionPolicy, IntegrationProvider } from '../manifests/types.js';

/** An IAM policy document as the controller writes it (and compares it, normalized). */
export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: Record<string, string | string[]>;
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface DesiredAgent {
  name: AgentName;
  schedule: string;
  timezone: string;
  concurrencyPolicy: ConcurrencyPolicy;
  startingDeadlineSeconds: number;
  /** Who the agent's email goes to (butler: the tenant's contact, then `recipients`); empty for the others. */
  recipients: string[];
  /** Effective: enabled in the manifest, included in the tier, tenant neither suspended nor offboarded. */
  active: boolean;
}

/**
 * Everything one tenant should have, derived by a pure function from its manifest
 * and the controller's configuration. Resource modules read only their own part.
 */
export interface DesiredTenant {
  name: string;
  displayName: string;
  tier: Tier;
  /**
   * silo: its own IAM role, schema, runtime role and secrets, an ECS task per run. pool: none of these;
   * rows only in the shared tables, runs on the pooled workers with per-run credentials, at most one
   * secret (all its integrations, written by onboarding).
   */
  isolation: Isolation;
  suspended: boolean;
  /** The pause annotation: observe and report, change nothing. */
  paused: boolean;
  deletionPolicy: DeletionPolicy;
  /** Tags on every AWS resource of the tenant: tenant, tier, managed-by, cost-allocation tags. */
  tags: Record<string, string>;
  postgres: {
    schema: string;
    ownerRole: string;
    runtimeRole: string;
  };
  iam: {
    roleName: string;
    path: string;
    arn: string;
    assumeRolePolicy: PolicyDocument;
    inlinePolicyName: string;
    /** silo: the tenant role's own policy; pool: the shared tenant-access role's (one object for every pooled tenant). */
    inlinePolicy: PolicyDocument;
    permissionsBoundaryArn?: string;
  };
  s3: {
    bucket: string;
    prefix: string;
    markerKey: string;
    archiveAfterDays: number;
    expireAfterDays: number;
  };
  secrets: {
    db: { name: string };
    /** silo: one secret per integration (placeholders the controller creates); pool: each names the tenant's one secret, which onboarding makes. */
    integrations: { provider: IntegrationProvider; name: string }[];
  };
  agents: DesiredAgent[];
  /** Budget and limits: the manifest's, else the tier's defaults. */
  limits: TenantLimits;
}

/** The configuration the pure derivation needs; a subset of Config, so tests can pass it literally. */
export interface DesiredContext {
  accountId: string;
  partition: string;
  region: string;
  bucket: string;
  iamPath: string;
  secretsPrefix: string;
  permissionsBoundaryArn?: string;
  /** SES (aws, when a sender is configured): the one address tenant roles may send as, and its configuration set. */
  email?: { fromAddress: string; configurationSet?: string };
}
