/**
 * Property: whatever is done to a valid manifest, validation never throws, every
 * rejection says where (file, line ≥ 1, column ≥ 1, inside the file) and what, and
 * nothing that breaks a rule is accepted. The seed is fixed, so a failure reproduces.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { agentsInTier, type Tier } from '../../../contract/catalog.js';
import { validateManifests } from '../../../controller/manifests/index.js';
import { tenantNameProblem } from '../../../controller/manifests/semantic.js';
import { exampleManifests } from './helpers.js';

const SEED = 20_260_131;
const RUNS = 1_000;

type Path = (string | number)[];

type Mutation =
  | { kind: 'delete'; pick: number }
  | { kind: 'replace'; pick: number; value: unknown }
  | { kind: 'duplicateKey'; pick: number }
  | { kind: 'insert'; at: number; chars: string }
  | { kind: 'truncate'; at: number };

/** Characters that mean something to YAML, and some that only look harmless. */
const YAML_CHARS = [':', '-', ' ', '\n', '\t', '\r', '#', '&', '*', '!', '|', '>', "'", '"', '%', '@', '`', '{', '}', '[', ']', ',', '?', '\\', 'a', '0', '\u0000', '\u200d', '\u0430', '\uff41', '\u{1F600}'];

const strangeValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(1e308, -1e308, 2 ** 53 + 1, 2 ** 64, -0, Number.NaN, Number.POSITIVE_INFINITY),
  fc.constant(null),
  fc.boolean(),
  fc.constantFrom('', '\u200d', '\u0430cme', 'x'.repeat(300), '0 7 * * *', 'Europe/Berlin', 'butler', 'true', '*alias', '---', '{a: 1}'),
  fc.jsonValue({ maxDepth: 2 }),
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('replace' as const), pick: fc.nat(), value: strangeValue }),
  fc.record({ kind: fc.constant('duplicateKey' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), chars: fc.string({ unit: fc.constantFrom(...YAML_CHARS), minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

/** Every path below `value`, and which of them hold scalars. */
function paths(value: unknown, prefix: Path = [], out = { all: [] as Path[], scalars: [] as Path[] }) {
  if (value !== null && typeof value === 'object') {
    for (const key of Array.isArray(value) ? value.keys() : Object.keys(value)) {
      const path = [...prefix, key];
      out.all.push(path);
      paths((value as Record<string | number, unknown>)[key], path, out);
    }
  } else if (prefix.length > 0) {
    out.scalars.push(prefix);
  }
  return out;
}

function parentOf(data: unknown, path: Path): Record<string | number, unknown> {
  return path.slice(0, -1).reduce<any>((node, key) => node[key], data);
}

function mutateData(data: unknown, m: Mutation): void {
  const { all, scalars } = paths(data);
  if (m.kind === 'delete' && all.length > 0) {
    const path = all[m.pick % all.length];
    const parent = parentOf(data, path);
    const key = path[path.length - 1];
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  }
  if (m.kind === 'replace' && scalars.length > 0) {
    const path = scalars[m.pick % scalars.length];
    parentOf(data, path)[path[path.length - 1]] = m.value;
  }
}

function mutateText(text: string, m: Mutation): string {
  if (m.kind === 'insert') {
    const at = m.at % (text.length + 1);
    return text.slice(0, at) + m.chars + text.slice(at);
  }
  if (m.kind === 'truncate') return text.slice(0, m.at % (text.length + 1));
  if (m.kind === 'duplicateKey') {
    const lines = text.split('\n');
    const keyed = lines.flatMap((line, index) => (/^\s*(- )?[^\s:#-][^:#]*:/.test(line) ? [index] : []));
    if (keyed.length === 0) return text;
    const index = keyed[m.pick % keyed.length];
    // "  - name: x" is followed by "    name: x": the same key again in the same mapping.
    const copy = lines[index].replace(/^(\s*)- /, '$1  ');
    lines.splice(index + 1, 0, copy);
    return lines.join('\n');
  }
  return text;
}

function serialize(data: unknown): string {
  try {
    return stringify(data);
  } catch {
    return JSON.stringify(data) ?? '';
  }
}

const EXAMPLES = exampleManifests();

const mutatedManifest = fc
  .record({ example: fc.constantFrom(...EXAMPLES), mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }) })
  .map(({ example, mutations }) => {
    const dataMutations = mutations.filter((m) => m.kind === 'delete' || m.kind === 'replace');
    let text = example.text;
    if (dataMutations.length > 0) {
      const data = parse(example.text);
      for (const m of dataMutations) mutateData(data, m);
      text = serialize(data);
    }
    for (const m of mutations) text = mutateText(text, m);
    return { file: example.file, text, mutations: mutations.map((m) => m.kind) };
  });

describe('validation of mutated example manifests', () => {
  it(`never throws and locates every rejection, over ${RUNS} mutated manifests (seed ${SEED})`, () => {
    let runs = 0;
    let rejected = 0;
    fc.assert(
      fc.property(mutatedManifest, ({ file, text }) => {
        runs += 1;
        const result = validateManifests([{ file, text }]);
        const lineCount = text.split(/\r\n|\r|\n/).length;
        for (const issue of result.issues) {
          expect(issue.file).toBe(file);
          expect(Number.isInteger(issue.line) && issue.line >= 1 && issue.line <= lineCount, `line ${issue.line} of ${lineCount}`).toBe(true);
          expect(Number.isInteger(issue.column) && issue.column >= 1, `column ${issue.column}`).toBe(true);
          expect(issue.message.trim()).not.toBe('');
        }
        if (result.issues.length > 0) {
          rejected += 1;
          expect(result.tenants).toEqual([]);
        }
        for (const { name, manifest } of result.tenants) {
          // Whatever is accepted really keeps the rules.
          expect(tenantNameProblem(name)).toBeUndefined();
          const allowed: string[] = agentsInTier(manifest.spec.tier as Tier);
          for (const agent of manifest.spec.agents) if (agent.enabled) expect(allowed).toContain(agent.name);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(runs).toBeGreaterThanOrEqual(RUNS);
    // The mutations bite: most mutated manifests are rejected, so the property says something.
    expect(rejected).toBeGreaterThan(RUNS / 2);
  });
});
