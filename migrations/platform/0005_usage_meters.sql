-- Usage is written idempotently per run: a crashed and retried run (same run id) replaces its
-- rows instead of adding to them, so it is never billed twice.
DELETE FROM app.usage a USING app.usage b WHERE a.tenant_id = b.tenant_id AND a.run_id = b.run_id AND a.id < b.id;
CREATE UNIQUE INDEX IF NOT EXISTS usage_tenant_run ON app.usage (tenant_id, run_id);

-- One row per run, meter and dimension (a model id, a connector): what the agent itself measured.
-- Meter names are listed in controller/usage/meters.ts. Row-level security is declared state
-- that the postgres module keeps on this table like on every shared table.
CREATE TABLE IF NOT EXISTS app.usage_meters (
  tenant_id    text NOT NULL,
  run_id       text NOT NULL,
  meter        text NOT NULL,
  dimension    text NOT NULL DEFAULT '',
  quantity     numeric NOT NULL CHECK (quantity >= 0),
  occurred_at  timestamptz NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, run_id, meter, dimension)
);
