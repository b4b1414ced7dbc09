/**
 * The operator API's way to issue an onboarding link: POST /api/tenants/:name/integrations/:provider/links
 * with an optional JSON body `{ "expires": "72h" }`. Operator role only; the answer carries the link once,
 * and the audit log records who issued it (never the link).
 */
import type { FastifyRequest } from 'fastify';
import { isIntegrationProvider } from '../../contract/integration-secret.js';
import { parseDuration } from '../config-reader.js';
import { ControllerError } from '../../contract/errors.js';
import type { StatusServerContext } from '../status/context.js';
import { sendJson } from '../status/reply.js';
import { tenantParam, type StatusRoute } from '../status/route.js';
import { issueLink } from './issue.js';
import { LinkStore } from './links.js';

const STATUS_BY_CODE: Partial<Record<ControllerError['code'], number>> = { USAGE: 400, CONFLICT: 409, CONFIG_INVALID: 503 };

export function issueLinkRoute(ctx: Pick<StatusServerContext, 'config' | 'pool' | 'store' | 'now'>): StatusRoute {
  const links = new LinkStore(ctx.pool, ctx.now);
  return {
    method: 'POST', url: '/api/tenants/:name/integrations/:provider/links', access: 'operate',
    async handler(request, reply) {
      const tenant = tenantParam(request);
      const provider = paramOf(request, 'provider');
      if (tenant === undefined) return sendJson(reply, 400, { error: 'invalid tenant name: lowercase letters, digits and "-", at most 40 characters' });
      if (provider === undefined || !isIntegrationProvider(provider)) return sendJson(reply, 400, { error: 'invalid provider (allowed: google, microsoft, hubspot)' });
      const body = request.body;
      const expires = typeof body === 'object' && body !== null && 'expires' in body ? body.expires : undefined;
      const ttlMs = typeof expires === 'string' ? parseDuration(expires) : undefined;
      if (expires !== undefined && ttlMs === undefined) return sendJson(reply, 400, { error: 'expires: not a duration (allowed: 1m to 30d, such as 30m, 72h, 7d)' });
      const by = request.principal?.subject ?? 'unknown';
      try {
        const link = await issueLink({ config: ctx.config, status: ctx.store, links }, { tenant, provider, ttlMs, createdBy: `api:${by}` });
        await ctx.store.audit(tenant, 'onboarding-link-issued', undefined, { provider, by, expiresAt: link.expiresAt });
        sendJson(reply, 201, link);
      } catch (error) {
        if (error instanceof ControllerError && STATUS_BY_CODE[error.code]) return sendJson(reply, STATUS_BY_CODE[error.code]!, { error: error.message });
        throw error;
      }
    },
  };
}

function paramOf(request: FastifyRequest, name: string): string | undefined {
  const params = request.params;
  const value = typeof params === 'object' && params !== null && name in params ? Reflect.get(params, name) : undefined;
  return typeof value === 'string' ? value : undefined;
}
