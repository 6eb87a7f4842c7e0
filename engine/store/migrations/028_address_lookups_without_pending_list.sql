-- The GIN indexes of migration 025 answer "which profiles name this address" on every page's
-- GET /v1/me. With GIN's fast update (the default), rows written since the last vacuum wait in
-- an unsorted pending list that every lookup scans: right after an import of 6,000
-- participants GET /v1/me ran at a quarter of its speed (900 instead of 3,000 to 4,400
-- requests a second under 64 clients, bench/web_pages.sh) until autovacuum came by. A row
-- names one or two addresses, so writing them straight into the index costs little.
ALTER INDEX companies_by_contact_email SET (fastupdate = off);
ALTER INDEX investors_by_contact_email SET (fastupdate = off);
ALTER INDEX event_participants_by_email SET (fastupdate = off);
DO $$ BEGIN
    PERFORM gin_clean_pending_list('companies_by_contact_email'::regclass);
    PERFORM gin_clean_pending_list('investors_by_contact_email'::regclass);
    PERFORM gin_clean_pending_list('event_participants_by_email'::regclass);
END $$;
