import MailComposer from 'nodemailer/lib/mail-composer/index.js';

/** One email an agent sends: both parts, the unsubscribe address and the tags its delivery is reported under. */
export interface OutgoingEmail {
  from: string;
  to: readonly string[];
  subject: string;
  text: string;
  html: string;
  /** `List-Unsubscribe` (RFC 2369): where a recipient asks to stop receiving it. */
  unsubscribe: string;
  /** The recipient's one-click link (RFC 8058): listed first, with `List-Unsubscribe-Post`. */
  oneClickUnsubscribe?: string;
  /** Message tags (SES `EmailTags`): name → value, ASCII letters, digits, `_` and `-`. */
  tags: Readonly<Record<string, string>>;
  /** The `Date` header. */
  date: Date;
  /** The `Message-ID` header, `<…@…>`. */
  messageId: string;
}

export class MailError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  constructor(code: string, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.name = 'MailError';
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

const TAG = /^[A-Za-z0-9_-]{1,256}$/;
// The address forms SES accepts in a destination: no display name, ASCII local part.
const ADDRESS = /^[\x21-\x3f\x41-\x7e]{1,64}@[A-Za-z0-9.-]{1,253}$/;

/** Why an email cannot be sent as it is, or undefined. Checked before any delivery, so nothing half-sent. */
export function emailProblem(email: OutgoingEmail): string | undefined {
  if (!ADDRESS.test(email.from)) return `from ${JSON.stringify(email.from)} is not an email address`;
  if (email.to.length === 0) return 'the email has no recipient';
  if (email.to.length > 50) return `${email.to.length} recipients: at most 50 per message`;
  const bad = email.to.find((to) => !ADDRESS.test(to));
  if (bad !== undefined) return `recipient ${JSON.stringify(bad)} is not an email address`;
  for (const [name, value] of Object.entries(email.tags)) {
    if (!TAG.test(name) || !TAG.test(value)) return `message tag ${name}=${value} is not valid (allowed: ASCII letters, digits, "_" and "-")`;
  }
  return undefined;
}

/**
 * The message as RFC 5322 bytes: `multipart/alternative` with the plain text first and the HTML
 * second, `List-Unsubscribe`, and any extra header (the local outbox adds the tags). The same bytes
 * go to SES (raw content) and to the local outbox.
 */
export async function composeMime(email: OutgoingEmail, extraHeaders: Readonly<Record<string, string>> = {}): Promise<Buffer> {
  const problem = emailProblem(email);
  if (problem) throw new MailError('EMAIL_INVALID', `could not compose the email: ${problem}`);
  const node = new MailComposer({
    from: email.from,
    to: [...email.to],
    subject: email.subject,
    text: email.text,
    html: email.html,
    date: email.date,
    messageId: email.messageId,
    headers: {
      ...(email.oneClickUnsubscribe
        ? { 'List-Unsubscribe': `<${email.oneClickUnsubscribe}>, <${email.unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }
        : { 'List-Unsubscribe': `<${email.unsubscribe}>` }),
      ...extraHeaders,
    },
  }).compile();
  return node.build();
}

/** `tenant=acme;run=…`: tags in the form of the `X-SES-MESSAGE-TAGS` header. */
export function tagHeader(tags: Readonly<Record<string, string>>): string {
  return Object.entries(tags).map(([name, value]) => `${name}=${value}`).join(', ');
}
