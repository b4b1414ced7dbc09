/**
 * Values handed to browsers and mailboxes that only the key's holder can have made:
 * `<JSON, base64url>.<HMAC-SHA256, base64url>`, the MAC over the body, or over `<context>\0<body>` when a
 * context binds the token to one use. Used for the ops session cookie and the digest's unsubscribe links. Pure.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function hmac(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text).digest('base64url');
}

/** Equal strings, compared in time that does not depend on where they differ. */
export function sameSecret(a: string, b: string): boolean {
  // Lengths in bytes: a string of the same length in characters may encode to more bytes.
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
}

export function signJson(key: Buffer, value: object, context = ''): string {
  const body = Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${body}.${signatureOf(key, body, context)}`;
}

/** The signature part of the token whose body (base64url JSON) is `body`. */
export function signatureOf(key: Buffer, body: string, context = ''): string {
  return hmac(key, macInput(body, context));
}

/** The value `token` carries when `key` signed it in `context`, else undefined. */
export function verifyJson(key: Buffer, token: string, context = ''): unknown {
  const [body, signature, ...rest] = token.split('.');
  if (!body || !signature || rest.length > 0 || !sameSecret(signature, signatureOf(key, body, context))) return undefined;
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

function macInput(body: string, context: string): string {
  return context ? `${context}\0${body}` : body;
}
