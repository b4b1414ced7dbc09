import { QUOTAS, type ResourceModule } from '../../engine/types.js';
import type { DbCredentialStore, SecretsApi } from '../../providers/types.js';
import type { IntegrationLock } from './vault.js';
import { executeSecrets, type SecretsApplyDeps } from './apply.js';
import { SECRETS_KIND, diffSecrets, type SecretsDetail } from './diff.js';
import { observeSecrets, observeSecretsFew, type SecretsObserved } from './observe.js';

export type { SecretsObserved } from './observe.js';

export interface SecretsModuleDeps {
  secrets: SecretsApi;
  credentials: DbCredentialStore;
  secretsPrefix: string;
  /** Days a deleted secret can still be restored (Secrets Manager allows 7–30). */
  recoveryWindowDays?: number;
  /** Held while a tier change moves the tenant's tokens: onboarding and the refresher hold it too. */
  integrationLock: IntegrationLock;
  revokeGrant?: SecretsApplyDeps['revokeGrant'];
  now: () => number;
}

export const DEFAULT_RECOVERY_WINDOW_DAYS = 7;

/** Secrets Manager's quota on the secrets of an account in one Region. */
export const SECRETS_PER_REGION = 500_000;

/**
 * The tenant's secrets: `…/tenants/<name>/db` (generated runtime database credentials) and one
 * placeholder per OAuth integration, created without a value and never overwritten. Tags on every
 * secret; deletion (Delete policy, after the grace period) with a recovery window; a secret
 * scheduled for deletion is restored when its tenant comes back.
 */
export function secretsModule(deps: SecretsModuleDeps): ResourceModule<SecretsObserved, SecretsDetail> {
  const applyDeps = { ...deps, recoveryWindowDays: deps.recoveryWindowDays ?? DEFAULT_RECOVERY_WINDOW_DAYS };
  return {
    kind: SECRETS_KIND,
    order: 10,
    observe: async (tenants) => ({ tenants: await observeSecrets(deps.secrets, deps.secretsPrefix, tenants) }),
    observeFew: async (tenants) => ({ tenants: await observeSecretsFew(deps.secrets, deps.secretsPrefix, tenants) }),
    diff: diffSecrets,
    // The tenants' secrets the listing saw, those in their recovery window included: they count until deleted.
    usage: ({ tenants }) => [{
      quota: QUOTAS.secrets, description: 'Secrets of the tenants',
      used: [...tenants.values()].reduce((n, observed) => n + observed.secrets.length, 0), limit: SECRETS_PER_REGION,
      source: 'ListSecrets of the tenants\' prefix; Secrets Manager\'s documented 500,000 secrets a Region (other secrets of the account not counted)',
    }],
    apply: (change) => executeSecrets(applyDeps, change),
    delete: (change) => executeSecrets(applyDeps, change),
    describe: (_tenant, observed) => ({ secrets: observed?.secrets.filter((s) => s.deletedAt === undefined).length ?? 0 }),
  };
}
