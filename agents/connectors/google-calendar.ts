/**
 * Google Calendar (the primary calendar) into app.calendar_events: events.list page by page
 * (`nextPageToken`), single events (recurrences expanded), and from the last page's
 * `nextSyncToken` on, only what changed: cancelled events are removed. A 410 GONE (the sync token
 * expired) starts a full sync again.
 */
import { ConnectorError, isConnectorError } from './errors.js';
import type { ProviderApi } from './http.js';
import { record, records, text, type Json } from './json.js';
import { boundedEventRow, deleteByProviderId, upsertEvents, type EventRow } from './rows.js';
import type { Page, Stream } from './sync.js';

export interface CalendarCursor {
  syncToken?: string;
  pageToken?: string;
}

const EVENTS = '/calendar/v3/calendars/primary/events';

export function googleCalendarStream(api: ProviderApi): Stream<CalendarCursor> {
  return {
    integration: 'google',
    name: 'calendar',
    cursorOf(stored) {
      const cursor = { syncToken: text(stored, 'syncToken'), pageToken: text(stored, 'pageToken') };
      return cursor.syncToken || cursor.pageToken ? cursor : undefined;
    },

    async page(cursor, limit): Promise<Page<CalendarCursor>> {
      let answer: unknown;
      try {
        answer = await api.json(EVENTS, { query: { maxResults: limit, singleEvents: true, syncToken: cursor?.syncToken, pageToken: cursor?.pageToken } });
      } catch (error) {
        if (isConnectorError(error, 'PROVIDER_REFUSED') && error.detail.status === 410) {
          throw new ConnectorError('CURSOR_EXPIRED', 'google', 'Calendar no longer accepts the stored sync token (410 GONE)', { status: 410 }, { cause: error });
        }
        throw error;
      }
      const items = records(answer, 'items');
      const cancelled = items.filter((e) => text(e, 'status') === 'cancelled').map((e) => text(e, 'id')).filter((id): id is string => id !== undefined);
      const rows = items.filter((e) => text(e, 'status') !== 'cancelled').map(eventRow).filter((r): r is EventRow => r !== undefined);
      const pageToken = text(answer, 'nextPageToken');
      const syncToken = text(answer, 'nextSyncToken');
      if (!pageToken && !syncToken) throw new ConnectorError('INVALID_RESPONSE', 'google', 'Calendar answered neither nextPageToken nor nextSyncToken');
      return {
        items: rows.length + cancelled.length,
        write: async (scope) => {
          await upsertEvents(scope, rows);
          await deleteByProviderId(scope, 'calendar_events', cancelled);
        },
        next: pageToken ? { syncToken: cursor?.syncToken, pageToken } : { syncToken },
        more: pageToken !== undefined,
      };
    },
  };
}

/** An event resource as a row; undefined without an id or a start and end. Whole-day events start at midnight UTC. */
export function eventRow(event: Json): EventRow | undefined {
  const at = (key: string) => {
    const when = record(event, key);
    const value = text(when, 'dateTime') ?? text(when, 'date');
    const ms = value === undefined ? NaN : Date.parse(value);
    return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
  };
  const [id, startsAt, endsAt] = [text(event, 'id'), at('start'), at('end')];
  if (!id || !startsAt || !endsAt) return undefined;
  return boundedEventRow({
    providerId: id,
    title: text(event, 'summary') ?? '(no title)',
    startsAt,
    endsAt,
    attendees: records(event, 'attendees').map((a) => text(a, 'email')).filter((e): e is string => e !== undefined),
    organizer: text(record(event, 'organizer'), 'email') ?? null,
    location: text(event, 'location'),
  });
}
