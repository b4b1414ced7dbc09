import { describe, expect, it } from 'vitest';
import { FILE, manifest, problems, validate, withButler, yaml } from './helpers.js';

describe('layer 1: YAML syntax', () => {
  it('rejects an unclosed quote, pointing at the opening quote rather than the end of the file', () => {
    const text = manifest().replace('displayName: Acme Bakeries', 'displayName: "Acme Bakeries');
    expect(problems(text)).toEqual([
      `${FILE}:6:16 spec.displayName: invalid YAML: the string opened by " here is never closed (missing closing ")`,
    ]);
  });

  it('rejects an unclosed single quote the same way', () => {
    const text = manifest().replace('displayName: Acme Bakeries', "displayName: 'Acme Bakeries");
    expect(problems(text)).toEqual([
      `${FILE}:6:16 spec.displayName: invalid YAML: the string opened by ' here is never closed (missing closing ')`,
    ]);
  });

  it('accepts the same manifest once the quote is closed', () => {
    const text = manifest().replace('displayName: Acme Bakeries', 'displayName: "Acme Bakeries"');
    expect(problems(text)).toEqual([]);
  });

  it('rejects a tab used as indentation, pointing at the tab', () => {
    expect(problems(manifest({ spec: '\tsuspended: true' }))).toEqual([
      `${FILE}:10:1 invalid YAML: Tabs are not allowed as indentation`,
    ]);
  });

  it('rejects a key indented deeper than its siblings, on the line of that key', () => {
    const text = manifest().replace('  tier: starter', '   tier: starter');
    const [problem, ...rest] = problems(text);
    expect(problem).toMatch(new RegExp(`^${FILE}:9:\\d+ invalid YAML: `));
    expect(rest.every((line) => line.startsWith(`${FILE}:9:`))).toBe(true);
  });

  it('rejects a duplicate key, naming the key and its field path at the second occurrence', () => {
    expect(problems(manifest({ spec: '  tier: professional' }))).toEqual([
      `${FILE}:10:3 spec.tier: invalid YAML: duplicate key "tier" (allowed: each key once in a mapping)`,
    ]);
  });

  it('rejects a duplicate key inside a list item with the index in the path', () => {
    expect(problems(withButler('      schedule: "0 8 * * *"'))).toEqual([
      `${FILE}:13:7 spec.agents[0].schedule: invalid YAML: duplicate key "schedule" (allowed: each key once in a mapping)`,
    ]);
  });

  it('accepts a key that appears once in each of two different mappings', () => {
    const text = manifest({ spec: yaml('  agents:', '    - name: butler', '      schedule: "0 7 * * *"', '  storage:', '    archiveAfterDays: 30') });
    expect(problems(text)).toEqual([]);
  });

  it('applies no schema or semantic check to a document that is not valid YAML, and returns no tenant', () => {
    const text = manifest({ name: 'Not_A_Name', tier: 'gold' }).replace('displayName: Acme Bakeries', 'displayName: [unclosed');
    const result = validate(text);
    expect(result.issues.map((issue) => issue.layer)).toEqual(result.issues.map(() => 'yaml'));
    expect(result.issues.length).toBeGreaterThan(0);
    expect(result.tenants).toEqual([]);
  });

  it('stops a billion-laughs alias bomb with a located error instead of expanding it', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 10; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const result = validate(yaml(...lines));
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toMatchObject({ file: FILE, line: 1, column: 1, layer: 'yaml' });
    expect(result.issues[0].message).toMatch(/^invalid YAML: .*alias/i);
  });
});
