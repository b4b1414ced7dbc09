import { MANAGED_BY_VALUE } from '../../desired/tenant.js';
import { TerminalError } from '../../../contract/errors.js';
import { detailOf, type Change, type FleetChange } from '../../engine/types.js';
import type { Erased, ObjectStoreApi } from '../../providers/apis.js';
import { notOwnedMessage } from '../ownership.js';
import type { S3Detail, S3LifecycleDetail } from './diff.js';
import { LIFECYCLE_TAG, mergeRules, sameRules } from './lifecycle.js';
import { MARKER_META, markerState, type MarkerCache } from './observe.js';

export interface S3ApplyDeps {
  objects: ObjectStoreApi;
  cache: MarkerCache;
  now: () => number;
}

/** Executes one change to a tenant's prefix (apply and delete alike); an erasure returns what it removed. */
export async function executeS3(deps: S3ApplyDeps, change: Change<S3Detail>): Promise<Erased | void> {
  const detail = detailOf(change);
  switch (detail.op) {
    case 'create-marker':
      return putMarker(deps, change.tenant, detail.key, detail.lifecycleClass);
    case 'retag': {
      await ownedMarker(deps, change.tenant, detail.key);
      // Objects first, the marker (which records the class) last: a crash in between is retried whole.
      await deps.objects.retagPrefix(detail.prefix, { key: LIFECYCLE_TAG, value: detail.lifecycleClass }, { skip: [detail.key] });
      return putMarker(deps, change.tenant, detail.key, detail.lifecycleClass);
    }
    case 'empty-prefix': {
      await ownedMarker(deps, change.tenant, detail.key);
      // The marker goes last: until then it proves the prefix is ours, should this be interrupted.
      // Every version and delete marker goes, not only current objects (the bucket is versioned).
      const data = await deps.objects.deletePrefix(detail.prefix, { keep: [detail.key] });
      const rest = await deps.objects.deletePrefix(detail.prefix);
      deps.cache.forget(change.tenant);
      return { versions: data.versions + rest.versions, deleteMarkers: data.deleteMarkers + rest.deleteMarkers };
    }
  }
}

/** Writes the controller's lifecycle rules, keeping every other rule of the bucket. */
export async function applyLifecycle(objects: ObjectStoreApi, change: FleetChange<S3LifecycleDetail>): Promise<void> {
  const { rules } = detailOf(change);
  // Read-modify-write as close together as possible: rules others added since observe are kept.
  const current = await objects.getLifecycle();
  const merged = mergeRules(current, rules);
  if (!sameRules(current, merged)) await objects.putLifecycle(merged);
}

async function putMarker(deps: S3ApplyDeps, tenant: string, key: string, lifecycleClass: string): Promise<void> {
  const body = JSON.stringify({ tenant, managedBy: MANAGED_BY_VALUE, lifecycleClass, tagObjectsWith: { [LIFECYCLE_TAG]: lifecycleClass } }, null, 2);
  await deps.objects.putObject(key, body, { [MARKER_META.managedBy]: MANAGED_BY_VALUE, [MARKER_META.tenant]: tenant, [MARKER_META.lifecycle]: lifecycleClass });
  deps.cache.set(tenant, { managed: true, lifecycleClass }, deps.now());
}

/** Before touching a tenant's objects, the marker is read again: ownership is never taken from the cache. */
async function ownedMarker(deps: S3ApplyDeps, tenant: string, key: string): Promise<void> {
  const head = await deps.objects.headObject(key);
  if (!head || !markerState(head, tenant).managed) {
    deps.cache.forget(tenant);
    if (!head) throw new TerminalError('NOT_FOUND', `S3 marker ${key} is gone; the prefix is left untouched`);
    throw new TerminalError('NOT_OWNED', notOwnedMessage(`S3 marker ${key}`));
  }
}
