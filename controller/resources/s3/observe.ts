import { names } from '../../../contract/names.js';
import { MANAGED_BY_VALUE } from '../../desired/tenant.js';
import { mapLimit } from '../../../contract/concurrency.js';
import type { LifecycleRule, ObjectHead, ObjectStoreApi } from '../../providers/apis.js';
import { TENANTS_ROOT } from './lifecycle.js';

/** S3 user metadata on the marker object (lower-case: S3 folds metadata keys). */
export const MARKER_META = { managedBy: 'openclaw-managed-by', tenant: 'openclaw-tenant', lifecycle: 'openclaw-lifecycle' } as const;

export interface MarkerState {
  managed: boolean;
  /** The lifecycle class the tenant's objects are tagged with. */
  lifecycleClass?: string;
}

export interface S3TenantObserved {
  /** Some object exists under `tenants/<name>/`. */
  prefixExists: boolean;
  marker?: MarkerState;
}

export interface S3PlatformObserved {
  bucket: string;
  rules: LifecycleRule[];
}


export function markerState(head: ObjectHead, tenant: string): MarkerState {
  const managed = head.metadata[MARKER_META.managedBy] === MANAGED_BY_VALUE && head.metadata[MARKER_META.tenant] === tenant;
  return { managed, lifecycleClass: head.metadata[MARKER_META.lifecycle] };
}

/**
 * What the module knows of each marker, so that a steady-state pass is a constant number of calls
 * (the prefix listing and the lifecycle read), not one HEAD per tenant. A marker is read when its
 * tenant's prefix first appears, after the module wrote it, and again every `recheckMs`.
 */
export class MarkerCache {
  private readonly entries = new Map<string, MarkerState & { checkedAt: number }>();

  constructor(private readonly recheckMs: number) {}

  get(tenant: string, now: number): MarkerState | undefined {
    const entry = this.entries.get(tenant);
    if (!entry || now - entry.checkedAt >= this.recheckMs) return undefined;
    return { managed: entry.managed, lifecycleClass: entry.lifecycleClass };
  }

  set(tenant: string, state: MarkerState, now: number): void {
    this.entries.set(tenant, { ...state, checkedAt: now });
  }

  forget(tenant: string): void {
    this.entries.delete(tenant);
  }
}

const HEAD_CONCURRENCY = 16;

/** One delimiter listing of `tenants/`, the bucket lifecycle, and the markers not known yet. */
export async function observeS3(objects: ObjectStoreApi, cache: MarkerCache, tenants: readonly string[], now: number): Promise<{ tenants: Map<string, S3TenantObserved>; platform: S3PlatformObserved }> {
  const [prefixes, rules] = await Promise.all([objects.listPrefixes(TENANTS_ROOT), objects.getLifecycle()]);
  const present = new Set(prefixes.map((p) => p.slice(TENANTS_ROOT.length).replace(/\/$/, '')));
  const result = new Map<string, S3TenantObserved>();
  const unknown: string[] = [];
  for (const tenant of tenants) {
    if (!present.has(tenant)) {
      cache.forget(tenant);
      result.set(tenant, { prefixExists: false });
      continue;
    }
    const marker = cache.get(tenant, now);
    if (marker) result.set(tenant, { prefixExists: true, marker });
    else unknown.push(tenant);
  }
  await mapLimit(unknown, HEAD_CONCURRENCY, async (tenant) => {
    const head = await objects.headObject(names.s3Marker(tenant));
    const marker = head ? markerState(head, tenant) : undefined;
    if (marker) cache.set(tenant, marker, now);
    result.set(tenant, { prefixExists: true, ...(marker ? { marker } : {}) });
  });
  return { tenants: result, platform: { bucket: objects.bucket, rules } };
}

/**
 * A few tenants: each one's marker (one HEAD, fresher than the cache), whether its prefix holds anything when there
 * is no marker (one listing of one key), and the bucket lifecycle (one call: a tenant's new storage
 * class needs its rule in the same pass).
 */
export async function observeS3Few(objects: ObjectStoreApi, cache: MarkerCache, tenants: readonly string[], now: number): Promise<{ tenants: Map<string, S3TenantObserved>; platform: S3PlatformObserved }> {
  const result = new Map<string, S3TenantObserved>();
  const [rules] = await Promise.all([objects.getLifecycle(), mapLimit(tenants, HEAD_CONCURRENCY, async (tenant) => {
    const head = await objects.headObject(names.s3Marker(tenant));
    const marker = head ? markerState(head, tenant) : undefined;
    if (marker) cache.set(tenant, marker, now);
    else cache.forget(tenant);
    result.set(tenant, marker ? { prefixExists: true, marker } : { prefixExists: await objects.hasObjects(names.s3Prefix(tenant)) });
  })]);
  return { tenants: result, platform: { bucket: objects.bucket, rules } };
}
