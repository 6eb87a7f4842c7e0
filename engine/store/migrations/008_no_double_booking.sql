-- No person in two places: a company or an investor never has two meetings that overlap in
-- time, across all events. A meeting's real time range in UTC is "during", derived by a
-- trigger from its local slot_start and its event's time_zone and slot_minutes, so that every
-- writer (the store, an organiser's psql) gets it right; exclusion constraints then refuse any
-- overlap among meetings that still happen.
CREATE EXTENSION IF NOT EXISTS btree_gist;

ALTER TABLE meetings ADD COLUMN during tstzrange;

CREATE FUNCTION tv_meeting_during() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT tstzrange(NEW.slot_start::timestamp AT TIME ZONE e.time_zone,
                     (NEW.slot_start::timestamp
                      + make_interval(mins => coalesce((e.doc->>'slot_minutes')::int, 0)))
                         AT TIME ZONE e.time_zone)
        INTO NEW.during FROM events e WHERE e.id = NEW.event_id;
    RETURN NEW;
END
$$;

CREATE TRIGGER meetings_during BEFORE INSERT OR UPDATE OF event_id, slot_start ON meetings
    FOR EACH ROW EXECUTE FUNCTION tv_meeting_during();

-- An event whose zone or slot length changes moves its meetings' ranges with it.
CREATE FUNCTION tv_event_during() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.time_zone IS DISTINCT FROM OLD.time_zone
       OR NEW.doc->'slot_minutes' IS DISTINCT FROM OLD.doc->'slot_minutes' THEN
        UPDATE meetings SET slot_start = slot_start WHERE event_id = NEW.id;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER events_during AFTER UPDATE OF time_zone, doc ON events
    FOR EACH ROW EXECUTE FUNCTION tv_event_during();

-- Existing rows get their range; a database that already holds a double booking across events
-- stops here, naming it, for the organiser to cancel one of the two before upgrading.
UPDATE meetings SET slot_start = slot_start;

ALTER TABLE meetings ADD CONSTRAINT meetings_company_no_overlap
    EXCLUDE USING gist (company_id WITH =, during WITH &&) WHERE (status <> 'cancelled');
ALTER TABLE meetings ADD CONSTRAINT meetings_investor_no_overlap
    EXCLUDE USING gist (investor_id WITH =, during WITH &&) WHERE (status <> 'cancelled');
