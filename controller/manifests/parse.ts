import { LineCounter, parseAllDocuments, isMap, isSeq, isPair, isScalar, type Document, type Node } from 'yaml';
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
      const { line, col } = lineCounter.linePos(error.pos[0]);
      issues.push({ file, line, column: col, layer: 'yaml', path: '', message: `invalid YAML: ${firstLine(error.message)}` });
    }
    if (doc.errors.length > 0) return;
    if (doc.contents === null) return; // an empty document between separators is not a manifest
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
