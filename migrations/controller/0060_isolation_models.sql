-- Where each tenant's private rows live: its own schema (silo) or the shared tables (pool). A tier
-- change moves the rows and rewrites this row in the same transaction, so a move interrupted at any
-- point is either not done or done, and the next pass knows which.
CREATE TABLE openclaw.tenant_placements (
  tenant      text PRIMARY KEY,
  isolation   text NOT NULL CHECK (isolation IN ('silo', 'pool')),
  moved_at    timestamptz NOT NULL DEFAULT now()
);

-- Pooled runs are queued in agent_runs itself: the scheduler inserts them pending, and a pooled worker
-- claims the oldest due one with FOR UPDATE SKIP LOCKED, marks it running with its name and keeps a
-- heartbeat, so a run whose worker died is found and failed (or retried) by the next claim.
ALTER TABLE openclaw.agent_runs ADD COLUMN pooled boolean NOT NULL DEFAULT false;
ALTER TABLE openclaw.agent_runs ADD COLUMN claimed_by text;
ALTER TABLE openclaw.agent_runs ADD COLUMN heartbeat_at timestamptz;
ALTER TABLE openclaw.agent_runs ADD COLUMN attempts int NOT NULL DEFAULT 0;
CREATE INDEX agent_runs_pool_due ON openclaw.agent_runs (scheduled_at) WHERE pooled AND status = 'pending';
CREATE INDEX agent_runs_pool_running ON openclaw.agent_runs (heartbeat_at) WHERE pooled AND status = 'running';
