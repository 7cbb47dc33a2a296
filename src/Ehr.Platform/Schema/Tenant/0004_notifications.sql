-- Notifications to a role's holders (for now: 'auditor', read by whoever holds audit.read), for example a
-- break-the-glass alert. Written in the transaction of the event they report; only read_at/read_by ever change.
CREATE TABLE IF NOT EXISTS notifications (
  id uuid PRIMARY KEY,
  recipient_role text NOT NULL,
  kind text NOT NULL,
  payload text NOT NULL,
  created_at timestamptz NOT NULL,
  read_at timestamptz,
  read_by text
);
CREATE INDEX IF NOT EXISTS notifications_recipient ON notifications (recipient_role, created_at DESC);
REVOKE DELETE, TRUNCATE ON notifications FROM {{tenant_role}};
