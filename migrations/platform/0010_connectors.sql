-- What the connectors ingest from the customer's accounts (Gmail, Google Calendar, Microsoft Graph,
-- HubSpot), and where each of them is in its provider's change feed.
--
-- Every ingested row names its integration (google, microsoft, hubspot) and the provider's own id,
-- unique per tenant: a rerun, or a run that crashed in the middle of a page, upserts the rows it
-- already wrote instead of adding them again. Rows written by hand or by tests before connectors
-- existed have no provider id and are left alone (NULLs are distinct in a unique index).

ALTER TABLE app.messages
  ADD COLUMN IF NOT EXISTS integration text,
  ADD COLUMN IF NOT EXISTS provider_id text,
  ADD COLUMN IF NOT EXISTS thread_id   text,
  ADD COLUMN IF NOT EXISTS recipients  text[] NOT NULL DEFAULT '{}';
CREATE UNIQUE INDEX IF NOT EXISTS messages_tenant_provider_id ON app.messages (tenant_id, integration, provider_id);

ALTER TABLE app.calendar_events
  ADD COLUMN IF NOT EXISTS integration text,
  ADD COLUMN IF NOT EXISTS provider_id text,
  ADD COLUMN IF NOT EXISTS organizer   text,
  ADD COLUMN IF NOT EXISTS location    text;
CREATE UNIQUE INDEX IF NOT EXISTS calendar_events_tenant_provider_id ON app.calendar_events (tenant_id, integration, provider_id);

-- HubSpot contacts: the provider's last modification, the contact's job title and lifecycle stage.
ALTER TABLE app.leads
  ADD COLUMN IF NOT EXISTS integration     text,
  ADD COLUMN IF NOT EXISTS provider_id     text,
  ADD COLUMN IF NOT EXISTS job_title       text,
  ADD COLUMN IF NOT EXISTS lifecycle_stage text,
  ADD COLUMN IF NOT EXISTS updated_at      timestamptz;
CREATE UNIQUE INDEX IF NOT EXISTS leads_tenant_provider_id ON app.leads (tenant_id, integration, provider_id);

-- HubSpot engagements (emails, meetings) associated with a contact; kind is `email` or `meeting`
-- for them, and `subject` their subject or title.
ALTER TABLE app.lead_events
  ADD COLUMN IF NOT EXISTS integration text,
  ADD COLUMN IF NOT EXISTS provider_id text,
  ADD COLUMN IF NOT EXISTS subject     text;
CREATE UNIQUE INDEX IF NOT EXISTS lead_events_tenant_provider_id ON app.lead_events (tenant_id, integration, provider_id, lead_id);

-- One cursor per tenant, integration and stream (gmail, calendar, mail, calendarView, contacts,
-- emails, meetings): a Gmail historyId, a Calendar syncToken, a Graph deltaLink, a HubSpot
-- modification time, or the page a first sync has reached. Written in the same transaction as the
-- rows it covers, so it never runs ahead of them. Row-level security is declared state that the
-- postgres module keeps on this table like on every shared table.
CREATE TABLE IF NOT EXISTS app.connector_cursors (
  tenant_id   text NOT NULL,
  integration text NOT NULL,
  stream      text NOT NULL,
  cursor      jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, integration, stream)
);
