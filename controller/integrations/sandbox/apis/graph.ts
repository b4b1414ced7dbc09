/**
 * Microsoft Graph v1.0, the delta functions a mail and calendar connector reads
 * (microsoft-graph/graph-v1.0-mail-calendar-subset.yaml): `/me/mailFolders/{id}/messages/delta` and
 * `/me/calendarView/delta?startDateTime&endDateTime`. Pages end in `@odata.nextLink` until the last,
 * which carries `@odata.deltaLink`; a deleted item comes back as `{"@removed":{"reason":"deleted"}}`.
 * Page size follows `Prefer: odata.maxpagesize`. `expireDeltaTokens` invalidates every delta link
 * handed out: 410 Gone, code SyncStateNotFound.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CalendarItem } from './calendar.js';
import { Accounts, decodeToken, encodeToken, guard, numberField, queryValue, sendError, type ApiOptions } from './common.js';
import type { MailItem } from './gmail.js';

type Entry<T> = { id: string; seq: number; removed: boolean; item: T; changed: number };

class Changes<T> {
  private seq = 0;
  private nextId = 1;
  readonly entries = new Map<string, Entry<T>>();
  constructor(private readonly prefix: string, private readonly now: () => number) {}

  add(item: T): string {
    const id = `${this.prefix}${String(this.nextId++).padStart(6, '0')}${'A'.repeat(40)}=`;
    this.entries.set(id, { id, seq: ++this.seq, removed: false, item, changed: this.now() });
    return id;
  }

  update(id: string, change: Partial<T>): void {
    const entry = this.entries.get(id);
    if (entry) Object.assign(entry, { item: { ...entry.item, ...change }, seq: ++this.seq, changed: this.now() });
  }

  remove(id: string): void {
    const entry = this.entries.get(id);
    if (entry) Object.assign(entry, { removed: true, seq: ++this.seq, changed: this.now() });
  }

  get current(): number {
    return this.seq;
  }

  between(since: number, upTo: number): Entry<T>[] {
    return [...this.entries.values()].filter((e) => e.seq > since && e.seq <= upTo).sort((a, b) => a.seq - b.seq);
  }
}

export class GraphMailbox {
  readonly messages: Changes<MailItem>;
  readonly events: Changes<CalendarItem>;
  /** A delta token older than this is gone (410). */
  oldestDeltaSeq = 0;

  constructor(readonly address: string, now: () => number) {
    this.messages = new Changes('AAMkAGI2TG93AAA', now);
    this.events = new Changes('AAMkAGI2TAAAEv', now);
  }

  expireDeltaTokens(): void {
    this.oldestDeltaSeq = Math.max(this.messages.current, this.events.current) + 1;
  }
}

const GONE = 'The sync state generation is not found. The delta token is expired and data must be synchronized again.';

export function registerGraph(app: FastifyInstance, options: ApiOptions, mailboxes: Accounts<GraphMailbox>): void {
  // Graph's mailbox limit: 10,000 requests per 10 minutes per app and mailbox.
  const accountOf = guard(app, '/microsoft/v1.0/', 'microsoft', options, { requests: 10_000, windowMs: 600_000 });

  const delta = <T>(request: FastifyRequest, reply: FastifyReply, changes: (box: GraphMailbox) => Changes<T>, render: (e: Entry<T>, address: string) => Record<string, unknown>, window?: { start: number; end: number }, keep?: (item: T) => boolean) => {
    const box = mailboxes.get(accountOf(request));
    const url = new URL(request.url, `${request.protocol}://${request.headers.host}`);
    const prefer = /odata\.maxpagesize=(\d+)/.exec(String(request.headers.prefer ?? ''));
    const size = Math.min(prefer ? Math.max(1, Number(prefer[1])) : 10, 1000);
    const deltaToken = queryValue(request.query, '$deltatoken');
    const skipToken = queryValue(request.query, '$skiptoken');
    let since = -1;
    let upTo = changes(box).current;
    let after = -1;
    if (deltaToken !== undefined) {
      const seq = numberField(decodeToken(deltaToken), 'seq');
      if (seq === undefined) return sendError(reply, 'microsoft', 400, 'Invalid delta token.');
      if (seq < box.oldestDeltaSeq) return sendError(reply, 'microsoft', 410, GONE);
      since = after = seq;
    } else if (skipToken !== undefined) {
      const state = decodeToken(skipToken);
      const [s, u, a] = [numberField(state, 'since'), numberField(state, 'upTo'), numberField(state, 'after')];
      if (s === undefined || u === undefined || a === undefined) return sendError(reply, 'microsoft', 400, 'Invalid skip token.');
      if (s >= 0 && s < box.oldestDeltaSeq) return sendError(reply, 'microsoft', 410, GONE);
      [since, upTo, after] = [s, u, a];
    }
    const visible = changes(box).between(after, upTo).filter((e) => (since >= 0 || !e.removed) && (!keep || keep(e.item)));
    const page = visible.slice(0, size);
    const link = (param: string, state: Record<string, number>) => {
      const next = new URL(url.pathname, url.origin);
      if (window) {
        next.searchParams.set('startDateTime', new Date(window.start).toISOString());
        next.searchParams.set('endDateTime', new Date(window.end).toISOString());
      }
      next.searchParams.set(param, encodeToken(state));
      return next.toString();
    };
    reply.header('preference-applied', `odata.maxpagesize=${size}`);
    return {
      '@odata.context': `${url.origin}/v1.0/$metadata#Collection(${window ? 'event' : 'message'})`,
      value: page.map((e) => (e.removed ? { id: e.id, '@removed': { reason: 'deleted' } } : render(e, box.address))),
      ...(visible.length > size
        ? { '@odata.nextLink': link('$skiptoken', { since, upTo, after: page[page.length - 1].seq }) }
        : { '@odata.deltaLink': link('$deltatoken', { seq: upTo }) }),
    };
  };

  app.get('/microsoft/v1.0/me/mailFolders/:folder/messages/delta', async (request, reply) => delta(request, reply, (box) => box.messages, messageResource));

  app.get('/microsoft/v1.0/me/calendarView/delta', async (request, reply) => {
    const start = Date.parse(queryValue(request.query, 'startDateTime') ?? '');
    const end = Date.parse(queryValue(request.query, 'endDateTime') ?? '');
    const continuing = queryValue(request.query, '$deltatoken') !== undefined || queryValue(request.query, '$skiptoken') !== undefined;
    if ((Number.isNaN(start) || Number.isNaN(end)) && !continuing) {
      return sendError(reply, 'microsoft', 400, 'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.');
    }
    const window = Number.isNaN(start) ? undefined : { start, end };
    return delta(request, reply, (box) => box.events, eventResource, window, window && ((event: CalendarItem) => event.end > window.start && event.start < window.end));
  });
}

/** Graph's recipient from `Name <address>` or a bare address. */
function address(value: string) {
  const named = /^"?([^"<]*?)"?\s*<([^>]+)>$/.exec(value.trim());
  const email = named ? named[2] : value.trim();
  return { emailAddress: { name: named?.[1] || email.split('@')[0], address: email } };
}
const iso = (at: number) => new Date(at).toISOString().replace('Z', '0000');

function messageResource(e: Entry<MailItem>) {
  const m = e.item;
  return {
    '@odata.type': '#microsoft.graph.message',
    '@odata.etag': `W/"CQAAABYAAAC${e.seq}"`,
    id: e.id,
    createdDateTime: new Date(m.receivedAt).toISOString(),
    lastModifiedDateTime: new Date(e.changed).toISOString(),
    receivedDateTime: new Date(m.receivedAt).toISOString(),
    sentDateTime: new Date(m.receivedAt).toISOString(),
    hasAttachments: m.attachment !== undefined,
    subject: m.subject,
    bodyPreview: m.body.slice(0, 255),
    importance: 'normal',
    conversationId: `AAQkAGI2${m.threadId ?? e.id}`,
    isRead: false,
    isDraft: false,
    body: { contentType: 'text', content: m.body },
    from: address(m.from),
    sender: address(m.from),
    toRecipients: m.to.map(address),
    ccRecipients: [],
  };
}

function eventResource(e: Entry<CalendarItem>, owner: string) {
  const ev = e.item;
  return {
    '@odata.type': '#microsoft.graph.event',
    '@odata.etag': `W/"DwAAABYAAAC${e.seq}"`,
    id: e.id,
    createdDateTime: new Date(e.changed).toISOString(),
    lastModifiedDateTime: new Date(e.changed).toISOString(),
    subject: ev.title,
    bodyPreview: ev.description ?? '',
    isAllDay: ev.allDay === true,
    isCancelled: false,
    isOrganizer: ev.organizer === owner,
    showAs: 'busy',
    type: 'singleInstance',
    start: { dateTime: iso(ev.start), timeZone: 'UTC' },
    end: { dateTime: iso(ev.end), timeZone: 'UTC' },
    location: { displayName: ev.location ?? '', locationType: 'default' },
    attendees: ev.attendees.map((email) => ({ type: 'required', status: { response: 'none', time: '0001-01-01T00:00:00Z' }, ...address(email) })),
    organizer: address(ev.organizer),
  };
}
