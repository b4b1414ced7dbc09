-- Digests the butler agent writes, kept per tenant for the history view.
CREATE TABLE digests (
  id          bigserial PRIMARY KEY,
  run_id      text NOT NULL,
  for_date    date NOT NULL,
  item_count  integer NOT NULL,
  object_key  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX digests_for_date ON digests (for_date DESC);
