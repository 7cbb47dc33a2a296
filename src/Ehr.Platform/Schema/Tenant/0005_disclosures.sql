-- Accounting of disclosures (HIPAA 164.528): every release of a patient's information outside the tenant, written
-- in the transaction that releases it. Append-only for the tenant role, like the audit log.
CREATE TABLE IF NOT EXISTS disclosures (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  patient_id uuid NOT NULL,
  recipient text NOT NULL,
  recipient_kind text NOT NULL,
  purpose text NOT NULL,
  released text NOT NULL,
  disclosed_at timestamptz NOT NULL,
  actor_id text NOT NULL
);
CREATE INDEX IF NOT EXISTS disclosures_patient ON disclosures (patient_id, disclosed_at);
REVOKE UPDATE, DELETE, TRUNCATE ON disclosures FROM {{tenant_role}};
