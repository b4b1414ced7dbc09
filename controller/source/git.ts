import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ControllerError } from '../errors.js';
import { validateManifests } from '../manifests/validate.js';
import { gitCommand, redactUrl } from './git-cli.js';
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
}

const MANIFEST_EXTENSIONS = ['.yaml', '.yml'];

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
  const git = gitCommand({ gitDir: repo, url: options.url, timeoutMs: options.timeoutMs ?? 120_000 });

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
      await git.run(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--depth=1', '--end-of-options', options.url, `+refs/heads/${options.branch}:${ref}`]);
    } catch (error) {
      throw new ControllerError('SOURCE_UNAVAILABLE', `could not fetch branch ${options.branch} from ${shown}: ${(error as Error).message}`, { retryable: true, cause: error });
    }
    return (await git.text(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim();
  }

  async function read(sha: string): Promise<SourceSnapshot> {
    const listing = await git.text(['ls-tree', '-r', '-z', '--full-tree', sha, ...(dir ? ['--', dir] : [])]);
    const entries = listing.split('\0').filter(Boolean).map((line) => {
      const tab = line.indexOf('\t');
      const [mode, type, oid] = line.slice(0, tab).split(' ');
      return { mode, type, oid, file: line.slice(tab + 1) };
    }).filter((e) => e.type === 'blob' && e.mode !== '120000' && isManifest(dir, e.file))
      .sort((a, b) => a.file.localeCompare(b.file));
    const texts = entries.length > 0 ? await git.blobs(entries.map((e) => e.oid)) : [];
    const result = validateManifests(entries.map((e, i) => ({ file: e.file, text: texts[i] })));
    return { revision: sha, tenants: result.tenants, issues: result.issues, fileCount: entries.length };
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
      throw new ControllerError('SOURCE_UNAVAILABLE', `could not read manifests at ${sha} from ${shown}: ${(error as Error).message}`, { retryable: true, cause: error });
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

/** `./tenants/` → `tenants`; '' and '.' → '' (the whole repository). */
function normalizePath(path: string): string {
  return path.replace(/^(\.\/)+/, '').replace(/\/+$/, '').replace(/^\.$/, '');
}

/** A *.yaml / *.yml file below `dir`, no part of its path below `dir` hidden (as the directory source). */
function isManifest(dir: string, file: string): boolean {
  if (dir && file !== dir && !file.startsWith(`${dir}/`)) return false;
  const below = dir ? file.slice(dir.length + 1) : file;
  return MANIFEST_EXTENSIONS.some((ext) => file.endsWith(ext)) && !below.split('/').some((part) => part.startsWith('.'));
}
