/** Reading providers' JSON without casts: each accessor checks the type it returns. Pure. */
import { isRecord } from '../../contract/json.js';

export type Json = Record<string, unknown>;

export function record(value: unknown, key: string): Json | undefined {
  const v = isRecord(value) ? value[key] : undefined;
  return isRecord(v) ? v : undefined;
}

export function records(value: unknown, key: string): Json[] {
  const v = isRecord(value) ? value[key] : undefined;
  return Array.isArray(v) ? v.filter(isRecord) : [];
}

export function text(value: unknown, key: string): string | undefined {
  const v = isRecord(value) ? value[key] : undefined;
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

export function flag(value: unknown, key: string): boolean {
  return isRecord(value) && value[key] === true;
}

export { isRecord };
