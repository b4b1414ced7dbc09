import { LineCounter, parseAllDocuments, isMap, isNode, isSeq, isScalar, type Document, type Node, type Scalar, type YAMLError } from 'yaml';
import { errorMessage } from '../../contract/errors.js';
import { parsePlainYaml } from './plain.js';
import { scanLimits } from './scan.js';
import { pathKey, walkDocument, type PathSegment, type Place } from './tree.js';
import type { SourcePosition, ValidationIssue } from './types.js';

export type { PathSegment } from './tree.js';

/** One YAML document of a file, with what is needed to point at any of its fields. */
export interface ParsedDocument {
  file: string;
  index: number;
  lineCounter: LineCounter;
  /** Where every field is, from one walk of the document (see tree.ts). */
  places: Map<string, Place>;
  data: unknown;
}

export interface ParsedFile {
  documents: ParsedDocument[];
  issues: ValidationIssue[];
}

/** YAML errors reported per document; past this, one line says how many more there were. */
const MAX_YAML_ERRORS = 20;

/**
 * Layer 1: YAML syntax. Every document of the file, errors with positions, never throws.
 * A file written in plain block YAML, without a problem, is read by plain.ts in one pass (ten
 * times faster); any other goes through the yaml library, whose errors say where and why.
 */
export function parseManifestFile(file: string, text: string): ParsedFile {
  const plain = parsePlainYaml(text);
  if (plain) {
    const documents = plain.documents.map(({ data, places }, index) => ({ file, index, lineCounter: plain.lineCounter, places, data }));
    return { documents, issues: [] };
  }
  return parseWithPositions(file, text);
}

/**
 * The yaml library's path. Linear in the size of the file: the bounds in limits.ts are checked by
 * a lexical scan before anything is built, duplicate keys by one walk (the library's own check is quadratic).
 */
export function parseWithPositions(file: string, text: string): ParsedFile {
  const lineCounter = new LineCounter();
  const documents: ParsedDocument[] = [];
  const issues: ValidationIssue[] = [];
  const exceeded = scanLimits(text);
  if (exceeded) {
    return { documents, issues: [{ file, ...positionIn(text, exceeded.offset), layer: 'yaml', path: '', message: exceeded.message }] };
  }
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  } catch (cause) {
    // The scan bounds nesting, so this is a safety net (a stack overflow), never the rule.
    return { documents, issues: [{ file, line: 1, column: 1, layer: 'yaml', path: '', message: `invalid YAML: ${firstLine(errorMessage(cause))}` }] };
  }
  const at = (offset: number) => lineCounter.linePos(offset);
  (Array.isArray(docs) ? docs : []).forEach((doc, index) => {
    for (const error of doc.errors.slice(0, MAX_YAML_ERRORS)) {
      const { offset, path, message } = describeYamlError(doc, error);
      const { line, col } = at(offset);
      issues.push({ file, line, column: col, layer: 'yaml', path: formatPath(path), message: `invalid YAML: ${message}` });
    }
    if (doc.errors.length > MAX_YAML_ERRORS) {
      const { line, col } = at(doc.errors[MAX_YAML_ERRORS].pos[0]);
      issues.push({ file, line, column: col, layer: 'yaml', path: '', message: `invalid YAML: ${doc.errors.length - MAX_YAML_ERRORS} more error(s) in this document` });
    }
    if (doc.errors.length > 0) return;
    // An empty document (nothing, or only comments, after `---`, as a trailing `---` leaves) is not a manifest.
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null && doc.contents.source === '')) return;
    const tagOffsets = doc.warnings.filter((w) => w.code === 'TAG_RESOLVE_FAILED').map((w) => w.pos[0]);
    const tree = walkDocument(doc, tagOffsets);
    for (const problem of tree.problems) {
      const { line, col } = at(problem.offset);
      const message = problem.layer === 'yaml' && !problem.message.startsWith('manifest too large') ? `invalid YAML: ${problem.message}` : problem.message;
      issues.push({ file, line, column: col, layer: problem.layer, path: formatPath(problem.path), message });
    }
    if (tree.exceeded || tree.problems.some((p) => p.layer === 'yaml')) return;
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (cause) {
      const { line, col } = at(doc.contents.range?.[0] ?? 0);
      issues.push({ file, line, column: col, layer: 'yaml', path: '', message: `invalid YAML: ${firstLine(errorMessage(cause))}` });
      return;
    }
    documents.push({ file, index, lineCounter, places: tree.places, data });
  });
  return { documents, issues };
}

/** Line and column of an offset in a text that was never parsed (a limit stopped it first). */
function positionIn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

/**
 * Where a YAML error is and what it means. yaml reports an unclosed quote at the end of the
 * file; point at the opening quote instead.
 */
function describeYamlError(doc: Document.Parsed, error: YAMLError): { offset: number; path: PathSegment[]; message: string } {
  const offset = error.pos[0];
  if (error.code === 'MISSING_CHAR' && /quote/.test(error.message)) {
    const found = findNode(doc.contents, (node) => isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') && node.range?.[1] === offset);
    if (found && isScalar(found.node) && found.node.range) {
      const quote = found.node.type === 'QUOTE_DOUBLE' ? '"' : "'";
      return { offset: found.node.range[0], path: found.path, message: `the string opened by ${quote} here is never closed (missing closing ${quote})` };
    }
  }
  return { offset, path: [], message: firstLine(error.message) };
}

/** The first node `test` accepts, with its field path. Depth-limited: never throws. */
function findNode(node: unknown, test: (node: Node) => boolean, path: PathSegment[] = [], depth = 0): { node: Node; path: PathSegment[] } | undefined {
  if (depth > 100) return undefined;
  if (isMap(node)) {
    for (const pair of node.items) {
      const keyPath = isScalar(pair.key) ? [...path, String(pair.key.value)] : path;
      const found = findNode(pair.value, test, keyPath, depth + 1);
      if (found) return found;
    }
  } else if (isSeq(node)) {
    for (const [index, item] of node.items.entries()) {
      const found = findNode(item, test, [...path, index], depth + 1);
      if (found) return found;
    }
  } else if (isNode(node) && test(node)) {
    return { node, path };
  }
  return undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * Where a field is in the source: the value node when it exists, else the key,
 * else the deepest ancestor that exists. `preferKey` points at the key (for unknown fields).
 * A lookup per prefix of the path in the document's index: never a scan of a mapping.
 */
export function locate(parsed: ParsedDocument, path: PathSegment[], preferKey = false): SourcePosition {
  let offset = 0;
  for (let length = path.length; length >= 0; length--) {
    const place = parsed.places.get(pathKey(path.slice(0, length)));
    if (!place) continue;
    const found = preferKey && length === path.length ? place.key ?? place.value : place.value ?? place.key;
    if (found === undefined) continue;
    offset = found;
    break;
  }
  const { line, col } = parsed.lineCounter.linePos(offset);
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
