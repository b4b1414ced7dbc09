/** Pure: a sales dossier for one lead, as markdown, from its CRM fields, its signals, the mail with its domain and its meetings. */
export interface DossierLead {
  id: number;
  name: string;
  company: string;
  email: string | null;
  jobTitle: string | null;
  lifecycleStage: string | null;
  score: number;
}

export interface DossierSignal {
  detail: string;
  points: number;
  occurredAt: Date;
}

export interface DossierMail {
  sender: string;
  subject: string;
  receivedAt: Date;
}

export interface DossierMeeting {
  title: string;
  startsAt: Date;
  attendees: string[];
}

export interface DossierInput {
  lead: DossierLead;
  signals: readonly DossierSignal[];
  mail: readonly DossierMail[];
  meetings: readonly DossierMeeting[];
  summary: string;
  at: Date;
}

export function dossierKey(prefix: string, leadId: number): string {
  return `${prefix}dossiers/lead-${leadId}.md`;
}

/** Mailbox providers shared by everyone: a lead's address there says nothing about its company. */
const SHARED_DOMAINS = new Set(['gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'live.com', 'yahoo.com', 'icloud.com', 'me.com', 'aol.com', 'proton.me', 'protonmail.com', 'gmx.com', 'gmx.de']);

/**
 * The company domain of a lead's address, whose mail and meetings belong in its dossier; undefined for
 * a shared mailbox provider (then only the lead's own address counts) or an address that is not one.
 */
export function leadDomain(email: string | null): string | undefined {
  const domain = email?.slice(email.lastIndexOf('@') + 1).toLowerCase();
  if (!domain || !email?.includes('@') || !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain) || SHARED_DOMAINS.has(domain)) return undefined;
  return domain;
}

const day = (at: Date) => at.toISOString().slice(0, 10);

export function composeDossier(input: DossierInput): string {
  const { lead } = input;
  const lines = [
    `# Dossier: ${lead.name}, ${lead.company}`,
    '',
    `- Intent score: ${lead.score}`,
    `- Contact: ${lead.email ?? 'unknown'}`,
    `- Role: ${lead.jobTitle ?? 'unknown'}`,
    `- Lifecycle stage: ${lead.lifecycleStage ?? 'unknown'}`,
    `- Prepared: ${input.at.toISOString()}`,
    '',
    '## Briefing',
    '',
    input.summary || 'No signals yet.',
    '',
    `## Signals (${input.signals.length})`,
    '',
    ...input.signals.map((s) => `- ${day(s.occurredAt)} ${s.detail} (+${s.points})`),
  ];
  if (input.signals.length === 0) lines.push('None recorded.');
  lines.push('', `## Mail with ${leadDomain(lead.email) ?? lead.email ?? 'the lead'} (${input.mail.length})`, '');
  lines.push(...input.mail.map((m) => `- ${day(m.receivedAt)} **${m.subject}** from ${m.sender}`));
  if (input.mail.length === 0) lines.push('None in the mailbox.');
  lines.push('', `## Meetings (${input.meetings.length})`, '');
  lines.push(...input.meetings.map((m) => `- ${day(m.startsAt)} ${m.title} (${m.attendees.join(', ')})`));
  if (input.meetings.length === 0) lines.push('None.');
  return `${lines.join('\n')}\n`;
}
