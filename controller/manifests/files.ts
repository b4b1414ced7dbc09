import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { ControllerError, errorMessage, systemErrorCode } from '../../contract/errors.js';
import { mapLimit } from '../../contract/concurrency.js';
import { limitMessage, MANIFEST_LIMITS } from './limits.js';
import type { ValidationIssue } from './types.js';

const MANIFEST_EXTENSIONS = ['.yaml', '.yml'];
/** Files read at once: all of 100,000 at once would hold that many descriptors (past a default ulimit) and buffers. */
export const READ_CONCURRENCY = 64;

/** Reads a file's bytes (the directory source passes its own, which tests count). */
export type ReadBytes = (file: string) => Promise<Uint8Array>;

export function isManifestName(name: string): boolean {
  return MANIFEST_EXTENSIONS.some((ext) => name.endsWith(ext));
}

/**
 * One manifest as read: its text and the digest of its bytes, or why it could not be read (which
 * makes the revision invalid).
 */
export type ReadManifest = { file: string; text: string; digest: string } | { file: string; problem: string };

/** A manifest as a revision's digest counts it: the digest of its bytes, or why it could not be read, without its text. */
export type ManifestDigest = { file: string; digest: string } | { file: string; problem: string };

/** The digest of a file's bytes (sha256, base64): what tells a changed file from a touched one. */
export function contentDigest(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('base64');
}

/**
 * Every *.yaml / *.yml below `dir`, sorted, skipping hidden entries. A symbolic link is followed
 * when it resolves to a file inside `boundary` (the repository holding `dir`, or `dir` itself);
 * any other link is listed too, so that reading it reports why it is not a manifest: a link is
 * never dropped in silence, or its tenant would read as removed.
 */
export async function listManifestFiles(dir: string): Promise<string[]> {
  return (await listManifestTree(dir)).files;
}

/** The listing of listManifestFiles, and every folder it read, `dir` first (hidden ones left out). */
export async function listManifestTree(dir: string): Promise<{ files: string[]; folders: string[] }> {
  let info;
  try {
    info = await stat(dir);
  } catch (cause) {
    const missing = systemErrorCode(cause) === 'ENOENT';
    throw new ControllerError('SOURCE_UNAVAILABLE', `could not read manifest directory ${dir}${missing ? ': no such directory' : ''}`, { cause, retryable: true });
  }
  if (!info.isDirectory()) {
    throw new ControllerError('SOURCE_UNAVAILABLE', `manifest source ${dir} is not a directory`);
  }
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  // Whether a folder is hidden, once per folder rather than once per file (100,000 files are listed every poll).
  const hiddenFolders = new Map<string, boolean>();
  const hidden = (folder: string) => {
    let found = hiddenFolders.get(folder);
    if (found === undefined) hiddenFolders.set(folder, (found = relative(dir, folder).split(sep).some((part) => part.startsWith('.'))));
    return found;
  };
  const shown = entries.filter((entry) => !entry.name.startsWith('.') && !hidden(entry.parentPath));
  return {
    files: shown.filter((entry) => (entry.isFile() && isManifestName(entry.name)) || entry.isSymbolicLink()).map((entry) => join(entry.parentPath, entry.name)).sort(),
    folders: [dir, ...shown.filter((entry) => entry.isDirectory()).map((entry) => join(entry.parentPath, entry.name))],
  };
}

/**
 * Reads the listed files: a file past the size bound is not read at all, a file that is not
 * UTF-8 or cannot be read, and a link that leaves the repository or does not lead to a file,
 * each come back as a problem instead of a text.
 */
export async function readManifestFiles(dir: string, files: readonly string[]): Promise<ReadManifest[]> {
  const boundary = await manifestBoundary(dir);
  const read = await mapLimit(files, READ_CONCURRENCY, async (file) => readManifestFile(file, boundary));
  return read.filter((entry): entry is ReadManifest => entry !== undefined);
}

/** Where a link below `dir` may lead: the repository holding it, or `dir` itself, links resolved. */
export async function manifestBoundary(dir: string): Promise<string> {
  return realpath(repositoryRoot(dir));
}

/** One listed file as readManifestFiles reads it; undefined for a link that is simply not a manifest. */
export async function readManifestFile(file: string, boundary: string, readBytes: ReadBytes = readFile): Promise<ReadManifest | undefined> {
  const named = isManifestName(file);
  try {
    if ((await lstat(file)).isSymbolicLink()) {
      const problem = await linkProblem(file, boundary);
      if (problem !== undefined) return problem === '' ? undefined : { file, problem };
    }
    const info = await stat(file);
    if (info.size > MANIFEST_LIMITS.fileBytes) return { file, problem: limitMessage('fileBytes', info.size) };
    return decodeManifest(file, await readBytes(file));
  } catch (error) {
    return { file, problem: `could not be read: ${errorMessage(error)} (allowed: a file the controller can read; an unreadable file never counts as removed)` };
  }

  /** Why a link is not followed ('' when it is simply not a manifest), or undefined to follow it. */
  async function linkProblem(link: string, root: string): Promise<string | undefined> {
    const rule = '(allowed: links to manifest files inside the repository)';
    let target: string;
    try {
      target = await realpath(link);
    } catch (error) {
      return named ? `is a symbolic link to nothing (${codeOf(error)}) ${rule}` : '';
    }
    if ((await stat(target)).isDirectory()) return `is a symbolic link to a directory, which is not followed ${rule}`;
    if (!named) return '';
    if (target !== root && !target.startsWith(`${root}${sep}`)) return `is a symbolic link that leads outside the repository ${rule}`;
    return undefined;
  }
}

/** UTF-8 text and the digest of its bytes, or the problem: a byte that is not UTF-8 would otherwise become U+FFFD silently. */
export function decodeManifest(file: string, bytes: Uint8Array): ReadManifest {
  try {
    return { file, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), digest: contentDigest(bytes) };
  } catch {
    return { file, problem: 'is not valid UTF-8 (allowed: UTF-8 text)' };
  }
}

/** A ValidationIssue for a file that could not be read, at its start. */
export function readIssue(file: string, problem: string): ValidationIssue {
  return { file, line: 1, column: 1, layer: 'source', path: '', message: problem };
}

/** The nearest directory at or above `dir` holding `.git`, else `dir`: what a link may point into. */
function repositoryRoot(dir: string): string {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, '.git'))) return current;
    if (dirname(current) === current) return dir;
  }
}

function codeOf(error: unknown): string {
  return systemErrorCode(error) ?? errorMessage(error);
}
