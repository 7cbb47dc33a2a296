-- Domain events (transactional outbox): a use case inserts them in its own transaction, with its change and its
-- audit entry, so an event exists exactly when its change does. Append-only for the tenant role.
-- tx_id is the writing transaction's id: a reader takes only events whose transaction is older than every
-- transaction still running (pg_snapshot_xmin), in (tx_id, seq) order, so an event that commits late is never
-- skipped by a reader that already moved past a newer one.
CREATE TABLE IF NOT EXISTS domain_events (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id uuid NOT NULL UNIQUE,
  tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  type text NOT NULL CHECK (type ~ '^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$'),
  subject_type text NOT NULL,
  subject_id text NOT NULL,
  location_id uuid,
  payload jsonb NOT NULL,
  actor_id text NOT NULL,
  occurred_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS domain_events_order ON domain_events (tx_id, seq);
CREATE INDEX IF NOT EXISTS domain_events_subject ON domain_events (subject_type, subject_id);
REVOKE UPDATE, DELETE, TRUNCATE ON domain_events FROM {{tenant_role}};
