import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import { secretBackedCredentials } from '../credentials.js';
import { countingApi } from '../counting.js';
import { CLOUD_KINDS, type Provider, type SecretsApi } from '../types.js';
import { LocalIam } from './iam.js';
import { LocalObjectStore } from './objects.js';
import { LocalSecretStore, localSecretArn, localSecretPaths } from './secret-store.js';

export const LOCAL_ACCOUNT_ID = '000000000000';

export interface LocalProviderDeps {
  log: Logger;
  now?: () => number;
}

/**
 * Stand-ins for one machine, under the data directory: the bucket as folders, secrets in an
 * encrypted file store (key kept apart), IAM roles as JSON documents. The same resource modules
 * run on it as on AWS; calls are counted the same way (`service:Method`).
 */
export async function createLocalProvider(config: Readonly<Config>, deps: LocalProviderDeps): Promise<Provider> {
  const now = deps.now ?? Date.now;
  const counts = new Map<string, number>();
  const paths = localSecretPaths(config.dataDir);
  const secrets = countingApi<SecretsApi>('secretsmanager', new LocalSecretStore(paths.storeFile, paths.keyFile, now), counts);
  const apis = {
    secrets,
    credentials: secretBackedCredentials(secrets, config.aws.secretsPrefix),
    iam: countingApi('iam', new LocalIam(config.dataDir, LOCAL_ACCOUNT_ID), counts),
    objects: countingApi('s3', new LocalObjectStore(config.dataDir, config.aws.tenantBucket), counts),
  };
  const region = config.aws.region ?? 'local';
  deps.log.info({ dataDir: config.dataDir, bucket: config.aws.tenantBucket }, 'local provider ready');
  return {
    name: 'local',
    ...apis,
    describe: () => ({ name: 'local', region, partition: 'aws', bucket: config.aws.tenantBucket, accountId: LOCAL_ACCOUNT_ID }),
    identity: async () => ({ accountId: LOCAL_ACCOUNT_ID, partition: 'aws', region }),
    kinds: CLOUD_KINDS,
    secretArn: localSecretArn,
    callCounts: () => Object.fromEntries([...counts].sort(([a], [b]) => (a < b ? -1 : 1))),
    close: async () => {},
  };
}
