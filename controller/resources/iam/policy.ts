/**
 * IAM policy documents compared as IAM means them, not as IAM prints them: AWS returns documents
 * URL-encoded, re-serialized with its own key order, and freely turns ["x"] into "x". Normalizing
 * both sides before comparing keeps a no-op pass free of false diffs.
 */
import { isRecord } from '../../../contract/json.js';

/** Parses a policy given as an object, JSON text, or URL-encoded JSON text. */
export function parsePolicy(document: unknown): unknown {
  if (typeof document !== 'string') return document;
  try {
    return JSON.parse(document);
  } catch {
    return JSON.parse(decodeURIComponent(document));
  }
}

/**
 * Pure: a canonical form. Object keys sorted; arrays of strings sorted and de-duplicated;
 * one-element arrays equal their element; statements ordered by their canonical text.
 */
export function normalizePolicy(document: unknown): unknown {
  return canonical(parsePolicy(document));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(canonical);
    const strings = items.filter((i) => typeof i === 'string');
    const sorted = strings.length === items.length
      ? [...new Set(strings)].sort()
      : [...new Map(items.map((i) => [JSON.stringify(i), i])).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, i]) => i);
    return sorted.length === 1 ? sorted[0] : sorted;
  }
  if (isRecord(value)) {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical(value[key])]));
  }
  return value;
}

export function policyText(document: unknown): string {
  return JSON.stringify(normalizePolicy(document));
}

/** Do two documents grant the same thing (as far as their text says)? Unparseable text never equals. */
export function samePolicy(a: unknown, b: unknown): boolean {
  try {
    return policyText(a) === policyText(b);
  } catch {
    return false;
  }
}
