import { LineCounter } from 'yaml';
import { MANIFEST_LIMITS } from './limits.js';
import { MAX_KEY_LENGTH } from './text.js';
import type { Place } from './tree.js';

/**
 * The plain block YAML that manifests are written in, parsed in one pass over the text with the
 * place of every field: block mappings and sequences, one-line plain and quoted scalars, one-line
 * flow sequences of simple items, comments, `---`. It accepts a file only when it is sure the yaml
 * library would read it without an issue and to the same data and places; for anything else
 * (a tab, an anchor, a block scalar, a scalar over two lines, a duplicate key, a bound approached,
 * text no layer can store) it answers undefined and parse.ts takes the yaml library's path, whose
 * messages are the reference. test/unit/manifests/plain-yaml.property.test.ts holds it to that.
 */
export interface PlainDocument {
  data: unknown;
  places: Map<string, Place>;
}

export interface PlainFile {
  documents: PlainDocument[];
  lineCounter: LineCounter;
}

/** Tabs, carriage returns, control characters, a byte-order mark, unpaired surrogates: the yaml library's path. */
const NOT_PLAIN = /[\x00-\x09\x0b-\x1f\x7f-\x9f\ufeff]|\p{Cs}/u;
/** Characters a plain scalar may not start with (YAML's indicators). */
const INDICATORS = new Set('-?:,[]{}#&*!|>\'"%@`');
/** What a one-line flow sequence item may hold, unquoted. */
const FLOW_ITEM = /^[A-Za-z0-9_./+=][A-Za-z0-9_./+=-]*$/;
/** Half of each bound in limits.ts: far from them the yaml library's path would report nothing. */
const BOUND = { documents: MANIFEST_LIMITS.documentsPerFile / 2, values: MANIFEST_LIMITS.valuesPerFile / 2, keys: MANIFEST_LIMITS.keysPerDocument / 2, depth: MANIFEST_LIMITS.depth / 2, indentation: MANIFEST_LIMITS.indentation / 2 };

class NotPlain extends Error {}
const notPlain = (): never => {
  throw new NotPlain();
};

interface Container {
  kind: 'map' | 'seq';
  indent: number;
  value: Record<string, unknown> | unknown[];
  /** pathKey of the container, '' for the root. */
  key: string;
  root: boolean;
  /** A sequence written at its key's indentation (`key:\n- item`): a line at that indentation without `-` ends it. */
  atKeyIndent: boolean;
}

/** A key or `-` whose value starts on a later line (a nested block), or is null. */
interface Pending {
  parent: Container;
  name: string | number;
  indent: number;
  nullAt: number;
}

/** Block YAML's core schema (YAML 1.2, as the yaml library resolves it) for a plain scalar. */
export function resolvePlain(source: string): unknown {
  if (/^(?:~|[Nn]ull|NULL)?$/.test(source)) return null;
  if (/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(source)) return source[0] === 't' || source[0] === 'T';
  if (/^0o[0-7]+$/.test(source)) return parseInt(source.substring(2), 8);
  if (/^[-+]?[0-9]+$/.test(source)) return parseInt(source, 10);
  if (/^0x[0-9a-fA-F]+$/.test(source)) return parseInt(source.substring(2), 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(source)) return source.slice(-3).toLowerCase() === 'nan' ? NaN : source[0] === '-' ? -Infinity : Infinity;
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(source) || /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(source)) return parseFloat(source);
  return source;
}

export function parsePlainYaml(text: string): PlainFile | undefined {
  if (text.length * 3 > MANIFEST_LIMITS.fileBytes || NOT_PLAIN.test(text)) return undefined;
  try {
    return parse(text);
  } catch (error) {
    if (error instanceof NotPlain) return undefined;
    throw error;
  }
}

function parse(text: string): PlainFile {
  const lineCounter = new LineCounter();
  const documents: PlainDocument[] = [];
  let stack: Container[] = [];
  let places = new Map<string, Place>();
  let data: unknown;
  let pending: Pending | undefined;
  let keys = 0;
  let values = 0;
  let docs = 0;

  const childKey = (parent: Container, name: string | number) => (parent.root && parent.key === '' ? String(name) : `${parent.key}\0${name}`);
  const count = () => ++values > BOUND.values && notPlain();
  const put = (parent: Container, name: string | number, value: unknown) => {
    if (Array.isArray(parent.value)) parent.value[Number(name)] = value;
    else parent.value[name] = value;
  };
  const open = (kind: 'map' | 'seq', indent: number, at: number, parent: Pending | undefined): Container => {
    count();
    if (stack.length >= BOUND.depth || indent > BOUND.indentation) notPlain();
    const value = kind === 'map' ? {} : [];
    const container: Container = { kind, indent, value, key: parent ? childKey(parent.parent, parent.name) : '', root: !parent, atKeyIndent: false };
    if (parent) {
      put(parent.parent, parent.name, value);
      place(container.key, at);
    } else {
      data = value;
      places.set('', { value: at });
    }
    stack.push(container);
    return container;
  };
  const place = (key: string, at: number) => {
    const known = places.get(key);
    if (known) known.value = at;
    else places.set(key, { value: at });
  };
  const endDocument = () => {
    if (pending) {
      put(pending.parent, pending.name, null);
      place(childKey(pending.parent, pending.name), pending.nullAt);
      pending = undefined;
    }
    if (stack.length > 0) documents.push({ data, places });
    stack = [];
    places = new Map();
    keys = 0;
  };

  /** A scalar or one-line flow sequence at `at`; `key` when a `:` indicator follows it. */
  const token = (at: number, end: number): { value: unknown; next: number; key: boolean; plain: boolean } => {
    const first = text[at];
    let value: unknown;
    let next: number;
    let plain = false;
    if (first === '"' || first === "'") {
      [value, next] = quoted(at, end);
    } else if (first === '[') {
      [value, next] = flow(at, end);
    } else if (first === '{') {
      if (text[at + 1] !== '}') notPlain();
      [value, next] = [{}, at + 2];
    } else {
      if (INDICATORS.has(first)) notPlain();
      let stop = at;
      for (; stop < end; stop++) {
        const c = text[stop];
        if (c === ':' && (stop + 1 === end || text[stop + 1] === ' ')) break;
        if (c === '#' && text[stop - 1] === ' ') break;
        if (c === '[' || c === ']' || c === '{' || c === '}') notPlain();
      }
      next = stop;
      while (text[next - 1] === ' ') next--;
      value = text.slice(at, next);
      plain = true;
      if (text[stop] === ':') {
        if (stop !== next) notPlain();
        return { value, next: stop + 1, key: true, plain };
      }
    }
    let after = next;
    while (after < end && text[after] === ' ') after++;
    if (!plain && after === next && text[after] === ':' && (after + 1 === end || text[after + 1] === ' ')) return { value, next: after + 1, key: true, plain };
    if (after < end && !(text[after] === '#' && after > next)) notPlain();
    count();
    return { value: plain ? resolvePlain(String(value)) : value, next: after, key: false, plain };
  };
  const quoted = (at: number, end: number): [string, number] => {
    const quote = text[at];
    let out = '';
    for (let from = at + 1; ; ) {
      const close = text.indexOf(quote, from);
      if (close === -1 || close >= end) notPlain();
      out += text.slice(from, close);
      if (quote === "'" && text[close + 1] === "'") {
        out += "'";
        from = close + 2;
        continue;
      }
      if (quote === '"' && out.includes('\\')) notPlain();
      return [out, close + 1];
    }
  };
  const flow = (at: number, end: number): [unknown[], number] => {
    const items: unknown[] = [];
    const key = pendingKey;
    count();
    if (stack.length + 1 >= BOUND.depth) notPlain();
    let i = at + 1;
    while (text[i] === ' ') i++;
    if (text[i] === ']') return [items, i + 1];
    for (;;) {
      const start = i;
      let item: unknown;
      if (text[i] === '"' || text[i] === "'") {
        [item, i] = quoted(i, end);
      } else {
        while (i < end && !' ,[]{}#:\'"'.includes(text[i])) i++;
        const source = text.slice(start, i);
        if (!FLOW_ITEM.test(source)) notPlain();
        item = resolvePlain(source);
      }
      count();
      places.set(`${key}\0${items.length}`, { value: start });
      items.push(item);
      while (text[i] === ' ') i++;
      if (text[i] === ']') return [items, i + 1];
      if (text[i] !== ',') notPlain();
      i++;
      while (text[i] === ' ') i++;
      if (i >= end || text[i] === ']') notPlain();
    }
  };
  /** pathKey of the value being parsed, for the places of a flow sequence's items. */
  let pendingKey = '';

  /** A `key: value` line (or the rest of `- key: value`) at `at` of mapping `map`. */
  const entry = (map: Container, at: number, end: number) => {
    const head = token(at, end);
    if (!head.key || typeof head.value !== 'string') notPlain();
    const name = String(head.value);
    if (head.plain && resolvePlain(name) !== name) notPlain();
    const object = map.value as Record<string, unknown>;
    if (Object.hasOwn(object, name) || name === '__proto__' || name === '<<' || name.length > MAX_KEY_LENGTH) notPlain();
    if (++keys > BOUND.keys) notPlain();
    count();
    const key = childKey(map, name);
    places.set(key, { key: at });
    let v = head.next;
    while (v < end && text[v] === ' ') v++;
    if (v === end || text[v] === '#') {
      object[name] = null;
      pending = { parent: map, name, indent: map.indent, nullAt: v };
      return;
    }
    if (text[v] === '-' && (v + 1 === end || text[v + 1] === ' ')) notPlain();
    pendingKey = key;
    const value = token(v, end);
    if (value.key) notPlain();
    object[name] = value.value;
    place(key, v);
  };

  let lineStart = 0;
  while (lineStart <= text.length) {
    lineCounter.addNewLine(lineStart);
    const newline = text.indexOf('\n', lineStart);
    const end = newline === -1 ? text.length : newline;
    let at = lineStart;
    while (at < end && text[at] === ' ') at++;
    const indent = at - lineStart;
    const nextLine = end + 1;
    if (at === end || text[at] === '#') {
      lineStart = nextLine;
      continue;
    }
    if (indent === 0 && text.startsWith('---', at) && (at + 3 === end || text[at + 3] === ' ')) {
      let rest = at + 3;
      while (rest < end && text[rest] === ' ') rest++;
      if (rest < end && text[rest] !== '#') notPlain();
      endDocument();
      if (++docs > BOUND.documents) notPlain();
      lineStart = nextLine;
      continue;
    }
    if (indent === 0 && (text.startsWith('...', at) || text[at] === '%')) notPlain();
    const dash = text[at] === '-' && (at + 1 === end || text[at + 1] === ' ');
    if (pending) {
      const nested = indent > pending.indent || (indent === pending.indent && dash && pending.parent.kind === 'map');
      if (nested) {
        const container = open(dash ? 'seq' : 'map', indent, at, pending);
        container.atKeyIndent = indent === pending.indent;
      } else {
        put(pending.parent, pending.name, null);
        place(childKey(pending.parent, pending.name), pending.nullAt);
      }
      pending = undefined;
    } else if (stack.length === 0) {
      if (indent !== 0) notPlain();
      if (docs === 0) docs = 1;
      open(dash ? 'seq' : 'map', indent, at, undefined);
    }
    while (stack.length > 0 && stack[stack.length - 1].indent > indent) stack.pop();
    let top = stack[stack.length - 1];
    if (top && top.atKeyIndent && top.indent === indent && !dash) {
      stack.pop();
      top = stack[stack.length - 1];
    }
    if (!top || top.indent !== indent || (top.kind === 'seq') !== dash) notPlain();
    if (top.kind === 'map') {
      entry(top, at, end);
    } else {
      const items = top.value as unknown[];
      const index = items.length;
      items.push(null);
      let content = at + 1;
      while (content < end && text[content] === ' ') content++;
      if (content === end || text[content] === '#') {
        pending = { parent: top, name: index, indent, nullAt: content };
      } else {
        if (text[content] === '-' && (content + 1 === end || text[content + 1] === ' ')) notPlain();
        const itemKey = childKey(top, index);
        pendingKey = itemKey;
        const probe = token(content, end);
        if (probe.key) {
          const map = open('map', content - lineStart, content, { parent: top, name: index, indent, nullAt: content });
          entry(map, content, end);
        } else {
          items[index] = probe.value;
          places.set(itemKey, { value: content });
        }
      }
    }
    lineStart = nextLine;
  }
  endDocument();
  return { documents, lineCounter };
}
