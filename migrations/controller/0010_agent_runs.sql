-- Agent run history and the scheduler's leader lease.

-- One row per agent run: scheduled, caught up after a restart, or started by hand (tenantctl trigger).
-- A scheduled fire is claimed by inserting its row, so the unique index below is what guarantees that
-- no fire is ever started twice, even by two controller replicas that both believe they lead.
CREATE TABLE openclaw.agent_runs (
  id            text PRIMARY KEY,
  tenant        text NOT NULL,
  agent         text NOT NULL,
  -- The cron fire this run belongs to (for a manual run: when it was requested).
  scheduled_at  timestamptz NOT NULL,
  trigger       text NOT NULL CHECK (trigger IN ('schedule', 'manual', 'catch-up')),
  started_at    timestamptz,
  finished_at   timestamptz,
  status        text NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'skipped', 'stopped')),
  exit_code     int,
  -- ECS task ARN, or local:pid/<pid> for a child process of the local provider.
  task_arn      text,
  reason        text,
  duration_ms   bigint,
  -- Cron expression and time zone in force when the run was scheduled.
  schedule      text,
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- A fire is started at most once; manual runs are not fires and may repeat.
CREATE UNIQUE INDEX agent_runs_fire_once ON openclaw.agent_runs (tenant, agent, scheduled_at) WHERE trigger <> 'manual';
-- Status: last runs of a tenant.
CREATE INDEX agent_runs_tenant_scheduled ON openclaw.agent_runs (tenant, scheduled_at DESC);
-- The scheduler's working set: runs not finished yet (concurrency policy, task polling, recovery).
CREATE INDEX agent_runs_active ON openclaw.agent_runs (tenant, agent) WHERE status IN ('pending', 'running');

-- Since when each (tenant, agent) has been active with its current schedule, as the leader saw it. Missed
-- fires are counted from the later of this and the last recorded fire: a new agent, a changed schedule or
-- the end of a suspension starts from then, and a never-run agent whose first fire fell in an outage is
-- still caught up. Rows of agents no longer active are deleted.
CREATE TABLE openclaw.agent_schedules (
  tenant        text NOT NULL,
  agent         text NOT NULL,
  schedule      text NOT NULL,
  active_since  timestamptz NOT NULL,
  PRIMARY KEY (tenant, agent)
);

-- Named leases with expiry: one replica holds 'scheduler' and is the only one that schedules.
-- A row (not a session advisory lock) so it works through transaction-pooling proxies (RDS Proxy, PgBouncer).
CREATE TABLE openclaw.leases (
  name         text PRIMARY KEY,
  holder       text NOT NULL,
  expires_at   timestamptz NOT NULL,
  acquired_at  timestamptz NOT NULL,
  renewed_at   timestamptz NOT NULL
);
