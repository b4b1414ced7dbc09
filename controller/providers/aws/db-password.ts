/**
 * The database password from a Secrets Manager secret in RDS's format (JSON with a `password` key),
 * read with the controller's own credentials. RDS rotates its managed master secret (every 7 days by
 * default); the pool reads it again when the server refuses the old password (contract/db-credentials.ts).
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Config } from '../../config.js';
import type { PasswordReader } from '../../../contract/db-credentials.js';
import { ControllerError } from '../../../contract/errors.js';

/** The region a secret lives in, from its ARN: the secret is read there, whatever AWS_REGION says. */
export function regionOfArn(arn: string): string {
  return arn.split(':')[3];
}

/** The `password` of a JSON secret value; the value itself never goes into an error or a log. */
export function passwordOfSecret(secretArn: string, text: string | undefined): string {
  let parsed: unknown;
  try {
    parsed = text === undefined ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const password = typeof parsed === 'object' && parsed !== null && 'password' in parsed ? parsed.password : undefined;
  if (typeof password !== 'string' || password === '') {
    throw new ControllerError('CONFIG_INVALID', `the database secret ${secretArn} is not JSON with a non-empty "password" string`);
  }
  return password;
}

export function secretsClientFor(config: Readonly<Config>, secretArn: string): SecretsManagerClient {
  return new SecretsManagerClient({
    region: regionOfArn(secretArn),
    ...(config.aws.endpointUrl ? { endpoint: config.aws.endpointUrl } : {}),
  });
}

export function secretPasswordReader(client: SecretsManagerClient, secretArn: string): PasswordReader {
  return async () => {
    const output = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    return passwordOfSecret(secretArn, output.SecretString);
  };
}
