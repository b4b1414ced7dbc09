// Opaque, key-based pagination tokens (stable while items are added or removed between pages), and
// identifiers drawn from the injected random source.

const TOKEN_PREFIX = 'aws-double:';

export function encodeToken(lastKey: string): string {
  return Buffer.from(TOKEN_PREFIX + lastKey, 'utf8').toString('base64url');
}

/** The last key of the previous page, or undefined when the token is not one this double issued. */
export function decodeToken(token: string): string | undefined {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  return text.startsWith(TOKEN_PREFIX) ? text.slice(TOKEN_PREFIX.length) : undefined;
}

export interface Page<T> {
  items: T[];
  next?: string;
}

/**
 * One page of `items` (sorted by `keyOf`, ascending or descending) after the token's key;
 * `badToken` throws the service's own error for a token it did not issue.
 */
export function paginate<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  token: string | undefined,
  max: number,
  badToken: () => never,
  order: 'asc' | 'desc' = 'asc',
): Page<T> {
  let start = 0;
  if (token !== undefined) {
    const after = decodeToken(token);
    if (after === undefined) badToken();
    start = items.findIndex((item) => (order === 'asc' ? keyOf(item) > after : keyOf(item) < after));
    if (start < 0) start = items.length;
  }
  const page = items.slice(start, start + max);
  const more = start + max < items.length;
  return { items: page, next: more ? encodeToken(keyOf(page[page.length - 1])) : undefined };
}

export function byKey<T>(keyOf: (item: T) => string, order: 'asc' | 'desc' = 'asc'): (a: T, b: T) => number {
  const sign = order === 'asc' ? 1 : -1;
  return (a, b) => sign * (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0);
}

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const HEX = '0123456789abcdef';

export function randomString(random: () => number, length: number, alphabet: string): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(random() * alphabet.length)];
  return out;
}

export const ids = {
  /** IAM unique ids: a four-letter type prefix and 17 base32 characters. */
  iam: (random: () => number, prefix: string) => prefix + randomString(random, 17, UPPER_ALNUM),
  alnum: (random: () => number, n: number) => randomString(random, n, ALNUM),
  hex: (random: () => number, n: number) => randomString(random, n, HEX),
  uuid: (random: () => number) => {
    const h = randomString(random, 32, HEX);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
  },
};

/** Validates a page size against [min, max], defaulting when absent. */
export function pageSize(value: number | undefined, def: number, min: number, max: number, invalid: () => never): number {
  if (value === undefined) return def;
  if (!Number.isInteger(value) || value < min || value > max) invalid();
  return value;
}
