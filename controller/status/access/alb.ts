/**
 * Verifies the `x-amzn-oidc-data` header an ALB with authenticate-oidc adds to each request: an ES256
 * JWS whose header names the key (`kid`), the load balancer that signed it (`signer`) and its expiry
 * (`exp`). The ALB pads its base64url segments with "=", which JWT parsers refuse, so the token is
 * checked as a flattened JWS (jose signs over the segments exactly as sent) and its claims read here.
 */
import { flattenedVerify, importSPKI, type JWSHeaderParameters } from 'jose';
import { ControllerError } from '../../../contract/errors.js';
import type { Identity } from './principal.js';

export interface AlbVerifierOptions {
  /** The ALB's ARN: tokens signed by any other load balancer are refused. */
  arn: string;
  /** The region's public-key endpoint, the key id is appended (https://public-keys.auth.elb.REGION.amazonaws.com/). */
  keyUrl: string;
  now: () => number;
  fetch?: typeof fetch;
}

export class AuthenticationError extends ControllerError {
  constructor(message: string, cause?: unknown) {
    super('UNAUTHENTICATED', message, { cause });
    this.name = 'AuthenticationError';
  }
}

const KID = /^[A-Za-z0-9_-]{1,128}$/;
const MAX_KEYS = 32;

export function createAlbVerifier(options: AlbVerifierOptions): (token: string) => Promise<Identity> {
  const doFetch = options.fetch ?? fetch;
  const keys = new Map<string, Promise<CryptoKey>>();

  async function keyFor(header: JWSHeaderParameters): Promise<CryptoKey> {
    const kid = header.kid;
    if (typeof kid !== 'string' || !KID.test(kid)) throw new AuthenticationError('the ALB token names no valid key id');
    let key = keys.get(kid);
    if (!key) {
      key = fetchKey(kid);
      key.catch(() => keys.delete(kid));
      if (keys.size >= MAX_KEYS) keys.delete(keys.keys().next().value ?? '');
      keys.set(kid, key);
    }
    return key;
  }

  async function fetchKey(kid: string): Promise<CryptoKey> {
    const response = await doFetch(`${options.keyUrl}${kid}`, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new AuthenticationError(`could not fetch the ALB public key ${kid}: HTTP ${response.status}`);
    return importSPKI(await response.text(), 'ES256');
  }

  return async (token) => {
    const parts = token.split('.');
    if (parts.length !== 3) throw new AuthenticationError('the ALB token is not a signed JWT');
    const [protectedHeader, payload, signature] = parts;
    let verified;
    try {
      verified = await flattenedVerify({ protected: protectedHeader, payload, signature }, keyFor, { algorithms: ['ES256'] });
    } catch (error) {
      if (error instanceof AuthenticationError) throw error;
      throw new AuthenticationError('the ALB token signature does not verify', error);
    }
    const header = verified.protectedHeader ?? {};
    if (header.signer !== options.arn) throw new AuthenticationError('the ALB token was signed by another load balancer');
    if (typeof header.exp !== 'number' || header.exp * 1000 <= options.now()) throw new AuthenticationError('the ALB token has expired');
    return identityFrom(JSON.parse(new TextDecoder().decode(verified.payload)));
  };
}

function identityFrom(claims: unknown): Identity {
  if (typeof claims !== 'object' || claims === null || !('sub' in claims) || typeof claims.sub !== 'string') {
    throw new AuthenticationError('the ALB token carries no subject');
  }
  const email = 'email' in claims && typeof claims.email === 'string' ? claims.email : undefined;
  return { subject: email ?? claims.sub, email, groups: groupsFrom(claims, 'groups') };
}

/** A groups claim: an array of strings, or one string (some IdPs send a single group so). */
export function groupsFrom(claims: object, claim: string): string[] {
  const value: unknown = Object.entries(claims).find(([key]) => key === claim)?.[1];
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((g): g is string => typeof g === 'string') : [];
}
