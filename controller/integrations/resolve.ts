/**
 * From configuration to the providers the controller can use: a real client (its secret from the
 * environment or from Secrets Manager, read once), the in-process sandbox, or none.
 */
import { INTEGRATION_PROVIDERS, type IntegrationProviderName } from '../../contract/integration-secret.js';
import type { Config } from '../config.js';
import { ControllerError } from '../../contract/errors.js';
import type { SecretsApi } from '../providers/types.js';
import type { OAuthEndpoints } from '../config-integrations.js';
import type { ResolvedProvider } from './oauth-client.js';
import { PROVIDER_PROFILES } from './providers.js';
import { sandboxEndpoints } from './sandbox/server.js';

/** The sandbox's client: not a secret, the sandbox trusts anyone on this machine. */
export const SANDBOX_CLIENT = { clientId: 'openclaw-sandbox', clientSecret: 'openclaw-sandbox-not-a-secret' } as const;

export function sandboxUrl(config: Pick<Config, 'publicFace'>, port = config.publicFace.sandboxPort): string {
  return `http://localhost:${port}`;
}

export function resolveProviders(config: Pick<Config, 'integrations' | 'publicFace'>, secrets: Pick<SecretsApi, 'getValue'>, sandboxPort?: number): Map<IntegrationProviderName, ResolvedProvider> {
  const result = new Map<IntegrationProviderName, ResolvedProvider>();
  for (const name of INTEGRATION_PROVIDERS) {
    const entry = config.integrations[name];
    const profile = PROVIDER_PROFILES[name];
    if (entry.mode === 'off') continue;
    if (entry.mode === 'sandbox') {
      const base: OAuthEndpoints = sandboxEndpoints(`${sandboxUrl(config, sandboxPort)}/${name}`, name);
      const given = entry.endpoints ?? {};
      const endpoints: OAuthEndpoints = {
        authorizationUrl: given.authorizationUrl ?? base.authorizationUrl,
        tokenUrl: given.tokenUrl ?? base.tokenUrl,
        apiUrl: given.apiUrl ?? base.apiUrl,
        revocationUrl: given.revocationUrl ?? base.revocationUrl,
      };
      result.set(name, { name, profile, endpoints, clientId: SANDBOX_CLIENT.clientId, clientSecret: async () => SANDBOX_CLIENT.clientSecret, sandbox: true });
      continue;
    }
    let cached: Promise<string> | undefined;
    const { clientSecret, clientSecretArn } = entry;
    result.set(name, {
      name, profile, endpoints: entry.endpoints, clientId: entry.clientId, sandbox: false,
      clientSecret: () => {
        cached ??= (async () => {
          if (clientSecret) return clientSecret;
          const value = await secrets.getValue(clientSecretArn!).catch((error) => {
            throw new ControllerError('PERMISSION_DENIED', `could not read the ${profile.title} client secret from ${clientSecretArn}`, { cause: error });
          });
          if (!value) throw new ControllerError('CONFIG_INVALID', `the ${profile.title} client secret ${clientSecretArn} has no value yet: put the client secret the provider issued into it`);
          return value.trim();
        })();
        cached.catch(() => { cached = undefined; });
        return cached;
      },
    });
  }
  return result;
}

