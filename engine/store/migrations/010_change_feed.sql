-- Every committed write tells every daemon (DESIGN.md, "Beyond one machine"; decision 0042).
--
-- A notification is only a doorbell: its payload says what kind of thing changed, never the
-- change. What changed is read from the tables, by transaction: each profile row carries the
-- id of the transaction that wrote it last (txid), and a removed profile leaves a row in
-- profile_removals. A daemon remembers the snapshot its matcher reflects and reads the rows
-- that snapshot could not see (written by transactions it counted as not yet committed), so
-- nothing is missed whatever order transactions commit in, a lost connection or a coalesced
-- burst of notifications included, and nothing needs a lock shared by every writer.
ALTER TABLE companies ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();
ALTER TABLE investors ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX companies_txid_idx ON companies (txid);
CREATE INDEX investors_txid_idx ON investors (txid);

CREATE TABLE profile_removals (
    kind text NOT NULL CHECK (kind IN ('company', 'investor')),
    id text NOT NULL,
    txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    PRIMARY KEY (kind, id)
);
CREATE INDEX profile_removals_txid_idx ON profile_removals (txid);

CREATE FUNCTION tv_profile_touched() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.txid := pg_current_xact_id();
    RETURN NEW;
END $$;

-- A profile is either a row of its table or a removal, never both.
CREATE FUNCTION tv_profile_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO profile_removals (kind, id) VALUES (TG_ARGV[0], OLD.id)
        ON CONFLICT (kind, id) DO UPDATE SET txid = pg_current_xact_id();
    RETURN OLD;
END $$;

CREATE FUNCTION tv_profiles_created() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM profile_removals r USING created c WHERE r.kind = TG_ARGV[0] AND r.id = c.id;
    RETURN NULL;
END $$;

-- PostgreSQL delivers a notification when its transaction commits, once however many times
-- the transaction sent the same payload.
CREATE FUNCTION tv_notify_profiles() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('tavolo', 'profiles');
    RETURN NULL;
END $$;

CREATE FUNCTION tv_notify_token() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('tavolo', 'token:' || OLD.id);
    RETURN NULL;
END $$;

-- The argument names the column that holds the event's id.
CREATE FUNCTION tv_notify_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed jsonb;
BEGIN
    IF TG_OP = 'DELETE' THEN
        changed := to_jsonb(OLD);
    ELSE
        changed := to_jsonb(NEW);
    END IF;
    PERFORM pg_notify('tavolo', 'event:' || (changed ->> TG_ARGV[0]));
    RETURN NULL;
END $$;

CREATE TRIGGER companies_touched BEFORE UPDATE ON companies
    FOR EACH ROW EXECUTE FUNCTION tv_profile_touched();
CREATE TRIGGER investors_touched BEFORE UPDATE ON investors
    FOR EACH ROW EXECUTE FUNCTION tv_profile_touched();
CREATE TRIGGER companies_removed AFTER DELETE ON companies
    FOR EACH ROW EXECUTE FUNCTION tv_profile_removed('company');
CREATE TRIGGER investors_removed AFTER DELETE ON investors
    FOR EACH ROW EXECUTE FUNCTION tv_profile_removed('investor');
CREATE TRIGGER companies_created AFTER INSERT ON companies REFERENCING NEW TABLE AS created
    FOR EACH STATEMENT EXECUTE FUNCTION tv_profiles_created('company');
CREATE TRIGGER investors_created AFTER INSERT ON investors REFERENCING NEW TABLE AS created
    FOR EACH STATEMENT EXECUTE FUNCTION tv_profiles_created('investor');
CREATE TRIGGER companies_notify AFTER INSERT OR UPDATE OR DELETE ON companies
    FOR EACH STATEMENT EXECUTE FUNCTION tv_notify_profiles();
CREATE TRIGGER investors_notify AFTER INSERT OR UPDATE OR DELETE ON investors
    FOR EACH STATEMENT EXECUTE FUNCTION tv_notify_profiles();
CREATE TRIGGER tokens_notify AFTER DELETE OR UPDATE OF revoked_at, role, subject, event_id
    ON tokens FOR EACH ROW EXECUTE FUNCTION tv_notify_token();
CREATE TRIGGER events_notify AFTER INSERT OR UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION tv_notify_event('id');
CREATE TRIGGER event_participants_notify AFTER INSERT OR UPDATE OR DELETE ON event_participants
    FOR EACH ROW EXECUTE FUNCTION tv_notify_event('event_id');
CREATE TRIGGER meeting_requests_notify AFTER INSERT OR UPDATE OR DELETE ON meeting_requests
    FOR EACH ROW EXECUTE FUNCTION tv_notify_event('event_id');
CREATE TRIGGER meetings_notify AFTER INSERT OR UPDATE OR DELETE ON meetings
    FOR EACH ROW EXECUTE FUNCTION tv_notify_event('event_id');
