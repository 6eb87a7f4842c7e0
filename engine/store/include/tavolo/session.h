/* tavolo/session.h: sign-in links and browser sessions (decision 0049). The store keeps only
 * 32-byte hashes of link tokens and session ids (the API computes them) and addresses in lower
 * case. Calls block, like every store call. */
#ifndef TV_SESSION_H
#define TV_SESSION_H

#include <stdint.h>

#include "tavolo/store.h"

#define TV_SESSION_HASH_BYTES 32

/* A live session as found by its hash. */
typedef struct {
    int64_t id;
    uint8_t hash[TV_SESSION_HASH_BYTES]; /* as stored, for a constant-time comparison */
    char email[321];
    char csrf[65];
    int64_t expires_in; /* seconds to its absolute expiry */
} tv_session_t;

/* Stores sign-in link 'hash' for 'email' (any case: kept in lower case), expiring after
 * 'seconds'. TV_EINVAL for an address the table refuses. */
int tv_store_signin_link_create(tv_store_t *st, const uint8_t hash[32], const char *email,
                                int64_t seconds);

/* Uses link 'hash' and opens session 'session_hash' (with CSRF token 'csrf', idle expiry
 * 'idle_seconds', absolute 'max_seconds', the browser's 'user_agent' (NULL: none; the first
 * 256 characters kept)) in one statement: the link is taken once only, by
 * whichever caller comes first. Fills 'out' on success; TV_ENOTFOUND for an unknown link;
 * TV_ECONFLICT for a link used already or expired (nothing written). */
int tv_store_signin_consume(tv_store_t *st, const uint8_t hash[32], const uint8_t session_hash[32],
                            const char *csrf, int64_t idle_seconds, int64_t max_seconds,
                            const char *user_agent, tv_session_t *out);

/* Finds the live session of 'hash' (not revoked, not past its absolute or idle expiry) and
 * records that it was seen. TV_ENOTFOUND when there is none. */
int tv_store_session_find(tv_store_t *st, const uint8_t hash[32], tv_session_t *out);

/* Revokes session 'id' of 'email'. TV_ENOTFOUND when 'email' has no such live session. */
int tv_store_session_revoke(tv_store_t *st, int64_t id, const char *email);

/* Rows (id, hash prefix in hex, created_at, last_seen_at (ISO 8601 UTC), user agent, "" when
 * unknown) of the live sessions of 'email', newest first. */
int tv_store_session_list(tv_store_t *st, const char *email, tv_store_row_cb cb, void *ctx);

/* Rows (kind, id, name, events joined by ',') of the profiles 'email' may act for: those
 * whose contacts or whose people in some event file have the address (without case), and the
 * events it organises (kind "organiser", id and events the event's id, name the event's); an
 * admin's (decision 0065) are kind "admin" id "all", and every event as its organiser. */
int tv_store_person_profiles(tv_store_t *st, const char *email, tv_store_row_cb cb, void *ctx);

/* Writes into 'out' the language ("it", "en") of the person of 'email': the one they chose
 * (tv_store_person_language_set), else their record's (a profile contact's language, else the
 * profile's; a person of an event file's, else the event's; an organiser's, else the event's),
 * else "". */
int tv_store_person_language(tv_store_t *st, const char *email, char out[3]);

/* Calls 'cb' with one row (email in lower case, name or NULL, language "it" or "en") when some
 * record names 'email' (a profile's contacts, an event file's people, an event's organisers);
 * nothing when none does. Name and language as tv_store_person_language picks them. */
int tv_store_person(tv_store_t *st, const char *email, tv_store_row_cb cb, void *ctx);

/* Records 'email' (any case; kept in lower case) as an organiser of event 'event_id', with
 * 'name' and 'language' ("it", "en" or NULL) if given; an organiser already there keeps the
 * row, its name and language updated when given. TV_ENOTFOUND when there is no such event,
 * TV_EINVAL for an address or language that is not one. */
int tv_store_organiser_add(tv_store_t *st, const char *event_id, const char *email,
                           const char *name, const char *language);

/* Records 'email' as an admin (decision 0065): a person who signs in to act as "admin:all",
 * with the admin role, or as the organiser of any event. Name and language as
 * tv_store_organiser_add keeps them; TV_EINVAL for an address or language that is not one. */
int tv_store_admin_add(tv_store_t *st, const char *email, const char *name, const char *language);

/* Rows (email, name or NULL, language or NULL, invited_at as "YYYY-MM-DDTHH:MM:SSZ") of the
 * organisers of event 'event_id', by address. */
int tv_store_organisers(tv_store_t *st, const char *event_id, tv_store_row_cb cb, void *ctx);

/* Keeps 'language' ("it" or "en") as the choice of the person of 'email'; TV_EINVAL for
 * another language or an address that is not one. */
int tv_store_person_language_set(tv_store_t *st, const char *email, const char *language);
/* 0 when 'email' may act for profile 'id' of 'kind' ("company" or "investor"): its contacts,
 * or its people in some event file, have the address (without case); or, for kind
 * "organiser", when it organises event 'id' (an admin organises every event); for kind "admin"
 * and id "all", when it is an admin; else TV_ENOTFOUND. Reads that profile's (or
 * event's) rows only, by id: the check of every cookie request (decision 0049). */
int tv_store_person_may_act(tv_store_t *st, const char *email, const char *kind, const char *id);

/* Rows (email in lower case, name, language) of the people to invite: of profile 'profile_id'
 * (its contacts and the people event files name for it), or of event 'event_id' (the people
 * it names for its participants and those profiles' contacts); one row per address. Exactly
 * one of the two is non-NULL. TV_ENOTFOUND when the profile or event does not exist. */
int tv_store_invite_people(tv_store_t *st, const char *profile_id, const char *event_id,
                           tv_store_row_cb cb, void *ctx);

/* Counts a request for a link for 'email' unless it already made 'limit' in the last
 * 'window' seconds, under a lock per address so that every daemon agrees. '*retry_after' is
 * 0 when counted, else the seconds until one of the window's requests ages out. */
int tv_store_signin_throttle(tv_store_t *st, const char *email, int limit, int window,
                             int *retry_after);

#endif
