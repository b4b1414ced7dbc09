-- Pooled tenants: no schema and no runtime role of their own. Their rows live only in the shared
-- tables, and their runs use one shared login, openclaw_pool, whose session is bound to one tenant.
--
-- Binding. The pooled worker (trusted) issues a single-use grant for a run: the SHA-256 of a random
-- token, the tenant and a deadline, in app_private.pool_grants. The run connects as openclaw_pool and
-- calls app.bind_pool_session(token) once: the grant is spent and its backend (pid and start time) is
-- bound to the tenant. The isolation policy admits openclaw_pool to the rows of app.pool_tenant() only,
-- which reads that binding. The run cannot bind again (a second call is refused), cannot write the
-- bindings or grants (schema app_private is closed to it), and app.tenant_id means nothing to its
-- branch of the policy: a pooled session cannot change its tenant.

DO $$ BEGIN
  CREATE ROLE openclaw_pool NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB NOREPLICATION;
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
COMMENT ON ROLE openclaw_pool IS 'openclaw:managed; pooled runs: the rows of the one tenant its session is bound to';
GRANT openclaw_runtime TO openclaw_pool;
-- The controller acts as the pool to erase a pooled tenant's rows (RLS scopes the delete).
GRANT openclaw_pool TO CURRENT_USER;

CREATE SCHEMA IF NOT EXISTS app_private;
REVOKE ALL ON SCHEMA app_private FROM PUBLIC;

CREATE TABLE IF NOT EXISTS app_private.pool_grants (
  token_hash  bytea PRIMARY KEY,
  tenant      text NOT NULL,
  run_id      text NOT NULL,
  expires_at  timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS app_private.pool_sessions (
  pid            integer NOT NULL,
  backend_start  timestamptz NOT NULL,
  tenant         text NOT NULL,
  run_id         text NOT NULL,
  bound_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (pid, backend_start)
);

-- The tenant this session is bound to, or NULL (no row for any unbound session: fail closed).
CREATE OR REPLACE FUNCTION app.pool_tenant() RETURNS text
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
  SELECT s.tenant FROM app_private.pool_sessions s
   WHERE s.pid = pg_backend_pid()
     AND s.backend_start = (SELECT a.backend_start FROM pg_stat_activity a WHERE a.pid = pg_backend_pid())
$$;
REVOKE ALL ON FUNCTION app.pool_tenant() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.pool_tenant() TO openclaw_runtime;

-- Spends a grant and binds this session to its tenant, once.
CREATE OR REPLACE FUNCTION app.bind_pool_session(token text) RETURNS text
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
  started timestamptz;
  granted app_private.pool_grants;
BEGIN
  IF session_user <> 'openclaw_pool' THEN
    RAISE EXCEPTION 'only a pooled run''s session may be bound' USING ERRCODE = '42501';
  END IF;
  SELECT a.backend_start INTO started FROM pg_stat_activity a WHERE a.pid = pg_backend_pid();
  IF EXISTS (SELECT 1 FROM app_private.pool_sessions s WHERE s.pid = pg_backend_pid() AND s.backend_start = started) THEN
    RAISE EXCEPTION 'this session is already bound to a tenant' USING ERRCODE = '42501';
  END IF;
  DELETE FROM app_private.pool_grants g WHERE g.token_hash = sha256(convert_to(token, 'UTF8')) RETURNING g.* INTO granted;
  IF granted.tenant IS NULL OR granted.expires_at < clock_timestamp() THEN
    RAISE EXCEPTION 'no valid grant for this token' USING ERRCODE = '28000';
  END IF;
  -- A pid is reused only by a later backend: a binding left by an ended session never applies to it.
  DELETE FROM app_private.pool_sessions s WHERE s.pid = pg_backend_pid();
  INSERT INTO app_private.pool_sessions (pid, backend_start, tenant, run_id) VALUES (pg_backend_pid(), started, granted.tenant, granted.run_id);
  RETURN granted.tenant;
END $$;
REVOKE ALL ON FUNCTION app.bind_pool_session(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.bind_pool_session(text) TO openclaw_pool;

-- What a silo tenant keeps in its own schema (migrations/tenant), a pooled tenant keeps here, keyed
-- by tenant first like every shared table. A tier change moves these rows between the two.
CREATE TABLE IF NOT EXISTS app.notes (
  tenant_id  text NOT NULL,
  id         bigint GENERATED ALWAYS AS IDENTITY,
  title      text NOT NULL,
  body       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE IF NOT EXISTS app.settings (
  tenant_id  text NOT NULL,
  key        text NOT NULL,
  value      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, key)
);

CREATE TABLE IF NOT EXISTS app.digests (
  tenant_id   text NOT NULL,
  id          bigint GENERATED ALWAYS AS IDENTITY,
  run_id      text NOT NULL,
  for_date    date NOT NULL,
  item_count  integer NOT NULL,
  object_key  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  recipients  text[] NOT NULL DEFAULT '{}',
  message_id  text,
  delivered_to text,
  sent_at     timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX IF NOT EXISTS digests_tenant_for_date ON app.digests (tenant_id, for_date DESC);

-- Born protected: these tables never exist without row-level security, not even until the first pass.
-- The postgres module still compares and restores all of it on every pass (controller/resources/postgres).
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['notes', 'settings', 'digests'] LOOP
    EXECUTE format('ALTER TABLE app.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE app.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON app.%I', t);
    EXECUTE format($p$CREATE POLICY tenant_isolation ON app.%I AS PERMISSIVE FOR ALL TO PUBLIC
      USING (((tenant_id = NULLIF(current_setting('app.tenant_id', true), '') AND CURRENT_USER = ('tenant_' || replace(tenant_id, '-', '_') || '_runtime'))
              OR (CURRENT_USER = 'openclaw_pool' AND tenant_id = (SELECT app.pool_tenant()))))
      WITH CHECK (((tenant_id = NULLIF(current_setting('app.tenant_id', true), '') AND CURRENT_USER = ('tenant_' || replace(tenant_id, '-', '_') || '_runtime'))
              OR (CURRENT_USER = 'openclaw_pool' AND tenant_id = (SELECT app.pool_tenant()))))$p$, t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON app.%I TO openclaw_runtime', t);
  END LOOP;
END $$;
