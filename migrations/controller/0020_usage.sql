-- The usage ledger: what each tenant used, per run, meter and dimension. Rows come from two
-- places when a run ends: what the controller measured itself (run seconds; the task's vCPU and
-- memory over its real start and stop from DescribeTasks) and what the agent recorded in
-- app.usage_meters (tokens per model, items per connector, emails). Idempotent per run.
CREATE TABLE openclaw.usage_records (
  tenant       text NOT NULL,
  run_id       text NOT NULL,
  meter        text NOT NULL,
  dimension    text NOT NULL DEFAULT '',
  quantity     numeric NOT NULL CHECK (quantity >= 0),
  occurred_at  timestamptz NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  -- The billing period (YYYY-MM) this row was exported in; NULL until a period close takes it.
  -- A row recorded after its own month was closed is taken by the next close: never a changed past export.
  period       text,
  PRIMARY KEY (tenant, run_id, meter, dimension)
);
CREATE INDEX usage_records_tenant_occurred ON openclaw.usage_records (tenant, occurred_at);
CREATE INDEX usage_records_unbilled ON openclaw.usage_records (occurred_at) WHERE period IS NULL;

-- Closed billing periods and their records, frozen at close: exporting a period again reads these.
CREATE TABLE openclaw.usage_periods (
  period     text PRIMARY KEY,
  closed_at  timestamptz NOT NULL,
  prices     jsonb NOT NULL
);

CREATE TABLE openclaw.usage_exports (
  period           text NOT NULL REFERENCES openclaw.usage_periods (period),
  tenant           text NOT NULL,
  meter            text NOT NULL,
  dimension        text NOT NULL DEFAULT '',
  quantity         numeric NOT NULL,
  cost_usd         numeric NOT NULL,
  customer_ref     text,
  identifier       text NOT NULL UNIQUE,
  PRIMARY KEY (period, tenant, meter, dimension)
);
