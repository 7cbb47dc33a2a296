-- Notes started from documentation templates. The note pins the exact template version (an artifact row: published
-- versions never change and are never deleted), and each revision keeps the clinician's free text apart from the
-- narrative rendered from the answers, so rendering again never loses it. Signed revisions stay frozen (0004's trigger
-- covers the new column too).
ALTER TABLE note_revisions ADD COLUMN IF NOT EXISTS free_text text;
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'note_revisions_free_text_length') THEN
    ALTER TABLE note_revisions ADD CONSTRAINT note_revisions_free_text_length CHECK (length(free_text) <= 49000);
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'notes_template_version') THEN
    ALTER TABLE notes ADD CONSTRAINT notes_template_version FOREIGN KEY (template_id) REFERENCES artifacts (id);
  END IF;
END $$;
CREATE INDEX IF NOT EXISTS notes_template ON notes (template_id) WHERE template_id IS NOT NULL;

-- A note pins a published note template, never a draft (which could still change or be discarded) nor another kind.
CREATE OR REPLACE FUNCTION notes_template_pinned() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.template_id IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.template_id IS DISTINCT FROM OLD.template_id)
     AND NOT EXISTS (SELECT 1 FROM artifacts a WHERE a.id = NEW.template_id AND a.kind = 'note-template' AND a.status = 'published') THEN
    RAISE EXCEPTION 'note %: template % is not a published note template', NEW.id, NEW.template_id USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS notes_template_pinned ON notes;
CREATE TRIGGER notes_template_pinned BEFORE INSERT OR UPDATE OF template_id ON notes FOR EACH ROW EXECUTE FUNCTION notes_template_pinned();
