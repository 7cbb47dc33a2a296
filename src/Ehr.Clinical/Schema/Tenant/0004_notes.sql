-- Clinical notes. A note is drafted, then signed: from then on its text and answers never change. Corrections are
-- amendments (a new revision with a reason, the earlier ones kept), addenda (new notes linked to the original) or
-- entered-in-error (with a reason; the note stays, marked). The database enforces the same rules.
CREATE TABLE IF NOT EXISTS notes (
  id uuid PRIMARY KEY,
  patient_id uuid NOT NULL REFERENCES patients (id),
  note_type text NOT NULL CHECK (note_type IN ('progress', 'soap', 'history-and-physical', 'procedure', 'telehealth', 'consult', 'discharge', 'other')),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  status text NOT NULL CHECK (status IN ('draft', 'signed', 'amended', 'entered-in-error')),
  template_id uuid,
  addendum_to uuid REFERENCES notes (id),
  author_id text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  signed_by text,
  signed_at timestamptz,
  error_reason text,
  current_revision integer NOT NULL CHECK (current_revision >= 1),
  version integer NOT NULL CHECK (version >= 1),
  CONSTRAINT notes_signed_has_signer CHECK ((status = 'draft') OR (status = 'entered-in-error') OR (signed_by IS NOT NULL AND signed_at IS NOT NULL)),
  CONSTRAINT notes_error_has_reason CHECK ((status = 'entered-in-error') = (error_reason IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS notes_patient ON notes (patient_id, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS notes_addenda ON notes (addendum_to) WHERE addendum_to IS NOT NULL;

CREATE TABLE IF NOT EXISTS note_revisions (
  note_id uuid NOT NULL REFERENCES notes (id),
  revision integer NOT NULL CHECK (revision >= 1),
  narrative text NOT NULL,
  answers json,
  reason text,
  author_id text NOT NULL,
  created_at timestamptz NOT NULL,
  frozen boolean NOT NULL,
  PRIMARY KEY (note_id, revision),
  CONSTRAINT note_revisions_amendment_has_reason CHECK (revision = 1 OR reason IS NOT NULL)
);

CREATE OR REPLACE FUNCTION note_revisions_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR OLD.frozen THEN
    RAISE EXCEPTION 'note % revision % is signed and cannot change', OLD.note_id, OLD.revision USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF NEW.note_id <> OLD.note_id OR NEW.revision <> OLD.revision THEN
    RAISE EXCEPTION 'note revisions keep their identity' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS note_revisions_frozen ON note_revisions;
CREATE TRIGGER note_revisions_frozen BEFORE UPDATE OR DELETE ON note_revisions FOR EACH ROW EXECUTE FUNCTION note_revisions_frozen();

CREATE OR REPLACE FUNCTION notes_lifecycle() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.patient_id <> OLD.patient_id OR NEW.author_id <> OLD.author_id OR NEW.created_at <> OLD.created_at
     OR NEW.addendum_to IS DISTINCT FROM OLD.addendum_to THEN
    RAISE EXCEPTION 'note %: identity columns never change', OLD.id USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF OLD.status <> 'draft' AND (NEW.title <> OLD.title OR NEW.note_type <> OLD.note_type OR NEW.signed_by IS DISTINCT FROM OLD.signed_by
     OR NEW.signed_at IS DISTINCT FROM OLD.signed_at OR NEW.template_id IS DISTINCT FROM OLD.template_id) THEN
    RAISE EXCEPTION 'note % is % and cannot change', OLD.id, OLD.status USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF OLD.status = 'entered-in-error' OR (OLD.status IN ('signed', 'amended') AND NEW.status NOT IN ('signed', 'amended', 'entered-in-error')) THEN
    RAISE EXCEPTION 'note %: % cannot become %', OLD.id, OLD.status, NEW.status USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS notes_lifecycle ON notes;
CREATE TRIGGER notes_lifecycle BEFORE UPDATE ON notes FOR EACH ROW EXECUTE FUNCTION notes_lifecycle();
REVOKE DELETE, TRUNCATE ON notes FROM {{tenant_role}};
REVOKE DELETE, TRUNCATE ON note_revisions FROM {{tenant_role}};
