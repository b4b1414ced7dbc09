/**
 * A manifest that is a symbolic link, or a file that cannot be read as one: followed when the link
 * stays inside the repository, otherwise the revision is invalid and says which file and why. On
 * no account is the file skipped, which would read as its tenant's removal.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../contract/logger.js';
import { directorySource } from '../../controller/source/directory.js';
import { gitSource } from '../../controller/source/git.js';
import { createGitRepo, tenantYaml } from '../helpers/git-repo.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

/** A repository-like directory (it holds .git) with a tenants/ folder and a shared/ folder beside it. */
function repository(): { root: string; tenants: string } {
  const root = mkdtempSync(join(tmpdir(), 'openclaw-links-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, '.git'));
  mkdirSync(join(root, 'tenants'));
  mkdirSync(join(root, 'shared'));
  writeFileSync(join(root, 'tenants', 'globex.yaml'), tenantYaml('globex'));
  return { root, tenants: join(root, 'tenants') };
}

const load = (root: string, tenants: string) => directorySource(tenants, { displayBase: root }).load();

describe('the directory source', () => {
  it('follows a manifest that became a symbolic link to a file inside the repository', async () => {
    const { root, tenants } = repository();
    writeFileSync(join(root, 'shared', 'acme.yaml'), tenantYaml('acme'));
    symlinkSync('../shared/acme.yaml', join(tenants, 'acme.yaml'));
    const snapshot = await load(root, tenants);
    expect(snapshot.issues).toEqual([]);
    expect(snapshot.tenants.map((t) => t.name)).toEqual(['acme', 'globex']);
  });

  it('rejects the revision when a link leads outside the repository, naming the file', async () => {
    const { root, tenants } = repository();
    const outside = mkdtempSync(join(tmpdir(), 'openclaw-outside-'));
    cleanups.push(() => rmSync(outside, { recursive: true, force: true }));
    writeFileSync(join(outside, 'acme.yaml'), tenantYaml('acme'));
    symlinkSync(join(outside, 'acme.yaml'), join(tenants, 'acme.yaml'));
    const snapshot = await load(root, tenants);
    expect(snapshot.tenants).toEqual([]);
    expect(snapshot.issues).toEqual([{ file: 'tenants/acme.yaml', line: 1, column: 1, layer: 'source', path: '', message: 'is a symbolic link that leads outside the repository (allowed: links to manifest files inside the repository)' }]);
  });

  it('rejects the revision when a link leads to nothing or to a directory', async () => {
    const { root, tenants } = repository();
    symlinkSync('../shared/gone.yaml', join(tenants, 'acme.yaml'));
    symlinkSync('../shared', join(tenants, 'more'));
    const snapshot = await load(root, tenants);
    expect(snapshot.tenants).toEqual([]);
    expect(snapshot.issues.map((i) => `${i.file}: ${i.message}`)).toEqual([
      'tenants/acme.yaml: is a symbolic link to nothing (ENOENT) (allowed: links to manifest files inside the repository)',
      'tenants/more: is a symbolic link to a directory, which is not followed (allowed: links to manifest files inside the repository)',
    ]);
  });

  it('rejects the revision when a file is not UTF-8 text, rather than reading it with replacement characters', async () => {
    const { root, tenants } = repository();
    writeFileSync(join(tenants, 'acme.yaml'), Buffer.concat([Buffer.from(tenantYaml('acme')), Buffer.from([0xff, 0xfe])]));
    const snapshot = await load(root, tenants);
    expect(snapshot.tenants).toEqual([]);
    expect(snapshot.issues).toEqual([{ file: 'tenants/acme.yaml', line: 1, column: 1, layer: 'source', path: '', message: 'is not valid UTF-8 (allowed: UTF-8 text)' }]);
  });

  it('does not read a file past the size bound', async () => {
    const { root, tenants } = repository();
    writeFileSync(join(tenants, 'acme.yaml'), `${tenantYaml('acme')}#${'x'.repeat(300 * 1024)}\n`);
    const snapshot = await load(root, tenants);
    expect(snapshot.issues.map((i) => [i.file, i.line, i.column])).toEqual([['tenants/acme.yaml', 1, 1]]);
    expect(snapshot.issues[0].message).toMatch(/^manifest too large: \d+ bytes in a file \(allowed: at most 262144 bytes in a file/);
  });
});

describe('the git source', () => {
  function source(url: string) {
    const cacheDir = mkdtempSync(join(tmpdir(), 'openclaw-git-cache-'));
    cleanups.push(() => rmSync(cacheDir, { recursive: true, force: true }));
    const log = createLogger({ level: 'silent', destination: new Writable({ write(_c, _e, done) { done(); } }) });
    return gitSource({ url, branch: 'main', path: 'tenants/', intervalMs: 0, cacheDir, log, timeoutMs: 20_000 });
  }

  it('follows a manifest committed as a link to a file elsewhere in the repository', async () => {
    const origin = createGitRepo();
    cleanups.push(() => origin.close());
    origin.write('tenants/globex.yaml', tenantYaml('globex'));
    origin.write('shared/acme.yaml', tenantYaml('acme'));
    symlinkSync('../shared/acme.yaml', join(origin.dir, 'tenants', 'acme.yaml'));
    origin.commit('acme is a link');
    const snapshot = await source(origin.url).load();
    expect(snapshot.issues).toEqual([]);
    expect(snapshot.tenants.map((t) => t.name)).toEqual(['acme', 'globex']);
  });

  it('rejects the revision when a committed link leads outside the repository or to nothing', async () => {
    const origin = createGitRepo();
    cleanups.push(() => origin.close());
    origin.write('tenants/globex.yaml', tenantYaml('globex'));
    symlinkSync('../../etc/acme.yaml', join(origin.dir, 'tenants', 'acme.yaml'));
    symlinkSync('../shared/gone.yaml', join(origin.dir, 'tenants', 'initech.yaml'));
    origin.commit('links that lead nowhere useful');
    const snapshot = await source(origin.url).load();
    expect(snapshot.tenants).toEqual([]);
    expect(snapshot.issues.map((i) => `${i.file}:${i.line}:${i.column} ${i.message}`)).toEqual([
      'tenants/acme.yaml:1:1 is a symbolic link that leads outside the repository (allowed: links to manifest files inside the repository)',
      'tenants/initech.yaml:1:1 is a symbolic link to nothing (allowed: links to manifest files inside the repository)',
    ]);
  });
});
