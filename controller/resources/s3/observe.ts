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
  readonly prefixExists: boolean;
  readonly marker?: Readonly<MarkerState>;
}

/** Every tenant with nothing under its prefix shares this observation. */
const NO_PREFIX: S3TenantObserved = Object.freeze({ prefixExists: false });

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
 *
 * Held for every tenant between passes, so kept small: the fleet's markers take a handful of distinct
 * states (managed or not, a lifecycle class of the tier's), each held once, and a tenant keeps two small
 * integers, the state's index and the second of its check (counted from the cache's first check).
 */
export class MarkerCache {
  /** Each distinct state, frozen: every tenant in that state is handed the same instance. */
  private readonly states: Readonly<MarkerState>[] = [];
  /** The observation of a tenant whose marker is in each state, shared as the states are. */
  private readonly observations: S3TenantObserved[] = [];
  private readonly stateIndex = new Map<string, number>();
  private readonly stateOf = new Map<string, number>();
  private readonly checkedAt = new Map<string, number>();
  /** The first check's time: checks are counted in seconds from it. */
  private origin: number | undefined;

  constructor(private readonly recheckMs: number) {}

  /** The tenant's marker as last read, unless its recheck is due: shared and frozen (see states). */
  get(tenant: string, now: number): Readonly<MarkerState> | undefined {
    const index = this.freshIndex(tenant, now);
    return index === undefined ? undefined : this.states[index];
  }

  /** The tenant's observation (its prefix exists, its marker as last read) unless its recheck is due; shared and frozen. */
  observed(tenant: string, now: number): S3TenantObserved | undefined {
    const index = this.freshIndex(tenant, now);
    return index === undefined ? undefined : this.observations[index];
  }

  private freshIndex(tenant: string, now: number): number | undefined {
    const index = this.stateOf.get(tenant);
    const checked = this.checkedAt.get(tenant);
    if (index === undefined || checked === undefined || now - this.toMs(checked, now) >= this.recheckMs) return undefined;
    return index;
  }

  set(tenant: string, state: MarkerState, now: number): void {
    this.stateOf.set(tenant, this.indexOf(state));
    this.checkedAt.set(tenant, this.toSeconds(now));
  }

  forget(tenant: string): void {
    this.stateOf.delete(tenant);
    this.checkedAt.delete(tenant);
  }

  /** Tenants whose marker is known (fresh or not). */
  get size(): number {
    return this.stateOf.size;
  }

  private indexOf(state: MarkerState): number {
    const key = `${state.managed}\u0000${state.lifecycleClass ?? ''}\u0000${state.lifecycleClass === undefined}`;
    let index = this.stateIndex.get(key);
    if (index === undefined) {
      const marker = Object.freeze({ managed: state.managed, lifecycleClass: state.lifecycleClass });
      index = this.states.push(marker) - 1;
      this.observations.push(Object.freeze({ prefixExists: true, marker }));
      this.stateIndex.set(key, index);
    }
    return index;
  }

  /**
   * Whole seconds since the first check (a small integer, which V8 holds without a box), rounded down:
   * a marker is read again up to a second before `recheckMs`, never after.
   */
  private toSeconds(now: number): number {
    this.origin ??= now;
    return Math.floor((now - this.origin) / 1000);
  }

  private toMs(seconds: number, now: number): number {
    return (this.origin ?? now) + seconds * 1000;
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
      result.set(tenant, NO_PREFIX);
      continue;
    }
    const known = cache.observed(tenant, now);
    if (known) result.set(tenant, known);
    else unknown.push(tenant);
  }
  await mapLimit(unknown, HEAD_CONCURRENCY, async (tenant) => {
    const head = await objects.headObject(names.s3Marker(tenant));
    const marker = head ? markerState(head, tenant) : undefined;
    if (marker) cache.set(tenant, marker, now);
    result.set(tenant, (marker && cache.observed(tenant, now)) || { prefixExists: true, ...(marker ? { marker } : {}) });
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
