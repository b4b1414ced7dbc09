import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isConnected, parsePooledIntegrations, type ConnectedIntegration, type IntegrationProviderName } from '../../contract/integration-secret.js';
import { main } from '../../controller/cli.js';
import { EXIT } from '../../controller/cli/command.js';
import { createPool } from '../../controller/db/pool.js';
import { REFRESH_AHEAD_MS, TokenKeeper } from '../../controller/integrations/keeper.js';
import { OAuthClient } from '../../controller/integrations/oauth-client.js';
import { IntegrationStore } from '../../controller/integrations/store.js';
import { describeTenant, listTenants } from '../../controller/status/views.js';
import { butlerTenantYaml, createOnboardingWorld, type OnboardingWorld } from './onboarding-world.js';

describe('the token lifecycle: refresh with rotation, invalid_grant, disconnect', () => {
  let ow: OnboardingWorld;
  /** Every page and CLI answer any test saw: the token-leak test scans them all, beside those of its own round. */
  const pages: string[] = [];
  const cliOutput: string[] = [];
  /** The clock when the world was made: no test sets it earlier, except the sweep's, which goes a day before it. */
  let started = 0;

  // Each test has its own tenants (and accounts), so no test depends on what another did or on the order they run in.
  const SILO_GOOGLE = ['rotate', 'sweep-due', 'sweep-fresh', 'reauth', 'unplug', 'leaky', 'leaver', 'purge'];
  const POOLED = ['hooli-connect', 'hooli-renew', 'hooli-disconnect', 'leaky-pool', 'hooli-purge'];
  /** Offboarded under the Delete policy, then purged once the grace period is over. */
  const PURGED = ['purge', 'hooli-purge'];
  /** Silo tenants are starter tier with dedicated resources; pooled ones are professional tier, sharing one secret for all their integrations. */
  const manifest = (name: string, isolation: 'silo' | 'pool', providers: IntegrationProviderName[]) =>
    butlerTenantYaml(name, isolation === 'silo' ? { tier: 'starter', isolation: 'silo', providers } : { tier: 'professional', providers })
      + (PURGED.includes(name) ? '  deletionPolicy: Delete\n' : '');

  beforeAll(async () => {
    ow = await createOnboardingWorld();
    started = ow.clock.now;
    for (const name of SILO_GOOGLE) ow.world.writeTenant(`${name}.yaml`, manifest(name, 'silo', name === 'leaky' ? ['google', 'hubspot'] : ['google']));
    for (const name of POOLED) ow.world.writeTenant(`${name}.yaml`, manifest(name, 'pool', ['google', 'microsoft', 'hubspot']));
    await ow.world.pass();
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

  async function connectPooled(tenant: string, provider: 'google' | 'microsoft' | 'hubspot', account: string): Promise<void> {
    const link = await ow.link(tenant, provider);
    const { callback, cookie } = await ow.consent(link.url, { account });
    const response = await ow.callback(callback, cookie);
    pages.push(await response.text());
    expect(response.status).toBe(200);
  }

  async function cli(...argv: string[]): Promise<string> {
    let out = '';
    const io = { stdout: (t: string) => { out += t; }, stderr: (t: string) => { out += t; }, env: ow.env, cwd: ow.world.dataDir };
    await main(argv, io);
    cliOutput.push(out);
    return out;
  }

  it('renews a token about to expire once, with two refreshers at the same time, and keeps the rotated refresh token', async () => {
    const first = await connect('rotate', 'google', 'owner@rotate.example');
    // Two refreshers, as two replicas would be: each with its own connections. A token request waits at a
    // gate until the other refresher is in flight too: at the token endpoint as well (no lock: both would
    // spend the same refresh token), or asking PostgreSQL for the lock this one holds, or done.
    let atTokenEndpoint = 0;
    let lockRequests = 0;
    let openGate = () => {};
    const gate = new Promise<void>((resolve) => { openGate = resolve; });
    const check = () => { if (atTokenEndpoint > 1 || lockRequests > 1) openGate(); };
    const countLocks = (text: string) => {
      if (text.includes('pg_advisory_xact_lock')) lockRequests += 1;
      check();
    };
    const pools = [createPool(ow.world.db.url, { beforeQuery: countLocks }), createPool(ow.world.db.url, { beforeQuery: countLocks })];
    const gated: typeof fetch = async (input, init) => {
      atTokenEndpoint += 1;
      check();
      await gate;
      return fetch(input, init);
    };
    const google = ow.integrations.clients.get('google')!.provider;
    const keeper = (pool: (typeof pools)[number]) => new TokenKeeper({
      pool, secrets: ow.world.ctx.provider.secrets, secretsPrefix: ow.world.ctx.config.aws.secretsPrefix, status: ow.world.ctx.store,
      clients: new Map([['google', new OAuthClient(google, gated, () => ow.clock.now)]]), store: new IntegrationStore(pool),
      events: ow.world.ctx.store, log: ow.world.ctx.log, now: () => ow.clock.now,
    });
    try {
      ow.clock.now = Date.parse(first.expiresAt) - REFRESH_AHEAD_MS + 1_000;
      const refreshesBefore = ow.double.state.counts.refreshToken;
      const outcomes = await Promise.all(pools.map((pool) => keeper(pool).refresh('rotate', 'google').finally(openGate)));
      expect(outcomes.sort()).toEqual(['fresh', 'refreshed']);
      expect(lockRequests).toBe(2);
      expect(ow.double.state.counts.refreshToken).toBe(refreshesBefore + 1);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
    const renewed = await ow.secret('rotate', 'google');
    if (!isConnected(renewed)) throw new Error('not connected');
    expect(renewed.version).toBe(first.version + 1);
    expect(renewed.refreshToken).not.toBe(first.refreshToken);
    expect(ow.double.state.isActiveRefreshToken(renewed.refreshToken)).toBe(true);
    expect(ow.double.state.isActiveRefreshToken(first.refreshToken)).toBe(false);
    expect(renewed.lastRefreshAt).toBe(new Date(ow.clock.now).toISOString());
    expect(renewed.connectedAt).toBe(first.connectedAt);
    expect(await ow.integrations.store.get('rotate', 'google')).toMatchObject({ state: 'Connected', version: renewed.version });
  });

  it('leaves a token with time left alone, and the sweep renews only those about to expire', async () => {
    // A day before the world began: every other test's token was issued later, so only this test's two can be near expiry.
    ow.clock.now = started - 24 * 3_600_000;
    const due = await connect('sweep-due', 'google', 'owner@sweep-due.example');
    const before = ow.double.state.counts.refreshToken;
    expect(await ow.integrations.keeper.refresh('sweep-due', 'google')).toBe('fresh');
    ow.clock.now += 30 * 60_000;
    const fresh = await connect('sweep-fresh', 'google', 'owner@sweep-fresh.example');
    ow.clock.now = Date.parse(due.expiresAt) - 60_000;
    const counts = await ow.integrations.keeper.refreshDue();
    expect(counts.refreshed).toBe(1);
    expect(ow.double.state.counts.refreshToken).toBe(before + 1);
    expect(await ow.secret('sweep-due', 'google')).toMatchObject({ version: due.version + 1, lastRefreshAt: new Date(ow.clock.now).toISOString() });
    expect(await ow.secret('sweep-fresh', 'google')).toEqual(fresh);
  });

  it('renews no token of an offboarded tenant: the sweep leaves its integration alone once its manifest is removed', async () => {
    const before = await connect('leaver', 'google', 'owner@leaver.example');
    ow.world.removeTenant('leaver.yaml');
    await ow.world.pass();
    await ow.world.pass();
    const { rows } = await ow.world.ctx.pool.query('SELECT lifecycle FROM openclaw.tenants WHERE name = $1', ['leaver']);
    expect(rows[0].lifecycle).toBe('Retained');
    ow.clock.now = Date.parse(before.expiresAt) - 60_000;
    await ow.integrations.keeper.refreshDue();
    expect(await ow.secret('leaver', 'google')).toEqual(before);
    expect(await ow.integrations.store.get('leaver', 'google')).toMatchObject({ state: 'Connected', version: before.version, lastRefreshAt: null });
  });

  it('revokes the grants of a purged tenant at the provider before its secrets go, silo and pooled, and renews nothing after', async () => {
    const silo = await connect('purge', 'google', 'owner@purge.example');
    await connectPooled('hooli-purge', 'hubspot', 'it@hooli-purge.example');
    const pooled = await ow.integrations.keeper.read('hooli-purge', 'hubspot');
    if (!isConnected(pooled)) throw new Error('not connected');
    const revocations = ow.double.state.counts.revocations;
    const clock = ow.clock.now;
    try {
      // One at a time: the deletion guard holds a revision that offboards more than a tenth of the fleet.
      for (const name of PURGED) {
        ow.world.removeTenant(`${name}.yaml`);
        await ow.world.pass();
      }
      expect(ow.double.state.isActiveRefreshToken(silo.refreshToken)).toBe(true);
      ow.clock.now += 8 * 24 * 3_600_000;
      const report = await ow.world.pass();
      expect(report.outcomes.filter((o) => o.error)).toEqual([]);
      const { rows } = await ow.world.ctx.pool.query(`SELECT name, lifecycle FROM openclaw.tenants WHERE name = ANY($1) ORDER BY name`, [PURGED]);
      expect(rows).toEqual([{ name: 'hooli-purge', lifecycle: 'Purged' }, { name: 'purge', lifecycle: 'Purged' }]);
      expect(ow.double.state.isActiveRefreshToken(silo.refreshToken)).toBe(false);
      expect(ow.double.state.isActiveRefreshToken(pooled.refreshToken)).toBe(false);
      expect(ow.double.state.counts.revocations).toBe(revocations + 2);
      for (const [tenant, provider] of [['purge', 'google'], ['hooli-purge', 'hubspot']] as const) {
        expect(await ow.integrations.store.get(tenant, provider)).toMatchObject({ state: 'Disconnected', account: null });
      }
      // A refresh of a revoked token would be refused with invalid_grant; other tests' tokens may be renewed.
      const refused = ow.double.state.counts.invalidGrant;
      ow.clock.now = Date.parse(silo.expiresAt) - 60_000;
      await ow.integrations.keeper.refreshDue();
      await ow.world.pass();
      expect(ow.double.state.counts.invalidGrant).toBe(refused);
      expect(ow.double.state.counts.revocations).toBe(revocations + 2);
      expect(await ow.integrations.store.get('purge', 'google')).toMatchObject({ state: 'Disconnected' });
    } finally {
      ow.clock.now = clock;
    }
  });

  it('marks the integration ReauthorizationRequired when the provider answers invalid_grant, in status, describe and the link page', async () => {
    const secret = await connect('reauth', 'google', 'owner@reauth.example');
    ow.double.state.revokeAccount('google', 'owner@reauth.example');
    ow.clock.now = Date.parse(secret.expiresAt) - 60_000;
    expect(await ow.integrations.keeper.refresh('reauth', 'google')).toBe('reauthorization-required');
    expect(await ow.secretText('reauth', 'google')).toBe(await ow.secretText('reauth', 'google'));

    const detail = await describeTenant({ pool: ow.world.ctx.pool, store: ow.world.ctx.store }, 'reauth');
    const condition = detail!.conditions.find((c) => c.type === 'IntegrationsReady');
    expect(condition).toMatchObject({ status: 'False', reason: 'ReauthorizationRequired' });
    expect(detail!.integrations.find((i) => i.provider === 'google')).toMatchObject({ connected: false, state: 'ReauthorizationRequired', account: 'owner@reauth.example' });
    expect(detail!.events.some((e) => e.reason === 'ReauthorizationRequired' && e.type === 'Warning')).toBe(true);
    const summary = (await listTenants({ pool: ow.world.ctx.pool, store: ow.world.ctx.store })).find((t) => t.name === 'reauth')!;
    expect(summary.integrationsReady).toBe('False');

    expect(await cli('status')).toMatch(/reauth .*ReauthorizationRequired: google/);
    const described = await cli('describe', 'reauth');
    expect(described).toMatch(/IntegrationsReady\s+False\s+ReauthorizationRequired/);
    expect(described).toMatch(/google\s+ReauthorizationRequired\s+owner@reauth\.example/);

    // A new link says why, and connecting again clears it.
    const link = await ow.link('reauth', 'google');
    const page = await (await fetch(link.url)).text();
    pages.push(page);
    expect(page).toContain('The previous connection stopped working');
    const again = await connect('reauth', 'google', 'owner@reauth.example');
    expect(again.version).toBe(secret.version + 1);
    const after = await describeTenant({ pool: ow.world.ctx.pool, store: ow.world.ctx.store }, 'reauth');
    expect(after!.conditions.find((c) => c.type === 'IntegrationsReady')).toMatchObject({ status: 'True', reason: 'Connected' });
  });

  it('disconnects: revokes the token at Google and empties the secret, keeping its version', async () => {
    const before = await connect('unplug', 'google', 'owner@unplug.example');
    const out = await cli('disconnect', 'unplug', 'google', '--output', 'json');
    expect(JSON.parse(out)).toMatchObject({ tenant: 'unplug', provider: 'google', revocation: 'revoked', wasConnected: true });
    expect(ow.double.state.isActiveRefreshToken(before.refreshToken)).toBe(false);
    const after = await ow.secret('unplug', 'google');
    expect(isConnected(after)).toBe(false);
    expect(after?.version).toBe(before.version + 1);
    const detail = await describeTenant({ pool: ow.world.ctx.pool, store: ow.world.ctx.store }, 'unplug');
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

  const poolSecrets = async (tenant: string) => (await ow.world.ctx.provider.secrets.list(`openclaw/tenants/${tenant}/`)).map((s) => ({ name: s.name, deleted: s.deletedAt !== undefined }));
  const poolDocument = async (tenant: string) => parsePooledIntegrations(await ow.world.ctx.provider.secrets.getValue(`openclaw/tenants/${tenant}/integrations`));

  it('connects a pooled tenant: two consents completing at once both land in its one secret, made by the first of them', async () => {
    expect(await poolSecrets('hooli-connect')).toEqual([]);
    const links = await Promise.all([ow.link('hooli-connect', 'google'), ow.link('hooli-connect', 'microsoft')]);
    const consents = await Promise.all([ow.consent(links[0].url, { account: 'it@hooli.example' }), ow.consent(links[1].url, { account: 'ops@hooli.example' })]);
    const responses = await Promise.all(consents.map((c) => ow.callback(c.callback, c.cookie)));
    for (const response of responses) pages.push(await response.text());
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    expect(await poolSecrets('hooli-connect')).toEqual([{ name: 'openclaw/tenants/hooli-connect/integrations', deleted: false }]);
    const document = await poolDocument('hooli-connect');
    expect(document).toMatchObject({ tenant: 'hooli-connect', version: 2, integrations: { google: { account: 'it@hooli.example', version: 1 }, microsoft: { account: 'ops@hooli.example', version: 1 } } });

    const detail = await describeTenant({ pool: ow.world.ctx.pool, store: ow.world.ctx.store }, 'hooli-connect');
    expect(detail!.integrations.map((i) => [i.provider, i.state, i.account])).toEqual([
      ['google', 'Connected', 'it@hooli.example'], ['microsoft', 'Connected', 'ops@hooli.example'], ['hubspot', 'NotConnected', null],
    ]);
    expect(await cli('describe', 'hooli-connect')).toMatch(/google\s+Connected\s+it@hooli\.example/);
  });

  it('renews a pooled token inside the one secret while a consent for another integration completes, losing neither', async () => {
    await connectPooled('hooli-renew', 'google', 'it@hooli.example');
    await connectPooled('hooli-renew', 'microsoft', 'ops@hooli.example');
    const before = (await poolDocument('hooli-renew'))!;
    const otherPool = createPool(ow.world.db.url);
    // The refresher holds the tenant's lock at the token endpoint when the consent completes; its request
    // waits there until the callback asks PostgreSQL for that lock (or is done), so both rewrite the same document at once.
    let atTokenEndpoint: () => void = () => {};
    const reached = new Promise<void>((resolve) => { atTokenEndpoint = resolve; });
    let openGate: () => void = () => {};
    const gate = new Promise<void>((resolve) => { openGate = resolve; });
    ow.onStatement = (text) => { if (text.includes('pg_advisory_xact_lock')) openGate(); };
    const gated: typeof fetch = async (input, init) => {
      atTokenEndpoint();
      await gate;
      return fetch(input, init);
    };
    const google = ow.integrations.clients.get('google')!.provider;
    const refresher = new TokenKeeper({
      pool: otherPool, secrets: ow.world.ctx.provider.secrets, secretsPrefix: ow.world.ctx.config.aws.secretsPrefix, status: ow.world.ctx.store,
      clients: new Map([['google', new OAuthClient(google, gated, () => ow.clock.now)]]), store: new IntegrationStore(otherPool),
      events: ow.world.ctx.store, log: ow.world.ctx.log, now: () => ow.clock.now,
    });
    try {
      const link = await ow.link('hooli-renew', 'hubspot');
      const { callback, cookie } = await ow.consent(link.url, { account: '24681357' });
      const refreshing = refresher.refresh('hooli-renew', 'google', { force: true });
      await reached;
      const [refreshed, response] = await Promise.all([refreshing, ow.callback(callback, cookie).finally(openGate)]);
      expect(refreshed).toBe('refreshed');
      expect(response.status).toBe(200);
    } finally {
      ow.onStatement = undefined;
      await otherPool.end();
    }
    const after = (await poolDocument('hooli-renew'))!;
    expect(Object.keys(after.integrations).sort()).toEqual(['google', 'hubspot', 'microsoft']);
    expect(after.integrations.google).toMatchObject({ version: before.integrations.google!.version + 1, lastRefreshAt: new Date(ow.clock.now).toISOString() });
    expect(after.integrations.google!.refreshToken).not.toBe(before.integrations.google!.refreshToken);
    expect(ow.double.state.isActiveRefreshToken(after.integrations.google!.refreshToken)).toBe(true);
    expect(after.integrations.microsoft).toEqual(before.integrations.microsoft);
    expect(await ow.integrations.store.get('hooli-renew', 'google')).toMatchObject({ state: 'Connected', version: after.integrations.google!.version });
  });

  it('disconnects a pooled integration by removing it from the one secret, and deletes the secret, emptied, with the last one', async () => {
    await connectPooled('hooli-disconnect', 'google', 'it@hooli.example');
    await connectPooled('hooli-disconnect', 'microsoft', 'ops@hooli.example');
    await connectPooled('hooli-disconnect', 'hubspot', '24681357');
    const google = (await poolDocument('hooli-disconnect'))!.integrations.google!;
    expect(JSON.parse(await cli('disconnect', 'hooli-disconnect', 'google', '-o', 'json'))).toMatchObject({ revocation: 'revoked', wasConnected: true });
    expect(ow.double.state.isActiveRefreshToken(google.refreshToken)).toBe(false);
    expect(Object.keys((await poolDocument('hooli-disconnect'))!.integrations).sort()).toEqual(['hubspot', 'microsoft']);
    await cli('disconnect', 'hooli-disconnect', 'microsoft');
    await cli('disconnect', 'hooli-disconnect', 'hubspot');
    expect(await poolSecrets('hooli-disconnect')).toEqual([{ name: 'openclaw/tenants/hooli-disconnect/integrations', deleted: true }]);
    await ow.world.ctx.provider.secrets.restore('openclaw/tenants/hooli-disconnect/integrations');
    expect((await poolDocument('hooli-disconnect'))!.integrations).toEqual({});
    await ow.world.ctx.provider.secrets.scheduleDeletion('openclaw/tenants/hooli-disconnect/integrations', 7);
    const detail = await describeTenant({ pool: ow.world.ctx.pool, store: ow.world.ctx.store }, 'hooli-disconnect');
    expect(detail!.integrations.map((i) => i.state)).toEqual(['Disconnected', 'Disconnected', 'Disconnected']);

    // Connecting again restores the secret with that integration alone.
    await connectPooled('hooli-disconnect', 'google', 'it@hooli.example');
    expect(await poolSecrets('hooli-disconnect')).toEqual([{ name: 'openclaw/tenants/hooli-disconnect/integrations', deleted: false }]);
    expect(Object.keys((await poolDocument('hooli-disconnect'))!.integrations)).toEqual(['google']);
  });

  it('never shows a code or token in a log line, a page, an API answer or the CLI', async () => {
    // Its own round, whatever else ran before: connect, refresh, invalid_grant, a new link, disconnect, pooled too, then describe and status.
    const issuedBefore = ow.double.state.issued().length;
    const [pagesBefore, cliBefore] = [pages.length, cliOutput.length];
    await connect('leaky', 'google', 'owner@leaky.example');
    await connect('leaky', 'hubspot', '11223344');
    expect(await ow.integrations.keeper.refresh('leaky', 'google', { force: true })).toBe('refreshed');
    ow.double.state.revokeAccount('google', 'owner@leaky.example');
    expect(await ow.integrations.keeper.refresh('leaky', 'google', { force: true })).toBe('reauthorization-required');
    pages.push(await (await fetch((await ow.link('leaky', 'google')).url)).text());
    expect(await cli('status')).toMatch(/leaky .*ReauthorizationRequired: google/);
    expect(JSON.parse(await cli('disconnect', 'leaky', 'hubspot', '-o', 'json')).revocation).toBe('revoked');
    await connectPooled('leaky-pool', 'google', 'it@leaky-pool.example');
    expect(await ow.integrations.keeper.refresh('leaky-pool', 'google', { force: true })).toBe('refreshed');
    await cli('disconnect', 'leaky-pool', 'google');

    const issued = ow.double.state.issued();
    expect(issued.length - issuedBefore).toBeGreaterThan(10);
    expect(pages.length).toBeGreaterThan(pagesBefore);
    const reader = { pool: ow.world.ctx.pool, store: ow.world.ctx.store };
    const answers = [
      JSON.stringify(await listTenants(reader)),
      ...(await Promise.all(['leaky', 'leaky-pool'].map(async (t) => JSON.stringify(await describeTenant(reader, t))))),
      await cli('status', '-o', 'json'), await cli('describe', 'leaky', '-o', 'json'), await cli('describe', 'leaky-pool'),
    ];
    expect(cliOutput.length).toBeGreaterThan(cliBefore);
    // Every page and CLI answer seen so far, this round's and any other test's, against every code and token issued.
    const places: [string, string[]][] = [['log', ow.world.logLines], ['page', pages], ['answer', answers], ['cli', cliOutput]];
    for (const [where, texts] of places) {
      expect(texts.length, where).toBeGreaterThan(0);
      for (const text of texts) for (const token of issued) expect(text.includes(token), `${where} shows an issued code or token`).toBe(false);
    }
  });
});
