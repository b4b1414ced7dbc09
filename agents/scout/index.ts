import type { AgentProgram } from '../runtime/agent.js';
import { agentObjectPrefix } from '../../contract/agent-env.js';
import { scoreLeads, type LeadEvent } from './score.js';

interface LeadRow {
  id: number;
  name: string;
  company: string;
}

/**
 * scout: scores every lead of the tenant from its intent signals (lead_events), writes the scores
 * back to app.leads (score, scored_at) and a JSON report to the tenant's prefix.
 */
export const scout: AgentProgram = async (ctx) => {
  const now = ctx.now();
  const leads = await ctx.db.query<LeadRow>('SELECT id::int AS id, name, company FROM app.leads ORDER BY id');
  const events = await ctx.db.query<LeadEvent>(
    'SELECT lead_id::int AS "leadId", kind, occurred_at AS "occurredAt" FROM app.lead_events ORDER BY lead_id, occurred_at',
  );
  const scores = scoreLeads(leads.rows.map((l) => l.id), events.rows, now);
  if (scores.size > 0) {
    await ctx.db.query(
      `UPDATE app.leads AS l SET score = v.score, scored_at = $3
         FROM unnest($1::bigint[], $2::numeric[]) AS v(id, score) WHERE l.id = v.id`,
      [[...scores.keys()], [...scores.values()], now],
    );
  }
  const ranked = leads.rows
    .map((l) => ({ ...l, score: scores.get(l.id) ?? 0 }))
    .sort((a, b) => b.score - a.score || a.id - b.id);
  const report = { tenant: ctx.tenant, runId: ctx.runId, scoredAt: now.toISOString(), leads: ranked };
  const key = await ctx.objects.put(`${agentObjectPrefix(ctx.tenant, ctx.agent)}scores/${ctx.runId}.json`, `${JSON.stringify(report, null, 2)}\n`, 'application/json');
  const top = ranked[0];
  ctx.log('leads scored', { key, leads: ranked.length, events: events.rows.length });
  return {
    itemsProcessed: ranked.length,
    outputs: [{ kind: 'scores', key, summary: top ? `scored ${ranked.length} leads; top: ${top.name} (${top.company}) at ${top.score}` : 'no leads to score' }],
  };
};
