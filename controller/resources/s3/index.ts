import { QUOTAS, type ResourceModule } from '../../engine/types.js';
import type { ObjectStoreApi } from '../../providers/apis.js';
import { applyLifecycle, executeS3 } from './apply.js';
import { MAX_LIFECYCLE_RULES, desiredRules, isOwnedRule } from './lifecycle.js';
import { S3_KIND, diffLifecycle, diffS3, type S3Detail, type S3LifecycleDetail } from './diff.js';
import { MarkerCache, observeS3, observeS3Few, type S3PlatformObserved, type S3TenantObserved } from './observe.js';

export { LIFECYCLE_TAG, classRule, desiredRules, lifecycleClass, mergeRules } from './lifecycle.js';
export type { S3PlatformObserved, S3TenantObserved } from './observe.js';
export type { S3Detail, S3LifecycleDetail } from './diff.js';

export interface S3ModuleDeps {
  objects: ObjectStoreApi;
  now: () => number;
  /** How long a marker read stays trusted before it is read again (default one hour). */
  markerRecheckMs?: number;
}

/**
 * The tenant's `tenants/<name>/` prefix with its marker object, and the bucket lifecycle shared by
 * all tenants (its fleet-wide part). Delete empties the prefix after the grace period; Retain keeps it.
 */
export function s3Module(deps: S3ModuleDeps): ResourceModule<S3TenantObserved, S3Detail, S3PlatformObserved, S3LifecycleDetail> {
  const cache = new MarkerCache(deps.markerRecheckMs ?? 3_600_000);
  const applyDeps = { objects: deps.objects, cache, now: deps.now };
  return {
    kind: S3_KIND,
    order: 40,
    async observe(tenants, ctx) {
      const observed = await observeS3(deps.objects, cache, tenants, ctx.now());
      return { tenants: observed.tenants, fleet: observed.platform };
    },
    async observeFew(tenants, ctx) {
      const observed = await observeS3Few(deps.objects, cache, tenants, ctx.now());
      return { tenants: observed.tenants, fleet: observed.platform };
    },
    diff: diffS3,
    usage({ fleet: observed }, fleet) {
      if (!observed) return [];
      const others = observed.rules.filter((r) => !isOwnedRule(r)).length;
      const wanted = desiredRules(fleet);
      return [{
        quota: QUOTAS.lifecycleRules, description: `Lifecycle rules in bucket ${observed.bucket}`,
        used: observed.rules.length, after: others + wanted.length, limit: MAX_LIFECYCLE_RULES,
        source: 'GetBucketLifecycleConfiguration; S3 allows 1,000 rules a bucket',
      }];
    },
    async apply(change) {
      await executeS3(applyDeps, change);
    },
    delete: (change) => executeS3(applyDeps, change),
    describe(_tenant, observed) {
      const marker = observed?.marker;
      return marker?.managed ? { lifecycleClass: marker.lifecycleClass } : {};
    },
    fleet: {
      diff: diffLifecycle,
      apply: (change) => applyLifecycle(deps.objects, change),
    },
  };
}
