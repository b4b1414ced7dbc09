/** Pure: the digest as an email — subject, the HTML part, and the envelope around the plain-text part. */
import type { OutgoingEmail } from '../runtime/mail.js';
import { MESSAGES_SHOWN, composeDigest, time, topSenders, type DigestInput } from './digest.js';

/** Customer data (senders, subjects, titles) is text, never markup. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function digestSubject(displayName: string, input: Pick<DigestInput, 'date' | 'messages' | 'events'>): string {
  return `${displayName} daily digest, ${input.date}: ${plural(input.messages.length, 'message')}, ${plural(input.events.length, 'event')}`;
}

const list = (items: string[], empty: string) => (items.length ? `<ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>` : `<p>${empty}</p>`);

/** Only http(s) and file links are made clickable; anything else is shown as text. */
const link = (title: string, href: string) => (/^(https?|file):/.test(href) ? `<a href="${escapeHtml(href)}">${escapeHtml(title)}</a>` : `${escapeHtml(title)} (${escapeHtml(href)})`);

export function digestHtml(input: DigestInput): string {
  const e = escapeHtml;
  const sections = [
    `<h1>Daily digest for ${e(input.tenant)}: ${e(input.date)}</h1>`,
    '<h2>Summary</h2>', `<p>${e(input.summary || 'Nothing new.')}</p>`,
    `<h2>Messages (${input.messages.length})</h2>`,
    list(topSenders(input.messages).map((s) => `${e(s.sender)}: ${s.count}`), ''),
    list(input.messages.slice(0, MESSAGES_SHOWN).map((m) => `${time(m.receivedAt)} <strong>${e(m.subject)}</strong> from ${e(m.sender)}`), 'No messages.'),
    `<h2>Calendar (${input.events.length})</h2>`,
    list(input.events.map((v) => `${time(v.startsAt)}–${time(v.endsAt)} ${e(v.title)}${v.attendees.length ? ` (${e(v.attendees.join(', '))})` : ''}`), 'No events.'),
  ];
  if (input.signals?.length) {
    sections.push(`<h2>Intent signals (${input.signals.length})</h2>`, list(input.signals.map((s) => `<strong>${e(s.lead)}</strong> (${e(s.company)}), score ${s.score}: ${e(s.reason)}`), ''));
  }
  if (input.dossiers?.length) {
    sections.push(`<h2>Dossiers (${input.dossiers.length})</h2>`, list(input.dossiers.map((d) => link(d.title, d.href)), ''));
  }
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${e(input.tenant)} daily digest</title></head>\n<body>\n${sections.join('\n')}\n</body></html>\n`;
}

export interface DigestEnvelope {
  displayName: string;
  tenant: string;
  runId: string;
  from: string;
  to: readonly string[];
  at: Date;
  /** The recipient's one-click unsubscribe link (RFC 8058). */
  oneClickUnsubscribe?: string;
  /** Which of the run's messages this is, from 1, when it sends more than one (one per recipient). */
  sequence?: number;
}

/** The digest email: plain text (the markdown digest) and HTML, `List-Unsubscribe` (one-click when given, and to the sender), tagged with the tenant. */
export function digestEmail(input: DigestInput, envelope: DigestEnvelope): OutgoingEmail {
  const domain = envelope.from.slice(envelope.from.lastIndexOf('@') + 1);
  return {
    from: envelope.from,
    to: envelope.to,
    subject: digestSubject(envelope.displayName, input),
    text: composeDigest(input),
    html: digestHtml(input),
    unsubscribe: `mailto:${envelope.from}?subject=${encodeURIComponent(`unsubscribe ${envelope.tenant}`)}`,
    ...(envelope.oneClickUnsubscribe ? { oneClickUnsubscribe: envelope.oneClickUnsubscribe } : {}),
    tags: { tenant: envelope.tenant, agent: 'butler' },
    date: envelope.at,
    messageId: `<digest.${envelope.runId}.${envelope.tenant}${envelope.sequence === undefined ? '' : `.${envelope.sequence}`}@${domain}>`,
  };
}
