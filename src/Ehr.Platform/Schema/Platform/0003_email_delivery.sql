-- Delivery state of the e-mail outbox: attempts with back-off, the last transport error, and a permanent failure
-- after which the message is no longer tried.
ALTER TABLE platform.email_outbox
    ADD COLUMN IF NOT EXISTS attempts integer NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS next_attempt_at timestamp with time zone,
    ADD COLUMN IF NOT EXISTS last_error text,
    ADD COLUMN IF NOT EXISTS failed_at timestamp with time zone;

DROP INDEX IF EXISTS platform.ix_email_outbox_unsent;
CREATE INDEX IF NOT EXISTS ix_email_outbox_due ON platform.email_outbox (coalesce(next_attempt_at, created_at))
    WHERE sent_at IS NULL AND failed_at IS NULL;
