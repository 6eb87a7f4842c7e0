/* tavolo/digest.h: the content of one recipient's daily digest, computed from the matcher, what
 * the recipient's previous digest held, its meetings and the newly eligible companies; and when
 * the daily run is due. Pure computation: no I/O. */
#ifndef TV_DIGEST_H
#define TV_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "tavolo/match.h"
#include "tavolo/profile.h"
#include "tavolo/taxonomy.h"

typedef struct {
    uint32_t max_matches; /* at most this many matches a digest (N), default 10 */
    float rise_step;      /* a known match is listed again when its score rose by more */
    uint32_t days_ahead;  /* meetings from the digest's date to this many days later */
    int hour, minute;     /* the local time of the daily run, default 07:00 */
    char time_zone[64];   /* IANA, default "Europe/Rome" */
    uint32_t list_k;      /* how many of the recipient's best matches are looked at: the
                             matcher's served list length (lists.k), default 50 */
} tv_digest_config_t;

/* Sets the defaults: 10 matches, a step of 0.05, 3 days, 07:00 Europe/Rome, lists of 50. */
void tv_digest_config_init(tv_digest_config_t *cfg);

/* A meeting as the digest lists it. Strings are borrowed. */
typedef struct {
    int64_t id;
    const char *event_id;
    const char *event_name;
    const char *company_id;
    const char *investor_id;
    const char *slot_start; /* local to the event, "YYYY-MM-DDTHH:MM" */
    const char *time_zone;  /* the event's */
    int table_no;
} tv_digest_meeting_t;

/* A pending meeting request of the recipient, received (the other side asked) or sent (the
 * recipient's side asked and waits for the answer). Strings are borrowed. */
typedef struct {
    int64_t id;
    const char *event_id;
    const char *event_name;
    const char *company_id;
    const char *investor_id;
    const char *from_kind; /* "company" or "investor": the side that asked */
    int must;              /* the asking side counts it among its must-have meetings */
    int is_new;            /* made since the recipient's previous digest */
} tv_digest_request_t;

/* Everything a digest depends on besides the matcher. Borrowed for the call. */
typedef struct {
    tv_profile_kind_t kind;
    size_t index;           /* the recipient's row in the matcher */
    const char *prev_state; /* "id\tscore\n" lines from the previous digest, NULL for none */
    const tv_digest_meeting_t *meetings; /* the recipient's meetings in the window */
    size_t n_meetings;
    const size_t *new_eligible; /* companies that became eligible since the previous digest */
    size_t n_new_eligible;
    const tv_digest_request_t *requests; /* the recipient's pending requests, both ways */
    size_t n_requests;
    const tv_signals_t *learned; /* what the recipient taught (tv_matcher_rank_learned), or NULL */
} tv_digest_input_t;

typedef struct {
    size_t counterpart; /* matcher row of the other side */
    float score;
    float previous;      /* score at the previous digest; NAN for a new match */
    char reason_en[320]; /* the one-line explanation in each language */
    char reason_it[320];
    int fit; /* 0 to 100, see tv_matcher_fit */
    tv_level_t level;
    tv_block_t reasons[TV_EXPLAIN_REASONS]; /* the blocks that drove the score, largest first */
    size_t n_reasons;
    char reasons_en[TV_EXPLAIN_REASONS][200]; /* their sentences in each language */
    char reasons_it[TV_EXPLAIN_REASONS][200];
    unsigned flags; /* TV_FLAG_* bits */
} tv_digest_item_t;

typedef struct {
    tv_profile_kind_t kind;
    size_t index;
    tv_digest_item_t *matches; /* best first */
    size_t n_matches;
    const tv_digest_meeting_t **meetings; /* borrowed from the input, by start */
    size_t n_meetings;
    size_t *eligible; /* company rows, for an investor only, in id order */
    size_t n_eligible;
    const tv_digest_request_t **received; /* borrowed from the input: the other side asked */
    size_t n_received;
    const tv_digest_request_t **sent; /* borrowed: the recipient's side asked, still pending */
    size_t n_sent;
    char *state; /* what the next digest compares with ("id\tscore\n" lines) */
} tv_digest_t;

/* Builds the digest of one recipient: the matches of its current list that are new since
 * 'in->prev_state' or whose score rose by more than cfg->rise_step, best first, at most
 * cfg->max_matches, each explained; its meetings; for an investor, the newly eligible companies
 * in its areas (the areas of its pathologies and stages; every area when it names none), at most
 * cfg->max_matches; its pending requests, received then sent, in the input's order. The
 * matcher must not change during the call. '*out' is freed with
 * tv_digest_destroy. */
int tv_digest_build(const tv_matcher_t *m, const tv_taxonomy_t *t, const tv_digest_config_t *cfg,
                    const tv_digest_input_t *in, tv_digest_t **out);

/* Frees 'd'. NULL is a no-op. */
void tv_digest_destroy(tv_digest_t *d);

/* Returns 1 when the digest has nothing to say: no match, meeting, eligible company or
 * pending request. */
int tv_digest_is_empty(const tv_digest_t *d);

/* The reader of one digest message: whom it greets and the links it carries. Borrowed for the
 * call. */
typedef struct {
    const char *name;        /* the reader's name, or NULL (greeted without one) */
    const char *base;        /* the public URL without a trailing '/' (TAVOLO_PUBLIC_URL) */
    const char *unsubscribe; /* the reader's signed one-click link, or NULL for none */
} tv_digest_reader_t;

/* Writes "BASE/PAGE?KIND=ID[&event=EVENT[&request=REQUEST]]" into 'out': a page of the web
 * contract every message links to (docs/digests.md), 'kind' "company" or "investor", values
 * percent-encoded. 'event' NULL leaves out the event and the request; 'request' < 0 the
 * request. Cut short to 'size' bytes. */
void tv_page_url(const char *base, const char *page, const char *kind, const char *id,
                 const char *event, long long request, char *out, size_t size);

/* Renders digest 'd' of date 'date' ("YYYY-MM-DD") in language 'lang' ("it" or "en") through
 * the plain text template 'txt' (its first line is "Subject: ...", the rest the body) and the
 * HTML template 'html' (see tavolo/template.h; every value is escaped there), for 'reader'
 * (NULL: no name, no links): its name as "reader" (empty without one), matches_link
 * "BASE/matches?KIND=ID", requests_link "BASE/requests?KIND=ID", each request's
 * "...&event=EVENT&request=ID" (docs/digests.md), and unsubscribe. Writes three strings freed with
 * free(). TV_EINVAL names a template problem in 'err'. */
int tv_digest_render(const tv_matcher_t *m, const tv_taxonomy_t *t, const tv_digest_t *d,
                     const char *date, const char *lang, const tv_digest_reader_t *reader,
                     const char *txt, const char *html, char **subject, char **text,
                     char **html_out, char *err, size_t err_size);

/* The Italian name of forward block 'b' in a digest's reason ("sindacato"), or NULL for a
 * reverse block. */
const char *tv_digest_block_name_it(tv_block_t b);

/* The language a contact reads: its own, else the profile's, else English ("it" or "en"). */
const char *tv_digest_language(const tv_contact_t *c, const char *profile_language);

/* The first instant after 'now_utc' at which the local clock in cfg->time_zone reads
 * cfg->hour:cfg->minute, computed afresh from the zone's rules each time, so DST changes are
 * followed (a time skipped by the change reads as RFC 5545 does, see tv_calendar_local_to_utc).
 * Writes that instant and its local date ("YYYY-MM-DD") to 'date' (11 bytes). */
int tv_digest_next_run(const tv_digest_config_t *cfg, int64_t now_utc, int64_t *out, char *date);

/* The local date ("YYYY-MM-DD", 11 bytes) of 'utc' in 'time_zone'. */
int tv_digest_local_date(const char *time_zone, int64_t utc, char *date);

#endif
