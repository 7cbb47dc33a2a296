-- Audit entries are written in the change's own transaction to audit_pending (insert-only for the tenant role), and
-- a sealer (running as the owner role) moves them into the hash chain in batches. The business transaction never
-- waits on the chain's head lock, so concurrent writers do not queue behind one another, and the tenant role can no
-- longer write chain entries at all.
CREATE TABLE IF NOT EXISTS audit_pending (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  occurred_at timestamptz NOT NULL,
  actor_id text NOT NULL,
  actor_roles text NOT NULL,
  tenant text NOT NULL,
  action text NOT NULL,
  resource_type text NOT NULL,
  resource_id text,
  client_address text,
  purpose text NOT NULL,
  outcome text NOT NULL,
  details text
);

REVOKE ALL ON audit_pending FROM {{tenant_role}};
GRANT INSERT ON audit_pending TO {{tenant_role}};
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON audit_log FROM {{tenant_role}};
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON audit_head FROM {{tenant_role}};
