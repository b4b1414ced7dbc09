import { validateOffThread } from '../manifests/off-thread.js';
import { displayPath, manifestDirectory } from '../manifests/validate.js';
import { ManifestFileIndex, type FileIndexIo } from './file-index.js';
import type { ManifestSource, SourceSnapshot } from './types.js';

export interface DirectorySourceOptions {
  /** Paths in issues are shown relative to it (default: the working directory). */
  displayBase?: string;
  /** The per-file calls of a scan (tests count and freeze them). */
  io?: FileIndexIo;
  /** Wall clock in nanoseconds, which file times are compared with. */
  nowNs?: () => bigint;
}

/**
 * Manifests from a local directory; the revision is a hash of the files' names and contents.
 * The loop polls every 2 s: each load lists the files and stats them, and reads only those whose
 * stat changed since the last load, as git's index does (see ManifestFileIndex); an unchanged tree
 * reads no file. A revision is validated only when the hash changed, in the validation thread:
 * validating 1,000 manifests costs about a second of CPU (docs/PERFORMANCE.md), which must not stall
 * the event loop. A file that cannot be read, or a symbolic link that is not followed, makes the
 * revision invalid: it never reads as a removal.
 */
export function directorySource(dir: string, options: DirectorySourceOptions = {}): ManifestSource {
  const index = new ManifestFileIndex(dir, options.io, options.nowNs);
  let last: SourceSnapshot | undefined;
  /** The index changed since `last` was made (a load that failed after its scan leaves it set). */
  let changed = true;
  return {
    describe: () => `directory ${dir}`,
    async load(): Promise<SourceSnapshot> {
      const scan = await index.scan();
      changed ||= scan.changed;
      if (last && !changed) return last;
      const base = options.displayBase ?? process.cwd();
      const { inputs, readIssues, fileCount, digest } = manifestDirectory(dir, scan.read, (file) => displayPath(base, file));
      const revision = `dir:${digest.slice(0, 12)}`;
      if (last?.revision !== revision) {
        const result = await validateOffThread(inputs, readIssues);
        last = { revision, tenants: result.tenants, channels: result.channels, issues: result.issues, fileCount };
      }
      changed = false;
      return last;
    },
  };
}
