import { PLATFORM, type ResourceModule } from '../../engine/types.js';
import type { ObjectStoreApi } from '../../providers/apis.js';
import { executeS3 } from './apply.js';
import { S3_KIND, diffS3 } from './diff.js';
import { MarkerCache, observeS3, type S3Observed, type S3TenantObserved } from './observe.js';

export { LIFECYCLE_TAG, classRule, desiredRules, lifecycleClass, mergeRules } from './lifecycle.js';
export type { S3Observed, S3PlatformObserved, S3TenantObserved } from './observe.js';

export interface S3ModuleDeps {
  objects: ObjectStoreApi;
  now: () => number;
  /** How long a marker read stays trusted before it is read again (default one hour). */
  markerRecheckMs?: number;
}

/**
 * The tenant's `tenants/<name>/` prefix with its marker object, and the bucket lifecycle shared by
 * all tenants (planned under PLATFORM). Delete empties the prefix after the grace period; Retain keeps it.
 */
export function s3Module(deps: S3ModuleDeps): ResourceModule<S3Observed> {
  const cache = new MarkerCache(deps.markerRecheckMs ?? 3_600_000);
  const applyDeps = { objects: deps.objects, cache, now: deps.now };
  return {
    kind: S3_KIND,
    order: 40,
    async observe(tenants, ctx) {
      const observed = await observeS3(deps.objects, cache, tenants, ctx.now());
      const result = new Map<string, S3Observed>(observed.tenants);
      result.set(PLATFORM, observed.platform);
      return result;
    },
    diff: diffS3,
    async apply(change) {
      await executeS3(applyDeps, change);
    },
    delete: (change) => executeS3(applyDeps, change),
    describe(_tenant, observed) {
      const marker = (observed as S3TenantObserved | undefined)?.marker;
      return marker?.managed ? { lifecycleClass: marker.lifecycleClass } : {};
    },
  };
}
