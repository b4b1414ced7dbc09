/**
 * The access token a connector sends, from the tenant's integration secret. The agent holds no
 * OAuth client secret (a run handles customer data and may misbehave; the client secret is the
 * whole fleet's), so it never redeems the refresh token itself: the controller's refresher renews
 * every access token before it expires and writes the new one into the same secret. On a 401 the
 * connector renews once by reading the secret again; a newer token there is used, and without one
 * the integration needs the customer's consent again.
 */
import { ConnectorError } from './errors.js';
import { isConnected, parseIntegrationSecret, type ConnectedIntegration, type IntegrationProviderName } from '../../contract/integration-secret.js';

export interface TokenSource {
  readonly integration: IntegrationProviderName;
  /** The connected account (mailbox address, HubSpot portal id). */
  readonly account: string;
  accessToken(): string;
  /** After a 401: a newer token, or a REAUTHORIZATION_REQUIRED ConnectorError. */
  renew(): Promise<void>;
}

/** Reads the secret's current text (Secrets Manager with the task role, or the value the local launcher passed). */
export type SecretText = () => Promise<string | undefined>;

export async function secretTokens(integration: IntegrationProviderName, read: SecretText, now: () => number): Promise<TokenSource> {
  let current = await connected(integration, read);
  return {
    integration,
    account: current.account,
    accessToken: () => current.accessToken,
    async renew() {
      const latest = await connected(integration, read);
      if (latest.version > current.version && latest.accessToken !== current.accessToken) {
        current = latest;
        return;
      }
      const expired = Date.parse(current.expiresAt) <= now();
      throw new ConnectorError('REAUTHORIZATION_REQUIRED', integration, expired
        ? `the access token expired at ${current.expiresAt} and no renewed token is in the integration secret: the controller's refresher has not renewed it (is the controller running?), or the customer must connect again`
        : 'the provider refused the access token and no renewed token is in the integration secret: the customer must connect again', { status: 401 });
    },
  };
}

async function connected(integration: IntegrationProviderName, read: SecretText): Promise<ConnectedIntegration> {
  const value = parseIntegrationSecret(await read());
  if (!isConnected(value)) throw new ConnectorError('NOT_CONNECTED', integration, 'the integration secret holds no connected account');
  if (value.provider !== integration) throw new ConnectorError('NOT_CONNECTED', integration, `the integration secret belongs to ${value.provider}`);
  return value;
}
