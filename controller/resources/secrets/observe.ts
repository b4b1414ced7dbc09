import { names, secretsRoot } from '../../../contract/names.js';
import type { SecretRecord, SecretsApi } from '../../providers/types.js';

export interface SecretsObserved {
  /** The tenant's secrets (`<prefix>/tenants/<name>/…`), those scheduled for deletion included. */
  secrets: readonly SecretRecord[];
}

/** Every tenant without a secret (a pooled one before it connects an integration) shares this observation. */
const NO_SECRETS: SecretsObserved = Object.freeze({ secrets: Object.freeze([]) });

/** One listing of every tenant secret (ListSecrets with a name filter, paginated), grouped by tenant. */
export async function observeSecrets(api: SecretsApi, secretsPrefix: string, tenants: readonly string[]): Promise<Map<string, SecretsObserved>> {
  const root = secretsRoot(secretsPrefix);
  const wanted = new Set(tenants);
  const byTenant = new Map<string, SecretRecord[]>();
  for (const secret of await api.list(root)) {
    const tenant = secret.name.slice(root.length).split('/')[0];
    if (!wanted.has(tenant)) continue;
    const held = byTenant.get(tenant);
    if (held) held.push(secret);
    else byTenant.set(tenant, [secret]);
  }
  return new Map(tenants.map((tenant) => {
    const secrets = byTenant.get(tenant);
    return [tenant, secrets ? { secrets } : NO_SECRETS];
  }));
}

/** A few tenants: a listing of each one's own folder (`…/tenants/<name>/`, one page), not of the fleet's. */
export async function observeSecretsFew(api: SecretsApi, secretsPrefix: string, tenants: readonly string[]): Promise<Map<string, SecretsObserved>> {
  const listed = await Promise.all(tenants.map((tenant) => api.list(names.secretsPath(secretsPrefix, tenant))));
  return new Map(tenants.map((tenant, i) => [tenant, { secrets: listed[i] }]));
}
