import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiTokens, generateToken } from '../../controller/status/access/tokens.js';
import { createStatusWorld, type StatusWorld } from './status-world.js';

const SECRET = 'the-webhook-secret-github-knows';

const ACME2 = `apiVersion: openclaw.io/v1alpha1
kind: Tenant
metadata:
  name: acme-two
spec:
  displayName: Acme Two
  contact:
    email: ops@acme.example
  tier: starter
`;

/** A delivery as GitHub sends it: the HMAC-SHA256 of the exact body bytes, hex, after `sha256=`. */
function delivery(body: string, options: { secret?: string; event?: string; signature?: string | null; contentType?: string } = {}): RequestInit {
  const signature = options.signature === undefined ? `sha256=${createHmac('sha256', options.secret ?? SECRET).update(body).digest('hex')}` : options.signature;
  return {
    method: 'POST', body,
    headers: {
      'content-type': options.contentType ?? 'application/json', 'x-github-event': options.event ?? 'push', 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      ...(signature === null ? {} : { 'x-hub-signature-256': signature }),
    },
  };
}

const push = JSON.stringify({ ref: 'refs/heads/main', after: 'a'.repeat(40), repository: { full_name: 'acme/tenants' } });

describe('GitHub push webhook on the ops server', () => {
  let sw: StatusWorld;
  const audit = async (): Promise<{ id: number; actor: string; via: string; action: string; result: string; message: string }[]> => (await sw.json('/api/audit')).entries;
  /** The highest audit id so far: what a test recorded is what comes after it. */
  const auditMark = async () => Math.max(0, ...(await audit()).map((e) => e.id));

  beforeAll(async () => {
    sw = await createStatusWorld({ degraded: false, extraEnv: { OPENCLAW_GITHUB_WEBHOOK_SECRET: SECRET } });
  });
  afterAll(async () => sw?.close());

  it('refuses a delivery without a signature, or signed with another secret or over another body, and records each refusal', async () => {
    const mark = await auditMark();
    for (const init of [delivery(push, { signature: null }), delivery(push, { secret: 'not-the-secret-at-all-000' }), { ...delivery(push), body: push.replace('main', 'evil') }]) {
      const response = await sw.fetch('/api/hooks/github', init);
      expect(response.status).toBe(401);
    }
    const refused = (await audit()).filter((e) => e.id > mark && e.action === 'webhook');
    expect(refused.map((e) => e.result)).toEqual(['refused', 'refused', 'refused']);
    expect(refused[2]).toMatchObject({ actor: 'github-webhook', via: 'webhook', message: 'push 72d3162e-cc78-11e3-81ab-4c9367dc0958: no X-Hub-Signature-256 from 127.0.0.1' });
    expect(refused[0].message).toContain('bad X-Hub-Signature-256');
  });

  it('answers a ping, and reads the source at once on a verified push: a new tenant is applied without waiting for the poll', async () => {
    expect((await sw.fetch('/api/hooks/github', delivery('{"zen":"Keep it logically awesome."}', { event: 'ping' }))).status).toBe(200);
    sw.world.writeTenant('acme-two.yaml', ACME2);
    const response = await sw.fetch('/api/hooks/github', delivery(push));
    expect(response.status).toBe(202);
    await sw.server.settled();
    expect((await sw.json('/api/tenants')).tenants.map((t: { name: string }) => t.name)).toContain('acme-two');
    expect((await audit())[0]).toMatchObject({ actor: 'github-webhook', action: 'webhook', result: 'succeeded', message: 'push 72d3162e-cc78-11e3-81ab-4c9367dc0958: push to refs/heads/main' });
  });

  it('accepts the form-encoded delivery GitHub sends when the hook is set to that content type', async () => {
    const body = `payload=${encodeURIComponent(push)}`;
    const response = await sw.fetch('/api/hooks/github', delivery(body, { contentType: 'application/x-www-form-urlencoded' }));
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ status: 'accepted' });
  });

  it('records a caller an operator route refuses: an unknown token (401) and a viewer (403)', async () => {
    const viewer = generateToken();
    await new ApiTokens(sw.world.ctx.pools.api).create('hook-viewer', 'viewer', viewer, 'test');
    expect((await sw.fetch('/api/source/refresh', { method: 'POST', headers: { authorization: `Bearer ${generateToken()}` } })).status).toBe(401);
    expect((await sw.fetch('/api/source/refresh', { method: 'POST', headers: { authorization: `Bearer ${viewer}` } })).status).toBe(403);
    const [forbidden, unknown] = await audit();
    expect(forbidden).toMatchObject({ actor: 'token:hook-viewer', via: 'token', action: 'POST /api/source/refresh', result: 'refused', message: '403: the viewer role may not do this (it needs the operator role)' });
    expect(unknown).toMatchObject({ actor: 'unauthenticated 127.0.0.1', via: 'anonymous', result: 'refused', message: '401: the bearer token is not valid' });
  });
});
