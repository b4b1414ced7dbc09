/**
 * The OAuth client of one provider, on oauth4webapi (a small, dependency-free, conformance-tested
 * implementation of RFC 6749, 7636 and 7009): authorization URL with PKCE S256, code exchange,
 * refresh, revocation, and the connected account's identity from the provider's API.
 */
import * as oauth from 'oauth4webapi';
import type { IntegrationProviderName } from '../../contract/integration-secret.js';
import { ControllerError, errorMessage } from '../../contract/errors.js';
import { isRecord } from '../../contract/json.js';
import type { OAuthEndpoints } from '../config-integrations.js';
import { requestedScopes, type ProviderProfile } from './providers.js';

export interface ResolvedProvider {
  name: IntegrationProviderName;
  profile: ProviderProfile;
  endpoints: OAuthEndpoints;
  clientId: string;
  clientSecret(): Promise<string>;
  sandbox: boolean;
}

export interface TokenSet {
  accessToken: string;
  /** Absent when the provider did not rotate it: keep the one you have. */
  refreshToken?: string;
  expiresAt: Date;
  /** Absent when the provider does not say (HubSpot). */
  scopes?: string[];
}

export type OAuthFailure = 'InvalidGrant' | 'ProviderError' | 'Unreachable' | 'NoRefreshToken' | 'StateMismatch' | 'ConsentDenied';

/** A failure of the provider or of its answer; `reason` is stable, the provider's own words are in `providerError`. */
export class OAuthError extends ControllerError {
  constructor(readonly reason: OAuthFailure, message: string, readonly providerError?: string, cause?: unknown) {
    super(reason === 'Unreachable' ? 'TRANSIENT' : 'PERMISSION_DENIED', message, { cause });
    this.name = 'OAuthError';
  }
}

const TIMEOUT_MS = 15_000;

export class OAuthClient {
  private readonly as: oauth.AuthorizationServer;
  private readonly client: oauth.Client;
  private readonly insecure: boolean;

  constructor(readonly provider: ResolvedProvider, private readonly fetchImpl: typeof fetch = fetch, private readonly now: () => number = Date.now) {
    const e = provider.endpoints;
    this.as = { issuer: new URL(e.authorizationUrl).origin, authorization_endpoint: e.authorizationUrl, token_endpoint: e.tokenUrl, revocation_endpoint: e.revocationUrl };
    this.client = { client_id: provider.clientId };
    this.insecure = [e.authorizationUrl, e.tokenUrl, e.apiUrl].some((u) => u.startsWith('http:'));
  }

  private options() {
    return { [oauth.allowInsecureRequests]: this.insecure, [oauth.customFetch]: this.fetchImpl, signal: AbortSignal.timeout(TIMEOUT_MS) };
  }

  private async auth(): Promise<oauth.ClientAuth> {
    return oauth.ClientSecretPost(await this.provider.clientSecret());
  }

  authorizationUrl(input: { state: string; codeChallenge: string; redirectUri: string; loginHint?: string }): string {
    const url = new URL(this.provider.endpoints.authorizationUrl);
    const params: Record<string, string> = {
      client_id: this.provider.clientId,
      response_type: 'code',
      redirect_uri: input.redirectUri,
      scope: requestedScopes(this.provider.profile).join(' '),
      state: input.state,
      code_challenge: input.codeChallenge,
      code_challenge_method: 'S256',
      ...this.provider.profile.authorizationParams,
      ...(input.loginHint ? { login_hint: input.loginHint } : {}),
    };
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    return url.toString();
  }

  /** Validates the callback (state, error) and exchanges its code with the PKCE verifier. */
  async exchangeCode(callback: URL, expectedState: string, codeVerifier: string, redirectUri: string): Promise<TokenSet> {
    let params: URLSearchParams;
    try {
      params = oauth.validateAuthResponse(this.as, this.client, callback, expectedState);
    } catch (error) {
      if (error instanceof oauth.AuthorizationResponseError) {
        const code = error.error;
        throw new OAuthError(code === 'access_denied' ? 'ConsentDenied' : 'ProviderError', `${this.provider.profile.title} answered ${code}`, code, error);
      }
      throw new OAuthError('StateMismatch', 'the callback does not belong to this consent', undefined, error);
    }
    return this.tokenCall('exchange the authorization code', async () => {
      const response = await oauth.authorizationCodeGrantRequest(this.as, this.client, await this.auth(), params, redirectUri, codeVerifier, this.options());
      return oauth.processAuthorizationCodeResponse(this.as, this.client, response);
    });
  }

  async refresh(refreshToken: string): Promise<TokenSet> {
    return this.tokenCall('refresh the access token', async () => {
      const response = await oauth.refreshTokenGrantRequest(this.as, this.client, await this.auth(), refreshToken, this.options());
      return oauth.processRefreshTokenResponse(this.as, this.client, response);
    });
  }

  /** Revokes the refresh token (and with it the access tokens) where the provider supports it. */
  async revoke(refreshToken: string): Promise<'revoked' | 'unsupported'> {
    const { revocation } = this.provider.profile;
    const endpoint = this.provider.endpoints.revocationUrl;
    if (revocation === 'none' || !endpoint) return 'unsupported';
    try {
      if (revocation === 'hubspot') {
        const response = await this.fetchImpl(`${endpoint}/${encodeURIComponent(refreshToken)}`, { method: 'DELETE', signal: AbortSignal.timeout(TIMEOUT_MS) });
        // 404: the token is already unknown to HubSpot, which is what revocation wants.
        if (!response.ok && response.status !== 404) throw new OAuthError('ProviderError', `${this.provider.profile.title} answered HTTP ${response.status} to the revocation`);
        return 'revoked';
      }
      const response = await oauth.revocationRequest(this.as, this.client, await this.auth(), refreshToken, this.options());
      await oauth.processRevocationResponse(response);
      return 'revoked';
    } catch (error) {
      throw error instanceof OAuthError ? error : new OAuthError('Unreachable', `could not revoke the token at ${this.provider.profile.title}: ${safeMessage(error)}`, undefined, error);
    }
  }

  /** The connected account: an email address, or HubSpot's portal id. */
  async account(accessToken: string): Promise<{ account: string; scopes?: string[] }> {
    const { path, field } = this.provider.profile.identity;
    const response = await this.fetchImpl(`${this.provider.endpoints.apiUrl}${path(accessToken)}`, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' }, signal: AbortSignal.timeout(TIMEOUT_MS),
    }).catch((error) => { throw new OAuthError('Unreachable', `could not reach the ${this.provider.profile.title} API: ${safeMessage(error)}`, undefined, error); });
    if (!response.ok) throw new OAuthError('ProviderError', `the ${this.provider.profile.title} API answered HTTP ${response.status} when asked who the account is`);
    const body: unknown = await response.json();
    const value = isRecord(body) ? body[field] : undefined;
    if (typeof value !== 'string' && typeof value !== 'number') throw new OAuthError('ProviderError', `the ${this.provider.profile.title} API did not name the account (no ${field})`);
    const scopes = isRecord(body) ? body.scopes : undefined;
    return { account: String(value), ...(Array.isArray(scopes) ? { scopes: scopes.filter((s): s is string => typeof s === 'string') } : {}) };
  }

  private async tokenCall(what: string, call: () => Promise<oauth.TokenEndpointResponse>): Promise<TokenSet> {
    let answer: oauth.TokenEndpointResponse;
    try {
      answer = await call();
    } catch (error) {
      if (error instanceof oauth.ResponseBodyError) {
        const reason: OAuthFailure = error.error === 'invalid_grant' ? 'InvalidGrant' : 'ProviderError';
        // error_description is the provider's text about the grant, never a token.
        throw new OAuthError(reason, `could not ${what}: ${this.provider.profile.title} answered ${error.error}${error.error_description ? ` (${error.error_description})` : ''}`, error.error, error);
      }
      if (error instanceof OAuthError) throw error;
      throw new OAuthError('Unreachable', `could not ${what}: ${safeMessage(error)}`, undefined, error);
    }
    const expiresIn = typeof answer.expires_in === 'number' ? answer.expires_in : 3600;
    return {
      accessToken: answer.access_token,
      ...(typeof answer.refresh_token === 'string' ? { refreshToken: answer.refresh_token } : {}),
      expiresAt: new Date(this.now() + expiresIn * 1000),
      ...(typeof answer.scope === 'string' ? { scopes: answer.scope.split(' ').filter(Boolean) } : {}),
    };
  }
}

/** An error's message, cut short: oauth4webapi messages name fields, not values. */
function safeMessage(error: unknown): string {
  return errorMessage(error).slice(0, 200);
}
