-- Core of every tenant schema: locations and the audit chain. Runs as the owner role with
-- search_path = <tenant schema>, ext. Table privileges for the tenant role come from the schema's default
-- privileges (select, insert, update, delete); the audit tables narrow them below.

CREATE TABLE IF NOT EXISTS locations (
  id uuid PRIMARY KEY,
  code text NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 40),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  timezone text NOT NULL DEFAULT 'UTC',
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Append-only, hash-chained audit log. Each entry's hash covers a canonical form of the entry and the previous
-- entry's hash; audit_head holds the chain's tip and is locked by each writer, which keeps the chain linear.
CREATE TABLE IF NOT EXISTS audit_log (
  seq bigint PRIMARY KEY,
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
  details text,
  prev_hash bytea NOT NULL,
  hash bytea NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_resource ON audit_log (resource_type, resource_id, seq);
CREATE INDEX IF NOT EXISTS audit_log_actor ON audit_log (actor_id, seq);
CREATE INDEX IF NOT EXISTS audit_log_time ON audit_log (occurred_at);

CREATE TABLE IF NOT EXISTS audit_head (
  id int PRIMARY KEY CHECK (id = 1),
  seq bigint NOT NULL,
  hash bytea NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '\x0000000000000000000000000000000000000000000000000000000000000000')
ON CONFLICT (id) DO NOTHING;

-- The tenant role may add and read audit entries, never change or remove them.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM {{tenant_role}};
REVOKE INSERT, DELETE, TRUNCATE ON audit_head FROM {{tenant_role}};
