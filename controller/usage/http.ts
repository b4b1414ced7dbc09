/**
 * The usage API, as routes of the ops server (registered by controller/status/routes.ts):
 * GET /api/usage — the fleet: each tenant's cost, price and margin, sortable by cost or margin;
 * GET /api/tenants/:name/usage — one tenant: cost per meter and per day (the page's chart).
 * Both take ?from=YYYY-MM-DD&to=YYYY-MM-DD (default: this month to date). Read-only.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { tenantParam, type StatusRoute } from '../status/route.js';
import { sum } from './cost.js';
import { sendJson } from '../status/reply.js';
import { dailyCosts, parseRange, tokensIn, usageReport, type UsageRange, type UsageSource } from './report.js';

const query = (request: FastifyRequest, key: string): unknown => {
  const q = request.query;
  const value: unknown = typeof q === 'object' && q !== null ? Reflect.get(q, key) : undefined;
  return value;
};

function rangeOf(request: FastifyRequest, reply: FastifyReply, now: number): UsageRange | undefined {
  const range = parseRange(query(request, 'from'), query(request, 'to'), now);
  if ('problem' in range) {
    sendJson(reply, 400, { error: range.problem });
    return undefined;
  }
  return range;
}

export function usageRoutes(source: UsageSource, now: () => number): StatusRoute[] {
  return [
    {
      method: 'GET', url: '/api/usage', access: 'read', handler: async (request, reply) => {
        const sort = query(request, 'sort') ?? 'cost';
        if (sort !== 'cost' && sort !== 'margin') return sendJson(reply, 400, { error: `sort ${JSON.stringify(sort)} is not valid (allowed: cost, margin)` });
        const range = rangeOf(request, reply, now());
        if (!range) return;
        const report = await usageReport(source, range);
        const tenants = report.tenants
          .map(({ lines, ...t }) => ({ ...t, tokens: tokensIn(lines) }))
          .sort((a, b) => (sort === 'cost' ? b.costUsd - a.costUsd : a.marginUsd - b.marginUsd) || a.tenant.localeCompare(b.tenant));
        const totals = { costUsd: sum(tenants.map((t) => t.costUsd)), priceUsd: sum(tenants.map((t) => t.priceUsd)), marginUsd: sum(tenants.map((t) => t.marginUsd)) };
        sendJson(reply, 200, { from: report.from, to: report.to, pricesTakenOn: report.pricesTakenOn, alertShare: report.alertShare, sort, totals, tenants });
      },
    },
    {
      method: 'GET', url: '/api/tenants/:name/usage', access: 'read', handler: async (request, reply) => {
        const name = tenantParam(request);
        if (!name) return sendJson(reply, 400, { error: 'invalid tenant name: lowercase letters, digits and "-", at most 40 characters' });
        const range = rangeOf(request, reply, now());
        if (!range) return;
        const report = await usageReport(source, range, name);
        const tenant = report.tenants[0];
        if (!tenant) return sendJson(reply, 404, { error: `no tenant named ${name}` });
        const days = await dailyCosts(source, name, tenant.tier, range);
        sendJson(reply, 200, { from: report.from, to: report.to, pricesTakenOn: report.pricesTakenOn, alertShare: report.alertShare, ...tenant, tokens: tokensIn(tenant.lines), days });
      },
    },
  ];
}
