import { lstatSync, type BigIntStats } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { mapLimit } from '../../contract/concurrency.js';
import { StampTable } from './stamp-table.js';
import { listManifestTree, manifestBoundary, readManifestFile, READ_CONCURRENCY, type ManifestDigest, type ReadManifest } from '../manifests/files.js';

/** The calls a scan makes per file: tests count the reads and freeze the stats through it. */
export interface FileIndexIo {
  /** lstat with nanosecond times; undefined when the file is gone. */
  lstat(file: string): BigIntStats | undefined;
  readFile(file: string): Promise<Uint8Array>;
}

const NODE_IO: FileIndexIo = {
  lstat: (file) => lstatSync(file, { bigint: true, throwIfNoEntry: false }),
  readFile: (file) => readFile(file),
};

/** The folders of the last listing, and their stats then. */
interface Folders {
  paths: readonly string[];
  stats: StampTable;
}

/**
 * What a scan keeps of a listed file's read, never its text: the digest of its content (a plain
 * string, shared with validation's memory of the file), why it could not be read, or undefined for a
 * link that is simply not a manifest.
 */
type Held = string | { problem: string } | undefined;

export interface Scan {
  /** Every listed file by the digest of its content, or why it could not be read (as read now or as remembered), sorted. */
  files: ManifestDigest[];
  /** The files read in this scan, with their texts (or why they could not be read), sorted: the index keeps no text. */
  read: ReadManifest[];
  /** Whether anything differs from the last scan: a file listed, unlisted, or read with another content (not a file only touched). */
  changed: boolean;
  /** Files read in this scan. */
  reread: number;
}

/** lstat calls between two turns of the event loop (one turn is a few milliseconds). */
const STATS_PER_TURN = 500;
/**
 * A file whose mtime or ctime is this close to a scan's start (or after it) may be rewritten within
 * the same timestamp, leaving its stat unchanged: it is read again by the next scan. Covers the
 * coarsest timestamps (FAT's 2 s) and a kernel clock a tick behind the process's. On a network file
 * system whose clock runs further behind the controller's, a rewrite of the same size within one
 * timestamp tick of the previous write goes unseen until the file's stat changes again.
 */
const RACY_NS = 3_000_000_000n;

/**
 * What the directory source last read of each manifest file, by its stat, as git's index keeps
 * it: a scan lists the files (or reuses the last listing when no folder's stat changed, as git's
 * untracked cache does), stats each one, and reads only those whose size, mtime, ctime, inode,
 * device or mode changed, those that changed too recently for the stat to be trusted ("racily clean"
 * in git's terms), and every link, whose target the link's own stat does not follow. A file that
 * could not be read as text is read again every scan. Of each file it keeps the digest of its bytes,
 * never its text: a scan hands the texts it read to its caller (validation) and forgets them, and a
 * file read again with the same digest (touched, or racily clean) is no change. It holds 100,000
 * files between polls: what it keeps of each is by its position in the sorted listing (a digest, its
 * stat in a StampTable), not an object or a map entry per file.
 */
export class ManifestFileIndex {
  /** The last listing, sorted; what is held of each file is at its position in it. */
  private files: readonly string[] = [];
  private held: Held[] = [];
  /** The stat of each file as it was just before it was read (only for a plain file read as text). */
  private stats = new StampTable(0);
  /** The folders of the last listing and their stats; undefined when one changed too recently to trust. */
  private folders: Folders | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly io: FileIndexIo = NODE_IO,
    private readonly nowNs: () => bigint = () => BigInt(Date.now()) * 1_000_000n,
  ) {}

  /** One scan at a time: each compares with the one before it. */
  scan(): Promise<Scan> {
    const run = this.chain.then(() => this.scanNow());
    // Settles with nothing: the chain must not hold the last scan's texts until the next scan.
    this.chain = run.then(() => undefined, () => undefined);
    return run;
  }

  private async scanNow(): Promise<Scan> {
    const started = this.nowNs();
    const { files: listedNow, folders } = await this.list(started);
    const before = positionsBefore(this.files, listedNow);
    // A path listed before keeps its first instance, which the validations remembered by path hold too: one copy of each path, not two.
    const files = listedNow === this.files ? listedNow : listedNow.map((file, i) => (before[i] >= 0 ? this.files[before[i]] : file));
    const stats = await this.statAll(files);
    const stale = files.filter((_, i) => !(before[i] >= 0 && this.stats.trusts(before[i], stats[i])));
    const boundary = stale.length > 0 ? await manifestBoundary(this.dir) : '';
    const fresh = await mapLimit(stale, READ_CONCURRENCY, (file) => readManifestFile(file, boundary, this.io.readFile));
    const reads = new Map(stale.map((file, i) => [file, fresh[i]]));
    let changed = !sameList(files, this.files);
    const held: Held[] = new Array(files.length);
    const table = new StampTable(files.length);
    for (const [i, file] of files.entries()) {
      const j = before[i];
      if (j >= 0 && !reads.has(file)) {
        held[i] = this.held[j];
        table.copy(i, this.stats, j);
        continue;
      }
      const read = reads.get(file);
      held[i] = heldOf(read);
      if (!sameHeld(held[i], j >= 0 ? this.held[j] : undefined)) changed = true;
      const stat = stats[i];
      if (typeof held[i] === 'string' && stat?.isFile()) table.set(i, stat, racy(stat, started));
    }
    this.files = files;
    this.held = held;
    this.stats = table;
    this.folders = folders;
    const read = fresh.filter((entry): entry is ReadManifest => entry !== undefined);
    return { files: listed(files, held), read, changed, reread: stale.length };
  }

  /** Makes the next scan read these files again, whatever their stat (their texts are needed again). */
  readAgain(files: readonly string[]): void {
    for (const file of files) {
      const i = positionOf(this.files, file);
      if (i >= 0) this.stats.distrust(i);
    }
  }

  /**
   * The files below the directory: the last listing again when no folder's stat changed (a file
   * added, removed or renamed changes its folder's mtime), else a new listing, whose folders' stats
   * are kept unless one changed within the racy window.
   */
  private async list(started: bigint): Promise<{ files: readonly string[]; folders: Folders | undefined }> {
    const unchanged = ({ paths, stats }: Folders) => paths.every((folder, i) => {
      const now = this.lstat(folder);
      return now !== undefined && now.isDirectory() && stats.trusts(i, now);
    });
    if (this.folders && unchanged(this.folders)) return { files: this.files, folders: this.folders };
    const tree = await listManifestTree(this.dir);
    const stats = new StampTable(tree.folders.length);
    for (const [i, folder] of tree.folders.entries()) {
      const stat = this.lstat(folder);
      if (!stat?.isDirectory() || racy(stat, started)) return { files: tree.files, folders: undefined };
      stats.set(i, stat, false);
    }
    return { files: tree.files, folders: { paths: tree.folders, stats } };
  }

  /** Synchronous lstat, a few hundred between turns of the event loop: half the CPU of a promise each. */
  private async statAll(files: readonly string[]): Promise<(BigIntStats | undefined)[]> {
    const stats: (BigIntStats | undefined)[] = [];
    for (let i = 0; i < files.length; i++) {
      if (i > 0 && i % STATS_PER_TURN === 0) await nextTurn();
      stats.push(this.lstat(files[i]));
    }
    return stats;
  }

  /** undefined when the path cannot be stat'ed: a file is then read, which says why it cannot be. */
  private lstat(path: string): BigIntStats | undefined {
    try {
      return this.io.lstat(path);
    } catch {
      return undefined;
    }
  }
}

function heldOf(read: ReadManifest | undefined): Held {
  if (!read) return undefined;
  return 'digest' in read ? read.digest : { problem: read.problem };
}

/** Every listed file by what is held of it, as a scan answers them (links that are not manifests left out). */
function listed(files: readonly string[], held: readonly Held[]): ManifestDigest[] {
  const out: ManifestDigest[] = [];
  for (const [i, file] of files.entries()) {
    const entry = held[i];
    if (typeof entry === 'string') out.push({ file, digest: entry });
    else if (entry) out.push({ file, problem: entry.problem });
  }
  return out;
}

function racy(stat: BigIntStats, started: bigint): boolean {
  return stat.mtimeNs >= started - RACY_NS || stat.ctimeNs >= started - RACY_NS;
}

function sameHeld(a: Held, b: Held): boolean {
  if (typeof a === 'object' && typeof b === 'object') return a.problem === b.problem;
  return a === b;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a === b || (a.length === b.length && a.every((file, i) => file === b[i]));
}

/** The position in `before` of each file of `now` (-1 where it is new), both sorted: one walk over both. */
function positionsBefore(before: readonly string[], now: readonly string[]): Int32Array {
  const positions = new Int32Array(now.length).fill(-1);
  if (before === now) return positions.map((_, i) => i);
  let j = 0;
  for (const [i, file] of now.entries()) {
    while (j < before.length && before[j] < file) j++;
    if (before[j] === file) positions[i] = j;
  }
  return positions;
}

/** The position of `file` in the sorted `files`, or -1. */
function positionOf(files: readonly string[], file: string): number {
  let low = 0;
  let high = files.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    if (files[middle] === file) return middle;
    if (files[middle] < file) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}
