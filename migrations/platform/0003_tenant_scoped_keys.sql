-- Tenant-scoped keys on the shared tables, on a database that already holds rows.
--
-- Foreign-key checks and unique indexes do not see row-level security: a reference or a key that
-- is not tenant-scoped lets one tenant test for, point at, or cascade into another tenant's rows.
-- Every key therefore leads with tenant_id, and every reference carries it:
--   * primary keys become (tenant_id, id): a duplicate can only be one of the tenant's own rows;
--   * lead_events references leads by (tenant_id, lead_id): a tenant cannot point at another
--     tenant's lead, so a delete can only cascade within one tenant;
--   * ids come from identity columns, whose sequences the runtime group cannot use directly
--     (no nextval/currval/setval on a shared counter).

-- Rows that already point across tenants cannot satisfy the new reference. They are the writing
-- tenant's own rows; they are kept in the audit trail (what, whose, why) and removed.
INSERT INTO openclaw.audit (tenant, action, detail)
SELECT e.tenant_id, 'removed-cross-tenant-reference',
       jsonb_build_object('table', 'app.lead_events', 'row', to_jsonb(e), 'referencedTenant', l.tenant_id,
                          'reason', 'lead_events row of one tenant referenced a lead of another; references are tenant-scoped since platform migration 3')
  FROM app.lead_events e JOIN app.leads l ON l.id = e.lead_id
 WHERE l.tenant_id <> e.tenant_id;
DELETE FROM app.lead_events e USING app.leads l WHERE l.id = e.lead_id AND l.tenant_id <> e.tenant_id;

ALTER TABLE app.lead_events DROP CONSTRAINT IF EXISTS lead_events_lead_id_fkey;

DO $$
DECLARE
  t record;
  seq text;
BEGIN
  FOR t IN
    SELECT c.relname AS name, con.conname AS pkey
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_constraint con ON con.conrelid = c.oid AND con.contype = 'p'
     WHERE n.nspname = 'app' AND c.relkind = 'r'
       AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
       AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'id' AND NOT a.attisdropped)
  LOOP
    -- bigserial → identity, continuing after the largest id in use.
    seq := pg_get_serial_sequence(format('app.%I', t.name), 'id');
    IF seq IS NOT NULL AND NOT EXISTS (
      SELECT 1 FROM pg_attribute a WHERE a.attrelid = format('app.%I', t.name)::regclass AND a.attname = 'id' AND a.attidentity <> ''
    ) THEN
      EXECUTE format('ALTER TABLE app.%I ALTER COLUMN id DROP DEFAULT', t.name);
      EXECUTE format('DROP SEQUENCE %s', seq);
      EXECUTE format('ALTER TABLE app.%I ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY', t.name);
      EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, ''id''), coalesce(max(id), 0) + 1, false) FROM app.%I',
                     format('app.%I', t.name), t.name);
    END IF;
    -- The primary key leads with tenant_id.
    IF t.pkey IS NOT NULL THEN
      EXECUTE format('ALTER TABLE app.%I DROP CONSTRAINT %I', t.name, t.pkey);
    END IF;
    EXECUTE format('ALTER TABLE app.%I ADD CONSTRAINT %I PRIMARY KEY (tenant_id, id)', t.name, t.name || '_pkey');
  END LOOP;
END $$;

ALTER TABLE app.lead_events
  ADD CONSTRAINT lead_events_lead_fkey FOREIGN KEY (tenant_id, lead_id) REFERENCES app.leads (tenant_id, id) ON DELETE CASCADE;

-- The identity sequences are used by INSERT without any privilege on them.
REVOKE ALL ON ALL SEQUENCES IN SCHEMA app FROM openclaw_runtime;

-- Functions through which one session can signal, block or store outside row-level security:
-- pg_notify (the NOTIFY statement itself needs no privilege: see docs/ARCHITECTURE.md), large
-- objects (their ids and owners are visible to every role) and advisory locks (a shared key space:
-- a tenant holding the controller's lock keys would stall it). The controller keeps them; PUBLIC,
-- and so every runtime role, loses them. Where the controller does not own pg_catalog (a managed
-- service), the revoke is not possible and is reported as a notice.
DO $$
DECLARE
  f record;
BEGIN
  FOR f IN
    SELECT p.oid::regprocedure AS signature
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = 'pg_catalog'
       AND (p.proname IN ('pg_notify', 'lo_creat', 'lo_create', 'lo_from_bytea', 'lo_import', 'lo_open', 'lo_put', 'lo_truncate', 'lo_truncate64', 'lo_unlink', 'lowrite', 'lo_get')
            OR p.proname LIKE 'pg\_advisory\_%' OR p.proname LIKE 'pg\_try\_advisory\_%')
  LOOP
    BEGIN
      EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO CURRENT_USER', f.signature);
      EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f.signature);
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE NOTICE 'could not revoke EXECUTE on % from PUBLIC: %', f.signature, SQLERRM;
    END;
  END LOOP;
END $$;
