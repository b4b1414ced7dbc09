import { names, secretsRoot } from '../../../contract/names.js';
import type { SecretRecord, SecretsApi } from '../../providers/types.js';

export interface SecretsObserved {
  /** The tenant's secrets (`<prefix>/tenants/<name>/…`), those scheduled for deletion included. */
  secrets: SecretRecord[];
}

/** One listing of every tenant secret (ListSecrets with a name filter, paginated), grouped by tenant. */
export async function observeSecrets(api: SecretsApi, secretsPrefix: string, tenants: readonly string[]): Promise<Map<string, SecretsObserved>> {
  const root = secretsRoot(secretsPrefix);
  const byTenant = new Map<string, SecretRecord[]>(tenants.map((t) => [t, []]));
  for (const secret of await api.list(root)) {
    const tenant = secret.name.slice(root.length).split('/')[0];
    byTenant.get(tenant)?.push(secret);
  }
  return new Map([...byTenant].map(([tenant, secrets]) => [tenant, { secrets }]));
}

/** A few tenants: a listing of each one's own folder (`…/tenants/<name>/`, one page), not of the fleet's. */
export async function observeSecretsFew(api: SecretsApi, secretsPrefix: string, tenants: readonly string[]): Promise<Map<string, SecretsObserved>> {
  const listed = await Promise.all(tenants.map((tenant) => api.list(names.secretsPath(secretsPrefix, tenant))));
  return new Map(tenants.map((tenant, i) => [tenant, { secrets: listed[i] }]));
}
