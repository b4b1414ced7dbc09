-- Access to the ops API: machine tokens (only their SHA-256 is kept) and the audit log of operator actions.

CREATE TABLE openclaw.api_tokens (
  name        text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  -- SHA-256 of the token, hex. The token itself is shown once, when it is created, and never stored.
  token_hash  text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  role        text NOT NULL CHECK (role IN ('viewer', 'operator')),
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz
);

-- One row per operator action, from the API, the page or the CLI, whether it succeeded or not.
CREATE TABLE openclaw.audit_log (
  id        bigserial PRIMARY KEY,
  at        timestamptz NOT NULL DEFAULT now(),
  actor     text NOT NULL,
  role      text NOT NULL,
  -- How the actor was known: alb, session, token, anonymous (loopback only), cli.
  via       text NOT NULL,
  action    text NOT NULL,
  -- A tenant, tenant/agent, a revision, or "source"; `tenant` is set when the action is on one.
  target    text NOT NULL,
  tenant    text,
  -- The revision in force when the action was taken.
  revision  text,
  result    text NOT NULL CHECK (result IN ('succeeded', 'failed', 'refused')),
  message   text
);
CREATE INDEX audit_log_tenant ON openclaw.audit_log (tenant, id DESC) WHERE tenant IS NOT NULL;
