import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ControllerError, errorMessage } from '../../contract/errors.js';
import { decodeManifest, isManifestName, readIssue } from '../manifests/files.js';
import { limitMessage, MANIFEST_LIMITS } from '../manifests/limits.js';
import { validateOffThread, type ManifestFile } from '../manifests/off-thread.js';
import type { ValidationIssue } from '../manifests/types.js';
import { gitCommand, redactUrl, type ObjectInfo } from './git-cli.js';
import type { GitCredentials } from './git-credentials.js';
import type { ManifestSource, SourceSnapshot } from './types.js';

export { redactUrl } from './git-cli.js';

export interface GitSourceOptions {
  /** Any URL the git CLI accepts: https://, ssh://, git@host:path, file://. */
  url: string;
  branch: string;
  /** Directory inside the repository that holds the manifests; '' or '.' for the whole repository. */
  path: string;
  /** Fetch at most once per interval, unless trigger() was called. */
  intervalMs: number;
  /** Where the shallow bare clone is kept (`<dataDir>/git`). */
  cacheDir: string;
  log: Logger;
  now?: () => number;
  /** Per git command; a fetch that takes longer is killed and counts as unreachable. */
  timeoutMs?: number;
  /** Sent to the remote through askpass, never in the URL or git's argv. */
  credentials?: GitCredentials;
}

/**
 * Manifests from a git branch. A shallow bare clone under `cacheDir` is fetched into a ref
 * of its own; files are read from the fetched commit's tree (ls-tree + one cat-file batch),
 * never from a working tree, so a fetch in progress cannot mix two revisions.
 * The revision is the full commit SHA. Credentials in the URL never reach logs or errors.
 */
export function gitSource(options: GitSourceOptions): ManifestSource {
  if (options.url.startsWith('-') || options.branch.startsWith('-')) {
    throw new ControllerError('CONFIG_INVALID', 'a git URL or branch may not start with "-"');
  }
  const now = options.now ?? Date.now;
  const shown = redactUrl(options.url);
  const describe = () => `git ${shown} branch ${options.branch} path ${options.path || '.'}`;
  const repo = join(options.cacheDir, `${createHash('sha256').update(shown).digest('hex').slice(0, 16)}.git`);
  const ref = `refs/openclaw/heads/${options.branch}`;
  const dir = normalizePath(options.path);
  const log = options.log.child({ source: describe() });
  const git = gitCommand({ gitDir: repo, url: options.url, timeoutMs: options.timeoutMs ?? 120_000, credentials: options.credentials, askpassDir: options.cacheDir });

  let lastFetch: number | undefined;
  let triggered = false;
  let cached: SourceSnapshot | undefined;
  let chain: Promise<unknown> = Promise.resolve();

  async function fetchBranch(): Promise<string> {
    if (!existsSync(join(repo, 'HEAD'))) {
      await mkdir(options.cacheDir, { recursive: true });
      await git.run(['init', '--bare', '--quiet', repo], { noGitDir: true });
    }
    try {
      await git.run(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--depth=1', '--end-of-options', options.url, `+refs/heads/${options.branch}:${ref}`], { remote: true });
    } catch (error) {
      if (error instanceof ControllerError) throw error;
      throw new ControllerError('SOURCE_UNAVAILABLE', `could not fetch branch ${options.branch} from ${shown}: ${errorMessage(error)}`, { retryable: true, cause: error });
    }
    return (await git.text(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim();
  }

  async function read(sha: string): Promise<SourceSnapshot> {
    const listing = await git.run(['ls-tree', '-r', '-z', '--full-tree', sha, ...(dir ? ['--', dir] : [])]);
    const entries = treeEntries(listing).filter((e) => e.type === 'blob' && isBelow(dir, e.file) && (e.link || isManifestName(e.file)))
      .sort((a, b) => a.file.localeCompare(b.file));
    // Every manifest and every link is looked up by path, links followed inside this commit's tree.
    const lookups = entries.filter((e) => !e.file.includes('\n'));
    const infos = lookups.length > 0 ? await git.objects(lookups.map((e) => `${sha}:${e.file}`)) : [];
    const byFile = new Map(lookups.map((e, i) => [e.file, infos[i]]));
    const toRead: { file: string; oid: string }[] = [];
    const readIssues: ValidationIssue[] = [];
    for (const entry of entries) {
      const verdict = entryVerdict(entry, byFile.get(entry.file));
      if (verdict === '') continue;
      if (typeof verdict === 'string') readIssues.push(readIssue(entry.file, verdict));
      else toRead.push({ file: entry.file, oid: verdict.oid });
    }
    const contents = toRead.length > 0 ? await git.blobs(toRead.map((e) => e.oid)) : [];
    const inputs: Required<ManifestFile>[] = [];
    toRead.forEach((entry, i) => {
      const decoded = decodeManifest(entry.file, contents[i]);
      if ('text' in decoded) inputs.push({ file: entry.file, text: decoded.text, digest: decoded.digest });
      else readIssues.push(readIssue(entry.file, decoded.problem));
    });
    const result = await validateOffThread(inputs, readIssues);
    return { revision: sha, tenants: result.tenants, channels: result.channels, issues: result.issues, fileCount: inputs.length + readIssues.length };
  }

  async function load(): Promise<SourceSnapshot> {
    const due = triggered || lastFetch === undefined || now() - lastFetch >= options.intervalMs;
    let sha = cached?.revision;
    if (due || !sha) {
      triggered = false;
      sha = await fetchBranch();
      lastFetch = now();
      if (sha !== cached?.revision) log.debug({ revision: sha }, 'fetched');
    }
    if (cached?.revision === sha) return cached;
    try {
      cached = await read(sha);
    } catch (error) {
      throw new ControllerError('SOURCE_UNAVAILABLE', `could not read manifests at ${sha} from ${shown}: ${errorMessage(error)}`, { retryable: true, cause: error });
    }
    return cached;
  }

  return {
    describe,
    load() {
      // One git operation at a time on the clone: a fetch and a read never interleave.
      const next = chain.then(load);
      chain = next.catch(() => {});
      return next;
    },
    trigger() {
      triggered = true;
    },
    async close() {
      await chain;
    },
  };
}

/**
 * The entries of `git ls-tree -r -z`: each path decoded from the listing's bytes as a string of its
 * own. A slice of one string of the whole listing would keep all of it alive for as long as the
 * path is held, which validation does until the next revision (80 bytes a tenant).
 */
function treeEntries(listing: Buffer): { link: boolean; type: string; file: string }[] {
  const entries: { link: boolean; type: string; file: string }[] = [];
  for (let start = 0; start < listing.length;) {
    const nul = listing.indexOf(0, start);
    const end = nul < 0 ? listing.length : nul;
    const tab = listing.indexOf(0x09, start);
    if (tab > start && tab < end) {
      const [mode, type] = listing.toString('latin1', start, tab).split(' ');
      entries.push({ link: mode === '120000', type, file: listing.toString('utf8', tab + 1, end) });
    }
    start = end + 1;
  }
  return entries;
}

/** `./tenants/` → `tenants`; '' and '.' → '' (the whole repository). */
function normalizePath(path: string): string {
  return path.replace(/^(\.\/)+/, '').replace(/\/+$/, '').replace(/^\.$/, '');
}

/** A file below `dir` (the whole repository when ''), no part of its path below `dir` hidden (as the directory source). */
function isBelow(dir: string, file: string): boolean {
  if (dir && file !== dir && !file.startsWith(`${dir}/`)) return false;
  const below = dir ? file.slice(dir.length + 1) : file;
  return !below.split('/').some((part) => part.startsWith('.'));
}

const LINK_RULE = '(allowed: links to manifest files inside the repository)';

/**
 * Why an entry is not read as a manifest: '' when it is simply not one (a link to another kind of
 * file), a problem that makes the revision invalid, or the blob to read when it is one. A link is never
 * dropped in silence, or its tenant would read as removed.
 */
function entryVerdict(entry: { link: boolean; file: string }, info: ObjectInfo | undefined): string | { oid: string } {
  const named = isManifestName(entry.file);
  if (!info) return 'has a line break in its name (allowed: file names on one line)';
  if (!info.found) {
    if (!entry.link) return `could not be read from the commit (${info.reason})`;
    if (!named) return '';
    return info.reason === 'symlink' ? `is a symbolic link that leads outside the repository ${LINK_RULE}`
      : info.reason === 'loop' ? `is a symbolic link in a loop ${LINK_RULE}`
      : `is a symbolic link to nothing ${LINK_RULE}`;
  }
  if (info.type === 'tree') return `is a symbolic link to a directory, which is not followed ${LINK_RULE}`;
  if (info.type !== 'blob' || !named) return '';
  if (info.size > MANIFEST_LIMITS.fileBytes) return limitMessage('fileBytes', info.size);
  return { oid: info.oid };
}
