-- The pooled workers' queue: one row per pooled run the scheduler handed over, with the run's
-- environment (names and ARNs, never secret values). A worker claims the oldest unclaimed row with
-- FOR UPDATE SKIP LOCKED, beats a heartbeat while it runs, and records the exit; a row whose
-- heartbeat stopped (its worker died) is claimed again. The scheduler polls rows like ECS tasks.
CREATE TABLE openclaw.pool_queue (
  run_id        text PRIMARY KEY,
  tenant        text NOT NULL,
  agent         text NOT NULL,
  env           jsonb NOT NULL,
  entry         jsonb NOT NULL,
  enqueued_at   timestamptz NOT NULL DEFAULT now(),
  claimed_by    text,
  claimed_at    timestamptz,
  heartbeat_at  timestamptz,
  attempts      int NOT NULL DEFAULT 0,
  finished_at   timestamptz,
  exit_code     int,
  reason        text
);
CREATE INDEX pool_queue_due ON openclaw.pool_queue (enqueued_at) WHERE finished_at IS NULL;

-- Superseded by the queue table: the run history stays as it was.
DROP INDEX IF EXISTS openclaw.agent_runs_pool_due;
DROP INDEX IF EXISTS openclaw.agent_runs_pool_running;
ALTER TABLE openclaw.agent_runs DROP COLUMN IF EXISTS pooled;
ALTER TABLE openclaw.agent_runs DROP COLUMN IF EXISTS claimed_by;
ALTER TABLE openclaw.agent_runs DROP COLUMN IF EXISTS heartbeat_at;
ALTER TABLE openclaw.agent_runs DROP COLUMN IF EXISTS attempts;
