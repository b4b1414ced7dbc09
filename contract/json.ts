/** Narrowing parsed JSON without casts, for every reader of untrusted JSON (secrets, providers' answers, requests). Pure. */

/** A JSON object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
