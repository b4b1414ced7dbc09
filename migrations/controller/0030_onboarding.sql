-- Onboarding links (stored only as hashes) and the state of each tenant's integrations (no token: tokens
-- live in the tenant's integration secret).
CREATE TABLE openclaw.onboarding_links (
  link_hash     text PRIMARY KEY,                -- sha256 of the link's secret part, hex
  tenant        text NOT NULL,
  provider      text NOT NULL,
  created_at    timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL,
  created_by    text NOT NULL,
  -- The consent in progress: set when the customer presses the button, cleared after the callback.
  state_hash    text UNIQUE,                     -- sha256 of the OAuth state, hex
  browser_hash  text,                            -- sha256 of the cookie that binds the callback to that browser
  code_verifier text,                            -- PKCE verifier: useless without the code and the client secret
  started_at    timestamptz,
  used_at       timestamptz,
  CHECK (provider IN ('google', 'microsoft', 'hubspot'))
);
CREATE INDEX onboarding_links_tenant ON openclaw.onboarding_links (tenant, provider);

CREATE TABLE openclaw.integrations (
  tenant          text NOT NULL,
  provider        text NOT NULL,
  state           text NOT NULL CHECK (state IN ('Connected', 'ReauthorizationRequired', 'Disconnected')),
  account         text,
  scopes          text[] NOT NULL DEFAULT '{}',
  connected_at    timestamptz,
  last_refresh_at timestamptz,
  expires_at      timestamptz,                   -- of the access token: when the refresher renews it
  version         int NOT NULL DEFAULT 0,        -- of the secret's value last written
  reason          text,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, provider)
);
