/** Subtrees kept at most: a fleet's repeated subtrees are a few per tier (agents, integrations, storage, tags). */
const DEFAULT_LIMIT = 10_000;

/** A plain object or array as parsed: what is shared. */
type Tree = Record<string, unknown> | unknown[];

/** A subtree met in one call of share: its first instance, what parents name it by, and how often it was met. */
interface Found {
  tree: Tree;
  id: number;
  count: number;
}

interface Batch {
  found: Map<string, Found>;
  ids: Map<Tree, number>;
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
  private readonly kept = new Map<string, Tree>();
  /** What a parent's key names each kept subtree by. */
  private readonly keptIds = new Map<Tree, number>();
  private nextId = 0;

  constructor(private readonly limit = DEFAULT_LIMIT) {}

  /** How many distinct subtrees are kept. */
  get size(): number {
    return this.kept.size;
  }

  /** Replaces, in place, every subtree below each document by its shared instance, then freezes each document deeply. */
  share(documents: readonly unknown[]): void {
    const batch: Batch = { found: new Map(), ids: new Map() };
    for (const document of documents) if (isTree(document)) this.keyOf(document, batch);
    for (const [key, found] of batch.found) {
      if (found.count < 2 || this.kept.size >= this.limit) continue;
      this.kept.set(key, found.tree);
      this.keptIds.set(found.tree, found.id);
    }
    for (const document of documents) deepFreeze(document);
  }

  /** The instance that stands for `tree`: a kept one, the first met in this batch, or `tree` itself. */
  private canonical(tree: Tree, batch: Batch): Tree {
    if (this.keptIds.has(tree) || batch.ids.has(tree)) return tree;
    const key = this.keyOf(tree, batch);
    const kept = this.kept.get(key);
    if (kept) return kept;
    const found = batch.found.get(key);
    if (found) {
      found.count++;
      return found.tree;
    }
    const id = this.nextId++;
    batch.found.set(key, { tree, id, count: 1 });
    batch.ids.set(tree, id);
    return tree;
  }

  /** Replaces the children of `tree` by their shared instances (unless it is frozen), and answers its key. */
  private keyOf(tree: Tree, batch: Batch): string {
    const writable = !Object.isFrozen(tree);
    const share = (value: unknown): unknown => (isTree(value) ? this.canonical(value, batch) : value);
    if (Array.isArray(tree)) {
      const tokens: string[] = [];
      for (let i = 0; i < tree.length; i++) {
        const item = share(tree[i]);
        if (writable && item !== tree[i]) tree[i] = item;
        tokens.push(this.token(item, batch));
      }
      return `[${tokens.join(',')}]`;
    }
    const entries: string[] = [];
    for (const key of Object.keys(tree)) {
      const item = share(tree[key]);
      // An own `__proto__` key is read as data, but assigning it would set the prototype: it keeps its own instance.
      if (writable && item !== tree[key] && key !== '__proto__') tree[key] = item;
      entries.push(`${JSON.stringify(key)}:${this.token(item, batch)}`);
    }
    return `{${entries.join(',')}}`;
  }

  /** A value as its parent's key names it: a subtree by its id, a string as JSON, any other scalar by its text. */
  private token(value: unknown, batch: Batch): string {
    if (isTree(value)) return `#${this.keptIds.get(value) ?? batch.ids.get(value)}`;
    if (typeof value === 'string') return JSON.stringify(value);
    if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
    if (typeof value === 'boolean' || value === null || value === undefined) return String(value);
    // Anything else (not met in parsed manifests) is equal to nothing: its parent is never shared.
    return `!${this.nextId++}`;
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
