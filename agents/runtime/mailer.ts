import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { equalJitterBackoff, realSleep, type BackoffLimits } from '../../contract/backoff.js';
import { composeMime, MailError, tagHeader, type OutgoingEmail } from './mail.js';

/** Where an agent's email goes: Amazon SES (aws), or the tenant's outbox folder of `.eml` files (local). */
export interface Mailer {
  readonly kind: 'ses' | 'outbox';
  /** Sends one email; returns the provider's message id and where it can be found (SES id, or the file). */
  send(email: OutgoingEmail): Promise<{ messageId: string; location: string }>;
}

type Send = Pick<SESv2Client, 'send'>;

export interface SesMailerOptions {
  client: Send;
  /** The SES configuration set events of every message are published through. */
  configurationSet?: string;
  sleep?: (ms: number) => Promise<void>;
  /** The jitter of the waits between attempts. */
  random?: () => number;
  /** Attempts of one message when SES throttles or fails (default 4). */
  maxAttempts?: number;
}

/** The waits between attempts of one message: 125-250 ms after the first, doubling up to 2-4 s. */
export const SES_BACKOFF: BackoffLimits = { baseMs: 250, maxMs: 4_000 };

/**
 * SendEmail's errors (sesv2-2019-09-27) that another attempt can get past: the account's sending rate
 * (TooManyRequestsException, 429; LimitExceededException; ThrottlingException, as SES v1 and the docs
 * name it) and SES's own failures. Every other error of SendEmail is the message's or the account's and
 * fails at once: MessageRejected, MailFromDomainNotVerifiedException, NotFoundException (the configuration
 * set), BadRequestException, SendingPausedException (the account's sending is paused until someone
 * resumes it) and AccountSuspendedException.
 */
const THROTTLING = new Set(['TooManyRequestsException', 'LimitExceededException', 'ThrottlingException']);
const SES_FAULTS = new Set(['InternalServiceErrorException', 'InternalFailure', 'ServiceUnavailable']);

function awsErrorName(error: unknown): { name: string; status?: number } {
  if (!(error instanceof Error)) return { name: 'Unknown' };
  const status = '$metadata' in error && typeof error.$metadata === 'object' && error.$metadata !== null && 'httpStatusCode' in error.$metadata
    ? Number(error.$metadata.httpStatusCode) : undefined;
  return { name: error.name, status };
}

/** Whether another attempt of SendEmail can succeed after this error. */
export function sesRetryable(error: unknown): boolean {
  const { name, status } = awsErrorName(error);
  return THROTTLING.has(name) || SES_FAULTS.has(name) || status === 429 || (status !== undefined && status >= 500);
}

/**
 * SES v2 SendEmail with the raw message (both parts and `List-Unsubscribe` exactly as composed), the
 * envelope sender and recipients, the configuration set, and the tags as `EmailTags`. Throttling and
 * SES's failures are retried with equal-jitter exponential backoff (contract/backoff.ts); anything else
 * fails at once as a MailError naming SES's error.
 */
export function sesMailer(options: SesMailerOptions): Mailer {
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const attempts = options.maxAttempts ?? 4;
  return {
    kind: 'ses',
    async send(email) {
      const raw = await composeMime(email);
      const command = new SendEmailCommand({
        FromEmailAddress: email.from,
        Destination: { ToAddresses: [...email.to] },
        Content: { Raw: { Data: raw } },
        EmailTags: Object.entries(email.tags).map(([Name, Value]) => ({ Name, Value })),
        ...(options.configurationSet ? { ConfigurationSetName: options.configurationSet } : {}),
      });
      for (let attempt = 1; ; attempt++) {
        try {
          const output = await options.client.send(command);
          return { messageId: output.MessageId ?? '', location: `ses:${output.MessageId ?? ''}` };
        } catch (error) {
          const retryable = sesRetryable(error);
          if (!retryable || attempt >= attempts) {
            const { name } = awsErrorName(error);
            throw new MailError(`SES_${name}`, `could not send the email through SES${retryable ? ` after ${attempt} attempts` : ''}: ${name}${error instanceof Error ? `: ${error.message}` : ''}`, { cause: error, retryable });
          }
          await sleep(equalJitterBackoff(attempt, SES_BACKOFF, random));
        }
      }
    },
  };
}

export function sesClient(region: string | undefined, endpointUrl: string | undefined): SESv2Client {
  return new SESv2Client({ region, ...(endpointUrl ? { endpoint: endpointUrl } : {}) });
}

/** A file name that sorts by send time: `20250106T070000Z-<message id's local part>.eml`. */
export function outboxFileName(email: Pick<OutgoingEmail, 'date' | 'messageId'>): string {
  const stamp = email.date.toISOString().replace(/[-:]|\.\d{3}/g, '');
  const local = /^<?([^@>]+)/.exec(email.messageId)?.[1] ?? 'message';
  return `${stamp}-${local.replace(/[^\w.-]/g, '_')}.eml`;
}

/**
 * The local provider's mailer: writes the message, with its tags as `X-SES-MESSAGE-TAGS`, into the
 * tenant's outbox folder (written aside and renamed, so a reader never sees half a message).
 */
export function outboxMailer(folder: string): Mailer {
  return {
    kind: 'outbox',
    async send(email) {
      const raw = await composeMime(email, { 'X-SES-MESSAGE-TAGS': tagHeader(email.tags) });
      await mkdir(folder, { recursive: true });
      const file = join(folder, outboxFileName(email));
      await writeFile(`${file}.part`, raw);
      await rename(`${file}.part`, file);
      return { messageId: email.messageId, location: file };
    },
  };
}
