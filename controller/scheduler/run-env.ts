import { AGENT_ENV, integrationSecretEnv } from '../../contract/agent-env.js';
import type { ScheduleEntry } from './entries.js';
import type { SecretArns } from './secret-arns.js';

/** The environment every run gets, whatever the launcher: identities and secret ARNs, no secret values. */
export function runEnvironment(entry: ScheduleEntry, runId: string, arns: Pick<SecretArns, 'arn'>, tokenAllowance?: number): Record<string, string> {
  const env: Record<string, string> = {
    [AGENT_ENV.tenant]: entry.tenant,
    [AGENT_ENV.agent]: entry.agent,
    [AGENT_ENV.runId]: runId,
    [AGENT_ENV.dbSecretArn]: arns.arn(entry.dbSecret),
    [AGENT_ENV.displayName]: entry.displayName,
  };
  if (entry.recipients.length > 0) env[AGENT_ENV.recipients] = entry.recipients.join(',');
  // A pooled run reads every integration from its tenant's one secret (with the tenant-scoped credentials the worker vends).
  if (entry.isolation === 'pool') {
    if (entry.integrationSecrets.length > 0) env[AGENT_ENV.pooledSecretArn] = arns.arn(entry.integrationSecrets[0].name);
  } else {
    for (const secret of entry.integrationSecrets) env[integrationSecretEnv(secret.provider)] = arns.arn(secret.name);
  }
  if (tokenAllowance !== undefined) env[AGENT_ENV.tokenAllowance] = String(Math.max(0, Math.floor(tokenAllowance)));
  return env;
}

/**
 * The digest's recipients (those who have not opted out) and, for each, in the same order, the
 * signature of its one-click unsubscribe token; the agent puts the links together (contract/unsubscribe.ts).
 */
export function digestRecipientsEnv(recipients: readonly string[], signatures: readonly string[], unsubscribeEndpoint: string): Record<string, string> {
  return {
    [AGENT_ENV.recipients]: recipients.join(','),
    [AGENT_ENV.unsubscribeEndpoint]: unsubscribeEndpoint,
    [AGENT_ENV.unsubscribeSignatures]: signatures.join(','),
  };
}

/** A database URL without its user and password: the run authenticates as the tenant's runtime role. */
export function databaseUrlWithoutCredentials(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}
