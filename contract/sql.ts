/**
 * SQL identifier and literal helpers. Every identifier the controller puts into SQL
 * goes through quoteIdent, even names it derived and validated itself; values are
 * always bound parameters, except in statements that cannot take parameters
 * (CREATE ROLE … PASSWORD), where quoteLiteral is used.
 */
import { PG_IDENTIFIER_MAX_BYTES } from './names.js';
import { TerminalError } from './errors.js';

export function quoteIdent(name: string): string {
  if (name.length === 0 || Buffer.byteLength(name, 'utf8') > PG_IDENTIFIER_MAX_BYTES || name.includes('\u0000')) {
    throw new TerminalError('LIMIT_EXCEEDED', `identifier ${JSON.stringify(name)} is empty or longer than ${PG_IDENTIFIER_MAX_BYTES} bytes`);
  }
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteLiteral(value: string): string {
  if (value.includes('\u0000')) throw new TerminalError('INTERNAL', 'a SQL literal cannot contain NUL');
  const escaped = value.replaceAll("'", "''");
  return value.includes('\\') ? ` E'${escaped.replaceAll('\\', '\\\\')}'` : `'${escaped}'`;
}
