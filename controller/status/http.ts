/**
 * The controller's ops HTTP server, on fastify: health and readiness probes, Prometheus metrics,
 * the JSON status API, the git-push webhook, and the static ops page (routes.ts). Read-only
 * except for POST /api/source/refresh, which only makes the controller read its source sooner.
 */
import fastifyCookie from '@fastify/cookie';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { listeningPort } from '../listening-port.js';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { Readable } from 'node:stream';
import { recordAudit } from '../actions/audit.js';
import { createAlbVerifier } from './access/alb.js';
import { createGuard } from './access/guard.js';
import { oidcRoutes } from './access/oidc.js';
import { isLoopback } from './access/principal.js';
import { createSigner } from './access/session.js';
import { ApiTokens, generateToken, hashToken } from './access/tokens.js';
import { createMetrics } from './metrics.js';
import { registerUsageMetrics } from '../usage/metrics.js';
import { usageSourceOf } from '../usage/report.js';
import { backgroundWork, coalesced } from './refresh.js';
import { sendJson } from './reply.js';
import { statusRoutes, type RouteMethod, type StatusRoute } from './routes.js';
import { StatusStore } from './store.js';
import type { StatusServerContext } from './context.js';
import type { StatusReader } from './views.js';

export type { StatusServerContext } from './context.js';

export interface StatusServerOptions {
  /** config.http.port by default; 0 picks a free port. */
  port?: number;
  /** config.http.bind by default. */
  host?: string;
  /** Where the generated admin token is shown, once (stderr by default; never the JSON log). */
  announce?: (text: string) => void;
  /** Fetches the ALB's public keys (tests pass their own). */
  fetch?: typeof fetch;
}

export interface StatusServer {
  server: Server;
  port: number;
  /** http://127.0.0.1:<port> */
  url: string;
  /** Every route and the access it needs. */
  routes: readonly Pick<StatusRoute, 'method' | 'url' | 'access'>[];
  /** Settles once the work requests started in the background (source refreshes and the passes they run, triggered runs) is done. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};
const METHODS: readonly string[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * Starts the server. Bound to loopback with no sign-in configured, anonymous callers are operators
 * (local use); bound anywhere else, every route but the probes needs credentials, and without an ALB
 * or an OIDC login the server makes an admin token and shows it once.
 */
export async function startStatusServer(ctx: StatusServerContext, options: StatusServerOptions = {}): Promise<StatusServer> {
  const log = ctx.log.child({ component: 'http' });
  // Reads on demand go through the API's own pool, so a burst of them cannot starve a pass or the lease.
  const apiStore = new StatusStore(ctx.pools.api);
  const metrics = createMetrics({ ...ctx, pool: ctx.pools.api, store: apiStore });
  registerUsageMetrics(metrics.registry, usageSourceOf({ ...ctx, pool: ctx.pools.api, store: apiStore }), ctx.now);
  let stopped = false;
  ctx.loop.onPass((report, pass) => {
    if (!stopped) metrics.observePass(report, pass);
  });
  const reader: StatusReader = { pool: ctx.pools.api, store: apiStore, now: ctx.now };
  const refresh = coalesced(async () => {
    ctx.source.trigger?.();
    await ctx.loop.applyNewRevision();
  }, (error) => log.error({ err: error }, 'could not refresh the manifest source'));
  const background = backgroundWork();

  const { http } = ctx.config;
  const host = options.host ?? http.bind;
  const loopback = isLoopback(host);
  const { alb, oidc, sessionSecret } = http.auth;
  const signer = createSigner(sessionSecret ? Buffer.from(sessionSecret) : randomBytes(32));
  let bootstrapHash: string | undefined;
  if (!loopback && !alb && !oidc) {
    const token = generateToken();
    bootstrapHash = hashToken(token);
    (options.announce ?? ((text) => process.stderr.write(text)))(
      `The ops server listens on ${host}, and no sign-in (ALB or OIDC) is configured.\nAdmin token for this process (shown once): ${token}\n`,
    );
    log.warn({ bind: host }, 'no sign-in configured on a non-loopback address: an admin token was generated and printed to stderr');
  }
  const guard = createGuard({
    http, loopback, signer, bootstrapHash, now: ctx.now, log,
    tokens: new ApiTokens(ctx.pools.api),
    alb: alb ? createAlbVerifier({ arn: alb.arn, keyUrl: alb.keyUrl, now: ctx.now, fetch: options.fetch }) : undefined,
    onRefused: (refusal) => recordAudit(ctx.pools.api, {
      principal: refusal.who ?? { subject: `unauthenticated ${refusal.ip}`, role: 'viewer', via: 'anonymous' },
      action: `${refusal.method} ${refusal.path}`, target: refusal.path, revision: ctx.loop.appliedSnapshot?.revision,
      result: 'refused', message: `${refusal.status}: ${refusal.error}`,
    }),
  });

  const loggerInstance: FastifyBaseLogger = log;
  const app = Fastify({
    loggerInstance,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: http.bodyLimitBytes,
    // Slow clients are bounded: the whole request within requestTimeout, idle keep-alive sockets closed.
    requestTimeout: http.requestTimeoutMs,
    connectionTimeout: http.requestTimeoutMs * 2,
    keepAliveTimeout: 5_000,
    routerOptions: { maxParamLength: 200 },
  });
  await app.register(fastifyCookie);
  app.addHook('onSend', async (_request, reply) => {
    void reply.headers(SECURITY_HEADERS);
  });
  // Webhook bodies are not read: any content type is accepted and ignored (JSON is still parsed).
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => done(null, undefined));
  const routes = [...statusRoutes({ ctx, reader, metrics, refresh, background, signer }), ...(oidc ? oidcRoutes({ ...http.auth, oidc }, signer, ctx.now) : [])];
  registerRoutes(app, routes, guard);
  app.setNotFoundHandler(async (request, reply) => sendJson(reply, 404, { error: `no such path: ${pathOf(request.url)}` }));
  app.setErrorHandler(async (error, request, reply) => sendError(error, request, reply));

  const port = options.port ?? ctx.config.http.port;
  await app.listen({ port, host });
  const actual = listeningPort(app.server, 'status server');
  log.info({ port: actual }, 'status server listening');
  return {
    server: app.server,
    port: actual,
    url: `http://127.0.0.1:${actual}`,
    routes: routes.map(({ method, url, access }) => ({ method, url, access })),
    async settled() {
      await refresh.idle();
      await background.idle();
    },
    async close() {
      stopped = true;
      await app.close();
      await refresh.idle();
    },
  };

  function sendError(error: unknown, request: { method: string; url: string }, reply: FastifyReply): void {
    const status = statusCodeOf(error);
    if (status !== undefined && status >= 400 && status < 500) {
      sendJson(reply, status, { error: error instanceof Error ? error.message : 'bad request' });
      return;
    }
    log.error({ err: error, method: request.method, path: pathOf(request.url) }, 'request failed');
    // The cause goes to the log only: an error's text is not vetted for secrets the way status is.
    sendJson(reply, 500, { error: 'internal error', message: 'see the controller log' });
  }
}

/** Registers each route, and a 405 (with `allow`) for the methods a known path does not support. */
function registerRoutes(app: FastifyInstance, routes: readonly StatusRoute[], guard: ReturnType<typeof createGuard>): void {
  const byUrl = new Map<string, RouteMethod[]>();
  for (const route of routes) {
    app.route({ method: route.method, url: route.url, onRequest: guard(route), handler: route.handler, ...(route.rawBody ? { preParsing: keepRawBody } : {}) });
    byUrl.set(route.url, [...(byUrl.get(route.url) ?? []), route.method]);
  }
  for (const [url, allowed] of byUrl) {
    const served = new Set<string>(allowed.includes('GET') ? [...allowed, 'HEAD'] : allowed);
    const others = METHODS.filter((method) => !served.has(method));
    app.route({
      method: others, url, handler: async (request, reply) => {
        void reply.header('allow', allowed.join(', '));
        sendJson(reply, 405, { error: `method ${request.method} not allowed on ${pathOf(request.url)}` });
      },
    });
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: Buffer;
  }
}

/** Keeps the body's bytes on the request (bounded by the body limit) and hands the parser the same bytes. */
async function keepRawBody(request: FastifyRequest, _reply: FastifyReply, payload: NodeJS.ReadableStream): Promise<NodeJS.ReadableStream> {
  const limit = request.routeOptions.bodyLimit ?? 1024 * 1024;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of payload) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    size += buffer.length;
    if (size > limit) throw Object.assign(new Error(`the request body is larger than ${limit} bytes`), { statusCode: 413 });
    chunks.push(buffer);
  }
  request.rawBody = Buffer.concat(chunks);
  return Object.assign(Readable.from([request.rawBody]), { receivedEncodedLength: size });
}

function statusCodeOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('statusCode' in error)) return undefined;
  return typeof error.statusCode === 'number' ? error.statusCode : undefined;
}

function pathOf(url: string): string {
  return new URL(url, 'http://localhost').pathname;
}
