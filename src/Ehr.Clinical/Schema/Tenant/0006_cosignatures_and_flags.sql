-- Co-signatures: a signed note (by a nurse practitioner or a resident, say) that awaits a supervising physician's
-- signature. Requested by the co-signature workflow (note.requestCosign), recorded when the co-signer approves
-- (note.sign). A co-signature, once recorded, never changes; nothing here is deleted. request_key / cosign_key are the
-- workflow calls' idempotency keys (instance/bookmark).
CREATE TABLE IF NOT EXISTS note_cosignatures (
  note_id uuid PRIMARY KEY REFERENCES notes (id),
  status text NOT NULL CHECK (status IN ('requested', 'cosigned')),
  requested_at timestamptz NOT NULL,
  request_key text,
  cosigned_by text,
  cosigned_at timestamptz,
  cosign_key text,
  version integer NOT NULL CHECK (version >= 1),
  CONSTRAINT note_cosignatures_cosigned_has_signer CHECK ((status = 'cosigned') = (cosigned_by IS NOT NULL AND cosigned_at IS NOT NULL))
);

CREATE OR REPLACE FUNCTION note_cosignatures_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status = 'cosigned' OR NEW.note_id <> OLD.note_id OR NEW.requested_at <> OLD.requested_at THEN
    RAISE EXCEPTION 'note %: a recorded co-signature never changes', OLD.note_id USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS note_cosignatures_final ON note_cosignatures;
CREATE TRIGGER note_cosignatures_final BEFORE UPDATE ON note_cosignatures FOR EACH ROW EXECUTE FUNCTION note_cosignatures_final();
REVOKE DELETE, TRUNCATE ON note_cosignatures FROM {{tenant_role}};

-- Chart flags (alerts shown with the patient's record): e.g. a flagged intake answer. Raised by people or workflows
-- (source), resolved with a reason, never deleted. idempotency_key: a workflow call's key, so a call carried out
-- again adds no second flag.
CREATE TABLE IF NOT EXISTS patient_flags (
  id uuid PRIMARY KEY,
  patient_id uuid NOT NULL REFERENCES patients (id),
  flag text NOT NULL CHECK (flag ~ '^[a-z0-9][a-z0-9-]{0,59}$'),
  note text CHECK (length(note) <= 1000),
  source text NOT NULL,
  idempotency_key text UNIQUE,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  resolved_by text,
  resolved_at timestamptz,
  resolution text,
  CONSTRAINT patient_flags_resolved_has_reason CHECK ((resolved_at IS NULL) = (resolution IS NULL))
);
CREATE INDEX IF NOT EXISTS patient_flags_patient ON patient_flags (patient_id, created_at DESC);

CREATE OR REPLACE FUNCTION patient_flags_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.resolved_at IS NOT NULL OR NEW.id <> OLD.id OR NEW.patient_id <> OLD.patient_id OR NEW.flag <> OLD.flag
     OR NEW.note IS DISTINCT FROM OLD.note OR NEW.source <> OLD.source OR NEW.created_by <> OLD.created_by OR NEW.created_at <> OLD.created_at THEN
    RAISE EXCEPTION 'patient flag %: only resolving it changes it, once', OLD.id USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS patient_flags_guard ON patient_flags;
CREATE TRIGGER patient_flags_guard BEFORE UPDATE ON patient_flags FOR EACH ROW EXECUTE FUNCTION patient_flags_guard();
REVOKE DELETE, TRUNCATE ON patient_flags FROM {{tenant_role}};
