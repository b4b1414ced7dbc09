import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatIssue, listManifestFiles, validateDirectory, validateManifests } from '../../../controller/manifests/index.js';
import { FILE, FIXTURES_DIR, NAME_RULE, REPO_ROOT, manifest, problems, removeTempDirs, tempDir, validate, withButler, yaml } from './helpers.js';

const MULTI = join(FIXTURES_DIR, 'multi-document/tenants.yaml');
const MULTI_FILE = relative(REPO_ROOT, MULTI);

afterEach(removeTempDirs);

describe('tenant names are unique across files', () => {
  it('rejects a tenant declared in two files, pointing at the second and naming where the first is', () => {
    const result = validateManifests([
      { file: 'tenants/acme.yaml', text: manifest() },
      { file: 'tenants/acme-copy.yaml', text: manifest() },
    ]);
    expect(result.issues.map(formatIssue)).toEqual([
      'tenants/acme-copy.yaml:4:9 metadata.name: tenant "acme" is declared twice (first at tenants/acme.yaml:4:9); names must be unique across files',
    ]);
    expect(result.tenants).toEqual([]);
  });

  it('rejects a tenant declared twice in one file', () => {
    const text = `${manifest()}\n---\n${manifest()}`;
    expect(problems(text)).toEqual([
      `${FILE}:15:9 metadata.name: tenant "acme" is declared twice (first at ${FILE}:4:9); names must be unique across files`,
    ]);
  });

  it('accepts two files with different tenants and returns both, sorted by name', () => {
    const result = validateManifests([
      { file: 'tenants/zeta.yaml', text: manifest({ name: 'zeta' }) },
      { file: 'tenants/acme.yaml', text: manifest() },
    ]);
    expect(result.issues).toEqual([]);
    expect(result.tenants.map((t) => [t.name, t.source.file])).toEqual([
      ['acme', 'tenants/acme.yaml'],
      ['zeta', 'tenants/zeta.yaml'],
    ]);
  });
});

describe('multi-document files', () => {
  it('reports an error in the second document at its own line of the file', () => {
    const result = validateManifests([{ file: MULTI_FILE, text: readFileSync(MULTI, 'utf8') }]);
    expect(result.issues.map(formatIssue)).toEqual([
      `${MULTI_FILE}:22:13 spec.agents[0].name: "scout" is not included in tier "starter" (allowed: butler)`,
    ]);
    expect(result.tenants).toEqual([]);
  });

  it('returns every document as a tenant, with where each starts, once all are valid', () => {
    const text = readFileSync(MULTI, 'utf8').replace('  tier: starter\n  agents:', '  tier: professional\n  agents:');
    const result = validateManifests([{ file: MULTI_FILE, text }]);
    expect(result.issues).toEqual([]);
    expect(result.tenants.map((t) => `${t.name}@${t.source.line}`)).toEqual(['alpha@2', 'beta@12', 'gamma@25']);
  });

  it('ignores empty documents, such as the one a trailing --- leaves, and a file of comments only', () => {
    expect(validate(`${manifest()}---\n`)).toMatchObject({ issues: [], tenants: [{ name: 'acme' }] });
    expect(validate(`---\n${manifest()}\n---\n# retired: globex\n---\n`)).toMatchObject({ issues: [], tenants: [{ name: 'acme' }] });
    expect(validate('# nothing here yet\n')).toMatchObject({ issues: [], tenants: [] });
    expect(validate('')).toMatchObject({ issues: [], tenants: [] });
  });

  it('rejects a document that is a list, a scalar or an explicit null instead of a mapping', () => {
    expect(problems('--- ~\n')).toEqual([`${FILE}:1:5 expected object, found null`]);
    expect(problems('- a\n- b\n')).toEqual([`${FILE}:1:1 expected object, found array`]);
    expect(problems('hello\n')).toEqual([`${FILE}:1:1 expected object, found string "hello"`]);
  });
});

describe('all errors in one run', () => {
  it('reports five different problems of one manifest as five issues, in file order', () => {
    const text = manifest({
      name: 'Acme',
      spec: yaml('  colour: blue', '  agents:', '    - name: scout', '      schedule: "0 7 * * *"', '      timezone: Mars/Base'),
    }).replace('ops@acme.example', 'ops at acme');
    expect(problems(text)).toEqual([
      `${FILE}:4:9 metadata.name: "Acme" is not a valid tenant name: character 1 "A" (U+0041) is not allowed (${NAME_RULE})`,
      `${FILE}:8:12 spec.contact.email: "ops at acme" is not a valid email (allowed: an address such as "ops@example.com")`,
      `${FILE}:10:3 spec.colour: unknown field "colour" (allowed: displayName, contact, tier, isolation, suspended, deletionPolicy, agents, integrations, storage, costAllocationTags, billing, limits)`,
      `${FILE}:12:13 spec.agents[0].name: "scout" is not included in tier "starter" (allowed: butler)`,
      `${FILE}:14:17 spec.agents[0].timezone: "Mars/Base" is not an IANA time zone (allowed: names such as "UTC", "Europe/Berlin", "America/New_York")`,
    ]);
  });

  it('reports a syntax error in one file and a schema error in another in the same run', () => {
    const result = validateManifests([
      { file: 'tenants/a.yaml', text: 'kind: [unclosed\n' },
      { file: 'tenants/b.yaml', text: manifest({ name: 'b', tier: 'gold' }) },
    ]);
    expect(result.issues.map((issue) => `${issue.file} ${issue.layer}`)).toEqual(expect.arrayContaining(['tenants/a.yaml yaml', 'tenants/b.yaml schema']));
  });
});

describe('defaults', () => {
  it('applies the CRD defaults to a valid manifest that leaves them out', () => {
    const result = validate(withButler());
    expect(result.issues).toEqual([]);
    expect(result.tenants[0].manifest.spec).toEqual({
      displayName: 'Acme Bakeries',
      contact: { email: 'ops@acme.example' },
      tier: 'starter',
      suspended: false,
      deletionPolicy: 'Retain',
      agents: [{ name: 'butler', schedule: '0 7 * * *', enabled: true, timezone: 'UTC', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 600 }],
      integrations: [],
      storage: { archiveAfterDays: 30, expireAfterDays: 365 },
      costAllocationTags: {},
    });
  });

  it('keeps the values a manifest sets over the defaults', () => {
    const text = manifest({
      spec: yaml('  deletionPolicy: Delete', '  agents:', '    - name: butler', '      schedule: "0 7 * * *"', '      enabled: false', '      timezone: Asia/Tokyo', '  storage:', '    expireAfterDays: 90'),
    });
    const { spec } = validate(text).tenants[0].manifest;
    expect(spec.deletionPolicy).toBe('Delete');
    expect(spec.agents[0]).toMatchObject({ enabled: false, timezone: 'Asia/Tokyo', concurrencyPolicy: 'Forbid' });
    expect(spec.storage).toEqual({ archiveAfterDays: 30, expireAfterDays: 90 });
  });
});

describe('directories', () => {
  it('returns no tenant at all when one file of the directory is invalid', async () => {
    const result = await validateDirectory(join(FIXTURES_DIR, 'one-invalid'), { relativeTo: REPO_ROOT });
    expect(result.tenants).toEqual([]);
    expect(result.files).toEqual(['test/fixtures/manifests/one-invalid/bad.yaml', 'test/fixtures/manifests/one-invalid/good.yaml']);
    expect(result.issues.map(formatIssue)).toEqual([
      'test/fixtures/manifests/one-invalid/bad.yaml:9:9 spec.tier: "platinum" is not allowed (allowed: starter, professional, enterprise)',
    ]);
  });

  it('reads every *.yaml and *.yml below the directory, skipping hidden directories and other files', async () => {
    const dir = join(FIXTURES_DIR, 'layout');
    expect((await listManifestFiles(dir)).map((file) => relative(dir, file))).toEqual(['a.yaml', 'nested/deeper/b.yml']);
    const result = await validateDirectory(dir, { relativeTo: dir });
    expect(result).toMatchObject({ issues: [], files: ['a.yaml', 'nested/deeper/b.yml'] });
    expect(result.tenants.map((t) => t.name)).toEqual(['layout-a', 'layout-b']);
  });

  it('shows absolute paths for files outside the directory errors are reported relative to', async () => {
    const dir = tempDir({ 'x.yaml': manifest({ tier: 'gold' }) });
    const [issue] = (await validateDirectory(dir, { relativeTo: join(REPO_ROOT, 'tenants') })).issues;
    expect(issue.file).toBe(join(dir, 'x.yaml'));
  });

  it('throws a SOURCE_UNAVAILABLE error that says the directory does not exist', async () => {
    await expect(validateDirectory(join(REPO_ROOT, 'no-such-dir'))).rejects.toMatchObject({
      code: 'SOURCE_UNAVAILABLE',
      message: `could not read manifest directory ${join(REPO_ROOT, 'no-such-dir')}: no such directory`,
    });
  });

  it('throws a SOURCE_UNAVAILABLE error for a file given as the directory', async () => {
    await expect(validateDirectory(MULTI)).rejects.toMatchObject({ code: 'SOURCE_UNAVAILABLE', message: `manifest source ${MULTI} is not a directory` });
  });
});
