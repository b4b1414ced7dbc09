/**
 * Per provider P in GOOGLE, MICROSOFT, HUBSPOT: OPENCLAW_P_AUTHORIZATION_URL, _TOKEN_URL, _API_URL,
 * _REVOCATION_URL, _CLIENT_ID, and the client secret from _CLIENT_SECRET or the secret named by
 * _CLIENT_SECRET_ARN. Read by controller/config.ts, once, with its Reader.
 */
import { INTEGRATION_PROVIDERS, type IntegrationProviderName } from '../../agents/runtime/integration-secret.js';
import type { Reader } from '../config.js';
import { PROVIDER_PROFILES } from './providers.js';

export interface OAuthEndpoints {
  authorizationUrl: string;
  tokenUrl: string;
  apiUrl: string;
  revocationUrl?: string;
}

/**
 * `real`: a client registered at the provider (or at a compatible server); `sandbox`: the in-process
 * sandbox identity provider (local provider with no client id); `off`: not configured (aws, no client id).
 */
export type OAuthProviderConfig =
  | { mode: 'real'; endpoints: OAuthEndpoints; clientId: string; clientSecret?: string; clientSecretArn?: string }
  | { mode: 'sandbox'; endpoints?: Partial<OAuthEndpoints> }
  | { mode: 'off' };

const URL_RULE = { pattern: /^https?:\/\/[^\s]+$/, allowed: 'an http:// or https:// URL' };

export function readOAuthProviders(read: Reader, provider: 'local' | 'aws'): Record<IntegrationProviderName, OAuthProviderConfig> {
  const entries = INTEGRATION_PROVIDERS.map((name) => [name, readOne(read, name, provider)] as const);
  return { google: entries[0][1], microsoft: entries[1][1], hubspot: entries[2][1] };
}

function readOne(read: Reader, name: IntegrationProviderName, provider: 'local' | 'aws'): OAuthProviderConfig {
  const prefix = `OPENCLAW_${name.toUpperCase()}_`;
  const given: Partial<OAuthEndpoints> = {
    authorizationUrl: read.string(`${prefix}AUTHORIZATION_URL`, URL_RULE),
    tokenUrl: read.string(`${prefix}TOKEN_URL`, URL_RULE),
    apiUrl: read.string(`${prefix}API_URL`, URL_RULE),
    revocationUrl: read.string(`${prefix}REVOCATION_URL`, URL_RULE),
  };
  const clientId = read.string(`${prefix}CLIENT_ID`, { pattern: /^[\x21-\x7e]{1,512}$/, allowed: 'the client id the provider issued (printable, no spaces)' });
  const clientSecret = read.string(`${prefix}CLIENT_SECRET`, { pattern: /^[\x21-\x7e]{1,512}$/, allowed: 'the client secret the provider issued (printable, no spaces)', secret: true });
  const clientSecretArn = read.string(`${prefix}CLIENT_SECRET_ARN`, { pattern: /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/, allowed: 'a Secrets Manager secret ARN' });
  if (clientSecret && clientSecretArn) read.problems.push(`${prefix}CLIENT_SECRET_ARN: set together with ${prefix}CLIENT_SECRET (allowed: one of the two)`);
  if (!clientId) {
    if (clientSecret || clientSecretArn) read.problems.push(`${prefix}CLIENT_ID: required when a client secret is set (allowed: the client id the provider issued)`);
    return provider === 'local' ? { mode: 'sandbox', endpoints: given } : { mode: 'off' };
  }
  if (!clientSecret && !clientSecretArn) read.problems.push(`${prefix}CLIENT_SECRET: required when ${prefix}CLIENT_ID is set (allowed: the secret itself, or ${prefix}CLIENT_SECRET_ARN naming a Secrets Manager secret)`);
  const defaults = PROVIDER_PROFILES[name].defaults;
  return {
    mode: 'real',
    clientId,
    ...(clientSecret ? { clientSecret } : {}),
    ...(clientSecretArn ? { clientSecretArn } : {}),
    endpoints: {
      authorizationUrl: given.authorizationUrl ?? defaults.authorizationUrl,
      tokenUrl: given.tokenUrl ?? defaults.tokenUrl,
      apiUrl: given.apiUrl ?? defaults.apiUrl,
      ...(given.revocationUrl ?? defaults.revocationUrl ? { revocationUrl: given.revocationUrl ?? defaults.revocationUrl } : {}),
    },
  };
}
