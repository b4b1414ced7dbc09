/**
 * Pure: a lead's intent signals from the CRM (its engagements) and from the tenant's own mail and
 * calendar (replies the lead sent, meetings the lead is in), each worth the points of its kind,
 * halved every HALF_LIFE_DAYS of age: engagement recency is in every signal's points.
 */
import { eventWeight, type LeadEvent } from './score.js';

export interface ScoutLead {
  id: number;
  email: string | null;
}

export interface CrmEvent extends LeadEvent {
  subject?: string | null;
}

export interface MailItem {
  sender: string;
  subject: string;
  receivedAt: Date;
}

export interface Meeting {
  title: string;
  startsAt: Date;
  attendees: readonly string[];
}

export type SignalSource = 'crm' | 'mail' | 'calendar';

export interface Signal {
  leadId: number;
  kind: string;
  source: SignalSource;
  /** Two decimals, as stored (numeric(6,2)). */
  points: number;
  occurredAt: Date;
  detail: string;
}

/** A CRM-logged reply this close to a reply in the mailbox is that same reply. */
const SAME_REPLY_MS = 10 * 60_000;
const round = (n: number) => Math.round(n * 100) / 100;
const words = (kind: string) => kind.replaceAll('_', ' ');

/** The address in `"Ada" <ada@engines.example>` or a bare address, in lower case. */
export function addressOf(text: string): string {
  return (/<([^<>\s]+@[^<>\s]+)>/.exec(text)?.[1] ?? text).trim().toLowerCase();
}

export function leadSignals(
  leads: readonly ScoutLead[], events: readonly CrmEvent[], mail: readonly MailItem[], meetings: readonly Meeting[], now: Date,
): Signal[] {
  const byEmail = new Map(leads.filter((l) => l.email).map((l) => [l.email!.toLowerCase(), l.id]));
  const known = new Set(leads.map((l) => l.id));
  const signals: Signal[] = [];
  const add = (leadId: number, kind: string, source: SignalSource, occurredAt: Date, detail: string) =>
    signals.push({ leadId, kind, source, occurredAt, detail, points: round(eventWeight({ kind, occurredAt }, now)) });
  for (const e of events) if (known.has(e.leadId)) add(e.leadId, e.kind, 'crm', e.occurredAt, e.subject ? `${words(e.kind)}: ${e.subject}` : words(e.kind));
  // The same reply is often in the mailbox and logged in the CRM (an inbox integration): counted once.
  const loggedReplies = events.filter((e) => e.kind === 'email_reply');
  const logged = (leadId: number, at: Date) => loggedReplies.some((e) => e.leadId === leadId && Math.abs(e.occurredAt.getTime() - at.getTime()) <= SAME_REPLY_MS);
  for (const m of mail) {
    const lead = byEmail.get(addressOf(m.sender));
    if (lead !== undefined && !logged(lead, m.receivedAt)) add(lead, 'email_reply', 'mail', m.receivedAt, `replied: ${m.subject}`);
  }
  for (const meeting of meetings) {
    const leadsIn = new Set(meeting.attendees.map((a) => byEmail.get(addressOf(a))).filter((id): id is number => id !== undefined));
    // A meeting still to come counts in full: it was booked, and it is as recent as can be.
    const at = meeting.startsAt > now ? now : meeting.startsAt;
    for (const lead of leadsIn) add(lead, 'meeting_booked', 'calendar', at, `meeting ${meeting.startsAt.toISOString().slice(0, 10)}: ${meeting.title}`);
  }
  return signals.sort((a, b) => a.leadId - b.leadId || b.points - a.points || a.occurredAt.getTime() - b.occurredAt.getTime());
}

/** Scores 0–100 with two decimals from the signals' points; a lead without signals scores 0. */
export function scoresFromSignals(leadIds: readonly number[], signals: readonly Signal[]): Map<number, number> {
  const sums = new Map<number, number>(leadIds.map((id) => [id, 0]));
  for (const s of signals) sums.set(s.leadId, (sums.get(s.leadId) ?? 0) + s.points);
  return new Map([...sums].map(([id, sum]) => [id, round(Math.min(100, Math.max(0, sum)))]));
}
