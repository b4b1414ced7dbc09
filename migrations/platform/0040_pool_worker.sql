-- The pooled workers' own login, openclaw_pool_worker: a worker claims, beats and ends rows of
-- openclaw.pool_queue and issues and releases the single-use grants of the runs it holds, through the
-- functions below and nothing else. It has no privilege on any table (not the queue, not app.*, not
-- app_private.*): each function runs as its owner and does one thing. A grant is issued only for a run
-- that is claimed and not finished, for that run's tenant, so a worker cannot bind a session to a tenant
-- no run of which it holds. The controller gives the role LOGIN and a generated password (its secret:
-- <prefix>/pool/worker-db).

DO $$ BEGIN
  CREATE ROLE openclaw_pool_worker NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB NOREPLICATION;
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
COMMENT ON ROLE openclaw_pool_worker IS 'openclaw:managed; pooled workers: the queue and the grants, through functions only';
GRANT USAGE ON SCHEMA openclaw, app TO openclaw_pool_worker;

-- Claims the oldest due run: never claimed (and past not_before), or claimed by a worker whose heartbeat
-- is older than stale_before. SKIP LOCKED: concurrent workers claim different rows.
CREATE OR REPLACE FUNCTION openclaw.pool_claim(worker text, at timestamptz, stale_before timestamptz)
  RETURNS TABLE ("runId" text, tenant text, agent text, env jsonb, entry jsonb, attempts int)
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
  RETURN QUERY
  UPDATE openclaw.pool_queue q SET claimed_by = worker, claimed_at = at, heartbeat_at = at, attempts = q.attempts + 1
   WHERE q.run_id = (
     SELECT d.run_id FROM openclaw.pool_queue d
      WHERE d.finished_at IS NULL AND (d.claimed_at IS NULL OR d.heartbeat_at < stale_before) AND (d.not_before IS NULL OR d.not_before <= at)
      ORDER BY d.enqueued_at LIMIT 1 FOR UPDATE SKIP LOCKED)
  RETURNING q.run_id, q.tenant, q.agent, q.env, q.entry, q.attempts;
END $$;

CREATE OR REPLACE FUNCTION openclaw.pool_heartbeat(run text, worker text, at timestamptz) RETURNS void
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
  UPDATE openclaw.pool_queue q SET heartbeat_at = at WHERE q.run_id = run AND q.claimed_by = worker AND q.finished_at IS NULL;
END $$;

-- Records the end of a run the worker holds, once.
CREATE OR REPLACE FUNCTION openclaw.pool_finish(run text, worker text, at timestamptz, code int, why text) RETURNS boolean
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
  UPDATE openclaw.pool_queue q SET finished_at = at, exit_code = code, reason = why
   WHERE q.run_id = run AND q.claimed_by = worker AND q.finished_at IS NULL;
  RETURN FOUND;
END $$;

-- Gives a run the worker holds back to the queue, due again at due.
CREATE OR REPLACE FUNCTION openclaw.pool_defer(run text, worker text, due timestamptz) RETURNS boolean
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
  UPDATE openclaw.pool_queue q SET claimed_by = NULL, claimed_at = NULL, heartbeat_at = NULL, not_before = due
   WHERE q.run_id = run AND q.claimed_by = worker AND q.finished_at IS NULL;
  RETURN FOUND;
END $$;

-- Stores a grant (the SHA-256 of its token) for a claimed, unfinished run, bound to that run's tenant.
CREATE OR REPLACE FUNCTION app.issue_pool_grant(token_hash bytea, for_tenant text, run text, ttl_ms double precision) RETURNS void
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM openclaw.pool_queue q WHERE q.run_id = run AND q.tenant = for_tenant AND q.claimed_at IS NOT NULL AND q.finished_at IS NULL) THEN
    RAISE EXCEPTION 'no claimed run % of tenant % to grant a session to', run, for_tenant USING ERRCODE = '42501';
  END IF;
  INSERT INTO app_private.pool_grants (token_hash, tenant, run_id, expires_at)
  VALUES (token_hash, for_tenant, run, clock_timestamp() + make_interval(secs => ttl_ms / 1000));
END $$;

-- Ends a run's bindings and any grant it did not spend (and grants past their deadline).
CREATE OR REPLACE FUNCTION app.release_pool_run(run text) RETURNS void
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
  DELETE FROM app_private.pool_sessions s WHERE s.run_id = run;
  DELETE FROM app_private.pool_grants g WHERE g.run_id = run OR g.expires_at < clock_timestamp();
END $$;

DO $$
DECLARE
  f text;
BEGIN
  FOREACH f IN ARRAY ARRAY[
    'openclaw.pool_claim(text, timestamptz, timestamptz)', 'openclaw.pool_heartbeat(text, text, timestamptz)',
    'openclaw.pool_finish(text, text, timestamptz, int, text)', 'openclaw.pool_defer(text, text, timestamptz)',
    'app.issue_pool_grant(bytea, text, text, double precision)', 'app.release_pool_run(text)'] LOOP
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO openclaw_pool_worker', f);
  END LOOP;
END $$;
