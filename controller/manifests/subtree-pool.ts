/** Subtrees kept at most: a fleet's repeated subtrees are a few per tier (agents, integrations, storage, tags). */
const DEFAULT_LIMIT = 10_000;

/** A plain object or array as parsed: what is shared. */
type Tree = Record<string, unknown> | unknown[];

/** A shared subtree: its instance, what parents' keys name it by, and how often one call of share met it. */
interface Found {
  tree: Tree;
  id: number;
  count: number;
}

/**
 * Equal subtrees of validated manifests, held once (hash-consing). Tenants of one tier carry the
 * same agents, integrations, storage and tags: 100,000 tenants held 100,000 equal copies of each.
 * Every plain object and array below a document is keyed by its own entries, its children named by
 * the id of their shared instance (so a key is as long as one level, never a whole subtree), and is
 * replaced by the first equal instance met: in the same call, or kept from an earlier one. Keys keep
 * the order of entries, so a document serialises exactly as before. A subtree met twice in one call
 * is kept for later calls (one met once, a tenant's own contact, is not, so the pool does not grow
 * with the fleet). Shared instances must never change: each document is deeply frozen afterwards.
 */
export class SubtreePool {
  private readonly kept = new Map<string, Found>();
  private nextId = 0;

  constructor(private readonly limit = DEFAULT_LIMIT) {}

  /** How many distinct subtrees are kept. */
  get size(): number {
    return this.kept.size;
  }

  /** Replaces, in place, every subtree below each document by its shared instance, then freezes each document deeply. */
  share(documents: readonly unknown[]): void {
    const batch = new Map<string, Found>();
    for (const document of documents) if (isTree(document)) this.keyOf(document, batch);
    for (const [key, found] of batch) {
      if (found.count < 2 || this.kept.size >= this.limit) continue;
      this.kept.set(key, found);
    }
    for (const document of documents) deepFreeze(document);
  }

  /** The shared instance equal to `tree`: a kept one, the first met in this batch, or `tree` itself. */
  private canonical(tree: Tree, batch: Map<string, Found>): Found {
    const key = this.keyOf(tree, batch);
    const kept = this.kept.get(key);
    if (kept) return kept;
    const found = batch.get(key);
    if (found) {
      found.count++;
      return found;
    }
    const first = { tree, id: this.nextId++, count: 1 };
    batch.set(key, first);
    return first;
  }

  /**
   * Replaces the children of `tree` by their shared instances (unless it is frozen), and answers its
   * key: its entries in order, each key and string prefixed by its length and every other token ended
   * by `;`, so that no two different entries read the same.
   */
  private keyOf(tree: Tree, batch: Map<string, Found>): string {
    const writable = !Object.isFrozen(tree);
    if (Array.isArray(tree)) {
      let key = '[';
      for (let i = 0; i < tree.length; i++) {
        const item: unknown = tree[i];
        if (!isTree(item)) {
          key += this.token(item);
          continue;
        }
        const shared = this.canonical(item, batch);
        if (writable && shared.tree !== item) tree[i] = shared.tree;
        key += `#${shared.id};`;
      }
      return key;
    }
    let key = '{';
    for (const name of Object.keys(tree)) {
      const item = tree[name];
      key += `${name.length}:${name}`;
      if (!isTree(item)) {
        key += this.token(item);
        continue;
      }
      const shared = this.canonical(item, batch);
      // An own `__proto__` key is read as data, but assigning it would set the prototype: it keeps its own instance.
      if (writable && shared.tree !== item && name !== '__proto__') tree[name] = shared.tree;
      key += `#${shared.id};`;
    }
    return key;
  }

  /** A scalar as its parent's key names it: a string by its length and text, any other by its text. */
  private token(value: unknown): string {
    if (typeof value === 'string') return `s${value.length}:${value}`;
    if (typeof value === 'number') return Object.is(value, -0) ? 'n-0;' : `n${value};`;
    if (typeof value === 'boolean' || value === null || value === undefined) return `${value};`;
    // Anything else (not met in parsed manifests) is equal to nothing: its parent is never shared.
    return `!${this.nextId++};`;
  }
}

/** A plain object or an array: what parsing builds (any other object is left as it is). */
function isTree(value: unknown): value is Tree {
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Freezes `value` and everything below it, children first (so that a frozen object is frozen throughout). */
export function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  for (const child of Object.values(value)) deepFreeze(child);
  Object.freeze(value);
}
