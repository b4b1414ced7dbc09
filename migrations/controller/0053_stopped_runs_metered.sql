-- Runs the controller stopped (Replace, a launch cancelled after its task started) are billed like any
-- other: their task's real start and stop are read once it has ended, and the run is marked metered then.
ALTER TABLE openclaw.agent_runs ADD COLUMN metered_at timestamptz;
-- Stops recorded before this column existed are not measured again.
UPDATE openclaw.agent_runs SET metered_at = finished_at WHERE status = 'stopped';

CREATE INDEX agent_runs_unmetered_stops ON openclaw.agent_runs (scheduled_at) WHERE status = 'stopped' AND task_arn IS NOT NULL AND metered_at IS NULL;
