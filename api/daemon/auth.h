/* Bearer tokens of the API: making one, hashing one, and turning the value of an
 * Authorization header into the principal it names. No HTTP types here. Every function is
 * safe to call from several threads at once, each with its own store. */
#ifndef API_AUTH_H
#define API_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "tavolo/store.h"

/* A token is "tv_" and 43 base64url characters (32 random bytes, no padding). */
#define API_AUTH_TOKEN_LEN 46
#define API_AUTH_TOKEN_SIZE (API_AUTH_TOKEN_LEN + 1)

typedef enum { API_ROLE_ADMIN, API_ROLE_ORGANISER, API_ROLE_INVESTOR, API_ROLE_COMPANY } api_role_t;

/* Who a request comes from. 'subject' is the investor or company id of those roles and
 * 'event_id' the event of an organiser; both are "" otherwise. */
typedef struct {
    api_role_t role;
    char subject[65];
    char event_id[65];
    int64_t token_id;
} api_principal_t;

/* Makes a new random token: writes it, NUL-terminated, to 'token' (room for 'size' bytes,
 * at least API_AUTH_TOKEN_SIZE, else TV_ERANGE) and its hash to 'hash'. Returns TV_EIO when
 * libsodium cannot start. */
int api_auth_new_token(char *token, size_t size, uint8_t hash[32]);

/* Writes the BLAKE2b-256 hash of the text of 'token', the only form the store keeps. */
void api_auth_hash(const char *token, uint8_t hash[32]);

/* Authenticates the value of an Authorization header, "Bearer <token>" (the scheme in any
 * case, one space, then a token of the shape api_auth_new_token makes), and records that the
 * token was used. Returns TV_EINVAL when 'authorization' is NULL or has any other shape,
 * TV_ENOTFOUND when the token is unknown or revoked, the store's code (TV_EUNAVAIL, TV_EDB)
 * when the database fails; 'out' is written only on success. */
int api_auth_authenticate(tv_store_t *st, const char *authorization, api_principal_t *out);

/* "admin", "organiser", "investor" or "company"; "unknown" for any other value. */
const char *api_role_name(api_role_t role);

/* Parses one of the names api_role_name returns. Returns TV_EINVAL for anything else. */
int api_role_parse(const char *name, api_role_t *out);

#endif
