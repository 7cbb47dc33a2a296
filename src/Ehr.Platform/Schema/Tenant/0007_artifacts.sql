-- Configuration artifacts (form definitions, documentation templates, workflow definitions ...): versioned per kind,
-- key and scope (location_id null: the tenant's standard; a location: its override). Drafts are editable; a
-- published version is immutable, forever (whatever used it points at it); retiring takes it out of resolution
-- without changing it. The database itself enforces the lifecycle, whatever the application does. Content is json,
-- not jsonb: kept exactly as authored.
CREATE TABLE IF NOT EXISTS artifacts (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9-]{1,39}$'),
  key text NOT NULL CHECK (key ~ '^[a-z0-9][a-z0-9._-]{0,99}$'),
  location_id uuid REFERENCES locations (id),
  version integer NOT NULL CHECK (version >= 1),
  status text NOT NULL CHECK (status IN ('draft', 'published', 'retired')),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  content json NOT NULL,
  content_sha256 bytea NOT NULL,
  note text CHECK (length(note) <= 1000),
  source text NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  published_by text,
  published_at timestamptz,
  retired_by text,
  retired_at timestamptz,
  row_version integer NOT NULL CHECK (row_version >= 1),
  CONSTRAINT artifacts_published_has_time CHECK ((status = 'draft') = (published_at IS NULL))
);
CREATE UNIQUE INDEX IF NOT EXISTS artifacts_version ON artifacts (kind, key, location_id, version) NULLS NOT DISTINCT;
-- At most one draft per kind, key and scope.
CREATE UNIQUE INDEX IF NOT EXISTS artifacts_one_draft ON artifacts (kind, key, location_id) NULLS NOT DISTINCT WHERE status = 'draft';
CREATE INDEX IF NOT EXISTS artifacts_resolution ON artifacts (kind, key, location_id, version DESC) WHERE status = 'published';

CREATE OR REPLACE FUNCTION artifacts_lifecycle() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.status <> 'draft' THEN
      RAISE EXCEPTION 'artifact % is %: only drafts can be discarded', OLD.id, OLD.status USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN OLD;
  END IF;
  IF NEW.kind <> OLD.kind OR NEW.key <> OLD.key OR NEW.location_id IS DISTINCT FROM OLD.location_id OR NEW.version <> OLD.version
     OR NEW.source <> OLD.source OR NEW.created_by <> OLD.created_by OR NEW.created_at <> OLD.created_at THEN
    RAISE EXCEPTION 'artifact %: identity columns never change', OLD.id USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF OLD.status <> 'draft' AND (NEW.content::text IS DISTINCT FROM OLD.content::text OR NEW.content_sha256 <> OLD.content_sha256
     OR NEW.title <> OLD.title OR NEW.note IS DISTINCT FROM OLD.note OR NEW.published_at IS DISTINCT FROM OLD.published_at
     OR NEW.published_by IS DISTINCT FROM OLD.published_by) THEN
    RAISE EXCEPTION 'artifact % is % and immutable', OLD.id, OLD.status USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF (OLD.status = 'published' AND NEW.status NOT IN ('published', 'retired')) OR (OLD.status = 'retired' AND NEW.status <> 'retired') THEN
    RAISE EXCEPTION 'artifact %: % cannot become %', OLD.id, OLD.status, NEW.status USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS artifacts_lifecycle ON artifacts;
CREATE TRIGGER artifacts_lifecycle BEFORE UPDATE OR DELETE ON artifacts FOR EACH ROW EXECUTE FUNCTION artifacts_lifecycle();
REVOKE TRUNCATE ON artifacts FROM {{tenant_role}};
