-- The controller's own state: what it applied per tenant, status for ops, and events.

-- One row per tenant the controller has ever applied. The last applied spec is kept so that
-- the deletion policy is known after the manifest is gone, and so that drift (live state moved
-- away from what was applied) can be told apart from intended change.
CREATE TABLE openclaw.tenants (
  name              text PRIMARY KEY,
  manifest          jsonb NOT NULL,
  desired           jsonb NOT NULL,
  -- The desired state last applied in full; drift is measured against it.
  applied           jsonb,
  deletion_policy   text NOT NULL CHECK (deletion_policy IN ('Retain', 'Delete')),
  revision          text,
  generation        bigint NOT NULL DEFAULT 1,
  lifecycle         text NOT NULL DEFAULT 'Active' CHECK (lifecycle IN ('Active', 'Offboarding', 'Retained', 'Purged')),
  offboarded_at     timestamptz,
  purge_after       timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);

-- Status for ops, one row per tenant: Kubernetes-style conditions and per-resource state.
CREATE TABLE openclaw.tenant_status (
  tenant              text PRIMARY KEY,
  conditions          jsonb NOT NULL DEFAULT '[]',
  resources           jsonb NOT NULL DEFAULT '[]',
  observed_revision   text,
  observed_generation bigint,
  rejected_revision   text,
  rejected_reason     text,
  last_error          text,
  terminal            boolean NOT NULL DEFAULT false,
  provider            text,
  migration_version   int,
  facts               jsonb NOT NULL DEFAULT '{}',
  last_reconcile_at   timestamptz,
  updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE openclaw.events (
  id        bigserial PRIMARY KEY,
  at        timestamptz NOT NULL DEFAULT now(),
  type      text NOT NULL CHECK (type IN ('Normal', 'Warning')),
  reason    text NOT NULL,
  message   text NOT NULL,
  tenant    text,
  resource  text,
  revision  text
);
CREATE INDEX events_tenant_at ON openclaw.events (tenant, at DESC);
CREATE INDEX events_at ON openclaw.events (at DESC);

-- Per-tenant ledger of tenant-schema migrations: observed for all tenants in one query.
CREATE TABLE openclaw.tenant_migrations (
  tenant      text NOT NULL,
  version     int NOT NULL,
  name        text NOT NULL,
  applied_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, version)
);

-- Fleet-wide facts: last pass, applied revision, provider.
CREATE TABLE openclaw.controller_state (
  key        text PRIMARY KEY,
  value      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- What was erased and when, for erasure requests (GDPR Article 17). Never pruned by the controller.
CREATE TABLE openclaw.audit (
  id        bigserial PRIMARY KEY,
  at        timestamptz NOT NULL DEFAULT now(),
  tenant    text NOT NULL,
  action    text NOT NULL,
  revision  text,
  detail    jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_tenant_at ON openclaw.audit (tenant, at DESC);
