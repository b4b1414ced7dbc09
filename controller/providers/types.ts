import type { DbCredentials } from '../../contract/db-credentials.js';
import type { ProviderName } from '../../contract/catalog.js';
import type { QuotaReading } from '../engine/types.js';
import type { IamApi, ObjectStoreApi, ProviderDescription } from './apis.js';

/** The list of provider names and its guard are shared with the agents (contract/catalog.ts). */
export type { ProviderName };

/** A secret as listed, without its value. */
export interface SecretRecord {
  name: string;
  arn: string;
  tags: Record<string, string>;
  /** Set when the secret is scheduled for deletion (recovery window running). */
  deletedAt?: number;
}

/**
 * The secret store as the controller uses it; implemented by Secrets Manager (aws)
 * and by an encrypted file store (local). Values are returned only by getValue.
 */
export interface SecretsApi {
  /** Every secret whose name starts with `prefix`, including those scheduled for deletion: one batched listing. */
  list(prefix: string): Promise<SecretRecord[]>;
  /** Creates a secret; `value` undefined creates a placeholder with no value. Throws CONFLICT when it exists. */
  create(name: string, value: string | undefined, tags: Record<string, string>, description?: string): Promise<SecretRecord>;
  getValue(name: string): Promise<string | undefined>;
  putValue(name: string, value: string): Promise<void>;
  tag(name: string, tags: Record<string, string>): Promise<void>;
  untag(name: string, keys: string[]): Promise<void>;
  scheduleDeletion(name: string, recoveryWindowDays: number): Promise<void>;
  restore(name: string): Promise<void>;
}

/**
 * Where the runtime role's password lives. The secret is written before the role
 * gets the password, so a crash between the two never loses it; the role carries
 * a fingerprint of the password it has, so a pass can tell without reading values.
 */
export interface DbCredentialStore {
  /**
   * Fingerprint of each tenant's current credentials (from tags, no values): one batched read of the
   * fleet, or, given `tenants`, a read of just those tenants' secrets.
   */
  fingerprints(tenants?: readonly string[]): Promise<Map<string, string>>;
  get(tenant: string): Promise<(DbCredentials & { fingerprint: string }) | undefined>;
  /**
   * Returns the stored credentials, creating them once when missing. A secret it creates carries
   * `tags` besides the controller's own (one write, not a create and a tag); `created` says it did.
   */
  ensure(tenant: string, username: string, tags?: Record<string, string>): Promise<DbCredentials & { fingerprint: string; created?: boolean }>;
  /** Sets the fingerprint tag to the fingerprint of the stored value when they differ (repairs an interrupted rotation). */
  confirm(tenant: string, fingerprint: string): Promise<void>;
  /** New credentials: the fingerprint tag is written before the value (see secretBackedCredentials). */
  rotate(tenant: string, username: string): Promise<DbCredentials & { fingerprint: string }>;
}


/** The resource kinds that run on a provider's APIs. */
export type CloudKind = 'secrets' | 'iam' | 's3';
export const CLOUD_KINDS: readonly CloudKind[] = ['secrets', 'iam', 's3'];

/** A cloud behind the same resource modules: AWS, or stand-ins on one machine. */
export interface Provider {
  readonly name: ProviderName;
  readonly secrets: SecretsApi;
  readonly credentials: DbCredentialStore;
  /** IAM roles and inline policies (AWS IAM, or JSON documents on disk). */
  readonly iam: IamApi;
  /** The tenant bucket (S3, or folders on disk). */
  readonly objects: ObjectStoreApi;
  /** Provider, region, bucket and account, for the status. */
  describe(): ProviderDescription;
  /** The account the provider acts in: names ARNs in desired state. */
  identity(): Promise<{ accountId: string; partition: string; region: string }>;
  /**
   * The resource kinds its APIs back, for which the composition root builds modules on them
   * (a provider never builds one itself).
   */
  readonly kinds: readonly CloudKind[];
  /**
   * The ARN a secret of that name has or will have, told without a call (AWS: a partial ARN, which
   * GetSecretValue resolves): what a run's environment names before a listing has found the secret.
   */
  secretArn(name: string): string;
  /** The account's quotas the provider can read (AWS: IAM roles); absent where there are none (local). */
  accountQuotas?(): Promise<QuotaReading[]>;
  /** Calls made so far, by `service:Operation`. */
  callCounts(): Record<string, number>;
  /** Throttling answers received so far, by `service:Operation` (providers that can be throttled). */
  throttleCounts?(): Record<string, number>;
  close(): Promise<void>;
}
