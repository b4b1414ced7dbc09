import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { isRecord } from '../../contract/json.js';
import addFormatsModule from 'ajv-formats';
import { CHANNEL_CRD_PATH, loadTenantCrd, manifestJsonSchema } from './crd.js';
import { formatPath, locate, type ParsedDocument, type PathSegment } from './parse.js';
import type { ValidationIssue } from './types.js';

// ajv-formats ships CommonJS: its module object is the plugin, which it also exports as `default`.
const addFormats = addFormatsModule.default;

/** The kinds a manifest in the source may be, each validated by its own CRD. */
export type ManifestKind = 'Tenant' | 'NotificationChannel';

const compiled = new Map<ManifestKind, ValidateFunction>();

function validator(kind: ManifestKind): ValidateFunction {
  const known = compiled.get(kind);
  if (known) return known;
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, verbose: true });
  ajv.addVocabulary(['x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-preserve-unknown-fields']);
  addFormats(ajv);
  const validate = ajv.compile(kind === 'Tenant' ? manifestJsonSchema() : manifestJsonSchema(loadTenantCrd(CHANNEL_CRD_PATH)));
  compiled.set(kind, validate);
  return validate;
}

/** Layer 2: the CRD's schema. Applies the CRD's defaults to `parsed.data` in place. */
export function validateAgainstCrd(parsed: ParsedDocument, kind: ManifestKind = 'Tenant'): ValidationIssue[] {
  const validate = validator(kind);
  if (validate(parsed.data)) return [];
  return dedupe((validate.errors ?? []).map((error) => toIssue(parsed, error)));
}

function toIssue(parsed: ParsedDocument, error: ErrorObject): ValidationIssue {
  const path = pointerToPath(error.instancePath, parsed.data);
  const found = valueAt(parsed.data, path);
  const params: Record<string, unknown> = error.params;
  let target = path;
  let preferKey = false;
  let message: string;
  switch (error.keyword) {
    case 'required': {
      // A missing field has no position of its own: point at the object that lacks it.
      const missing = formatPath([...path, String(params.missingProperty)]);
      return { ...locate(parsed, path), layer: 'schema', path: missing, message: 'is required' };
    }
    case 'additionalProperties': {
      target = [...path, String(params.additionalProperty)];
      preferKey = true;
      const allowed = Object.keys(schemaProperties(error.parentSchema));
      message = `unknown field ${JSON.stringify(params.additionalProperty)}` + (allowed.length ? ` (allowed: ${allowed.join(', ')})` : '');
      break;
    }
    case 'enum':
      message = `${show(found)} is not allowed (allowed: ${(Array.isArray(params.allowedValues) ? params.allowedValues : []).map(String).join(', ')})`;
      break;
    case 'type':
      message = `expected ${String(params.type)}, found ${describeType(found)}`;
      break;
    case 'minLength':
      message = `${show(found)} is too short (at least ${String(params.limit)} character${params.limit === 1 ? '' : 's'})`;
      break;
    case 'maxLength':
      message = `is ${String(found).length} characters long (at most ${String(params.limit)} allowed)`;
      break;
    case 'minimum':
    case 'maximum':
      message = `${show(found)} is out of range (allowed: ${error.keyword === 'minimum' ? '≥' : '≤'} ${String(params.limit)})`;
      break;
    case 'maxItems':
    case 'maxProperties':
      message = `has too many entries (at most ${String(params.limit)} allowed)`;
      break;
    case 'format':
      message = `${show(found)} is not a valid ${String(params.format)}${FORMAT_EXAMPLES[String(params.format)] ?? ''}`;
      break;
    default:
      message = error.message ?? 'is invalid';
  }
  return { ...locate(parsed, target, preferKey), layer: 'schema', path: formatPath(target), message };
}

const FORMAT_EXAMPLES: Record<string, string> = {
  email: ' (allowed: an address such as "ops@example.com")',
  'date-time': ' (allowed: RFC 3339, such as "2026-01-31T08:00:00Z")',
};

function schemaProperties(schema: unknown): Record<string, unknown> {
  return isRecord(schema) && isRecord(schema.properties) ? schema.properties : {};
}

/** A JSON pointer as path segments: a number only where the data holds an array, so a map key "123" stays a key. */
function pointerToPath(pointer: string, data: unknown): PathSegment[] {
  if (pointer === '') return [];
  let current = data;
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((part) => {
      const segment = Array.isArray(current) && /^\d+$/.test(part) ? Number(part) : part;
      current = current !== null && typeof current === 'object' ? Reflect.get(current, part) : undefined;
      return segment;
    });
}

export function valueAt(data: unknown, path: PathSegment[]): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = Reflect.get(current, segment);
  }
  return current;
}

/**
 * A found value for a message: JSON, with characters that do not show on a terminal
 * (zero-width joiners, bidi controls, other format and control characters) escaped,
 * so that `"ac\u200dme"` does not read as "acme".
 */
export function show(value: unknown): string {
  const json = typeof value === 'number' && !Number.isFinite(value) ? String(value) : JSON.stringify(value) ?? String(value);
  const text = json.replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/gu, (char) => {
    const code = char.codePointAt(0) ?? 0;
    return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  return `${typeof value} ${show(value)}`;
}

function dedupe(issues: ValidationIssue[]): ValidationIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.line}:${issue.column}:${issue.path}:${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
