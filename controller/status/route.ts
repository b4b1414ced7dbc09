/** What a route of the ops server is, shared by the route tables of status/ and integrations/. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteAccess } from './access/guard.js';
import { isTenantName } from './views.js';

export type RouteMethod = 'GET' | 'POST';

export interface StatusRoute extends RouteAccess {
  method: RouteMethod;
  /** A fastify path (`:name` for a parameter). */
  url: string;
  handler(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** The handler reads `request.rawBody`, the body's bytes as sent (to verify a signature over them). */
  rawBody?: boolean;
}

/** The `:name` parameter when it is a tenant name (fastify has already percent-decoded it). */
export function tenantParam(request: FastifyRequest): string | undefined {
  const params = request.params;
  const name = typeof params === 'object' && params !== null && 'name' in params ? params.name : undefined;
  return typeof name === 'string' && isTenantName(name) ? name : undefined;
}
