/**
 * GitHub's push webhook: POST /api/hooks/github, known by the HMAC-SHA256 of its body with the webhook's
 * secret (`X-Hub-Signature-256`), not by an ops credential. A verified push to the branch the controller
 * follows makes it read the source now (the same coalesced refresh as POST /api/source/refresh); a ping or
 * another branch is acknowledged and changes nothing. A refused delivery is recorded in the audit log.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { recordAudit, type AuditRecord } from '../actions/audit.js';
import type { Pool } from '../db/pool.js';
import type { Principal } from './access/principal.js';
import { sendJson } from './reply.js';
import type { StatusRoute } from './route.js';

export const GITHUB_HOOK_PATH = '/api/hooks/github';

const WEBHOOK: Principal = { subject: 'github-webhook', role: 'operator', via: 'webhook' };

/** Pure: does `header` (`sha256=<hex>`) carry the HMAC-SHA256 of `body` with `secret`? Compared in constant time. */
export function githubSignatureValid(secret: string, body: Buffer, header: string | undefined): boolean {
  const given = /^sha256=([0-9a-f]{64})$/.exec(header ?? '')?.[1];
  if (!given) return false;
  return timingSafeEqual(Buffer.from(given, 'hex'), createHmac('sha256', secret).update(body).digest());
}

export interface GithubHookContext {
  secret: string;
  /** The branch the controller follows: pushes to other refs are acknowledged and ignored. */
  branch: string | undefined;
  pool: Pick<Pool, 'query'>;
  revisionInForce(): string | undefined;
  refresh(): void;
}

export function githubHookRoute(ctx: GithubHookContext): StatusRoute {
  return {
    // Open at the guard: the signature is the credential, checked here over the raw body. Registered only with a secret.
    method: 'POST', url: GITHUB_HOOK_PATH, access: 'open', rawBody: true,
    async handler(request, reply) {
      const { secret } = ctx;
      const event = header(request, 'x-github-event') ?? 'unknown';
      const delivery = header(request, 'x-github-delivery') ?? 'no delivery id';
      const audit = (result: AuditRecord['result'], message: string) =>
        recordAudit(ctx.pool, { principal: WEBHOOK, action: 'webhook', target: 'source', revision: ctx.revisionInForce(), result, message: `${event} ${delivery}: ${message}` });
      const signature = header(request, 'x-hub-signature-256');
      if (!githubSignatureValid(secret, request.rawBody ?? Buffer.alloc(0), signature)) {
        await audit('refused', `${signature ? 'bad' : 'no'} X-Hub-Signature-256 from ${request.ip}`);
        return sendJson(reply, 401, { error: 'the X-Hub-Signature-256 header does not match the body (HMAC-SHA256 with the webhook secret)' });
      }
      if (event === 'ping') return sendJson(reply, 200, { status: 'pong' });
      const ref = refOf(request.rawBody ?? Buffer.alloc(0), header(request, 'content-type'));
      if (event !== 'push' || (ctx.branch && ref !== `refs/heads/${ctx.branch}`)) {
        return sendJson(reply, 202, { status: 'ignored', message: `only a push to ${ctx.branch ? `refs/heads/${ctx.branch}` : 'the followed branch'} starts a refresh` });
      }
      await audit('succeeded', `push to ${ref}`);
      ctx.refresh();
      sendJson(reply, 202, { status: 'accepted', message: 'the manifest source is read now, and a pass follows when it changed' });
    },
  };
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** `ref` of a push payload, sent as JSON or (content type form) as `payload=<json>`, read from the verified bytes. */
function refOf(body: Buffer, contentType: string | undefined): string | undefined {
  const text = body.toString('utf8');
  try {
    const json = contentType?.startsWith('application/x-www-form-urlencoded') ? new URLSearchParams(text).get('payload') ?? '' : text;
    const payload: unknown = JSON.parse(json);
    const ref = typeof payload === 'object' && payload !== null ? Object.entries(payload).find(([key]) => key === 'ref')?.[1] : undefined;
    return typeof ref === 'string' ? ref : undefined;
  } catch {
    return undefined;
  }
}
