/**
 * Fuzzing with the hostile shapes, at random sizes around and far past each bound, and at random
 * places: validation never throws, accepts nothing hostile, says where, and — the property that
 * makes its time linear whatever the input — the work it does on a file past a bound does not grow
 * with the file: the limit scan stops at the same offset however much more the file holds. Counts
 * and offsets, no timings: the nanoseconds per byte and the memory are measured in bench/validate-linear.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateManifests } from '../../../controller/manifests/index.js';
import { MANIFEST_LIMITS } from '../../../controller/manifests/limits.js';
import { scanLimits } from '../../../controller/manifests/scan.js';
import { manifest } from './helpers.js';

const SEED = 20_261_203;
const RUNS = 15;
const FILE = 'tenants/acme.yaml';

/** A family of files that grows with n: one more key, value, document, alias or level per step. */
interface Shape {
  limit: keyof typeof MANIFEST_LIMITS;
  /** Below this n the file is within every bound; at or above `past`, past `limit` (or past the file size). */
  safe: number;
  past: number;
  text(n: number): string;
  /** Fewer runs for the shapes whose every case is 100 KB or more. */
  runs?: number;
}

const SHAPES: Record<string, Shape> = {
  keys: { limit: 'keysPerDocument', safe: 900, past: 1_000, text: (n) => manifest({ spec: `  costAllocationTags:\n${Array.from({ length: n }, (_, i) => `    k${i}: v`).join('\n')}` }) },
  flowList: { limit: 'valuesPerFile', safe: 40_000, past: 50_000, text: (n) => manifest({ spec: `  costAllocationTags: {x: [${Array(n).fill('a').join(',')}]}` }), runs: 5 },
  documents: { limit: 'documentsPerFile', safe: 900, past: 1_000, text: (n) => Array.from({ length: n }, (_, i) => `---\nx: ${i}\n`).join('') },
  aliases: { limit: 'aliasesPerFile', safe: 90, past: 100, text: (n) => `a: &a [x]\nb: [${Array(n).fill('*a').join(', ')}]\n` },
  flowNesting: { limit: 'depth', safe: 30, past: 32, text: (n) => `a: ${'['.repeat(n)}${']'.repeat(n)}\n` },
  blockNesting: { limit: 'indentation', safe: 30, past: 70, text: (n) => `${Array.from({ length: n }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n')} x\n` },
};

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

function rejection(text: string) {
  const result = validateManifests([{ file: FILE, text }]);
  expect(result.tenants).toEqual([]);
  expect(result.issues.length).toBeGreaterThan(0);
  const lines = text.split('\n').length;
  for (const issue of result.issues) {
    expect(issue.file).toBe(FILE);
    expect(issue.line).toBeGreaterThanOrEqual(1);
    expect(issue.line).toBeLessThanOrEqual(lines);
    expect(issue.column).toBeGreaterThanOrEqual(1);
  }
  return result.issues;
}

describe('hostile shapes at random sizes', () => {
  for (const [name, shape] of Object.entries(SHAPES)) {
    it(`${name}: within the bounds no limit is hit; past them the error names the bound, and the scan stops at the same place however far past`, () => {
      fc.assert(fc.property(fc.integer({ min: 1, max: shape.safe }), fc.integer({ min: shape.past, max: shape.past * 6 }), fc.integer({ min: 1, max: shape.past * 6 }), (small, large, more) => {
        expect(scanLimits(shape.text(small))).toBeUndefined();
        const text = shape.text(large);
        const found = scanLimits(text);
        if (bytes(text) > MANIFEST_LIMITS.fileBytes) {
          // Past the size bound, nothing is read at all.
          expect(found).toMatchObject({ limit: 'fileBytes', offset: 0 });
        } else {
          expect(found?.limit).toBe(shape.limit);
          const longer = shape.text(large + more);
          // The work past a bound is bounded by the bound: a longer file is scanned to the same offset.
          if (bytes(longer) <= MANIFEST_LIMITS.fileBytes) expect(scanLimits(longer)?.offset).toBe(found!.offset);
          expect(found!.offset).toBeLessThan(bytes(text));
        }
        expect(rejection(text)[0].message).toMatch(/^manifest too large: /);
      }), { seed: SEED, numRuns: shape.runs ?? RUNS });
    });
  }

  it('billion laughs of any depth and width: refused before anything is expanded', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 2, max: 12 }), (depth, width) => {
      const name = (i: number) => `l${i}`;
      const lines = [`${name(0)}: &${name(0)} [${Array(width).fill('"lol"').join(',')}]`];
      for (let i = 1; i <= depth; i++) lines.push(`${name(i)}: &${name(i)} [${Array(width).fill(`*${name(i - 1)}`).join(',')}]`);
      const text = `${lines.join('\n')}\n`;
      const [issue] = rejection(text);
      // More than 100 aliases written: the alias bound, before parsing. Fewer, but expanding to more
      // than 10,000 values: the parser's expansion guard. A small one expands harmlessly and is refused
      // by the schema (it is no tenant).
      if (depth * width > MANIFEST_LIMITS.aliasesPerFile) expect(issue.message).toMatch(/^manifest too large: more than 100 aliases in a file /);
      else if (width ** depth > 10_000) expect(issue.message).toMatch(/^invalid YAML: .*alias/i);
    }), { seed: SEED, numRuns: RUNS * 2 });
  });

  it('a character no later layer can store, anywhere in a value: refused at its line, naming it', () => {
    const fields = ['displayName', 'email', 'name'];
    const chars = ['\u0000', '\u0001', '\u001b', '\u007f', '\u0085', '\u009f', '\ud800', '\udfff'];
    fc.assert(fc.property(fc.constantFrom(...fields), fc.constantFrom(...chars), fc.nat(), (field, char, at) => {
      const text = manifest();
      const line = text.split('\n').findIndex((l) => l.trimStart().startsWith(`${field}:`));
      const value = text.split('\n')[line].split(': ')[1];
      const cut = at % (value.length + 1);
      const escaped = `"${value.slice(0, cut)}\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}${value.slice(cut)}"`;
      const hostile = text.split('\n').map((l, i) => (i === line ? l.replace(value, escaped) : l)).join('\n');
      const issues = rejection(hostile);
      expect(issues.some((i) => i.line === line + 1)).toBe(true);
      expect(issues.map((i) => i.message).join('\n')).toMatch(new RegExp(`U\\+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}|surrogate`));
    }), { seed: SEED, numRuns: RUNS * 2 });
  });

  it('a custom tag on any value: refused at the tag, never read as a string', () => {
    fc.assert(fc.property(fc.constantFrom('displayName', 'email', 'tier'), fc.stringMatching(/^![A-Za-z][A-Za-z0-9]{0,8}$/), (field, tag) => {
      const text = manifest();
      const line = text.split('\n').findIndex((l) => l.trimStart().startsWith(`${field}:`));
      const hostile = text.split('\n').map((l, i) => (i === line ? l.replace(': ', `: ${tag} `) : l)).join('\n');
      const issues = rejection(hostile);
      expect(issues).toContainEqual(expect.objectContaining({ line: line + 1, message: expect.stringContaining(`unknown tag ${tag}`) }));
    }), { seed: SEED, numRuns: RUNS * 2 });
  });
});
