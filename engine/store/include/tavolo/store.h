/* tavolo/store.h: PostgreSQL, the system of record. The only module that speaks SQL, and
 * only through parameterised statements. Calls block; one store is one connection and is
 * used by one thread at a time. */
#ifndef TV_STORE_H
#define TV_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "tavolo/codec.h"
#include "tavolo/event.h"
#include "tavolo/profile.h"

typedef struct tv_store tv_store_t;

/* Called for each row of a query, with its 'n' columns as text (NULL for SQL NULL). A non-zero
 * return stops the walk and is returned. */
typedef int (*tv_store_row_cb)(void *ctx, const char *const *cols, int n);

typedef struct {
    size_t inserted;
    size_t updated;
    size_t unchanged;
} tv_upsert_stats_t;

/* Connects to 'conninfo' (a libpq key=value string or URI). On failure returns
 * TV_EUNAVAIL and, if 'errbuf' is not NULL, writes the reason there. */
int tv_store_open(const char *conninfo, tv_store_t **out, char *errbuf, size_t errsize);

/* Opens another connection to the same server with the same settings but database
 * 'dbname'. */
int tv_store_open_database(const tv_store_t *st, const char *dbname, tv_store_t **out);

/* Closes the connection. NULL is a no-op. */
void tv_store_close(tv_store_t *st);

/* Makes the connection plan each statement once and reuse the plan, whatever its parameters
 * (plan_cache_mode = force_generic_plan): for the daemon's requests, whose statements are
 * lookups by key that PostgreSQL otherwise re-plans on every call when it guesses a plan for
 * the given values to be cheaper (decision 0062). */
int tv_store_reuse_plans(tv_store_t *st);

/* The message of the last failed call. */
const char *tv_store_error(const tv_store_t *st);

/* Applies every migration the database lacks, each in its own transaction, under an
 * advisory lock so concurrent callers apply each once. Returns the number applied. */
int tv_store_migrate(tv_store_t *st);

/* The highest migration version the database has, or 0. */
int tv_store_schema_version(tv_store_t *st);

/* The highest migration version this build knows. */
int tv_store_latest_version(void);

/* Inserts or replaces the profiles in 'docs' (canonical JSON from the codec) by id, all in
 * one transaction: COPY into a staging table, then one upsert. A record whose document is
 * unchanged is left alone. 'source' names the input in the import log. */
int tv_store_upsert(tv_store_t *st, tv_profile_kind_t kind, const tv_docs_t *docs,
                    const char *source, tv_upsert_stats_t *out);

/* Called for each stored profile; a non-zero return stops the walk and is returned. */
typedef int (*tv_store_doc_cb)(void *ctx, const char *id, const char *json, size_t len);

/* Calls 'cb' for each stored profile of 'kind', in id order; only those in 'ids' when
 * 'n_ids' > 0 (an id that does not exist is skipped). */
int tv_store_each(tv_store_t *st, tv_profile_kind_t kind, const char *const *ids, size_t n_ids,
                  tv_store_doc_cb cb, void *ctx);

/* Creates database 'name' unless it exists (the connection must be to another database).
 * Returns 1 if created, 0 if it existed. */
int tv_store_create_database(tv_store_t *st, const char *name);

/* Drops database 'name' if it exists. */
int tv_store_drop_database(tv_store_t *st, const char *name);

/* Returns 1 while the connection is usable. */
int tv_store_healthy(const tv_store_t *st);

typedef enum { TV_PUT_CREATE, TV_PUT_UPSERT } tv_put_mode_t;

/* Writes one profile (canonical JSON from the codec) in one transaction. TV_PUT_CREATE fails
 * with TV_ECONFLICT when the id exists. With 'join_event' (may be NULL) the profile also
 * becomes a participant of that event. With 'expected' (may be NULL) the stored document is
 * replaced only if it still equals 'expected' as a JSON value, else TV_ESTALE (a missing row
 * too). '*created' says whether a row was inserted. */
int tv_store_put(tv_store_t *st, tv_profile_kind_t kind, const char *id, const char *json,
                 tv_put_mode_t mode, const char *join_event, const char *expected, int *created);

/* One profile's new document and the one it replaces. */
typedef struct {
    tv_profile_kind_t kind;
    const char *id, *json, *expected;
} tv_store_change_t;

/* Replaces 'n' profiles in one transaction, each only if its stored document still equals its
 * 'expected' (else TV_ESTALE, naming it, and nothing is written); with 'dry_run' the transaction
 * is rolled back. */
int tv_store_replace_all(tv_store_t *st, const tv_store_change_t *changes, size_t n, int dry_run);

/* Deletes one profile and its event participations, cancels its meetings still to come
 * (SEQUENCE up) and its pending requests, in one transaction; TV_ENOTFOUND if there is none.
 * With 'expected' (may be NULL) only if the stored document still equals it, else
 * TV_ESTALE. */
int tv_store_delete(tv_store_t *st, tv_profile_kind_t kind, const char *id, const char *expected);

/* Returns 1 if the profile takes part in the event, 0 if not. */
int tv_store_is_participant(tv_store_t *st, const char *event_id, tv_profile_kind_t kind,
                            const char *id);

/* Called for each participant of an event; a non-zero return stops the walk. */
typedef int (*tv_store_participant_cb)(void *ctx, tv_profile_kind_t kind, const char *id);

/* Calls 'cb' for each participant of event 'event_id'. Returns TV_ENOTFOUND if there is no
 * such event. */
int tv_store_each_participant(tv_store_t *st, const char *event_id, tv_store_participant_cb cb,
                              void *ctx);

/* ---- text search (the matches pages) ---- */

#define TV_SEARCH_MAX_BYTES 200
#define TV_SEARCH_MAX_WORDS 8

/* Writes into 'buf' the full-text query of search box text 'text': its words (runs of ASCII
 * letters and digits and of non-ASCII characters; anything else separates them), each as a
 * prefix, all required ("'lung':* & 'onco':*"). Returns the number of words, or TV_EINVAL when
 * 'text' is not UTF-8, has no word, more than TV_SEARCH_MAX_WORDS, more than TV_SEARCH_MAX_BYTES
 * bytes, or does not fit 'size'. */
int tv_store_search_query(const char *text, char *buf, size_t size);

/* Calls 'cb' with the id of each profile of 'kind' whose words start with every word of
 * 'text' (tv_store_search_query): a company's name and description, an investor's name.
 * TV_EINVAL when 'text' is not a search (see above). */
int tv_store_search(tv_store_t *st, tv_profile_kind_t kind, const char *text,
                    tv_store_participant_cb cb, void *ctx);

/* ---- events ---- */

/* Imports event 'e' (its file as JSON 'doc') in one transaction (engine/store/store_import.c,
 * decision 0041). A new event is created. An existing one is merged into: the event's fields
 * and the file's participants (limits, availability, people) are the file's, a participant the
 * file no longer lists leaves the event; the file's requests are added or updated by pair, but
 * an answer given through the API stays (a request whose stored status is not pending and is
 * not the status the stored file gave it), and a request the stored file listed and this one
 * does not is deleted unless it holds such an answer. Meetings, pins and outcomes are left as
 * they are. With TV_IMPORT_DRY_RUN in 'flags' the same transaction is rolled back: nothing is
 * written (a new request may still use up an id of its sequence).
 *
 * When 'report' is not NULL it receives (free()) a JSON object: "id", "created", "dry_run",
 * "event": {"changed": [file members]}, "participants": {"added", "removed" (with "meetings",
 * the count not cancelled), "changed" (with "fields" among max_meetings, min_meetings,
 * unavailable, people, and "unavailable_added"/"unavailable_removed" slots)}, "requests":
 * {"added", "changed" (with "fields" among from, priority, message, status), "kept" (an API
 * answer against the file: "status" and "file_status", null when the file no longer states
 * it), "removed"}, and "meetings": {"impossible": [{"id", "company_id", "investor_id",
 * "slot_start", "table", "status", "pinned", "reasons" (company_removed, investor_removed,
 * slot_gone, table_gone, company_unavailable, investor_unavailable), "action"
 * (moved_by_next_run, cancelled_by_next_run, conflict, outcome_kept)}]}.
 *
 * A new time zone or slot length that would make a stored meeting overlap another of the same
 * company or investor is TV_ECONFLICT naming both meetings; nothing is written. */
#define TV_IMPORT_DRY_RUN 1

int tv_store_event_import(tv_store_t *st, const tv_event_t *e, const char *doc, int flags,
                          char **report);

/* tv_store_event_import without a report. */
int tv_store_event_put(tv_store_t *st, const tv_event_t *e, const char *doc);

/* The stored event file of 'id' ('*doc' freed with free()), or TV_ENOTFOUND. */
int tv_store_event_doc(tv_store_t *st, const char *id, char **doc);

/* A participant's view of the event file of 'id' (decision 0056), made in the database: the
 * file without its "participants" and "requests" but those naming the participant of 'kind'
 * and 'profile_id' (the company_id or investor_id of its side), in the file's order. */
int tv_store_event_doc_of(tv_store_t *st, const char *id, tv_profile_kind_t kind,
                          const char *profile_id, char **doc);

/* The event file's "time_zone" and "request_deadline" of 'id' (each freed with free(), NULL
 * when absent), read in the database without sending the file; TV_ENOTFOUND if no event. */
int tv_store_event_deadline(tv_store_t *st, const char *id, char **time_zone, char **deadline);

/* Called for each request of an event; 'status' is "pending", "accepted", ... */
typedef int (*tv_store_request_cb)(void *ctx, const char *company_id, const char *investor_id,
                                   int must, const char *status);

int tv_store_event_requests(tv_store_t *st, const char *event_id, tv_store_request_cb cb,
                            void *ctx);

/* Called for each counterpart a side's profile 'own_id' judged or that is closed for it:
 * 'judged' +1 (it said yes), -1 (no) or 0, 'hidden' 1 when the pair never comes back for it. */
typedef int (*tv_store_signal_cb)(void *ctx, const char *own_id, const char *other_id, int judged,
                                  int hidden);

/* What the acts of profile 'id' of side 'kind' (NULL: of every profile of that side) say of its
 * pairs, in every event (the view pair_judgments of migration 035, decision 0069): for each
 * counterpart its latest judgment, an answer after a meeting before a request; by own id, then
 * the other's, in byte order. */
int tv_store_signals(tv_store_t *st, tv_profile_kind_t kind, const char *id, tv_store_signal_cb cb,
                     void *ctx);

typedef int (*tv_store_pair_cb)(void *ctx, const char *company_id, const char *investor_id);

/* The pairs of participants of event 'event_id' closed for either side in any event (a declined
 * request, a side's "no" after a meeting), in id order. */
int tv_store_closed_pairs(tv_store_t *st, const char *event_id, tv_store_pair_cb cb, void *ctx);

/* The meetings of an event ('*out' freed with free()), by slot then table. */
int tv_store_meetings(tv_store_t *st, const char *event_id, tv_meeting_t **out, size_t *n);

/* The meeting 'id' (its number as text) of event 'event_id', as tv_store_meetings reads them:
 * '*n' is 1, or 0 when the event has no such meeting. */
int tv_store_meeting_by_id(tv_store_t *st, const char *event_id, const char *id, tv_meeting_t **out,
                           size_t *n);

/* The meetings of an event where the participant of 'kind' and 'profile_id' is a side, in the
 * same order: a participant's own, read through an index. */
int tv_store_meetings_of(tv_store_t *st, const char *event_id, tv_profile_kind_t kind,
                         const char *profile_id, tv_meeting_t **out, size_t *n);

/* The other sides of the meetings where the participant of 'kind' and 'profile_id' is a side:
 * 'cb' gets one row per other side, (id, name, people, time_zone): its profile's name (its id
 * when the profile is gone), the names of the people the event file gives for it as a JSON
 * array of strings, and the event's zone. Read from the participants' rows, never from the
 * file (decision 0062). In no particular order. */
int tv_store_meeting_sides(tv_store_t *st, const char *event_id, tv_profile_kind_t kind,
                           const char *profile_id, tv_store_row_cb cb, void *ctx);

/* Writes a schedule in one transaction, as the smallest change: each meeting of 'm' updates
 * the row of its pair or inserts one; a meeting that stays where it was keeps its id,
 * SEQUENCE and updated_at, one that moves or comes back gets SEQUENCE + 1; held and no-show
 * meetings keep their status; pinned rows are never written. Every scheduled, unpinned
 * meeting of the event that is not in 'm' is cancelled (SEQUENCE + 1). Nothing is written, and
 * TV_ESTALE returned, when the event's meetings are no longer at 'expected_version'. With
 * 'short_of_meetings' (the run's report's list as JSON text, or NULL) the same transaction
 * keeps it as the event's last run (migration 032), for the overview's "why". */
int tv_store_meetings_save(tv_store_t *st, const char *event_id, const tv_meeting_t *m, size_t n,
                           int64_t expected_version, const char *short_of_meetings);

/* The version of an event's meetings, bumped by every change to them: a schedule made from
 * meetings read at version v is saved with expected_version v, and TV_ESTALE says another
 * change came between. */
int tv_store_meetings_version(tv_store_t *st, const char *event_id, int64_t *out);

/* ---- schedule drafts (engine/store/store_drafts.c, migration 030) ---- */

/* A scheduler run kept as a draft: its meetings (JSON, tv_codec_meetings_decode reads them),
 * the event's meetings_version it was computed from, its report (JSON) and when it was made. */
typedef struct {
    int64_t base_version;
    char *meetings;
    char *report;
    char created_at[24]; /* "YYYY-MM-DDTHH:MM:SSZ" */
} tv_draft_t;

/* Keeps 'meetings' (tv_codec_meetings_encode's JSON) and 'report' (JSON) as event
 * 'event_id''s draft, computed from meetings_version 'base_version', replacing any earlier
 * draft. */
int tv_store_draft_put(tv_store_t *st, const char *event_id, int64_t base_version,
                       const char *meetings, const char *report);

/* The event's draft into '*out' (tv_draft_dispose); TV_ENOTFOUND when it has none. */
int tv_store_draft_get(tv_store_t *st, const char *event_id, tv_draft_t *out);

/* Deletes the event's draft; TV_ENOTFOUND when it has none. */
int tv_store_draft_delete(tv_store_t *st, const char *event_id);

void tv_draft_dispose(tv_draft_t *d);

/* Called for each meeting a participant of an event has at another event: the participant's
 * side and id, and the meeting's time as seconds since the epoch, [start_utc, end_utc). */
typedef int (*tv_store_busy_cb)(void *ctx, tv_profile_kind_t kind, const char *profile_id,
                                int64_t start_utc, int64_t end_utc);

/* The non-cancelled meetings that the company and investor participants of 'event_id' have
 * at other events: a slot overlapping one is no slot for them (no person in two places). */
int tv_store_busy_elsewhere(tv_store_t *st, const char *event_id, tv_store_busy_cb cb, void *ctx);

/* An event as lists show it: its file's members and its first and last day ("" without days). */
typedef struct {
    const char *id, *name, *city, *time_zone, *first_day, *last_day;
} tv_store_event_summary_t;

/* Called for each stored event. */
typedef int (*tv_store_event_cb)(void *ctx, const tv_store_event_summary_t *event);

int tv_store_events_each(tv_store_t *st, tv_store_event_cb cb, void *ctx);

/* The ids of every event, in id order, into 'out' (free with tv_strings_free). */
int tv_store_event_ids(tv_store_t *st, tv_strings_t *out);

/* Deletes an event with its participants, requests and meetings; TV_ENOTFOUND if none. */
int tv_store_event_delete(tv_store_t *st, const char *id);

typedef struct {
    int64_t id;
    char company_id[65];
    char investor_id[65];
    tv_profile_kind_t from;
    int must;
    char status[12];    /* "pending", "accepted", "declined", "expired" */
    char message[1024]; /* 200 characters at most, as UTF-8 */
    int64_t created_at; /* Unix seconds; read from the store */
    int64_t decided_at; /* Unix seconds when answered or expired, else 0 */
} tv_request_row_t;

/* Records a pending request; TV_ECONFLICT if the pair has one already. '*id' is its id. */
int tv_store_request_create(tv_store_t *st, const char *event_id, const tv_request_row_t *r,
                            int64_t *id);

/* The requests of an event ('*out' freed with free()). */
int tv_store_requests(tv_store_t *st, const char *event_id, tv_request_row_t **out, size_t *n);

/* An event at a glance for its organisers (issue 17), as JSON in '*out' (free()): "event" (id,
 * name, city, time_zone, request_deadline); "participants", each {kind, id, name,
 * min_meetings, max_meetings (the file's default when it gives none; null for no limit),
 * meetings (not cancelled), people (how many the file names), invited (a sign-in link was made
 * for one of its people or contacts, within the week links are kept), signed_in (one of them
 * has a live session), why (the reason the last saved scheduler run gave for leaving it without
 * a meeting or below its minimum, else null)}, by kind then name; "schedule_saved_at" (when
 * that run was saved, UTC, or null); "requests" by the side that asked, each {pending,
 * accepted, declined, expired}; "meetings" {scheduled, pinned, held, no_show, cancelled};
 * "mail" of the event {queued, sent, failed}. One read, in the database. TV_ENOTFOUND if no
 * event. */
int tv_store_event_overview(tv_store_t *st, const char *event_id, char **out);

/* The meetings of the events 'events' (one, or the Tour's) in figures for the organisers'
 * reports (issue 17), as JSON in '*out' (free()): "events" (the ids), "esibe_only" (whether
 * 'companies' restricted them), "meetings" (not cancelled), "per_participant" [{kind, meetings,
 * participants}]: how many participants of each kind have each number of meetings, "requests" by
 * the side that asked {sent, accepted}, "by_pathology" and "by_technology" (the first level of the
 * company's terms; a meeting counts once for each of its company's), "by_investor_kind" and
 * "by_investor_country" [{key, meetings}], and "coverage": for each investor kind, how many
 * of the event's companies meet at least one investor of it, of "companies". With 'companies' (not
 * NULL) only those companies count (their meetings, requests and participation): the ESIBE-eligible
 * ones, which the engine judges. A profile at several events is one participant with all its
 * meetings. One read. TV_ENOTFOUND if an event does not exist. */
int tv_store_events_report(tv_store_t *st, const tv_strings_t *events,
                           const tv_strings_t *companies, char **out);

/* The event file's frame as JSON in '*out' (free()): its head (migration 027) with an empty
 * "participants", which tv_codec_event_decode reads for the days, slots and tables without the
 * megabytes of a large event's participants and requests. TV_ENOTFOUND if no event. */
int tv_store_event_frame(tv_store_t *st, const char *event_id, char **out);

/* The frame with the file's entries of one company and one investor as its "participants"
 * (their own parts, migration 027): what a change to that pair's meeting checks, without the
 * megabytes of the other participants. TV_ENOTFOUND if no event. */
int tv_store_event_frame_of_pair(tv_store_t *st, const char *event_id, const char *company_id,
                                 const char *investor_id, char **out);

/* Request 'id' of an event; TV_ENOTFOUND if the event has none such. */
int tv_store_request_get(tv_store_t *st, const char *event_id, int64_t id, tv_request_row_t *out);

/* The requests of an event where the participant of 'kind' and 'profile_id' is a side. */
int tv_store_requests_of(tv_store_t *st, const char *event_id, tv_profile_kind_t kind,
                         const char *profile_id, tv_request_row_t **out, size_t *n);

/* Sets a pending request to "accepted" or "declined"; TV_ENOTFOUND if there is no such
 * request, TV_ECONFLICT if it is not pending. */
int tv_store_request_decide(tv_store_t *st, const char *event_id, int64_t id, const char *status);

/* Changes one meeting (slot, table, status and pinned, as in 'm'), bumping its SEQUENCE. A
 * clash with another meeting is TV_ECONFLICT and tv_store_error() names it: the meeting that
 * holds the table, the company or the investor in that slot, or the meeting at another event
 * it would overlap. TV_ENOTFOUND if there is no such meeting, TV_ESTALE if its SEQUENCE is no
 * longer 'expected_sequence' (another change came first). */
int tv_store_meeting_update(tv_store_t *st, const char *event_id, int64_t id, const tv_meeting_t *m,
                            int32_t expected_sequence);

/* Makes a meeting by hand, pinned, from the pair, slot, table, score and origin of 'm'; the
 * pair's cancelled row, if any, comes back (same id, SEQUENCE + 1). Fills in m->id, sequence,
 * status and pinned. TV_ECONFLICT when the pair has a meeting that still happens, or on a
 * clash, with tv_store_error() naming the other meeting, as tv_store_meeting_update does. */
int tv_store_meeting_create(tv_store_t *st, const char *event_id, tv_meeting_t *m);

/* Counts the stored profiles of 'kind'. */
int tv_store_count(tv_store_t *st, tv_profile_kind_t kind, int64_t *out);

/* ---- daily digests (engine/store/store_digests.c) ---- */

/* Takes the digest job's session advisory lock without waiting: '*got' is 1 when taken, 0
 * when another session holds it. tv_store_digest_unlock releases it (closing the connection
 * does too). */
int tv_store_digest_lock(tv_store_t *st, int *got);
int tv_store_digest_unlock(tv_store_t *st);

/* Records that the run of 'date' ("YYYY-MM-DD") started (once), or finished with 'recipients'
 * recipients; tv_store_digest_run_done writes 1 to '*done' when it has finished. */
int tv_store_digest_run_start(tv_store_t *st, const char *date);
int tv_store_digest_run_finish(tv_store_t *st, const char *date, int64_t recipients);
int tv_store_digest_run_done(tv_store_t *st, const char *date, int *done);

/* Brings the record of eligible companies up to date in one transaction: the 'n' ids given are
 * eligible on 'date' (those not yet recorded get 'date', or -infinity on the very first run),
 * the others are forgotten. */
int tv_store_digest_eligible_sync(tv_store_t *st, const char *date, const char *const *ids,
                                  size_t n);

/* Rows (company_id, since) of the companies recorded eligible after 'after' (a date, or NULL
 * for any) and on or before 'date'. */
int tv_store_digest_eligible_since(tv_store_t *st, const char *date, tv_store_row_cb cb, void *ctx);

/* Rows (recipient_kind, recipient_id, last_date, matches) of every recipient's state. */
int tv_store_digest_states(tv_store_t *st, tv_store_row_cb cb, void *ctx);

/* Rows (id, recipient_kind, recipient_id, status, written) of the digests of 'date',
 * written being "t" or "f". */
int tv_store_digest_rows(tv_store_t *st, const char *date, tv_store_row_cb cb, void *ctx);

/* Rows (id, event_id, event_name, time_zone, company_id, investor_id, slot_start, table_no) of
 * the meetings that still happen from 'date' to 'days' days later (local dates). */
int tv_store_digest_meetings(tv_store_t *st, const char *date, int days, tv_store_row_cb cb,
                             void *ctx);

/* Inserts the digest of one recipient and date with its status ("sent" or "empty"), JSON
 * 'content' and 'message_id' (kept for a sent one), and in the same statement (one
 * transaction) replaces the recipient's state with 'state'. Writes 1 to '*inserted' and the
 * row's id to '*id' when it inserted; 0 when the recipient already had its digest of that
 * date, in which case nothing changed. */
int tv_store_digest_record(tv_store_t *st, const char *kind, const char *id, const char *date,
                           const char *status, const char *content, const char *state,
                           const char *message_id, int *inserted, int64_t *digest_id);

/* A digest to record with tv_store_digest_record_many; strings borrowed. */
typedef struct {
    const char *kind; /* "company" or "investor" */
    const char *id;
    const char *status; /* "sent" or "empty" */
    const char *content, *state, *message_id;
} tv_digest_row_t;

/* tv_store_digest_record for 'n' recipients of 'date' in one statement (call it inside the
 * transaction that queues their messages): writes to ids[i] the new row's id, or 0 when row
 * i's recipient already had its digest of that date (nothing of it written). */
int tv_store_digest_record_many(tv_store_t *st, const char *date, const tv_digest_row_t *rows,
                                size_t n, int64_t *ids);

/* Rows (kind, profile_id, email, name, language) of the people the event files name, with
 * the language the person chose on the pages, else the file's for the person, else the event's,
 * else "en"; by event, profile, file order. */
int tv_store_digest_people(tv_store_t *st, tv_store_row_cb cb, void *ctx);

/* Rows (id, event_id, event_name, company_id, investor_id, from_kind, priority, created
 * "YYYY-MM-DD" in UTC) of the pending meeting requests, by id. */
int tv_store_digest_requests(tv_store_t *st, tv_store_row_cb cb, void *ctx);

/* Rows (email in lower case, language) of the languages people chose on the pages (decision
 * 0060), which win over their records'. */
int tv_store_digest_languages(tv_store_t *st, tv_store_row_cb cb, void *ctx);

/* Rows (email in lower case) of the addresses unsubscribed from digests. */
int tv_store_digest_unsubscribed(tv_store_t *st, tv_store_row_cb cb, void *ctx);

/* Marks digests as written to the outbox. */
int tv_store_digest_mark_written(tv_store_t *st, const int64_t *ids, size_t n);

/* Rows (recipient_kind, recipient_id, status, content) of the digests of 'date', of one
 * recipient (kind and id), of one event's participants (event), or all (both NULL). */
int tv_store_digest_list(tv_store_t *st, const char *date, const char *kind, const char *id,
                         const char *event, tv_store_row_cb cb, void *ctx);

/* ---- mail (decision 0043) ---- */

/* A message to queue: 'body' is the whole RFC 5322 message (tv_mail_build's output), whose
 * Message-ID header is 'message_id' (without angle brackets). 'event_id' and
 * 'recipient_name' may be NULL; 'kind' is one of digest, request_received,
 * request_answered, request_expiring, schedule, reminder, invite; 'language' "it" or "en". */
typedef struct {
    const char *message_id;
    const char *kind;
    const char *event_id;
    const char *recipient_email;
    const char *recipient_name;
    const char *language;
    const char *subject;
    const char *body;
} tv_mail_row_t;

/* What became of a message given to tv_store_mail_enqueue. */
typedef enum {
    TV_MAIL_QUEUED,      /* a new row, status queued */
    TV_MAIL_DUPLICATE,   /* a message with its Message-ID exists already: nothing written */
    TV_MAIL_UNSUBSCRIBED /* its recipient unsubscribed from its kind: nothing written */
} tv_mail_outcome_t;

/* Queues 'm' unless its Message-ID is queued already or its recipient unsubscribed from its
 * kind (compared without case), in one statement: call it inside the transaction that records
 * what the message tells of, and the message is queued exactly when that commits. Writes the
 * outcome to '*outcome' (may be NULL). TV_EINVAL (nothing written) for a row the table
 * refuses (a kind, language or address out of its checks). */
int tv_store_mail_enqueue(tv_store_t *st, const tv_mail_row_t *m, tv_mail_outcome_t *outcome);

/* tv_store_mail_enqueue for 'n' messages in statements of up to 256 rows, with the same
 * contract per row; outcomes[i] (may be NULL) is row i's. A row the table refuses fails the
 * whole call with TV_EINVAL (roll the transaction back). */
int tv_store_mail_enqueue_many(tv_store_t *st, const tv_mail_row_t *rows, size_t n,
                               tv_mail_outcome_t *outcomes);

/* Records that 'email' wants no more messages of 'kind' (idempotent). */
int tv_store_mail_unsubscribe(tv_store_t *st, const char *email, const char *kind);

/* ---- notifications (decision 0044) ---- */

/* Rows (email, name, language) of the people of a profile ('kind' "company" or "investor")
 * at an event: the profile's contacts (language: the contact's, else the profile's), then the
 * people the event file names for it (language: the person's, else the event's), else "en";
 * one row per address compared without case, the first listed winning. 'name' may be NULL.
 * TV_EINVAL for another kind. */
int tv_store_notify_recipients(tv_store_t *st, const char *event_id, const char *kind,
                               const char *profile_id, tv_store_row_cb cb, void *ctx);

/* tv_store_notify_recipients for every participant of 'event_id' in one statement: rows
 * (kind, profile id, email, name, language), grouped by profile, each profile's people in
 * tv_store_notify_recipients's order. A participant with no people has no row. */
int tv_store_notify_event_recipients(tv_store_t *st, const char *event_id, tv_store_row_cb cb,
                                     void *ctx);

/* The secret called 'name' (64 hex digits): 'candidate' becomes it unless one exists, in one
 * statement, so that concurrent callers all get the same. Writes it to 'out'. */
int tv_store_notify_secret(tv_store_t *st, const char *name, const char *candidate, char *out,
                           size_t size);

/* Runs 'fn' (passed 'st' and 'ctx') inside one transaction: committed when it returns 0, rolled
 * back otherwise, its code returned. For a write and the messages that tell of it. */
int tv_store_mail_transaction(tv_store_t *st, int (*fn)(tv_store_t *st, void *ctx), void *ctx);

/* The delivery worker's session advisory lock, taken without waiting: '*got' is 1 when taken,
 * 0 when another session holds it (one sender at a time across processes). Closing the
 * connection releases it too, so a sender killed with -9 never keeps it. */
int tv_store_mail_lock(tv_store_t *st, int *got);
int tv_store_mail_unlock(tv_store_t *st);

/* Puts every row in 'sending' back to 'queued', attempts unchanged, and writes how many to
 * '*n'. Call it holding the lock: only the lock's holder claims rows, so what it finds in
 * 'sending' was left by a sender that died (or by itself, when it stops early). */
int tv_store_mail_requeue_sending(tv_store_t *st, int64_t *n);

/* Claims up to 'limit' queued rows due now, oldest due first, setting them to 'sending', and
 * calls 'cb' with the columns (id, message_id, recipient_email, attempts, body) of each. */
int tv_store_mail_claim(tv_store_t *st, int limit, tv_store_row_cb cb, void *ctx);

/* What became of one delivery attempt. */
typedef enum {
    TV_MAIL_RESULT_SENT,  /* accepted by the relay (or written to the outbox) */
    TV_MAIL_RESULT_RETRY, /* temporary: queued again after a backoff, or failed at the bound */
    TV_MAIL_RESULT_FAILED /* permanent: failed */
} tv_mail_result_t;

/* Records the outcome of row 'id' (in 'sending') with the relay's last reply ('reply', may be
 * NULL). A retry adds one attempt and queues the row again 'retry_s' * 2^(attempts before)
 * seconds later (at most six hours), or fails it when that makes 'max_attempts'; a failure adds
 * one attempt. */
int tv_store_mail_record(tv_store_t *st, int64_t id, tv_mail_result_t result, const char *reply,
                         int max_attempts, int retry_s);

/* Which messages tv_store_mail_list lists: any field NULL (or 0) for all. */
typedef struct {
    const char *event_id;
    const char *status;
    int64_t after; /* only rows with a greater id */
    int limit;     /* at most this many rows (0: no limit) */
} tv_mail_filter_t;

/* Calls 'cb' for each message of 'f' in id order with the columns (id, message_id, kind,
 * event_id, recipient_email, status, attempts, last_reply, created_at, next_attempt_at,
 * sent_at), times as ISO 8601 UTC ("2027-01-10T07:00:00Z"), NULL where unset. Never the body. */
int tv_store_mail_list(tv_store_t *st, const tv_mail_filter_t *f, tv_store_row_cb cb, void *ctx);

/* The notify job's transaction (decision 0044): BEGIN and a transaction-scoped lock that one
 * job at a time holds ('*got' 0: another job holds it; end the transaction and do nothing).
 * Inside it, the job reads what is due, queues messages with tv_store_mail_enqueue and moves
 * the marks, then tv_store_notify_end commits (1) or rolls back (0) all of it at once. */
int tv_store_notify_begin(tv_store_t *st, int *got);
int tv_store_notify_end(tv_store_t *st, int commit);

/* Rows (id, event_id, event name, company_id, company name, investor_id, investor name,
 * from_kind, priority, status, message) of the requests of 'event_id' (NULL: every event)
 * whose people were not told of their status (pending, accepted or declined) yet, locked. */
int tv_store_notify_due_requests(tv_store_t *st, const char *event_id, tv_store_row_cb cb,
                                 void *ctx);

/* Rows (side "company"|"investor", profile id, event_id, meeting id, company_id, company
 * name, investor_id, investor name, slot_index, slot_start, table_no, status, sequence, the
 * sequence the side was told of or -1, updated_at as epoch seconds) of the meetings each side
 * was not told of at their SEQUENCE, for the sides whose latest such change is at least
 * 'quiet_seconds' old; grouped by event and side, by slot within. */
int tv_store_notify_due_meetings(tv_store_t *st, const char *event_id, int quiet_seconds,
                                 tv_store_row_cb cb, void *ctx);

/* A notification mark: request 'id' told of status 'what', or side 'what' ("company" or
 * "investor") of meeting 'id' told of 'sequence'. */
typedef struct {
    int64_t id;
    const char *what;
    int32_t sequence;
} tv_notify_mark_t;

/* tv_store_notify_mark_request and tv_store_notify_mark_meeting for 'n' marks in one statement
 * each call (the caller bounds 'n'); a meeting may appear once for each side. */
int tv_store_notify_mark_requests(tv_store_t *st, const tv_notify_mark_t *marks, size_t n);
int tv_store_notify_mark_meetings(tv_store_t *st, const tv_notify_mark_t *marks, size_t n);

/* Records that request 'id's people were told of 'status'. */
int tv_store_notify_mark_request(tv_store_t *st, int64_t id, const char *status);

/* Records that 'side' ("company" or "investor") of meeting 'id' was told of 'sequence'. */
int tv_store_notify_mark_meeting(tv_store_t *st, int64_t id, const char *side, int32_t sequence);

/* ---- the request deadline and the day-before messages (decision 0046) ---- */

/* Rows (id, name, time zone, request_deadline or "", 1 when it has pending requests, 1 when it
 * has meetings that still happen) of 'event_id' (NULL: every event). */
int tv_store_notify_events(tv_store_t *st, const char *event_id, tv_store_row_cb cb, void *ctx);

/* Sets every pending request of 'event_id' to expired; '*n' is how many. */
int tv_store_notify_expire(tv_store_t *st, const char *event_id, int64_t *n);

/* Rows (asked side "company"|"investor", its profile id, its name, request id, the asking
 * side's name, priority, message or "") of the pending requests of 'event_id', for the asked
 * sides with no 'request_expiring' mark; by side, then request. */
int tv_store_notify_expiring(tv_store_t *st, const char *event_id, tv_store_row_cb cb, void *ctx);

/* Rows (side, profile id, its name, meeting id, slot_start, table_no, the other side's name) of
 * the meetings on 'day' ("YYYY-MM-DD", local) of the sides of 'event_id' whose first meeting
 * that still happens is that day and that have no 'reminder' mark; by side, then slot. */
int tv_store_notify_reminders(tv_store_t *st, const char *event_id, const char *day,
                              tv_store_row_cb cb, void *ctx);

/* Rows as tv_store_notify_reminders gives them of what to ask about what came of meetings
 * (issue 18, decision 0067), as of 'now' (UTC seconds, the job's): with 'reminder' 0, every
 * meeting (not cancelled) of the sides of 'event_id' whose meetings have all ended and that
 * have no 'outcome_ask' mark; with 1, the
 * meetings the side has not answered (no outcome row of its side) of the sides asked 3 days
 * ago or more and not reminded ('outcome_reminder'). By side, then slot. */
int tv_store_notify_outcomes(tv_store_t *st, const char *event_id, int reminder, int64_t now,
                             tv_store_row_cb cb, void *ctx);

/* Marks a side of an event as told once for all of 'kind' ("request_expiring" or
 * "reminder"); idempotent. */
int tv_store_notify_told_once(tv_store_t *st, const char *event_id, const char *kind,
                              const char *side, const char *profile_id);

/* ---- what came of each meeting (issue 18, migration 033, decision 0067) ---- */

/* One row of a meeting's outcome history, as text for PostgreSQL: each field NULL when the row
 * does not state it. 'side' is "company", "investor" or "organiser"; 'recorded_by' who said it
 * (a person's address, or "token:ID"); 'held', 'follow_up' "true" or "false"; 'rating' "1" to
 * "5"; 'next_step' one of second_meeting, nda, due_diligence, term_sheet, investment,
 * partnership, none, with 'amount_eur' (an investment's) and 'step_date' ("YYYY-MM-DD"). */
typedef struct {
    const char *side, *recorded_by;
    const char *held, *rating, *follow_up, *next_step, *amount_eur, *step_date;
} tv_outcome_t;

/* Appends 'o' to the history of meeting 'meeting_id' (its number as text) of event
 * 'event_id'; '*id' is the new row's. An organiser's row stating 'held' also sets the
 * meeting's status (held or no_show; pinned, SEQUENCE up) unless it is cancelled. TV_ENOTFOUND when
 * the event has no such meeting; a value the table's checks refuse is TV_EDB (the caller checks
 * them first). */
int tv_store_outcome_add(tv_store_t *st, const char *event_id, const char *meeting_id,
                         const tv_outcome_t *o, int64_t *id);

/* Rows of the event's meetings (not cancelled) with what each side said came of them, for the
 * outcomes report: (meeting id, company id, investor id, status, side or NULL, held, rating,
 * follow_up (NULL when the side did not say; held and follow_up "1" or "0"), stepped (a next
 * step other than "none"), term_sheet, investment ("1" or "0"), the company's area, its
 * pathologies' and technologies' first levels joined by ',', the investor's kind and
 * country); one row per side that answered, one with a NULL side for a meeting nobody did. */
int tv_store_event_outcomes(tv_store_t *st, const char *event_id, tv_store_row_cb cb, void *ctx);

/* Whether meeting 'meeting_id' of event 'event_id' has begun: '*state' 0 not yet, 1 begun (its
 * start, in UTC, is past), 2 cancelled. TV_ENOTFOUND when there is no such meeting. */
int tv_store_meeting_state(tv_store_t *st, const char *event_id, const char *meeting_id,
                           int *state);

/* Rows (id, side, recorded_by, recorded_at as "YYYY-MM-DDTHH:MM:SSZ", held, rating, follow_up,
 * next_step, amount_eur, step_date; NULL when not stated) of the meeting's history, oldest
 * first; only those of 'side' unless it is NULL. */
int tv_store_outcomes(tv_store_t *st, const char *event_id, const char *meeting_id,
                      const char *side, tv_store_row_cb cb, void *ctx);

#endif
