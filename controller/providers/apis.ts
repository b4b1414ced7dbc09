/**
 * Provider-neutral APIs the AWS resource modules (iam, s3, secrets) are written against.
 * Implemented over the AWS SDK (providers/aws) and over files on one machine (providers/local),
 * with the same semantics, so the same modules run on both:
 *
 * - reads are batched (one listing for all tenants, paginated inside the provider);
 * - writes are idempotent where AWS allows it: deleting what is already gone succeeds;
 * - errors are ControllerErrors: TransientError (throttling, 5xx, eventual consistency: retry),
 *   TerminalError PERMISSION_DENIED / LIMIT_EXCEEDED / INTERNAL (stop, with the provider's message),
 *   CONFLICT (a name is taken). Ownership is decided by the modules, never by the providers.
 */

/** An IAM role as observed, with everything the iam module compares. */
export interface IamRole {
  name: string;
  path: string;
  arn: string;
  /** The trust policy as JSON text (already URL-decoded). */
  assumeRolePolicy: string;
  /** Inline policies by name, as JSON text (already URL-decoded). */
  inlinePolicies: Record<string, string>;
  tags: Record<string, string>;
  permissionsBoundaryArn?: string;
  /** ARNs of attached managed policies (reported, not managed); absent when the read did not include them (`getRole`). */
  attachedPolicyArns?: string[];
}

export interface CreateRoleInput {
  name: string;
  path: string;
  assumeRolePolicy: string;
  permissionsBoundaryArn?: string;
  tags: Record<string, string>;
  description?: string;
}

export interface IamApi {
  /**
   * Every role whose path starts with `pathPrefix`, with inline policies, tags and boundary:
   * one batched, paginated read (AWS: GetAccountAuthorizationDetails Filter=[Role]).
   */
  listRoles(pathPrefix: string): Promise<IamRole[]>;
  /** One role by name, at any path, with its inline policies and tags; undefined when there is none (AWS: GetRole, ListRolePolicies, GetRolePolicy). */
  getRole(roleName: string): Promise<IamRole | undefined>;
  /** Throws ControllerError CONFLICT when a role with that name exists (at any path). */
  createRole(input: CreateRoleInput): Promise<{ arn: string }>;
  updateAssumeRolePolicy(roleName: string, document: string): Promise<void>;
  putRolePolicy(roleName: string, policyName: string, document: string): Promise<void>;
  /** Succeeds when the policy (or the role) is already gone. */
  deleteRolePolicy(roleName: string, policyName: string): Promise<void>;
  tagRole(roleName: string, tags: Record<string, string>): Promise<void>;
  untagRole(roleName: string, keys: string[]): Promise<void>;
  putPermissionsBoundary(roleName: string, boundaryArn: string): Promise<void>;
  /** Succeeds when the role is already gone; CONFLICT while inline policies remain. */
  deleteRole(roleName: string): Promise<void>;
}

/** What an erasure removed: object versions (current and noncurrent) and delete markers. */
export type Erased = {
  versions: number;
  deleteMarkers: number;
};

/** What a HEAD of an object returns that the controller reads: user metadata (lower-case keys). */
export interface ObjectHead {
  key: string;
  metadata: Record<string, string>;
  etag?: string;
}

/**
 * One bucket lifecycle rule. Rules the controller owns are fully described by the parsed fields;
 * any other rule is carried by `raw` (the provider's own representation) and written back unchanged.
 */
export interface LifecycleRule {
  id: string;
  enabled: boolean;
  /** Filter prefix ('' for the whole bucket). */
  prefix: string;
  /** Filter object tags (all must match). */
  tags: Record<string, string>;
  /** Transition to `storageClass` after this many days. */
  transitionDays?: number;
  storageClass?: string;
  expirationDays?: number;
  /** Noncurrent versions (in a versioned bucket) are removed this many days after they stop being current. */
  noncurrentExpirationDays?: number;
  /** Delete markers with no version left behind them are removed. */
  expiredObjectDeleteMarker?: boolean;
  raw?: unknown;
}

export interface ObjectStoreApi {
  /** The tenant bucket every call works on. */
  readonly bucket: string;
  /** The common prefixes one level below `root` (e.g. 'tenants/acme/'): a delimiter listing, paginated. */
  listPrefixes(root: string): Promise<string[]>;
  /** Some object exists under `prefix` (one listing of at most one key). */
  hasObjects(prefix: string): Promise<boolean>;
  /** Undefined when the object does not exist. */
  headObject(key: string): Promise<ObjectHead | undefined>;
  /** Writes a small object with user metadata (no lifecycle tag: markers never expire). */
  putObject(key: string, body: string, metadata: Record<string, string>): Promise<void>;
  /** Succeeds when the object is already gone. */
  deleteObject(key: string): Promise<void>;
  /** The bucket's lifecycle rules; [] when it has no configuration. */
  getLifecycle(): Promise<LifecycleRule[]>;
  /** Replaces the whole configuration; [] removes it. */
  putLifecycle(rules: LifecycleRule[]): Promise<void>;
  /**
   * Erases everything under `prefix` except the key `keep`: every object version and every delete
   * marker (a versioned bucket keeps old versions after a plain delete), paginated, in batches of at
   * most 1,000. Returns what it removed.
   */
  deletePrefix(prefix: string, options?: { keep?: readonly string[] }): Promise<Erased>;
  /**
   * Sets tag `key=value` on every object under `prefix` except `skip`, keeping the objects' other
   * tags; objects already tagged so are not written. Returns the number of objects written.
   */
  retagPrefix(prefix: string, tag: { key: string; value: string }, options?: { skip?: readonly string[] }): Promise<number>;
}

/** What the status shows about the provider in use. */
export interface ProviderDescription {
  name: 'local' | 'aws';
  region?: string;
  partition: string;
  bucket: string;
  accountId: string;
  endpointUrl?: string;
}
