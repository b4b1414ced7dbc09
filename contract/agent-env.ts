import { resolve } from 'node:path';
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
} as const;

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

/** Exit statuses of `agents/run.ts`. */
export const AGENT_EXIT = { ok: 0, failed: 1, misconfigured: 2 } as const;
