-- Restricted records: a patient marked vip, employee or sensitive is readable only by their care team (user ids),
-- the patient themselves, and whoever broke the glass for them (a time-limited, audited grant).
ALTER TABLE patients ADD COLUMN IF NOT EXISTS restriction text CHECK (restriction IN ('vip', 'employee', 'sensitive'));
ALTER TABLE patients ADD COLUMN IF NOT EXISTS care_team text[] NOT NULL DEFAULT '{}';

CREATE TABLE IF NOT EXISTS break_glass_grants (
  id uuid PRIMARY KEY,
  patient_id uuid NOT NULL REFERENCES patients (id),
  actor_id text NOT NULL,
  reason text NOT NULL CHECK (length(reason) BETWEEN 10 AND 500),
  granted_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL CHECK (expires_at > granted_at)
);
CREATE INDEX IF NOT EXISTS break_glass_grants_actor ON break_glass_grants (actor_id, patient_id, expires_at);
-- A grant is a fact: the tenant role may add and read grants, never extend or remove one.
REVOKE UPDATE, DELETE, TRUNCATE ON break_glass_grants FROM {{tenant_role}};
