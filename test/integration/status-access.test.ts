/**
 * Who may use the ops API: every route without credentials, with a viewer's and an operator's token;
 * the admin token made when nothing else is configured; the ALB's signed header with keys this test
 * makes; the Host allowlist, cross-site changes, body limits and refresh coalescing.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../controller/cli.js';
import type { AuthConfig, HttpConfig } from '../../controller/config-http.js';
import { startStatusServer, type StatusServer } from '../../controller/status/http.js';
import { ApiTokens, generateToken } from '../../controller/status/access/tokens.js';
import { createStatusWorld, type StatusWorld } from './status-world.js';

const ALB_ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/openclaw-ops/50dc6c495c0c9188';

describe('access to the ops API', () => {
  let sw: StatusWorld;
  const servers: StatusServer[] = [];
  const viewerToken = generateToken();
  const operatorToken = generateToken();

  async function serve(http: Partial<HttpConfig>, auth: Partial<AuthConfig>, options: { host?: string; announce?: (text: string) => void } = {}): Promise<StatusServer> {
    const base = sw.world.ctx.config;
    const config = { ...base, http: { ...base.http, ...http, auth: { ...base.http.auth, ...auth } } };
    const server = await startStatusServer({ ...sw.world.ctx, config }, { port: 0, host: options.host ?? '127.0.0.1', announce: options.announce, fetch: keyFetch });
    servers.push(server);
    return server;
  }

  // The ALB's public-key endpoint: PEM by key id.
  const keys = new Map<string, string>();
  const keyFetch: typeof fetch = async (input) => {
    const kid = String(input).split('/').pop() ?? '';
    const pem = keys.get(kid);
    return new Response(pem ?? 'not found', { status: pem ? 200 : 404 });
  };

  beforeAll(async () => {
    sw = await createStatusWorld({ degraded: false, extraEnv: { OPENCLAW_ROTATION_GRACE: '10ms' } });
    const tokens = new ApiTokens(sw.world.ctx.pool);
    expect(await tokens.create('ci-viewer', 'viewer', viewerToken, 'test')).toBe('created');
    expect(await tokens.create('ci-operator', 'operator', operatorToken, 'test')).toBe('created');
  });

  afterAll(async () => {
    for (const server of servers) await server.close();
    await sw?.close();
  });

  const pathOf = (url: string) => url.replace(':name', 'acme').replace(':revision', 'abcdef1');
  const call = (server: StatusServer, method: string, url: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${pathOf(url)}`, { method, headers, redirect: 'manual' });

  describe('bound to a non-loopback address with no sign-in configured', () => {
    let server: StatusServer;
    let announced = '';

    beforeAll(async () => {
      server = await serve({}, {}, { host: '0.0.0.0', announce: (text) => { announced += text; } });
    });

    it('answers 401 without credentials on every route but the probes, which stay open', async () => {
      expect(server.routes.filter((r) => r.access === 'open').map((r) => r.url).sort()).toEqual(['/healthz', '/readyz']);
      for (const route of server.routes) {
        const response = await call(server, route.method, route.url);
        if (route.access === 'open') expect(response.status, route.url).toBeLessThan(400);
        else {
          expect(response.status, `${route.method} ${route.url}`).toBe(401);
          expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
        }
      }
    });

    it('answers 403 to a viewer on every operator route, and lets a viewer read every other one', async () => {
      const operatorRoutes = server.routes.filter((r) => r.access === 'operate');
      expect(operatorRoutes.length).toBeGreaterThan(0);
      for (const route of server.routes) {
        const response = await call(server, route.method, route.url, { authorization: `Bearer ${viewerToken}` });
        if (route.access === 'operate') expect(response.status, `${route.method} ${route.url}`).toBe(403);
        else expect(response.status, `${route.method} ${route.url}`).toBeLessThan(400);
      }
    });

    it('lets an operator token through on every route', async () => {
      for (const route of server.routes) {
        const response = await call(server, route.method, route.url, { authorization: `Bearer ${operatorToken}` });
        expect([401, 403], `${route.method} ${route.url}`).not.toContain(response.status);
      }
    });

    it('refuses an unknown token and a malformed Authorization header', async () => {
      expect((await call(server, 'GET', '/api/fleet', { authorization: `Bearer ${generateToken()}` })).status).toBe(401);
      expect((await call(server, 'GET', '/api/fleet', { authorization: 'Basic YWRtaW46YWRtaW4=' })).status).toBe(401);
    });

    it('made an admin token, showed it once outside the log, and accepts it as an operator', async () => {
      const token = /Admin token for this process \(shown once\): (\S+)/.exec(announced)?.[1];
      expect(token).toBeDefined();
      expect(sw.world.logLines.some((line) => line.includes(token!))).toBe(false);
      const me = await (await call(server, 'GET', '/api/me', { authorization: `Bearer ${token}` })).json();
      expect(me).toMatchObject({ subject: 'token:admin', role: 'operator', via: 'token' });
    });

    it('accepts the metrics token on /metrics only, and refuses one that differs, in a character or in its bytes, with 401', async () => {
      const metricsToken = 'metrics-token-0123456789';
      const scraped = await serve({}, { metricsToken }, { host: '0.0.0.0' });
      const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
      expect((await call(scraped, 'GET', '/metrics', bearer(metricsToken))).status).toBe(200);
      expect((await call(scraped, 'GET', '/api/fleet', bearer(metricsToken))).status).toBe(401);
      // Same length in characters; the last one is two bytes once encoded.
      for (const wrong of ['metrics-token-0123456780', 'metrics-token-012345678\u00e9']) {
        expect((await call(scraped, 'GET', '/metrics', bearer(wrong))).status, wrong).toBe(401);
      }
    });

    it('keeps only the SHA-256 of each API token in the database', async () => {
      const { rows } = await sw.admin.query('SELECT token_hash FROM openclaw.api_tokens');
      const stored = JSON.stringify(rows);
      expect(stored).not.toContain(viewerToken);
      expect(stored).not.toContain(operatorToken);
      expect(rows.every((r: { token_hash: string }) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true);
    });
  });

  describe('tenantctl token', () => {
    async function tenantctl(env: Record<string, string>, ...argv: string[]) {
      let stdout = '';
      let stderr = '';
      const code = await main(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, env: { DATABASE_URL: sw.world.db.url, OPENCLAW_LOG_LEVEL: 'warn', ...env }, cwd: sw.world.dataDir });
      return { code, stdout, stderr };
    }

    it('creates a token shown once that the server accepts in its role, lists it without the value, and revokes it', async () => {
      const server = await serve({}, {}, { host: '0.0.0.0', announce: () => {} });
      const created = await tenantctl({}, 'token', 'create', 'deploy-bot', '--role', 'viewer');
      expect(created.code).toBe(0);
      const token = created.stdout.trim().split('\n').pop()!;
      expect((await call(server, 'GET', '/api/fleet', { authorization: `Bearer ${token}` })).status).toBe(200);
      expect((await call(server, 'POST', '/api/source/refresh', { authorization: `Bearer ${token}` })).status).toBe(403);
      const listed = await tenantctl({}, 'token', 'list');
      expect(listed.stdout).toContain('deploy-bot\tviewer');
      expect(listed.stdout).not.toContain(token);
      expect((await tenantctl({}, 'token', 'revoke', 'deploy-bot')).code).toBe(0);
      expect((await call(server, 'GET', '/api/fleet', { authorization: `Bearer ${token}` })).status).toBe(401);
    });

    it('makes a token from a secret in an environment variable, never from argv, and refuses bad input', async () => {
      const secret = generateToken();
      const made = await tenantctl({ CI_OPS_TOKEN: secret }, 'token', 'create', 'ci', '--role', 'operator', '--from-env', 'CI_OPS_TOKEN');
      expect(made).toMatchObject({ code: 0 });
      expect(made.stdout).not.toContain(secret);
      expect(await new ApiTokens(sw.world.ctx.pool).authenticate(secret)).toEqual({ subject: 'token:ci', role: 'operator', via: 'token' });
      expect((await tenantctl({}, 'token', 'create', 'ci', '--role', 'admin')).stderr).toContain('(allowed: viewer, operator)');
      expect((await tenantctl({}, 'token', 'create', 'Bad Name', '--role', 'viewer')).code).toBe(64);
      expect((await tenantctl({ SHORT: 'abc' }, 'token', 'create', 'x', '--role', 'viewer', '--from-env', 'SHORT')).stderr).toContain('not a usable token');
    });
  });

  describe('behind an ALB that signs x-amzn-oidc-data', () => {
    let server: StatusServer;
    let signing: KeyObject;
    let other: KeyObject;
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    // The ALB pads its base64url segments with "=" and signs the padded text.
    const pad = (text: string) => text + '='.repeat((4 - (text.length % 4)) % 4);
    const albToken = (claims: object, header: { kid?: string; signer?: string; exp?: number } = {}, key = signing) => {
      const head = pad(b64({ typ: 'JWT', kid: 'key-1', alg: 'ES256', iss: 'https://idp.example', client: 'ops', signer: ALB_ARN, exp: Math.floor(Date.now() / 1000) + 60, ...header }));
      const body = pad(b64(claims));
      const signature = sign('sha256', Buffer.from(`${head}.${body}`), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
      return `${head}.${body}.${signature}`;
    };
    const alice = { sub: 'u-1', email: 'alice@example.com', groups: ['platform'] };
    const bob = { sub: 'u-2', email: 'bob@example.com', groups: ['support'] };

    beforeAll(async () => {
      const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      signing = pair.privateKey;
      keys.set('key-1', pair.publicKey.export({ type: 'spki', format: 'pem' }).toString());
      other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
      server = await serve({}, { alb: { arn: ALB_ARN, region: 'eu-west-1', keyUrl: 'http://keys.invalid/' }, operators: ['group:platform'], viewers: ['bob@example.com'] });
    });

    it('knows a person from a valid header and maps their group to a role', async () => {
      const response = await call(server, 'GET', '/api/me', { 'x-amzn-oidc-data': albToken(alice) });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ subject: 'alice@example.com', role: 'operator', via: 'alb' });
      expect((await call(server, 'GET', '/api/me', { 'x-amzn-oidc-data': albToken(bob) })).status).toBe(200);
    });

    it('refuses a missing, expired, wrongly signed or foreign header with 401', async () => {
      const cases: Record<string, Record<string, string>> = {
        missing: {},
        expired: { 'x-amzn-oidc-data': albToken(alice, { exp: Math.floor(Date.now() / 1000) - 5 }) },
        'wrong key': { 'x-amzn-oidc-data': albToken(alice, {}, other) },
        'unknown key id': { 'x-amzn-oidc-data': albToken(alice, { kid: 'key-2' }) },
        'wrong signer': { 'x-amzn-oidc-data': albToken(alice, { signer: ALB_ARN.replace('openclaw-ops', 'someone-else') }) },
        'not a JWT': { 'x-amzn-oidc-data': 'garbage' },
      };
      for (const [name, headers] of Object.entries(cases)) {
        expect((await call(server, 'GET', '/api/fleet', headers)).status, name).toBe(401);
      }
      expect((await call(server, 'GET', '/healthz')).status).toBe(200);
    });

    it('answers 403 to a person with no role, and to a viewer on an operator route', async () => {
      expect((await call(server, 'GET', '/api/fleet', { 'x-amzn-oidc-data': albToken({ sub: 'u-3', email: 'eve@example.com' }) })).status).toBe(403);
      const bobHeader = { 'x-amzn-oidc-data': albToken(bob) };
      const me = await (await call(server, 'GET', '/api/me', bobHeader)).json();
      expect((await call(server, 'POST', '/api/source/refresh', { ...bobHeader, 'x-csrf-token': me.csrfToken })).status).toBe(403);
    });

    it("needs the page's CSRF token for a change, and refuses a change from another site", async () => {
      const header = { 'x-amzn-oidc-data': albToken(alice) };
      expect((await call(server, 'POST', '/api/source/refresh', header)).status).toBe(403);
      const { csrfToken } = await (await call(server, 'GET', '/api/me', header)).json();
      expect((await call(server, 'POST', '/api/source/refresh', { ...header, 'x-csrf-token': 'x'.repeat(csrfToken.length) })).status).toBe(403);
      expect((await call(server, 'POST', '/api/source/refresh', { ...header, 'x-csrf-token': csrfToken, origin: 'https://evil.example' })).status).toBe(403);
      expect((await call(server, 'POST', '/api/source/refresh', { ...header, 'x-csrf-token': csrfToken })).status).toBe(202);
    });
  });

  describe('bound to loopback', () => {
    it('answers only for loopback host names unless an allowlist is configured', async () => {
      const local = await serve({}, {});
      expect(await statusWithHost(local, 'evil.example')).toBe(421);
      expect(await statusWithHost(local, `localhost:${local.port}`)).toBe(200);
      const listed = await serve({ allowedHosts: ['ops.example.com'] }, {});
      expect(await statusWithHost(listed, 'ops.example.com')).toBe(200);
      expect(await statusWithHost(listed, 'evil.example')).toBe(421);
    });

    it('refuses a body over the limit with 413 before acting on it', async () => {
      const small = await serve({ bodyLimitBytes: 1024 }, {});
      const response = await fetch(`${small.url}/api/source/refresh`, { method: 'POST', body: 'x'.repeat(4096), headers: { 'content-type': 'application/json' } });
      expect(response.status).toBe(413);
    });
  });

  describe('refresh', () => {
    it('runs no pass for a burst of refreshes of an unchanged source, and one pass for a burst after a change', async () => {
      const server = await serve({}, {});
      let passes = 0;
      sw.world.ctx.loop.onPass(() => { passes += 1; });
      await sw.world.ctx.loop.refreshSource();
      const burst = () => Promise.all(Array.from({ length: 50 }, () => fetch(`${server.url}/api/source/refresh`, { method: 'POST' })));
      expect((await burst()).every((r) => r.status === 202)).toBe(true);
      await server.close();
      expect(passes).toBe(0);

      const again = await serve({}, {});
      sw.world.writeTenant('hooli.yaml', [
        'apiVersion: openclaw.io/v1alpha1', 'kind: Tenant', 'metadata:', '  name: hooli', 'spec:', '  displayName: Hooli',
        '  contact:', '    email: ops@hooli.example', '  tier: starter', '  suspended: true', '',
      ].join('\n'));
      await Promise.all(Array.from({ length: 50 }, () => fetch(`${again.url}/api/source/refresh`, { method: 'POST' })));
      await again.close();
      expect(passes).toBe(1);
      sw.world.removeTenant('hooli.yaml');
    });
  });
});

/** GET /api/fleet with a Host header fetch() will not let us set. */
function statusWithHost(server: StatusServer, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, path: '/api/fleet', headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}
