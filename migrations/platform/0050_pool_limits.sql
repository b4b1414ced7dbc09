-- Limits of the shared login of pooled runs, openclaw_pool, as a silo tenant's runtime role has its own
-- (spec.limits): at most 100 sessions at once, which holds the default pool of workers (20 tasks of 4 runs,
-- one session a run) with room, and bounds the pool's share of the database's connections; and a default
-- statement_timeout of one minute, the professional tier's. Both apply to sessions opened from now. An
-- operator who runs more pooled runs at once (pool_workers) raises the limit:
--   ALTER ROLE openclaw_pool CONNECTION LIMIT <n>;
-- A session may still lower or raise its own statement_timeout (SET): the timeout bounds mistakes, the
-- connection limit bounds a misbehaving run.
ALTER ROLE openclaw_pool CONNECTION LIMIT 100;
ALTER ROLE openclaw_pool SET statement_timeout = 60000;
