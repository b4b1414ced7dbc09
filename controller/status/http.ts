/**
 * The controller's HTTP server, on node:http: health and readiness probes, Prometheus metrics,
 * the JSON status API, the git-push webhook, and the static ops page. Read-only except for
 * POST /api/source/refresh, which only makes the controller read its source sooner.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ControllerContext } from '../main.js';
import { errorMessage } from '../errors.js';
import { createMetrics } from './metrics.js';
import { describeTenant, fleetView, isTenantName, listTenants, type StatusReader } from './views.js';

export type StatusServerContext = Pick<ControllerContext, 'config' | 'log' | 'pool' | 'store' | 'provider' | 'reconciler' | 'loop' | 'source' | 'now'>;

export interface StatusServer {
  server: Server;
  port: number;
  /** http://127.0.0.1:<port> */
  url: string;
  close(): Promise<void>;
}

const PAGE_DIR = fileURLToPath(new URL('./page/', import.meta.url));
const PAGE_FILES: Record<string, string> = { '/app.js': 'app.js', '/style.css': 'style.css', '/favicon.svg': 'favicon.svg' };
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml',
};
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

type Handler = (req: IncomingMessage, res: ServerResponse, params: string[]) => Promise<void>;
interface Route { method: 'GET' | 'POST'; pattern: RegExp; handler: Handler }

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

  const routes: Route[] = [
    { method: 'GET', pattern: /^\/healthz$/, handler: async (_req, res) => sendJson(res, 200, { status: 'ok' }) },
    {
      method: 'GET', pattern: /^\/readyz$/, handler: async (_req, res) => {
        const reason = await notReadyReason(ctx);
        sendJson(res, reason ? 503 : 200, reason ? { status: 'not ready', reason } : { status: 'ready' });
      },
    },
    {
      method: 'GET', pattern: /^\/metrics$/, handler: async (_req, res) => {
        const body = await metrics.registry.metrics();
        send(res, 200, metrics.registry.contentType, body);
      },
    },
    {
      method: 'GET', pattern: /^\/api\/fleet$/, handler: async (_req, res) => sendJson(res, 200, await fleetView(reader)),
    },
    {
      method: 'GET', pattern: /^\/api\/tenants$/, handler: async (_req, res) => sendJson(res, 200, { tenants: await listTenants(reader) }),
    },
    {
      method: 'GET', pattern: /^\/api\/tenants\/([^/]+)$/, handler: async (_req, res, [raw]) => {
        const name = safeDecode(raw);
        if (name === undefined || !isTenantName(name)) return sendJson(res, 400, { error: 'invalid tenant name: lowercase letters, digits and "-", at most 40 characters' });
        const detail = await describeTenant(reader, name);
        if (!detail) return sendJson(res, 404, { error: `no tenant named ${name}` });
        sendJson(res, 200, detail);
      },
    },
    {
      method: 'POST', pattern: /^\/api\/source\/refresh$/, handler: async (req, res) => {
        req.resume();
        refresh();
        sendJson(res, 202, { status: 'accepted', message: 'the manifest source is read now, and a pass follows when it changed' });
      },
    },
    { method: 'GET', pattern: /^\/(?:tenants\/[^/]*)?$/, handler: async (_req, res) => sendPage(res, 'index.html') },
    {
      method: 'GET', pattern: /^(\/app\.js|\/style\.css|\/favicon\.svg)$/, handler: async (_req, res, [path]) => sendPage(res, PAGE_FILES[path]),
    },
  ];

  const server = createServer((req, res) => {
    void handle(req, res).catch((error) => {
      log.error({ err: error, method: req.method, path: req.url }, 'request failed');
      // The cause goes to the log only: an error's text is not vetted for secrets the way status is.
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error', message: 'see the controller log' });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const matching = routes.map((route) => ({ route, match: route.pattern.exec(path) })).filter((m) => m.match);
    if (matching.length === 0) return sendJson(res, 404, { error: `no such path: ${path}` });
    const found = matching.find((m) => m.route.method === method);
    if (!found) {
      res.setHeader('allow', [...new Set(matching.map((m) => m.route.method))].join(', '));
      return sendJson(res, 405, { error: `method ${req.method} not allowed on ${path}` });
    }
    await found.route.handler(req, res, found.match!.slice(1));
  }

  const port = options.port ?? ctx.config.http.port;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  log.info({ port: actual }, 'status server listening');
  return {
    server,
    port: actual,
    url: `http://127.0.0.1:${actual}`,
    async close() {
      stopped = true;
      server.closeIdleConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await refresh.idle();
    },
  };
}

/** Why the controller is not ready, or undefined when it is: the database answers and the first pass is done. */
async function notReadyReason(ctx: StatusServerContext): Promise<string | undefined> {
  try {
    await withTimeout(ctx.pool.query('SELECT 1'), 2_000, 'the database did not answer within 2s');
  } catch (error) {
    return `database: ${errorMessage(error)}`;
  }
  if (!ctx.loop.firstPassDone) return 'the first reconcile pass has not finished';
  return undefined;
}

async function sendPage(res: ServerResponse, file: string): Promise<void> {
  const body = await readFile(join(PAGE_DIR, file));
  res.setHeader('cache-control', 'no-cache');
  send(res, 200, CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.setHeader('cache-control', 'no-store');
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(body)}\n`);
}

function send(res: ServerResponse, status: number, contentType: string, body: string | Buffer): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(message)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

/** Runs `task` now, or once more after the running one when asked while it runs: a burst of webhooks is one or two refreshes. */
function coalesced(task: () => Promise<void>, onError: (error: unknown) => void): (() => void) & { idle(): Promise<void> } {
  let running: Promise<void> | undefined;
  let again = false;
  const start = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = task().catch(onError).finally(() => {
      running = undefined;
      if (again) {
        again = false;
        start();
      }
    });
  };
  return Object.assign(start, { idle: async () => { while (running) await running; } });
}
