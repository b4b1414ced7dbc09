/** Pure: the daily digest of a tenant's messages and calendar, as markdown. */
export interface DigestMessage {
  sender: string;
  subject: string;
  body: string;
  receivedAt: Date;
}

export interface DigestEvent {
  title: string;
  startsAt: Date;
  endsAt: Date;
  attendees: string[];
}

/** A lead scout scored high, with why: the top signals go into the digest. */
export interface DigestSignal {
  lead: string;
  company: string;
  score: number;
  reason: string;
}

/** A writer dossier, linked from the digest. */
export interface DigestLink {
  title: string;
  href: string;
}

export interface DigestInput {
  tenant: string;
  date: string;
  messages: readonly DigestMessage[];
  events: readonly DigestEvent[];
  summary: string;
  signals?: readonly DigestSignal[];
  dossiers?: readonly DigestLink[];
}

/** What the digest shows of the messages: the 20 most recent. */
export const MESSAGES_SHOWN = 20;

export const time = (at: Date) => at.toISOString().slice(11, 16);

/** Senders by number of messages, most first (ties by name): who needs an answer. */
export function topSenders(messages: readonly DigestMessage[], limit = 5): { sender: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const m of messages) counts.set(m.sender, (counts.get(m.sender) ?? 0) + 1);
  return [...counts].map(([sender, count]) => ({ sender, count })).sort((a, b) => b.count - a.count || a.sender.localeCompare(b.sender)).slice(0, limit);
}

export function composeDigest(input: DigestInput): string {
  const lines = [`# Daily digest for ${input.tenant}: ${input.date}`, ''];
  lines.push(`## Summary`, '', input.summary || 'Nothing new.', '');
  lines.push(`## Messages (${input.messages.length})`, '');
  for (const { sender, count } of topSenders(input.messages)) lines.push(`- ${sender}: ${count}`);
  for (const m of input.messages.slice(0, MESSAGES_SHOWN)) lines.push(`- ${time(m.receivedAt)} **${m.subject}** from ${m.sender}`);
  if (input.messages.length === 0) lines.push('No messages.');
  lines.push('', `## Calendar (${input.events.length})`, '');
  for (const e of input.events) {
    lines.push(`- ${time(e.startsAt)}–${time(e.endsAt)} ${e.title}${e.attendees.length ? ` (${e.attendees.join(', ')})` : ''}`);
  }
  if (input.events.length === 0) lines.push('No events.');
  if (input.signals?.length) {
    lines.push('', `## Intent signals (${input.signals.length})`, '');
    for (const s of input.signals) lines.push(`- ${s.lead} (${s.company}), score ${s.score}: ${s.reason}`);
  }
  if (input.dossiers?.length) {
    lines.push('', `## Dossiers (${input.dossiers.length})`, '');
    for (const d of input.dossiers) lines.push(`- ${d.title}: ${d.href}`);
  }
  return `${lines.join('\n')}\n`;
}
