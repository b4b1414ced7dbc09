/**
 * The last digest a tenant was sent, for the ops page: with the local provider, the newest `.eml` of the
 * tenant's outbox (`<dataDir>/outbox/<tenant>/`, written by butler). SES keeps no copy of what it sends,
 * so with the aws provider there is none to show (the tenant schema's `digests` says where each went).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { outboxFolder } from '../../contract/agent-env.js';
import { sendJson } from './reply.js';
import { tenantParam, type StatusRoute } from './route.js';
import type { StatusServerContext } from './context.js';

export interface DigestFile {
  name: string;
  path: string;
  bytes: number;
  writtenAt: string;
}

/** The newest `.eml` in the tenant's outbox (file names sort by send time), or undefined. */
export async function lastDigestFile(dataDir: string, tenant: string): Promise<DigestFile | undefined> {
  const folder = outboxFolder(dataDir, tenant);
  const names = await readdir(folder).catch((): string[] => []);
  const name = names.filter((n) => n.endsWith('.eml')).sort().at(-1);
  if (!name) return undefined;
  const info = await stat(join(folder, name));
  return { name, path: join(folder, name), bytes: info.size, writtenAt: info.mtime.toISOString() };
}

const INVALID = { error: 'invalid tenant name: lowercase letters, digits and "-", at most 40 characters' };

/**
 * `GET /api/tenants/:name/digests/last`: what the last digest is (`{ digest: null }` when there is none);
 * `…/last.eml`: the message itself, as a download (204 when there is none). The message is the tenant's
 * data: it is never rendered on the ops origin (attachment, nosniff, and the server's CSP).
 */
export function digestRoutes(ctx: Pick<StatusServerContext, 'config'>): StatusRoute[] {
  const find = (tenant: string) => (ctx.config.provider === 'local' ? lastDigestFile(ctx.config.dataDir, tenant) : Promise.resolve(undefined));
  return [
    {
      method: 'GET', url: '/api/tenants/:name/digests/last', access: 'read', handler: async (request, reply) => {
        const tenant = tenantParam(request);
        if (tenant === undefined) return sendJson(reply, 400, INVALID);
        const file = await find(tenant);
        sendJson(reply, 200, { digest: file ? { name: file.name, bytes: file.bytes, writtenAt: file.writtenAt, href: `/api/tenants/${tenant}/digests/last.eml` } : null });
      },
    },
    {
      method: 'GET', url: '/api/tenants/:name/digests/last.eml', access: 'read', handler: async (request, reply) => {
        const tenant = tenantParam(request);
        if (tenant === undefined) return sendJson(reply, 400, INVALID);
        const file = await find(tenant);
        if (!file) return void reply.code(204).header('cache-control', 'no-store').send();
        await reply.code(200)
          .header('cache-control', 'no-store')
          .header('content-disposition', `attachment; filename="${tenant}-${file.name}"`)
          .header('x-content-type-options', 'nosniff')
          .type('message/rfc822')
          .send(await readFile(file.path));
      },
    },
  ];
}
