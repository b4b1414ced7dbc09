/**
 * Validation's cost per byte: a file of valid manifests at doubling sizes up to the file bound
 * (linear: the time per byte stays flat), set beside the yaml library's own parse of the same
 * text (the floor validation is built on), and the hostile shapes, each rejected by its bound.
 * The quadratic path it replaces is measured too: one mapping of many keys, parsed with the
 * library's duplicate-key check, against the same text through validation.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseAllDocuments } from 'yaml';
import { validateManifests } from '../controller/manifests/validate.js';
import { manifestTexts } from './manifests.js';

interface Point {
  shape: string;
  bytes: number;
  ms: number;
  nsPerByte: number;
  /** JS heap in use after one validation, less what was in use before it (collected): what it allocated, less what was collected meanwhile. */
  heapGrowthMB: number;
  issues: number;
  firstIssue?: string;
}

// A collection before each memory reading, without asking for node --expose-gc.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** The growth of the heap in use across `fn`, in MB, from a collected heap. */
function heapGrowth(fn: () => unknown): number {
  collect();
  const before = getHeapStatistics().used_heap_size;
  fn();
  return round((getHeapStatistics().used_heap_size - before) / 2 ** 20, 1);
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The best of `repeat` runs: the time of the work, not of whatever else shared the machine. */
function timed(repeat: number, fn: () => unknown): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repeat; i++) {
    const started = performance.now();
    fn();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

function point(shape: string, text: string, repeat = 3): Point {
  let result = validateManifests([{ file: `${shape}.yaml`, text }]);
  const heapGrowthMB = heapGrowth(() => validateManifests([{ file: `${shape}.yaml`, text }]));
  const ms = timed(repeat, () => (result = validateManifests([{ file: `${shape}.yaml`, text }])));
  const bytes = Buffer.byteLength(text);
  return { shape, bytes, ms: round(ms), nsPerByte: round((ms * 1e6) / bytes), heapGrowthMB, issues: result.issues.length, firstIssue: result.issues[0]?.message.slice(0, 80) };
}

/** A file of `documents` valid manifests, as one multi-document YAML file. */
function manifestFile(documents: number): string {
  return manifestTexts(documents).map((m) => `---\n${m.text}`).join('');
}

const manifestLine = (key: string) => `apiVersion: openclaw.io/v1alpha1\nkind: Tenant\nmetadata:\n  name: acme\nspec:\n  displayName: Acme\n  contact: {email: ops@acme.example}\n  tier: starter\n  ${key}:\n`;

export function validateLinear(options: { maxDocuments?: number; quadraticKeys?: number } = {}): Record<string, unknown> {
  const sizes: number[] = [];
  for (let documents = 25; documents <= (options.maxDocuments ?? 400); documents *= 2) sizes.push(documents);
  const series = sizes.map((documents) => {
    const text = manifestFile(documents);
    const measured = point(`${documents}-manifests`, text);
    const parseMs = timed(3, () => parseAllDocuments(text));
    return { ...measured, documents, yamlParseNsPerByte: round((parseMs * 1e6) / measured.bytes), ratioToYamlParse: round(measured.ms / parseMs) };
  });
  const first = series[0];
  const last = series[series.length - 1];

  const keys = (n: number) => `${manifestLine('costAllocationTags')}${Array.from({ length: n }, (_, i) => `    k${i}: v`).join('\n')}\n`;
  const hostile = [
    point('nul', manifestLine('costAllocationTags').replace('displayName: Acme', 'displayName: "Acme\\0"')),
    point('unknown-tag', `${manifestLine('costAllocationTags')}    x: !Ref y\n`),
    point('100000-keys', keys(100_000), 1),
    point('15000-keys', keys(15_000)),
    point('2MB-flow-list', `${manifestLine('costAllocationTags')}    x: [${Array(1_000_000).fill('a').join(',')}]\n`, 1),
    point('100000-value-flow-list', `${manifestLine('costAllocationTags')}    x: [${Array(100_000).fill('a').join(',')}]\n`),
    point('10000-documents', Array.from({ length: 10_000 }, (_, i) => `---\nx: ${i}\n`).join('')),
    point('alias-bomb', ['a: &a ["x","x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`)].join('\n')),
    point('deep-nesting', `a: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`),
  ];

  // The quadratic path replaced: the library's duplicate-key check over one mapping of many keys.
  const quadraticKeys = options.quadraticKeys ?? 8_000;
  const quadraticText = keys(quadraticKeys);
  const libraryMs = timed(1, () => parseAllDocuments(quadraticText, { uniqueKeys: true }));
  const boundedMs = timed(3, () => validateManifests([{ file: 'keys.yaml', text: quadraticText }]));

  return {
    series,
    linearity: { smallestNsPerByte: first.nsPerByte, largestNsPerByte: last.nsPerByte, ratio: round(last.nsPerByte / first.nsPerByte) },
    hostile,
    replacedQuadratic: { keys: quadraticKeys, bytes: Buffer.byteLength(quadraticText), yamlUniqueKeysMs: round(libraryMs), validateMs: round(boundedMs), ratio: round(libraryMs / boundedMs) },
  };
}
