/**
 * Property: whatever the text, the one-pass parser of plain block YAML (plain.ts) either declines it
 * or reads it exactly as the yaml library's path does: no issue there, the same data, and every field
 * at the same line and column. Texts are manifest-shaped trees written with random indentation,
 * quoting, comments and flow lists, then mutated with the characters that mean something to YAML.
 * The seed is fixed, so a failure reproduces.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseManifestFile, parseWithPositions } from '../../../controller/manifests/parse.js';
import { parsePlainYaml } from '../../../controller/manifests/plain.js';
import { manifestTexts } from '../../../bench/manifests.js';
import { exampleManifests } from './helpers.js';

const SEED = 20_261_203;

type Tree = string | Tree[] | { [key: string]: Tree };

/** Scalars as written: plain words, the core schema's other types, and what only looks harmless. */
const WORDS = ['acme', 'Europe/Berlin', 'ops@acme.example', '0 7 * * *', 'a b', 'a:b', 'a#b', 'http://x', 'true', 'False', 'NULL', '~', '', '007', '+3', '1.50', '.5', '1e3', '0o17', '0x1F', '.inf', '.NaN', '1_000', '2026-01-31', 'yes', "Bob's", 'say "hi"', 'a,b', 'caf\u00e9', 'a\u00a0', '\u00a0', '\u{1F600}', '__proto__', '<<', '...x'];
const TRICKY = ['a #b', 'x:', '-1', '-.Inf', '[x]', '{}', '- x', '-x', '? x', '!tag', '&a', '*a', '|', '>', '%x', '@x', '`x', '\\n', ' x', 'x ', 'a\tb', '\u0085', '---', '...'];
const word = fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...WORDS) }, { weight: 1, arbitrary: fc.constantFrom(...TRICKY) });
const scalar = fc.oneof(
  { weight: 3, arbitrary: word.map((w) => w) },
  { weight: 1, arbitrary: word.map((w) => `"${w}"`) },
  { weight: 1, arbitrary: word.map((w) => `'${w.replaceAll("'", "''")}'`) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('a', '0', ' ', ':', '#', '-', "'", '"', '.', '\\'), maxLength: 6 }) },
);
const key = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('name', 'spec', 'tier', 'agents', 'openclaw.io/paused', 'a b', 'x') }, { weight: 1, arbitrary: scalar });

const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('node'), { maxLength: 3 }),
    fc.dictionary(key, tie('node'), { maxKeys: 4 }),
  ),
})).node;
/** A manifest is a mapping at its root. */
const document = fc.dictionary(key, tree, { minKeys: 1, maxKeys: 5 });

interface Style {
  indent: number;
  /** A sequence under a key at the key's own indentation. */
  seqAtKeyIndent: boolean;
  flowLists: boolean;
  comments: boolean;
}

const style: fc.Arbitrary<Style> = fc.record({ indent: fc.constantFrom(1, 2, 3, 4), seqAtKeyIndent: fc.boolean(), flowLists: fc.boolean(), comments: fc.boolean() });

/** Block YAML for `node`, written without escaping anything: many outputs are not valid YAML, on purpose. */
function render(node: Tree, s: Style, pad = ''): string[] {
  const comment = (line: string, i: number) => (s.comments && i % 3 === 0 ? `${line} # note` : line);
  if (Array.isArray(node)) {
    if (s.flowLists && node.every((item) => typeof item === 'string')) return [`[${node.join(', ')}]`];
    return node.flatMap((item, i) => {
      const inner = render(item, s, `${pad}${' '.repeat(s.indent + 1)}`);
      if (typeof item === 'string' || inner.length === 0) return [comment(`${pad}- ${inner[0] ?? ''}`, i)];
      return [`${pad}- ${inner[0].trimStart()}`, ...inner.slice(1)];
    });
  }
  if (typeof node === 'object') {
    return Object.entries(node).flatMap(([k, value], i) => {
      if (typeof value === 'string' || (Array.isArray(value) && s.flowLists && value.every((v) => typeof v === 'string'))) {
        return [comment(`${pad}${k}: ${render(value, s, '')[0]}`, i)];
      }
      const deeper = Array.isArray(value) && s.seqAtKeyIndent ? pad : `${pad}${' '.repeat(s.indent)}`;
      return [`${pad}${k}:`, ...(s.comments ? [`${deeper}# about ${k}`] : []), ...render(value, s, deeper)];
    });
  }
  return [node];
}

const CHARS = [':', '-', ' ', '  ', '\n', '\t', '\r', '#', '&', '*', '!', '|', '>', "'", '"', '%', '@', '`', '{', '}', '[', ']', ',', '?', '\\', 'a', '0', '---\n', '\n...', '\u0000', '\u200d', '\ufeff', '\ud800'];
const mutation = fc.oneof(fc.constant([]), fc.array(fc.record({ at: fc.nat(), chars: fc.string({ unit: fc.constantFrom(...CHARS), minLength: 1, maxLength: 4 }), cut: fc.nat({ max: 3 }) }), { maxLength: 2 }));

function mutate(text: string, edits: readonly { at: number; chars: string; cut: number }[]): string {
  return edits.reduce((out, { at, chars, cut }) => {
    const i = at % (out.length + 1);
    return out.slice(0, i) + chars + out.slice(i + cut);
  }, text);
}

/** plain.ts's answer for `text` equals the yaml library's, or plain.ts declined; returns whether it accepted. */
function agrees(text: string): boolean {
  const plain = parsePlainYaml(text);
  if (!plain) return false;
  const reference = parseWithPositions('f.yaml', text);
  expect(reference.issues, text).toEqual([]);
  expect(plain.documents.map((d) => d.data), text).toEqual(reference.documents.map((d) => d.data));
  plain.documents.forEach((doc, i) => {
    const theirs = reference.documents[i];
    const where = (places: typeof doc.places, lines: typeof plain.lineCounter) =>
      [...places].sort(([a], [b]) => (a < b ? -1 : 1)).map(([path, { key, value }]) => [path, key === undefined ? null : lines.linePos(key), value === undefined ? null : lines.linePos(value)]);
    expect(where(doc.places, plain.lineCounter), text).toEqual(where(theirs.places, theirs.lineCounter));
  });
  return true;
}

describe('the one-pass parser of plain block YAML', () => {
  it('reads every example manifest and every benchmark manifest itself, as the yaml library reads them', () => {
    for (const { text } of [...exampleManifests(), ...manifestTexts(20)]) expect(agrees(text), text).toBe(true);
  });

  it('declines or agrees with the yaml library on random trees written in block style, mutated or not', () => {
    let accepted = 0;
    fc.assert(
      fc.property(document, style, fc.boolean(), mutation, (root, s, twoDocuments, edits) => {
        const body = render(root, s).join('\n');
        const text = mutate(twoDocuments ? `# head\n---\n${body}\n---\n${body}\n` : `${body}\n`, edits);
        if (agrees(text)) accepted++;
      }),
      { seed: SEED, numRuns: 3_000 },
    );
    // The property means something only if a good share of the texts take the fast path.
    expect(accepted).toBeGreaterThan(300);
  });

  it('declines or agrees on the example manifests with characters inserted anywhere', () => {
    const examples = exampleManifests().map((e) => e.text);
    fc.assert(
      fc.property(fc.constantFrom(...examples), mutation, (text, edits) => void agrees(mutate(text, edits))),
      { seed: SEED, numRuns: 600 },
    );
  });

  it('gives the same issues as the yaml library path for a file it declines', () => {
    const text = 'apiVersion: openclaw.io/v1alpha1\nkind: Tenant\nmetadata:\n  name: acme\n\tspec: {}\n';
    expect(parsePlainYaml(text)).toBeUndefined();
    expect(parseManifestFile('f.yaml', text)).toEqual(parseWithPositions('f.yaml', text));
  });
});
