import { ControllerError, TransientError } from '../../../contract/errors.js';
import { INTEGRATION_PROVIDERS, type IntegrationProviderName } from '../../../contract/integration-secret.js';
import { names } from '../../../contract/names.js';
import { detailOf, type Change } from '../../engine/types.js';
import type { DbCredentialStore, SecretsApi } from '../../providers/types.js';
import type { SecretsDetail } from './diff.js';
import { IntegrationVault, type IntegrationLock } from './vault.js';

export interface SecretsApplyDeps {
  secrets: SecretsApi;
  credentials: DbCredentialStore;
  recoveryWindowDays: number;
  secretsPrefix: string;
  /** The tenant's integration lock, which onboarding and the refresher also hold while they write tokens. */
  integrationLock: IntegrationLock;
  /** Ends the tenant's grant at the provider before its integration secret is deleted (`tenantctl disconnect`'s revocation). */
  revokeGrant?: (tenant: string, provider: IntegrationProviderName) => Promise<unknown>;
  now: () => number;
}

/**
 * Executes one secrets change (apply and delete alike). Never writes a value, except generating the db
 * credentials once and moving a tenant's tokens between its models' secrets (under the integration lock).
 */
export async function executeSecrets(deps: SecretsApplyDeps, change: Change<SecretsDetail>): Promise<void> {
  const detail = detailOf(change);
  switch (detail.op) {
    case 'create-db': {
      // The credential store creates the secret with its value, fingerprint and the tenant's tags in one
      // write; a secret it found already (restored, or created by an interrupted pass) gets the tags now.
      let created = false;
      await existsAlready(detail.name, async () => {
        created = (await deps.credentials.ensure(change.tenant, detail.username, detail.tags)).created === true;
      });
      if (!created) await deps.secrets.tag(detail.name, detail.tags);
      return;
    }
    case 'create-placeholder':
      await existsAlready(detail.name, () => deps.secrets.create(detail.name, undefined, detail.tags, detail.description));
      return;
    case 'update': {
      if (detail.restore) await deps.secrets.restore(detail.name);
      if (Object.keys(detail.tags).length > 0) await deps.secrets.tag(detail.name, detail.tags);
      return;
    }
    case 'move-integrations': {
      const vault = new IntegrationVault({ secrets: deps.secrets, secretsPrefix: deps.secretsPrefix, recoveryWindowDays: deps.recoveryWindowDays, now: deps.now });
      await deps.integrationLock(change.tenant, () => vault.move(change.tenant, { isolation: detail.isolation, tags: detail.tags }));
      return;
    }
    case 'schedule-deletion':
      for (const provider of integrationsIn(deps.secretsPrefix, change.tenant, detail.name)) await deps.revokeGrant?.(change.tenant, provider);
      await deps.secrets.scheduleDeletion(detail.name, deps.recoveryWindowDays);
      return;
  }
}

/** The integrations whose tokens a tenant's secret holds: its one pooled document holds them all. */
function integrationsIn(secretsPrefix: string, tenant: string, name: string): IntegrationProviderName[] {
  if (name === names.pooledSecret(secretsPrefix, tenant)) return [...INTEGRATION_PROVIDERS];
  return INTEGRATION_PROVIDERS.filter((provider) => name === names.integrationSecret(secretsPrefix, tenant, provider));
}

/** Listing is eventually consistent: a secret created a moment ago may be missing from it. The next pass sees it. */
async function existsAlready(name: string, create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (error) {
    if (error instanceof ControllerError && error.code === 'CONFLICT') {
      throw new TransientError(`secret ${name} already exists but was not listed when observed; the next pass reconciles it`, error);
    }
    throw error;
  }
}
