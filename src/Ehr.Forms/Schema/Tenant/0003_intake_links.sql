-- Single-use intake links: staff send a patient one in-progress form response to fill in without signing in. Only
-- the SHA-256 of the link's token is kept (the token itself is in the e-mail and nowhere else). A link works until it
-- expires, is used (the response completed through it) or is revoked; those facts are recorded once and never undone.
CREATE TABLE IF NOT EXISTS intake_links (
  id uuid PRIMARY KEY,
  response_id uuid NOT NULL UNIQUE REFERENCES form_responses (id),
  patient_id uuid NOT NULL REFERENCES patients (id),
  form_key text NOT NULL,
  token_sha256 bytea NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
  email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL CHECK (expires_at > created_at),
  used_at timestamptz,
  revoked_at timestamptz,
  revoked_by text,
  version integer NOT NULL CHECK (version >= 1),
  CONSTRAINT intake_links_used_or_revoked CHECK (used_at IS NULL OR revoked_at IS NULL),
  CONSTRAINT intake_links_revoked_by CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
CREATE INDEX IF NOT EXISTS intake_links_patient ON intake_links (patient_id, created_at DESC);

-- A link is for its response's patient; its identity and token never change; used and revoked are set once.
CREATE OR REPLACE FUNCTION intake_links_rules() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NOT EXISTS (SELECT 1 FROM form_responses r WHERE r.id = NEW.response_id AND r.patient_id = NEW.patient_id AND r.form_key = NEW.form_key) THEN
      RAISE EXCEPTION 'intake link %: response % is not the patient''s response to %', NEW.id, NEW.response_id, NEW.form_key
        USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
  END IF;
  IF NEW.response_id <> OLD.response_id OR NEW.patient_id <> OLD.patient_id OR NEW.form_key <> OLD.form_key
     OR NEW.token_sha256 <> OLD.token_sha256 OR NEW.email <> OLD.email OR NEW.created_by <> OLD.created_by
     OR NEW.created_at <> OLD.created_at OR NEW.expires_at <> OLD.expires_at THEN
    RAISE EXCEPTION 'intake link %: identity columns never change', OLD.id USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF (OLD.used_at IS NOT NULL AND NEW.used_at IS DISTINCT FROM OLD.used_at)
     OR (OLD.revoked_at IS NOT NULL AND (NEW.revoked_at IS DISTINCT FROM OLD.revoked_at OR NEW.revoked_by IS DISTINCT FROM OLD.revoked_by)) THEN
    RAISE EXCEPTION 'intake link %: used and revoked are recorded once', OLD.id USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS intake_links_rules ON intake_links;
CREATE TRIGGER intake_links_rules BEFORE INSERT OR UPDATE ON intake_links FOR EACH ROW EXECUTE FUNCTION intake_links_rules();
REVOKE DELETE, TRUNCATE ON intake_links FROM {{tenant_role}};

-- The tenant's intake-link settings: one row (absent: the defaults).
CREATE TABLE IF NOT EXISTS intake_settings (
  id smallint PRIMARY KEY CHECK (id = 1),
  lifetime_hours integer NOT NULL CHECK (lifetime_hours BETWEEN 1 AND 720),
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL CHECK (version >= 1)
);
REVOKE DELETE, TRUNCATE ON intake_settings FROM {{tenant_role}};
