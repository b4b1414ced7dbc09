-- What scout found behind each lead's score: one row per signal (a CRM engagement, a reply in the
-- tenant's mailbox, a meeting with the lead), with the points it adds. scout replaces the tenant's
-- rows on every run; butler puts the strongest into the next digest. Keys lead with tenant_id, and
-- the lead reference carries it, like every shared table (platform migration 3). Row-level security
-- and the runtime group's grants are declared state the postgres module keeps on every shared table.
CREATE TABLE IF NOT EXISTS app.lead_signals (
  tenant_id   text NOT NULL,
  id          bigint GENERATED ALWAYS AS IDENTITY,
  lead_id     bigint NOT NULL,
  run_id      text NOT NULL,
  kind        text NOT NULL,
  source      text NOT NULL CHECK (source IN ('crm', 'mail', 'calendar')),
  points      numeric(6,2) NOT NULL,
  occurred_at timestamptz NOT NULL,
  detail      text NOT NULL DEFAULT '',
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, lead_id) REFERENCES app.leads (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS lead_signals_tenant_lead ON app.lead_signals (tenant_id, lead_id);
REVOKE ALL ON ALL SEQUENCES IN SCHEMA app FROM openclaw_runtime;
