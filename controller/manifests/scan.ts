import { CST, Lexer } from 'yaml';
import { limitMessage, MANIFEST_LIMITS, type ManifestLimit } from './limits.js';

/** The first bound a file exceeds, where it does, or undefined. */
export interface Exceeded {
  offset: number;
  limit: ManifestLimit;
  message: string;
}

/** Zero-width markers the yaml lexer emits between source tokens; '\x1f' is followed by a plain scalar's source. */
const DOCUMENT = '\x02';
const FLOW_ERROR_END = '\x18';
const SCALAR = '\x1f';

const VALUE_TOKENS = new Set(['single-quoted-scalar', 'double-quoted-scalar', 'block-scalar-header', 'alias', 'flow-map-start', 'flow-seq-start']);
const CONTENT_TOKENS = new Set([...VALUE_TOKENS, 'seq-item-ind', 'explicit-key-ind', 'map-value-ind', 'anchor', 'tag']);

/**
 * A lexical pass over the file, before any tree is built: bytes, documents, values, keys, flow
 * nesting, aliases and indentation, stopping at the first bound exceeded. The lexer is a streaming
 * generator: the pass is linear in the text and keeps no token, so a hostile file costs at most
 * its bounded prefix. Block nesting needs indentation (or `- ` indicators, which advance the
 * column too), so bounding the column bounds the depth the parser recurses to.
 */
export function scanLimits(text: string): Exceeded | undefined {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MANIFEST_LIMITS.fileBytes) return exceeded(0, 'fileBytes', bytes);
  let offset = 0;
  let lineStart = 0;
  let lineHasContent = false;
  let scalarSource = false;
  let inDocument = false;
  let documents = 0;
  let values = 0;
  let keys = 0;
  let aliases = 0;
  let flow = 0;
  /** Where the last value began: a key's bound is reported at the key, not at its ':'. */
  let valueAt = 0;
  for (const token of new Lexer().lex(text)) {
    const at = offset;
    if (scalarSource) {
      scalarSource = false;
      offset += token.length;
      const limit = content(at, 'scalar');
      if (limit) return limit;
      continue;
    }
    if (token === DOCUMENT || token === FLOW_ERROR_END) continue;
    if (token === SCALAR) {
      scalarSource = true;
      continue;
    }
    offset += token.length;
    const type = CST.tokenType(token);
    if (type === 'newline') {
      lineStart = offset;
      lineHasContent = false;
      continue;
    }
    if (type === 'doc-start') {
      if (++documents > MANIFEST_LIMITS.documentsPerFile) return exceeded(at, 'documentsPerFile');
      inDocument = true;
      keys = 0;
      continue;
    }
    if (type === 'doc-end') {
      inDocument = false;
      continue;
    }
    if (type === 'flow-map-end' || type === 'flow-seq-end') flow = Math.max(0, flow - 1);
    if (type && CONTENT_TOKENS.has(type)) {
      const limit = content(at, type);
      if (limit) return limit;
    }
    // A quoted or block scalar may span lines: the next column counts from its last line.
    const newline = token.lastIndexOf('\n');
    if (newline !== -1) lineStart = at + newline + 1;
  }
  return undefined;

  function content(at: number, type: string): Exceeded | undefined {
    if (!inDocument) {
      if (++documents > MANIFEST_LIMITS.documentsPerFile) return exceeded(at, 'documentsPerFile');
      inDocument = true;
      keys = 0;
    }
    if ((type === 'scalar' || VALUE_TOKENS.has(type)) && ++values > MANIFEST_LIMITS.valuesPerFile) return exceeded(at, 'valuesPerFile');
    if ((type === 'map-value-ind' || type === 'explicit-key-ind') && ++keys > MANIFEST_LIMITS.keysPerDocument) return exceeded(type === 'map-value-ind' ? valueAt : at, 'keysPerDocument');
    if (type === 'scalar' || VALUE_TOKENS.has(type)) valueAt = at;
    if (type === 'alias' && ++aliases > MANIFEST_LIMITS.aliasesPerFile) return exceeded(at, 'aliasesPerFile');
    if ((type === 'flow-map-start' || type === 'flow-seq-start') && ++flow > MANIFEST_LIMITS.depth) return exceeded(at, 'depth');
    const startsBlock = type === 'seq-item-ind' || type === 'explicit-key-ind' || !lineHasContent;
    lineHasContent = true;
    if (flow === 0 && startsBlock && at - lineStart > MANIFEST_LIMITS.indentation) return exceeded(at, 'indentation');
    return undefined;
  }
}

function exceeded(offset: number, limit: ManifestLimit, found?: number): Exceeded {
  return { offset, limit, message: limitMessage(limit, found) };
}
