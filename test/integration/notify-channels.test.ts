import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createNotifier, notifyPart, type NotifyContext } from '../../controller/notify/part.js';
import { snsPublisher } from '../../controller/notify/sns.js';
import { createAwsDouble, createDoubleClients, createManualClock } from '../aws-double/index.js';
import type { TestDatabase } from '../helpers/postgres.js';
import { perTest } from '../helpers/world.js';
import { createStatusWorld } from './status-world.js';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A local receiver for Slack and the generic webhook: records every request, answers with `answer(path)`. */
function startReceiver(answer: (path: string) => { status: number; body: string }) {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      const { status, body } = answer(request.url ?? '');
      response.writeHead(status, { 'content-type': 'text/plain' }).end(body);
    });
  });
  return new Promise<{ url: string; received: Received[]; close(): Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}`, received, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

const HOOK_KEY = 'a-webhook-signing-key-of-some-length';
const TOPIC = 'openclaw-ops';

/** What a receiver of the generic webhook does: recompute the HMAC over `<timestamp>.<body>` and compare, within a 5-minute window. */
function verifyWebhook(request: Received, key: string, nowSeconds: number): boolean {
  const timestamp = String(request.headers['x-openclaw-timestamp']);
  const given = String(request.headers['x-openclaw-signature']).replace(/^sha256=/, '');
  if (Math.abs(nowSeconds - Number(timestamp)) > 300) return false;
  const expected = createHmac('sha256', key).update(`${timestamp}.${request.body}`).digest();
  return given.length === expected.length * 2 && timingSafeEqual(Buffer.from(given, 'hex'), expected);
}

/**
 * A controller with three channels (Slack, a signed webhook, SNS) applied, its notifier running on a
 * manual clock, a receiver for the HTTP channels and an SNS double; with the example tenants
 * (globex Degraded at its first pass) or with none.
 */
async function startNotifying(database: TestDatabase, options: { tenants: boolean }) {
  const answers = new Map<string, { status: number; body: string }[]>();
  const clock = createManualClock(Date.now());
  const receiver = await startReceiver((path) => answers.get(path)?.shift() ?? { status: 200, body: 'ok' });
  const double = createAwsDouble({ now: clock.now });
  const topicArn = double.state.sns.createTopic(TOPIC);
  const sw = await createStatusWorld({ pass: false, database, examples: options.tenants });
  const channel = (name: string, spec: string) => sw.world.writeTenant(`${name}.yaml`, `apiVersion: openclaw.io/v1alpha1\nkind: NotificationChannel\nmetadata:\n  name: ${name}\nspec:\n${spec}`);
  channel('ops-slack', `  type: slack\n  events: [Degraded, Recovered, DeletionHeld]\n  secretRef:\n    name: slack/ops\n`);
  channel('ops-hook', `  type: webhook\n  events: [Degraded, Recovered, DeletionHeld]\n  secretRef:\n    name: hook-key\n  webhook:\n    url: ${receiver.url}/hook\n  maxPerHour: 2\n`);
  channel('ops-sns', `  type: sns\n  events: [Degraded]\n  tenants: [globex]\n  sns:\n    topicArn: ${topicArn}\n`);
  const secrets = sw.world.ctx.provider.secrets;
  await secrets.create('openclaw/notifications/slack/ops', `${receiver.url}/slack/T000/B000/XXXX`, {});
  await secrets.create('openclaw/notifications/hook-key', HOOK_KEY, {});
  const ctx: NotifyContext = { ...sw.world.ctx, now: clock.now, random: () => 0.5, sns: snsPublisher(createDoubleClients(double).sns) };
  const part = await notifyPart.start(ctx);
  return {
    sw, receiver, double, topicArn, clock, answers, ctx, part,
    async close() {
      await part.stop();
      await sw.close();
      await receiver.close();
    },
  };
}

describe('notifications to Slack, a signed webhook and SNS', () => {
  // The outbox, the dedup and hourly windows and each channel's counts are the database's: a world per test.
  const notifying = perTest(startNotifying);

  /** Channels applied by a pass over no tenant: the outbox starts empty. */
  async function quiet() {
    const n = await notifying({ tenants: false });
    await n.sw.world.pass();
    return n;
  }

  it('sends a tenant turning Degraded to every channel that asked for it within the pass that saw it, nothing again for a pass that changes nothing, and a recovery once it recovers', async () => {
    const { sw, receiver, double, topicArn, clock, ctx, part } = await notifying({ tenants: true });
    await sw.world.pass();
    await part.idle();
    const hook = receiver.received.filter((r) => r.path === '/hook');
    const slack = receiver.received.filter((r) => r.path.startsWith('/slack/'));
    expect([hook.length, slack.length]).toEqual([1, 1]);

    const body = JSON.parse(hook[0].body);
    expect(body).toMatchObject({ channel: 'ops-hook', event: 'Degraded', tenant: 'globex', severity: 'warning', title: 'Tenant globex is Degraded' });
    expect(body.text).toContain('permission denied for database');
    expect(hook[0].headers['content-type']).toBe('application/json');
    expect(verifyWebhook(hook[0], HOOK_KEY, Math.floor(clock.now() / 1000))).toBe(true);
    expect(verifyWebhook(hook[0], 'another-key-entirely-of-some-length', Math.floor(clock.now() / 1000))).toBe(false);
    expect(verifyWebhook({ ...hook[0], body: hook[0].body.replace('globex', 'acme') }, HOOK_KEY, Math.floor(clock.now() / 1000))).toBe(false);
    expect(verifyWebhook(hook[0], HOOK_KEY, Math.floor(clock.now() / 1000) + 301)).toBe(false);

    const message = JSON.parse(slack[0].body);
    expect(message.text).toBe(':warning: Tenant globex is Degraded');
    expect(message.blocks[0]).toMatchObject({ type: 'section', text: { type: 'mrkdwn' } });
    expect(message.blocks[0].text.text).toMatch(/^\*Tenant globex is Degraded\*\n.*permission denied/);
    expect(message.blocks[1]).toMatchObject({ type: 'context', elements: [{ type: 'mrkdwn' }] });

    const published = double.state.sns.messages(topicArn);
    expect(published).toHaveLength(1);
    expect(published[0].subject).toBe('Tenant globex is Degraded');
    expect(published[0].attributes).toEqual({ event: { DataType: 'String', StringValue: 'Degraded' }, tenant: { DataType: 'String', StringValue: 'globex' } });
    expect(JSON.parse(published[0].message)).toMatchObject({ event: 'Degraded', tenant: 'globex' });

    const before = receiver.received.length;
    await sw.world.pass();
    const notifier = createNotifier(ctx);
    await notifier.deliverDue();
    expect(receiver.received.length).toBe(before);

    sw.failGlobex = false;
    await sw.world.pass();
    await part.idle();
    const recovered = receiver.received.filter((r) => r.path === '/hook' && JSON.parse(r.body).event === 'Recovered');
    expect(recovered).toHaveLength(1);
    expect(JSON.parse(recovered[0].body)).toMatchObject({ tenant: 'globex', severity: 'info' });
    // The sns channel listed only Degraded.
    expect(double.state.sns.messages(topicArn)).toHaveLength(1);
  });

  it('retries a failed delivery with backoff on the clock, shows the failure in the status, and delivers it later', async () => {
    const { sw, clock, answers, ctx, part } = await quiet();
    await part.idle();
    expect((await sw.json('/api/notifications')).channels.filter((c: { pending: number }) => c.pending !== 0)).toEqual([]);
    const notifier = createNotifier(ctx);
    clock.advance(3_600_000);
    answers.set('/slack/T000/B000/XXXX', [{ status: 503, body: 'service_unavailable' }]);
    await sw.admin.query(`INSERT INTO openclaw.events (type, reason, message, tenant, revision) VALUES ('Warning', 'Degraded', 'Failed: injected by the test', 'acme', 'dir:test')`);
    expect(await notifier.collect()).toBe(2);
    expect(await notifier.deliverDue()).toEqual({ delivered: 1, retried: 1, failed: 0 });

    const status = (await sw.json('/api/notifications')).channels.find((c: any) => c.channel === 'ops-slack');
    expect(status).toMatchObject({ type: 'slack', pending: 1, declared: true });
    expect(status.lastError).toBe('Slack answered HTTP 503: service_unavailable');
    expect(JSON.stringify(await sw.json('/api/notifications'))).not.toContain('/slack/T000');

    // Not due yet: the backoff is 10 s at the first retry (5 s fixed, 5 s drawn).
    expect(await notifier.deliverDue()).toEqual({ delivered: 0, retried: 0, failed: 0 });
    clock.advance(10_000);
    expect(await notifier.deliverDue()).toEqual({ delivered: 1, retried: 0, failed: 0 });
    expect((await sw.json('/api/notifications')).channels.find((c: any) => c.channel === 'ops-slack')).toMatchObject({ pending: 0 });
  });

  it('gives up at once on an answer a retry cannot fix, and says so in the status', async () => {
    const { sw, clock, answers, ctx } = await quiet();
    const notifier = createNotifier(ctx);
    answers.set('/hook', [{ status: 410, body: 'gone' }]);
    await sw.admin.query(`INSERT INTO openclaw.events (type, reason, message, tenant, revision) VALUES ('Warning', 'Degraded', 'Failed: again', 'initech', 'dir:test')`);
    clock.advance(3_600_000);
    await notifier.collect();
    const round = await notifier.deliverDue();
    expect(round.failed).toBe(1);
    const hook = (await sw.json('/api/notifications')).channels.find((c: any) => c.channel === 'ops-hook');
    expect(hook).toMatchObject({ failed: 1, pending: 0, lastError: 'the webhook answered HTTP 410: gone' });
  });

  it('sends a held deletion once per dedup window, with the command that confirms it, and holds back what passes the hourly limit', async () => {
    const { sw, receiver, clock, ctx } = await quiet();
    const notifier = createNotifier(ctx);
    const held = `INSERT INTO openclaw.events (type, reason, message, revision) VALUES ('Warning', 'DeletionHeld', '3 of 3 tenants would be offboarded', 'abc1234')`;
    await sw.admin.query(held);
    await sw.admin.query(held);
    expect(await notifier.collect()).toBe(2);
    await sw.admin.query(held);
    expect(await notifier.collect()).toBe(0);
    await notifier.deliverDue();
    const slack = receiver.received.filter((r) => r.path.startsWith('/slack/')).map((r) => JSON.parse(r.body));
    expect(slack.at(-1).blocks[0].text.text).toContain('`tenantctl confirm-deletion abc1234`');

    // ops-hook allows 2 an hour: the held deletion took one, so of two recoveries one goes now and one an hour later.
    await sw.admin.query(`INSERT INTO openclaw.events (type, reason, message, tenant) VALUES ('Normal', 'Recovered', 'no errors', 'initech'), ('Normal', 'Recovered', 'no errors', 'acme')`);
    expect(await notifier.collect()).toBe(4);
    const hooks = () => receiver.received.filter((r) => r.path === '/hook').length;
    const hooksBefore = hooks();
    await notifier.deliverDue();
    expect(hooks()).toBe(hooksBefore + 1);
    await notifier.deliverDue();
    expect(hooks()).toBe(hooksBefore + 1);
    clock.advance(3_600_000);
    await notifier.deliverDue();
    expect(hooks()).toBe(hooksBefore + 2);
  });

  it('reports an SNS error by its real name and retries only what can succeed later', async () => {
    const { sw, double, topicArn, clock, ctx } = await quiet();
    const notifier = createNotifier(ctx);
    double.failNext({ service: 'sns', operation: 'Publish' }, { name: 'Throttled', status: 429, message: 'Rate exceeded' });
    await sw.admin.query(`INSERT INTO openclaw.events (type, reason, message, tenant) VALUES ('Warning', 'Degraded', 'Failed: sns', 'globex')`);
    clock.advance(3_600_000);
    await notifier.collect();
    await notifier.deliverDue();
    let sns = (await sw.json('/api/notifications')).channels.find((c: any) => c.channel === 'ops-sns');
    expect(sns).toMatchObject({ pending: 1 });
    expect(sns.lastError).toMatch(/^SNS Publish to arn:aws:sns:us-east-1:123456789012:openclaw-ops failed: ThrottledException/);
    clock.advance(10_000);
    double.state.sns.denyPublish(topicArn);
    await notifier.deliverDue();
    sns = (await sw.json('/api/notifications')).channels.find((c: any) => c.channel === 'ops-sns');
    expect(sns).toMatchObject({ pending: 0, failed: 1 });
    expect(sns.lastError).toContain('AuthorizationErrorException');
  });
});
