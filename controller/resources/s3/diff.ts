import { names } from '../../../contract/names.js';
import type { Change, DiffInput, FleetChange, FleetDiffInput } from '../../engine/types.js';
import type { LifecycleRule } from '../../providers/apis.js';
import { changeFactory, fleetChangeFactory, notOwnedMessage } from '../ownership.js';
import { desiredRules, isOwnedRule, lifecycleClass, sameRules } from './lifecycle.js';
import type { S3PlatformObserved, S3TenantObserved } from './observe.js';

export const S3_KIND = 's3';

/** What a change to a tenant's prefix asks apply to do. */
export type S3Detail =
  | { op: 'create-marker'; key: string; lifecycleClass: string }
  | { op: 'retag'; key: string; prefix: string; lifecycleClass: string }
  | { op: 'empty-prefix'; key: string; prefix: string };

/** The fleet-wide change: the controller's rules in the bucket lifecycle configuration. */
export interface S3LifecycleDetail {
  rules: LifecycleRule[];
}

const change = changeFactory<S3Detail>(S3_KIND);
const fleetChange = fleetChangeFactory<S3LifecycleDetail>(S3_KIND);

/**
 * The controller's rules are derived from the whole fleet, so they are planned once per pass as a
 * fleet-wide change: a no-op pass compares and writes nothing; a change is one
 * read-modify-write of the bucket configuration, whatever the number of tenants involved.
 * `fleet` holds every tenant whose data may still exist (see FleetDiffInput.fleet), so retained data keeps
 * its archive and expiry; nothing here is read from what a tenant can write (its marker, its objects).
 */
export function diffLifecycle({ observed, fleet }: FleetDiffInput<S3PlatformObserved>): FleetChange<S3LifecycleDetail>[] {
  const current = observed.rules.filter(isOwnedRule);
  const wanted = desiredRules(fleet);
  if (sameRules(current, wanted)) return [];
  const ids = (rules: typeof wanted) => rules.map((r) => r.id).sort();
  return [fleetChange(`lifecycle/${observed.bucket}`, current.length === 0 ? 'create' : 'update', {
    fields: ['rules'],
    before: { rules: ids(current) },
    after: { rules: ids(wanted), otherRules: observed.rules.length - current.length },
    detail: { rules: wanted },
  })];
}

/** Pure: one tenant's prefix and marker. */
export function diffS3(input: DiffInput<S3TenantObserved>): Change<S3Detail>[] {
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
