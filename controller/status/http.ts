/**
 * The controller's ops HTTP server, on fastify: health and readiness probes, Prometheus metrics,
 * the JSON status API, the git-push webhook, and the static ops page (routes.ts). Read-only
 * except for POST /api/source/refresh, which only makes the controller read its source sooner.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ControllerContext } from '../main.js';
import { createMetrics } from './metrics.js';
import { coalesced } from './refresh.js';
import { sendJson, statusRoutes, type RouteMethod, type StatusRoute } from './routes.js';
import type { StatusReader } from './views.js';

export type StatusServerContext = Pick<ControllerContext, 'config' | 'log' | 'pool' | 'store' | 'provider' | 'reconciler' | 'loop' | 'source' | 'now'>;

export interface StatusServer {
  server: Server;
  port: number;
  /** http://127.0.0.1:<port> */
  url: string;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};
const METHODS: readonly string[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** Starts the server on `port` (config.http.port by default; 0 picks a free port). */
export async function startStatusServer(ctx: StatusServerContext, options: { port?: number; host?: string } = {}): Promise<StatusServer> {
  const log = ctx.log.child({ component: 'http' });
  const metrics = createMetrics(ctx);
  let stopped = false;
  ctx.loop.onPass((report, pass) => {
    if (!stopped) metrics.observePass(report, pass);
  });
  const reader: StatusReader = { pool: ctx.pool, store: ctx.store, now: ctx.now };
  const refresh = coalesced(async () => {
    ctx.source.trigger?.();
    const { snapshot } = await ctx.loop.refreshSource();
    if (snapshot) await ctx.loop.pass();
  }, (error) => log.error({ err: error }, 'could not refresh the manifest source'));

  const loggerInstance: FastifyBaseLogger = log;
  const app = Fastify({ loggerInstance, logController: new LogController({ disableRequestLogging: true }) });
  app.addHook('onSend', async (_request, reply) => {
    void reply.headers(SECURITY_HEADERS);
  });
  // Webhook bodies are not read: any content type is accepted and ignored (JSON is still parsed).
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => done(null, undefined));
  registerRoutes(app, statusRoutes({ ctx, reader, metrics, refresh }));
  app.setNotFoundHandler(async (request, reply) => sendJson(reply, 404, { error: `no such path: ${pathOf(request.url)}` }));
  app.setErrorHandler(async (error, request, reply) => sendError(error, request, reply));

  const port = options.port ?? ctx.config.http.port;
  await app.listen({ port, host: options.host ?? '::' });
  const actual = (app.server.address() as AddressInfo).port;
  log.info({ port: actual }, 'status server listening');
  return {
    server: app.server,
    port: actual,
    url: `http://127.0.0.1:${actual}`,
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
function registerRoutes(app: FastifyInstance, routes: readonly StatusRoute[]): void {
  const byUrl = new Map<string, RouteMethod[]>();
  for (const route of routes) {
    app.route({ method: route.method, url: route.url, handler: route.handler });
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

function statusCodeOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('statusCode' in error)) return undefined;
  return typeof error.statusCode === 'number' ? error.statusCode : undefined;
}

function pathOf(url: string): string {
  return new URL(url, 'http://localhost').pathname;
}
