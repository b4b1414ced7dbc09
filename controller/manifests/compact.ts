import { StringPool } from './string-pool.js';
import { SubtreePool } from './subtree-pool.js';
import type { SourcePosition, ValidationIssue } from './types.js';
import type { Declared, FileValidation } from './validate.js';

const NO_ISSUES: readonly ValidationIssue[] = Object.freeze([]);

/**
 * The validations the thread sends back, made as small as the controller can hold them between
 * revisions (it holds every file's, as many as there are tenants). Structured clone copies every
 * string and object: a tenant's name came back three times (its declaration, the loaded tenant, its
 * metadata), its file's path twice besides the caller's own, and every tenant of a tier with its own
 * copy of the tier's agents. Here a name is its metadata's instance, a path the caller's, repeated
 * strings and subtrees are shared across tenants (StringPool, SubtreePool), and everything held is
 * frozen: a shared manifest subtree must never change under another tenant.
 */
export class ValidationCompactor {
  private readonly strings = new StringPool();
  private readonly subtrees = new SubtreePool();

  /** The validations of `files` (in the same order), compact and frozen. */
  compact(files: readonly string[], validations: readonly FileValidation[]): FileValidation[] {
    const manifests = validations.flatMap((validation) => validation.declared.flatMap((d) => (d.valid ? [d.valid.manifest] : [])));
    this.strings.share(manifests);
    this.subtrees.share(manifests);
    return validations.map((validation, i) => compactFile(files[i], validation));
  }
}

function compactFile(file: string, validation: FileValidation): FileValidation {
  return Object.freeze({
    issues: validation.issues.length === 0 ? NO_ISSUES : validation.issues,
    declared: Object.freeze(validation.declared.map((declared) => compactDeclared(file, declared))),
  });
}

/**
 * A declaration held: every object built here as a literal, never spread from the clone (V8 gives a
 * spread copy a map of its own, and freezing it another, a few hundred bytes a tenant).
 */
function compactDeclared(file: string, declared: Declared): Declared {
  const at = position(file, declared.at);
  if (declared.kind === 'Tenant') {
    if (!declared.valid) return Object.freeze({ kind: 'Tenant', name: declared.name, at });
    const { manifest, source } = declared.valid;
    const valid = Object.freeze({ name: manifest.metadata.name, manifest, source: position(file, source) });
    return Object.freeze({ kind: 'Tenant', name: valid.name, at, valid });
  }
  if (!declared.valid) return Object.freeze({ kind: 'NotificationChannel', name: declared.name, at });
  const { manifest, source } = declared.valid;
  const valid = Object.freeze({ name: manifest.metadata.name, manifest, source: position(file, source) });
  return Object.freeze({ kind: 'NotificationChannel', name: valid.name, at, valid });
}

function position(file: string, at: SourcePosition): SourcePosition {
  return Object.freeze({ file, line: at.line, column: at.column });
}
