-- Fingerprints of each tenant's record (controller/engine/fingerprint.ts): a pass compares them with
-- the revision's, and reads the documents themselves only for the tenants whose fingerprints differ,
-- so a pass over 100,000 unchanged tenants holds a few short strings a tenant, not three documents.
-- NULL (a record written before them): the record is read and compared in full, and recorded again.
ALTER TABLE openclaw.tenants ADD COLUMN IF NOT EXISTS manifest_fingerprint text;
ALTER TABLE openclaw.tenants ADD COLUMN IF NOT EXISTS desired_fingerprint text;
-- The fingerprint of `applied`: equal to desired_fingerprint once the desired state was applied in full.
ALTER TABLE openclaw.tenants ADD COLUMN IF NOT EXISTS applied_fingerprint text;
