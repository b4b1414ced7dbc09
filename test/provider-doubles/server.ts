/**
 * The third-party APIs the connectors read, served on 127.0.0.1 for tests: Gmail, Google
 * Calendar, Microsoft Graph and HubSpot, the same stateful implementations the sandbox of
 * `npm start` serves (controller/integrations/sandbox/apis/, one module per API), here with
 *   - access tokens issued by the test, each with an expiry on the test's clock (401 after it),
 *   - faults: a path answering an error status (with Retry-After) a number of times, or the
 *     connection dropped without an answer,
 *   - a log of every request, to count calls and see what was asked.
 */
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import type { IntegrationProviderName } from '../../contract/integration-secret.js';
import { providerStores, registerProviderApis, type ProviderStores, type Seeds } from '../../controller/integrations/sandbox/apis/index.js';
import { sendError } from '../../controller/integrations/sandbox/apis/common.js';

interface Fault {
  path: string;
  remaining: number;
  status?: number;
  retryAfter?: string;
}

export interface ProviderDoubles {
  url: string;
  baseUrl(provider: IntegrationProviderName): string;
  stores: ProviderStores;
  /** A live access token of `account` at `provider`, expiring `ttlMs` after now. */
  issueToken(provider: IntegrationProviderName, account: string, ttlMs?: number): string;
  /** The next `times` requests whose path starts with `path` answer `status` (and Retry-After when given). */
  fail(path: string, status: number, options?: { times?: number; retryAfter?: string }): void;
  /** The next `times` requests whose path starts with `path` lose their connection without an answer. */
  drop(path: string, times?: number): void;
  /** Forgets the faults not yet used up. */
  clearFaults(): void;
  /** Every request so far: `METHOD /path?query`. */
  requests: string[];
  close(): Promise<void>;
}

export async function startProviderDoubles(options: { now: () => number; seeds?: Seeds; rateLimit?: { requests: number; windowMs: number } }): Promise<ProviderDoubles> {
  const tokens = new Map<string, { provider: IntegrationProviderName; account: string; expiresAt: number }>();
  const faults: Fault[] = [];
  const requests: string[] = [];
  const app = Fastify({ logger: false });
  app.addHook('onRequest', async (request, reply) => {
    requests.push(`${request.method} ${request.url}`);
    const fault = faults.find((f) => f.remaining > 0 && request.url.startsWith(f.path));
    if (!fault) return;
    fault.remaining -= 1;
    if (fault.status === undefined) {
      request.raw.socket.destroy();
      return reply;
    }
    const provider = request.url.split('/')[1];
    if (fault.retryAfter !== undefined) reply.header('retry-after', fault.retryAfter);
    return sendError(reply, provider === 'microsoft' || provider === 'hubspot' ? provider : 'google', fault.status);
  });
  const stores = providerStores(options.now, options.seeds ?? {});
  registerProviderApis(app, {
    now: options.now,
    rateLimit: options.rateLimit ?? { requests: 10_000, windowMs: 1000 },
    authorize: (provider, accessToken) => {
      const grant = tokens.get(accessToken);
      return grant && grant.provider === provider && grant.expiresAt > options.now() ? grant.account : undefined;
    },
  }, stores);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    url,
    baseUrl: (provider) => `${url}/${provider}`,
    stores,
    issueToken(provider, account, ttlMs = 3_600_000) {
      const token = `double-${provider}-${randomBytes(12).toString('base64url')}`;
      tokens.set(token, { provider, account, expiresAt: options.now() + ttlMs });
      return token;
    },
    fail(path, status, { times = 1, retryAfter } = {}) {
      faults.push({ path, status, remaining: times, retryAfter });
    },
    drop(path, times = 1) {
      faults.push({ path, remaining: times });
    },
    clearFaults() {
      faults.length = 0;
    },
    requests,
    close: () => app.close(),
  };
}

/** A clock that only moves when the code under test sleeps (or the test advances it). */
export function testClock(start = Date.parse('2026-03-02T08:00:00Z')) {
  const sleeps: number[] = [];
  const clock = {
    at: start,
    now: () => clock.at,
    sleeps,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.at += ms;
    },
  };
  return clock;
}
