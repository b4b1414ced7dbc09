/**
 * The ops server's access check, run before each route reads its body: the Host header, then who the
 * caller is (bearer token, ALB header, session cookie, or anonymous on loopback only), then whether
 * their role allows the route, then, for a change, that it does not come from another site.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { HttpConfig } from '../../config-http.js';
import { errorMessage } from '../../../contract/errors.js';
import { sameSecret } from '../../signed-json.js';
import { sendJson } from '../reply.js';
import { AuthenticationError } from './alb.js';
import { isLoopback, roleAllows, roleFor, type Access, type Identity, type Principal } from './principal.js';
import { sessionPrincipal, SESSION_COOKIE, type Signer } from './session.js';
import { hashToken, type ApiTokens } from './tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export interface GuardOptions {
  http: HttpConfig;
  /** The server listens on a loopback address only. */
  loopback: boolean;
  tokens: ApiTokens;
  signer: Signer;
  /** Verifies x-amzn-oidc-data when an ALB signs people in. */
  alb?: (token: string) => Promise<Identity>;
  /** SHA-256 of the admin token generated at start, when no other way to sign in is configured. */
  bootstrapHash?: string;
  now: () => number;
  log: Logger;
  /** An operator route refused a caller (401 or 403): recorded in the audit log. `who` is unset when the caller is unknown. */
  onRefused?(refusal: { method: string; path: string; status: 401 | 403; error: string; who?: Principal; ip: string }): Promise<void>;
}

export interface RouteAccess {
  access: Access;
  /** A page a browser opens: without a session it redirects to the login (when there is one). */
  page?: boolean;
}

type Outcome = { principal: Principal } | { status: 401 | 403 | 421; error: string; who?: Principal };

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function createGuard(options: GuardOptions) {
  const { http, signer } = options;
  const anonymousAllowed = options.loopback && !http.auth.alb && !http.auth.oidc;

  function hostAllowed(host: string | undefined): boolean {
    if (host === undefined) return false;
    const name = host.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1').toLowerCase();
    if (http.allowedHosts.length > 0) return http.allowedHosts.some((allowed) => allowed.toLowerCase() === host.toLowerCase() || allowed.toLowerCase() === name);
    return !options.loopback || isLoopback(name);
  }

  async function identify(request: FastifyRequest, access: Access): Promise<Outcome | undefined> {
    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
      if (!token) return { status: 401, error: 'the Authorization header must be "Bearer <token>"' };
      if (options.bootstrapHash !== undefined && hashToken(token) === options.bootstrapHash) return { principal: { subject: 'token:admin', role: 'operator', via: 'token' } };
      if (access === 'metrics' && http.auth.metricsToken !== undefined && sameSecret(token, http.auth.metricsToken)) return { principal: { subject: 'token:metrics', role: 'viewer', via: 'token' } };
      const principal = await options.tokens.authenticate(token);
      return principal ? { principal } : { status: 401, error: 'the bearer token is not valid' };
    }
    if (options.alb) {
      const data = request.headers['x-amzn-oidc-data'];
      if (typeof data !== 'string') return undefined;
      try {
        const identity = await options.alb(data);
        const role = roleFor(identity, http.auth);
        if (!role) return { status: 403, error: `${identity.subject} has no role on the ops API (ask for OPENCLAW_OPS_VIEWERS or OPENCLAW_OPS_OPERATORS)` };
        return { principal: { subject: identity.subject, role, via: 'alb' } };
      } catch (error) {
        if (!(error instanceof AuthenticationError)) throw error;
        options.log.warn({ reason: errorMessage(error), path: request.url }, 'refused an ALB token');
        return { status: 401, error: error.message };
      }
    }
    const session = sessionPrincipal(signer, request.cookies[SESSION_COOKIE], options.now());
    if (session) return { principal: session };
    if (anonymousAllowed) return { principal: { subject: 'anonymous', role: 'operator', via: 'anonymous' } };
    return undefined;
  }

  async function check(request: FastifyRequest, route: RouteAccess): Promise<Outcome> {
    if (!hostAllowed(request.headers.host)) return { status: 421, error: `host ${JSON.stringify(request.headers.host ?? '')} is not one this server answers for (OPENCLAW_HTTP_ALLOWED_HOSTS)` };
    const identified = await identify(request, route.access);
    if (!identified) return { status: 401, error: 'authentication required' };
    if (!('principal' in identified)) return identified;
    const { principal } = identified;
    if (!roleAllows(principal.role, route.access)) return { status: 403, error: `the ${principal.role} role may not do this (it needs the operator role)`, who: principal };
    if (UNSAFE.has(request.method)) {
      const origin = request.headers.origin;
      if (origin !== undefined && !sameOrigin(origin, request.headers.host)) return { status: 403, error: 'a change from another site is refused', who: principal };
      const csrf = request.headers['x-csrf-token'];
      if ((principal.via === 'alb' || principal.via === 'session') && !signer.csrfValid(principal, typeof csrf === 'string' ? csrf : undefined)) {
        return { status: 403, error: 'a change from the browser needs the x-csrf-token header from /api/me', who: principal };
      }
    }
    return identified;
  }

  /** The onRequest hook of a route that needs `route.access`. */
  return (route: RouteAccess) => async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (route.access === 'open') return;
    const outcome = await check(request, route);
    if ('principal' in outcome) {
      request.principal = outcome.principal;
      return;
    }
    if (route.access === 'operate' && outcome.status !== 421 && options.onRefused) {
      await options.onRefused({ method: request.method, path: request.url.split('?')[0], status: outcome.status, error: outcome.error, who: outcome.who, ip: request.ip })
        .catch((error) => options.log.error({ err: error }, 'could not record a refused request in the audit log'));
    }
    if (outcome.status === 401 && route.page && http.auth.oidc && request.method === 'GET') {
      await reply.redirect(`/auth/login?next=${encodeURIComponent(request.url)}`, 302);
      return;
    }
    if (outcome.status === 401) void reply.header('www-authenticate', http.auth.oidc || http.auth.alb ? 'Bearer realm="openclaw", OIDC' : 'Bearer realm="openclaw"');
    sendJson(reply, outcome.status, { error: outcome.error });
  };
}

function sameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
