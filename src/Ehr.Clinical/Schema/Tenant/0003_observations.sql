-- Observations: measurements and answers in the chart (vital signs, scores such as a PHQ-9 total, results). One
-- value per row, typed; derived_from names what produced it (e.g. QuestionnaireResponse/<id>, item link id).
-- Never deleted: a wrong one is marked entered-in-error with a reason, and stays readable as such.
CREATE TABLE IF NOT EXISTS observations (
  id uuid PRIMARY KEY,
  patient_id uuid NOT NULL REFERENCES patients (id),
  status text NOT NULL CHECK (status IN ('final', 'entered-in-error')),
  code_system text NOT NULL,
  code text NOT NULL,
  code_display text,
  value_type text NOT NULL CHECK (value_type IN ('quantity', 'integer', 'string', 'boolean', 'coding', 'datetime')),
  value_decimal numeric,
  value_unit text,
  value_unit_code text,
  value_integer integer,
  value_string text,
  value_boolean boolean,
  value_code_system text,
  value_code text,
  value_code_display text,
  value_datetime timestamptz,
  effective_at timestamptz NOT NULL,
  derived_from text,
  derived_from_item text,
  recorded_by text NOT NULL,
  recorded_at timestamptz NOT NULL,
  error_reason text,
  version integer NOT NULL,
  CONSTRAINT observations_value_matches_type CHECK (
    (value_type = 'quantity') = (value_decimal IS NOT NULL) AND
    (value_type = 'integer') = (value_integer IS NOT NULL) AND
    (value_type = 'string') = (value_string IS NOT NULL) AND
    (value_type = 'boolean') = (value_boolean IS NOT NULL) AND
    (value_type = 'coding') = (value_code IS NOT NULL) AND
    (value_type = 'datetime') = (value_datetime IS NOT NULL)),
  CONSTRAINT observations_error_has_reason CHECK ((status = 'entered-in-error') = (error_reason IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS observations_patient ON observations (patient_id, effective_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS observations_patient_code ON observations (patient_id, code_system, code, effective_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS observations_derived_from ON observations (derived_from) WHERE derived_from IS NOT NULL;
REVOKE DELETE, TRUNCATE ON observations FROM {{tenant_role}};
