-- Where each digest went: the recipients, the mailer's message id (SES) or outbox file (local), and when.
ALTER TABLE digests
  ADD COLUMN recipients text[] NOT NULL DEFAULT '{}',
  ADD COLUMN message_id text,
  ADD COLUMN delivered_to text,
  ADD COLUMN sent_at timestamptz;
