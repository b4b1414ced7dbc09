/**
 * HubSpot CRM into app.leads (contacts) and app.lead_events (emails and meetings of those
 * contacts): the search API, filtered on the last-modified property from the stored time and
 * sorted by it, paged with `paging.next.after`. The cursor holds the time and, mid-query, the
 * `after` token; a query nearing search's 10,000-result window starts over from the newest time
 * seen. Engagements find their contacts through the v4 associations batch read.
 */
import { ConnectorError } from './errors.js';
import type { ProviderApi } from './http.js';
import { isRecord, record, records, text, type Json } from './json.js';
import { upsertLeadEvents, upsertLeads, type LeadEventRow, type LeadRow } from './rows.js';
import type { Page, Stream } from './sync.js';
import { truncateUtf8 } from './text.js';

export interface HubSpotCursor {
  /** Epoch milliseconds: objects modified at or after it are read. */
  since: number;
  after?: string;
  /** The newest modification time read so far in this query (the next query's `since`). */
  newest?: number;
  /** Ids already read at exactly `newest` (or, between queries, at `since`): not counted again. */
  seen?: string[];
}

/** Ids kept to recognise objects read at the boundary time: beyond this many, some are read twice (harmless, upserted). */
const MAX_SEEN = 1000;

type ObjectType = 'contacts' | 'emails' | 'meetings';

const MODIFIED: Record<ObjectType, string> = { contacts: 'lastmodifieddate', emails: 'hs_lastmodifieddate', meetings: 'hs_lastmodifieddate' };
const PROPERTIES: Record<ObjectType, string[]> = {
  contacts: ['firstname', 'lastname', 'email', 'company', 'jobtitle', 'lifecyclestage', 'lastmodifieddate'],
  emails: ['hs_email_subject', 'hs_email_direction', 'hs_timestamp', 'hs_lastmodifieddate'],
  meetings: ['hs_meeting_title', 'hs_meeting_start_time', 'hs_meeting_outcome', 'hs_timestamp', 'hs_lastmodifieddate'],
};
/** HubSpot's search answers at most this many results for one query. */
const SEARCH_WINDOW = 10_000;
const MAX_LIMIT = 200;

export function hubspotStream(api: ProviderApi, type: ObjectType): Stream<HubSpotCursor> {
  return {
    integration: 'hubspot',
    name: type,
    cursorOf(stored) {
      const since = Number(text(stored, 'since'));
      if (!Number.isFinite(since) || since < 0) return undefined;
      const after = text(stored, 'after');
      const newest = Number(text(stored, 'newest'));
      const seen = isRecord(stored) && Array.isArray(stored.seen) ? stored.seen.filter((id): id is string => typeof id === 'string') : [];
      return { since, ...(after ? { after } : {}), ...(Number.isFinite(newest) ? { newest } : {}), ...(seen.length > 0 ? { seen } : {}) };
    },

    async page(cursor, limit): Promise<Page<HubSpotCursor>> {
      const since = cursor?.since ?? 0;
      // Within search's window: a query about to leave it starts over from the newest time seen.
      const from = cursor?.after !== undefined && Number(cursor.after) < SEARCH_WINDOW ? cursor.after : undefined;
      const size = Math.min(limit, MAX_LIMIT, SEARCH_WINDOW - Number(from ?? 0));
      const answer = await api.json(`/crm/v3/objects/${type}/search`, {
        method: 'POST',
        body: {
          filterGroups: [{ filters: [{ propertyName: MODIFIED[type], operator: 'GTE', value: String(since) }] }],
          sorts: [{ propertyName: MODIFIED[type], direction: 'ASCENDING' }],
          properties: PROPERTIES[type],
          limit: size,
          after: from ?? '0',
        },
      });
      // Objects read at the boundary time by the previous query come back (GTE): not again.
      const boundary = new Set(cursor?.seen ?? []);
      const previous = cursor?.newest ?? since;
      const results = records(answer, 'results').filter((r) => !(boundary.has(requireId(r)) && modifiedAt(r, type) === previous));
      const newest = results.reduce((max, r) => Math.max(max, modifiedAt(r, type)), previous);
      const atNewest = results.filter((r) => modifiedAt(r, type) === newest).map(requireId);
      const seen = [...(newest === previous ? boundary : []), ...atNewest].slice(-MAX_SEEN);
      const after = text(record(record(answer, 'paging'), 'next'), 'after');
      const next: HubSpotCursor = after && Number(after) < SEARCH_WINDOW ? { since, after, newest, seen } : { since: newest, seen };
      const more = after !== undefined;
      if (type === 'contacts') {
        const rows = results.map(contactRow);
        return { items: rows.length, write: (scope) => upsertLeads(scope, rows), next, more };
      }
      const contacts = await associatedContacts(api, type, results.map((r) => requireId(r)));
      const rows = results.flatMap((r) => (contacts.get(requireId(r)) ?? []).map((contactId) => engagementRow(r, type, contactId)));
      return { items: results.length, write: async (scope) => { await upsertLeadEvents(scope, rows); }, next, more };
    },
  };
}

async function associatedContacts(api: ProviderApi, type: ObjectType, ids: string[]): Promise<Map<string, string[]>> {
  const byId = new Map<string, string[]>();
  if (ids.length === 0) return byId;
  const answer = await api.json(`/crm/v4/associations/${type}/contacts/batch/read`, { method: 'POST', body: { inputs: ids.map((id) => ({ id })) } });
  for (const result of records(answer, 'results')) {
    const from = text(record(result, 'from'), 'id');
    if (from) byId.set(from, records(result, 'to').map((t) => text(t, 'toObjectId')).filter((c): c is string => c !== undefined));
  }
  return byId;
}

function requireId(object: Json): string {
  const id = text(object, 'id');
  if (!id) throw new ConnectorError('INVALID_RESPONSE', 'hubspot', 'a search result lacks its id');
  return id;
}

/** A property's time (ISO or epoch milliseconds) in milliseconds, or NaN. */
function timeOf(object: Json, property: string): number {
  const value = text(record(object, 'properties'), property);
  if (value === undefined || value === '') return NaN;
  return /^\d+$/.test(value) ? Number(value) : Date.parse(value);
}

function modifiedAt(object: Json, type: ObjectType): number {
  const at = timeOf(object, MODIFIED[type]);
  return Number.isNaN(at) ? Date.parse(text(object, 'updatedAt') ?? '') || 0 : at;
}

export function contactRow(contact: Json): LeadRow {
  const p = record(contact, 'properties');
  const name = [text(p, 'firstname'), text(p, 'lastname')].filter(Boolean).join(' ') || text(p, 'email') || `contact ${requireId(contact)}`;
  return {
    providerId: requireId(contact),
    name: truncateUtf8(name, 300),
    company: truncateUtf8(text(p, 'company') ?? '', 300),
    email: text(p, 'email')?.toLowerCase() || null,
    jobTitle: text(p, 'jobtitle') || null,
    lifecycleStage: text(p, 'lifecyclestage') || null,
    updatedAt: new Date(modifiedAt(contact, 'contacts')).toISOString(),
  };
}

/**
 * An engagement as one lead event: an email the contact sent is `email_reply`, one sent to them
 * `email_sent`, a meeting `meeting_booked` (the kinds scout weighs).
 */
export function engagementRow(object: Json, type: 'emails' | 'meetings', contactId: string): LeadEventRow {
  const p = record(object, 'properties');
  const at = timeOf(object, 'hs_timestamp');
  const occurredAt = new Date(Number.isNaN(at) ? modifiedAt(object, 'emails') : at).toISOString();
  const subject = type === 'meetings' ? text(p, 'hs_meeting_title') : text(p, 'hs_email_subject');
  const kind = type === 'meetings' ? 'meeting_booked' : text(p, 'hs_email_direction') === 'INCOMING_EMAIL' ? 'email_reply' : 'email_sent';
  return { providerId: requireId(object), contactId, kind, subject: subject ? truncateUtf8(subject, 1000) : null, occurredAt };
}
