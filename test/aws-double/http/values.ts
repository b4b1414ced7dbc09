// Scalars on the wire: timestamps in the format a protocol (or the member's trait) calls for, blobs
// as base64, numbers and booleans as text — and back.
import type { Shape } from './schema.js';

/** 5 date-time (ISO 8601), 6 http-date (RFC 7231), 7 epoch seconds. */
export type TimestampFormat = 5 | 6 | 7;

function toDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(value as number | string);
}

export function formatTimestamp(value: unknown, format: TimestampFormat): string | number {
  const date = toDate(value);
  if (format === 7) return date.getTime() / 1000;
  if (format === 6) return date.toUTCString();
  return date.toISOString().replace('.000Z', 'Z');
}

export function parseTimestamp(value: string | number, format: TimestampFormat): Date {
  if (typeof value === 'number') return new Date(value * 1000);
  if (format === 7 || /^\d+(\.\d+)?$/.test(value)) return new Date(Number(value) * 1000);
  return new Date(value);
}

export function toBase64(value: unknown): string {
  if (typeof value === 'string') return Buffer.from(value, 'utf8').toString('base64');
  return Buffer.from(value as Uint8Array).toString('base64');
}

/** A scalar member's value as wire text (`defaultFormat` for timestamps without a format trait). */
export function scalarText(shape: Shape, value: unknown, defaultFormat: TimestampFormat): string {
  switch (shape.kind) {
    case 'timestamp':
      return String(formatTimestamp(value, shape.format ?? defaultFormat));
    case 'blob':
      return toBase64(value);
    case 'document':
      return typeof value === 'string' ? value : JSON.stringify(value);
    default:
      return String(value);
  }
}

/** Wire text of a scalar member → the value the SDK hands its caller. */
export function parseScalar(shape: Shape, text: string, defaultFormat: TimestampFormat): unknown {
  switch (shape.kind) {
    case 'number':
    case 'bigint':
    case 'bigdecimal':
      return Number(text);
    case 'boolean':
      return text.trim() === 'true';
    case 'timestamp':
      return parseTimestamp(text.trim(), shape.format ?? defaultFormat);
    case 'blob':
      return shape.streaming ? Buffer.from(text, 'utf8') : new Uint8Array(Buffer.from(text, 'base64'));
    default:
      return text;
  }
}
