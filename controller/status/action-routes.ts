/**
 * Operator actions over HTTP: the same functions as the CLI verbs (actions/), each recorded in the audit
 * log under the caller's identity. A trigger answers 202 at once and records its end when the run ends.
 */
import type { FastifyRequest } from 'fastify';
import { recentAudit } from '../actions/audit.js';
import { auditedAction, type ActionDone } from '../actions/audited.js';
import { confirmDeletion, REVISION, REVISION_ALLOWED, type ConfirmResult } from '../actions/confirm.js';
import { setPaused, type PauseResult } from '../actions/pause.js';
import { rotateCredentials, rotationDone, type RotateResult } from '../actions/rotate.js';
import { errorMessage } from '../../contract/errors.js';
import { triggerRun, type TriggerResult } from '../scheduler/trigger.js';
import type { Principal } from './access/principal.js';
import type { BackgroundWork } from './refresh.js';
import type { StatusServerContext } from './context.js';
import { sendJson } from './reply.js';
import { tenantParam, type StatusRoute } from './route.js';

const AGENT = /^[a-z][a-z0-9-]{0,40}$/;

export function actionRoutes(ctx: StatusServerContext, refresh: () => void, background: BackgroundWork): StatusRoute[] {
  const act = <T>(request: FastifyRequest, action: string, target: string, tenant: string | undefined, run: () => Promise<ActionDone<T>>) =>
    auditedAction(ctx.pool, principalOf(request), { action, target, tenant }, run);
  const revisionInForce = () => ctx.loop.appliedSnapshot?.revision;

  return [
    {
      method: 'POST', url: '/api/source/refresh', access: 'operate', handler: async (request, reply) => {
        await act(request, 'refresh', 'source', undefined, async () => ({ result: undefined, ok: true, revision: revisionInForce(), message: 'accepted' }));
        refresh();
        sendJson(reply, 202, { status: 'accepted', message: 'the manifest source is read now, and a pass follows when it changed' });
      },
    },
    {
      method: 'POST', url: '/api/tenants/:name/runs', access: 'operate', handler: async (request, reply) => {
        const tenant = tenantParam(request);
        const agent = fieldOf(request.body, 'agent');
        if (!tenant || !agent || !AGENT.test(agent)) return sendJson(reply, 400, { error: 'a tenant name in the path and {"agent": "<agent name>"} in the body are required' });
        const principal = principalOf(request);
        // The run may take minutes: answer now, record its end in the audit log when it ends.
        background.add(auditedAction<TriggerResult>(ctx.pool, principal, { action: 'trigger', target: `${tenant}/${agent}`, tenant }, async () => {
          const result = await triggerRun(ctx, tenant, agent);
          return result.ok ? { result, ok: true, revision: revisionInForce(), message: `run ${result.run.id} ${result.run.status}` } : { result, ok: false, revision: revisionInForce(), message: result.message };
        }).catch((error) => ctx.log.error({ err: error, tenant, agent }, 'a triggered run failed')));
        sendJson(reply, 202, { status: 'accepted', message: `a run of ${tenant}/${agent} is starting; its result appears in the audit log and the tenant's runs` });
      },
    },
    {
      method: 'POST', url: '/api/tenants/:name/rotate', access: 'operate', handler: async (request, reply) => {
        const tenant = tenantParam(request);
        if (!tenant) return sendJson(reply, 400, { error: 'invalid tenant name' });
        const { result } = await act<RotateResult>(request, 'rotate', tenant, tenant, async () => rotationDone(await rotateCredentials(ctx, tenant)));
        sendJson(reply, result.rotated ? 200 : 409, { tenant, ...result });
      },
    },
    ...[true, false].map((paused): StatusRoute => ({
      method: 'POST', url: `/api/tenants/:name/${paused ? 'pause' : 'resume'}`, access: 'operate', handler: async (request, reply) => {
        const tenant = tenantParam(request);
        if (!tenant) return sendJson(reply, 400, { error: 'invalid tenant name' });
        const action = paused ? 'pause' : 'resume';
        const { result } = await act<PauseResult>(request, action, tenant, tenant, async () => {
          const done = await setPaused(ctx, tenant, paused, principalOf(request).subject);
          return done.done ? { result: done, ok: true, revision: done.revision, message: done.changed ? undefined : `already ${paused ? 'paused' : 'not paused'}` } : { result: done, ok: false, message: done.error };
        });
        sendJson(reply, result.done ? 200 : 409, { tenant, ...result });
      },
    })),
    {
      method: 'POST', url: '/api/deletions/:revision/confirm', access: 'operate', handler: async (request, reply) => {
        const given = fieldOf(request.params, 'revision');
        if (!given || !REVISION.test(given)) return sendJson(reply, 400, { error: `not a revision (allowed: ${REVISION_ALLOWED})` });
        const { result } = await act<ConfirmResult>(request, 'confirm-deletion', given, undefined, async () => {
          const confirmed = await confirmDeletion(ctx.store, given, principalOf(request).subject, ctx.now());
          return confirmed.confirmed ? { result: confirmed, ok: true, revision: confirmed.revision } : { result: confirmed, ok: false, message: confirmed.error };
        });
        sendJson(reply, result.confirmed ? 200 : 409, result);
      },
    },
    {
      method: 'GET', url: '/api/audit', access: 'read', handler: async (request, reply) => {
        const tenant = fieldOf(request.query, 'tenant');
        sendJson(reply, 200, { entries: await recentAudit(ctx.pools.api, { tenant, limit: 100 }) });
      },
    },
  ];
}

function principalOf(request: FastifyRequest): Principal {
  // The guard sets it on every route that is not open; an operator route without one is a bug, not a caller.
  if (!request.principal) throw new Error(`no principal on ${request.method} ${request.url}: the access check did not run`);
  return request.principal;
}

function fieldOf(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const found: unknown = Object.entries(value).find(([k]) => k === key)?.[1];
  return typeof found === 'string' ? found : undefined;
}

