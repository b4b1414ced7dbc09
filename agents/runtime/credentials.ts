import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseDbCredentials, type DbCredentials } from '../../contract/db-credentials.js';
import { AGENT_ENV } from '../../contract/agent-env.js';
import { AgentConfigError, type AgentEnv } from './env.js';

export type { DbCredentials };

/** Reads a secret's string value with the task's own credentials (the tenant role in ECS). */
export type SecretReader = (secretId: string) => Promise<string | undefined>;

export function secretsManagerReader(env: AgentEnv): SecretReader {
  const client = new SecretsManagerClient({ region: env.region, ...(env.endpointUrl ? { endpoint: env.endpointUrl } : {}), ...(env.awsCredentials ? { credentials: env.awsCredentials } : {}) });
  return async (secretId) => (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
}

/**
 * The tenant's runtime database credentials: from the child's environment with the local provider,
 * else from the tenant's db secret. The value is parsed here and goes nowhere but the connection.
 */
export async function resolveCredentials(
  raw: Record<string, string | undefined>,
  env: AgentEnv,
  reader: () => SecretReader,
): Promise<DbCredentials> {
  const inline = raw[AGENT_ENV.dbCredentials];
  const text = inline?.trim() ? inline : env.dbSecretArn ? await reader()(env.dbSecretArn) : undefined;
  if (!text) throw new AgentConfigError(`${AGENT_ENV.dbSecretArn}: the tenant's db secret has no value`);
  const parsed = parseDbCredentials(text);
  if ('problem' in parsed) throw new AgentConfigError(`the tenant database credentials ${parsed.problem}`);
  return parsed.credentials;
}
