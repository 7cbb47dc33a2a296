-- The platform schema and the shared extensions schema. Runs as the owner role.
CREATE SCHEMA IF NOT EXISTS ext;
GRANT USAGE ON SCHEMA ext TO PUBLIC;
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA ext;
CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA ext;

-- No public fallback: nothing may resolve a table through the public schema.
REVOKE ALL ON SCHEMA public FROM PUBLIC;

GRANT USAGE ON SCHEMA platform TO {{app_role}};

CREATE TABLE IF NOT EXISTS platform.tenants (
  id uuid PRIMARY KEY,
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z][a-z0-9]*(-[a-z0-9]+)*$' AND length(slug) BETWEEN 3 AND 40),
  display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
  status text NOT NULL CHECK (status IN ('active', 'suspended')),
  starter_pack text NOT NULL,
  schema_version int NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT, INSERT, UPDATE ON platform.tenants TO {{app_role}};

-- Results of audit-chain verification (the nightly job and `audit verify`).
CREATE TABLE IF NOT EXISTS platform.audit_verifications (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES platform.tenants (id),
  verified_at timestamptz NOT NULL DEFAULT now(),
  entries bigint NOT NULL,
  intact boolean NOT NULL,
  first_broken_seq bigint,
  problem text
);
CREATE INDEX IF NOT EXISTS audit_verifications_tenant ON platform.audit_verifications (tenant_id, verified_at DESC);
GRANT SELECT, INSERT ON platform.audit_verifications TO {{app_role}};
