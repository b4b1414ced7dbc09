import { quoteIdent } from '../../contract/sql.js';
import { names } from '../../contract/names.js';
import { isoDate, type AgentContext, type AgentProgram } from '../runtime/agent.js';
import { agentObjectPrefix } from '../../contract/agent-env.js';
import { deliveryLedgerKey, ledgerText, parseLedger, type Delivery } from './deliveries.js';
import { composeDigest, type DigestEvent, type DigestInput, type DigestMessage } from './digest.js';
import { digestEmail } from './email.js';
import { topSignals, type SignalRow } from './intent.js';

const DAY_MS = 86_400_000;

/**
 * butler: the daily digest. Messages of the last 24 hours and calendar events of the next 24,
 * summarised, with scout's top intent signals and links to writer's dossiers of the last day, written to the
 * tenant's prefix, recorded in `digests` (the tenant schema's, or app.digests for a pooled tenant), and sent to
 * the tenant's contact and the agent's recipients (SES, or the local outbox) as the run's last step.
 */
export const butler: AgentProgram = async (ctx) => {
  const now = ctx.now();
  const since = new Date(now.getTime() - DAY_MS);
  const until = new Date(now.getTime() + DAY_MS);
  const messages = await ctx.db.query<DigestMessage>(
    `SELECT sender, subject, body, received_at AS "receivedAt" FROM app.messages
      WHERE received_at > $1 AND received_at <= $2 ORDER BY received_at DESC LIMIT 500`,
    [since, now],
  );
  const events = await ctx.db.query<DigestEvent>(
    `SELECT title, starts_at AS "startsAt", ends_at AS "endsAt", attendees FROM app.calendar_events
      WHERE starts_at >= $1 AND starts_at < $2 ORDER BY starts_at LIMIT 200`,
    [now, until],
  );
  const texts = messages.rows.map((m) => `${m.subject}. ${m.body}`);
  const summary = texts.length > 0 ? await ctx.model.summarise('Summarise these messages for a busy reader in three sentences.', texts) : '';
  const date = isoDate(now);
  // scout's strongest signals and writer's dossiers of the last day: read only when present (a starter tenant has neither).
  const signals = await ctx.db.query<SignalRow>(
    `SELECT l.id::int AS "leadId", l.name AS lead, l.company, l.score::float8 AS score, s.detail, s.occurred_at AS "occurredAt"
       FROM app.leads l JOIN app.lead_signals s ON s.lead_id = l.id
      WHERE l.score > 0 ORDER BY l.score DESC, l.id, s.points DESC, s.occurred_at DESC LIMIT 100`,
  );
  const dossiers = await ctx.db.query<{ key: string; summary: string }>(
    `SELECT DISTINCT ON (object_key) object_key AS key, summary FROM app.agent_outputs
      WHERE agent = 'writer' AND kind = 'dossier' AND created_at > $1 ORDER BY object_key, created_at DESC LIMIT 20`,
    [since],
  );
  const input: DigestInput = {
    tenant: ctx.tenant, date, messages: messages.rows, events: events.rows, summary,
    signals: topSignals(signals.rows, now),
    dossiers: dossiers.rows.map((d) => ({ title: d.summary, href: ctx.objects.location(d.key) })),
  };
  const key = await ctx.objects.put(`${agentObjectPrefix(ctx.tenant, ctx.agent)}digests/${date}-${ctx.runId}.md`, composeDigest(input), 'text/markdown');
  const items = messages.rows.length + events.rows.length;
  // A silo tenant keeps its digests in its own schema; a pooled one in the shared table (RLS checks the tenant).
  const digests = ctx.isolation === 'pool' ? 'app.digests' : `${quoteIdent(names.pgSchema(ctx.tenant))}.digests`;
  await (ctx.isolation === 'pool'
    ? ctx.db.query('INSERT INTO app.digests (tenant_id, run_id, for_date, item_count, object_key) VALUES ($1, $2, $3, $4, $5)', [ctx.tenant, ctx.runId, date, items, key])
    : ctx.db.query(`INSERT INTO ${digests} (run_id, for_date, item_count, object_key) VALUES ($1, $2, $3, $4)`, [ctx.runId, date, items, key]));
  const sent = await send(ctx, input, now);
  if (sent) {
    await ctx.db.query(`UPDATE ${digests} SET recipients = $2, message_id = $3, delivered_to = $4, sent_at = $5 WHERE run_id = $1`, [ctx.runId, sent.to, sent.messageId, sent.location, now]);
  }
  ctx.log('digest written', { key, messages: messages.rows.length, events: events.rows.length, recipients: sent?.to.length ?? 0 });
  return {
    itemsProcessed: items,
    outputs: [{ kind: 'digest', key, summary: `${messages.rows.length} messages, ${events.rows.length} events on ${date}${sent ? `; sent to ${sent.to.length}` : ''}` }],
  };
};

/**
 * Sends the digest, one message per recipient so that each carries its own one-click unsubscribe link,
 * and meters each; undefined when there is no sender or no recipient (all may have unsubscribed).
 * Recipients an earlier attempt of this run already reached (its delivery ledger) are not sent it again.
 */
async function send(ctx: AgentContext, input: DigestInput, now: Date) {
  if (!ctx.mail || ctx.mail.recipients.length === 0) {
    ctx.log('digest not sent: no sender or no recipient configured');
    return undefined;
  }
  const { mailer, from, recipients, unsubscribeUrls } = ctx.mail;
  const key = deliveryLedgerKey(ctx.tenant, ctx.agent, ctx.runId);
  const stored = await ctx.objects.get(key);
  const deliveries = stored === undefined ? [] : parseLedger(stored, key, ctx.runId);
  const delivered = new Map<string, Delivery>(deliveries.map((d) => [d.to, d]));
  const earlier = recipients.filter((to) => delivered.has(to)).length;
  if (earlier > 0) {
    ctx.log('digest already delivered by an earlier attempt of this run: not sent to those again', { recipients: earlier });
    // A run's usage is replaced by each attempt's reading (recordUsage): this one counts every message of the run, once.
    ctx.meter.emailsSent(earlier);
  }
  for (const [i, to] of recipients.entries()) {
    if (delivered.has(to)) continue;
    const email = digestEmail(input, {
      displayName: ctx.displayName, tenant: ctx.tenant, runId: ctx.runId, from, to: [to], at: now,
      oneClickUnsubscribe: unsubscribeUrls[to], sequence: recipients.length > 1 ? i + 1 : undefined,
    });
    const { messageId, location } = await mailer.send(email);
    const delivery = { to, messageId, location };
    ctx.meter.emailsSent(1);
    delivered.set(to, delivery);
    deliveries.push(delivery);
    await ctx.objects.put(key, ledgerText(ctx.runId, deliveries), 'application/json');
  }
  const sent = recipients.flatMap((to) => delivered.get(to) ?? []);
  return { to: recipients, messageId: sent.map((s) => s.messageId).join(' '), location: sent.map((s) => s.location).join(' ') };
}
