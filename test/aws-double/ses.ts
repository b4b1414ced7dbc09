// Amazon SES v2 (sesv2-2019-09-27): verified identities, configuration sets, the account's sending
// quota and rate, and every message accepted, with its content parsed so tests can read it.
import type { GetAccountCommandOutput, GetEmailIdentityCommandOutput, SendEmailCommandInput, SendEmailCommandOutput } from '@aws-sdk/client-sesv2';
import { simpleParser } from 'mailparser';
import type { Out, ServiceHandlers } from './core.js';
import { fail } from './errors.js';
import { TokenBucket, type Env } from './options.js';

/** A message SES accepted: the envelope, the tags, and the content as a mail client would read it. */
export interface SentEmail {
  messageId: string;
  at: number;
  from: string;
  to: string[];
  configurationSet?: string;
  tags: Record<string, string>;
  subject: string;
  text: string;
  html: string;
  /** Header names in lower case → their raw value (`list-unsubscribe` …). */
  headers: Record<string, string>;
  raw: Buffer;
}

export interface SesAccount {
  /** A new account is in the sandbox: it may send only to verified identities. */
  productionAccess: boolean;
  sendingEnabled: boolean;
  /** Recipients in any 24 hours (SES's sandbox default: 200). */
  max24HourSend: number;
  /** Recipients per second (sandbox default: 1). */
  maxSendRate: number;
}

const TAG = /^[A-Za-z0-9_-]{1,256}$/;
const DAY_MS = 86_400_000;

export class SesState {
  readonly identities = new Map<string, { verified: boolean }>();
  readonly configurationSets = new Set<string>();
  readonly sent: SentEmail[] = [];
  account: SesAccount = { productionAccess: true, sendingEnabled: true, max24HourSend: 50_000, maxSendRate: 14 };
  private bucket?: TokenBucket;

  constructor(private readonly env: Env) {}

  /** A verified identity: an address, or a domain that verifies every address in it. */
  verifyIdentity(identity: string): void {
    this.identities.set(identity.toLowerCase(), { verified: true });
  }

  createConfigurationSet(name: string): void {
    this.configurationSets.add(name);
  }

  configureAccount(partial: Partial<SesAccount>): void {
    this.account = { ...this.account, ...partial };
    this.bucket = undefined;
  }

  isVerified(address: string): boolean {
    const lower = address.toLowerCase();
    return [lower, lower.slice(lower.lastIndexOf('@') + 1)].some((id) => this.identities.get(id)?.verified === true);
  }

  sentLast24Hours(): number {
    const since = this.env.now() - DAY_MS;
    return this.sent.filter((m) => m.at > since).reduce((n, m) => n + m.to.length, 0);
  }

  /** Takes `n` recipients from the per-second rate, on the double's clock. */
  takeRate(n: number): boolean {
    const limit = { perSecond: this.account.maxSendRate, burst: this.account.maxSendRate };
    if (!this.bucket || this.bucket.limit.perSecond !== limit.perSecond) this.bucket = new TokenBucket(limit, this.env.now());
    return this.bucket.take(n, this.env.now());
  }

  messageId(): string {
    const hex = (n: number) => Array.from({ length: n }, () => Math.floor(this.env.random() * 16).toString(16)).join('');
    return `0100${hex(12)}-${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}-000000`;
  }
}

function addressOnly(value: string): string {
  return /<([^>]+)>/.exec(value)?.[1] ?? value.trim();
}

export function sesHandlers(state: SesState, env: Env): ServiceHandlers {
  return {
    async SendEmail(input: SendEmailCommandInput): Promise<Out<SendEmailCommandOutput>> {
      const { Content } = input;
      if (!Content || [Content.Simple, Content.Raw, Content.Template].filter(Boolean).length !== 1) fail('BadRequestException', 'Exactly one of Simple, Raw or Template content must be specified.');
      if (!Content.Raw) fail('BadRequestException', 'aws-double sends Raw content only.');
      const raw = Buffer.from(Content.Raw.Data ?? new Uint8Array());
      if (!/\r?\n\r?\n/.test(raw.toString('latin1'))) fail('MessageRejected', 'Message must contain a header and a body separated by a blank line.');
      const parsed = await simpleParser(raw);
      const headers = Object.fromEntries([...parsed.headerLines].map((h) => [h.key, h.line.slice(h.line.indexOf(':') + 1).trim()]));
      const from = input.FromEmailAddress ? addressOnly(input.FromEmailAddress) : addressOnly(headers.from ?? '');
      if (!from) fail('BadRequestException', 'Missing required header \'From\'.');
      const destination = input.Destination;
      const to = destination
        ? [...(destination.ToAddresses ?? []), ...(destination.CcAddresses ?? []), ...(destination.BccAddresses ?? [])].map(addressOnly)
        : (headers.to ?? '').split(',').map(addressOnly).filter(Boolean);
      if (to.length === 0) fail('BadRequestException', 'Missing final \'@domain\'');
      if (to.length > 50) fail('BadRequestException', 'Recipient count exceeds 50.');
      const tags: Record<string, string> = {};
      for (const tag of input.EmailTags ?? []) {
        if (!TAG.test(tag.Name ?? '') || !TAG.test(tag.Value ?? '')) fail('BadRequestException', `Invalid tag name or value: ${tag.Name}=${tag.Value}`);
        tags[tag.Name!] = tag.Value!;
      }
      if (input.ConfigurationSetName !== undefined && !state.configurationSets.has(input.ConfigurationSetName)) {
        fail('NotFoundException', `Configuration set <${input.ConfigurationSetName}> does not exist.`, 404);
      }
      if (!state.account.sendingEnabled) fail('SendingPausedException', 'Sending is paused for this account.');
      if (!state.isVerified(from)) fail('MessageRejected', `Email address is not verified. The following identities failed the check in region ${env.options.region.toUpperCase()}: ${from}`);
      if (!state.account.productionAccess) {
        const unverified = to.filter((address) => !state.isVerified(address));
        if (unverified.length > 0) fail('MessageRejected', `Email address is not verified. The following identities failed the check in region ${env.options.region.toUpperCase()}: ${unverified.join(', ')}`);
      }
      if (state.sentLast24Hours() + to.length > state.account.max24HourSend) fail('LimitExceededException', 'Daily message quota exceeded.');
      if (!state.takeRate(to.length)) fail('TooManyRequestsException', 'Maximum sending rate exceeded.', 429);
      const messageId = state.messageId();
      state.sent.push({
        messageId, at: env.now(), from, to, configurationSet: input.ConfigurationSetName, tags,
        subject: parsed.subject ?? '', text: parsed.text ?? '', html: typeof parsed.html === 'string' ? parsed.html : '', headers, raw,
      });
      return { MessageId: messageId };
    },
    GetAccount: (): Out<GetAccountCommandOutput> => ({
      SendQuota: { Max24HourSend: state.account.max24HourSend, MaxSendRate: state.account.maxSendRate, SentLast24Hours: state.sentLast24Hours() },
      SendingEnabled: state.account.sendingEnabled,
      ProductionAccessEnabled: state.account.productionAccess,
      EnforcementStatus: 'HEALTHY',
    }),
    GetEmailIdentity(input: { EmailIdentity?: string }): Out<GetEmailIdentityCommandOutput> {
      const identity = state.identities.get((input.EmailIdentity ?? '').toLowerCase());
      if (!identity) fail('NotFoundException', `Email identity <${input.EmailIdentity}> does not exist.`, 404);
      return {
        IdentityType: input.EmailIdentity!.includes('@') ? 'EMAIL_ADDRESS' : 'DOMAIN',
        VerifiedForSendingStatus: identity.verified,
        VerificationStatus: identity.verified ? 'SUCCESS' : 'PENDING',
      };
    },
  };
}
