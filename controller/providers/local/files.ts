import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { TerminalError, systemErrorCode } from '../../../contract/errors.js';

/** Writes atomically (temporary file, then rename): a crash never leaves half a document. */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, content, { mode: 0o600 });
  await rename(tmp, file);
}

export const writeJson = (file: string, value: unknown) => writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);

export async function removeFile(file: string): Promise<void> {
  await rm(file, { force: true });
}

/** Every file below `dir`, as paths relative to `base` with '/' separators, sorted. */
export async function walkFiles(dir: string, base: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (systemErrorCode(error) === 'ENOENT') return [];
    throw error;
  }
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await walkFiles(path, base)));
    else if (!entry.name.endsWith('.tmp')) files.push(relative(base, path).split(sep).join('/'));
  }
  return files.sort();
}

/** Removes empty directories from `dir` up to (not including) `stop`. */
export async function pruneEmptyDirs(dir: string, stop: string): Promise<void> {
  let current = dir;
  while (current.startsWith(stop) && current !== stop) {
    try {
      await rmdir(current);
    } catch {
      return;
    }
    current = dirname(current);
  }
}

/** An object key or name as a safe relative path: no absolute paths, no '..', no empty segments. */
export function safeRelative(key: string, what: string): string {
  const parts = key.split('/');
  if (key.startsWith('/') || parts.some((p) => p === '..' || p === '.') || key.includes('\0') || key.length === 0) {
    throw new TerminalError('INTERNAL', `${what} ${JSON.stringify(key)} is not a valid name`);
  }
  return key;
}
