import { names } from '../../desired/names.js';
import type { DesiredTenant } from '../../desired/types.js';
import { PLATFORM, type Change, type DiffInput } from '../../engine/types.js';
import { changeFactory, notOwnedMessage } from '../ownership.js';
import { desiredRules, isOwnedRule, lifecycleClass, sameRules } from './lifecycle.js';
import type { S3Observed, S3PlatformObserved, S3TenantObserved } from './observe.js';

export const S3_KIND = 's3';
const change = changeFactory(S3_KIND);

/** Pure: the bucket lifecycle (PLATFORM) or one tenant's prefix and marker. */
export function diffS3(input: DiffInput<S3Observed>): Change[] {
  if (input.tenant === PLATFORM) return diffLifecycle(input.observed as S3PlatformObserved | undefined, input.fleet ?? []);
  return diffTenant(input as DiffInput<S3TenantObserved>);
}

/**
 * The controller's rules are derived from the whole fleet, so they are planned once per pass under
 * the PLATFORM pseudo-tenant: a no-op pass compares and writes nothing; a change is one
 * read-modify-write of the bucket configuration, whatever the number of tenants involved.
 * `fleet` holds every tenant whose data may still exist (see DiffInput.fleet), so retained data keeps
 * its archive and expiry; nothing here is read from what a tenant can write (its marker, its objects).
 */
function diffLifecycle(observed: S3PlatformObserved | undefined, fleet: readonly DesiredTenant[]): Change[] {
  if (!observed) return [];
  const current = observed.rules.filter(isOwnedRule);
  const wanted = desiredRules(fleet);
  if (sameRules(current, wanted)) return [];
  const ids = (rules: typeof wanted) => rules.map((r) => r.id).sort();
  return [change(PLATFORM, `lifecycle/${observed.bucket}`, current.length === 0 ? 'create' : 'update', {
    fields: ['rules'],
    before: { rules: ids(current) },
    after: { rules: ids(wanted), otherRules: observed.rules.length - current.length },
    detail: { op: 'lifecycle', rules: wanted },
  })];
}

function diffTenant(input: DiffInput<S3TenantObserved>): Change[] {
  const { tenant, desired, observed } = input;
  const marker = observed?.marker;
  const markerKey = names.s3Marker(tenant);
  const prefix = names.s3Prefix(tenant);
  const resource = `prefix/${prefix}`;
  if (desired) {
    const cls = lifecycleClass(desired.s3);
    if (!marker) {
      return [change(tenant, resource, 'create', {
        fields: observed?.prefixExists ? ['marker'] : [],
        after: { marker: markerKey, lifecycleClass: cls },
        detail: { op: 'create-marker', key: markerKey, lifecycleClass: cls },
      })];
    }
    if (!marker.managed) return [change(tenant, resource, 'noop', { conflict: notOwnedMessage(`S3 marker ${markerKey}`) })];
    if (marker.lifecycleClass === cls) return [];
    return [change(tenant, resource, 'update', {
      fields: ['lifecycleClass'],
      before: { lifecycleClass: marker.lifecycleClass ?? null },
      after: { lifecycleClass: cls },
      detail: { op: 'retag', key: markerKey, prefix, lifecycleClass: cls },
    })];
  }
  if (input.offboarding?.policy !== 'Delete' || !input.offboarding.purge || !observed?.prefixExists) return [];
  if (!marker?.managed) {
    return [change(tenant, resource, 'noop', {
      conflict: marker ? notOwnedMessage(`S3 marker ${markerKey}`) : `S3 prefix ${prefix} has objects but no controller marker (${markerKey}); it is not emptied`,
    })];
  }
  return [change(tenant, resource, 'delete', {
    destructive: true,
    before: { prefix },
    detail: { op: 'empty-prefix', key: markerKey, prefix },
  })];
}
