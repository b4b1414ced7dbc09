/**
 * The customer's path through an onboarding link, as typed outcomes (the public server turns each
 * into a page): show the link, start the consent (state + PKCE S256, bound to the link and to the
 * browser by a cookie), complete the callback (exchange the code, name the account, fill the
 * tenant's integration secret, spend the link) — or say why not, having written nothing.
 */
import * as oauth from 'oauth4webapi';
import type { Logger } from 'pino';
import type { IntegrationProviderName } from '../../contract/integration-secret.js';
import { withTransaction, type Pool } from '../db/pool.js';
import type { StatusStore } from '../status/store.js';
import { safeError, type TokenKeeper } from './keeper.js';
import { linkRefusal, LINK_SECRET_PATTERN, newSecret, sha256, type LinkRecord, type LinkStore } from './links.js';
import { OAuthError } from './oauth-client.js';
import { PROVIDER_PROFILES } from './providers.js';
import type { IntegrationStore } from './store.js';

export interface OnboardingDeps {
  pool: Pool;
  links: LinkStore;
  keeper: TokenKeeper;
  integrations: IntegrationStore;
  status: Pick<StatusStore, 'tenantRecords'>;
  /** `<public URL>/callback`: known once the public listener is up. */
  redirectUri: () => string;
  log: Logger;
  now: () => number;
}

export interface TenantFacing {
  tenant: string;
  displayName: string;
  provider: IntegrationProviderName;
  providerTitle: string;
}

export type Refusal =
  | 'unknown' | 'expired' | 'used' | 'unavailable' | 'not-configured'
  | 'unknown-state' | 'other-browser' | 'consent-denied' | 'provider-error';

export type LinkView =
  | ({ kind: 'consent'; scopes: string[]; expiresAt: Date; reauthorization: string | null; authorizationOrigin: string } & TenantFacing)
  | { kind: 'refused'; why: Refusal; facing?: TenantFacing };

export type StartOutcome = { kind: 'redirect'; url: string; browser: string } | { kind: 'refused'; why: Refusal; facing?: TenantFacing };

export type CallbackOutcome =
  | ({ kind: 'connected'; account: string; scopes: string[] } & TenantFacing)
  | { kind: 'refused'; why: Refusal; facing?: TenantFacing; detail?: string };

export class Onboarding {
  constructor(private readonly deps: OnboardingDeps) {}

  private async facing(link: Pick<LinkRecord, 'tenant' | 'provider'>): Promise<TenantFacing | undefined> {
    const [record] = await this.deps.status.tenantRecords(link.tenant);
    if (!record || record.lifecycle !== 'Active' || !record.desired.secrets.integrations.some((i) => i.provider === link.provider)) return undefined;
    return { tenant: link.tenant, displayName: record.desired.displayName ?? link.tenant, provider: link.provider, providerTitle: PROVIDER_PROFILES[link.provider].title };
  }

  private async usable(secret: string): Promise<{ link: LinkRecord; facing: TenantFacing } | { kind: 'refused'; why: Refusal; facing?: TenantFacing }> {
    const link = LINK_SECRET_PATTERN.test(secret) ? await this.deps.links.find(secret) : undefined;
    const facing = link ? await this.facing(link) : undefined;
    const refusal = linkRefusal(link, this.deps.now());
    if (refusal) return { kind: 'refused', why: refusal, facing };
    if (!facing) return { kind: 'refused', why: 'unavailable' };
    if (!this.deps.keeper.hasClient(facing.provider)) return { kind: 'refused', why: 'not-configured', facing };
    return { link: link!, facing };
  }

  async view(secret: string): Promise<LinkView> {
    const found = await this.usable(secret);
    if ('kind' in found) return found;
    const current = await this.deps.integrations.get(found.link.tenant, found.link.provider);
    return {
      kind: 'consent', ...found.facing, expiresAt: found.link.expiresAt,
      scopes: PROVIDER_PROFILES[found.link.provider].scopes.map((s) => s.words),
      reauthorization: current?.state === 'ReauthorizationRequired' ? current.reason : null,
      authorizationOrigin: new URL(this.deps.keeper.client(found.link.provider).provider.endpoints.authorizationUrl).origin,
    };
  }

  async start(secret: string): Promise<StartOutcome> {
    const found = await this.usable(secret);
    if ('kind' in found) return found;
    const state = oauth.generateRandomState();
    const codeVerifier = oauth.generateRandomCodeVerifier();
    const browser = newSecret();
    if (!(await this.deps.links.begin(secret, { state, codeVerifier, browser }))) return { kind: 'refused', why: 'expired', facing: found.facing };
    const client = this.deps.keeper.client(found.facing.provider);
    const url = client.authorizationUrl({ state, codeChallenge: await oauth.calculatePKCECodeChallenge(codeVerifier), redirectUri: this.deps.redirectUri() });
    return { kind: 'redirect', url, browser };
  }

  async callback(url: URL, browser: string | undefined): Promise<CallbackOutcome> {
    const state = url.searchParams.get('state');
    if (!state) return { kind: 'refused', why: 'unknown-state' };
    return withTransaction(this.deps.pool, async (db): Promise<CallbackOutcome> => {
      const link = await this.deps.links.lockByState(db, state);
      if (!link) return { kind: 'refused', why: 'unknown-state' };
      const facing = await this.facing(link);
      const refusal = linkRefusal(link, this.deps.now());
      if (refusal) return { kind: 'refused', why: refusal, facing };
      if (!browser || !link.browserHash || sha256(browser) !== link.browserHash) return { kind: 'refused', why: 'other-browser', facing };
      if (!facing || !link.codeVerifier) {
        await this.deps.links.abandon(db, link.linkHash);
        return { kind: 'refused', why: 'unavailable', facing };
      }
      const log = this.deps.log.child({ tenant: link.tenant, integration: link.provider });
      const client = this.deps.keeper.client(link.provider);
      try {
        const tokens = await client.exchangeCode(url, state, link.codeVerifier, this.deps.redirectUri());
        const identity = await client.account(tokens.accessToken);
        const scopes = tokens.scopes ?? identity.scopes ?? PROVIDER_PROFILES[link.provider].scopes.map((s) => s.scope);
        await this.deps.keeper.lock(db, link.tenant);
        await this.deps.keeper.connect(db, link.tenant, link.provider, tokens, { account: identity.account, scopes });
        await this.deps.links.markUsed(db, link.linkHash);
        log.info({ account: identity.account, scopes }, 'integration connected');
        return { kind: 'connected', ...facing, account: identity.account, scopes };
      } catch (error) {
        await this.deps.links.abandon(db, link.linkHash);
        const why: Refusal = error instanceof OAuthError && error.reason === 'ConsentDenied' ? 'consent-denied' : error instanceof OAuthError ? 'provider-error' : 'unavailable';
        log.warn({ error: safeError(error) }, 'consent not completed');
        return { kind: 'refused', why, facing, detail: error instanceof OAuthError ? error.providerError : undefined };
      }
    });
  }
}
