/**
 * The signed values the ops server hands to browsers: the session cookie of an OIDC login (HMAC-SHA256
 * over its JSON, with an expiry inside) and the CSRF token a page sends back on every change.
 */
import { hmac, sameSecret, signJson, verifyJson } from '../../signed-json.js';
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
  const csrfToken = (p: Pick<Principal, 'subject' | 'via'>) => hmac(secret, `csrf\u0000${p.via}\u0000${p.subject}`);
  return {
    sign: (value) => signJson(secret, value),
    verify(token, now) {
      const value = verifyJson(secret, token);
      if (typeof value !== 'object' || value === null || !('exp' in value) || typeof value.exp !== 'number' || value.exp <= now) return undefined;
      return { ...value };
    },
    csrfToken,
    csrfValid: (principal, given) => given !== undefined && sameSecret(given, csrfToken(principal)),
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
