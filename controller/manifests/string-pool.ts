import { isRecord } from '../../contract/json.js';

/** Strings kept at most: the repeated values of a fleet's manifests are a few hundred (tiers, schedules, zones, enums). */
const DEFAULT_LIMIT = 10_000;

/**
 * The repeated strings of validated manifests, held once. Manifests come back from the validation
 * thread as JSON text, parsed into new strings: 100,000 tenants held 100,000 copies each of
 * `openclaw.io/v1alpha1`, `Tenant`, `Forbid`, their tier, zone and schedule (about 0.3 KB a tenant). A
 * value that occurs twice in one batch is kept, and every occurrence of a kept value, in that batch or a
 * later one, is replaced by the kept instance: the documents are equal before and after, only smaller.
 * A value seen once (a name, an address) is never kept, so the pool does not grow with the fleet.
 */
export class StringPool {
  private readonly kept = new Map<string, string>();

  constructor(private readonly limit = DEFAULT_LIMIT) {}

  /** How many distinct values are kept. */
  get size(): number {
    return this.kept.size;
  }

  /** Replaces, in place, the string values in `documents` (plain objects and arrays, as parsed) by the kept instances. */
  share(documents: readonly unknown[]): void {
    const seen = new Map<string, number>();
    const count = (text: string) => {
      seen.set(text, (seen.get(text) ?? 0) + 1);
      return text;
    };
    for (const document of documents) replaceStrings(document, count);
    for (const [text, count] of seen) if (count > 1 && this.kept.size < this.limit && !this.kept.has(text)) this.kept.set(text, text);
    for (const document of documents) replaceStrings(document, (text) => this.kept.get(text) ?? text);
  }
}

/** Walks plain objects and arrays, setting each string value to `replace(value)`. */
function replaceStrings(value: unknown, replace: (text: string) => string): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'string') value[i] = replace(item);
      else replaceStrings(item, replace);
    }
  } else if (isRecord(value)) {
    for (const key of Object.keys(value)) {
      const item = value[key];
      if (typeof item === 'string') value[key] = replace(item);
      else replaceStrings(item, replace);
    }
  }
}
