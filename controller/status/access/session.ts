/**
 * The signed values the ops server hands to browsers: the session cookie of an OIDC login (HMAC-SHA256
 * over its JSON, with an expiry inside) and the CSRF token a page sends back on every change.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AuthMethod, OpsRole, Principal } from './principal.js';

export const SESSION_COOKIE = 'openclaw_session';
export const LOGIN_COOKIE = 'openclaw_login';
export const SESSION_MS = 8 * 3_600_000;

export interface Signer {
  sign(value: object): string;
  /** The signed object, or undefined when the signature or the expiry (`exp`, ms) does not hold. */
  verify(token: string, now: number): Record<string, unknown> | undefined;
  csrfToken(principal: Pick<Principal, 'subject' | 'via'>): string;
  csrfValid(principal: Pick<Principal, 'subject' | 'via'>, given: string | undefined): boolean;
}

export function createSigner(secret: Buffer): Signer {
  const mac = (text: string) => createHmac('sha256', secret).update(text).digest('base64url');
  const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
  const csrfToken = (p: Pick<Principal, 'subject' | 'via'>) => mac(`csrf\u0000${p.via}\u0000${p.subject}`);
  return {
    sign(value) {
      const body = Buffer.from(JSON.stringify(value)).toString('base64url');
      return `${body}.${mac(body)}`;
    },
    verify(token, now) {
      const [body, signature, extra] = token.split('.');
      if (!body || !signature || extra !== undefined || !same(signature, mac(body))) return undefined;
      const value: unknown = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      if (typeof value !== 'object' || value === null || !('exp' in value) || typeof value.exp !== 'number' || value.exp <= now) return undefined;
      return { ...value };
    },
    csrfToken,
    csrfValid: (principal, given) => given !== undefined && same(given, csrfToken(principal)),
  };
}

/** The principal a session cookie stands for. */
export function sessionPrincipal(signer: Signer, cookie: string | undefined, now: number): Principal | undefined {
  const value = cookie ? signer.verify(cookie, now) : undefined;
  if (!value || value.kind !== 'session' || typeof value.subject !== 'string' || !isRole(value.role)) return undefined;
  return { subject: value.subject, role: value.role, via: 'session' satisfies AuthMethod };
}

export function isRole(value: unknown): value is OpsRole {
  return value === 'viewer' || value === 'operator';
}
