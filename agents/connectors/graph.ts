/**
 * Microsoft Graph mail (the inbox's messages delta) and calendar (calendarView delta over a window
 * from a day ago to `calendarDays` ahead) into app.messages and app.calendar_events. The cursor is
 * the link Graph gave last: `@odata.nextLink` mid-round, `@odata.deltaLink` once caught up. Items
 * marked `@removed` are deleted. A 410 Gone or a syncStateNotFound error starts the round again; so
 * does a calendar window that has run out.
 */
import { ConnectorError, isConnectorError } from './errors.js';
import type { ProviderApi } from './http.js';
import { record, records, text, type Json } from './json.js';
import { boundedEventRow, deleteByProviderId, upsertEvents, upsertMessages, type EventRow, type MessageRow, type Scope } from './rows.js';
import type { Page, Stream } from './sync.js';
import { htmlToText, truncateUtf8 } from './text.js';

export interface GraphCursor {
  link: string;
  /** calendarView: the end of the window the round covers (ISO). */
  windowEnd?: string;
}

const DAY = 86_400_000;
const MESSAGE_FIELDS = 'subject,from,toRecipients,receivedDateTime,body,conversationId';

interface GraphKind<Row> {
  name: 'mail' | 'calendarView';
  first(now: number): { link: string; windowEnd?: string };
  row(item: Json): Row | undefined;
  write(scope: Scope, rows: Row[], removed: string[]): Promise<void>;
}

function graphStream<Row>(api: ProviderApi, kind: GraphKind<Row>, now: () => number): Stream<GraphCursor> {
  return {
    integration: 'microsoft',
    name: kind.name,
    cursorOf(stored) {
      const link = text(stored, 'link');
      if (!link) return undefined;
      const windowEnd = text(stored, 'windowEnd');
      // A finished round whose calendar window ends within a day: a new window instead.
      if (windowEnd && link.includes('deltatoken') && Date.parse(windowEnd) - now() < DAY) return undefined;
      return { link, ...(windowEnd ? { windowEnd } : {}) };
    },

    async page(cursor, limit): Promise<Page<GraphCursor>> {
      const start = cursor ?? kind.first(now());
      let answer: unknown;
      try {
        answer = await api.json(start.link, { headers: { prefer: `odata.maxpagesize=${limit}, outlook.body-content-type="text", outlook.timezone="UTC"` } });
      } catch (error) {
        const gone = isConnectorError(error, 'PROVIDER_REFUSED') && (error.detail.status === 410 || /syncStateNotFound|resyncRequired/i.test(error.detail.providerCode ?? ''));
        if (gone) throw new ConnectorError('CURSOR_EXPIRED', 'microsoft', `Graph no longer knows the stored delta state (${error.message})`, {}, { cause: error });
        throw error;
      }
      const items = records(answer, 'value');
      const gone = (i: Json) => record(i, '@removed') !== undefined || i.isCancelled === true;
      const removed = items.filter(gone).map((i) => text(i, 'id')).filter((id): id is string => id !== undefined);
      const rows = items.filter((i) => !gone(i)).map(kind.row).filter((r): r is Row => r !== undefined);
      const nextLink = text(answer, '@odata.nextLink');
      const deltaLink = text(answer, '@odata.deltaLink');
      const link = nextLink ?? deltaLink;
      if (!link) throw new ConnectorError('INVALID_RESPONSE', 'microsoft', 'Graph answered neither @odata.nextLink nor @odata.deltaLink');
      api.url(link); // a link elsewhere than the API is refused now, not on the next run
      return {
        items: rows.length + removed.length,
        write: (scope) => kind.write(scope, rows, removed),
        next: { link, ...(start.windowEnd ? { windowEnd: start.windowEnd } : {}) },
        more: nextLink !== undefined,
      };
    },
  };
}

export function graphMailStream(api: ProviderApi, bodyMaxBytes: number, now: () => number): Stream<GraphCursor> {
  return graphStream<MessageRow>(api, {
    name: 'mail',
    first: () => ({ link: api.url('/v1.0/me/mailFolders/inbox/messages/delta', { $select: MESSAGE_FIELDS }).toString() }),
    row: (m) => graphMessageRow(m, bodyMaxBytes),
    write: async (scope, rows, removed) => {
      await upsertMessages(scope, rows);
      await deleteByProviderId(scope, 'messages', removed);
    },
  }, now);
}

export function graphCalendarStream(api: ProviderApi, calendarDays: number, now: () => number): Stream<GraphCursor> {
  return graphStream<EventRow>(api, {
    name: 'calendarView',
    first: (at) => {
      const windowEnd = new Date(at + calendarDays * DAY).toISOString();
      return { link: api.url('/v1.0/me/calendarView/delta', { startDateTime: new Date(at - DAY).toISOString(), endDateTime: windowEnd }).toString(), windowEnd };
    },
    row: graphEventRow,
    write: async (scope, rows, removed) => {
      await upsertEvents(scope, rows);
      await deleteByProviderId(scope, 'calendar_events', removed);
    },
  }, now);
}

const addressOf = (recipient: Json | undefined) => text(record(recipient, 'emailAddress'), 'address')?.toLowerCase();

export function graphMessageRow(message: Json, bodyMaxBytes: number): MessageRow | undefined {
  const id = text(message, 'id');
  if (!id) return undefined;
  const from = record(record(message, 'from'), 'emailAddress');
  const name = text(from, 'name');
  const address = text(from, 'address');
  const body = record(message, 'body');
  const content = text(body, 'content') ?? text(message, 'bodyPreview') ?? '';
  return {
    providerId: id,
    threadId: text(message, 'conversationId') ?? null,
    sender: (address ? (name && name !== address ? `${name} <${address}>` : address) : '(unknown sender)').slice(0, 500),
    recipients: records(message, 'toRecipients').map(addressOf).filter((a): a is string => a !== undefined).slice(0, 100),
    subject: truncateUtf8(text(message, 'subject') ?? '', 1000),
    body: truncateUtf8((text(body, 'contentType') === 'html' ? htmlToText(content) : content).trim(), bodyMaxBytes),
    receivedAt: new Date(Date.parse(text(message, 'receivedDateTime') ?? '') || 0).toISOString(),
  };
}

/** Graph's dateTimeTimeZone, asked for in UTC (Prefer: outlook.timezone): no offset in the text. */
function utc(value: Json | undefined): string | undefined {
  const dateTime = text(value, 'dateTime');
  if (!dateTime) return undefined;
  const ms = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(dateTime) ? dateTime : `${dateTime}Z`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

export function graphEventRow(event: Json): EventRow | undefined {
  const [id, startsAt, endsAt] = [text(event, 'id'), utc(record(event, 'start')), utc(record(event, 'end'))];
  if (!id || !startsAt || !endsAt) return undefined;
  return boundedEventRow({
    providerId: id,
    title: text(event, 'subject') ?? '(no title)',
    startsAt,
    endsAt,
    attendees: records(event, 'attendees').map(addressOf).filter((a): a is string => a !== undefined),
    organizer: addressOf(record(event, 'organizer')) ?? null,
    location: text(record(event, 'location'), 'displayName'),
  });
}
