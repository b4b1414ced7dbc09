-- One-click unsubscribe (RFC 8058): the recipients who asked to stop receiving a tenant's digest, and the
-- key that signs each recipient's unsubscribe link. Controller state: the agents never read or write it;
-- the scheduler leaves opted-out recipients out of a run's recipients.
CREATE TABLE IF NOT EXISTS openclaw.email_opt_outs (
  tenant        text NOT NULL,
  address       text NOT NULL CHECK (address = lower(address)),
  opted_out_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, address)
);

CREATE TABLE IF NOT EXISTS openclaw.signing_keys (
  purpose     text PRIMARY KEY,
  key         bytea NOT NULL CHECK (length(key) >= 32),
  created_at  timestamptz NOT NULL DEFAULT now()
);
