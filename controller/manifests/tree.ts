import { isAlias, isMap, isNode, isScalar, isSeq, type Document, type Node } from 'yaml';
import { limitMessage, MANIFEST_LIMITS } from './limits.js';
import { MAX_KEY_LENGTH, STORABLE_TEXT_RULE, unstorableText } from './text.js';

/** A path segment: a map key or a sequence index. */
export type PathSegment = string | number;

/** Where a field's key and value start (offsets into the file). */
export interface Place {
  key?: number;
  value?: number;
}

export interface TreeProblem {
  offset: number;
  path: PathSegment[];
  message: string;
  /** `yaml` for what YAML itself rejects (tags, duplicate keys, limits); `schema` for unstorable text. */
  layer: 'yaml' | 'schema';
}

export interface DocumentTree {
  /** pathKey(path) → where it is: every field, built in the same walk. */
  places: Map<string, Place>;
  problems: TreeProblem[];
  /** A limit was exceeded: the document is not converted or checked further. */
  exceeded: boolean;
}

/** The tags of the YAML core schema; anything else (`!Ref`, `!!binary`) would silently become a string. */
const CORE_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

export function pathKey(path: readonly PathSegment[]): string {
  return path.join('\u0000');
}

/**
 * One iterative walk over a parsed document, linear in its size: the position of every field,
 * duplicate keys (a Set per mapping, not the yaml library's quadratic scan), unknown tags,
 * text no later layer can store, and the depth and key-count bounds.
 */
export function walkDocument(doc: Document.Parsed, tagOffsets: readonly number[]): DocumentTree {
  const places = new Map<string, Place>();
  const problems: TreeProblem[] = [];
  let keys = 0;
  let tagIndex = 0;
  const root = doc.contents;
  if (root?.range) places.set('', { value: root.range[0] });
  const stack: { node: unknown; path: PathSegment[]; depth: number }[] = [{ node: root, path: [], depth: 0 }];
  while (stack.length > 0) {
    const { node, path, depth } = stack.pop()!;
    if (!isNode(node) || isAlias(node)) continue;
    const start = node.range?.[0] ?? 0;
    if (node.tag !== undefined && !CORE_TAGS.has(node.tag)) {
      // The tag precedes its node: the last unresolved-tag warning at or before the node is this one.
      while (tagIndex + 1 < tagOffsets.length && tagOffsets[tagIndex + 1] <= start) tagIndex++;
      const offset = tagOffsets[tagIndex] !== undefined && tagOffsets[tagIndex] <= start ? tagOffsets[tagIndex] : start;
      problems.push({ offset, path, layer: 'yaml', message: `unknown tag ${node.tag} (allowed: no tag, or a core tag such as !!str, !!int, !!bool)` });
    }
    if (isScalar(node)) {
      if (typeof node.value === 'string') {
        const problem = unstorableText(node.value, isAnnotation(path));
        if (problem) problems.push({ offset: start, path, layer: 'schema', message: `${problem} (${STORABLE_TEXT_RULE})` });
      }
      continue;
    }
    if (depth >= MANIFEST_LIMITS.depth) {
      problems.push({ offset: start, path, layer: 'yaml', message: limitMessage('depth') });
      return { places, problems, exceeded: true };
    }
    const children: { node: unknown; path: PathSegment[]; depth: number }[] = [];
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (++keys > MANIFEST_LIMITS.keysPerDocument) {
          problems.push({ offset: isNode(pair.key) ? pair.key.range?.[0] ?? start : start, path, layer: 'yaml', message: limitMessage('keysPerDocument') });
          return { places, problems, exceeded: true };
        }
        if (!isScalar(pair.key)) {
          children.push({ node: pair.key, path, depth: depth + 1 }, { node: pair.value, path, depth: depth + 1 });
          continue;
        }
        const key = String(pair.key.value);
        const childPath = [...path, key];
        const keyAt = pair.key.range?.[0] ?? start;
        places.set(pathKey(childPath), { key: keyAt, value: isNode(pair.value) ? pair.value.range?.[0] : undefined });
        if (seen.has(key)) problems.push({ offset: keyAt, path: childPath, layer: 'yaml', message: `duplicate key ${JSON.stringify(key)} (allowed: each key once in a mapping)` });
        seen.add(key);
        const keyProblem = typeof pair.key.value === 'string' ? unstorableText(pair.key.value) : undefined;
        if (keyProblem) problems.push({ offset: keyAt, path: childPath, layer: 'schema', message: `${keyProblem} (${STORABLE_TEXT_RULE})` });
        else if (key.length > MAX_KEY_LENGTH) problems.push({ offset: keyAt, path: childPath, layer: 'schema', message: `key is ${key.length} characters long (allowed: at most ${MAX_KEY_LENGTH}, a Kubernetes label or annotation key)` });
        if (isNode(pair.key) && pair.key.tag !== undefined && !CORE_TAGS.has(pair.key.tag)) children.push({ node: pair.key, path: childPath, depth: depth + 1 });
        children.push({ node: pair.value, path: childPath, depth: depth + 1 });
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        const childPath = [...path, index];
        if (isNode(item) && item.range) places.set(pathKey(childPath), { value: item.range[0] });
        children.push({ node: item, path: childPath, depth: depth + 1 });
      });
    }
    // Reversed onto the stack so that problems come out in document order.
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return { places, problems, exceeded: false };
}

function isAnnotation(path: readonly PathSegment[]): boolean {
  return path.length === 3 && path[0] === 'metadata' && path[1] === 'annotations';
}

