-- Form responses: a patient's answers to one exact form definition version (a published `form` artifact), kept as a
-- FHIR QuestionnaireResponse as the server processed it (calculated items and scores recomputed, never the client's).
-- Revision 1 is edited while the response is in progress (autosave); completing freezes it. An amendment adds a
-- frozen revision with its reason and becomes current; earlier ones stay as they were. A response made in error is
-- marked so, with the reason, and stays. The database enforces the same rules, whatever the application does.
CREATE TABLE IF NOT EXISTS form_responses (
  id uuid PRIMARY KEY,
  patient_id uuid NOT NULL REFERENCES patients (id),
  form_id uuid NOT NULL REFERENCES artifacts (id),
  form_key text NOT NULL,
  location_id uuid REFERENCES locations (id),
  status text NOT NULL CHECK (status IN ('in-progress', 'completed', 'amended', 'entered-in-error')),
  current_revision integer NOT NULL CHECK (current_revision >= 1),
  started_by text NOT NULL,
  started_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  completed_by text,
  completed_at timestamptz,
  error_reason text,
  version integer NOT NULL CHECK (version >= 1),
  CONSTRAINT form_responses_completed_has_completer CHECK (
    status IN ('in-progress', 'entered-in-error') OR (completed_by IS NOT NULL AND completed_at IS NOT NULL)),
  CONSTRAINT form_responses_error_has_reason CHECK ((status = 'entered-in-error') = (error_reason IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS form_responses_patient ON form_responses (patient_id, started_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS form_responses_form ON form_responses (form_id);

CREATE TABLE IF NOT EXISTS form_response_revisions (
  response_id uuid NOT NULL REFERENCES form_responses (id),
  revision integer NOT NULL CHECK (revision >= 1),
  content json NOT NULL,
  reason text,
  author_id text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  frozen boolean NOT NULL,
  -- Link ids of calculated boolean items that came out true (e.g. PHQ-9 item 9 positive).
  flagged text[] NOT NULL,
  -- The chart observations extracted from this revision (each also names the response in derived_from).
  observation_ids uuid[] NOT NULL,
  PRIMARY KEY (response_id, revision),
  CONSTRAINT form_response_revisions_amendment CHECK (revision = 1 OR (reason IS NOT NULL AND frozen))
);

-- A response answers a form version that was published (it may be retired later; it is never a draft), under that
-- version's key.
CREATE OR REPLACE FUNCTION form_responses_pinned() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM artifacts a WHERE a.id = NEW.form_id AND a.kind = 'form' AND a.key = NEW.form_key AND a.status <> 'draft') THEN
    RAISE EXCEPTION 'form response %: % is not a published form version of %', NEW.id, NEW.form_id, NEW.form_key
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS form_responses_pinned ON form_responses;
CREATE TRIGGER form_responses_pinned BEFORE INSERT ON form_responses FOR EACH ROW EXECUTE FUNCTION form_responses_pinned();

CREATE OR REPLACE FUNCTION form_responses_lifecycle() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.patient_id <> OLD.patient_id OR NEW.form_id <> OLD.form_id OR NEW.form_key <> OLD.form_key
     OR NEW.location_id IS DISTINCT FROM OLD.location_id OR NEW.started_by <> OLD.started_by OR NEW.started_at <> OLD.started_at THEN
    RAISE EXCEPTION 'form response %: identity columns never change', OLD.id USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF OLD.completed_at IS NOT NULL AND (NEW.completed_at IS DISTINCT FROM OLD.completed_at OR NEW.completed_by IS DISTINCT FROM OLD.completed_by) THEN
    RAISE EXCEPTION 'form response %: completion is recorded once', OLD.id USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF OLD.status = 'entered-in-error'
     OR (OLD.status = 'completed' AND NEW.status NOT IN ('amended', 'entered-in-error'))
     OR (OLD.status = 'amended' AND NEW.status NOT IN ('amended', 'entered-in-error'))
     OR (NEW.status = 'in-progress' AND OLD.status <> 'in-progress') THEN
    RAISE EXCEPTION 'form response %: % cannot become %', OLD.id, OLD.status, NEW.status USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF NEW.current_revision < OLD.current_revision THEN
    RAISE EXCEPTION 'form response %: revisions only move forward', OLD.id USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS form_responses_lifecycle ON form_responses;
CREATE TRIGGER form_responses_lifecycle BEFORE UPDATE ON form_responses FOR EACH ROW EXECUTE FUNCTION form_responses_lifecycle();

-- Completed answers never change: a frozen revision is final; only an in-progress response's revision is edited.
CREATE OR REPLACE FUNCTION form_response_revisions_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR OLD.frozen THEN
    RAISE EXCEPTION 'form response % revision % is completed and cannot change', OLD.response_id, OLD.revision
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF NEW.response_id <> OLD.response_id OR NEW.revision <> OLD.revision OR NEW.author_id <> OLD.author_id OR NEW.created_at <> OLD.created_at THEN
    RAISE EXCEPTION 'form response revisions keep their identity' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS form_response_revisions_frozen ON form_response_revisions;
CREATE TRIGGER form_response_revisions_frozen BEFORE UPDATE OR DELETE ON form_response_revisions FOR EACH ROW EXECUTE FUNCTION form_response_revisions_frozen();

REVOKE DELETE, TRUNCATE ON form_responses FROM {{tenant_role}};
REVOKE DELETE, TRUNCATE ON form_response_revisions FROM {{tenant_role}};
