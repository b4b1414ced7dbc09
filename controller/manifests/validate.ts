import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { listManifestFiles } from './files.js';
import { locate, parseManifestFile } from './parse.js';
import { validateAgainstCrd } from './schema.js';
import { checkSemantics } from './semantic.js';
import type { LoadedTenant, SourcePosition, TenantManifest, ValidationIssue, ValidationResult } from './types.js';

export interface ManifestText {
  /** Path shown in errors, relative to where the user stands. */
  file: string;
  text: string;
}

/**
 * All three layers over a set of files, every error in one run. Tenants are returned
 * only when there is no issue at all: a partly valid revision is never applied.
 */
export function validateManifests(inputs: ManifestText[]): ValidationResult {
  const issues: ValidationIssue[] = [];
  const tenants: LoadedTenant[] = [];
  const firstSeen = new Map<string, SourcePosition>();
  for (const { file, text } of inputs) {
    const parsed = parseManifestFile(file, text);
    issues.push(...parsed.issues);
    for (const doc of parsed.documents) {
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
  return { tenants: issues.length === 0 ? tenants.sort((a, b) => a.name.localeCompare(b.name)) : [], issues, files: inputs.map((i) => i.file) };
}

/** Read and validate every manifest below `dir`. Throws only when the directory itself cannot be read. */
export async function validateDirectory(dir: string, options: { relativeTo?: string } = {}): Promise<ValidationResult> {
  const files = await listManifestFiles(dir);
  const base = options.relativeTo ?? process.cwd();
  const inputs = await Promise.all(
    files.map(async (file) => ({ file: displayPath(base, file), text: await readFile(file, 'utf8') })),
  );
  return validateManifests(inputs);
}

function nameOf(data: unknown): string | undefined {
  const name = (data as { metadata?: { name?: unknown } } | null)?.metadata?.name;
  return typeof name === 'string' ? name : undefined;
}

/** Relative to where the user stands when the file is below it; absolute otherwise. */
function displayPath(base: string, file: string): string {
  const rel = relative(base, file);
  return rel === '' || rel.startsWith('..') ? file : rel;
}

export function formatIssue(issue: ValidationIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.column}`;
  return issue.path ? `${where} ${issue.path}: ${issue.message}` : `${where} ${issue.message}`;
}
