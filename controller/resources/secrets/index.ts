import type { ResourceModule } from '../../engine/types.js';
import type { DbCredentialStore, SecretsApi } from '../../providers/types.js';
import { executeSecrets } from './apply.js';
import { SECRETS_KIND, diffSecrets, type SecretsDetail } from './diff.js';
import { observeSecrets, type SecretsObserved } from './observe.js';

export type { SecretsObserved } from './observe.js';

export interface SecretsModuleDeps {
  secrets: SecretsApi;
  credentials: DbCredentialStore;
  secretsPrefix: string;
  /** Days a deleted secret can still be restored (Secrets Manager allows 7–30). */
  recoveryWindowDays?: number;
}

export const DEFAULT_RECOVERY_WINDOW_DAYS = 7;

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
    diff: diffSecrets,
    apply: (change) => executeSecrets(applyDeps, change),
    delete: (change) => executeSecrets(applyDeps, change),
    describe: (_tenant, observed) => ({ secrets: observed?.secrets.filter((s) => s.deletedAt === undefined).length ?? 0 }),
  };
}
