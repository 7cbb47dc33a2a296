-- Custom roles: a tenant's own sets of permissions, tenant-wide (location_id null: the group's standard) or for one
-- location (an override of the same key there). Resolution per role key: location override, tenant standard,
-- built-in. Built-in keys cannot be defined here (checked by the use case). Every change bumps version.
CREATE TABLE IF NOT EXISTS roles (
  id uuid PRIMARY KEY,
  key text NOT NULL CHECK (key ~ '^[a-z][a-z0-9-]{2,39}$'),
  location_id uuid REFERENCES locations (id),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  description text CHECK (length(description) <= 500),
  permissions text[] NOT NULL,
  version int NOT NULL CHECK (version >= 1),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
-- One definition per key and scope; NULLS NOT DISTINCT makes the tenant-wide one unique too (PostgreSQL 15+).
CREATE UNIQUE INDEX IF NOT EXISTS roles_key_scope ON roles (key, location_id) NULLS NOT DISTINCT;
