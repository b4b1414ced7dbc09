import { join } from 'node:path';
import { secretBackedCredentials } from '../../controller/providers/credentials.js';
import { LocalIam } from '../../controller/providers/local/iam.js';
import { LocalObjectStore } from '../../controller/providers/local/objects.js';
import { LocalSecretStore, localSecretArn, localSecretPaths } from '../../controller/providers/local/secret-store.js';
import type { Provider } from '../../controller/providers/types.js';

/**
 * A provider that contributes no resource modules, only the local secret store that keeps
 * database credentials: for tests of the engine and the postgres module on their own.
 */
export function secretsOnlyProvider(dataDir: string): Provider {
  const { storeFile, keyFile } = localSecretPaths(join(dataDir, 'secrets-only'));
  const secrets = new LocalSecretStore(storeFile, keyFile);
  return {
    name: 'local',
    secrets,
    credentials: secretBackedCredentials(secrets, 'openclaw'),
    iam: new LocalIam(join(dataDir, 'secrets-only'), '000000000000'),
    objects: new LocalObjectStore(join(dataDir, 'secrets-only'), 'local-tenants'),
    describe: () => ({ name: 'local', partition: 'aws', region: 'local', bucket: 'local-tenants', accountId: '000000000000' }),
    identity: async () => ({ accountId: '000000000000', partition: 'aws', region: 'local' }),
    kinds: [],
    secretArn: localSecretArn,
    callCounts: () => ({}),
    close: async () => {},
  };
}
