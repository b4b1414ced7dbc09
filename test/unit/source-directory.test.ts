/**
 * The directory source's polls: a file is read again only when its stat changed, or when it changed
 * too close to the last scan for its stat to be trusted (git's "racily clean" files). The revision
 * is the digest of every file's path and content digest, whatever was read again; the index keeps no
 * text, and validation is sent only the texts read again.
 */
import { lstatSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync, type BigIntStats } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { contentDigest } from '../../controller/manifests/files.js';
import { ValidationThread, type ManifestFile } from '../../controller/manifests/off-thread.js';
import { readManifestDirectory } from '../../controller/manifests/validate.js';
import { directorySource } from '../../controller/source/directory.js';
import { ManifestFileIndex, type FileIndexIo } from '../../controller/source/file-index.js';
import { tenantYaml } from '../helpers/git-repo.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

const NS_PER_MS = 1_000_000n;

const thread = new ValidationThread();
afterAll(() => thread.close());

/** The validation thread, recording the files each revision sent with their texts. */
function recordingValidation(): { validation: Pick<ValidationThread, 'validateFiles'>; sent: string[][] } {
  const sent: string[][] = [];
  return {
    sent,
    validation: {
      validateFiles(files: ManifestFile[], readIssues) {
        sent.push(files.filter((f) => f.text !== undefined).map((f) => f.file));
        return thread.validateFiles(files, readIssues);
      },
    },
  };
}

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
  const recording = recordingValidation();
  const poll = directorySource(dir, { displayBase: dir, io: counting.io, nowNs: () => clock.ns, validation: recording.validation });
  const first = await poll.load();
  const reads = () => counting.reads.splice(0).sort();
  const sent = () => recording.sent.splice(0);
  return { dir, clock, poll, first, firstReads: reads(), reads, sent };
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

  it('gives the same revision from two sources over the same tree, and another one for any change of content', async () => {
    const { dir, first } = await polled();
    const other = await directorySource(dir, { displayBase: dir, validation: recordingValidation().validation }).load();
    expect(other.revision).toBe(first.revision);
    expect(first.revision).toMatch(/^dir:[0-9a-f]{12}$/);
    const file = join(dir, 'acme.yaml');
    const text = tenantYaml('acme');
    // One character of the same length, then a byte-order mark only: both change the content, neither the size alone.
    writeFileSync(file, text.replace('acme', 'acmf'));
    const renamed = await directorySource(dir, { displayBase: dir, validation: recordingValidation().validation }).load();
    writeFileSync(file, `\uFEFF${text}`);
    const marked = await directorySource(dir, { displayBase: dir, validation: recordingValidation().validation }).load();
    expect(new Set([first.revision, renamed.revision, marked.revision]).size).toBe(3);
    expect(marked.revision).toBe(await fullRereadRevision(dir));
  });

  it('counts a touched file as no change: it is read again, but neither validated again nor given a new revision', async () => {
    const { dir, poll, first, firstReads, reads, sent } = await polled();
    expect(firstReads).toEqual(['acme.yaml', 'globex.yaml']);
    expect(sent()).toEqual([['acme.yaml', 'globex.yaml']]);
    const anHourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(join(dir, 'acme.yaml'), anHourAgo, anHourAgo);
    expect(await poll.load()).toBe(first);
    expect(reads()).toEqual(['acme.yaml']);
    expect(sent()).toEqual([]);
  });

  it('sends validation only the text of the changed file, the others by their digests', async () => {
    const { dir, poll, sent } = await polled();
    sent();
    writeFileSync(join(dir, 'globex.yaml'), tenantYaml('globex', { displayName: 'Globex Corporation' }));
    const changed = await poll.load();
    expect(sent()).toEqual([['globex.yaml']]);
    expect(displayName(changed, 'globex')).toBe('Globex Corporation');
    // A name declared twice is still found across an unchanged file and the changed one.
    writeFileSync(join(dir, 'globex.yaml'), tenantYaml('acme'));
    const twice = await poll.load();
    expect(sent()).toEqual([['globex.yaml']]);
    expect(twice.tenants).toEqual([]);
    expect(twice.issues.map((i) => i.message)).toEqual([expect.stringMatching(/^tenant "acme" is declared twice \(first at acme\.yaml:/)]);
  });

  it('reads again the unchanged files whose answers the validation thread no longer remembers, and validates them', async () => {
    const { dir, poll, reads, sent } = await polled();
    // Another source validates through the same thread: it now remembers only that source's files.
    const elsewhere = tenantsDir();
    writeFileSync(join(elsewhere, 'acme.yaml'), tenantYaml('umbrella'));
    await directorySource(elsewhere, { displayBase: elsewhere, validation: recordingValidation().validation }).load();
    sent();
    writeFileSync(join(dir, 'initech.yaml'), tenantYaml('initech'));
    const added = await poll.load();
    expect(names(added)).toEqual(['acme', 'globex', 'initech']);
    expect(added.issues).toEqual([]);
    // Its globex.yaml had the same path and content: that answer is reused; acme.yaml and initech.yaml are read again.
    expect(reads()).toEqual(['acme.yaml', 'initech.yaml', 'initech.yaml']);
    expect(sent()).toEqual([['initech.yaml'], ['acme.yaml', 'initech.yaml']]);
    expect(added.revision).toBe(await fullRereadRevision(dir));
  });
});

describe('the file index', () => {
  it('holds no text of a readable file after a scan: each file by the digest of its bytes, and only what the scan read with its text', async () => {
    const dir = tenantsDir();
    const index = new ManifestFileIndex(dir, countingIo().io, () => BigInt(Date.now() + 60_000) * NS_PER_MS);
    const digests = [
      { file: join(dir, 'acme.yaml'), digest: contentDigest(tenantYaml('acme')) },
      { file: join(dir, 'globex.yaml'), digest: contentDigest(tenantYaml('globex')) },
    ];
    const first = await index.scan();
    expect(first.files).toEqual(digests);
    expect(first.read.map((r) => r.file)).toEqual(digests.map((d) => d.file));
    const again = await index.scan();
    expect(again).toEqual({ files: digests, read: [], changed: false, reread: 0 });
    // What could not be read is kept as its problem, and read again each scan.
    writeFileSync(join(dir, 'broken.yaml'), Buffer.from([0xff, 0xfe]));
    const broken = await index.scan();
    expect(broken.files[1]).toEqual({ file: join(dir, 'broken.yaml'), problem: 'is not valid UTF-8 (allowed: UTF-8 text)' });
    expect((await index.scan()).reread).toBe(1);
  });

  it('trusts an unchanged stat whatever its values (a time before 1970, an inode past 2^63), and still sees one field change', async () => {
    const dir = tenantsDir();
    const counting = countingIo();
    const odd = { mtimeNs: -1_500_000_000n, ctimeNs: -1_000n, ino: 2n ** 64n - 3n };
    const io: FileIndexIo = {
      lstat: (file) => {
        const stat = counting.io.lstat(file);
        return stat && basename(file) === 'acme.yaml' ? Object.assign(stat, odd) : stat;
      },
      readFile: counting.io.readFile,
    };
    const index = new ManifestFileIndex(dir, io, () => BigInt(Date.now() + 60_000) * NS_PER_MS);
    await index.scan();
    expect(counting.reads.splice(0).sort()).toEqual(['acme.yaml', 'globex.yaml']);
    expect(await index.scan()).toMatchObject({ changed: false, reread: 0 });
    odd.ino -= 1n;
    expect(await index.scan()).toMatchObject({ changed: false, reread: 1 });
    expect(counting.reads).toEqual(['acme.yaml']);
  });
});
