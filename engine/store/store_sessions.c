/* The store's sign-in links and sessions (decision 0049). Hashes travel as binary parameters;
 * link tokens and session ids themselves never reach this file. */
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "tavolo/error.h"
#include "tavolo/session.h"

#define SQLSTATE_CHECK "23514"
#define ISO_UTC " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* The profiles whose contacts, or whose people in some event file, have address $1 (without
 * case), found through the GIN indexes over tv_emails (migration 025): reading every profile's
 * JSON instead cost about 20 ms at 6,000 participants, and over a second a request under 64
 * concurrent page loads (bench/web_pages.sh). */
#define PERSON_PROFILES_SQL                                                                        \
    "SELECT 'company' AS kind, id FROM companies WHERE tv_emails(doc->'contacts') @> "             \
    "ARRAY[lower($1)] UNION SELECT 'investor', id FROM investors WHERE "                           \
    "tv_emails(doc->'contacts') @> ARRAY[lower($1)] UNION SELECT kind, profile_id FROM "           \
    "event_participants WHERE tv_emails(people) @> ARRAY[lower($1)] UNION SELECT 'organiser', "    \
    "event_id FROM event_organisers WHERE email = lower($1) UNION SELECT 'admin', 'all' FROM "     \
    "admins WHERE email = lower($1) UNION SELECT 'organiser', v.id FROM events v, admins a "       \
    "WHERE a.email = lower($1)"

/* Deletes the links and sessions that ended more than a week ago (used, expired, revoked or
 * idle): the tables keep what is live and what a person may still ask about ("this link was
 * already used"), not every sign-in ever made. Run as links are made, which is rare. */
static int purge_ended(tv_store_t *st)
{
    int rc = tv__store_exec_command(
        st,
        "DELETE FROM signin_links WHERE least(expires_at, coalesce(used_at, 'infinity')) < now() "
        "- interval '7 days'",
        0, NULL);

    if (rc == 0)
        rc = tv__store_exec_command(
            st,
            "DELETE FROM sessions WHERE least(expires_at, coalesce(revoked_at, 'infinity'), "
            "last_seen_at + make_interval(secs => idle_seconds)) < now() - interval '7 days'",
            0, NULL);
    return rc;
}

int tv_store_signin_link_create(tv_store_t *st, const uint8_t hash[32], const char *email,
                                int64_t seconds)
{
    char secs[24];
    const char *params[3] = {(const char *)hash, email, secs};
    const int lengths[3] = {TV_SESSION_HASH_BYTES, 0, 0};
    const int formats[3] = {1, 0, 0};
    PGresult *res;
    const char *state;
    int rc;

    snprintf(secs, sizeof(secs), "%" PRId64, seconds);
    res = tv__store_params(st,
                           "INSERT INTO signin_links (hash, email, expires_at) VALUES ($1::bytea, "
                           "lower($2), now() + make_interval(secs => $3::float8))",
                           3, params, lengths, formats, 0);
    if (PQresultStatus(res) == PGRES_COMMAND_OK) {
        PQclear(res);
        return purge_ended(st);
    }
    state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (state != NULL && strcmp(state, SQLSTATE_CHECK) == 0) {
        PQclear(res);
        return tv__store_set_error(st, TV_EINVAL, "email: not an address");
    }
    rc = tv__store_db_error(st, res, "signin_links");
    return rc;
}

/* Fills 'out' from columns (id, hash, email, csrf, seconds to expiry) starting at 'c0' of
 * the only row of 'res' (all text: the hash as bytea's hex). */
static int read_session(const PGresult *res, int c0, tv_session_t *out)
{
    size_t n = 0;
    unsigned char *raw = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, c0 + 1), &n);
    int rc = -1;

    memset(out, 0, sizeof(*out));
    if (raw != NULL && n == TV_SESSION_HASH_BYTES &&
        (size_t)PQgetlength(res, 0, c0 + 2) < sizeof(out->email) &&
        (size_t)PQgetlength(res, 0, c0 + 3) < sizeof(out->csrf)) {
        out->id = strtoll(PQgetvalue(res, 0, c0), NULL, 10);
        memcpy(out->hash, raw, n);
        snprintf(out->email, sizeof(out->email), "%s", PQgetvalue(res, 0, c0 + 2));
        snprintf(out->csrf, sizeof(out->csrf), "%s", PQgetvalue(res, 0, c0 + 3));
        out->expires_in = strtoll(PQgetvalue(res, 0, c0 + 4), NULL, 10);
        rc = 0;
    }
    PQfreemem(raw);
    return rc;
}

static const char consume_sql[] =
    "WITH u AS (UPDATE signin_links SET used_at = now() WHERE hash = $1::bytea AND used_at IS "
    "NULL AND expires_at > now() RETURNING email), s AS (INSERT INTO sessions (hash, email, csrf, "
    "idle_seconds, expires_at, user_agent) SELECT $2::bytea, email, $3, $4::integer, now() + "
    "make_interval(secs => $5::float8), left($6, 256) FROM u RETURNING id, hash, email, csrf, "
    "$5::bigint) "
    "SELECT 1, s.* FROM s UNION ALL SELECT 0, NULL, NULL, NULL, NULL, NULL FROM signin_links "
    "WHERE hash = $1::bytea AND NOT EXISTS (SELECT 1 FROM u)";

int tv_store_signin_consume(tv_store_t *st, const uint8_t hash[32], const uint8_t session_hash[32],
                            const char *csrf, int64_t idle_seconds, int64_t max_seconds,
                            const char *user_agent, tv_session_t *out)
{
    char idle[24], max[24];
    const char *params[6] = {(const char *)hash,
                             (const char *)session_hash,
                             csrf,
                             idle,
                             max,
                             user_agent != NULL ? user_agent : ""};
    const int lengths[6] = {TV_SESSION_HASH_BYTES, TV_SESSION_HASH_BYTES, 0, 0, 0, 0};
    const int formats[6] = {1, 1, 0, 0, 0, 0};
    PGresult *res;
    int rc = 0;

    snprintf(idle, sizeof(idle), "%" PRId64, idle_seconds);
    snprintf(max, sizeof(max), "%" PRId64, max_seconds);
    res = tv__store_params(st, consume_sql, 6, params, lengths, formats, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tv__store_db_error(st, res, "signin_links");
    if (PQntuples(res) == 0)
        rc = tv__store_set_error(st, TV_ENOTFOUND, "no such sign-in link");
    else if (strcmp(PQgetvalue(res, 0, 0), "1") != 0)
        rc = tv__store_set_error(st, TV_ECONFLICT, "the sign-in link was used or has expired");
    else if (read_session(res, 1, out) != 0)
        rc = tv__store_set_error(st, TV_EDB, "sessions: a row out of shape");
    PQclear(res);
    return rc;
}

/* The live session of hash $1. It is written (last_seen_at) only when it was last seen a
 * minute ago or more: a page's burst of requests, or many tabs, then read the row without
 * each writing a new version of it and waiting for the others' row locks. The idle limit is
 * counted from that time, so it may end up to a minute early. */
static const char find_sql[] =
    "WITH s AS (SELECT id, hash, email, csrf, extract(epoch FROM expires_at - now())::bigint AS "
    "expires_in, last_seen_at FROM sessions WHERE hash = $1::bytea AND revoked_at IS NULL AND "
    "expires_at > "
    "now() AND last_seen_at > now() - make_interval(secs => idle_seconds)), u AS (UPDATE "
    "sessions SET last_seen_at = now() FROM s WHERE sessions.id = s.id AND s.last_seen_at <= "
    "now() - interval '1 minute') SELECT id, hash, email, csrf, expires_in FROM s";

int tv_store_session_find(tv_store_t *st, const uint8_t hash[32], tv_session_t *out)
{
    const char *params[1] = {(const char *)hash};
    const int lengths[1] = {TV_SESSION_HASH_BYTES};
    const int formats[1] = {1};
    PGresult *res = tv__store_params(st, find_sql, 1, params, lengths, formats, 0);
    int rc = 0;

    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        return tv__store_db_error(st, res, "sessions");
    if (PQntuples(res) != 1)
        rc = tv__store_set_error(st, TV_ENOTFOUND, "no such session");
    else if (read_session(res, 0, out) != 0)
        rc = tv__store_set_error(st, TV_EDB, "sessions: a row out of shape");
    PQclear(res);
    return rc;
}

int tv_store_session_revoke(tv_store_t *st, int64_t id, const char *email)
{
    char ids[24];
    const char *params[2] = {ids, email};
    int64_t n = 0;
    int rc;

    snprintf(ids, sizeof(ids), "%" PRId64, id);
    rc = tv__store_query_int(st,
                             "WITH r AS (UPDATE sessions SET revoked_at = now() WHERE id = "
                             "$1::bigint AND email = lower($2) AND revoked_at IS NULL RETURNING 1) "
                             "SELECT count(*) FROM r",
                             2, params, &n);
    if (rc == 0 && n == 0)
        rc = tv__store_set_error(st, TV_ENOTFOUND, "no session %s", ids);
    return rc;
}

int tv_store_session_list(tv_store_t *st, const char *email, tv_store_row_cb cb, void *ctx)
{
    const char *params[1] = {email};

    return tv__store_each_row(
        st, "sessions",
        "SELECT id, encode(substr(hash, 1, 6), 'hex'), to_char(created_at" ISO_UTC
        ", to_char(last_seen_at" ISO_UTC
        ", user_agent FROM sessions WHERE email = lower($1) AND revoked_at "
        "IS NULL AND expires_at > now() AND last_seen_at > now() - make_interval(secs => "
        "idle_seconds) ORDER BY created_at DESC, id DESC",
        1, params, cb, ctx);
}

int tv_store_person_profiles(tv_store_t *st, const char *email, tv_store_row_cb cb, void *ctx)
{
    const char *params[1] = {email};

    return tv__store_each_row(
        st, "profiles",
        "WITH p AS (" PERSON_PROFILES_SQL ") SELECT p.kind, p.id, coalesce((SELECT "
        "doc->>'name' FROM companies c WHERE p.kind = 'company' AND c.id = p.id), (SELECT "
        "doc->>'name' FROM investors i WHERE p.kind = 'investor' AND i.id = p.id), (SELECT name "
        "FROM events v WHERE p.kind = 'organiser' AND v.id = p.id), p.id), CASE WHEN p.kind = "
        "'organiser' THEN p.id ELSE coalesce((SELECT string_agg(e.event_id, ',' ORDER BY "
        "e.event_id) FROM event_participants e WHERE e.kind = p.kind AND e.profile_id = p.id), "
        "'') END FROM p ORDER BY p.kind, p.id",
        1, params, cb, ctx);
}

/* A person by address: whether some record names them (a profile's contacts, an event file's
 * people, an event's organisers), the name the first of those gives, and their language: the
 * one they chose (person_prefs), else the first record's that has one, contacts before event
 * files before organisers, as the invitation picks it. The records are found through
 * migration 025's indexes over tv_emails before any JSON is opened: /v1/me asks on every page
 * load. */
static const char person_sql[] =
    "WITH r AS (SELECT x->>'name' AS name, coalesce(x->>'language', p.doc->>'language') AS lang, "
    "1 AS src FROM (SELECT doc FROM companies WHERE tv_emails(doc->'contacts') @> "
    "ARRAY[lower($1)] UNION ALL SELECT doc FROM investors WHERE tv_emails(doc->'contacts') @> "
    "ARRAY[lower($1)]) p, jsonb_array_elements(p.doc->'contacts') x WHERE lower(x->>'email') = "
    "lower($1) UNION ALL SELECT x->>'name', coalesce(x->>'language', e.head->>'language'), 2 FROM "
    "event_participants ep JOIN events e ON e.id = ep.event_id, jsonb_array_elements(ep.people) "
    "x WHERE tv_emails(ep.people) @> ARRAY[lower($1)] AND lower(x->>'email') = lower($1) UNION "
    "ALL SELECT o.name, coalesce(o.language, e.head->>'language'), 3 FROM event_organisers o JOIN "
    "events e ON e.id = o.event_id WHERE o.email = lower($1) UNION ALL SELECT name, language, 4 "
    "FROM admins WHERE email = lower($1)) SELECT lower($1), (SELECT name "
    "FROM r WHERE name IS NOT NULL AND name <> '' ORDER BY src LIMIT 1), coalesce((SELECT "
    "language FROM person_prefs WHERE email = lower($1)), (SELECT lang FROM r WHERE lang IN "
    "('it', 'en') ORDER BY src LIMIT 1)), (EXISTS (SELECT 1 FROM r))::int";

static int copy_language(void *ctx, const char *const *c, int n)
{
    (void)n;
    snprintf(ctx, 3, "%s", c[2] != NULL ? c[2] : "");
    return 0;
}

int tv_store_person_language(tv_store_t *st, const char *email, char out[3])
{
    const char *params[1] = {email};

    out[0] = '\0';
    return tv__store_each_row(st, "person_prefs", person_sql, 1, params, copy_language, out);
}

typedef struct {
    tv_store_row_cb cb;
    void *ctx;
} person_t;

static int known_person(void *ctx, const char *const *c, int n)
{
    person_t *p = ctx;
    const char *row[3] = {c[0], c[1], c[2] != NULL ? c[2] : "en"};

    (void)n;
    return c[3] != NULL && strcmp(c[3], "1") == 0 ? p->cb(p->ctx, row, 3) : 0;
}

int tv_store_person(tv_store_t *st, const char *email, tv_store_row_cb cb, void *ctx)
{
    const char *params[1] = {email};
    person_t p = {cb, ctx};

    return tv__store_each_row(st, "people", person_sql, 1, params, known_person, &p);
}

/* TV_EINVAL, named, for an address that is not one or a language (NULL: none) other than "it"
 * or "en"; else 0. */
static int check_person(tv_store_t *st, const char *email, const char *language)
{
    const char *at = strchr(email, '@');

    if (language != NULL && strcmp(language, "it") != 0 && strcmp(language, "en") != 0)
        return tv__store_set_error(st, TV_EINVAL, "language: expected \"it\" or \"en\"");
    if (at == NULL || at == email || at[1] == '\0' || strpbrk(email, " \t\r\n<>,;\"") != NULL)
        return tv__store_set_error(st, TV_EINVAL, "email: \"%s\" is not an address", email);
    return 0;
}

int tv_store_organiser_add(tv_store_t *st, const char *event_id, const char *email,
                           const char *name, const char *language)
{
    const char *params[4] = {event_id, email, name, language};
    int64_t added = 0;
    int rc = check_person(st, email, language);

    if (rc == 0)
        rc = tv__store_query_int(
            st,
            "WITH e AS (SELECT id FROM events WHERE id = $1), i AS (INSERT INTO event_organisers "
            "(event_id, email, name, language) SELECT id, lower($2), $3, $4 FROM e ON CONFLICT "
            "(event_id, email) DO UPDATE SET name = coalesce(EXCLUDED.name, "
            "event_organisers.name), "
            "language = coalesce(EXCLUDED.language, event_organisers.language) RETURNING 1) SELECT "
            "count(*) FROM e",
            4, params, &added);
    if (rc == 0 && added == 0)
        rc = tv__store_set_error(st, TV_ENOTFOUND, "no event \"%s\"", event_id);
    return rc;
}

int tv_store_admin_add(tv_store_t *st, const char *email, const char *name, const char *language)
{
    const char *params[3] = {email, name, language};
    int rc = check_person(st, email, language);

    if (rc == 0)
        rc = tv__store_exec_command(
            st,
            "INSERT INTO admins (email, name, language) VALUES (lower($1), $2, $3) ON CONFLICT "
            "(email) DO UPDATE SET name = coalesce(EXCLUDED.name, admins.name), language = "
            "coalesce(EXCLUDED.language, admins.language)",
            3, params);
    return rc;
}

int tv_store_organisers(tv_store_t *st, const char *event_id, tv_store_row_cb cb, void *ctx)
{
    const char *params[1] = {event_id};

    return tv__store_each_row(
        st, "event_organisers",
        "SELECT email, name, language, to_char(invited_at AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM event_organisers WHERE "
        "event_id = $1 ORDER BY email",
        1, params, cb, ctx);
}

int tv_store_person_language_set(tv_store_t *st, const char *email, const char *language)
{
    const char *params[2] = {email, language};
    int rc = language != NULL
                 ? check_person(st, email, language)
                 : tv__store_set_error(st, TV_EINVAL, "language: expected \"it\" or \"en\"");

    if (rc != 0)
        return rc;
    return tv__store_exec_command(st,
                                  "INSERT INTO person_prefs (email, language) VALUES (lower($1), "
                                  "$2) ON CONFLICT (email) DO UPDATE SET language = $2, "
                                  "updated_at = now()",
                                  2, params);
}

/* Whether address $1 is among the contacts of profile $3 of kind $2 or among the people an
 * event file names for it. Each branch reaches its rows by id before it opens any JSON, so
 * the cost does not grow with the number of profiles. */
static const char may_act_sql[] =
    "SELECT (EXISTS (SELECT 1 FROM companies c, jsonb_array_elements(CASE "
    "jsonb_typeof(c.doc->'contacts') WHEN 'array' THEN c.doc->'contacts' ELSE '[]' END) x "
    "WHERE $2 = 'company' AND c.id = $3 AND lower(x->>'email') = lower($1)) OR EXISTS (SELECT 1 "
    "FROM investors i, jsonb_array_elements(CASE jsonb_typeof(i.doc->'contacts') WHEN 'array' "
    "THEN i.doc->'contacts' ELSE '[]' END) x WHERE $2 = 'investor' AND i.id = $3 AND "
    "lower(x->>'email') = lower($1)) OR EXISTS (SELECT 1 FROM event_participants ep, "
    "jsonb_array_elements(CASE jsonb_typeof(ep.people) WHEN 'array' THEN ep.people ELSE '[]' "
    "END) x WHERE ep.kind = $2 AND ep.profile_id = $3 AND lower(x->>'email') = lower($1)) OR "
    "EXISTS (SELECT 1 FROM event_organisers o WHERE $2 = 'organiser' AND o.event_id = $3 AND "
    "o.email = lower($1)) OR EXISTS (SELECT 1 FROM admins a WHERE a.email = lower($1) AND (($2 = "
    "'admin' AND $3 = 'all') OR ($2 = 'organiser' AND EXISTS (SELECT 1 FROM events v WHERE v.id "
    "= $3)))))::int";

int tv_store_person_may_act(tv_store_t *st, const char *email, const char *kind, const char *id)
{
    const char *params[3] = {email, kind, id};
    int64_t yes = 0;
    int rc = tv__store_query_int(st, may_act_sql, 3, params, &yes);

    if (rc == 0 && yes != 1)
        rc = tv__store_set_error(st, TV_ENOTFOUND, "%s %s is not a profile of this person", kind,
                                 id);
    return rc;
}

/* The people of the targets ($1: a profile, $2: an event's participants): contacts first
 * (language: the contact's, else the profile's), then the people event files name for them
 * (of event $2 only when given; language: the person's, else the event's), else English; the
 * language the person chose on the pages before all (decision 0060). */
static const char invite_sql[] =
    "WITH t AS (SELECT 'company' AS kind, id FROM companies WHERE id = $1 UNION SELECT "
    "'investor', id FROM investors WHERE id = $1 UNION SELECT kind, profile_id FROM "
    "event_participants WHERE event_id = $2), "
    "prof AS (SELECT t.kind, t.id, coalesce(c.doc, i.doc) AS doc FROM t LEFT JOIN companies c "
    "ON t.kind = 'company' AND c.id = t.id LEFT JOIN investors i ON t.kind = 'investor' AND "
    "i.id = t.id), "
    "r AS (SELECT x->>'email' AS email, x->>'name' AS name, COALESCE(CASE WHEN x->>'language' "
    "IN ('it', 'en') THEN x->>'language' END, CASE WHEN p.doc->>'language' IN ('it', 'en') "
    "THEN p.doc->>'language' END, 'en') AS lang, 0 AS src, p.kind, p.id, o FROM prof p, "
    "jsonb_array_elements(CASE jsonb_typeof(p.doc->'contacts') WHEN 'array' THEN "
    "p.doc->'contacts' ELSE '[]' END) WITH ORDINALITY AS x(x, o) "
    "UNION ALL SELECT x->>'email', x->>'name', COALESCE(CASE WHEN x->>'language' IN ('it', "
    "'en') THEN x->>'language' END, CASE WHEN e.head->>'language' IN ('it', 'en') THEN "
    "e.head->>'language' END, 'en'), 1, ep.kind, ep.profile_id, o FROM event_participants ep "
    "JOIN t ON t.kind = ep.kind AND t.id = ep.profile_id JOIN events e ON e.id = ep.event_id, "
    "jsonb_array_elements(CASE jsonb_typeof(ep.people) WHEN 'array' THEN ep.people ELSE '[]' "
    "END) WITH ORDINALITY AS x(x, o) WHERE $2::text IS NULL OR ep.event_id = $2) "
    "SELECT DISTINCT ON (lower(email)) lower(email), name, coalesce((SELECT language FROM "
    "person_prefs pp WHERE pp.email = lower(r.email)), lang) FROM r WHERE email LIKE '%_@_%' "
    "ORDER BY lower(email), src, kind, id, o";

int tv_store_invite_people(tv_store_t *st, const char *profile_id, const char *event_id,
                           tv_store_row_cb cb, void *ctx)
{
    const char *params[2] = {profile_id, event_id};
    int64_t n = 0;
    int rc = tv__store_query_int(st,
                                 "SELECT (SELECT count(*) FROM companies WHERE id = $1) + (SELECT "
                                 "count(*) FROM investors WHERE id = $1) + (SELECT count(*) FROM "
                                 "events WHERE id = $2)",
                                 2, params, &n);

    if (rc != 0)
        return rc;
    if (n == 0)
        return tv__store_set_error(st, TV_ENOTFOUND, "no %s \"%s\"",
                                   profile_id != NULL ? "profile" : "event",
                                   profile_id != NULL ? profile_id : event_id);
    return tv__store_each_row(st, "invite", invite_sql, 2, params, cb, ctx);
}

/* Counts the request, or reads when the oldest of the window ages out ($1 address, $2 limit,
 * $3 window in seconds), after the lock of tv_store_signin_throttle. */
static const char throttle_sql[] =
    "WITH old AS (DELETE FROM signin_requests WHERE email = $1 AND requested_at <= now() - "
    "make_interval(secs => $3::float8)), w AS (SELECT count(*) AS n, min(requested_at) AS "
    "first FROM signin_requests WHERE email = $1 AND requested_at > now() - make_interval(secs "
    "=> $3::float8)), ins AS (INSERT INTO signin_requests (email) SELECT $1 FROM w WHERE n < "
    "$2::integer RETURNING 1) SELECT CASE WHEN n < $2::integer THEN 0 ELSE greatest(1, "
    "ceil(extract(epoch FROM first + make_interval(secs => $3::float8) - now())))::bigint END "
    "FROM w";

int tv_store_signin_throttle(tv_store_t *st, const char *email, int limit, int window,
                             int *retry_after)
{
    char lim[16], win[16], lower[321];
    const char *params[3] = {lower, lim, win};
    int64_t wait = 0;
    int rc;

    snprintf(lim, sizeof(lim), "%d", limit);
    snprintf(win, sizeof(win), "%d", window);
    snprintf(lower, sizeof(lower), "%s", email);
    for (char *c = lower; *c != '\0'; c++)
        *c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
    rc = tv__store_exec_command(st, "BEGIN", 0, NULL);
    if (rc == 0)
        rc = tv__store_exec_command(
            st, "SELECT pg_advisory_xact_lock(hashtextextended('signin:' || $1, 0))", 1, params);
    if (rc == 0)
        rc = tv__store_query_int(st, throttle_sql, 3, params, &wait);
    if (rc == 0)
        rc = tv__store_exec_command(st, "COMMIT", 0, NULL);
    if (rc != 0)
        tv__store_rollback(st);
    else
        *retry_after = (int)wait;
    return rc;
}
