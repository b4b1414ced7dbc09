import { LineCounter, parseAllDocuments, isMap, isNode, isSeq, isPair, isScalar, type Document, type Node, type Scalar, type YAMLError } from 'yaml';
import type { SourcePosition, ValidationIssue } from './types.js';

/** One YAML document of a file, with what is needed to point at any of its fields. */
export interface ParsedDocument {
  file: string;
  index: number;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  data: unknown;
}

export interface ParsedFile {
  documents: ParsedDocument[];
  issues: ValidationIssue[];
}

/** Layer 1: YAML syntax. Every document of the file, errors with positions, never throws. */
export function parseManifestFile(file: string, text: string): ParsedFile {
  const lineCounter = new LineCounter();
  const documents: ParsedDocument[] = [];
  const issues: ValidationIssue[] = [];
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [];
  list.forEach((doc, index) => {
    for (const error of doc.errors) {
      const { offset, path, message } = describeYamlError(doc, error);
      const { line, col } = lineCounter.linePos(offset);
      issues.push({ file, line, column: col, layer: 'yaml', path: formatPath(path), message: `invalid YAML: ${message}` });
    }
    if (doc.errors.length > 0) return;
    // An empty document (nothing, or only comments, after `---`, as a trailing `---` leaves) is not a manifest.
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null && doc.contents.source === '')) return;
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (cause) {
      const { line, col } = lineCounter.linePos(doc.contents.range?.[0] ?? 0);
      issues.push({ file, line, column: col, layer: 'yaml', path: '', message: `invalid YAML: ${firstLine(String((cause as Error).message))}` });
      return;
    }
    documents.push({ file, index, doc, lineCounter, data });
  });
  return { documents, issues };
}

/**
 * Where a YAML error is and what it means. yaml reports a duplicate key by offset only and
 * an unclosed quote at the end of the file; point at the key or the opening quote instead.
 */
function describeYamlError(doc: Document.Parsed, error: YAMLError): { offset: number; path: PathSegment[]; message: string } {
  const offset = error.pos[0];
  if (error.code === 'DUPLICATE_KEY') {
    const found = findNode(doc.contents, (node) => isScalar(node) && node.range?.[0] === offset, true);
    if (found) return { offset, path: found.path, message: `duplicate key ${JSON.stringify(String(found.path[found.path.length - 1]))} (allowed: each key once in a mapping)` };
  }
  if (error.code === 'MISSING_CHAR' && /quote/.test(error.message)) {
    const found = findNode(doc.contents, (node) => isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') && node.range?.[1] === offset);
    if (found?.node.range) {
      const quote = (found.node as Scalar).type === 'QUOTE_DOUBLE' ? '"' : "'";
      return { offset: found.node.range[0], path: found.path, message: `the string opened by ${quote} here is never closed (missing closing ${quote})` };
    }
  }
  return { offset, path: [], message: firstLine(error.message) };
}

/** The first node `test` accepts (mapping keys only when `keys`), with its field path. Depth-limited: never throws. */
function findNode(node: unknown, test: (node: Node) => boolean, keys = false, path: PathSegment[] = [], depth = 0): { node: Node; path: PathSegment[] } | undefined {
  if (depth > 100) return undefined;
  if (isMap(node)) {
    for (const pair of node.items) {
      const keyPath = isScalar(pair.key) ? [...path, String(pair.key.value)] : path;
      if (keys && isNode(pair.key) && test(pair.key)) return { node: pair.key, path: keyPath };
      const found = findNode(pair.value, test, keys, keyPath, depth + 1);
      if (found) return found;
    }
  } else if (isSeq(node)) {
    for (const [index, item] of node.items.entries()) {
      const found = findNode(item, test, keys, [...path, index], depth + 1);
      if (found) return found;
    }
  } else if (!keys && isNode(node) && test(node)) {
    return { node, path };
  }
  return undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/** A path segment: a map key or a sequence index. */
export type PathSegment = string | number;

/**
 * Where a field is in the source: the value node when it exists, else the key,
 * else the deepest ancestor that exists. `preferKey` points at the key (for unknown fields).
 */
export function locate(parsed: ParsedDocument, path: PathSegment[], preferKey = false): SourcePosition {
  let node: Node | null | undefined = parsed.doc.contents as Node | null;
  let best: [number, number] | undefined = node?.range ? [node.range[0], node.range[1]] : undefined;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      const key = pair.key as Node;
      const value = pair.value as Node | null;
      if (preferKey && segment === path[path.length - 1] && key.range) {
        best = [key.range[0], key.range[1]];
        node = value;
        break;
      }
      node = value;
      if (value?.range) best = [value.range[0], value.range[1]];
      else if (key.range) best = [key.range[0], key.range[1]];
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) break;
      node = item;
      if (item.range) best = [item.range[0], item.range[1]];
    } else {
      break;
    }
  }
  const { line, col } = parsed.lineCounter.linePos(best?.[0] ?? 0);
  return { file: parsed.file, line, column: col };
}

/** `spec.agents[1].name` from ['spec','agents',1,'name']. */
export function formatPath(path: PathSegment[]): string {
  return path.reduce<string>((out, segment) => {
    if (typeof segment === 'number') return `${out}[${segment}]`;
    const safe = /^[A-Za-z_][\w-]*$/.test(segment) ? segment : JSON.stringify(segment);
    return out === '' ? safe : `${out}.${safe}`;
  }, '');
}
