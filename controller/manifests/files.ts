import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ControllerError } from '../errors.js';

const MANIFEST_EXTENSIONS = ['.yaml', '.yml'];

/** Every *.yaml / *.yml below `dir`, sorted, skipping hidden entries. */
export async function listManifestFiles(dir: string): Promise<string[]> {
  let info;
  try {
    info = await stat(dir);
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException)?.code === 'ENOENT';
    throw new ControllerError('SOURCE_UNAVAILABLE', `could not read manifest directory ${dir}${missing ? ': no such directory' : ''}`, { cause, retryable: true });
  }
  if (!info.isDirectory()) {
    throw new ControllerError('SOURCE_UNAVAILABLE', `manifest source ${dir} is not a directory`);
  }
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && MANIFEST_EXTENSIONS.some((ext) => entry.name.endsWith(ext)))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !relative(dir, file).split('/').some((part) => part.startsWith('.')))
    .sort();
}
