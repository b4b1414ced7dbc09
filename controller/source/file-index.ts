import { lstatSync, type BigIntStats } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { mapLimit } from '../../contract/concurrency.js';
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

/** What a rewrite, a replacement or a rename over a file changes, as git's index compares it. */
type Stamp = Pick<BigIntStats, 'size' | 'mtimeNs' | 'ctimeNs' | 'ino' | 'dev' | 'mode'>;

/** A folder of the last listing, and its stat then. */
interface Folder {
  folder: string;
  stat: Stamp;
}

/**
 * A file as last scanned: the digest of its content or why it could not be read (never its text), and
 * the stat it had just before (only for a plain file read as text).
 */
interface Entry {
  read: ManifestDigest | undefined;
  stat?: Stamp;
  /** Changed too close to the scan for its stat to tell a later rewrite: read again next time. */
  racy: boolean;
}

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
 * file read again with the same digest (touched, or racily clean) is no change.
 */
export class ManifestFileIndex {
  private entries = new Map<string, Entry>();
  private files: readonly string[] = [];
  /** The folders of the last listing and their stats; undefined when one changed too recently to trust. */
  private folders: Folder[] | undefined;
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
    const { files, folders } = await this.list(started);
    const stats = await this.statAll(files);
    const stale = files.filter((file, i) => !this.fresh(file, stats[i]));
    const boundary = stale.length > 0 ? await manifestBoundary(this.dir) : '';
    const fresh = await mapLimit(stale, READ_CONCURRENCY, (file) => readManifestFile(file, boundary, this.io.readFile));
    const reads = new Map(stale.map((file, i) => [file, fresh[i]]));
    let changed = !sameList(files, this.files);
    const entries = new Map<string, Entry>();
    for (const [i, file] of files.entries()) {
      const before = this.entries.get(file);
      if (before && !reads.has(file)) {
        entries.set(file, before);
        continue;
      }
      const read = reads.get(file);
      if (!sameRead(read, before?.read)) changed = true;
      entries.set(file, entryOf(read, stats[i], started));
    }
    this.entries = entries;
    this.files = files;
    this.folders = folders;
    const listed = files.map((file) => entries.get(file)?.read).filter((entry): entry is ManifestDigest => entry !== undefined);
    const read = fresh.filter((entry): entry is ReadManifest => entry !== undefined);
    return { files: listed, read, changed, reread: stale.length };
  }

  /** Makes the next scan read these files again, whatever their stat (their texts are needed again). */
  readAgain(files: readonly string[]): void {
    for (const file of files) {
      const entry = this.entries.get(file);
      if (entry) this.entries.set(file, { ...entry, racy: true });
    }
  }

  /**
   * The files below the directory: the last listing again when no folder's stat changed (a file
   * added, removed or renamed changes its folder's mtime), else a new listing, whose folders' stats
   * are kept unless one changed within the racy window.
   */
  private async list(started: bigint): Promise<{ files: readonly string[]; folders: Folder[] | undefined }> {
    const unchanged = (folder: string, stat: Stamp) => {
      const now = this.lstat(folder);
      return now !== undefined && now.isDirectory() && sameStamp(stat, now);
    };
    if (this.folders?.every(({ folder, stat }) => unchanged(folder, stat))) return { files: this.files, folders: this.folders };
    const tree = await listManifestTree(this.dir);
    const folders: Folder[] = [];
    for (const folder of tree.folders) {
      const stat = this.lstat(folder);
      if (!stat?.isDirectory() || racy(stat, started)) return { files: tree.files, folders: undefined };
      folders.push({ folder, stat: stamp(stat) });
    }
    return { files: tree.files, folders };
  }

  private fresh(file: string, stat: BigIntStats | undefined): boolean {
    const entry = this.entries.get(file);
    return entry?.stat !== undefined && !entry.racy && stat !== undefined && sameStamp(entry.stat, stat);
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

function entryOf(read: ReadManifest | undefined, stat: BigIntStats | undefined, started: bigint): Entry {
  if (!read || !('digest' in read)) return { read, racy: true };
  const kept = { file: read.file, digest: read.digest };
  if (!stat?.isFile()) return { read: kept, racy: true };
  return { read: kept, stat: stamp(stat), racy: racy(stat, started) };
}

function racy(stat: BigIntStats, started: bigint): boolean {
  return stat.mtimeNs >= started - RACY_NS || stat.ctimeNs >= started - RACY_NS;
}

/** The fields of a stat that a scan compares, without the rest of it (a dozen more numbers a file). */
function stamp(stat: BigIntStats): Stamp {
  return { size: stat.size, mtimeNs: stat.mtimeNs, ctimeNs: stat.ctimeNs, ino: stat.ino, dev: stat.dev, mode: stat.mode };
}

function sameStamp(a: Stamp, b: Stamp): boolean {
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.ino === b.ino && a.dev === b.dev && a.mode === b.mode;
}

function sameRead(a: ManifestDigest | undefined, b: ManifestDigest | undefined): boolean {
  if (!a || !b) return a === b;
  return 'digest' in a ? 'digest' in b && a.digest === b.digest : 'problem' in b && a.problem === b.problem;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((file, i) => file === b[i]);
}
