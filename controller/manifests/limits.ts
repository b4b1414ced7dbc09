/**
 * Bounds on one manifest file, checked before and while it is parsed, so that no input can make
 * validation take more than linear time or more than a bounded amount of memory. A tenant manifest
 * is about 1 KB, 40 values and 5 levels deep: every bound leaves two orders of magnitude of room.
 */
export const MANIFEST_LIMITS = {
  /** Bytes of one file (UTF-8). */
  fileBytes: 256 * 1024,
  /** YAML documents in one file. */
  documentsPerFile: 1_000,
  /** Values (scalars, aliases, collections) in one file. */
  valuesPerFile: 50_000,
  /** Mapping keys in one document. */
  keysPerDocument: 1_000,
  /** Levels of nesting of collections. */
  depth: 32,
  /** Aliases (`*name`) in one file. */
  aliasesPerFile: 100,
  /** Column at which a block collection or key may start: bounds block nesting before the parser recurses. */
  indentation: 128,
} as const;

export type ManifestLimit = keyof typeof MANIFEST_LIMITS;

const WHAT: Record<ManifestLimit, string> = {
  fileBytes: 'bytes in a file',
  documentsPerFile: 'documents in a file',
  valuesPerFile: 'values in a file',
  keysPerDocument: 'keys in a document',
  depth: 'levels of nesting',
  aliasesPerFile: 'aliases in a file',
  indentation: 'columns of indentation',
};

/** "has more than 1000 keys in a document (allowed: at most 1000 …)": one wording for every bound. */
export function limitMessage(limit: ManifestLimit, found?: number): string {
  const max = MANIFEST_LIMITS[limit];
  const count = found === undefined ? `more than ${max}` : String(found);
  return `manifest too large: ${count} ${WHAT[limit]} (allowed: at most ${max} ${WHAT[limit]}; a tenant manifest needs far fewer)`;
}
