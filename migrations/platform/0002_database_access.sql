-- Only roles granted CONNECT explicitly may connect: tenant runtime roles get it while their
-- tenant is active and lose it when it is offboarded. PUBLIC's default CONNECT and TEMPORARY
-- would otherwise outlive that revocation.
DO $$ BEGIN
  EXECUTE format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
END $$;
