/**
 * The rows connectors write, and the statements that write them: one statement per page and
 * table, keyed on (tenant, integration, provider id), so writing a page twice changes nothing.
 */
import type { Queryable } from '../runtime/db.js';
import type { IntegrationProviderName } from '../../contract/integration-secret.js';
import { truncateUtf8 } from './text.js';

export interface MessageRow {
  providerId: string;
  threadId: string | null;
  sender: string;
  recipients: string[];
  subject: string;
  body: string;
  receivedAt: string;
}

export interface EventRow {
  providerId: string;
  title: string;
  startsAt: string;
  endsAt: string;
  attendees: string[];
  organizer: string | null;
  location: string | null;
}

/** What an event row keeps of any provider's event: title bytes, attendees, location characters. */
export const EVENT_BOUNDS = { titleBytes: 1000, attendees: 200, locationChars: 500 } as const;

/** An event row from a provider's fields, within EVENT_BOUNDS (an empty location is none). Pure. */
export function boundedEventRow(event: Omit<EventRow, 'location'> & { location: string | undefined }): EventRow {
  return {
    ...event,
    title: truncateUtf8(event.title, EVENT_BOUNDS.titleBytes),
    attendees: event.attendees.slice(0, EVENT_BOUNDS.attendees),
    location: event.location?.slice(0, EVENT_BOUNDS.locationChars) || null,
  };
}

export interface LeadRow {
  providerId: string;
  name: string;
  company: string;
  email: string | null;
  jobTitle: string | null;
  lifecycleStage: string | null;
  updatedAt: string;
}

/** An engagement (email, meeting) of one contact, by the contact's provider id. */
export interface LeadEventRow {
  providerId: string;
  contactId: string;
  kind: string;
  subject: string | null;
  occurredAt: string;
}

export interface Scope {
  db: Queryable;
  tenant: string;
  integration: IntegrationProviderName;
}

/** A table the connectors upsert into: each row field, its column and its SQL type. */
interface UpsertSpec<Row> {
  table: 'messages' | 'calendar_events' | 'leads';
  columns: ReadonlyArray<readonly [field: Exclude<keyof Row & string, 'providerId'>, column: string, type: string]>;
}

const MESSAGES: UpsertSpec<MessageRow> = {
  table: 'messages',
  columns: [['threadId', 'thread_id', 'text'], ['sender', 'sender', 'text'], ['recipients', 'recipients', 'text[]'], ['subject', 'subject', 'text'], ['body', 'body', 'text'], ['receivedAt', 'received_at', 'timestamptz']],
};
const EVENTS: UpsertSpec<EventRow> = {
  table: 'calendar_events',
  columns: [['title', 'title', 'text'], ['startsAt', 'starts_at', 'timestamptz'], ['endsAt', 'ends_at', 'timestamptz'], ['attendees', 'attendees', 'text[]'], ['organizer', 'organizer', 'text'], ['location', 'location', 'text']],
};
const LEADS: UpsertSpec<LeadRow> = {
  table: 'leads',
  columns: [['name', 'name', 'text'], ['company', 'company', 'text'], ['email', 'email', 'text'], ['jobTitle', 'job_title', 'text'], ['lifecycleStage', 'lifecycle_stage', 'text'], ['updatedAt', 'updated_at', 'timestamptz']],
};

/** One statement per page: the rows as a JSON array, inserted or updated on (tenant, integration, provider id). */
async function upsert<Row>({ db, tenant, integration }: Scope, spec: UpsertSpec<Row>, rows: Row[]): Promise<void> {
  if (rows.length === 0) return;
  const fields = spec.columns.map(([field]) => `r."${field}"`).join(', ');
  const columns = spec.columns.map(([, column]) => column);
  const record = spec.columns.map(([field, , type]) => `"${field}" ${type}`).join(', ');
  await db.query(
    `INSERT INTO app.${spec.table} (tenant_id, integration, provider_id, ${columns.join(', ')})
     SELECT $1, $2, r."providerId", ${fields} FROM jsonb_to_recordset($3::jsonb) AS r("providerId" text, ${record})
     ON CONFLICT (tenant_id, integration, provider_id) DO UPDATE SET ${columns.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`,
    [tenant, integration, JSON.stringify(rows)]);
}

export const upsertMessages = (scope: Scope, rows: MessageRow[]) => upsert(scope, MESSAGES, rows);
export const upsertEvents = (scope: Scope, rows: EventRow[]) => upsert(scope, EVENTS, rows);
export const upsertLeads = (scope: Scope, rows: LeadRow[]) => upsert(scope, LEADS, rows);

/**
 * Engagements of contacts already ingested; returns how many rows were written. An engagement of
 * a contact not ingested yet is skipped: the contacts stream runs first in every run.
 */
export async function upsertLeadEvents({ db, tenant, integration }: Scope, rows: LeadEventRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const { rowCount } = await db.query(
    `INSERT INTO app.lead_events (tenant_id, integration, provider_id, lead_id, kind, subject, occurred_at)
     SELECT $1, $2, r."providerId", l.id, r.kind, r.subject, r."occurredAt"
       FROM jsonb_to_recordset($3::jsonb) AS r("providerId" text, "contactId" text, kind text, subject text, "occurredAt" timestamptz)
       JOIN app.leads l ON l.tenant_id = $1 AND l.integration = $2 AND l.provider_id = r."contactId"
     ON CONFLICT (tenant_id, integration, provider_id, lead_id) DO UPDATE SET
       kind = EXCLUDED.kind, subject = EXCLUDED.subject, occurred_at = EXCLUDED.occurred_at`,
    [tenant, integration, JSON.stringify(rows)]);
  return rowCount ?? 0;
}

/** Removes rows the provider reports deleted (a deleted message, a cancelled event). */
export async function deleteByProviderId({ db, tenant, integration }: Scope, table: 'messages' | 'calendar_events', providerIds: string[]): Promise<void> {
  if (providerIds.length === 0) return;
  await db.query(`DELETE FROM app.${table} WHERE tenant_id = $1 AND integration = $2 AND provider_id = ANY($3::text[])`, [tenant, integration, providerIds]);
}
