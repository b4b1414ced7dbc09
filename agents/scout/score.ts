/** Pure: the points of one intent signal by its kind, with recency decay (signals.ts turns them into scores). */
export interface LeadEvent {
  leadId: number;
  kind: string;
  occurredAt: Date;
}

/** Points per event kind: strong buying signals first; an opt-out counts against. */
export const SIGNAL_WEIGHTS: Readonly<Record<string, number>> = Object.freeze({
  demo_request: 40,
  pricing_view: 20,
  trial_signup: 30,
  email_reply: 15,
  meeting_booked: 35,
  email_open: 5,
  site_visit: 3,
  unsubscribe: -30,
});

export const DEFAULT_WEIGHT = 2;
/** An event loses half its weight every 14 days. */
export const HALF_LIFE_DAYS = 14;

const DAY_MS = 86_400_000;

export function eventWeight(event: Pick<LeadEvent, 'kind' | 'occurredAt'>, now: Date): number {
  const base = SIGNAL_WEIGHTS[event.kind] ?? DEFAULT_WEIGHT;
  const ageDays = Math.max(0, (now.getTime() - event.occurredAt.getTime()) / DAY_MS);
  return base * 0.5 ** (ageDays / HALF_LIFE_DAYS);
}
