-- Notifications waiting to be delivered, delivered, or given up: the outbox a pass writes into and a
-- delivery worker drains, so that a slow or failing channel never holds up a pass. Bounded per channel
-- (OPENCLAW_NOTIFY_OUTBOX_LIMIT undelivered rows; finished rows kept a week). No secret is ever stored here:
-- the payload is what the receiver sees, and a channel's secret is read from the secret store at delivery.
CREATE TABLE openclaw.notification_outbox (
  id               bigserial PRIMARY KEY,
  channel          text NOT NULL,
  -- Same key on the same channel within the dedup window: not enqueued again.
  dedup_key        text NOT NULL,
  event            text NOT NULL,
  tenant           text,
  payload          jsonb NOT NULL,
  created_at       timestamptz NOT NULL,
  state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed', 'dropped')),
  attempts         int NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL,
  last_attempt_at  timestamptz,
  finished_at      timestamptz,
  last_error       text
);
CREATE INDEX notification_outbox_due ON openclaw.notification_outbox (next_attempt_at) WHERE state = 'pending';
CREATE INDEX notification_outbox_dedup ON openclaw.notification_outbox (channel, dedup_key, created_at DESC);
CREATE INDEX notification_outbox_channel ON openclaw.notification_outbox (channel, state, finished_at DESC);
