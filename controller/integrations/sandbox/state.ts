/**
 * The memory of the sandbox authorization servers: codes, access and refresh tokens, with the
 * semantics of the real ones (RFC 6749, RFC 7636, RFC 7009): a code is single-use and lives ten
 * minutes, is bound to its client, redirect URI and PKCE challenge; a refresh token is rotated on
 * every use and the old one then fails with invalid_grant; revocation ends a token and what it
 * issued. Pure of I/O: the HTTP face is in server.ts.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IntegrationProviderName } from '../../../contract/integration-secret.js';

export const CODE_LIFETIME_MS = 10 * 60_000;
export const ACCESS_TOKEN_LIFETIME_S: Record<IntegrationProviderName, number> = { google: 3599, microsoft: 3599, hubspot: 1800 };

interface IssuedCode {
  provider: IntegrationProviderName;
  clientId: string;
  redirectUri: string;
  challenge: string;
  scopes: string[];
  account: string;
  expiresAt: number;
  used: boolean;
  /** Refresh token issued for it: revoked when the code is replayed (RFC 6749 §4.1.2). */
  refreshToken?: string;
}

interface Grant {
  provider: IntegrationProviderName;
  clientId: string;
  scopes: string[];
  account: string;
  active: boolean;
}

interface AccessToken extends Grant {
  expiresAt: number;
  refreshToken: string;
}

export type TokenAnswer =
  | { ok: true; accessToken: string; refreshToken: string; expiresIn: number; scopes: string[] }
  | { ok: false; status: 400 | 401; error: 'invalid_grant' | 'invalid_client' | 'invalid_request' | 'unsupported_grant_type'; description: string };

export class AuthorizationState {
  private readonly codes = new Map<string, IssuedCode>();
  private readonly refreshTokens = new Map<string, Grant>();
  private readonly accessTokens = new Map<string, AccessToken>();
  /** Grants answered, by grant type and outcome: what tests count. */
  readonly counts = { authorizationCode: 0, refreshToken: 0, invalidGrant: 0, revocations: 0 };

  constructor(private readonly now: () => number = Date.now) {}

  issueCode(input: Omit<IssuedCode, 'expiresAt' | 'used'>): string {
    const code = token('code');
    this.codes.set(code, { ...input, expiresAt: this.now() + CODE_LIFETIME_MS, used: false });
    return code;
  }

  exchangeCode(provider: IntegrationProviderName, clientId: string, code: string, redirectUri: string, verifier: string): TokenAnswer {
    this.counts.authorizationCode += 1;
    const issued = this.codes.get(code);
    if (!issued || issued.provider !== provider) return this.invalidGrant('The authorization code is unknown.');
    if (issued.used) {
      if (issued.refreshToken) this.revoke(issued.refreshToken);
      return this.invalidGrant('The authorization code was already redeemed.');
    }
    if (issued.expiresAt <= this.now()) return this.invalidGrant('The authorization code has expired.');
    if (issued.clientId !== clientId) return this.invalidGrant('The authorization code was issued to another client.');
    if (issued.redirectUri !== redirectUri) return this.invalidGrant('The redirect_uri does not match the one of the authorization request.');
    if (!verifier || s256(verifier) !== issued.challenge) return this.invalidGrant('The code_verifier does not match the code_challenge.');
    issued.used = true;
    const answer = this.issueTokens({ provider, clientId, scopes: issued.scopes, account: issued.account, active: true });
    issued.refreshToken = answer.refreshToken;
    return answer;
  }

  /** A refresh rotates: the presented token is spent and a new one is issued with the new access token. */
  refresh(provider: IntegrationProviderName, clientId: string, refreshToken: string): TokenAnswer {
    this.counts.refreshToken += 1;
    const grant = this.refreshTokens.get(refreshToken);
    if (!grant || grant.provider !== provider || grant.clientId !== clientId) return this.invalidGrant('The refresh token is unknown.');
    if (!grant.active) return this.invalidGrant('Token has been expired or revoked.');
    this.revoke(refreshToken, false);
    return this.issueTokens({ ...grant, active: true });
  }

  /** RFC 7009: ends the token; a refresh token takes its access tokens with it. Unknown tokens are not an error. */
  revoke(tokenValue: string, count = true): void {
    if (count) this.counts.revocations += 1;
    const grant = this.refreshTokens.get(tokenValue);
    if (grant) {
      grant.active = false;
      for (const access of this.accessTokens.values()) if (access.refreshToken === tokenValue) access.active = false;
    }
    const access = this.accessTokens.get(tokenValue);
    if (access) access.active = false;
  }

  /** As when the user changes their password or removes the app: every token of the account stops working. */
  revokeAccount(provider: IntegrationProviderName, account: string): void {
    for (const grant of [...this.refreshTokens.values(), ...this.accessTokens.values()]) {
      if (grant.provider === provider && grant.account === account) grant.active = false;
    }
  }

  /** The grant behind a bearer token, when it is active and not expired. */
  introspect(provider: IntegrationProviderName, accessToken: string): (AccessToken & { token: string }) | undefined {
    const access = this.accessTokens.get(accessToken);
    if (!access || access.provider !== provider || !access.active || access.expiresAt <= this.now()) return undefined;
    return { ...access, token: accessToken };
  }

  /** Every code and token ever issued: what a test scans logs and answers for. */
  issued(): string[] {
    return [...this.codes.keys(), ...this.refreshTokens.keys(), ...this.accessTokens.keys()];
  }

  isActiveRefreshToken(refreshToken: string): boolean {
    return this.refreshTokens.get(refreshToken)?.active === true;
  }

  private issueTokens(grant: Grant): TokenAnswer & { ok: true } {
    const refreshToken = token('rt');
    const accessToken = token('at');
    const expiresIn = ACCESS_TOKEN_LIFETIME_S[grant.provider];
    this.refreshTokens.set(refreshToken, grant);
    this.accessTokens.set(accessToken, { ...grant, expiresAt: this.now() + expiresIn * 1000, refreshToken });
    return { ok: true, accessToken, refreshToken, expiresIn, scopes: grant.scopes };
  }

  private invalidGrant(description: string): TokenAnswer {
    this.counts.invalidGrant += 1;
    return { ok: false, status: 400, error: 'invalid_grant', description };
  }
}

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

function token(kind: string): string {
  return `sandbox-${kind}-${randomBytes(24).toString('base64url')}`;
}
