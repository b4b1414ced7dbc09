import { createHash } from 'node:crypto';
import { relative } from 'node:path';
import { isRecord } from '../../contract/json.js';
import { listManifestFiles, readIssue, readManifestFiles, type ManifestDigest, type ReadManifest } from './files.js';
import { locate, parseManifestFile } from './parse.js';
import { checkChannelSemantics } from './channel.js';
import { validateAgainstCrd } from './schema.js';
import { checkSemantics } from './semantic.js';
import type { LoadedChannel, LoadedTenant, NotificationChannelManifest, SourcePosition, TenantManifest, ValidationIssue, ValidationResult } from './types.js';

export interface ManifestText {
  /** Path shown in errors, relative to where the user stands. */
  file: string;
  text: string;
}

/** One file's part of a revision: its issues, and what it declares, in document order. */
export interface FileValidation {
  readonly issues: readonly ValidationIssue[];
  /** Every document with a name, valid or not (a name declared twice is found across files); `valid` when it passed every layer. */
  readonly declared: readonly Declared[];
}

/** A document with a name, and where the name is in its file (the file is the validation's). */
export type Declared =
  | { readonly kind: 'Tenant'; readonly name: string; readonly line: number; readonly column: number; readonly valid?: LoadedTenant }
  | { readonly kind: 'NotificationChannel'; readonly name: string; readonly line: number; readonly column: number; readonly valid?: LoadedChannel };

/**
 * All three layers over a set of files, every error in one run. Tenants are returned
 * only when there is no issue at all: a partly valid revision is never applied.
 */
export function validateManifests(inputs: ManifestText[], readIssues: readonly ValidationIssue[] = []): ValidationResult {
  return combineFiles(inputs.map((input) => input.file), inputs.map(validateFile), readIssues);
}

/** The three layers over one file: what does not depend on the other files (see combineFiles). */
export function validateFile({ file, text }: ManifestText): FileValidation {
  const parsed = parseManifestFile(file, text);
  const issues = [...parsed.issues];
  const declared: Declared[] = [];
  for (const doc of parsed.documents) {
    const channel = kindOf(doc.data) === 'NotificationChannel';
    const found = channel ? [...validateAgainstCrd(doc, 'NotificationChannel'), ...checkChannelSemantics(doc)] : [...validateAgainstCrd(doc), ...checkSemantics(doc)];
    issues.push(...found);
    const name = nameOf(doc.data);
    if (name === undefined) continue;
    const { line, column } = locate(doc, ['metadata', 'name']);
    const valid = found.length === 0;
    declared.push(channel
      ? { kind: 'NotificationChannel', name, line, column, ...(valid ? { valid: { name, manifest: doc.data as NotificationChannelManifest, source: locate(doc, []) } } : {}) }
      : { kind: 'Tenant', name, line, column, ...(valid ? { valid: { name, manifest: doc.data as TenantManifest, source: locate(doc, []) } } : {}) });
  }
  return { issues, declared };
}

/** The revision from its files' validations (`validations[i]` that of `fileNames[i]`), in file order: names declared twice across files, and everything sorted. */
export function combineFiles(fileNames: readonly string[], validations: readonly FileValidation[], readIssues: readonly ValidationIssue[] = []): ValidationResult {
  const issues: ValidationIssue[] = [...readIssues];
  const tenants: LoadedTenant[] = [];
  const channels: LoadedChannel[] = [];
  const firstSeen = { Tenant: new Map<string, SourcePosition>(), NotificationChannel: new Map<string, SourcePosition>() };
  for (const [i, validation] of validations.entries()) {
    issues.push(...validation.issues);
    for (const declared of validation.declared) {
      const seen = firstSeen[declared.kind];
      const earlier = seen.get(declared.name);
      const at = { file: fileNames[i], line: declared.line, column: declared.column };
      if (earlier) {
        const what = declared.kind === 'Tenant' ? 'tenant' : 'notification channel';
        issues.push({ ...at, layer: 'semantic', path: 'metadata.name', message: `${what} ${JSON.stringify(declared.name)} is declared twice (first at ${earlier.file}:${earlier.line}:${earlier.column}); names must be unique across files` });
        continue;
      }
      seen.set(declared.name, at);
      if (declared.kind === 'Tenant' && declared.valid) tenants.push(declared.valid);
      if (declared.kind === 'NotificationChannel' && declared.valid) channels.push(declared.valid);
    }
  }
  issues.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  const files = [...new Set([...fileNames, ...readIssues.map((i) => i.file)])].sort();
  const valid = issues.length === 0;
  return {
    tenants: valid ? tenants.sort((a, b) => a.name.localeCompare(b.name)) : [],
    channels: valid ? channels.sort((a, b) => a.name.localeCompare(b.name)) : [],
    issues, files,
  };
}

/** Read and validate every manifest below `dir`. Throws only when the directory itself cannot be read. */
export async function validateDirectory(dir: string, options: { relativeTo?: string } = {}): Promise<ValidationResult> {
  const base = options.relativeTo ?? process.cwd();
  const { inputs, readIssues } = await readManifestDirectory(dir, (file) => displayPath(base, file));
  return validateManifests(inputs, readIssues);
}

export interface ManifestDirectory {
  inputs: ManifestText[];
  /** One per file that could not be read as a manifest: each makes the revision invalid. */
  readIssues: ValidationIssue[];
  fileCount: number;
  /** The digest of the files below `dir` (directoryDigest): what the directory source's revision is made of. */
  digest: string;
}

/** The manifests below `dir` as texts, and an issue for each file that could not be read as one. */
export async function readManifestDirectory(dir: string, display: (file: string) => string): Promise<ManifestDirectory> {
  return manifestDirectory(dir, await readManifestFiles(dir, await listManifestFiles(dir)), display);
}

/** The files below `dir` as read (sorted), as texts and issues, with their digest. */
export function manifestDirectory(dir: string, read: readonly ReadManifest[], display: (file: string) => string): ManifestDirectory {
  const inputs: ManifestText[] = [];
  const readIssues: ValidationIssue[] = [];
  for (const entry of read) {
    if ('text' in entry) inputs.push({ file: display(entry.file), text: entry.text });
    else readIssues.push(readIssue(display(entry.file), entry.problem));
  }
  return { inputs, readIssues, fileCount: read.length, digest: directoryDigest(dir, read) };
}

/**
 * sha256 (hex) over each file's path below `dir` and the digest of its bytes, or why it could not be
 * read, in the order given (sorted by path): the same for the same tree, different when any file's
 * content, name or readability changes. It needs no file's text, so the directory source keeps none.
 */
export function directoryDigest(dir: string, files: readonly ManifestDigest[]): string {
  const hash = createHash('sha256');
  for (const entry of files) {
    hash.update('digest' in entry ? `${relative(dir, entry.file)}\0${entry.digest}\0` : `${relative(dir, entry.file)}\0\0${entry.problem}\0`);
  }
  return hash.digest('hex');
}

function kindOf(data: unknown): unknown {
  return isRecord(data) ? data.kind : undefined;
}

function nameOf(data: unknown): string | undefined {
  const name = isRecord(data) && isRecord(data.metadata) ? data.metadata.name : undefined;
  return typeof name === 'string' ? name : undefined;
}

/**
 * Relative to where the user stands when the file is below it; absolute otherwise. As a slice of
 * `file` when it ends with it: the directory source holds `file` anyway, and the string relative()
 * answers is a slice of a new absolute path, which it would keep alive beside it (a tenant's path twice).
 */
export function displayPath(base: string, file: string): string {
  const rel = relative(base, file);
  if (rel === '' || rel.startsWith('..')) return file;
  return file.endsWith(rel) ? file.slice(file.length - rel.length) : rel;
}

export function formatIssue(issue: ValidationIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.column}`;
  return issue.path ? `${where} ${issue.path}: ${issue.message}` : `${where} ${issue.message}`;
}
