-- The text search of the matches pages (issue 16, decision 0051): the words of what the other
-- side may read of a profile, as a 'simple' full-text vector (lower case, no stemming, no stop
-- words: names and descriptions mix Italian and English) with a GIN index. A company's name
-- and description; an investor's name only, since its thesis is not public (docs/api.md) and a
-- search over it would reveal it word by word.
ALTER TABLE companies ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple'::regconfig,
                coalesce(doc->>'name', '') || ' ' || coalesce(doc->>'description', ''))) STORED;
CREATE INDEX companies_search_idx ON companies USING gin (search);

ALTER TABLE investors ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple'::regconfig, coalesce(doc->>'name', ''))) STORED;
CREATE INDEX investors_search_idx ON investors USING gin (search);
