/**
 * Archive and expiry without one lifecycle rule per tenant (a bucket holds at most 1,000 rules):
 * tenants with the same (archiveAfterDays, expireAfterDays) share a class `a<N>-e<M>`; each class
 * is one rule `openclaw-lifecycle-a<N>-e<M>` over prefix `tenants/` filtered by the object tag
 * `openclaw-lifecycle=a<N>-e<M>`, which every object of such a tenant carries.
 */
import { TerminalError } from '../../../contract/errors.js';
import type { LifecycleRule } from '../../providers/apis.js';

export const LIFECYCLE_TAG = 'openclaw-lifecycle';
export const OWNED_RULE_PREFIX = 'openclaw-';
export const TENANTS_ROOT = 'tenants/';
export const MAX_LIFECYCLE_RULES = 1000;
export const ARCHIVE_STORAGE_CLASS = 'GLACIER';

/** What a tenant's lifecycle rule is made of: when its objects are archived and when they expire. */
export interface StorageSettings {
  archiveAfterDays: number;
  expireAfterDays: number;
}

export function lifecycleClass(storage: StorageSettings): string {
  return `a${storage.archiveAfterDays}-e${storage.expireAfterDays}`;
}

/** The storage settings a class name stands for, or undefined for a name the controller did not make. */
export function parseLifecycleClass(cls: string): StorageSettings | undefined {
  const match = /^a(\d+)-e(\d+)$/.exec(cls);
  return match ? { archiveAfterDays: Number(match[1]), expireAfterDays: Number(match[2]) } : undefined;
}

export function classRule(storage: StorageSettings): LifecycleRule {
  const cls = lifecycleClass(storage);
  return {
    id: `openclaw-lifecycle-${cls}`,
    enabled: true,
    prefix: TENANTS_ROOT,
    tags: { [LIFECYCLE_TAG]: cls },
    transitionDays: storage.archiveAfterDays,
    storageClass: ARCHIVE_STORAGE_CLASS,
    expirationDays: storage.expireAfterDays,
  };
}

/** Days a noncurrent object version is kept before the bucket expires it (the bucket is versioned). */
export const NONCURRENT_VERSION_DAYS = 30;
export const NONCURRENT_RULE_ID = 'openclaw-noncurrent-versions';

/**
 * Noncurrent versions under `tenants/` expire after NONCURRENT_VERSION_DAYS, and delete markers left
 * with no version behind them go too: an overwritten or deleted object does not stay forever.
 */
export function noncurrentRule(): LifecycleRule {
  return { id: NONCURRENT_RULE_ID, enabled: true, prefix: TENANTS_ROOT, tags: {}, noncurrentExpirationDays: NONCURRENT_VERSION_DAYS, expiredObjectDeleteMarker: true };
}

/**
 * Pure: one rule per distinct class of `fleet`, and the noncurrent-version rule, sorted by id.
 * `fleet` comes only from state the controller owns (desired and last applied states of tenants
 * whose data may still exist), never from anything a tenant's role can write.
 */
export function desiredRules(fleet: readonly { s3: StorageSettings }[]): LifecycleRule[] {
  const byId = new Map(fleet.map((t) => classRule(t.s3)).map((r) => [r.id, r]));
  byId.set(NONCURRENT_RULE_ID, noncurrentRule());
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

export const isOwnedRule = (rule: LifecycleRule) => rule.id.startsWith(OWNED_RULE_PREFIX);

/** The meaning of a rule, for comparison (provider formatting and `raw` ignored). */
export function ruleKey(rule: LifecycleRule): string {
  const tags = Object.entries(rule.tags).sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify([rule.id, rule.enabled, rule.prefix, tags, rule.transitionDays ?? null, rule.storageClass ?? null, rule.expirationDays ?? null,
    rule.noncurrentExpirationDays ?? null, rule.expiredObjectDeleteMarker ?? false]);
}

export function sameRules(a: readonly LifecycleRule[], b: readonly LifecycleRule[]): boolean {
  const keys = (rules: readonly LifecycleRule[]) => rules.map(ruleKey).sort().join('\n');
  return keys(a) === keys(b);
}

/**
 * Pure: the bucket's configuration after replacing the controller's rules with `owned`, keeping
 * every rule it does not own exactly as it was. The result is validated before anyone puts it.
 */
export function mergeRules(current: readonly LifecycleRule[], owned: readonly LifecycleRule[]): LifecycleRule[] {
  const merged = [...current.filter((r) => !isOwnedRule(r)), ...owned];
  validateRules(merged, owned.length);
  return merged;
}

const positive = (n: number | undefined) => n === undefined || (Number.isInteger(n) && n > 0);

/**
 * Pure: what S3 would refuse, refused before the put (a terminal error, nothing written): more than
 * 1,000 rules, a repeated ID, a day count that is not a positive integer, an expiry not after the
 * transition, an expiry by days together with the removal of expired delete markers.
 */
export function validateRules(rules: readonly LifecycleRule[], ownedCount = rules.filter(isOwnedRule).length): void {
  if (rules.length > MAX_LIFECYCLE_RULES) {
    throw new TerminalError('LIMIT_EXCEEDED', `the bucket lifecycle would need ${rules.length} rules (${ownedCount} of the controller, ${rules.length - ownedCount} other rules); S3 allows ${MAX_LIFECYCLE_RULES}`);
  }
  const seen = new Set<string>();
  for (const rule of rules) {
    const repeated = seen.has(rule.id);
    seen.add(rule.id);
    if (rule.raw && !repeated) continue; // a rule as S3 accepted it
    const problem = repeated ? 'its ID is used twice'
      : ![rule.transitionDays, rule.expirationDays, rule.noncurrentExpirationDays].every(positive) ? 'a day count is not a positive integer'
      : rule.transitionDays !== undefined && rule.expirationDays !== undefined && rule.expirationDays <= rule.transitionDays ? `expiry (${rule.expirationDays} days) is not after the transition (${rule.transitionDays} days)`
      : rule.expirationDays !== undefined && rule.expiredObjectDeleteMarker ? 'an expiry in days cannot also remove expired delete markers'
      : undefined;
    if (problem) throw new TerminalError('INTERNAL', `lifecycle rule ${rule.id} is invalid: ${problem}; the configuration is not put`);
  }
}
