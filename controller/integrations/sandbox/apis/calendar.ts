/**
 * Google Calendar API v3, events.list on a calendar (google/calendar.v3.json): a full listing in
 * pages (`nextPageToken`), ending with a `nextSyncToken`; with `syncToken`, only the events changed
 * since, cancelled ones included. `expireSyncTokens` invalidates every token handed out, after which
 * they answer 410 GONE (reason fullSyncRequired), as Calendar does.
 */
import type { FastifyInstance } from 'fastify';
import { Accounts, decodeToken, encodeToken, guard, numberField, pageSize, queryValue, sendError, type ApiOptions } from './common.js';

export interface CalendarItem {
  title: string;
  start: number;
  end: number;
  organizer: string;
  attendees: string[];
  location?: string;
  description?: string;
  /** A whole-day event: `start.date` and `end.date` instead of date-times. */
  allDay?: boolean;
}

interface Stored extends CalendarItem {
  id: string;
  seq: number;
  status: 'confirmed' | 'cancelled';
  created: number;
  updated: number;
}

/** Parameters Calendar refuses together with a syncToken. */
const NOT_WITH_SYNC = ['timeMin', 'timeMax', 'updatedMin', 'q', 'orderBy', 'iCalUID', 'privateExtendedProperty', 'sharedExtendedProperty'];

export class CalendarStore {
  private seq = 0;
  private nextId = 1;
  private minSyncSeq = 0;
  private readonly events = new Map<string, Stored>();

  constructor(readonly address: string, private readonly now: () => number) {}

  add(item: CalendarItem): string {
    const id = `sbx${(this.nextId++).toString(36).padStart(6, '0')}`;
    const at = this.now();
    this.events.set(id, { ...item, id, seq: ++this.seq, status: 'confirmed', created: at, updated: at });
    return id;
  }

  update(id: string, change: Partial<CalendarItem>): void {
    const event = this.events.get(id);
    if (event) Object.assign(event, change, { seq: ++this.seq, updated: this.now() });
  }

  cancel(id: string): void {
    const event = this.events.get(id);
    if (event) Object.assign(event, { status: 'cancelled', seq: ++this.seq, updated: this.now() });
  }

  /** Every sync token handed out so far stops working (410). */
  expireSyncTokens(): void {
    this.minSyncSeq = this.seq + 1;
  }

  get currentSeq(): number {
    return this.seq;
  }

  get oldestSyncSeq(): number {
    return this.minSyncSeq;
  }

  changedBetween(since: number, upTo: number): Stored[] {
    return [...this.events.values()].filter((e) => e.seq > since && e.seq <= upTo).sort((a, b) => a.seq - b.seq);
  }
}

export function registerCalendar(app: FastifyInstance, options: ApiOptions, calendars: Accounts<CalendarStore>): void {
  const accountOf = guard(app, '/google/calendar/', 'google', options, { requests: 250, windowMs: 1000 });

  app.get<{ Params: { calendarId: string } }>('/google/calendar/v3/calendars/:calendarId/events', async (request, reply) => {
    const account = accountOf(request);
    const { calendarId } = request.params;
    if (calendarId !== 'primary' && calendarId !== account) return sendError(reply, 'google', 404);
    const store = calendars.get(account);
    const max = pageSize(queryValue(request.query, 'maxResults'), 250, 2500);
    if (max === undefined) return sendError(reply, 'google', 400, 'Invalid maxResults');
    const syncToken = queryValue(request.query, 'syncToken');
    const pageToken = queryValue(request.query, 'pageToken');
    let since = -1;
    if (syncToken !== undefined) {
      const clash = NOT_WITH_SYNC.find((p) => queryValue(request.query, p) !== undefined);
      if (clash) return sendError(reply, 'google', 400, `Sync token cannot be combined with ${clash}.`);
      if (queryValue(request.query, 'showDeleted') === 'false') return sendError(reply, 'google', 400, 'showDeleted cannot be false with a sync token.');
      const seq = numberField(decodeToken(syncToken), 'seq');
      if (seq === undefined) return sendError(reply, 'google', 400, 'Invalid sync token value.');
      if (seq < store.oldestSyncSeq) return sendError(reply, 'google', 410);
      since = seq;
    }
    const page = decodeToken(pageToken);
    const after = pageToken === undefined ? since : numberField(page, 'after');
    const upTo = pageToken === undefined ? store.currentSeq : numberField(page, 'upTo');
    if (after === undefined || upTo === undefined) return sendError(reply, 'google', 400, 'Invalid page token value.');
    const showDeleted = since >= 0 || queryValue(request.query, 'showDeleted') === 'true';
    const changed = store.changedBetween(after, upTo).filter((e) => showDeleted || e.status !== 'cancelled');
    const items = changed.slice(0, max);
    const more = changed.length > max;
    return {
      kind: 'calendar#events',
      etag: `"${upTo}"`,
      summary: store.address,
      description: '',
      updated: new Date(options.now()).toISOString(),
      timeZone: 'UTC',
      accessRole: 'owner',
      defaultReminders: [],
      ...(more ? { nextPageToken: encodeToken({ after: items[items.length - 1].seq, upTo }) } : { nextSyncToken: encodeToken({ seq: upTo }) }),
      items: items.map(eventResource),
    };
  });
}

function when(at: number, allDay: boolean | undefined) {
  return allDay ? { date: new Date(at).toISOString().slice(0, 10) } : { dateTime: new Date(at).toISOString().replace('.000Z', 'Z'), timeZone: 'UTC' };
}

function eventResource(e: Stored) {
  const common = { kind: 'calendar#event', etag: `"${e.seq}"`, id: e.id, status: e.status };
  if (e.status === 'cancelled') return common;
  return {
    ...common,
    htmlLink: `https://calendar.sandbox.example/event?eid=${e.id}`,
    created: new Date(e.created).toISOString(),
    updated: new Date(e.updated).toISOString(),
    summary: e.title,
    ...(e.description ? { description: e.description } : {}),
    ...(e.location ? { location: e.location } : {}),
    creator: { email: e.organizer },
    organizer: { email: e.organizer },
    start: when(e.start, e.allDay),
    end: when(e.end, e.allDay),
    iCalUID: `${e.id}@google.com`,
    sequence: 0,
    attendees: e.attendees.map((email) => ({ email, responseStatus: 'needsAction' })),
    eventType: 'default',
  };
}
