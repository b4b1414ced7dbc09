/**
 * The directory source's polls: a file is read again only when its stat changed, or when it changed
 * too close to the last scan for its stat to be trusted (git's "racily clean" files). The revision
 * stays the hash of every file's content, whatever was read again.
 */
import { lstatSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync, type BigIntStats } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readManifestDirectory } from '../../controller/manifests/validate.js';
import { directorySource } from '../../controller/source/directory.js';
import type { FileIndexIo } from '../../controller/source/file-index.js';
import { tenantYaml } from '../helpers/git-repo.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

const NS_PER_MS = 1_000_000n;

/** A manifest directory with two tenants. */
function tenantsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'openclaw-poll-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'acme.yaml'), tenantYaml('acme'));
  writeFileSync(join(dir, 'globex.yaml'), tenantYaml('globex'));
  return dir;
}

/** The real file system, counting the files read; the files and folders named in `frozen` keep the stat first seen. */
function countingIo(frozen: readonly string[] = []): { io: FileIndexIo; reads: string[] } {
  const reads: string[] = [];
  const kept = new Map<string, BigIntStats>();
  return {
    reads,
    io: {
      lstat(file) {
        const stat = lstatSync(file, { bigint: true, throwIfNoEntry: false });
        if (!stat || !frozen.includes(basename(file))) return stat;
        if (!kept.has(file)) kept.set(file, stat);
        return kept.get(file);
      },
      async readFile(file) {
        reads.push(basename(file));
        return readFile(file);
      },
    },
  };
}

/**
 * The source over a new directory of two tenants (and what `prepare` adds), loaded once; the files and
 * folders `frozen` names keep their first stat; its clock (nanoseconds) starts at
 * `clockFor(dir)`, a minute from now by default. `reads()` returns the files read since it was last called.
 */
async function polled(options: { frozen?: (dir: string) => string[]; clockFor?: (dir: string) => bigint; prepare?: (dir: string) => void } = {}) {
  const dir = tenantsDir();
  options.prepare?.(dir);
  const counting = countingIo(options.frozen?.(dir));
  const clock = { ns: options.clockFor?.(dir) ?? BigInt(Date.now() + 60_000) * NS_PER_MS };
  const poll = directorySource(dir, { displayBase: dir, io: counting.io, nowNs: () => clock.ns });
  const first = await poll.load();
  const reads = () => counting.reads.splice(0).sort();
  return { dir, clock, poll, first, firstReads: reads(), reads };
}

const mtimeNs = (file: string) => statSync(file, { bigint: true }).mtimeNs;
const fullRereadRevision = async (dir: string) => `dir:${(await readManifestDirectory(dir, (file) => basename(file))).digest.slice(0, 12)}`;
const names = (snapshot: { tenants: { name: string }[] }) => snapshot.tenants.map((t) => t.name);

const displayName = (snapshot: { tenants: { name: string; manifest: { spec: { displayName: string } } }[] }, tenant: string) =>
  snapshot.tenants.find((t) => t.name === tenant)?.manifest.spec.displayName;

describe('a poll of the directory source', () => {
  it('reads no file when no stat changed, and answers with the same snapshot', async () => {
    const { poll, first, firstReads, reads } = await polled();
    expect(firstReads).toEqual(['acme.yaml', 'globex.yaml']);
    expect(await poll.load()).toBe(first);
    expect(reads()).toEqual([]);
  });

  it('reads only an added file, reads none for a deleted one, and comes back to the first revision', async () => {
    const { dir, poll, first, reads } = await polled();
    writeFileSync(join(dir, 'initech.yaml'), tenantYaml('initech'));
    const added = await poll.load();
    expect(reads()).toEqual(['initech.yaml']);
    expect(names(added)).toEqual(['acme', 'globex', 'initech']);
    expect(added.revision).not.toBe(first.revision);
    unlinkSync(join(dir, 'initech.yaml'));
    const removed = await poll.load();
    expect(reads()).toEqual([]);
    expect(names(removed)).toEqual(['acme', 'globex']);
    expect(removed.revision).toBe(first.revision);
  });

  it('sees a file added to a new folder, then one added beside it, reading only those', async () => {
    const { dir, poll, reads } = await polled();
    mkdirSync(join(dir, 'eu'));
    writeFileSync(join(dir, 'eu', 'initech.yaml'), tenantYaml('initech'));
    expect(names(await poll.load())).toEqual(['acme', 'globex', 'initech']);
    expect(reads()).toEqual(['initech.yaml']);
    writeFileSync(join(dir, 'eu', 'umbrella.yaml'), tenantYaml('umbrella'));
    const added = await poll.load();
    expect(reads()).toEqual(['umbrella.yaml']);
    expect(names(added)).toEqual(['acme', 'globex', 'initech', 'umbrella']);
    expect(added.revision).toBe(await fullRereadRevision(dir));
  });

  it('lists the folders again when one changed as the last scan started, though its stat is the same', async () => {
    const { dir, poll, reads } = await polled({ frozen: (dir) => [basename(dir)], clockFor: (dir) => mtimeNs(dir) });
    writeFileSync(join(dir, 'initech.yaml'), tenantYaml('initech'));
    expect(names(await poll.load())).toEqual(['acme', 'globex', 'initech']);
    expect(reads()).toContain('initech.yaml');
  });

  it('trusts the listing while no folder stat changed, once no folder changed within the racy window', async () => {
    const { dir, poll, first } = await polled({ frozen: (dir) => [basename(dir)], clockFor: (dir) => mtimeNs(dir) + 60_000n * NS_PER_MS });
    writeFileSync(join(dir, 'initech.yaml'), tenantYaml('initech'));
    expect(await poll.load()).toBe(first);
  });

  it('reads a renamed file under its new name only', async () => {
    const { dir, poll, first, reads } = await polled();
    renameSync(join(dir, 'acme.yaml'), join(dir, 'acme-corp.yaml'));
    const renamed = await poll.load();
    expect(reads()).toEqual(['acme-corp.yaml']);
    expect(names(renamed)).toEqual(['acme', 'globex']);
    expect(renamed.revision).not.toBe(first.revision);
  });

  it('sees a rewrite of the same size whose mtime was put back: the ctime changed', async () => {
    const aMinuteAgo = Math.floor(Date.now() / 1000) - 60;
    const { dir, poll, reads } = await polled({ prepare: (dir) => utimesSync(join(dir, 'acme.yaml'), aMinuteAgo, aMinuteAgo) });
    const file = join(dir, 'acme.yaml');
    writeFileSync(file, tenantYaml('acme', { displayName: 'Tenant ACME' }));
    utimesSync(file, aMinuteAgo, aMinuteAgo);
    expect(statSync(file).size).toBe(tenantYaml('acme').length);
    const rewritten = await poll.load();
    expect(reads()).toEqual(['acme.yaml']);
    expect(displayName(rewritten, 'acme')).toBe('Tenant ACME');
  });

  it('reads again a file written as the last scan started, though its stat is the same: it was racily clean', async () => {
    const { dir, clock, poll, first, reads } = await polled({ frozen: () => ['acme.yaml'], clockFor: (dir) => mtimeNs(join(dir, 'acme.yaml')) });
    writeFileSync(join(dir, 'acme.yaml'), tenantYaml('acme', { displayName: 'Tenant ACME' }));
    const rewritten = await poll.load();
    // Both were written as the scan started: both are read again.
    expect(reads()).toEqual(['acme.yaml', 'globex.yaml']);
    expect(rewritten.revision).not.toBe(first.revision);
    expect(displayName(rewritten, 'acme')).toBe('Tenant ACME');
    expect(rewritten.revision).toBe(await fullRereadRevision(dir));
    // Once a scan that started well after their last change has read them, their stat is trusted.
    clock.ns += 60_000n * NS_PER_MS;
    await poll.load();
    reads();
    expect(await poll.load()).toBe(rewritten);
    expect(reads()).toEqual([]);
  });

  it('trusts the same stat of a file older than the last scan, and reads it no more', async () => {
    const { dir, poll, first, reads } = await polled({ frozen: () => ['acme.yaml'], clockFor: (dir) => mtimeNs(join(dir, 'acme.yaml')) + 60_000n * NS_PER_MS });
    writeFileSync(join(dir, 'acme.yaml'), tenantYaml('acme', { displayName: 'Tenant ACME' }));
    expect(await poll.load()).toBe(first);
    expect(reads()).toEqual([]);
  });

  it('reads a link on every poll, so that a change of its target is seen', async () => {
    const target = (dir: string) => join(dir, 'shared.yml.txt');
    const { dir, poll, reads } = await polled({
      prepare: (dir) => {
        writeFileSync(target(dir), tenantYaml('initech'));
        symlinkSync(target(dir), join(dir, 'initech.yaml'));
      },
    });
    writeFileSync(target(dir), tenantYaml('initech', { displayName: 'Initrode' }));
    const changed = await poll.load();
    expect(reads()).toEqual(['initech.yaml']);
    expect(displayName(changed, 'initech')).toBe('Initrode');
  });

  it('reports the revision a full re-read computes, after files are added, changed and removed', async () => {
    const { dir, poll, first } = await polled();
    expect(first.revision).toBe(await fullRereadRevision(dir));
    writeFileSync(join(dir, 'initech.yaml'), tenantYaml('initech'));
    writeFileSync(join(dir, 'globex.yaml'), tenantYaml('globex', { tier: 'professional' }));
    unlinkSync(join(dir, 'acme.yaml'));
    expect((await poll.load()).revision).toBe(await fullRereadRevision(dir));
  });
});
