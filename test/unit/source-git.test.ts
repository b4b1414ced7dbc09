import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ControllerError, errorMessage } from '../../contract/errors.js';
import { createLogger } from '../../contract/logger.js';
import { gitSource, redactUrl, type GitSourceOptions } from '../../controller/source/git.js';
import { createGitRepo, tenantYaml, type GitRepo } from '../helpers/git-repo.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

function repo(): GitRepo {
  const created = createGitRepo();
  cleanups.push(() => created.close());
  return created;
}

/** A git source over `url` with its own cache directory, a clock the test moves, and captured logs. */
function source(url: string, overrides: Partial<GitSourceOptions> = {}) {
  const cacheDir = mkdtempSync(join(tmpdir(), 'openclaw-git-cache-'));
  cleanups.push(() => rmSync(cacheDir, { recursive: true, force: true }));
  const clock = { now: 1_000_000 };
  const logs: string[] = [];
  const log = createLogger({ level: 'debug', destination: new Writable({ write(chunk, _e, done) { logs.push(String(chunk)); done(); } }) });
  const created = gitSource({ url, branch: 'main', path: 'tenants/', intervalMs: 60_000, cacheDir, log, now: () => clock.now, timeoutMs: 20_000, ...overrides });
  return { source: created, clock, logs, cacheDir };
}

async function failure(promise: Promise<unknown>): Promise<ControllerError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ControllerError);
  return error as ControllerError;
}

describe('the git manifest source', () => {
  it('reads the manifests below the path at the head of the branch, with the full commit SHA as the revision', async () => {
    const origin = repo();
    origin.write('tenants/acme.yaml', tenantYaml('acme'));
    origin.write('tenants/eu/globex.yml', tenantYaml('globex'));
    origin.write('README.md', '# tenants\n');
    const sha = origin.commit('two tenants');

    const snapshot = await source(origin.url).source.load();
    expect(snapshot.revision).toBe(sha);
    expect(snapshot.revision).toMatch(/^[0-9a-f]{40}$/);
    expect(snapshot.issues).toEqual([]);
    expect(snapshot.fileCount).toBe(2);
    expect(snapshot.tenants.map((t) => [t.name, t.source.file])).toEqual([['acme', 'tenants/acme.yaml'], ['globex', 'tenants/eu/globex.yml']]);
  });

  it('names files by their path in the repository in validation errors', async () => {
    const origin = repo();
    origin.write('tenants/acme.yaml', tenantYaml('acme'));
    origin.write('tenants/broken.yaml', tenantYaml('broken').replace('tier: starter', 'tier: platinum'));
    origin.commit('a broken tenant');

    const snapshot = await source(origin.url).source.load();
    expect(snapshot.tenants).toEqual([]);
    expect(snapshot.issues.map((i) => `${i.file}:${i.line} ${i.path}`)).toEqual(['tenants/broken.yaml:9 spec.tier']);
  });

  it('reports no manifest files when the path does not exist at that commit', async () => {
    const origin = repo();
    origin.write('elsewhere/acme.yaml', tenantYaml('acme'));
    const sha = origin.commit('no tenants/ directory');

    const snapshot = await source(origin.url).source.load();
    expect(snapshot).toMatchObject({ revision: sha, fileCount: 0, tenants: [], issues: [] });
  });

  it('skips hidden files, other extensions and directories that only share a prefix with the path', async () => {
    const origin = repo();
    origin.write('tenants/acme.yaml', tenantYaml('acme'));
    origin.write('tenants/.drafts/draft.yaml', tenantYaml('draft'));
    origin.write('tenants/.hidden.yaml', tenantYaml('hidden'));
    origin.write('tenants/notes.txt', 'not a manifest');
    origin.write('tenants-old/old.yaml', tenantYaml('old'));
    origin.commit('noise');

    const snapshot = await source(origin.url).source.load();
    expect(snapshot.tenants.map((t) => t.name)).toEqual(['acme']);
    expect(snapshot.fileCount).toBe(1);
  });

  it('reads the whole repository when the path is empty', async () => {
    const origin = repo();
    origin.write('acme.yaml', tenantYaml('acme'));
    origin.write('teams/globex.yaml', tenantYaml('globex'));
    origin.commit('tenants at the root');

    const snapshot = await source(origin.url, { path: '' }).source.load();
    expect(snapshot.tenants.map((t) => t.source.file)).toEqual(['acme.yaml', 'teams/globex.yaml']);
  });

  it('fetches at most once per interval, and at once after trigger()', async () => {
    const origin = repo();
    origin.write('tenants/acme.yaml', tenantYaml('acme'));
    const first = origin.commit('first');
    const { source: git, clock } = source(origin.url);
    expect((await git.load()).revision).toBe(first);

    origin.write('tenants/globex.yaml', tenantYaml('globex'));
    const second = origin.commit('second');
    clock.now += 30_000;
    expect((await git.load()).revision).toBe(first);

    git.trigger!();
    expect((await git.load()).revision).toBe(second);

    origin.write('tenants/initech.yaml', tenantYaml('initech'));
    const third = origin.commit('third');
    clock.now += 60_000;
    const snapshot = await git.load();
    expect(snapshot.revision).toBe(third);
    expect(snapshot.tenants.map((t) => t.name)).toEqual(['acme', 'globex', 'initech']);
  });

  it('returns the same snapshot while the branch does not move', async () => {
    const origin = repo();
    origin.write('tenants/acme.yaml', tenantYaml('acme'));
    origin.commit('first');
    const { source: git, clock } = source(origin.url);
    const first = await git.load();
    clock.now += 120_000;
    expect(await git.load()).toBe(first);
  });

  it('runs concurrent loads one after the other on the same clone', async () => {
    const origin = repo();
    origin.write('tenants/acme.yaml', tenantYaml('acme'));
    const sha = origin.commit('first');
    const { source: git } = source(origin.url, { intervalMs: 1 });
    const snapshots = await Promise.all([git.load(), git.load(), git.load()]);
    expect(snapshots.map((s) => s.revision)).toEqual([sha, sha, sha]);
  });

  it('follows a branch that is rewritten by a force push', async () => {
    const origin = repo();
    origin.write('tenants/acme.yaml', tenantYaml('acme'));
    origin.commit('first');
    origin.write('tenants/globex.yaml', tenantYaml('globex'));
    origin.commit('second');
    const { source: git } = source(origin.url, { intervalMs: 1 });
    await git.load();

    origin.git('reset', '--quiet', '--hard', 'HEAD~1');
    origin.write('tenants/initech.yaml', tenantYaml('initech'));
    const rewritten = origin.commit('rewritten');
    git.trigger!();
    const snapshot = await git.load();
    expect(snapshot.revision).toBe(rewritten);
    expect(snapshot.tenants.map((t) => t.name)).toEqual(['acme', 'initech']);
  });

  it('throws a retryable SOURCE_UNAVAILABLE when the repository cannot be reached', async () => {
    const missing = `file://${join(tmpdir(), 'openclaw-no-such-repo', 'repo.git')}`;
    const error = await failure(source(missing).source.load());
    expect(error.code).toBe('SOURCE_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('could not fetch branch main from file://');
  });

  it('throws SOURCE_UNAVAILABLE when the branch does not exist', async () => {
    const origin = repo();
    origin.write('tenants/acme.yaml', tenantYaml('acme'));
    origin.commit('first');
    const error = await failure(source(origin.url, { branch: 'release' }).source.load());
    expect(error.code).toBe('SOURCE_UNAVAILABLE');
    expect(error.message).toMatch(/could not fetch branch release .*couldn't find remote ref refs\/heads\/release/);
  });

  it('keeps trying after a failed fetch instead of waiting for the interval', async () => {
    const origin = repo();
    origin.write('tenants/acme.yaml', tenantYaml('acme'));
    const sha = origin.commit('first');
    const moved = `${origin.dir}-moved`;
    const { renameSync } = await import('node:fs');
    renameSync(origin.dir, moved);
    cleanups.push(() => rmSync(moved, { recursive: true, force: true }));
    const { source: git } = source(origin.url);
    await failure(git.load());
    renameSync(moved, origin.dir);
    expect((await git.load()).revision).toBe(sha);
  });

  it('never shows credentials embedded in the URL in its description, errors or logs', async () => {
    const url = 'https://deploy-bot:ghp_s3cretT0ken@127.0.0.1:9/org/tenants.git';
    const { source: git, logs } = source(url, { timeoutMs: 10_000 });
    expect(git.describe()).toBe('git https://***@127.0.0.1:9/org/tenants.git branch main path tenants/');
    const error = await failure(git.load());
    const everything = [error.message, errorMessage(error.cause), ...logs].join('\n');
    expect(everything).not.toContain('ghp_s3cretT0ken');
    expect(everything).not.toContain('deploy-bot');
    expect(error.message).toContain('https://***@127.0.0.1:9/org/tenants.git');
  });
});

describe('gitSource options', () => {
  it('refuses a URL that git would read as an option', () => {
    expect(() => source('--upload-pack=touch')).toThrow(/may not start with "-"/);
  });
});

describe('redactUrl', () => {
  it('hides the user-info part of every URL in a text and leaves scp-like addresses alone', () => {
    expect(redactUrl('fatal: unable to access https://x-access-token:abc123@github.com/o/r.git/')).toBe('fatal: unable to access https://***@github.com/o/r.git/');
    expect(redactUrl('https://token@host/r and ssh://git@host:22/r')).toBe('https://***@host/r and ssh://***@host:22/r');
    expect(redactUrl('git@github.com:org/repo.git')).toBe('git@github.com:org/repo.git');
    expect(redactUrl('file:///srv/git/tenants.git')).toBe('file:///srv/git/tenants.git');
  });
});
