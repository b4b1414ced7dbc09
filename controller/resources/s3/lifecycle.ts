/**
 * Archive and expiry without one lifecycle rule per tenant (a bucket holds at most 1,000 rules):
 * tenants with the same (archiveAfterDays, expireAfterDays) share a class `a<N>-e<M>`; each class
 * is one rule `openclaw-lifecycle-a<N>-e<M>` over prefix `tenants/` filtered by the object tag
 * `openclaw-lifecycle=a<N>-e<M>`, which every object of such a tenant carries.
 */
import type { DesiredTenant } from '../../desired/types.js';
import { TerminalError } from '../../errors.js';
import type { LifecycleRule } from '../../providers/apis.js';

export const LIFECYCLE_TAG = 'openclaw-lifecycle';
export const OWNED_RULE_PREFIX = 'openclaw-';
export const TENANTS_ROOT = 'tenants/';
export const MAX_LIFECYCLE_RULES = 1000;
export const ARCHIVE_STORAGE_CLASS = 'GLACIER';

export function lifecycleClass(storage: { archiveAfterDays: number; expireAfterDays: number }): string {
  return `a${storage.archiveAfterDays}-e${storage.expireAfterDays}`;
}

/** The storage settings a class name stands for, or undefined for a name the controller did not make. */
export function parseLifecycleClass(cls: string): { archiveAfterDays: number; expireAfterDays: number } | undefined {
  const match = /^a(\d+)-e(\d+)$/.exec(cls);
  return match ? { archiveAfterDays: Number(match[1]), expireAfterDays: Number(match[2]) } : undefined;
}

export function classRule(storage: { archiveAfterDays: number; expireAfterDays: number }): LifecycleRule {
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

/**
 * Pure: one rule per distinct class, sorted by id: the classes the fleet wants, and the classes
 * objects are still tagged with (recorded on the markers of prefixes that hold data: a retained
 * tenant's, or a tenant's old class until its objects are retagged).
 */
export function desiredRules(fleet: readonly DesiredTenant[], classesInUse: readonly string[] = []): LifecycleRule[] {
  const storages = [...fleet.map((t) => t.s3), ...classesInUse.map(parseLifecycleClass).filter((s) => s !== undefined)];
  const byId = new Map(storages.map((s) => classRule(s)).map((r) => [r.id, r]));
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

export const isOwnedRule = (rule: LifecycleRule) => rule.id.startsWith(OWNED_RULE_PREFIX);

/** The meaning of a rule, for comparison (provider formatting and `raw` ignored). */
export function ruleKey(rule: LifecycleRule): string {
  const tags = Object.entries(rule.tags).sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify([rule.id, rule.enabled, rule.prefix, tags, rule.transitionDays ?? null, rule.storageClass ?? null, rule.expirationDays ?? null]);
}

export function sameRules(a: readonly LifecycleRule[], b: readonly LifecycleRule[]): boolean {
  const keys = (rules: readonly LifecycleRule[]) => rules.map(ruleKey).sort().join('\n');
  return keys(a) === keys(b);
}

/**
 * Pure: the bucket's configuration after replacing the controller's rules with `owned`, keeping
 * every rule it does not own exactly as it was. Over 1,000 rules is a terminal error.
 */
export function mergeRules(current: readonly LifecycleRule[], owned: readonly LifecycleRule[]): LifecycleRule[] {
  const merged = [...current.filter((r) => !isOwnedRule(r)), ...owned];
  if (merged.length > MAX_LIFECYCLE_RULES) {
    throw new TerminalError('LIMIT_EXCEEDED', `the bucket lifecycle would need ${merged.length} rules (${owned.length} lifecycle classes of the controller, ${merged.length - owned.length} other rules); S3 allows ${MAX_LIFECYCLE_RULES}`);
  }
  return merged;
}
