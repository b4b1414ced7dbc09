/**
 * Validation in its own thread: the caller's event loop (health, readiness, the scheduler's lease)
 * keeps turning while a revision is validated, the thread's heap is capped and every hostile shape
 * is stopped by a bound well inside it, and a thread that dies rejects the revision instead of
 * emptying it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { formatIssue, validateManifests } from '../../../controller/manifests/index.js';
import { ValidationCompactor } from '../../../controller/manifests/compact.js';
import { validateFile } from '../../../controller/manifests/validate.js';
import { contentDigest } from '../../../controller/manifests/files.js';
import { ValidationThread } from '../../../controller/manifests/off-thread.js';
import { StringPool } from '../../../controller/manifests/string-pool.js';
import { tenantYaml } from '../../helpers/git-repo.js';
import { manifest } from './helpers.js';

const threads: ValidationThread[] = [];
afterAll(async () => Promise.all(threads.map((t) => t.close())));

function thread(maxHeapMb: number, idleMs?: number): ValidationThread {
  const created = new ValidationThread({ maxHeapMb, idleMs });
  threads.push(created);
  return created;
}

const HOSTILE: Record<string, string> = {
  'nul.yaml': manifest().replace('displayName: Acme Bakeries', 'displayName: "Acme\\0"'),
  'tag.yaml': manifest({ spec: '  deletionPolicy: !Ref x' }),
  'keys.yaml': manifest({ spec: `  costAllocationTags:\n${Array.from({ length: 100_000 }, (_, i) => `    k${i}: v`).join('\n')}` }),
  'flow.yaml': manifest({ spec: `  costAllocationTags: {x: [${Array(1_000_000).fill('a').join(',')}]}` }),
  'documents.yaml': Array.from({ length: 10_000 }, (_, i) => `---\nx: ${i}\n`).join(''),
  'aliases.yaml': `a: &a [x]\nb: [${Array(1_000).fill('*a').join(', ')}]\n`,
  'laughs.yaml': ['a: &a ["x","x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`)].join('\n'),
  'deep.yaml': `a: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`,
};

describe('validation off the event loop', () => {
  it('lets the calling thread turn its event loop while 500 manifests are validated', async () => {
    const inputs = Array.from({ length: 500 }, (_, i) => ({ file: `tenants/t${i}.yaml`, text: tenantYaml(`t${i}`) }));
    let done = false;
    const pending = thread(256).validate(inputs).then((result) => {
      done = true;
      return result;
    });
    let turns = 0;
    while (!done) {
      await new Promise((resolve) => setImmediate(resolve));
      turns++;
    }
    const result = await pending;
    expect(result.issues).toEqual([]);
    expect(result.tenants).toHaveLength(500);
    // Validated on this thread, the whole revision would be one turn.
    expect(turns).toBeGreaterThan(100);
  });

  it('ends its thread once idle, so its heap is not held between revisions, and starts a new one for the next', async () => {
    const validation = thread(64, 0);
    const input = [{ file: 'tenants/a.yaml', text: tenantYaml('a') }];
    expect((await validation.validate(input)).tenants).toHaveLength(1);
    const first = validation.threadId;
    expect(first).toBeDefined();
    await validation.stopped();
    expect(validation.threadId).toBeUndefined();
    const next = [...input, { file: 'tenants/b.yaml', text: tenantYaml('b') }];
    expect((await validation.validate(next)).tenants).toHaveLength(2);
    expect(validation.threadId).toBeDefined();
    expect(validation.threadId).not.toBe(first);
  });

  it('validates again only the files whose text changed, and still finds a name declared in an unchanged file and a new one', async () => {
    const validation = thread(64);
    const a = { file: 'tenants/a.yaml', text: tenantYaml('a') };
    const b = { file: 'tenants/b.yaml', text: tenantYaml('b') };
    const first = await validation.validate([a, b]);
    expect(validation.lastValidatedFiles).toBe(2);
    const changedB = { ...b, text: b.text.replace('Europe/Berlin', 'UTC') };
    expect(changedB.text).not.toBe(b.text);
    const second = await validation.validate([a, changedB]);
    expect(validation.lastValidatedFiles).toBe(1);
    expect(second.issues).toEqual([]);
    // The unchanged file's tenant is the one validated before, not a new parse of the same text.
    expect(second.tenants[0]).toBe(first.tenants[0]);
    expect(second.tenants[1].manifest).toEqual(validateManifests([changedB]).tenants[0].manifest);
    const again = { file: 'tenants/c.yaml', text: tenantYaml('a') };
    const third = await validation.validate([a, changedB, again]);
    expect(validation.lastValidatedFiles).toBe(1);
    expect(third.tenants).toEqual([]);
    expect(third.issues.map(formatIssue)).toEqual(validateManifests([a, changedB, again]).issues.map(formatIssue));
    expect(third.issues.map(formatIssue)).toEqual([expect.stringMatching(/^tenants\/c\.yaml:\d+:\d+ metadata\.name: tenant "a" is declared twice \(first at tenants\/a\.yaml:\d+:\d+\)/)]);
  });

  it('reuses the answers of files named by their digest alone, asks for the texts of files it does not remember, and still finds a name declared twice', async () => {
    const validation = thread(64);
    const byText = (file: string, text: string) => ({ file, text, digest: contentDigest(text) });
    const byDigest = (file: string, text: string) => ({ file, digest: contentDigest(text) });
    const first = await validation.validateFiles([byText('tenants/a.yaml', tenantYaml('a')), byText('tenants/b.yaml', tenantYaml('b'))]);
    expect(validation.lastValidatedFiles).toBe(2);
    const changedB = tenantYaml('b', { displayName: 'Bee' });
    const second = await validation.validateFiles([byDigest('tenants/a.yaml', tenantYaml('a')), byText('tenants/b.yaml', changedB)]);
    expect(validation.lastValidatedFiles).toBe(1);
    if ('missing' in first || 'missing' in second) throw new Error('every file was known or given');
    expect(second.issues).toEqual([]);
    expect(second.tenants[0]).toBe(first.tenants[0]);
    expect(second.tenants[1].manifest.spec.displayName).toBe('Bee');
    // A file named by a digest it does not remember: nothing is validated, and every file not remembered is asked for.
    const unknown = await validation.validateFiles([byDigest('tenants/a.yaml', tenantYaml('a')), byDigest('tenants/b.yaml', tenantYaml('b')), byText('tenants/c.yaml', tenantYaml('c'))]);
    expect(unknown).toEqual({ missing: ['tenants/b.yaml', 'tenants/c.yaml'] });
    // Still remembered as before that answer: a new file declaring an unchanged file's name.
    const twice = await validation.validateFiles([byDigest('tenants/a.yaml', tenantYaml('a')), byDigest('tenants/b.yaml', changedB), byText('tenants/c.yaml', tenantYaml('a'))]);
    expect(validation.lastValidatedFiles).toBe(1);
    if ('missing' in twice) throw new Error('every file was known or given');
    expect(twice.tenants).toEqual([]);
    expect(twice.issues.map(formatIssue)).toEqual([expect.stringMatching(/^tenants\/c\.yaml:\d+:\d+ metadata\.name: tenant "a" is declared twice \(first at tenants\/a\.yaml:\d+:\d+\)/)]);
  });

  it('sends a large revision in several requests, and still finds a name declared in two of them', async () => {
    const validation = new ValidationThread({ maxHeapMb: 64, filesPerRequest: 2 });
    threads.push(validation);
    const inputs = ['a', 'b', 'c', 'd', 'e'].map((name) => ({ file: `tenants/${name}.yaml`, text: tenantYaml(name) }));
    const first = await validation.validate(inputs);
    expect(validation.lastRequests).toBe(3);
    expect(first.tenants.map((t) => t.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(first.tenants[4].manifest.spec.agents).toBe(first.tenants[0].manifest.spec.agents);
    const twice = await validation.validate([...inputs, { file: 'tenants/f.yaml', text: tenantYaml('a') }]);
    expect(validation.lastRequests).toBe(1);
    expect(twice.issues.map(formatIssue)).toEqual([expect.stringMatching(/^tenants\/f\.yaml:\d+:\d+ metadata\.name: tenant "a" is declared twice \(first at tenants\/a\.yaml:\d+:\d+\)/)]);
  });

  it('stops every hostile shape by a bound, with a clear error, inside a 64 MB heap', async () => {
    const inputs = Object.entries(HOSTILE).map(([file, text]) => ({ file, text }));
    const result = await thread(64).validate(inputs);
    expect(result.tenants).toEqual([]);
    const byFile = new Map<string, string[]>();
    for (const issue of result.issues) byFile.set(issue.file, [...(byFile.get(issue.file) ?? []), issue.message]);
    expect(byFile.get('nul.yaml')).toEqual([expect.stringMatching(/^contains the control character U\+0000 at character 5 /)]);
    expect(byFile.get('tag.yaml')).toEqual(['invalid YAML: unknown tag !Ref (allowed: no tag, or a core tag such as !!str, !!int, !!bool)']);
    expect(byFile.get('keys.yaml')).toEqual([expect.stringMatching(/^manifest too large: \d+ bytes in a file /)]);
    expect(byFile.get('flow.yaml')).toEqual([expect.stringMatching(/^manifest too large: \d+ bytes in a file /)]);
    expect(byFile.get('documents.yaml')).toEqual([expect.stringMatching(/^manifest too large: more than 1000 documents in a file /)]);
    expect(byFile.get('aliases.yaml')).toEqual([expect.stringMatching(/^manifest too large: more than 100 aliases in a file /)]);
    expect(byFile.get('laughs.yaml')).toEqual([expect.stringMatching(/^invalid YAML: .*alias/i)]);
    expect(byFile.get('deep.yaml')).toEqual([expect.stringMatching(/^manifest too large: more than 32 levels of nesting /)]);
  });

  it('rejects the revision as invalid when the thread dies, and starts a new thread for the next one', async () => {
    const starved = thread(1);
    const result = await starved.validate([{ file: 'tenants/acme.yaml', text: tenantYaml('acme') }]);
    expect(result.tenants).toEqual([]);
    expect(result.issues).toEqual([expect.objectContaining({ file: 'tenants/acme.yaml', line: 1, column: 1, layer: 'source', message: expect.stringMatching(/^validation could not finish: /) })]);
  });
});

describe('the repeated strings of validated manifests', () => {
  it('keeps once a value repeated within a batch, never one seen once, and leaves every document equal', () => {
    const documents = [
      { metadata: { name: 'acme' }, spec: { tier: 'starter', agents: [{ name: 'butler', schedule: '0 7 * * *' }] } },
      { metadata: { name: 'globex' }, spec: { tier: 'starter', agents: [{ name: 'butler', schedule: '0 8 * * *' }] } },
    ];
    const before = structuredClone(documents);
    const pool = new StringPool();
    pool.share(documents);
    expect(documents).toEqual(before);
    expect(pool.size).toBe(2);
    pool.share([{ spec: { tier: 'professional', agents: [{ name: 'butler' }] } }]);
    expect(pool.size).toBe(2);
  });

  it('keeps no more values than its limit', () => {
    const pool = new StringPool(1);
    pool.share([['a', 'a', 'b', 'b']]);
    expect(pool.size).toBe(1);
  });

  it('hands back tenants of one tier sharing one frozen instance of their agents, and sees a change to one file without changing the other tenant', async () => {
    const validation = thread(64);
    const a = { file: 'tenants/a.yaml', text: tenantYaml('a') };
    const b = { file: 'tenants/b.yaml', text: tenantYaml('b') };
    const first = await validation.validate([a, b]);
    const [acme, bravo] = first.tenants;
    expect(bravo.manifest.spec.agents).toBe(acme.manifest.spec.agents);
    expect(() => Object.assign(acme.manifest.spec.agents[0], { schedule: '* * * * *' })).toThrow(TypeError);
    expect(() => Object.assign(acme.manifest.spec, { tier: 'enterprise' })).toThrow(TypeError);
    expect(() => Object.assign(acme, { name: 'x' })).toThrow(TypeError);
    expect(acme.source).toEqual({ file: 'tenants/a.yaml', line: 1, column: 1 });
    const changedB = { ...b, text: b.text.replace('Europe/Berlin', 'UTC') };
    const second = await validation.validate([a, changedB]);
    expect(second.tenants[1].manifest.spec.agents[0].timezone).toBe('UTC');
    expect(second.tenants[0]).toBe(acme);
    expect(acme.manifest.spec.agents[0].timezone).toBe('Europe/Berlin');
    // A later file equal in its agents to the first two gets the instance kept from them.
    const third = await validation.validate([a, changedB, { file: 'tenants/c.yaml', text: tenantYaml('c') }]);
    expect(third.tenants[2].manifest.spec.agents).toBe(acme.manifest.spec.agents);
    expect(third.tenants.map((t) => t.manifest)).toEqual(validateManifests([a, changedB, { file: 'tenants/c.yaml', text: tenantYaml('c') }]).tenants.map((t) => t.manifest));
  });

  it('compacts a large revision a slice at a time, letting the event loop turn between slices, and shares across slices', async () => {
    const inputs = Array.from({ length: 1_200 }, (_, i) => ({ file: `tenants/t${i}.yaml`, text: tenantYaml(`t${i}`) }));
    const validations = inputs.map(validateFile);
    let done = false;
    let turns = 0;
    const pending = new ValidationCompactor().compact(inputs.map(({ file, text }) => ({ file, digest: contentDigest(text) })), validations).then((held) => {
      done = true;
      return held;
    });
    while (!done) {
      await new Promise((resolve) => setImmediate(resolve));
      turns++;
    }
    const held = await pending;
    expect(turns).toBeGreaterThanOrEqual(2);
    const specs = held.map((h) => {
      const declared = h.declared[0];
      if (declared.kind !== 'Tenant' || !declared.valid) throw new Error(`${h.file} declares no valid tenant`);
      return declared.valid.manifest.spec;
    });
    expect(specs[1_199]).not.toBe(specs[0]);
    expect(specs[1_199].agents).toBe(specs[0].agents);
    expect(held[7]).toMatchObject({ file: 'tenants/t7.yaml', digest: contentDigest(inputs[7].text), issues: [] });
  });

  it('hands back from the thread the same manifests as validation in place', async () => {
    const inputs = ['acme', 'globex', 'initech'].map((name) => ({ file: `tenants/${name}.yaml`, text: tenantYaml(name) }));
    expect((await thread(256).validate(inputs)).tenants).toEqual(validateManifests(inputs).tenants);
  });
});
