-- Forms sent to the patient: staff start a response for the patient (or a proxy) to fill in through the portal. The
-- record's portal users see such a response while it is in progress (others' unfinished work stays out of their
-- sight). Fixed when the response starts, like the other identity columns.
ALTER TABLE form_responses ADD COLUMN IF NOT EXISTS for_patient boolean NOT NULL DEFAULT false;

CREATE OR REPLACE FUNCTION form_responses_for_patient_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.for_patient <> OLD.for_patient THEN
    RAISE EXCEPTION 'form response %: for_patient is fixed when it starts', OLD.id USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS form_responses_for_patient_fixed ON form_responses;
CREATE TRIGGER form_responses_for_patient_fixed BEFORE UPDATE ON form_responses FOR EACH ROW EXECUTE FUNCTION form_responses_for_patient_fixed();

-- The portal asks for a record's forms in progress.
CREATE INDEX IF NOT EXISTS form_responses_patient_in_progress ON form_responses (patient_id, started_at DESC) WHERE status = 'in-progress';
