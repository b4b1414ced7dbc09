/** Pure: the digest's intent section, from scout's signals: the best-scored leads and why. */
import type { DigestSignal } from './digest.js';

export interface SignalRow {
  leadId: number;
  lead: string;
  company: string;
  score: number;
  detail: string;
  occurredAt: Date;
}

const DAY_MS = 86_400_000;

function ago(at: Date, now: Date): string {
  const days = Math.floor((now.getTime() - at.getTime()) / DAY_MS);
  return days <= 0 ? 'today' : days === 1 ? 'yesterday' : `${days} days ago`;
}

/**
 * The `limit` leads with the highest scores, each with its two strongest signals (rows come ordered by
 * score, then by points) and how recently it last engaged.
 */
export function topSignals(rows: readonly SignalRow[], now: Date, limit = 5): DigestSignal[] {
  const byLead = new Map<number, SignalRow[]>();
  for (const row of rows) {
    if (!byLead.has(row.leadId) && byLead.size >= limit) continue;
    byLead.set(row.leadId, [...(byLead.get(row.leadId) ?? []), row]);
  }
  return [...byLead.values()].map((signals) => {
    const last = signals.reduce((a, b) => (b.occurredAt > a.occurredAt ? b : a));
    const engaged = last.occurredAt > now ? 'meeting ahead' : `last engaged ${ago(last.occurredAt, now)}`;
    return { lead: signals[0].lead, company: signals[0].company, score: signals[0].score, reason: `${signals.slice(0, 2).map((s) => s.detail).join('; ')} (${engaged})` };
  });
}
