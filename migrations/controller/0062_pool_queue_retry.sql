-- A pooled run whose credentials could not be vended (throttling, a 5xx from STS) goes back to the
-- queue, unclaimed, and is not claimed again before not_before.
ALTER TABLE openclaw.pool_queue ADD COLUMN IF NOT EXISTS not_before timestamptz;
