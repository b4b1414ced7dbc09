import { tenantNameProblem } from './semantic.js';
import { isRecord } from '../../contract/json.js';
import { formatPath, locate, type ParsedDocument, type PathSegment } from './parse.js';
import { show } from './schema.js';
import type { ChannelType, ValidationIssue } from './types.js';

/** A channel's name: a DNS-1123 label, like a tenant's (it names rows of the outbox and lines of the status). */
const CHANNEL_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** A secret's name below `<prefix>/notifications/`: path segments of letters, digits and `_.-`, never `..`. */
const SECRET_NAME = /^(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
const TOPIC_ARN = /^arn:aws(-[a-z]+)*:sns:[a-z]{2}(-[a-z]+)+-\d:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** What each channel type needs beside `events`: the fields it must have and those it must not. */
const NEEDS: Record<ChannelType, { required: string[]; forbidden: string[] }> = {
  slack: { required: ['secretRef'], forbidden: ['webhook', 'sns'] },
  webhook: { required: ['secretRef', 'webhook'], forbidden: ['sns'] },
  sns: { required: ['sns'], forbidden: ['secretRef', 'webhook'] },
};

/** Layer 3 for a NotificationChannel: what its schema cannot say. Runs even when the schema layer failed. */
export function checkChannelSemantics(parsed: ParsedDocument): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const report = (path: PathSegment[], message: string) =>
    issues.push({ ...locate(parsed, path), layer: 'semantic', path: formatPath(path), message });
  const data = record(parsed.data);
  const name = record(data.metadata).name;
  if (typeof name === 'string' && !CHANNEL_NAME.test(name)) {
    report(['metadata', 'name'], `${show(name)} is not a valid channel name (allowed: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters)`);
  }
  const spec = record(data.spec);
  const type = spec.type;
  if (type === 'slack' || type === 'webhook' || type === 'sns') {
    for (const field of NEEDS[type].required) {
      if (spec[field] === undefined) report(['spec', field], `is required for a ${type} channel`);
    }
    for (const field of NEEDS[type].forbidden) {
      if (spec[field] !== undefined) report(['spec', field], `is not used by a ${type} channel (allowed: ${NEEDS[type].required.join(', ')})`);
    }
  }
  const secret = record(spec.secretRef).name;
  if (typeof secret === 'string' && !SECRET_NAME.test(secret)) {
    report(['spec', 'secretRef', 'name'], `${show(secret)} is not a secret name (allowed: segments of letters, digits and "_.-" separated by "/", no "." or ".." segment; it is read below <OPENCLAW_SECRETS_PREFIX>/notifications/)`);
  }
  const url = record(spec.webhook).url;
  if (typeof url === 'string') {
    const problem = webhookUrlProblem(url);
    if (problem) report(['spec', 'webhook', 'url'], problem);
  }
  const topic = record(spec.sns).topicArn;
  if (typeof topic === 'string' && !TOPIC_ARN.test(topic)) {
    report(['spec', 'sns', 'topicArn'], `${show(topic)} is not an SNS topic ARN (allowed: arn:aws:sns:<region>:<12-digit account>:<topic>)`);
  }
  (Array.isArray(spec.tenants) ? spec.tenants : []).forEach((tenant: unknown, index) => {
    const problem = typeof tenant === 'string' ? tenantNameProblem(tenant) : undefined;
    if (problem) report(['spec', 'tenants', index], problem);
  });
  return issues;
}

/** https, or http to this machine only (a receiver beside the controller, or a test's). No credentials in the URL. */
export function webhookUrlProblem(url: string): string | undefined {
  const allowed = '(allowed: an https:// URL, or http:// to localhost, 127.0.0.1 or [::1]; no user or password in it)';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${show(url)} is not a URL ${allowed}`;
  }
  if (parsed.username || parsed.password) return `carries a user or password ${allowed}`;
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname)) return undefined;
  return `${show(url)} is not allowed ${allowed}`;
}

function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}
