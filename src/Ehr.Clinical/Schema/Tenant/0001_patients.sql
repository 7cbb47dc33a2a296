-- Patients: one chart per person across all of the tenant's locations.
CREATE SEQUENCE IF NOT EXISTS mrn_seq START 1000000;

CREATE TABLE IF NOT EXISTS patients (
  id uuid PRIMARY KEY,
  mrn text NOT NULL UNIQUE,
  given_names text NOT NULL CHECK (length(given_names) BETWEEN 1 AND 100),
  family_name text NOT NULL CHECK (length(family_name) BETWEEN 1 AND 100),
  preferred_name text CHECK (length(preferred_name) <= 100),
  birth_date date NOT NULL,
  administrative_sex text NOT NULL CHECK (administrative_sex IN ('male', 'female', 'other', 'unknown')),
  gender_identity text CHECK (length(gender_identity) <= 100),
  telecom jsonb NOT NULL DEFAULT '[]',
  address jsonb,
  identifiers jsonb NOT NULL DEFAULT '[]',
  home_location_id uuid REFERENCES locations (id),
  active boolean NOT NULL,
  version int NOT NULL CHECK (version >= 1),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  search_name text NOT NULL,
  sort_key text COLLATE "C" NOT NULL,
  phone_numbers text[] NOT NULL DEFAULT '{}'
);

-- Name search: word prefixes (LIKE '% smi%') and typo-tolerant word similarity (<%) both use this index.
CREATE INDEX IF NOT EXISTS patients_search_name_trgm ON patients USING gin (search_name gin_trgm_ops);
-- Stable keyset order: family, given, id.
CREATE INDEX IF NOT EXISTS patients_sort ON patients (sort_key, id);
CREATE INDEX IF NOT EXISTS patients_birth_date ON patients (birth_date, sort_key, id);
CREATE INDEX IF NOT EXISTS patients_phone_numbers ON patients USING gin (phone_numbers);
