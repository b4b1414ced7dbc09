/**
 * What a connector test needs: the provider doubles on a test clock, a real PostgreSQL with the
 * example tenants applied, and a session as a tenant's runtime role, so every row the connectors
 * write passes row-level security as in a run.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ProviderApi } from '../../agents/connectors/http.js';
import { syncStream, type Stream, type SyncOutcome } from '../../agents/connectors/sync.js';
import { secretTokens } from '../../agents/connectors/tokens.js';
import { serializeIntegrationSecret, type ConnectedIntegration, type IntegrationProviderName } from '../../contract/integration-secret.js';
import { secretsOnlyProvider } from '../helpers/secrets-only-provider.js';
import { createWorld, runtimeClient, type World } from '../helpers/world.js';
import { startProviderDoubles, testClock, type ProviderDoubles } from './server.js';

export interface Harness {
  world: World;
  admin: pg.Client;
  doubles: ProviderDoubles;
  clock: ReturnType<typeof testClock>;
  /** Sessions as each tenant's runtime role, with app.tenant_id set. */
  session(tenant: string): Promise<pg.Client>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const clock = testClock();
  const world = await createWorld({ provider: secretsOnlyProvider(mkdtempSync(join(tmpdir(), 'oc-connectors-'))) });
  // Two tenants are enough to show isolation; a third only slows the first pass.
  world.removeTenant('globex.yaml');
  const report = await world.pass();
  if (report.fleet.error) throw new Error(`the first pass failed: ${report.fleet.error}`);
  const admin = new pg.Client({ connectionString: world.db.url });
  await admin.connect();
  const doubles = await startProviderDoubles({ now: clock.now });
  const sessions = new Map<string, pg.Client>();
  return {
    world, admin, doubles, clock,
    async session(tenant) {
      let client = sessions.get(tenant);
      if (!client) sessions.set(tenant, (client = await runtimeClient(world, tenant, { setting: tenant })));
      return client;
    },
    async close() {
      for (const client of sessions.values()) await client.end();
      await doubles.close();
      await admin.end();
      await world.close();
    },
  };
}

/** A connected integration secret's text for `account`, with a fresh token from the doubles. */
export function connectedSecret(h: Harness, provider: IntegrationProviderName, account: string, version = 1, ttlMs = 3_600_000): string {
  const now = h.clock.now();
  const value: ConnectedIntegration = {
    provider, accessToken: h.doubles.issueToken(provider, account, ttlMs), refreshToken: `refresh-${version}`,
    expiresAt: new Date(now + ttlMs).toISOString(), scopes: [], account, connectedAt: new Date(now).toISOString(), lastRefreshAt: null, version,
  };
  return serializeIntegrationSecret(value);
}

export interface Connection {
  api: ProviderApi;
  /** Replaces what the integration secret holds (as the controller's refresher would). */
  secret: { text: string };
  fetches: number;
}

/** The API of one account at one provider, as a run would build it, with an optional fetch in between. */
export async function connect(h: Harness, provider: IntegrationProviderName, account: string, options: { deadlineMs?: number; fetch?: typeof fetch } = {}): Promise<Connection> {
  const secret = { text: connectedSecret(h, provider, account) };
  const tokens = await secretTokens(provider, async () => secret.text, h.clock.now);
  let fetches = 0;
  const counting: typeof fetch = (input, init) => {
    fetches += 1;
    return (options.fetch ?? fetch)(input, init);
  };
  const api = new ProviderApi(tokens, h.doubles.baseUrl(provider), {
    fetch: counting, now: h.clock.now, sleep: h.clock.sleep, random: () => 0.5, deadline: h.clock.now() + (options.deadlineMs ?? 300_000),
  });
  return { api, secret, get fetches() { return fetches; } };
}

export interface Ingested {
  outcome: SyncOutcome;
  metered: number;
}

/** One stream run to completion (or its maximum) as `tenant`'s runtime role. */
export async function sync<C>(h: Harness, tenant: string, stream: Stream<C>, limits: { pageSize?: number; maxItems?: number } = {}): Promise<Ingested> {
  let metered = 0;
  const outcome = await syncStream(stream, {
    db: await h.session(tenant), tenant, pageSize: limits.pageSize ?? 100, maxItems: limits.maxItems ?? 1000,
    itemsIngested: (_integration, count) => { metered += count; }, log: () => {},
  });
  return { outcome, metered };
}

/** Empties a tenant's ingested rows and cursors (as the admin). */
export async function reset(h: Harness, tenant: string): Promise<void> {
  for (const table of ['messages', 'calendar_events', 'lead_events', 'leads', 'connector_cursors']) {
    await h.admin.query(`DELETE FROM app.${table} WHERE tenant_id = $1`, [tenant]);
  }
}

export async function cursorOf(h: Harness, tenant: string, integration: string, stream: string): Promise<unknown> {
  const { rows } = await h.admin.query('SELECT cursor FROM app.connector_cursors WHERE tenant_id = $1 AND integration = $2 AND stream = $3', [tenant, integration, stream]);
  return rows[0]?.cursor;
}

/**
 * The stream as a process killed in the middle of page `n` would run it: that page's rows are
 * written in its transaction, then the run dies before the transaction commits.
 */
export function crashingOnPage<C>(stream: Stream<C>, n: number): Stream<C> {
  let pages = 0;
  return {
    ...stream,
    async page(cursor, limit) {
      const page = await stream.page(cursor, limit);
      if (++pages !== n) return page;
      return { ...page, write: async (scope) => { await page.write(scope); throw new Error('the process was killed'); } };
    },
  };
}
