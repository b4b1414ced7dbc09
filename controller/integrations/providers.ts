/**
 * What the controller knows of each OAuth provider a tenant can connect: the real public endpoints
 * (the defaults of configuration), the scopes asked for and what they mean in words, how the client
 * authenticates, how a token is revoked and where the connected account's identity is read.
 */
import type { IntegrationProviderName } from '../../contract/integration-secret.js';

export interface ScopeInWords {
  scope: string;
  words: string;
}

export interface ProviderProfile {
  name: IntegrationProviderName;
  title: string;
  scopes: ScopeInWords[];
  /** Extra authorization request parameters (Google needs access_type=offline for a refresh token). */
  authorizationParams: Record<string, string>;
  /** RFC 7009 revocation (`rfc7009`), HubSpot's `DELETE /oauth/v1/refresh-tokens/{token}` (`hubspot`), or none (Microsoft). */
  revocation: 'rfc7009' | 'hubspot' | 'none';
  defaults: { authorizationUrl: string; tokenUrl: string; apiUrl: string; revocationUrl?: string };
  /** Path (under the API URL) that names the connected account, and the field of its answer that does. */
  identity: { path: (accessToken: string) => string; field: string };
}

export const PROVIDER_PROFILES: Record<IntegrationProviderName, ProviderProfile> = {
  google: {
    name: 'google',
    title: 'Google',
    scopes: [
      { scope: 'https://www.googleapis.com/auth/gmail.readonly', words: 'Read your Gmail messages and settings (no sending, no deleting)' },
      { scope: 'https://www.googleapis.com/auth/calendar.readonly', words: 'See the events on your Google calendars (no changes)' },
    ],
    authorizationParams: { access_type: 'offline', prompt: 'consent', include_granted_scopes: 'true' },
    revocation: 'rfc7009',
    defaults: {
      authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenUrl: 'https://oauth2.googleapis.com/token',
      revocationUrl: 'https://oauth2.googleapis.com/revoke',
      apiUrl: 'https://www.googleapis.com',
    },
    identity: { path: () => '/gmail/v1/users/me/profile', field: 'emailAddress' },
  },
  microsoft: {
    name: 'microsoft',
    title: 'Microsoft 365',
    scopes: [
      { scope: 'https://graph.microsoft.com/Mail.Read', words: 'Read your Outlook mail (no sending, no deleting)' },
      { scope: 'https://graph.microsoft.com/Calendars.Read', words: 'Read your Outlook calendars (no changes)' },
      { scope: 'https://graph.microsoft.com/User.Read', words: 'Read your name and email address, to show which account is connected' },
      { scope: 'offline_access', words: 'Keep this access when you are not signed in (until you disconnect)' },
    ],
    authorizationParams: {},
    revocation: 'none',
    defaults: {
      authorizationUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
      tokenUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
      apiUrl: 'https://graph.microsoft.com',
    },
    identity: { path: () => '/v1.0/me', field: 'userPrincipalName' },
  },
  hubspot: {
    name: 'hubspot',
    title: 'HubSpot',
    scopes: [
      { scope: 'oauth', words: 'Identify your HubSpot account' },
      { scope: 'crm.objects.contacts.read', words: 'Read your CRM contacts and their meetings (no changes)' },
      { scope: 'sales-email-read', words: 'Read the sales emails logged in your CRM (no sending)' },
    ],
    authorizationParams: {},
    revocation: 'hubspot',
    defaults: {
      authorizationUrl: 'https://app.hubspot.com/oauth/authorize',
      tokenUrl: 'https://api.hubapi.com/oauth/v1/token',
      revocationUrl: 'https://api.hubapi.com/oauth/v1/refresh-tokens',
      apiUrl: 'https://api.hubapi.com',
    },
    identity: { path: (accessToken) => `/oauth/v1/access-tokens/${encodeURIComponent(accessToken)}`, field: 'hub_id' },
  },
};

/** The scope parameter of an authorization request. */
export function requestedScopes(profile: ProviderProfile): string[] {
  return profile.scopes.map((s) => s.scope);
}
