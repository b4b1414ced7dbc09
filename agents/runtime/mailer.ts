import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
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
  /** Attempts of one message when SES throttles or fails (default 4). */
  maxAttempts?: number;
}

/** SES errors worth another attempt: throttling (the account's send rate) and SES's own failures. */
const RETRYABLE = new Set(['TooManyRequestsException', 'InternalServiceErrorException', 'ThrottlingException']);

function awsErrorName(error: unknown): { name: string; status?: number } {
  if (!(error instanceof Error)) return { name: 'Unknown' };
  const status = '$metadata' in error && typeof error.$metadata === 'object' && error.$metadata !== null && 'httpStatusCode' in error.$metadata
    ? Number(error.$metadata.httpStatusCode) : undefined;
  return { name: error.name, status };
}

/**
 * SES v2 SendEmail with the raw message (both parts and `List-Unsubscribe` exactly as composed), the
 * envelope sender and recipients, the configuration set, and the tags as `EmailTags`. Throttling and
 * 5xx are retried with exponential backoff; anything else (MessageRejected, an unverified sender, the
 * daily quota, a paused account) fails at once as a MailError naming SES's error.
 */
export function sesMailer(options: SesMailerOptions): Mailer {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
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
          const { name, status } = awsErrorName(error);
          const retryable = RETRYABLE.has(name) || (status !== undefined && status >= 500);
          if (!retryable || attempt >= attempts) {
            throw new MailError(`SES_${name}`, `could not send the email through SES: ${name}${error instanceof Error ? `: ${error.message}` : ''}`, { cause: error, retryable });
          }
          await sleep(200 * 2 ** (attempt - 1));
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
