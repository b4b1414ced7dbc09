import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { listManifestFiles } from '../manifests/files.js';
import { validateManifests } from '../manifests/validate.js';
import type { ManifestSource, SourceSnapshot } from './types.js';

/**
 * Manifests from a local directory; the revision is a hash of the files' names and contents.
 * The files are read on every load (the loop polls every 2 s), but validated only when the hash
 * changed: validating 1,000 manifests costs about a second of CPU (docs/PERFORMANCE.md).
 */
export function directorySource(dir: string, options: { displayBase?: string } = {}): ManifestSource {
  let last: SourceSnapshot | undefined;
  return {
    describe: () => `directory ${dir}`,
    async load(): Promise<SourceSnapshot> {
      const files = await listManifestFiles(dir);
      const base = options.displayBase ?? process.cwd();
      const inputs = await Promise.all(files.map(async (file) => {
        const rel = relative(base, file);
        return { file: rel && !rel.startsWith('..') ? rel : file, text: await readFile(file, 'utf8') };
      }));
      const hash = createHash('sha256');
      inputs.forEach((input, index) => hash.update(`${relative(dir, files[index])}\0${input.text}\0`));
      const revision = `dir:${hash.digest('hex').slice(0, 12)}`;
      if (last?.revision === revision) return last;
      const result = validateManifests(inputs);
      last = { revision, tenants: result.tenants, issues: result.issues, fileCount: files.length };
      return last;
    },
  };
}
