-- Launches that fail on a transient error (an AWS outage, throttling) are retried within the run's
-- starting deadline: the run stays pending with the number of attempts made and when the next is due.
-- The token allowance the run was given is kept, so every attempt sends the same RunTask request and
-- ECS's client token (the run id) finds the task an earlier attempt may have started.
ALTER TABLE openclaw.agent_runs
  ADD COLUMN launch_attempts int NOT NULL DEFAULT 0,
  ADD COLUMN next_launch_at timestamptz,
  ADD COLUMN token_allowance bigint;

CREATE INDEX agent_runs_launch_retry ON openclaw.agent_runs (next_launch_at) WHERE status = 'pending' AND next_launch_at IS NOT NULL;
