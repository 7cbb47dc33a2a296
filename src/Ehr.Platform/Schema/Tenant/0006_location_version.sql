-- Locations become editable configuration: every change names the version it was based on (never last-write-wins).
ALTER TABLE locations ADD COLUMN IF NOT EXISTS version int NOT NULL DEFAULT 1;
ALTER TABLE locations ADD COLUMN IF NOT EXISTS updated_at timestamptz NOT NULL DEFAULT now();
