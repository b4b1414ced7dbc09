/**
 * One sender per channel type: the request each receiver expects, and what its answers mean. A sender
 * throws a ControllerError whose `retryable` says whether another attempt can help (429, 5xx, a network
 * failure, SNS throttling) or not (a 4xx naming a missing or refused hook, an unknown topic, no permission).
 */
import { createHash, createHmac } from 'node:crypto';
import { ControllerError, TerminalError, TransientError, errorMessage } from '../../contract/errors.js';
import { isRecord } from '../../contract/json.js';
import type { LoadedChannel } from '../manifests/types.js';
import type { Notification } from './notification.js';

/** What a delivery needs from outside: the secret store, SNS, and the clock that stamps signatures. */
export interface SenderDeps {
  /** A channel's secret by its `secretRef.name`; undefined when it has no value. */
  secret(name: string): Promise<string | undefined>;
  sns?: SnsPublisher;
  now: () => number;
  timeoutMs?: number;
}

/** The one SNS call notifications make (an SNSClient's Publish, or a test's double behind one). */
export interface SnsPublisher {
  publish(input: { TopicArn: string; Subject: string; Message: string; MessageAttributes: Record<string, { DataType: 'String'; StringValue: string }>; MessageGroupId?: string; MessageDeduplicationId?: string }): Promise<{ MessageId?: string }>;
}

/** The webhook's signature headers. The signature is HMAC-SHA256 over `<timestamp>.<body>`, hex, with the channel's key. */
export const SIGNATURE_HEADER = 'x-openclaw-signature';
export const TIMESTAMP_HEADER = 'x-openclaw-timestamp';
export const DELIVERY_HEADER = 'x-openclaw-delivery';

export async function send(channel: LoadedChannel, notification: Notification, deliveryId: number, deps: SenderDeps): Promise<void> {
  const spec = channel.manifest.spec;
  switch (spec.type) {
    case 'slack':
      return postJson(await secretOf(channel, deps), JSON.stringify(slackPayload(notification)), {}, deps, 'Slack');
    case 'webhook': {
      const body = JSON.stringify({ channel: channel.name, delivery: deliveryId, ...notification });
      const timestamp = String(Math.floor(deps.now() / 1000));
      const signature = createHmac('sha256', await secretOf(channel, deps)).update(`${timestamp}.${body}`).digest('hex');
      return postJson(spec.webhook!.url, body, { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: `sha256=${signature}`, [DELIVERY_HEADER]: String(deliveryId) }, deps, 'the webhook');
    }
    case 'sns':
      return publish(spec.sns!.topicArn, notification, deps);
  }
}

/** Slack's incoming-webhook message: `text` for notifications and clients without blocks, then the blocks. */
export function slackPayload(notification: Notification): { text: string; blocks: Record<string, unknown>[] } {
  const icon = notification.severity === 'warning' ? ':warning:' : ':white_check_mark:';
  const details = [notification.text, notification.command ? `\`${notification.command}\`` : undefined].filter(Boolean).join('\n');
  const context = [notification.revision ? `revision ${notification.revision}` : undefined, notification.at, notification.link ? `<${notification.link}|ops page>` : undefined].filter(Boolean).join(' · ');
  return {
    text: `${icon} ${notification.title}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${escapeSlack(notification.title)}*\n${escapeSlack(details)}`.slice(0, 3000) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: context }] },
    ],
  };
}

/** Slack's mrkdwn control characters in text that is not ours. */
function escapeSlack(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

async function secretOf(channel: LoadedChannel, deps: SenderDeps): Promise<string> {
  const name = channel.manifest.spec.secretRef!.name;
  let value: string | undefined;
  try {
    value = await deps.secret(name);
  } catch (error) {
    throw new ControllerError('TRANSIENT', `could not read the secret ${name} of channel ${channel.name}: ${errorMessage(error)}`, { cause: error, retryable: true });
  }
  // Retryable: someone may put the value in before the attempts run out.
  if (!value) throw new ControllerError('NOT_FOUND', `the secret ${name} of channel ${channel.name} has no value`, { retryable: true });
  return value.trim();
}

/** Statuses a retry cannot fix: the hook is gone, refused or the payload is wrong. */
const TERMINAL_STATUSES = new Set([400, 401, 403, 404, 410, 413, 422]);

async function postJson(url: string, body: string, headers: Record<string, string>, deps: SenderDeps, what: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST', body, redirect: 'error',
      headers: { 'content-type': 'application/json', 'user-agent': 'openclaw-tenant-controller', ...headers },
      signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000),
    });
  } catch (error) {
    // The URL may be a secret (Slack's): never in the message.
    throw new TransientError(`could not reach ${what}: ${errorMessage(error instanceof Error && error.cause !== undefined ? error.cause : error)}`, error);
  }
  const text = (await response.text().catch(() => '')).slice(0, 200).replace(/\s+/g, ' ');
  if (response.ok) return;
  const message = `${what} answered HTTP ${response.status}${text ? `: ${text}` : ''}`;
  if (TERMINAL_STATUSES.has(response.status)) throw new TerminalError(response.status === 404 || response.status === 410 ? 'NOT_FOUND' : 'PERMISSION_DENIED', message);
  throw new TransientError(message);
}

/** SNS errors a retry can fix; everything else it answers (NotFound, AuthorizationError, InvalidParameter…) is terminal. */
const SNS_RETRYABLE = new Set(['ThrottledException', 'Throttling', 'InternalErrorException', 'InternalError', 'KMSThrottlingException', 'ServiceUnavailable']);

async function publish(topicArn: string, notification: Notification, deps: SenderDeps): Promise<void> {
  if (!deps.sns) throw new TerminalError('PERMISSION_DENIED', 'an sns channel needs AWS: the controller runs without an SNS client (OPENCLAW_PROVIDER=local)');
  const fifo = topicArn.endsWith('.fifo');
  try {
    await deps.sns.publish({
      TopicArn: topicArn,
      Subject: snsSubject(notification.title),
      Message: JSON.stringify(notification),
      MessageAttributes: {
        event: { DataType: 'String', StringValue: notification.event },
        ...(notification.tenant ? { tenant: { DataType: 'String', StringValue: notification.tenant } } : {}),
      },
      ...(fifo ? { MessageGroupId: notification.tenant ?? 'fleet', MessageDeduplicationId: createHash('sha256').update(notification.key).digest('hex').slice(0, 64) } : {}),
    });
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const fault = isRecord(error) ? error.$fault : undefined;
    const message = `SNS Publish to ${topicArn} failed: ${name}: ${errorMessage(error)}`;
    if (SNS_RETRYABLE.has(name) || fault === 'server') throw new TransientError(message, error);
    throw new TerminalError(name === 'NotFoundException' || name === 'NotFound' ? 'NOT_FOUND' : 'PERMISSION_DENIED', message, error);
  }
}

/** SNS subjects: printable ASCII, no line break, under 100 characters. */
export function snsSubject(title: string): string {
  const ascii = title.replace(/[^\x20-\x7e]/g, '?').trim();
  return (ascii.length > 99 ? `${ascii.slice(0, 96)}...` : ascii) || 'OpenClaw notification';
}
