/* tavolo/calendar_feed.h: calendar feeds (decision 0054), URLs whose own token lets a calendar
 * app read one profile's meetings. The store keeps only the 32-byte hash of each token (the
 * API computes it) and the address of the person who made it, in lower case. Calls block, like
 * every store call. */
#ifndef TV_CALENDAR_FEED_H
#define TV_CALENDAR_FEED_H

#include <stdint.h>

#include "tavolo/store.h"

#define TV_FEED_HASH_BYTES 32

/* A live feed as found by its hash. */
typedef struct {
    int64_t id;
    char email[321];
    char kind[10]; /* "company" or "investor" */
    char profile_id[65];
    char event_id[65]; /* "" for every event the profile attends */
} tv_calendar_feed_t;

/* Stores feed 'hash' of person 'email' (any case: kept in lower case) for profile 'kind'
 * ("company" or "investor") 'profile_id' and event 'event_id' (NULL: every event), writing its
 * id to '*id_out'. TV_ENOTFOUND when the event does not exist; TV_EINVAL for values the table
 * refuses. */
int tv_store_calendar_feed_create(tv_store_t *st, const uint8_t hash[32], const char *email,
                                  const char *kind, const char *profile_id, const char *event_id,
                                  int64_t *id_out);

/* Finds the feed of 'hash' unless revoked, and records that it was read (at most once a
 * minute). TV_ENOTFOUND when there is none. */
int tv_store_calendar_feed_find(tv_store_t *st, const uint8_t hash[32], tv_calendar_feed_t *out);

/* Rows (id, kind, profile_id, event_id or NULL, created_at, last_used_at or NULL; ISO 8601
 * UTC) of the live feeds of 'email', newest first. Never a hash. */
int tv_store_calendar_feed_list(tv_store_t *st, const char *email, tv_store_row_cb cb, void *ctx);

/* Revokes feed 'id' of 'email' for good. TV_ENOTFOUND when 'email' has no such live feed. */
int tv_store_calendar_feed_revoke(tv_store_t *st, int64_t id, const char *email);

#endif
