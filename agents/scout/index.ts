import type { AgentProgram } from '../runtime/agent.js';
import { agentObjectPrefix } from '../../contract/agent-env.js';
import { leadSignals, scoresFromSignals, type CrmEvent, type MailItem, type Meeting } from './signals.js';

interface LeadRow {
  id: number;
  name: string;
  company: string;
  email: string | null;
}

const DAY_MS = 86_400_000;
/** How far back mail and meetings count (a signal 60 days old is worth 1/20 of a new one), and ahead for meetings. */
const LOOKBACK_DAYS = 60;
const LOOKAHEAD_DAYS = 30;

/**
 * scout: scores every lead of the tenant from its CRM engagements (lead_events) and from the tenant's
 * mail and calendar (replies from the lead, meetings with the lead); replaces the tenant's
 * app.lead_signals with what it found, writes the scores back to app.leads (score, scored_at) and a
 * JSON report to the tenant's prefix.
 */
export const scout: AgentProgram = async (ctx) => {
  const now = ctx.now();
  const since = new Date(now.getTime() - LOOKBACK_DAYS * DAY_MS);
  const leads = await ctx.db.query<LeadRow>('SELECT id::int AS id, name, company, email FROM app.leads ORDER BY id');
  const events = await ctx.db.query<CrmEvent>(
    'SELECT lead_id::int AS "leadId", kind, occurred_at AS "occurredAt", subject FROM app.lead_events ORDER BY lead_id, occurred_at',
  );
  const mail = await ctx.db.query<MailItem>(
    'SELECT sender, subject, received_at AS "receivedAt" FROM app.messages WHERE received_at > $1 AND received_at <= $2 ORDER BY received_at DESC LIMIT 5000',
    [since, now],
  );
  const meetings = await ctx.db.query<Meeting>(
    `SELECT title, starts_at AS "startsAt", attendees FROM app.calendar_events
      WHERE starts_at > $1 AND starts_at < $2 AND cardinality(attendees) > 0 ORDER BY starts_at LIMIT 2000`,
    [since, new Date(now.getTime() + LOOKAHEAD_DAYS * DAY_MS)],
  );
  const signals = leadSignals(leads.rows, events.rows, mail.rows, meetings.rows, now);
  const scores = scoresFromSignals(leads.rows.map((l) => l.id), signals);
  await ctx.db.query('DELETE FROM app.lead_signals');
  if (signals.length > 0) {
    await ctx.db.query(
      `INSERT INTO app.lead_signals (tenant_id, lead_id, run_id, kind, source, points, occurred_at, detail)
       SELECT $1, s.lead_id, $2, s.kind, s.source, s.points, s.occurred_at, s.detail
         FROM unnest($3::bigint[], $4::text[], $5::text[], $6::numeric[], $7::timestamptz[], $8::text[]) AS s(lead_id, kind, source, points, occurred_at, detail)`,
      [ctx.tenant, ctx.runId, signals.map((s) => s.leadId), signals.map((s) => s.kind), signals.map((s) => s.source),
        signals.map((s) => s.points), signals.map((s) => s.occurredAt), signals.map((s) => s.detail.slice(0, 500))],
    );
  }
  if (scores.size > 0) {
    await ctx.db.query(
      `UPDATE app.leads AS l SET score = v.score, scored_at = $3
         FROM unnest($1::bigint[], $2::numeric[]) AS v(id, score) WHERE l.id = v.id`,
      [[...scores.keys()], [...scores.values()], now],
    );
  }
  const ranked = leads.rows
    .map((l) => ({ id: l.id, name: l.name, company: l.company, score: scores.get(l.id) ?? 0, signals: signals.filter((s) => s.leadId === l.id).length }))
    .sort((a, b) => b.score - a.score || a.id - b.id);
  const report = { tenant: ctx.tenant, runId: ctx.runId, scoredAt: now.toISOString(), leads: ranked };
  const key = await ctx.objects.put(`${agentObjectPrefix(ctx.tenant, ctx.agent)}scores/${ctx.runId}.json`, `${JSON.stringify(report, null, 2)}\n`, 'application/json');
  const top = ranked[0];
  ctx.log('leads scored', { key, leads: ranked.length, events: events.rows.length, signals: signals.length });
  return {
    itemsProcessed: ranked.length,
    outputs: [{ kind: 'scores', key, summary: top ? `scored ${ranked.length} leads; top: ${top.name} (${top.company}) at ${top.score}` : 'no leads to score' }],
  };
};
