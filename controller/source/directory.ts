import { validateOffThread } from '../manifests/off-thread.js';
import { displayPath, readManifestDirectory } from '../manifests/validate.js';
import type { ManifestSource, SourceSnapshot } from './types.js';

/**
 * Manifests from a local directory; the revision is a hash of the files' names and contents.
 * The files are read on every load (the loop polls every 2 s), but validated only when the hash
 * changed, in the validation thread: validating 1,000 manifests costs about a second of CPU
 * (docs/PERFORMANCE.md), which must not stall the event loop. A file that cannot be read, or a
 * symbolic link that is not followed, makes the revision invalid: it never reads as a removal.
 */
export function directorySource(dir: string, options: { displayBase?: string } = {}): ManifestSource {
  let last: SourceSnapshot | undefined;
  return {
    describe: () => `directory ${dir}`,
    async load(): Promise<SourceSnapshot> {
      const base = options.displayBase ?? process.cwd();
      const { inputs, readIssues, fileCount, digest } = await readManifestDirectory(dir, (file) => displayPath(base, file));
      const revision = `dir:${digest.slice(0, 12)}`;
      if (last?.revision === revision) return last;
      const result = await validateOffThread(inputs, readIssues);
      last = { revision, tenants: result.tenants, channels: result.channels, issues: result.issues, fileCount };
      return last;
    },
  };
}
