import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { readHttpConfig, type HttpConfig } from './config-http.js';
import { Reader, type Env } from './config-reader.js';
import { readOutwardConfig, type OutwardConfig } from './config-notify.js';
import { readGitConfig, type GitConfig } from './source/git-config.js';
import { ConfigError, errorMessage } from '../contract/errors.js';
import type { IntegrationProviderName } from '../contract/integration-secret.js';
import { readConnectorLimits, readOAuthProviders, type OAuthProviderConfig } from './config-integrations.js';
import type { ConnectorLimit } from '../contract/agent-env.js';
import { DEFAULT_PRICES, parsePriceOverride, type PriceTable } from './usage/prices.js';

/** Everything the controller reads from its environment, validated once, defaulted and frozen. */
export interface Config extends OutwardConfig {
  /** Unset: an embedded PostgreSQL under `dataDir`. */
  databaseUrl?: string;
  /**
   * A Secrets Manager secret holding the database password as JSON `{"password": ...}` (RDS's managed
   * master secret): read before the first connection and again whenever the server refuses the password.
   */
  databaseSecretArn?: string;
  tenantsDir: string;
  dataDir: string;
  provider: 'local' | 'aws';
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  aws: {
    region?: string;
    endpointUrl?: string;
    tenantBucket: string;
    permissionsBoundaryArn?: string;
    forcePathStyle: boolean;
    iamPath: string;
    secretsPrefix: string;
    /** Days a deleted secret stays recoverable (Secrets Manager allows 7 to 30). */
    secretRecoveryWindowDays: number;
  };
  ecs: {
    cluster?: string;
    subnets: string[];
    securityGroups: string[];
    taskDefinitionPrefix: string;
  };
  http: HttpConfig;
  /** The customers' listener (onboarding links and the OAuth callback), apart from the ops API. */
  publicFace: {
    port: number;
    /** Base URL customers reach; unset: http://localhost:<port>. The OAuth redirect URI is `<url>/callback`. */
    url?: string;
    /** Port of the in-process sandbox identity providers (local provider, no client id configured). */
    sandboxPort: number;
  };
  integrations: Record<IntegrationProviderName, OAuthProviderConfig>;
  /** Bounds of the agents' connectors (contract/agent-env.ts CONNECTOR_LIMITS), passed to every run. */
  connectors: Record<ConnectorLimit, number>;
  engine: {
    resyncIntervalMs: number;
    concurrency: number;
    backoffBaseMs: number;
    backoffMaxMs: number;
  };
  git: GitConfig;
  safety: { maxDeleteFraction: number; purgeGraceMs: number; rotationGraceMs: number };
  scheduler: { enabled: boolean; leaseMs: number; launchesPerSecond: number };
  /** Pooled tenants' runs: workers in this process (the local default), and the shared role they vend credentials from (aws). */
  pool: { workers: number; tenantAccessRoleArn?: string; credentialSeconds: number };
  events: { retention: number };
  bedrockModelId?: string;
  /** Email the agents send (butler's digest): through SES with the aws provider, into the outbox folder locally. */
  email: {
    /** The sender; a verified SES identity, and the only address a tenant role may send as. Unset with aws: no email is sent. */
    fromAddress?: string;
    /** The SES configuration set every message goes through. */
    configurationSet?: string;
  };
  usage: {
    /** The shipped list prices, with OPENCLAW_PRICES_FILE laid over them. */
    prices: PriceTable;
    /** A tenant whose monthly cost passes this share of its tier price is highlighted. */
    alertShare: number;
  };
}

/** An address SES sends from: ASCII, no display name (the IAM condition ses:FromAddress compares it exactly). */
const SES_ADDRESS = /^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;
/** The local provider's sender when none is configured: the outbox is on this machine only. */
export const LOCAL_FROM_ADDRESS = 'digest@openclaw.localhost';

/**
 * Read the environment into a Config. Every bad value is reported, one line each,
 * in a single ConfigError, before anything starts.
 */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Readonly<Config> {
  const problems: string[] = [];
  const read = new Reader(env, problems);

  const bucket = read.string('OPENCLAW_TENANT_BUCKET', { pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, allowed: 'an S3 bucket name: 3-63 lowercase letters, digits, "." and "-"' });
  const explicitProvider = read.oneOf('OPENCLAW_PROVIDER', ['local', 'aws'] as const);
  const provider = explicitProvider ?? (bucket ? 'aws' : 'local');
  const region = read.string('AWS_REGION', { pattern: /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/, allowed: 'an AWS region such as eu-west-1' }) ?? env.AWS_DEFAULT_REGION;
  const boundary = read.string('OPENCLAW_PERMISSIONS_BOUNDARY_ARN', { pattern: /^arn:aws[a-z-]*:iam::\d{12}:policy\/[\w+=,.@/-]+$/, allowed: 'an IAM managed policy ARN, arn:aws:iam::<account>:policy/<name>' });
  if (provider === 'aws') {
    // A value given but malformed is already reported; "required" is for a missing one.
    if (!region && !env.AWS_REGION?.trim()) problems.push('AWS_REGION: required when OPENCLAW_PROVIDER=aws (allowed: an AWS region such as eu-west-1)');
    if (!bucket && !env.OPENCLAW_TENANT_BUCKET?.trim()) problems.push('OPENCLAW_TENANT_BUCKET: required when OPENCLAW_PROVIDER=aws (allowed: an S3 bucket name)');
    if (!boundary && !env.OPENCLAW_PERMISSIONS_BOUNDARY_ARN?.trim()) problems.push('OPENCLAW_PERMISSIONS_BOUNDARY_ARN: required when OPENCLAW_PROVIDER=aws (allowed: an IAM managed policy ARN)');
  }

  const dataDir = resolvePath(cwd, read.string('OPENCLAW_DATA_DIR') ?? '.openclaw');
  const git = readGitConfig(read);
  const config: Config = {
    ...readOutwardConfig(read, git, provider === 'aws'),
    databaseUrl: read.string('DATABASE_URL', { pattern: /^postgres(ql)?:\/\//, allowed: 'a postgres:// or postgresql:// connection string', secret: true }),
    databaseSecretArn: read.string('OPENCLAW_DB_SECRET_ARN', { pattern: /^arn:aws[a-z-]*:secretsmanager:[a-z]{2,4}(-[a-z]+)+-\d{1,2}:\d{12}:secret:[\w/+=.@!-]{1,512}$/, allowed: 'a Secrets Manager secret ARN, arn:aws:secretsmanager:<region>:<account>:secret:<name>' }),
    tenantsDir: resolvePath(cwd, read.string('OPENCLAW_TENANTS_DIR') ?? 'tenants'),
    dataDir,
    provider,
    logLevel: read.oneOf('OPENCLAW_LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const) ?? 'info',
    aws: {
      region,
      endpointUrl: read.string('AWS_ENDPOINT_URL', { pattern: /^https?:\/\/[^\s]+$/, allowed: 'an http:// or https:// URL' }),
      tenantBucket: bucket ?? 'local-tenants',
      permissionsBoundaryArn: boundary,
      forcePathStyle: read.boolean('OPENCLAW_S3_FORCE_PATH_STYLE') ?? false,
      iamPath: read.string('OPENCLAW_IAM_PATH', { pattern: /^\/([\w+=,.@-]+\/)+$/, allowed: 'an IAM path such as /openclaw/tenants/' }) ?? '/openclaw/tenants/',
      secretsPrefix: read.string('OPENCLAW_SECRETS_PREFIX', { pattern: /^[A-Za-z0-9_+=.@-]{1,64}$/, allowed: '1-64 letters, digits and _+=.@-' }) ?? 'openclaw',
      secretRecoveryWindowDays: read.integer('OPENCLAW_SECRET_RECOVERY_DAYS', 7, 30) ?? 7,
    },
    ecs: {
      cluster: read.string('OPENCLAW_ECS_CLUSTER', { pattern: /^[A-Za-z0-9_:/.-]{1,255}$/, allowed: 'an ECS cluster name or ARN' }),
      subnets: read.list('OPENCLAW_SUBNETS', /^subnet-[0-9a-f]{8,17}$/, 'comma-separated subnet ids (subnet-0123abcd)'),
      securityGroups: read.list('OPENCLAW_SECURITY_GROUPS', /^sg-[0-9a-f]{8,17}$/, 'comma-separated security group ids (sg-0123abcd)'),
      taskDefinitionPrefix: read.string('OPENCLAW_AGENT_TASK_DEFINITION_PREFIX', { pattern: /^[A-Za-z0-9_-]{1,200}$/, allowed: 'letters, digits, "_" and "-"' }) ?? 'openclaw-agent-',
    },
    http: readHttpConfig(read, problems),
    publicFace: {
      port: read.integer('OPENCLAW_PUBLIC_PORT', 0, 65535) ?? 8081,
      url: read.string('OPENCLAW_PUBLIC_URL', { pattern: /^https?:\/\/[^\s/?#]+(\/[^\s?#]*[^\s?#/])?$/, allowed: 'an http:// or https:// base URL without query, fragment or trailing slash' }),
      sandboxPort: read.integer('OPENCLAW_SANDBOX_PORT', 0, 65535) ?? 8090,
    },
    integrations: readOAuthProviders(read, provider),
    connectors: readConnectorLimits(read),
    engine: {
      resyncIntervalMs: read.duration('OPENCLAW_RESYNC_INTERVAL') ?? 5 * 60_000,
      concurrency: read.integer('OPENCLAW_CONCURRENCY', 1, 256) ?? 8,
      backoffBaseMs: read.duration('OPENCLAW_BACKOFF_BASE') ?? 1_000,
      backoffMaxMs: read.duration('OPENCLAW_BACKOFF_MAX') ?? 5 * 60_000,
    },
    git,
    safety: {
      maxDeleteFraction: read.fraction('OPENCLAW_MAX_DELETE_FRACTION') ?? 0.1,
      purgeGraceMs: read.duration('OPENCLAW_PURGE_GRACE') ?? 7 * 24 * 3_600_000,
      rotationGraceMs: read.duration('OPENCLAW_ROTATION_GRACE') ?? 30_000,
    },
    scheduler: {
      enabled: read.boolean('OPENCLAW_SCHEDULER') ?? true,
      leaseMs: read.duration('OPENCLAW_LEADER_LEASE') ?? 15_000,
      // Fargate launches 20 tasks per second per account and region, after a burst of 100: more only throttles.
      launchesPerSecond: read.integer('OPENCLAW_LAUNCHES_PER_SECOND', 1, 20) ?? 10,
    },
    pool: {
      // Locally the controller runs the pooled runs itself; on AWS the worker service does (0 here).
      workers: read.integer('OPENCLAW_POOL_WORKERS', 0, 64) ?? (provider === 'local' ? 2 : 0),
      tenantAccessRoleArn: read.string('OPENCLAW_TENANT_ACCESS_ROLE_ARN', { pattern: /^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, allowed: 'an IAM role ARN (the shared tenant-access role)' }),
      // STS's minimum by default: a run's credentials outlive it by little. At most the role's maximum session (1 h in Terraform).
      credentialSeconds: read.integer('OPENCLAW_POOL_CREDENTIAL_SECONDS', 900, 3_600) ?? 900,
    },
    events: { retention: read.integer('OPENCLAW_EVENTS_RETENTION', 10, 10_000_000) ?? 10_000 },
    bedrockModelId: read.string('OPENCLAW_BEDROCK_MODEL_ID', { pattern: /^[\w.:/-]{1,256}$/, allowed: 'a Bedrock model id' }),
    email: {
      fromAddress: read.string('OPENCLAW_SES_FROM_ADDRESS', { pattern: SES_ADDRESS, allowed: 'a plain email address such as digest@mail.example.com (no display name)' }) ?? (provider === 'local' ? LOCAL_FROM_ADDRESS : undefined),
      configurationSet: read.string('OPENCLAW_SES_CONFIGURATION_SET', { pattern: /^[A-Za-z0-9_-]{1,64}$/, allowed: 'an SES configuration set name: 1-64 letters, digits, "_" and "-"' }),
    },
    usage: {
      prices: readPrices(read.string('OPENCLAW_PRICES_FILE'), cwd, problems),
      alertShare: read.fraction('OPENCLAW_USAGE_ALERT_SHARE') ?? 0.5,
    },
  };
  if (config.databaseSecretArn && !config.databaseUrl) {
    problems.push('OPENCLAW_DB_SECRET_ARN: needs DATABASE_URL (allowed: the password of the DATABASE_URL user, which the embedded PostgreSQL does not use)');
  }
  if (provider === 'aws' && config.ecs.cluster && config.ecs.subnets.length === 0) {
    problems.push('OPENCLAW_SUBNETS: required when OPENCLAW_ECS_CLUSTER is set (allowed: comma-separated subnet ids)');
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  return deepFreeze(config);
}

/** The price table: the shipped one, with the JSON file laid over it when one is named. */
function readPrices(file: string | undefined, cwd: string, problems: string[]): PriceTable {
  if (file === undefined) return structuredClone(DEFAULT_PRICES);
  let text: string;
  try {
    text = readFileSync(resolvePath(cwd, file), 'utf8');
  } catch (error) {
    problems.push(`OPENCLAW_PRICES_FILE: ${JSON.stringify(file)} cannot be read (${error instanceof Error && 'code' in error ? String(error.code) : 'error'}) (allowed: a readable JSON file of prices)`);
    return structuredClone(DEFAULT_PRICES);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    problems.push(`OPENCLAW_PRICES_FILE: ${file} is not JSON: ${errorMessage(error)}`);
    return structuredClone(DEFAULT_PRICES);
  }
  const { prices, problems: found } = parsePriceOverride(parsed, `OPENCLAW_PRICES_FILE ${file}`);
  problems.push(...found);
  return prices;
}

function resolvePath(cwd: string, path: string): string {
  return isAbsolute(path) ? path : resolve(cwd, path);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
