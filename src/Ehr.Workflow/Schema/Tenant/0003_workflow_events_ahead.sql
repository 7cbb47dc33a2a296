-- Events the tenant's event consumer handled before every older transaction in the cluster had ended. The consumer's
-- position may only move past events whose transaction is older than every transaction still running (else a late
-- commit could land behind it), so a long transaction anywhere in the cluster would hold back every tenant's
-- workflow starts. Instead the consumer handles every committed event at once and, for those past that horizon,
-- leaves a row here in the same transaction: later reads skip them, and the rows go once the position passes them.
CREATE TABLE IF NOT EXISTS workflow_events_ahead (
  seq bigint PRIMARY KEY,
  tx_id xid8 NOT NULL
);
CREATE INDEX IF NOT EXISTS workflow_events_ahead_order ON workflow_events_ahead (tx_id, seq);
REVOKE UPDATE, TRUNCATE ON workflow_events_ahead FROM {{tenant_role}};
