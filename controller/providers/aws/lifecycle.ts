import { TransitionStorageClass, type LifecycleRule as S3LifecycleRule } from '@aws-sdk/client-s3';
import { ProgrammingError } from '../../../contract/errors.js';
import { isOneOf } from '../../../contract/one-of.js';
import type { LifecycleRule } from '../apis.js';

const TRANSITION_CLASSES = Object.values(TransitionStorageClass);

/** The storage class a rule transitions to, one of those S3 accepts (GLACIER unless the rule names one). */
function transitionClass(storageClass = 'GLACIER'): TransitionStorageClass {
  if (isOneOf(TRANSITION_CLASSES, storageClass)) return storageClass;
  throw new ProgrammingError(`lifecycle storage class ${JSON.stringify(storageClass)} is not one S3 transitions to (allowed: ${TRANSITION_CLASSES.join(', ')})`);
}

/** Pure: an S3 lifecycle rule → the neutral shape (the original kept in `raw`). */
export function fromS3Rule(rule: S3LifecycleRule): LifecycleRule {
  const filter = rule.Filter;
  const tagList = filter?.Tag ? [filter.Tag] : filter?.And?.Tags ?? [];
  const transition = rule.Transitions?.[0];
  return {
    id: rule.ID ?? '',
    enabled: rule.Status === 'Enabled',
    prefix: filter?.Prefix ?? filter?.And?.Prefix ?? rule.Prefix ?? '',
    tags: Object.fromEntries(tagList.map((t) => [t.Key ?? '', t.Value ?? ''])),
    ...(transition?.Days !== undefined ? { transitionDays: transition.Days, storageClass: transition.StorageClass } : {}),
    ...(rule.Expiration?.Days !== undefined ? { expirationDays: rule.Expiration.Days } : {}),
    ...(rule.NoncurrentVersionExpiration?.NoncurrentDays !== undefined ? { noncurrentExpirationDays: rule.NoncurrentVersionExpiration.NoncurrentDays } : {}),
    ...(rule.Expiration?.ExpiredObjectDeleteMarker ? { expiredObjectDeleteMarker: true } : {}),
    raw: rule,
  };
}

/** Pure: the neutral shape → an S3 rule; a rule read from S3 is written back exactly as read. */
export function toS3Rule(rule: LifecycleRule): S3LifecycleRule {
  if (rule.raw) return rule.raw as S3LifecycleRule;
  const tags = Object.entries(rule.tags).map(([Key, Value]) => ({ Key, Value }));
  const filter = tags.length === 0
    ? { Prefix: rule.prefix }
    : tags.length === 1 && rule.prefix === '' ? { Tag: tags[0] } : { And: { Prefix: rule.prefix || undefined, Tags: tags } };
  return {
    ID: rule.id,
    Status: rule.enabled ? 'Enabled' : 'Disabled',
    Filter: filter,
    ...(rule.transitionDays !== undefined ? { Transitions: [{ Days: rule.transitionDays, StorageClass: transitionClass(rule.storageClass) }] } : {}),
    ...(rule.expirationDays !== undefined ? { Expiration: { Days: rule.expirationDays } } : {}),
    ...(rule.expiredObjectDeleteMarker ? { Expiration: { ExpiredObjectDeleteMarker: true } } : {}),
    ...(rule.noncurrentExpirationDays !== undefined ? { NoncurrentVersionExpiration: { NoncurrentDays: rule.noncurrentExpirationDays } } : {}),
  };
}
