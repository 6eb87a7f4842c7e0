/* tavolo/token.h: the store's API tokens. The store keeps only a 32-byte hash of each token
 * (the API computes it); it never sees a token itself. Calls block, like every store call. */
#ifndef TV_TOKEN_H
#define TV_TOKEN_H

#include <stdint.h>

#include "tavolo/store.h"

#define TV_TOKEN_HASH_BYTES 32

/* A live token as found by its hash. */
typedef struct {
    int64_t id;
    uint8_t hash[TV_TOKEN_HASH_BYTES]; /* as stored, for a constant-time comparison */
    char role[16];                     /* "admin", "organiser", "investor" or "company" */
    char subject[65];                  /* investor or company id; "" for other roles */
    char event_id[65];                 /* the organiser's event; "" for other roles */
    int revoked;                       /* always 0 from tv_store_token_find */
} tv_token_t;

/* One token as listed: never its hash. Strings are borrowed for the length of the callback;
 * absent values are NULL. Times are ISO 8601 in UTC ("2026-01-31T09:15:00Z"). */
typedef struct {
    int64_t id;
    const char *role;
    const char *subject;
    const char *event_id;
    const char *label;
    const char *created_at;
    const char *last_used_at;
    const char *revoked_at;
} tv_token_row_t;

/* Called for each listed token; a non-zero return stops the walk and is returned. */
typedef int (*tv_store_token_cb)(void *ctx, const tv_token_row_t *row);

/* Stores a token by its hash and writes its id to 'id_out'.
 *   hash      the token's hash (TV_TOKEN_HASH_BYTES bytes)
 *   role      "admin", "organiser", "investor" or "company"
 *   subject   the investor or company id for those roles, else NULL
 *   event_id  the event of an organiser, else NULL
 *   label     free text for people, or NULL
 * A combination the table's checks reject is TV_EINVAL; an event that does not exist is
 * TV_ENOTFOUND ("no event \"x\""); a hash already stored is TV_ECONFLICT. */
int tv_store_token_create(tv_store_t *st, const uint8_t hash[32], const char *role,
                          const char *subject, const char *event_id, const char *label,
                          int64_t *id_out);

/* Finds the live token whose hash is 'hash'. Returns TV_ENOTFOUND when there is none or it
 * was revoked. */
int tv_store_token_find(tv_store_t *st, const uint8_t hash[32], tv_token_t *out);

/* Revokes token 'id' for good; revoking it again changes nothing. Returns TV_ENOTFOUND when
 * there is no such token. */
int tv_store_token_revoke(tv_store_t *st, int64_t id);

/* Records that token 'id' was just used. It writes at most once a minute per token, so it can
 * be called on every request. */
int tv_store_token_touch(tv_store_t *st, int64_t id);

/* Calls 'cb' for every token, revoked ones included, in id order. */
int tv_store_token_list(tv_store_t *st, tv_store_token_cb cb, void *ctx);

#endif
