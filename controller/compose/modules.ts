import type { IntegrationProviderName } from '../../contract/integration-secret.js';
import type { ResourceModule } from '../engine/types.js';
import type { Provider } from '../providers/types.js';
import type { IntegrationLock } from '../resources/secrets/vault.js';
import { iamModule } from '../resources/iam/index.js';
import { s3Module } from '../resources/s3/index.js';
import { secretsModule } from '../resources/secrets/index.js';

export interface CloudModuleSettings {
  secretsPrefix: string;
  now: () => number;
  /** Secrets Manager recovery window for deleted secrets (7–30 days). */
  secretRecoveryWindowDays: number;
  /** The tenants' integration lock (onboarding's): a tier change moves tokens under it. */
  integrationLock: IntegrationLock;
  /** Revokes a tenant's grant at the provider before its integration secret is deleted. */
  revokeGrant?: (tenant: string, provider: IntegrationProviderName) => Promise<unknown>;
}

/** The modules of the kinds the provider backs (secrets, iam, s3), on its APIs: the same modules on every provider. */
export function cloudModules(provider: Pick<Provider, 'kinds' | 'secrets' | 'credentials' | 'iam' | 'objects'>, settings: CloudModuleSettings): ResourceModule[] {
  const modules: ResourceModule[] = [];
  for (const kind of provider.kinds) {
    if (kind === 'secrets') {
      modules.push(secretsModule({
        secrets: provider.secrets, credentials: provider.credentials, secretsPrefix: settings.secretsPrefix, recoveryWindowDays: settings.secretRecoveryWindowDays,
        integrationLock: settings.integrationLock, revokeGrant: settings.revokeGrant, now: settings.now,
      }));
    } else if (kind === 'iam') {
      modules.push(iamModule({ iam: provider.iam }));
    } else {
      modules.push(s3Module({ objects: provider.objects, now: settings.now }));
    }
  }
  return modules;
}
