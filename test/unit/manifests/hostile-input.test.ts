/**
 * Hostile shapes of input: each is stopped by a bound with an error that says where, which bound
 * and what is allowed, and nothing is accepted. Time per byte and memory are measured in bench/
 * (validate-linear); here, only that the bounds hold.
 */
import { describe, expect, it } from 'vitest';
import { MANIFEST_LIMITS } from '../../../controller/manifests/limits.js';
import { FILE, manifest, problems, validate } from './helpers.js';

const tooLarge = (count: string, what: string, max: number) =>
  `manifest too large: ${count} ${what} (allowed: at most ${max} ${what}; a tenant manifest needs far fewer)`;

describe('bounds on one manifest file', () => {
  it('rejects a file of 100,000 keys by its size before parsing it', () => {
    const text = manifest({ spec: `  costAllocationTags:\n${Array.from({ length: 100_000 }, (_, i) => `    k${i}: v`).join('\n')}` });
    const bytes = Buffer.byteLength(text);
    expect(problems(text)).toEqual([`${FILE}:1:1 ${tooLarge(String(bytes), 'bytes in a file', MANIFEST_LIMITS.fileBytes)}`]);
  });

  it('rejects a document with more keys than allowed at the first key past the bound', () => {
    const text = manifest({ spec: `  costAllocationTags:\n${Array.from({ length: 5_000 }, (_, i) => `    k${i}: v`).join('\n')}` });
    // Lines 1-9 hold 9 keys and line 10 the tenth: the 1,001st is k990, on line 1001.
    const [line] = problems(text);
    expect(line).toBe(`${FILE}:1001:5 ${tooLarge('more than 1000', 'keys in a document', 1_000)}`);
    expect(validate(text).tenants).toEqual([]);
  });

  it('rejects a 2 MB flow list by its size, and a smaller one by its number of values', () => {
    const list = (n: number) => manifest({ spec: `  costAllocationTags: {x: [${Array(n).fill('a').join(',')}]}` });
    expect(problems(list(1_000_000))).toEqual([`${FILE}:1:1 ${tooLarge(String(Buffer.byteLength(list(1_000_000))), 'bytes in a file', MANIFEST_LIMITS.fileBytes)}`]);
    const [line] = problems(list(100_000));
    expect(line).toMatch(new RegExp(`^${FILE}:10:\\d+ ${escape(tooLarge('more than 50000', 'values in a file', 50_000))}$`));
  });

  it('rejects 10,000 documents in one file at the first document past the bound', () => {
    const text = Array.from({ length: 10_000 }, (_, i) => `---\nx: ${i}\n`).join('');
    expect(problems(text)).toEqual([`${FILE}:2001:1 ${tooLarge('more than 1000', 'documents in a file', 1_000)}`]);
  });

  it('rejects more aliases than allowed before anything is expanded', () => {
    const text = `a: &a [x]\nb: [${Array(101).fill('*a').join(', ')}]\n`;
    const [line] = problems(text);
    expect(line).toMatch(new RegExp(`^${FILE}:2:\\d+ ${escape(tooLarge('more than 100', 'aliases in a file', 100))}$`));
  });

  it('rejects nesting deeper than allowed, in flow and in block style', () => {
    const flow = `a: ${'['.repeat(5_000)}${']'.repeat(5_000)}\n`;
    expect(problems(flow)).toEqual([`${FILE}:1:36 ${tooLarge('more than 32', 'levels of nesting', 32)}`]);
    const block = Array.from({ length: 40 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n') + ' x\n';
    const path = Array.from({ length: 32 }, (_, i) => `k${i}`).join('.');
    expect(problems(block)).toEqual([`${FILE}:33:65 ${path}: ${tooLarge('more than 32', 'levels of nesting', 32)}`]);
    const dashes = `${'- '.repeat(20_000)}x\n`;
    expect(problems(dashes)).toEqual([`${FILE}:1:131 ${tooLarge('more than 128', 'columns of indentation', 128)}`]);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
