import { createHash } from 'node:crypto';
import { relative } from 'node:path';
import { listManifestFiles, readIssue, readManifestFiles } from './files.js';
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

/**
 * All three layers over a set of files, every error in one run. Tenants are returned
 * only when there is no issue at all: a partly valid revision is never applied.
 */
export function validateManifests(inputs: ManifestText[], readIssues: readonly ValidationIssue[] = []): ValidationResult {
  const issues: ValidationIssue[] = [...readIssues];
  const tenants: LoadedTenant[] = [];
  const channels: LoadedChannel[] = [];
  const firstSeen = new Map<string, SourcePosition>();
  const channelSeen = new Map<string, SourcePosition>();
  for (const { file, text } of inputs) {
    const parsed = parseManifestFile(file, text);
    issues.push(...parsed.issues);
    for (const doc of parsed.documents) {
      if (kindOf(doc.data) === 'NotificationChannel') {
        const found = [...validateAgainstCrd(doc, 'NotificationChannel'), ...checkChannelSemantics(doc)];
        issues.push(...found);
        const name = nameOf(doc.data);
        if (name === undefined) continue;
        const at = locate(doc, ['metadata', 'name']);
        const earlier = channelSeen.get(name);
        if (earlier) {
          issues.push({ ...at, layer: 'semantic', path: 'metadata.name', message: `notification channel ${JSON.stringify(name)} is declared twice (first at ${earlier.file}:${earlier.line}:${earlier.column}); names must be unique across files` });
          continue;
        }
        channelSeen.set(name, at);
        if (found.length === 0) channels.push({ name, manifest: doc.data as NotificationChannelManifest, source: locate(doc, []) });
        continue;
      }
      const schemaIssues = validateAgainstCrd(doc);
      const semanticIssues = checkSemantics(doc);
      issues.push(...schemaIssues, ...semanticIssues);
      const name = nameOf(doc.data);
      if (name === undefined) continue;
      const tenant: LoadedTenant = { name, manifest: doc.data as TenantManifest, source: locate(doc, []) };
      const at = locate(doc, ['metadata', 'name']);
      const earlier = firstSeen.get(name);
      if (earlier) {
        issues.push({ ...at, layer: 'semantic', path: 'metadata.name', message: `tenant ${JSON.stringify(name)} is declared twice (first at ${earlier.file}:${earlier.line}:${earlier.column}); names must be unique across files` });
        continue;
      }
      firstSeen.set(name, at);
      if (schemaIssues.length === 0 && semanticIssues.length === 0) tenants.push(tenant);
    }
  }
  issues.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  const files = [...new Set([...inputs.map((i) => i.file), ...readIssues.map((i) => i.file)])].sort();
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
  /** sha256 over every file's path below `dir` and its text (or why it could not be read). */
  digest: string;
}

/** The manifests below `dir` as texts, and an issue for each file that could not be read as one. */
export async function readManifestDirectory(dir: string, display: (file: string) => string): Promise<ManifestDirectory> {
  const read = await readManifestFiles(dir, await listManifestFiles(dir));
  const inputs: ManifestText[] = [];
  const readIssues: ValidationIssue[] = [];
  const hash = createHash('sha256');
  for (const entry of read) {
    if ('text' in entry) {
      inputs.push({ file: display(entry.file), text: entry.text });
      hash.update(`${relative(dir, entry.file)}\0${entry.text}\0`);
    } else {
      readIssues.push(readIssue(display(entry.file), entry.problem));
      hash.update(`${relative(dir, entry.file)}\0\0${entry.problem}\0`);
    }
  }
  return { inputs, readIssues, fileCount: read.length, digest: hash.digest('hex') };
}

function kindOf(data: unknown): unknown {
  return (data as { kind?: unknown } | null)?.kind;
}

function nameOf(data: unknown): string | undefined {
  const name = (data as { metadata?: { name?: unknown } } | null)?.metadata?.name;
  return typeof name === 'string' ? name : undefined;
}

/** Relative to where the user stands when the file is below it; absolute otherwise. */
export function displayPath(base: string, file: string): string {
  const rel = relative(base, file);
  return rel === '' || rel.startsWith('..') ? file : rel;
}

export function formatIssue(issue: ValidationIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.column}`;
  return issue.path ? `${where} ${issue.path}: ${issue.message}` : `${where} ${issue.message}`;
}
