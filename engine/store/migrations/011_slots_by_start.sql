-- A meeting's slot is its local start: slot_index only numbers the slots of the event file as
-- it was when the meeting was written, and a re-imported file with other days, hours or slot
-- length numbers them anew (decision 0041). The indexes that keep a table, a company or an
-- investor to one meeting a slot now compare starts, so that a pinned meeting left in a slot
-- the new file no longer has does not take the number of another slot.
DROP INDEX meetings_one_table;
DROP INDEX meetings_company_once_a_slot;
DROP INDEX meetings_investor_once_a_slot;
CREATE UNIQUE INDEX meetings_one_table ON meetings (event_id, slot_start, table_no)
    WHERE status <> 'cancelled';
CREATE UNIQUE INDEX meetings_company_once_a_slot ON meetings (event_id, slot_start, company_id)
    WHERE status <> 'cancelled';
CREATE UNIQUE INDEX meetings_investor_once_a_slot ON meetings (event_id, slot_start, investor_id)
    WHERE status <> 'cancelled';
-- PostgreSQL checks a row against its indexes in the order they were made: made again after
-- the exclusion constraints of 008, the indexes above would let a clash within the event be
-- reported as "no person in two places" rather than as the table or slot it takes. The
-- constraints are made again after them, so the most specific clash is named first.
ALTER TABLE meetings DROP CONSTRAINT meetings_company_no_overlap,
    DROP CONSTRAINT meetings_investor_no_overlap;
ALTER TABLE meetings ADD CONSTRAINT meetings_company_no_overlap
    EXCLUDE USING gist (company_id WITH =, during WITH &&) WHERE (status <> 'cancelled');
ALTER TABLE meetings ADD CONSTRAINT meetings_investor_no_overlap
    EXCLUDE USING gist (investor_id WITH =, during WITH &&) WHERE (status <> 'cancelled');
