import { GetCallerIdentityCommand, type GetCallerIdentityCommandOutput } from '@aws-sdk/client-sts';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import { secretBackedCredentials } from '../credentials.js';
import { CLOUD_KINDS, type Provider } from '../types.js';
import { AwsCaller, type RetryPolicy } from './caller.js';
import { buildAwsClients, countCalls, type AwsClients } from './clients.js';
import { awsIam } from './iam.js';
import { awsAccountQuotas } from './quotas.js';
import { AdaptiveRateLimiter, type RateLimit } from './rate-limit.js';
import { awsObjectStore } from './s3.js';
import { awsSecrets } from './secrets.js';
import { realSleep } from '../../../contract/backoff.js';

export interface AwsProviderDeps {
  log: Logger;
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Prebuilt SDK clients (tests); built from the configuration when absent. */
  clients?: AwsClients;
  /** Called once the call counter is installed: interceptors (the AWS double) attach here. */
  onClients?: (clients: AwsClients) => void;
  /** Overrides of DEFAULT_RATE_LIMITS, keyed `service:read` / `service:write`. */
  rateLimits?: Partial<Record<string, RateLimit>>;
  retry?: Partial<RetryPolicy>;
}

/**
 * The AWS provider: IAM, S3 and Secrets Manager through the SDK, every call counted, rate-limited
 * per service and retried with backoff. Asks STS who it is once, at start.
 */
export async function createAwsProvider(config: Readonly<Config>, deps: AwsProviderDeps): Promise<Provider> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? realSleep;
  const clients = deps.clients ?? buildAwsClients(config);
  const counts = new Map<string, number>();
  countCalls(clients, counts);
  deps.onClients?.(clients);

  const limiter = new AdaptiveRateLimiter({ limits: deps.rateLimits, now, sleep });
  const throttles = new Map<string, number>();
  const caller = new AwsCaller({
    limiter, random: deps.random ?? Math.random, sleep, log: deps.log, retry: deps.retry,
    onThrottle: (name) => throttles.set(name, (throttles.get(name) ?? 0) + 1),
  });
  const whoAmI = await caller.send('sts', clients.sts, new GetCallerIdentityCommand({}));
  const accountId = whoAmI.Account ?? '';
  const partition = whoAmI.Arn?.split(':')[1] ?? 'aws';
  const region = config.aws.region ?? 'us-east-1';
  deps.log.info({ accountId, region, bucket: config.aws.tenantBucket, endpoint: config.aws.endpointUrl }, 'AWS provider ready');

  const secrets = awsSecrets(clients.secrets, caller);
  const apis = {
    secrets,
    credentials: secretBackedCredentials(secrets, config.aws.secretsPrefix),
    iam: awsIam(clients.iam, caller),
    objects: awsObjectStore(clients.s3, caller, config.aws.tenantBucket),
  };
  return {
    name: 'aws',
    ...apis,
    describe: () => ({ name: 'aws', region, partition, bucket: config.aws.tenantBucket, accountId, ...(config.aws.endpointUrl ? { endpointUrl: config.aws.endpointUrl } : {}) }),
    identity: async () => ({ accountId, partition, region }),
    kinds: CLOUD_KINDS,
    secretArn: (name) => `arn:${partition}:secretsmanager:${region}:${accountId}:secret:${name}`,
    accountQuotas: awsAccountQuotas(clients.iam, clients.quotas, caller, now),
    callCounts: () => Object.fromEntries([...counts].sort(([a], [b]) => (a < b ? -1 : 1))),
    throttleCounts: () => Object.fromEntries([...throttles].sort(([a], [b]) => (a < b ? -1 : 1))),
    async close() {
      for (const client of Object.values(clients)) client.destroy();
    },
  };
}
