/**
 * The ops server's routes as data: method, path, handler. http.ts registers them on fastify and
 * answers 405 for the other methods of a known path; the route table is also what the access
 * tests walk, so a new route cannot be left out of them.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorMessage } from '../../contract/errors.js';
import type { StatusMetrics } from './metrics.js';
import { describeTenant, fleetView, listTenants, type StatusReader } from './views.js';
import type { Signer } from './access/session.js';
import type { StatusServerContext } from './context.js';
import { tenantParam, type StatusRoute } from './route.js';
import { sendJson } from './reply.js';
import { issueLinkRoute } from '../integrations/operator-route.js';
import { actionRoutes } from './action-routes.js';
import { digestRoutes } from './digest.js';
import { usageRoutes } from '../usage/http.js';
import { usageSourceOf } from '../usage/report.js';
import { notificationsRoute } from '../notify/route.js';
import { githubHookRoute } from './github-hook.js';
import type { BackgroundWork } from './refresh.js';

export { tenantParam, type RouteMethod, type StatusRoute } from './route.js';

export interface RouteDeps {
  ctx: StatusServerContext;
  reader: StatusReader;
  metrics: StatusMetrics;
  /** Reads the source now; a pass follows when it changed. Returns at once. */
  refresh(): void;
  /** Holds work a route answered for before it ended (a triggered run), so the server can tell when it has settled. */
  background: BackgroundWork;
  signer: Signer;
}

const PAGE_DIR = fileURLToPath(new URL('./page/', import.meta.url));
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml',
};
const INVALID_TENANT_NAME = 'invalid tenant name: lowercase letters, digits and "-", at most 40 characters';

export function statusRoutes({ ctx, reader, metrics, refresh, background, signer }: RouteDeps): StatusRoute[] {
  const page = (file: string) => async (_request: FastifyRequest, reply: FastifyReply) => sendPage(reply, file);
  return [
    { method: 'GET', url: '/healthz', access: 'open', handler: async (_request, reply) => sendJson(reply, 200, { status: 'ok' }) },
    {
      method: 'GET', url: '/readyz', access: 'open', handler: async (_request, reply) => {
        const reason = await notReadyReason(ctx);
        sendJson(reply, reason ? 503 : 200, reason ? { status: 'not ready', reason } : { status: 'ready' });
      },
    },
    {
      method: 'GET', url: '/metrics', access: 'metrics', handler: async (_request, reply) => {
        const body = await metrics.registry.metrics();
        await reply.code(200).type(metrics.registry.contentType).send(body);
      },
    },
    {
      method: 'GET', url: '/api/me', access: 'read', handler: async (request, reply) => {
        const principal = request.principal;
        if (!principal) return sendJson(reply, 401, { error: 'authentication required' });
        const { oidc, alb } = ctx.config.http.auth;
        sendJson(reply, 200, { ...principal, csrfToken: signer.csrfToken(principal), login: oidc ? 'oidc' : alb ? 'alb' : null });
      },
    },
    { method: 'GET', url: '/api/fleet', access: 'read', handler: async (_request, reply) => sendJson(reply, 200, await fleetView(reader)) },
    { method: 'GET', url: '/api/tenants', access: 'read', handler: async (_request, reply) => sendJson(reply, 200, { tenants: await listTenants(reader) }) },
    {
      method: 'GET', url: '/api/tenants/:name', access: 'read', handler: async (request, reply) => {
        const name = tenantParam(request);
        if (name === undefined) return sendJson(reply, 400, { error: INVALID_TENANT_NAME });
        const detail = await describeTenant(reader, name);
        if (!detail) return sendJson(reply, 404, { error: `no tenant named ${name}` });
        sendJson(reply, 200, detail);
      },
    },
    ...actionRoutes(ctx, refresh, background),
    ...digestRoutes(ctx),
    issueLinkRoute(ctx),
    notificationsRoute(ctx),
    // Only with a secret: an unsigned caller of an open route would be anyone.
    ...(ctx.config.webhook.githubSecret ? [githubHookRoute({
      secret: ctx.config.webhook.githubSecret, branch: ctx.config.git.url ? ctx.config.git.branch : undefined,
      pool: ctx.pools.api, revisionInForce: () => ctx.loop.appliedSnapshot?.revision, refresh,
    })] : []),
    { method: 'GET', url: '/', access: 'read', page: true, handler: page('index.html') },
    { method: 'GET', url: '/tenants/:name', access: 'read', page: true, handler: page('index.html') },
    { method: 'GET', url: '/app.js', access: 'read', handler: page('app.js') },
    { method: 'GET', url: '/style.css', access: 'read', handler: page('style.css') },
    { method: 'GET', url: '/favicon.svg', access: 'read', handler: page('favicon.svg') },
    { method: 'GET', url: '/usage.js', access: 'read', handler: page('usage.js') },
    ...usageRoutes(usageSourceOf({ pool: reader.pool, store: reader.store, config: ctx.config }), ctx.now),
  ];
}


/** Why the controller is not ready, or undefined when it is: the database answers and the first pass is done. */
async function notReadyReason(ctx: StatusServerContext): Promise<string | undefined> {
  try {
    await withTimeout(ctx.pools.lease.query('SELECT 1'), 2_000, 'the database did not answer within 2s');
  } catch (error) {
    return `database: ${errorMessage(error)}`;
  }
  if (!ctx.loop.firstPassDone) return 'the first reconcile pass has not finished';
  return undefined;
}

async function sendPage(reply: FastifyReply, file: string): Promise<void> {
  const body = await readFile(join(PAGE_DIR, file));
  await reply.code(200).header('cache-control', 'no-cache').type(CONTENT_TYPES[extname(file)] ?? 'application/octet-stream').send(body);
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(message)), ms); }),
  ]).finally(() => clearTimeout(timer));
}
