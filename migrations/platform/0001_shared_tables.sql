-- Tables shared by every tenant, in schema `app`. Each carries tenant_id; row-level
-- security (ENABLE and FORCE, with a fail-closed policy) is declared state that the
-- controller's postgres module keeps in place on every pass, so it is not created here.
CREATE SCHEMA IF NOT EXISTS app;

DO $$ BEGIN
  CREATE ROLE openclaw_runtime NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB;
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
COMMENT ON ROLE openclaw_runtime IS 'openclaw:managed; group of every tenant runtime role: privileges on the shared tables';

CREATE TABLE IF NOT EXISTS app.messages (
  id          bigserial PRIMARY KEY,
  tenant_id   text NOT NULL,
  sender      text NOT NULL,
  subject     text NOT NULL,
  body        text NOT NULL DEFAULT '',
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS messages_tenant_received ON app.messages (tenant_id, received_at DESC);

CREATE TABLE IF NOT EXISTS app.calendar_events (
  id         bigserial PRIMARY KEY,
  tenant_id  text NOT NULL,
  title      text NOT NULL,
  starts_at  timestamptz NOT NULL,
  ends_at    timestamptz NOT NULL,
  attendees  text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS calendar_events_tenant_starts ON app.calendar_events (tenant_id, starts_at);

CREATE TABLE IF NOT EXISTS app.leads (
  id         bigserial PRIMARY KEY,
  tenant_id  text NOT NULL,
  name       text NOT NULL,
  company    text NOT NULL,
  email      text,
  score      numeric(6,2),
  scored_at  timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS leads_tenant ON app.leads (tenant_id);

CREATE TABLE IF NOT EXISTS app.lead_events (
  id          bigserial PRIMARY KEY,
  tenant_id   text NOT NULL,
  lead_id     bigint NOT NULL REFERENCES app.leads (id) ON DELETE CASCADE,
  kind        text NOT NULL,
  occurred_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS lead_events_tenant_lead ON app.lead_events (tenant_id, lead_id);

CREATE TABLE IF NOT EXISTS app.agent_outputs (
  id          bigserial PRIMARY KEY,
  tenant_id   text NOT NULL,
  agent       text NOT NULL,
  run_id      text NOT NULL,
  kind        text NOT NULL,
  object_key  text NOT NULL,
  summary     text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS app.usage (
  id                 bigserial PRIMARY KEY,
  tenant_id          text NOT NULL,
  agent              text NOT NULL,
  run_id             text NOT NULL,
  started_at         timestamptz NOT NULL,
  duration_ms        integer NOT NULL,
  items_processed    integer NOT NULL,
  model              text,
  input_tokens       integer NOT NULL DEFAULT 0,
  output_tokens      integer NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS usage_tenant_started ON app.usage (tenant_id, started_at DESC);
