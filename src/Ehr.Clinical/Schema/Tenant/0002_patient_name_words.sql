-- Every word of a patient's search name, beside the patient's sort key. A name-prefix search reads only the
-- (word, sort_key, patient_id) index: a range of words, then the page in name order, without visiting the patients'
-- rows (the trigram index would visit every matching row, thousands for a common prefix such as "mar").
-- Kept by a trigger in the same transaction as the patient row (insert, update, delete), so it never drifts from
-- search_name; the tenant role may read it but not write it. No foreign key: its check would query and lock the
-- patient row once per word on every registration; the trigger removes a deleted patient's words, and the search
-- joins patients, so a word row can never surface a patient that does not exist.
CREATE TABLE IF NOT EXISTS patient_name_words (
  patient_id uuid NOT NULL,
  word text COLLATE "C" NOT NULL,
  sort_key text COLLATE "C" NOT NULL,
  active boolean NOT NULL,
  PRIMARY KEY (patient_id, word)
);
CREATE INDEX IF NOT EXISTS patient_name_words_prefix ON patient_name_words (word, sort_key, patient_id) INCLUDE (active);

REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON patient_name_words FROM {{tenant_role}};

-- The words are search_name split at its spaces (search_name is already normalised: lower case, single spaces,
-- one leading space), so "a word starts with w" here is exactly search_name LIKE '% w%'.
CREATE OR REPLACE FUNCTION patient_name_words_sync() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM patient_name_words WHERE patient_id = OLD.id;
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    IF NEW.search_name = OLD.search_name AND NEW.sort_key = OLD.sort_key AND NEW.active = OLD.active AND NEW.id = OLD.id THEN
      RETURN NULL;
    END IF;
    DELETE FROM patient_name_words WHERE patient_id = OLD.id;
  END IF;
  INSERT INTO patient_name_words (patient_id, word, sort_key, active)
  SELECT DISTINCT NEW.id, w, NEW.sort_key, NEW.active
  FROM regexp_split_to_table(NEW.search_name, ' ') AS w
  WHERE w <> '';
  RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS patients_name_words ON patients;
CREATE TRIGGER patients_name_words AFTER INSERT OR UPDATE OR DELETE ON patients
  FOR EACH ROW EXECUTE FUNCTION patient_name_words_sync();

-- Patients registered before this migration.
INSERT INTO patient_name_words (patient_id, word, sort_key, active)
SELECT DISTINCT p.id, w, p.sort_key, p.active
FROM patients p, regexp_split_to_table(p.search_name, ' ') AS w
WHERE w <> ''
ON CONFLICT (patient_id, word) DO NOTHING;
