import { resolve } from 'node:path';
import { INTEGRATION_PROVIDERS, type IntegrationProviderName } from './integration-secret.js';
import { names } from './names.js';

/**
 * The contract between the launchers (controller/scheduler) and the agent runtime: the environment
 * a run gets, and where its outputs go. Secret *values* are never part of it in AWS: only ARNs.
 */
export const AGENT_ENV = {
  tenant: 'OPENCLAW_TENANT',
  agent: 'OPENCLAW_AGENT',
  runId: 'OPENCLAW_RUN_ID',
  provider: 'OPENCLAW_PROVIDER',
  bucket: 'OPENCLAW_TENANT_BUCKET',
  dataDir: 'OPENCLAW_DATA_DIR',
  /** ARN of the tenant's db secret, read with the task role (GetSecretValue). */
  dbSecretArn: 'OPENCLAW_DB_SECRET_ARN',
  /** Local provider only: the runtime credentials as JSON, passed in the child's environment. */
  dbCredentials: 'OPENCLAW_DB_CREDENTIALS',
  modelId: 'OPENCLAW_BEDROCK_MODEL_ID',
  /** Model tokens the tenant may still use this month (its budget); the run stops calling the model past it. */
  tokenAllowance: 'OPENCLAW_MODEL_TOKEN_ALLOWANCE',
  logLevel: 'OPENCLAW_LOG_LEVEL',
  /** The tenant's display name, for what its people read (the digest's subject). */
  displayName: 'OPENCLAW_TENANT_DISPLAY_NAME',
  /** The address agents send email from (SES: a verified identity the tenant role may send as). */
  emailFrom: 'OPENCLAW_EMAIL_FROM',
  /** The SES configuration set every message goes through (aws). */
  sesConfigurationSet: 'OPENCLAW_SES_CONFIGURATION_SET',
  /** Comma-separated addresses the digest goes to: the tenant's contact and its agent's recipients. */
  recipients: 'OPENCLAW_DIGEST_RECIPIENTS',
  /** The public listener's one-click unsubscribe endpoint (RFC 8058) the digest's links point to. */
  unsubscribeEndpoint: 'OPENCLAW_UNSUBSCRIBE_ENDPOINT',
  /** Comma-separated, in the order of the recipients: the controller's signature of each one's unsubscribe token. */
  unsubscribeSignatures: 'OPENCLAW_UNSUBSCRIBE_SIGNATURES',
  /** Local provider only: the tenant's integration secrets' values as JSON `{provider: text}`, passed in the child's environment. */
  integrationSecrets: 'OPENCLAW_INTEGRATION_SECRETS',
  /** `pool`: a pooled run. Its session logs in as the pool and binds itself to the tenant with the grant below. */
  isolation: 'OPENCLAW_ISOLATION',
  /** Pooled runs: the single-use token that binds the run's database session to its tenant (never logged). */
  poolGrant: 'OPENCLAW_POOL_GRANT',
  /** Pooled runs: the tenant's one integrations secret, when it has connected one. */
  pooledSecretArn: 'OPENCLAW_POOLED_SECRET_ARN',
} as const;

/** The shared database login of pooled runs (platform migration 30): each session bound to one tenant. */
export const POOL_LOGIN = 'openclaw_pool';

/** The providers' API base URLs (the controller's OAuth configuration reads the same variables). */
export const CONNECTOR_API_URL_ENV = { google: 'OPENCLAW_GOOGLE_API_URL', microsoft: 'OPENCLAW_MICROSOFT_API_URL', hubspot: 'OPENCLAW_HUBSPOT_API_URL' } as const;

/**
 * The connectors' bounds: variable, allowed range and default. Validated by the controller's
 * configuration and again by the agent, which gets them in its environment.
 */
export const CONNECTOR_LIMITS = {
  pageSize: { env: 'OPENCLAW_CONNECTOR_PAGE_SIZE', min: 1, max: 500, fallback: 100, unit: 'items a page' },
  maxItems: { env: 'OPENCLAW_CONNECTOR_MAX_ITEMS', min: 1, max: 100_000, fallback: 1000, unit: 'items per stream and run' },
  bodyBytes: { env: 'OPENCLAW_CONNECTOR_BODY_BYTES', min: 256, max: 1_048_576, fallback: 16_384, unit: 'bytes of a message body' },
  deadlineSeconds: { env: 'OPENCLAW_CONNECTOR_DEADLINE_SECONDS', min: 10, max: 3600, fallback: 300, unit: 'seconds for all connectors of a run' },
  calendarDays: { env: 'OPENCLAW_CONNECTOR_CALENDAR_DAYS', min: 1, max: 365, fallback: 14, unit: 'days of calendar ahead (Graph)' },
} as const;
export type ConnectorLimit = keyof typeof CONNECTOR_LIMITS;
export const CONNECTOR_LIMIT_NAMES: readonly ConnectorLimit[] = ['pageSize', 'maxItems', 'bodyBytes', 'deadlineSeconds', 'calendarDays'];
export const CONNECTOR_FALLBACKS: Readonly<Record<ConnectorLimit, number>> = {
  pageSize: CONNECTOR_LIMITS.pageSize.fallback, maxItems: CONNECTOR_LIMITS.maxItems.fallback, bodyBytes: CONNECTOR_LIMITS.bodyBytes.fallback,
  deadlineSeconds: CONNECTOR_LIMITS.deadlineSeconds.fallback, calendarDays: CONNECTOR_LIMITS.calendarDays.fallback,
};

/** `OPENCLAW_SECRET_GOOGLE_ARN` and so on: one variable per integration secret the agent may read. */
export function integrationSecretEnv(provider: string): string {
  return `OPENCLAW_SECRET_${provider.toUpperCase()}_ARN`;
}

/** Everything an agent writes lives under this prefix of the tenant bucket. */
export function agentObjectPrefix(tenant: string, agent: string): string {
  return `${names.s3Prefix(tenant)}agents/${agent}/`;
}

/**
 * The local provider's stand-in for SES: `<dataDir>/outbox/<tenant>/`, one `.eml` file per message
 * (written by the agent, read by the ops page).
 */
export function outboxFolder(dataDir: string, tenant: string): string {
  return resolve(dataDir, 'outbox', tenant);
}

/** Exit statuses of `agents/run.ts`; `reauthorizationExit` adds 16 to 23. */
export const AGENT_EXIT = { ok: 0, failed: 1, misconfigured: 2 } as const;

/**
 * A run that failed because providers refused the tenant's authorization (a 401 with no renewed token
 * in the secret) exits with 16 plus one bit per provider, in INTEGRATION_PROVIDERS order: the exit code
 * is what every launcher (ECS, local, pooled) reports to the scheduler, which marks those integrations
 * ReauthorizationRequired.
 */
const REAUTHORIZATION_BASE = 16;

export function reauthorizationExit(providers: readonly IntegrationProviderName[]): number {
  return INTEGRATION_PROVIDERS.reduce((code, provider, bit) => (providers.includes(provider) ? code | (1 << bit) : code), REAUTHORIZATION_BASE);
}

/** The providers an exit status says need the customer's consent again; none for any other status. */
export function reauthorizationsOf(exitCode: number | null | undefined): IntegrationProviderName[] {
  if (exitCode === null || exitCode === undefined) return [];
  const bits = exitCode - REAUTHORIZATION_BASE;
  if (!Number.isInteger(bits) || bits <= 0 || bits >= 1 << INTEGRATION_PROVIDERS.length) return [];
  return INTEGRATION_PROVIDERS.filter((_, bit) => (bits & (1 << bit)) !== 0);
}
