/**
 * Customers connect their accounts: onboarding links, the OAuth consent, and the token lifecycle.
 * `createIntegrations` builds the parts from the controller's configuration, database and secrets;
 * runtime-part.ts starts the public listener, the sandbox and the refresher around them.
 */
import type { Logger } from 'pino';
import type { IntegrationProviderName } from '../../contract/integration-secret.js';
import type { Config } from '../config.js';
import type { Pool } from '../db/pool.js';
import type { SecretsApi } from '../providers/types.js';
import type { StatusStore } from '../status/store.js';
import { TokenKeeper } from './keeper.js';
import { LinkStore } from './links.js';
import { OAuthClient } from './oauth-client.js';
import { Onboarding } from './onboarding.js';
import { resolveProviders } from './resolve.js';
import { IntegrationStore } from './store.js';
import { OptOuts } from './unsubscribe.js';

export interface IntegrationsContext {
  config: Readonly<Config>;
  pool: Pool;
  provider: { secrets: SecretsApi };
  store: StatusStore;
  log: Logger;
  now: () => number;
}

export interface Integrations {
  keeper: TokenKeeper;
  links: LinkStore;
  store: IntegrationStore;
  onboarding: Onboarding;
  optOuts: OptOuts;
  clients: ReadonlyMap<IntegrationProviderName, OAuthClient>;
  sandboxed(provider: string): boolean;
}

/** The public URL customers reach: configured, or http://localhost:<port>. */
export function publicUrlOf(config: Pick<Config, 'publicFace'>, port = config.publicFace.port): string {
  return config.publicFace.url ?? `http://localhost:${port}`;
}

export function createIntegrations(ctx: IntegrationsContext, options: { sandboxPort?: number; publicUrl?: () => string; fetch?: typeof fetch } = {}): Integrations {
  const log = ctx.log.child({ component: 'integrations' });
  const resolved = resolveProviders(ctx.config, ctx.provider.secrets, options.sandboxPort);
  const clients = new Map([...resolved].map(([name, provider]) => [name, new OAuthClient(provider, options.fetch ?? fetch, ctx.now)] as const));
  const store = new IntegrationStore(ctx.pool);
  const links = new LinkStore(ctx.pool, ctx.now);
  const keeper = new TokenKeeper({
    pool: ctx.pool, secrets: ctx.provider.secrets, secretsPrefix: ctx.config.aws.secretsPrefix, recoveryWindowDays: ctx.config.aws.secretRecoveryWindowDays,
    status: ctx.store, clients, store, events: ctx.store, log, now: ctx.now,
  });
  const publicUrl = options.publicUrl ?? (() => publicUrlOf(ctx.config));
  const onboarding = new Onboarding({ pool: ctx.pool, links, keeper, integrations: store, status: ctx.store, redirectUri: () => `${publicUrl()}/callback`, log, now: ctx.now });
  return { keeper, links, store, onboarding, optOuts: new OptOuts(ctx.pool, ctx.now), clients, sandboxed: (provider) => [...resolved.values()].some((p) => p.name === provider && p.sandbox) };
}
