import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isConnected, type ConnectedIntegration } from '../../contract/integration-secret.js';
import { main } from '../../controller/cli.js';
import { EXIT } from '../../controller/cli/command.js';
import { createPool } from '../../controller/db/pool.js';
import { REFRESH_AHEAD_MS, TokenKeeper } from '../../controller/integrations/keeper.js';
import { OAuthClient } from '../../controller/integrations/oauth-client.js';
import { IntegrationStore } from '../../controller/integrations/store.js';
import { describeTenant, listTenants } from '../../controller/status/views.js';
import { createOnboardingWorld, type OnboardingWorld } from './onboarding-world.js';

describe('the token lifecycle: refresh with rotation, invalid_grant, disconnect', () => {
  let ow: OnboardingWorld;
  const pages: string[] = [];
  const cliOutput: string[] = [];

  beforeAll(async () => {
    ow = await createOnboardingWorld();
  });

  afterAll(async () => {
    await ow?.close();
  });

  async function connect(tenant: string, provider: 'google' | 'microsoft' | 'hubspot', account: string): Promise<ConnectedIntegration> {
    const link = await ow.link(tenant, provider);
    pages.push(await (await fetch(link.url)).text());
    const { callback, cookie } = await ow.consent(link.url, { account });
    const response = await ow.callback(callback, cookie);
    pages.push(await response.text());
    expect(response.status).toBe(200);
    const secret = await ow.secret(tenant, provider);
    if (!isConnected(secret)) throw new Error('not connected');
    return secret;
  }

  async function cli(...argv: string[]): Promise<string> {
    let out = '';
    const io = { stdout: (t: string) => { out += t; }, stderr: (t: string) => { out += t; }, env: ow.env, cwd: ow.world.dataDir };
    await main(argv, io);
    cliOutput.push(out);
    return out;
  }

  it('renews a token about to expire once, with two refreshers at the same time, and keeps the rotated refresh token', async () => {
    const first = await connect('acme', 'google', 'owner@acme.example');
    // Two refreshers, as two replicas would be: each with its own connections. Their token requests pass
    // a gate that opens only when both refreshers are in flight at once: the other one is at the token
    // endpoint too (no lock: both would spend the same refresh token) or waits for the lock.
    const otherPool = createPool(ow.world.db.url);
    let atTokenEndpoint = 0;
    const gated: typeof fetch = async (input, init) => {
      atTokenEndpoint += 1;
      for (let i = 0; i < 500; i += 1) {
        const { rows } = await otherPool.query("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted");
        if (atTokenEndpoint > 1 || rows[0].n > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return fetch(input, init);
    };
    const google = ow.integrations.clients.get('google')!.provider;
    const keeper = (pool: typeof otherPool) => new TokenKeeper({
      pool, secrets: ow.world.ctx.provider.secrets, secretsPrefix: ow.world.ctx.config.aws.secretsPrefix,
      clients: new Map([['google', new OAuthClient(google, gated, () => ow.clock.now)]]), store: new IntegrationStore(pool),
      events: ow.world.ctx.store, log: ow.world.ctx.log, now: () => ow.clock.now,
    });
    try {
      ow.clock.now = Date.parse(first.expiresAt) - REFRESH_AHEAD_MS + 1_000;
      const refreshesBefore = ow.double.state.counts.refreshToken;
      const outcomes = await Promise.all([keeper(ow.world.ctx.pool).refresh('acme', 'google'), keeper(otherPool).refresh('acme', 'google')]);
      expect(outcomes.sort()).toEqual(['fresh', 'refreshed']);
      expect(ow.double.state.counts.refreshToken).toBe(refreshesBefore + 1);
    } finally {
      await otherPool.end();
    }
    const renewed = await ow.secret('acme', 'google');
    if (!isConnected(renewed)) throw new Error('not connected');
    expect(renewed.version).toBe(first.version + 1);
    expect(renewed.refreshToken).not.toBe(first.refreshToken);
    expect(ow.double.state.isActiveRefreshToken(renewed.refreshToken)).toBe(true);
    expect(ow.double.state.isActiveRefreshToken(first.refreshToken)).toBe(false);
    expect(renewed.lastRefreshAt).toBe(new Date(ow.clock.now).toISOString());
    expect(renewed.connectedAt).toBe(first.connectedAt);
    expect(await ow.integrations.store.get('acme', 'google')).toMatchObject({ state: 'Connected', version: renewed.version });
  });

  it('leaves a token with time left alone, and the sweep renews only those about to expire', async () => {
    const before = ow.double.state.counts.refreshToken;
    expect(await ow.integrations.keeper.refresh('acme', 'google')).toBe('fresh');
    const secret = await ow.secret('acme', 'google');
    if (!isConnected(secret)) throw new Error('not connected');
    ow.clock.now = Date.parse(secret.expiresAt) - 60_000;
    const counts = await ow.integrations.keeper.refreshDue();
    expect(counts.refreshed).toBe(1);
    expect(ow.double.state.counts.refreshToken).toBe(before + 1);
  });

  it('marks the integration ReauthorizationRequired when the provider answers invalid_grant, in status, describe and the link page', async () => {
    const secret = await ow.secret('acme', 'google');
    if (!isConnected(secret)) throw new Error('not connected');
    ow.double.state.revokeAccount('google', 'owner@acme.example');
    ow.clock.now = Date.parse(secret.expiresAt) - 60_000;
    expect(await ow.integrations.keeper.refresh('acme', 'google')).toBe('reauthorization-required');
    expect(await ow.secretText('acme', 'google')).toBe(await ow.secretText('acme', 'google'));

    const detail = await describeTenant({ pool: ow.world.ctx.pool, store: ow.world.ctx.store }, 'acme');
    const condition = detail!.conditions.find((c) => c.type === 'IntegrationsReady');
    expect(condition).toMatchObject({ status: 'False', reason: 'ReauthorizationRequired' });
    expect(detail!.integrations.find((i) => i.provider === 'google')).toMatchObject({ connected: false, state: 'ReauthorizationRequired', account: 'owner@acme.example' });
    expect(detail!.events.some((e) => e.reason === 'ReauthorizationRequired' && e.type === 'Warning')).toBe(true);
    const summary = (await listTenants({ pool: ow.world.ctx.pool, store: ow.world.ctx.store })).find((t) => t.name === 'acme')!;
    expect(summary.integrationsReady).toBe('False');

    expect(await cli('status')).toMatch(/acme .*ReauthorizationRequired: google/);
    const described = await cli('describe', 'acme');
    expect(described).toMatch(/IntegrationsReady\s+False\s+ReauthorizationRequired/);
    expect(described).toMatch(/google\s+ReauthorizationRequired\s+owner@acme\.example/);

    // A new link says why, and connecting again clears it.
    const link = await ow.link('acme', 'google');
    const page = await (await fetch(link.url)).text();
    pages.push(page);
    expect(page).toContain('The previous connection stopped working');
    const again = await connect('acme', 'google', 'owner@acme.example');
    expect(again.version).toBe(secret.version + 1);
    const after = await describeTenant({ pool: ow.world.ctx.pool, store: ow.world.ctx.store }, 'acme');
    expect(after!.conditions.find((c) => c.type === 'IntegrationsReady')).toMatchObject({ status: 'True', reason: 'Connected' });
  });

  it('disconnects: revokes the token at Google and empties the secret, keeping its version', async () => {
    const before = await ow.secret('acme', 'google');
    if (!isConnected(before)) throw new Error('not connected');
    const out = await cli('disconnect', 'acme', 'google', '--output', 'json');
    expect(JSON.parse(out)).toMatchObject({ tenant: 'acme', provider: 'google', revocation: 'revoked', wasConnected: true });
    expect(ow.double.state.isActiveRefreshToken(before.refreshToken)).toBe(false);
    const after = await ow.secret('acme', 'google');
    expect(isConnected(after)).toBe(false);
    expect(after?.version).toBe(before.version + 1);
    const detail = await describeTenant({ pool: ow.world.ctx.pool, store: ow.world.ctx.store }, 'acme');
    expect(detail!.integrations[0]).toMatchObject({ provider: 'google', connected: false, state: 'Disconnected', account: null });
    expect(detail!.conditions.find((c) => c.type === 'IntegrationsReady')).toMatchObject({ status: 'False', reason: 'NotConnected' });
  });

  it('disconnects Microsoft, which has no revocation endpoint, and HubSpot, through its own DELETE', async () => {
    const hubspot = await connect('globex', 'hubspot', '13572468');
    await connect('globex', 'microsoft', 'it@globex.example');
    expect(JSON.parse(await cli('disconnect', 'globex', 'microsoft', '-o', 'json')).revocation).toBe('unsupported');
    expect(JSON.parse(await cli('disconnect', 'globex', 'hubspot', '-o', 'json')).revocation).toBe('revoked');
    expect(ow.double.state.isActiveRefreshToken(hubspot.refreshToken)).toBe(false);
    expect(isConnected(await ow.secret('globex', 'microsoft'))).toBe(false);
  });

  it('refuses a provider it cannot connect (a usage error), and a tenant that does not list it (a failure)', async () => {
    let err = '';
    const io = { stdout: () => {}, stderr: (t: string) => { err += t; }, env: ow.env, cwd: ow.world.dataDir };
    expect(await main(['connect', 'acme', 'salesforce'], io)).toBe(EXIT.usage);
    expect(err).toContain('allowed: google, microsoft, hubspot');
    expect(await main(['connect', 'acme', 'google', '--expires', 'soon'], io)).toBe(EXIT.usage);
    expect(await main(['connect', 'acme', 'microsoft'], io)).toBe(EXIT.failure);
    expect(err).toContain('does not list microsoft');
  });

  it('never shows a code or token in a log line, a page, an API answer or the CLI', async () => {
    const issued = ow.double.state.issued();
    expect(issued.length).toBeGreaterThan(10);
    const reader = { pool: ow.world.ctx.pool, store: ow.world.ctx.store };
    const answers = [
      JSON.stringify(await listTenants(reader)),
      ...(await Promise.all(['acme', 'globex', 'initech'].map(async (t) => JSON.stringify(await describeTenant(reader, t))))),
      await cli('status', '-o', 'json'), await cli('describe', 'acme', '-o', 'json'), await cli('describe', 'globex'),
    ];
    const places: [string, string[]][] = [['log', ow.world.logLines], ['page', pages], ['answer', answers], ['cli', cliOutput]];
    for (const [where, texts] of places) {
      expect(texts.length, where).toBeGreaterThan(0);
      for (const text of texts) for (const token of issued) expect(text.includes(token), `${where} shows an issued code or token`).toBe(false);
    }
  });
});
