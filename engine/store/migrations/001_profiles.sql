-- Companies and investors. The canonical JSON document written by the codec is the record;
-- a few generated columns expose what queries filter and sort on. There is deliberately no
-- GIN index on doc: it cost 60% of import time, and list filters by pathology or technology
-- are answered from the daemon's in-memory profiles, which it holds for scoring anyway.
CREATE TABLE companies (
    id text PRIMARY KEY CHECK (id <> ''),
    doc jsonb NOT NULL CHECK (doc->>'id' = id AND doc ? 'name'),
    name text GENERATED ALWAYS AS (doc->>'name') STORED,
    area text GENERATED ALWAYS AS (doc->>'area') STORED,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX companies_area_idx ON companies (area, id);

CREATE TABLE investors (
    id text PRIMARY KEY CHECK (id <> ''),
    doc jsonb NOT NULL CHECK (doc->>'id' = id AND doc ? 'name'),
    name text GENERATED ALWAYS AS (doc->>'name') STORED,
    kind text GENERATED ALWAYS AS (doc->>'kind') STORED,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX investors_kind_idx ON investors (kind, id);

-- An investor's portfolio, one row per holding, rebuilt from the document on every change.
CREATE TABLE portfolio_entries (
    investor_id text NOT NULL REFERENCES investors (id) ON DELETE CASCADE,
    position integer NOT NULL CHECK (position >= 0),
    name text NOT NULL,
    doc jsonb NOT NULL,
    PRIMARY KEY (investor_id, position)
);

-- One row per import, for the audit trail.
CREATE TABLE import_runs (
    id bigserial PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('company', 'investor')),
    source text NOT NULL,
    records integer NOT NULL CHECK (records >= 0),
    inserted integer NOT NULL CHECK (inserted >= 0),
    updated integer NOT NULL CHECK (updated >= 0),
    unchanged integer NOT NULL CHECK (unchanged >= 0),
    imported_at timestamptz NOT NULL DEFAULT now()
);
