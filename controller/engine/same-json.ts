import { isRecord } from '../../contract/json.js';

/**
 * Equal as JSON, whatever the key order (jsonb reorders keys): what the reconciler asks of a
 * tenant's stored manifest, desired state and status against the pass's, for every tenant of every
 * pass. A walk of both values that stops at the first difference and builds nothing; it was a
 * canonical JSON text of each side, sorted objects and all (about 0.2 ms a tenant, most of a no-op
 * pass at 100,000 tenants). A field whose value is undefined counts as absent, as in JSON.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!writtenFieldByField(a) || !writtenFieldByField(b)) return canonicalJson(a) === canonicalJson(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (!isRecord(a) || !isRecord(b)) return false;
  let fields = 0;
  for (const key in a) {
    if (!Object.hasOwn(a, key) || a[key] === undefined) continue;
    fields++;
    if (!Object.hasOwn(b, key) || !sameJson(a[key], b[key])) return false;
  }
  for (const key in b) if (Object.hasOwn(b, key) && b[key] !== undefined) fields--;
  return fields === 0;
}

/** An array or an object JSON writes field by field (no toJSON, such as a Date's). */
function writtenFieldByField(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !('toJSON' in value && typeof value.toJSON === 'function');
}

/** JSON with every object's keys sorted: the answer for anything but plain objects and arrays. */
export function canonicalJson(value: unknown): string | undefined {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : 1))) : v);
}
