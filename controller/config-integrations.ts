/**
 * Per provider P in GOOGLE, MICROSOFT, HUBSPOT: OPENCLAW_P_AUTHORIZATION_URL, _TOKEN_URL, _API_URL,
 * _REVOCATION_URL, _CLIENT_ID, and the client secret from _CLIENT_SECRET or the secret named by
 * _CLIENT_SECRET_ARN. Read by controller/config.ts, once, with its Reader (config-reader.ts).
 */
import type { IntegrationProviderName } from '../contract/integration-secret.js';
import { PROVIDER_PROFILES } from './integrations/providers.js';
import { CONNECTOR_FALLBACKS, CONNECTOR_LIMIT_NAMES, CONNECTOR_LIMITS, type ConnectorLimit } from '../contract/agent-env.js';

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

/** What this part needs of the Reader (config-reader.ts) that config.ts reads with. */
export interface VariableReader {
  string(name: string, rule?: { pattern: RegExp; allowed: string; secret?: boolean }): string | undefined;
  integer(name: string, min: number, max: number): number | undefined;
  readonly problems: string[];
}

const URL_RULE = { pattern: /^https?:\/\/[^\s]+$/, allowed: 'an http:// or https:// URL' };

/** Every variable by name, so that a search for one finds where it is read. */
const VARIABLES = {
  google: {
    authorizationUrl: 'OPENCLAW_GOOGLE_AUTHORIZATION_URL', tokenUrl: 'OPENCLAW_GOOGLE_TOKEN_URL', apiUrl: 'OPENCLAW_GOOGLE_API_URL', revocationUrl: 'OPENCLAW_GOOGLE_REVOCATION_URL',
    clientId: 'OPENCLAW_GOOGLE_CLIENT_ID', clientSecret: 'OPENCLAW_GOOGLE_CLIENT_SECRET', clientSecretArn: 'OPENCLAW_GOOGLE_CLIENT_SECRET_ARN',
  },
  microsoft: {
    authorizationUrl: 'OPENCLAW_MICROSOFT_AUTHORIZATION_URL', tokenUrl: 'OPENCLAW_MICROSOFT_TOKEN_URL', apiUrl: 'OPENCLAW_MICROSOFT_API_URL', revocationUrl: 'OPENCLAW_MICROSOFT_REVOCATION_URL',
    clientId: 'OPENCLAW_MICROSOFT_CLIENT_ID', clientSecret: 'OPENCLAW_MICROSOFT_CLIENT_SECRET', clientSecretArn: 'OPENCLAW_MICROSOFT_CLIENT_SECRET_ARN',
  },
  hubspot: {
    authorizationUrl: 'OPENCLAW_HUBSPOT_AUTHORIZATION_URL', tokenUrl: 'OPENCLAW_HUBSPOT_TOKEN_URL', apiUrl: 'OPENCLAW_HUBSPOT_API_URL', revocationUrl: 'OPENCLAW_HUBSPOT_REVOCATION_URL',
    clientId: 'OPENCLAW_HUBSPOT_CLIENT_ID', clientSecret: 'OPENCLAW_HUBSPOT_CLIENT_SECRET', clientSecretArn: 'OPENCLAW_HUBSPOT_CLIENT_SECRET_ARN',
  },
} as const satisfies Record<IntegrationProviderName, Record<string, string>>;

export function readOAuthProviders(read: VariableReader, provider: 'local' | 'aws'): Record<IntegrationProviderName, OAuthProviderConfig> {
  return { google: readOne(read, 'google', provider), microsoft: readOne(read, 'microsoft', provider), hubspot: readOne(read, 'hubspot', provider) };
}

function readOne(read: VariableReader, name: IntegrationProviderName, provider: 'local' | 'aws'): OAuthProviderConfig {
  const v = VARIABLES[name];
  const given: Partial<OAuthEndpoints> = {
    authorizationUrl: read.string(v.authorizationUrl, URL_RULE),
    tokenUrl: read.string(v.tokenUrl, URL_RULE),
    apiUrl: read.string(v.apiUrl, URL_RULE),
    revocationUrl: read.string(v.revocationUrl, URL_RULE),
  };
  const clientId = read.string(v.clientId, { pattern: /^[\x21-\x7e]{1,512}$/, allowed: 'the client id the provider issued (printable, no spaces)' });
  const clientSecret = read.string(v.clientSecret, { pattern: /^[\x21-\x7e]{1,512}$/, allowed: 'the client secret the provider issued (printable, no spaces)', secret: true });
  const clientSecretArn = read.string(v.clientSecretArn, { pattern: /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/, allowed: 'a Secrets Manager secret ARN' });
  if (clientSecret && clientSecretArn) read.problems.push(`${v.clientSecretArn}: set together with ${v.clientSecret} (allowed: one of the two)`);
  if (!clientId) {
    if (clientSecret || clientSecretArn) read.problems.push(`${v.clientId}: required when a client secret is set (allowed: the client id the provider issued)`);
    return provider === 'local' ? { mode: 'sandbox', endpoints: given } : { mode: 'off' };
  }
  if (!clientSecret && !clientSecretArn) read.problems.push(`${v.clientSecret}: required when ${v.clientId} is set (allowed: the secret itself, or ${v.clientSecretArn} naming a Secrets Manager secret)`);
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

/** OPENCLAW_CONNECTOR_*: the bounds every agent run's connectors get (page size, items per run, body bytes, deadline, calendar days). */
export function readConnectorLimits(read: VariableReader): Record<ConnectorLimit, number> {
  const limits = { ...CONNECTOR_FALLBACKS };
  for (const key of CONNECTOR_LIMIT_NAMES) {
    const rule = CONNECTOR_LIMITS[key];
    limits[key] = read.integer(rule.env, rule.min, rule.max) ?? rule.fallback;
  }
  return limits;
}
