import { ECSClient } from '@aws-sdk/client-ecs';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { STSClient } from '@aws-sdk/client-sts';
import type { Config } from '../../config.js';

/**
 * The SDK clients of the controller, built once from the configuration by the composition root: the
 * provider's (IAM, S3, Secrets Manager, STS) and the scheduler's ECS launcher's. Every call of each is
 * counted under one map (countCalls).
 */
export type AwsClients = {
  iam: IAMClient;
  s3: S3Client;
  secrets: SecretsManagerClient;
  sts: STSClient;
  ecs: ECSClient;
  /** Service Quotas, in us-east-1: IAM's quotas are global and served there. */
  quotas: ServiceQuotasClient;
};

/** The service names calls are counted and rate-limited under (the SDK's signing names). */
export const SERVICE_OF: Record<keyof AwsClients, string> = { iam: 'iam', s3: 's3', secrets: 'secretsmanager', sts: 'sts', ecs: 'ecs', quotas: 'servicequotas' };

/** SERVICE_OF names every client, so its keys are exactly the client names. */
const isClientName = (name: string): name is keyof AwsClients => Object.hasOwn(SERVICE_OF, name);

/**
 * Region, endpoint (AWS_ENDPOINT_URL: an AWS-compatible emulator), path-style S3 addressing,
 * and the standard credential chain (environment, shared files, SSO, ECS task role, IMDS).
 * maxAttempts 1: the provider and the ECS launcher retry by themselves, with their own rate limits and backoff.
 */
export function buildAwsClients(config: Readonly<Config>): AwsClients {
  const common = {
    region: config.aws.region,
    maxAttempts: 1,
    ...(config.aws.endpointUrl ? { endpoint: config.aws.endpointUrl } : {}),
  };
  return {
    iam: new IAMClient(common),
    s3: new S3Client({ ...common, forcePathStyle: config.aws.forcePathStyle }),
    secrets: new SecretsManagerClient(common),
    sts: new STSClient(common),
    ecs: new ECSClient(common),
    quotas: new ServiceQuotasClient({ ...common, region: 'us-east-1' }),
  };
}

interface MiddlewareClient {
  middlewareStack: { add(middleware: unknown, options: Record<string, unknown>): void; remove(name: string): boolean };
}

/**
 * Counts every call by `service:Operation` (throttled and failed ones included) in an SDK
 * middleware at the start of the initialize step. Interceptors added later (the AWS double)
 * run inside it, so they are counted too.
 */
export function countCalls(clients: Partial<AwsClients>, counts: Map<string, number>): void {
  for (const key of Object.keys(clients).filter(isClientName)) {
    const client: MiddlewareClient | undefined = clients[key];
    if (!client) continue;
    const service = SERVICE_OF[key];
    client.middlewareStack.remove('openclawCallCounter');
    client.middlewareStack.add(
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => {
        const name = `${service}:${(context.commandName ?? 'Unknown').replace(/Command$/, '')}`;
        counts.set(name, (counts.get(name) ?? 0) + 1);
        return next(args);
      },
      { step: 'initialize', priority: 'high', name: 'openclawCallCounter' },
    );
  }
}
