import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT, importGraph } from './imports.js';

/** Every type assertion in a source text (`x as T`, `<T>x`), but `as const`: where it is and what it claims. */
function castsIn(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) && !(ts.isTypeReferenceNode(node.type) && node.type.typeName.getText(source) === 'const')) {
      found.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}: as ${node.type.getText(source)}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * Casts that predate the rule, by file. Data is narrowed (contract/json.ts isRecord, contract/one-of.ts
 * isOneOf, a schema for files and requests), never claimed: these numbers only go down, and a file
 * whose last cast goes leaves the list.
 */
const REMAINING: Readonly<Record<string, number>> = {
  'controller/manifests/plain.ts': 2,
  'controller/manifests/validate.ts': 2,
  'controller/providers/aws/lifecycle.ts': 1,
};

describe('typed data in the contract, the controller and the agents, read from the source', () => {
  const casts = [...importGraph().keys()].map((file) => ({ file, found: castsIn(file, readFileSync(join(ROOT, file), 'utf8')) }));

  it('finds a cast however it is written, and leaves `as const` and `satisfies` alone', () => {
    const sample = 'const a = b as string;\nconst c = <number>d;\nconst e = [1] as const;\nconst f = { g: 1 } satisfies object;\nconst h = (i as unknown) as Record<string, never>;\n';
    expect(castsIn('sample.ts', sample)).toEqual(['sample.ts:1: as string', 'sample.ts:2: as number', 'sample.ts:5: as Record<string, never>', 'sample.ts:5: as unknown']);
    expect(casts.length).toBeGreaterThan(100);
  });

  it('has no new `as` cast: a value of unknown shape is narrowed, never claimed', () => {
    const beyond = casts.filter(({ file, found }) => found.length > (REMAINING[file] ?? 0)).flatMap(({ found }) => found);
    expect(beyond).toEqual([]);
  });

  it('lists only casts that remain, so one removed cannot come back unnoticed', () => {
    const count = new Map(casts.map(({ file, found }) => [file, found.length]));
    const stale = Object.entries(REMAINING).filter(([file, allowed]) => (count.get(file) ?? 0) < allowed).map(([file, allowed]) => `${file}: ${allowed} listed, ${count.get(file) ?? 0} left`);
    expect(stale).toEqual([]);
  });
});
