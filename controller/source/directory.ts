import { ControllerError } from '../../contract/errors.js';
import { readIssue, type ManifestDigest, type ReadManifest } from '../manifests/files.js';
import { validateFilesOffThread, type ManifestFile, type ValidationThread } from '../manifests/off-thread.js';
import type { ValidationIssue } from '../manifests/types.js';
import { directoryDigest, displayPath } from '../manifests/validate.js';
import { ManifestFileIndex, type FileIndexIo } from './file-index.js';
import type { ManifestSource, SourceSnapshot } from './types.js';

export interface DirectorySourceOptions {
  /** Paths in issues are shown relative to it (default: the working directory). */
  displayBase?: string;
  /** The per-file calls of a scan (tests count and freeze them). */
  io?: FileIndexIo;
  /** Wall clock in nanoseconds, which file times are compared with. */
  nowNs?: () => bigint;
  /** Where revisions are validated (default: the process's validation thread; tests record what it is sent). */
  validation?: Pick<ValidationThread, 'validateFiles'>;
}

/**
 * Manifests from a local directory; the revision is a digest of the files' names and the digests of
 * their contents (directoryDigest). The loop polls every 2 s: each load lists the files and stats
 * them, and reads only those whose stat changed since the last load, as git's index does (see
 * ManifestFileIndex); an unchanged tree reads no file, and a file read again with the same content
 * (touched) changes nothing. A revision is validated only when its digest changed, in the validation
 * thread, which is sent only the texts of the files read again and validates only those whose
 * digest it does not remember: validating 1,000 manifests costs about a second of CPU
 * (docs/PERFORMANCE.md), which must not stall the event loop. No text is kept between loads. A
 * file that cannot be read, or a symbolic link that is not followed, makes the revision invalid: it
 * never reads as a removal.
 */
export function directorySource(dir: string, options: DirectorySourceOptions = {}): ManifestSource {
  const index = new ManifestFileIndex(dir, options.io, options.nowNs);
  let last: SourceSnapshot | undefined;
  /** The index changed since `last` was made (a load that failed after its scan leaves it set). */
  let changed = true;
  const display = (file: string) => displayPath(options.displayBase ?? process.cwd(), file);

  /** The revision of one scan, validated; undefined when the thread lacked a text it was not sent (the caller scans again). */
  async function snapshotOf(files: readonly ManifestDigest[], read: readonly ReadManifest[]): Promise<SourceSnapshot | undefined> {
    const revision = `dir:${directoryDigest(dir, files).slice(0, 12)}`;
    if (last?.revision === revision) return last;
    const texts = new Map<string, string>();
    for (const entry of read) if ('text' in entry) texts.set(entry.file, entry.text);
    const inputs: ManifestFile[] = [];
    const readIssues: ValidationIssue[] = [];
    for (const entry of files) {
      if ('problem' in entry) readIssues.push(readIssue(display(entry.file), entry.problem));
      else inputs.push({ file: display(entry.file), digest: entry.digest, text: texts.get(entry.file) });
    }
    const result = await (options.validation ? options.validation.validateFiles(inputs, readIssues) : validateFilesOffThread(inputs, readIssues));
    if ('missing' in result) {
      const missing = new Set(result.missing);
      index.readAgain(files.filter((entry) => missing.has(display(entry.file))).map((entry) => entry.file));
      return undefined;
    }
    return { revision, tenants: result.tenants, channels: result.channels, issues: result.issues, fileCount: files.length };
  }

  return {
    describe: () => `directory ${dir}`,
    async load(): Promise<SourceSnapshot> {
      for (let attempt = 0; ; attempt++) {
        const scan = await index.scan();
        changed ||= scan.changed;
        if (last && !changed) return last;
        const snapshot = await snapshotOf(scan.files, scan.read);
        // The thread lacked a text that this scan did not read: the next scan reads it again. Twice would be a defect.
        if (!snapshot && attempt === 0) continue;
        if (!snapshot) throw new ControllerError('SOURCE_UNAVAILABLE', `could not validate directory ${dir}: the validation thread lacks texts it was sent`, { retryable: true });
        last = snapshot;
        changed = false;
        return last;
      }
    },
  };
}
