import { INTEGRATION_PROVIDERS } from '../../../contract/integration-secret.js';
import { names } from '../../../contract/names.js';
import type { DesiredTenant } from '../../desired/types.js';
import { QUOTAS, type Change, type DiffInput } from '../../engine/types.js';
import type { SecretRecord } from '../../providers/types.js';
import { changeFactory, isManaged, missingTags, notOwnedMessage } from '../ownership.js';
import type { SecretsObserved } from './observe.js';

export const SECRETS_KIND = 'secrets';

/** What a secrets change asks apply to do. */
export type SecretsDetail =
  | { op: 'create-db' | 'create-placeholder'; name: string; tags: Record<string, string>; description: string; username: string }
  /** A tier change: the tenant's integration tokens into its model's secrets (vault.ts). */
  | { op: 'move-integrations'; isolation: 'silo' | 'pool'; tags: Record<string, string> }
  | { op: 'update'; name: string; restore: boolean; tags: Record<string, string> }
  | { op: 'schedule-deletion'; name: string };

type SecretsChange = Change<SecretsDetail>;
const change = changeFactory<SecretsDetail>(SECRETS_KIND);

interface WantedSecret {
  name: string;
  /** 'db': generated credentials (credential store); 'placeholder': created empty, filled by someone else. */
  role: 'db' | 'placeholder';
  description: string;
}

function wantedSecrets(desired: DesiredTenant): WantedSecret[] {
  return [
    { name: desired.secrets.db.name, role: 'db', description: `Runtime database credentials of tenant ${desired.name}` },
    ...desired.secrets.integrations.map((i): WantedSecret => ({
      name: i.name, role: 'placeholder', description: `OAuth credentials of tenant ${desired.name} for ${i.provider}: set by the tenant's onboarding, never by the controller`,
    })),
  ];
}

const resource = (name: string) => `secret/${name}`;

/** Pure: one tenant's secret changes. Values are never read, compared or printed here. */
export function diffSecrets(input: DiffInput<SecretsObserved>): SecretsChange[] {
  const { tenant, desired } = input;
  const observed = input.observed?.secrets ?? [];
  if (!desired) {
    if (input.offboarding?.policy !== 'Delete' || !input.offboarding.purge) return [];
    return observed.flatMap((secret) => {
      if (!isManaged(secret.tags)) return [conflict(tenant, secret)];
      return secret.deletedAt === undefined ? [scheduleDeletion(tenant, secret, true)] : [];
    });
  }

  const byName = new Map(observed.map((s) => [s.name, s]));
  if (desired.isolation === 'pool') return pooledSecrets(desired, observed);
  const wanted = wantedSecrets(desired);
  const changes = wanted.map((w) => converge(desired, w, byName.get(w.name))).filter((c): c is SecretsChange => c !== undefined);
  // A secret of an integration the manifest no longer lists: its value belongs to the tenant, so it
  // goes only under the Delete policy (with a recovery window); Retain keeps it.
  const wantedNames = new Set(wanted.map((w) => w.name));
  const pooled = names.pooledSecret(secretsPrefixOf(desired), tenant);
  for (const secret of observed) {
    if (wantedNames.has(secret.name) || secret.name === pooled || !isManaged(secret.tags) || secret.deletedAt !== undefined) continue;
    if (desired.deletionPolicy === 'Delete') changes.push(scheduleDeletion(tenant, secret, false));
  }
  // The one secret of its pooled days: its tokens go into their own secrets (made above), then it is deleted.
  const document = byName.get(pooled);
  if (document && isManaged(document.tags) && document.deletedAt === undefined) {
    changes.push(change(tenant, resource(pooled), 'delete', {
      fields: ['integrations'], before: { integrations: `${pooled} (one document)` }, after: { integrations: 'a secret per integration', scheduledForDeletion: true },
      detail: { op: 'move-integrations', isolation: 'silo', tags: desired.tags },
    }));
  }
  return changes;
}

/** `<prefix>` of the tenant's secrets, from its db secret's name (`<prefix>/tenants/<name>/db`). */
function secretsPrefixOf(desired: DesiredTenant): string {
  return desired.secrets.db.name.slice(0, -`/tenants/${desired.name}/db`.length);
}

/**
 * A pooled tenant has no db secret (its runs use the pool's login) and no placeholders: onboarding
 * makes its one secret on the first connect. A db secret left from its silo days is generated
 * credentials of a role that is gone: scheduled for deletion. Its integration secrets from then hold
 * the customer's tokens: folded into its one secret, then deleted.
 */
function pooledSecrets(desired: DesiredTenant, observed: readonly SecretRecord[]): SecretsChange[] {
  const changes: SecretsChange[] = [];
  const silo = observed.filter((s) => INTEGRATION_PROVIDERS.some((p) => s.name === names.integrationSecret(secretsPrefixOf(desired), desired.name, p)) && s.deletedAt === undefined);
  const owned = silo.filter((s) => isManaged(s.tags));
  changes.push(...silo.filter((s) => !isManaged(s.tags)).map((s) => conflict(desired.name, s)));
  if (owned.length > 0) {
    const pooled = names.pooledSecret(secretsPrefixOf(desired), desired.name);
    changes.push(change(desired.name, resource(pooled), 'update', {
      fields: ['integrations'], before: { integrations: owned.map((s) => s.name).join(', ') }, after: { integrations: `${pooled} (one document)`, scheduledForDeletion: owned.map((s) => s.name).join(', ') },
      detail: { op: 'move-integrations', isolation: 'pool', tags: desired.tags },
    }));
  }
  const db = observed.find((s) => s.name === desired.secrets.db.name);
  if (!db || db.deletedAt !== undefined) return changes;
  if (!isManaged(db.tags)) return [...changes, conflict(desired.name, db)];
  return [...changes, scheduleDeletion(desired.name, db, false)];
}

function converge(desired: DesiredTenant, wanted: WantedSecret, secret: SecretRecord | undefined): SecretsChange | undefined {
  const tenant = desired.name;
  if (!secret) {
    // A secret scheduled for deletion still counts until its recovery window ends: only a create moves the count.
    return change(tenant, resource(wanted.name), 'create', {
      quota: QUOTAS.secrets,
      after: { tags: desired.tags, value: wanted.role === 'db' ? '(generated)' : '(none: a placeholder)' },
      detail: { op: wanted.role === 'db' ? 'create-db' : 'create-placeholder', name: wanted.name, tags: desired.tags, description: wanted.description, username: desired.postgres.runtimeRole },
    });
  }
  if (!isManaged(secret.tags)) return conflict(tenant, secret);
  const fields: string[] = [];
  const tags = missingTags(desired.tags, secret.tags);
  if (secret.deletedAt !== undefined) fields.push('restore');
  if (Object.keys(tags).length > 0) fields.push('tags');
  if (fields.length === 0) return undefined;
  return change(tenant, resource(secret.name), 'update', {
    fields,
    before: { scheduledForDeletion: secret.deletedAt !== undefined, tags: Object.fromEntries(Object.keys(tags).filter((k) => k in secret.tags).map((k) => [k, secret.tags[k]])) },
    after: { scheduledForDeletion: false, tags },
    detail: { op: 'update', name: secret.name, restore: secret.deletedAt !== undefined, tags },
  });
}

function scheduleDeletion(tenant: string, secret: SecretRecord, destructive: boolean): SecretsChange {
  return change(tenant, resource(secret.name), 'delete', {
    destructive, before: { tags: secret.tags }, after: { scheduledForDeletion: true },
    detail: { op: 'schedule-deletion', name: secret.name },
  });
}

function conflict(tenant: string, secret: SecretRecord): SecretsChange {
  return change(tenant, resource(secret.name), 'noop', { conflict: notOwnedMessage(`secret ${secret.name}`) });
}
