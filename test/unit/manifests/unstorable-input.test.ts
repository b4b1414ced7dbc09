import { describe, expect, it } from 'vitest';
import { FILE, manifest, problems, validate, yaml } from './helpers.js';

const RULE = 'allowed: printable text; control characters and unpaired surrogates cannot be stored';

describe('input a later layer cannot store is rejected at validation, located', () => {
  it('rejects a NUL byte in displayName, naming file:line:column, the field and the character', () => {
    const text = manifest().replace('displayName: Acme Bakeries', 'displayName: "Acme\\0Bakeries"');
    expect(problems(text)).toEqual([
      `${FILE}:6:16 spec.displayName: contains the control character U+0000 at character 5 (${RULE})`,
    ]);
    expect(validate(text).tenants).toEqual([]);
  });

  it('rejects a NUL byte in an integration scope and in a cost-allocation tag value', () => {
    const text = manifest({ spec: yaml('  integrations:', '    - provider: google', '      scopes: ["mail\\0"]', '  costAllocationTags:', '    team: "a\\0b"') });
    expect(problems(text)).toEqual([
      `${FILE}:12:16 spec.integrations[0].scopes[0]: contains the control character U+0000 at character 5 (${RULE})`,
      `${FILE}:14:11 spec.costAllocationTags.team: contains the control character U+0000 at character 2 (${RULE})`,
    ]);
  });

  it('rejects other control characters (escape, DEL, C1) but not plain spaces', () => {
    const text = manifest().replace('displayName: Acme Bakeries', 'displayName: "Acme\\e\\x7f\\x85"');
    expect(problems(text)).toEqual([`${FILE}:6:16 spec.displayName: contains the control character U+001B at character 5 (${RULE})`]);
    expect(problems(manifest().replace('displayName: Acme Bakeries', 'displayName: "Acme  Bakeries"'))).toEqual([]);
  });

  it('rejects an unpaired surrogate, which PostgreSQL refuses in jsonb', () => {
    const text = manifest().replace('displayName: Acme Bakeries', 'displayName: "Acme\\uD800"');
    expect(problems(text)).toEqual([`${FILE}:6:16 spec.displayName: contains an unpaired surrogate U+D800 at character 5 (${RULE})`]);
  });

  it('rejects a control character in a mapping key, pointing at the key', () => {
    const text = manifest({ spec: yaml('  costAllocationTags:', '    "te\\0am": x') });
    expect(problems(text)).toContain(`${FILE}:11:5 spec.costAllocationTags."te\\u0000am": contains the control character U+0000 at character 3 (${RULE})`);
  });

  it('rejects a cost-allocation tag value AWS refuses, with the characters AWS allows', () => {
    const text = manifest({ spec: yaml('  costAllocationTags:', '    team: "sales; drop"') });
    expect(problems(text)).toEqual([
      `${FILE}:11:11 spec.costAllocationTags.team: tag value "sales; drop" is not allowed (allowed: at most 256 letters, digits, spaces and _.:/=+-@, as AWS tags accept)`,
    ]);
  });

  it('rejects a label or annotation key longer than Kubernetes allows', () => {
    const key = `example.com/${'k'.repeat(320)}`;
    const text = manifest().replace('  name: acme', `  name: acme\n  labels:\n    ${key}: x`);
    expect(problems(text)).toEqual([
      `${FILE}:6:5 metadata.labels.${JSON.stringify(key)}: key is 332 characters long (allowed: at most 317, a Kubernetes label or annotation key)`,
    ]);
  });
});

describe('unknown YAML tags', () => {
  it('rejects a custom tag instead of reading it as a string, at the tag', () => {
    const text = manifest({ spec: '  deletionPolicy: !Ref x' });
    expect(problems(text)).toEqual([
      `${FILE}:10:19 spec.deletionPolicy: invalid YAML: unknown tag !Ref (allowed: no tag, or a core tag such as !!str, !!int, !!bool)`,
    ]);
    expect(validate(text).tenants).toEqual([]);
  });

  it('accepts a core tag', () => {
    expect(problems(manifest({ spec: '  deletionPolicy: !!str Retain' }))).toEqual([]);
  });
});
