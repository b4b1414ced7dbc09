import { quoteIdent } from '../../contract/sql.js';
import { names } from '../../contract/names.js';
import { isoDate, type AgentProgram } from '../runtime/agent.js';
import { agentObjectPrefix } from '../../contract/agent-env.js';
import { composeDigest, type DigestEvent, type DigestMessage } from './digest.js';

const DAY_MS = 86_400_000;

/**
 * butler: the daily digest. Messages of the last 24 hours and calendar events of the next 24,
 * summarised, written to the tenant's prefix and recorded in the tenant schema's `digests`.
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
  const body = composeDigest({ tenant: ctx.tenant, date, messages: messages.rows, events: events.rows, summary });
  const key = await ctx.objects.put(`${agentObjectPrefix(ctx.tenant, ctx.agent)}digests/${date}-${ctx.runId}.md`, body, 'text/markdown');
  const items = messages.rows.length + events.rows.length;
  await ctx.db.query(
    `INSERT INTO ${quoteIdent(names.pgSchema(ctx.tenant))}.digests (run_id, for_date, item_count, object_key) VALUES ($1, $2, $3, $4)`,
    [ctx.runId, date, items, key],
  );
  ctx.log('digest written', { key, messages: messages.rows.length, events: events.rows.length });
  return {
    itemsProcessed: items,
    outputs: [{ kind: 'digest', key, summary: `${messages.rows.length} messages, ${events.rows.length} events on ${date}` }],
  };
};
