import type { AgentContext, AgentOutput, AgentProgram } from '../runtime/agent.js';
import { agentObjectPrefix } from '../../contract/agent-env.js';
import { composeDossier, dossierKey, leadDomain, type DossierLead, type DossierMail, type DossierMeeting, type DossierSignal } from './dossier.js';

/** A lead scoring at least this is worth a dossier. */
export const DOSSIER_MIN_SCORE = 30;
/** Dossiers written in one run at most (each is a model call), highest scores first. */
const PER_RUN = 5;
const DAY_MS = 86_400_000;

/**
 * writer: a dossier for each high-scoring lead (DOSSIER_MIN_SCORE) that has none since scout last
 * scored it, from its CRM fields, its signals, the tenant's mail with the lead's company domain and
 * its meetings; written to the tenant's prefix (its agent_outputs row, kind 'dossier', is what butler
 * links from the digest).
 */
export const writer: AgentProgram = async (ctx) => {
  const prefix = agentObjectPrefix(ctx.tenant, ctx.agent);
  const { rows: leads } = await ctx.db.query<DossierLead>(
    `SELECT l.id::int AS id, l.name, l.company, l.email, l.job_title AS "jobTitle", l.lifecycle_stage AS "lifecycleStage", l.score::float8 AS score
       FROM app.leads l
      WHERE l.score >= $2
        AND NOT EXISTS (SELECT 1 FROM app.agent_outputs o
                         WHERE o.agent = 'writer' AND o.kind = 'dossier' AND o.object_key = $1 || l.id || '.md'
                           AND o.created_at >= coalesce(l.scored_at, '-infinity'))
      ORDER BY l.score DESC, l.id LIMIT ${PER_RUN}`,
    [`${prefix}dossiers/lead-`, DOSSIER_MIN_SCORE],
  );
  if (leads.length === 0) {
    ctx.log('no lead needs a dossier');
    return { itemsProcessed: 0, outputs: [] };
  }
  const outputs: AgentOutput[] = [];
  for (const lead of leads) outputs.push(await writeDossier(ctx, prefix, lead));
  ctx.log('dossiers written', { leads: leads.map((l) => l.id) });
  return { itemsProcessed: outputs.length, outputs };
};

async function writeDossier(ctx: AgentContext, prefix: string, lead: DossierLead): Promise<AgentOutput> {
  const now = ctx.now();
  const domain = leadDomain(lead.email);
  // Mail and meetings of the lead's company (its domain), or of the lead alone at a shared mailbox provider.
  // $1 the domain (checked: letters, digits, dots and hyphens), $4 the address, $5 the address as a LIKE pattern.
  const matches = `(($1::text IS NOT NULL AND (lower(x) LIKE '%@' || $1 OR lower(x) LIKE '%@' || $1 || '>')) OR lower(x) = $4 OR lower(x) LIKE '%<' || $5 || '>')`;
  const address = (lead.email ?? '').toLowerCase();
  const who = [domain ?? null, address, address.replace(/[\\%_]/g, '\\$&')];
  const signals = await ctx.db.query<DossierSignal>(
    'SELECT detail, points::float8 AS points, occurred_at AS "occurredAt" FROM app.lead_signals WHERE lead_id = $1 ORDER BY points DESC, occurred_at DESC LIMIT 20',
    [lead.id],
  );
  const mail = lead.email === null ? { rows: [] } : await ctx.db.query<DossierMail>(
    `SELECT sender, subject, received_at AS "receivedAt" FROM app.messages m
      WHERE received_at > $2 AND received_at <= $3 AND EXISTS (SELECT 1 FROM unnest(array_append(m.recipients, m.sender)) AS a(x) WHERE ${matches})
      ORDER BY received_at DESC LIMIT 20`,
    [who[0], new Date(now.getTime() - 90 * DAY_MS), now, who[1], who[2]],
  );
  const meetings = lead.email === null ? { rows: [] } : await ctx.db.query<DossierMeeting>(
    `SELECT title, starts_at AS "startsAt", attendees FROM app.calendar_events e
      WHERE starts_at > $2 AND starts_at < $3 AND EXISTS (SELECT 1 FROM unnest(e.attendees) AS a(x) WHERE ${matches})
      ORDER BY starts_at LIMIT 20`,
    [who[0], new Date(now.getTime() - 60 * DAY_MS), new Date(now.getTime() + 30 * DAY_MS), who[1], who[2]],
  );
  const facts = [
    `${lead.name} works at ${lead.company}${lead.jobTitle ? ` as ${lead.jobTitle}` : ''} and has an intent score of ${lead.score}.`,
    ...signals.rows.map((s) => `On ${s.occurredAt.toISOString().slice(0, 10)}: ${s.detail}.`),
    ...mail.rows.map((m) => `Mail on ${m.receivedAt.toISOString().slice(0, 10)} from ${m.sender}: ${m.subject}.`),
    ...meetings.rows.map((m) => `Meeting on ${m.startsAt.toISOString().slice(0, 10)}: ${m.title}.`),
  ];
  const summary = await ctx.model.summarise(`Write a short sales briefing about ${lead.name} of ${lead.company}.`, facts);
  const body = composeDossier({ lead, signals: signals.rows, mail: mail.rows, meetings: meetings.rows, summary, at: now });
  const key = await ctx.objects.put(dossierKey(prefix, lead.id), body, 'text/markdown');
  return { kind: 'dossier', key, summary: `dossier for ${lead.name} (${lead.company}), score ${lead.score}` };
}
