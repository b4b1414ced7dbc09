import { setImmediate as nextTurn } from 'node:timers/promises';
import { StringPool } from './string-pool.js';
import { SubtreePool } from './subtree-pool.js';
import type { SourcePosition, ValidationIssue } from './types.js';
import type { Declared, FileValidation } from './validate.js';

const NO_ISSUES: readonly ValidationIssue[] = Object.freeze([]);
/** Files compacted between two turns of the event loop (about 20 ms). */
const FILES_PER_TURN = 500;

/** A file's validation as the controller holds it between revisions: with the path it was validated under and the digest of its content. */
export interface HeldValidation extends FileValidation {
  /** The caller's instance, which every position below holds too. */
  readonly file: string;
  readonly digest: string;
}

/**
 * The validations the thread sends back, made as small as the controller can hold them between
 * revisions (it holds every file's, as many as there are tenants). The thread's answer, parsed, copies every
 * string and object: a tenant's name came back three times (its declaration, the loaded tenant, its
 * metadata), its file's path twice besides the caller's own, and every tenant of a tier with its own
 * copy of the tier's agents. Here a name is its metadata's instance, a path the caller's, repeated
 * strings and subtrees are shared across tenants (StringPool, SubtreePool), and everything held is
 * frozen: a shared manifest subtree must never change under another tenant.
 */
export class ValidationCompactor {
  private readonly strings = new StringPool();
  private readonly subtrees = new SubtreePool();

  /**
   * The validations of `files` (in the same order), compact and frozen, each with its file's path and
   * digest. A few hundred files at a time, a turn of the event loop apart: sharing costs about 40 µs
   * a manifest, four seconds for a first revision of 100,000, which must not stall health checks and
   * the scheduler's lease. A value repeated within a slice is kept, so a tier's agents are met again in each.
   */
  async compact(files: readonly { file: string; digest: string }[], validations: readonly FileValidation[]): Promise<HeldValidation[]> {
    const held: HeldValidation[] = [];
    for (let start = 0; start < validations.length; start += FILES_PER_TURN) {
      if (start > 0) await nextTurn();
      const slice = validations.slice(start, start + FILES_PER_TURN);
      const manifests = slice.flatMap((validation) => validation.declared.flatMap((d) => (d.valid ? [d.valid.manifest] : [])));
      this.strings.share(manifests);
      this.subtrees.share(manifests);
      for (const [i, validation] of slice.entries()) held.push(heldValidation(files[start + i], validation));
    }
    return held;
  }
}

function heldValidation({ file, digest }: { file: string; digest: string }, validation: FileValidation): HeldValidation {
  return Object.freeze({
    file,
    digest,
    issues: validation.issues.length === 0 ? NO_ISSUES : validation.issues,
    declared: Object.freeze(validation.declared.map((declared) => compactDeclared(file, declared))),
  });
}

/**
 * A declaration held: every object built here as a literal, never spread from the clone (V8 gives a
 * spread copy a map of its own, and freezing it another, a few hundred bytes a tenant).
 */
function compactDeclared(file: string, declared: Declared): Declared {
  const { line, column } = declared;
  if (declared.kind === 'Tenant') {
    if (!declared.valid) return Object.freeze({ kind: 'Tenant', name: declared.name, line, column });
    const { manifest, source } = declared.valid;
    const valid = Object.freeze({ name: manifest.metadata.name, manifest, source: position(file, source) });
    return Object.freeze({ kind: 'Tenant', name: valid.name, line, column, valid });
  }
  if (!declared.valid) return Object.freeze({ kind: 'NotificationChannel', name: declared.name, line, column });
  const { manifest, source } = declared.valid;
  const valid = Object.freeze({ name: manifest.metadata.name, manifest, source: position(file, source) });
  return Object.freeze({ kind: 'NotificationChannel', name: valid.name, line, column, valid });
}

function position(file: string, at: SourcePosition): SourcePosition {
  return Object.freeze({ file, line: at.line, column: at.column });
}
