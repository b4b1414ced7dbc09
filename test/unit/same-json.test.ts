// sameJson, which the reconciler asks of every tenant's stored records in every pass: the answer of
// comparing canonical JSON texts (sorted keys), without building them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, sameJson } from '../../controller/engine/same-json.js';

/** The same value with every object's keys in reverse order, as jsonb may hand it back. */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reordered(v)]));
  return value;
}

describe('sameJson', () => {
  it('holds two values equal exactly when their canonical JSON texts are equal', () => {
    const json = fc.jsonValue({ maxDepth: 3 });
    fc.assert(fc.property(json, json, (a, b) => {
      expect(sameJson(a, b)).toBe(canonicalJson(a) === canonicalJson(b));
      expect(sameJson(a, reordered(a))).toBe(true);
    }), { seed: 20_261_203, numRuns: 500 });
  });

  it('ignores key order and fields that are undefined, and tells apart what JSON tells apart', () => {
    expect(sameJson({ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 })).toBe(true);
    expect(sameJson({ a: 1, gone: undefined }, { a: 1 })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 1, b: null })).toBe(false);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
    expect(sameJson({ a: [] }, { a: {} })).toBe(false);
    expect(sameJson({ at: new Date(0) }, { at: '1970-01-01T00:00:00.000Z' })).toBe(true);
    expect(sameJson({ n: 1 }, { n: '1' })).toBe(false);
  });
});
