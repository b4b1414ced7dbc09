import type { AgentProgram } from '../runtime/agent.js';
import { agentObjectPrefix } from '../../contract/agent-env.js';
import { composeDossier, dossierKey, type DossierEvent, type DossierLead } from './dossier.js';

/**
 * writer: a dossier for the highest-scored lead that has none yet (a dossier is an agent_outputs row
 * of kind 'dossier' at the lead's key), written to the tenant's prefix.
 */
export const writer: AgentProgram = async (ctx) => {
  const prefix = agentObjectPrefix(ctx.tenant, ctx.agent);
  const { rows } = await ctx.db.query<DossierLead>(
    `SELECT l.id::int AS id, l.name, l.company, l.email, l.score::float8 AS score FROM app.leads l
      WHERE l.score IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM app.agent_outputs o
                         WHERE o.agent = 'writer' AND o.kind = 'dossier' AND o.object_key = $1 || l.id || '.md')
      ORDER BY l.score DESC, l.id LIMIT 1`,
    [`${prefix}dossiers/lead-`],
  );
  const lead = rows[0];
  if (!lead) {
    ctx.log('no lead needs a dossier');
    return { itemsProcessed: 0, outputs: [] };
  }
  const events = await ctx.db.query<DossierEvent>(
    'SELECT kind, occurred_at AS "occurredAt" FROM app.lead_events WHERE lead_id = $1 ORDER BY occurred_at',
    [lead.id],
  );
  const facts = [
    `${lead.name} works at ${lead.company} and has an intent score of ${lead.score}.`,
    ...events.rows.map((e) => `On ${e.occurredAt.toISOString().slice(0, 10)} the lead showed ${e.kind.replaceAll('_', ' ')}.`),
  ];
  const summary = await ctx.model.summarise(`Write a short sales briefing about ${lead.name} of ${lead.company}.`, facts);
  const key = await ctx.objects.put(dossierKey(prefix, lead.id), composeDossier(lead, events.rows, summary, ctx.now()), 'text/markdown');
  ctx.log('dossier written', { key, lead: lead.id });
  return { itemsProcessed: 1, outputs: [{ kind: 'dossier', key, summary: `dossier for ${lead.name} (${lead.company}), score ${lead.score}` }] };
};
