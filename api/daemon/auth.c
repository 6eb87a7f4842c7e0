/* Bearer tokens: random tokens from libsodium, stored only as BLAKE2b-256 hashes, looked up
 * by hash and compared in constant time. */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "tavolo/error.h"
#include "tavolo/token.h"

#define TOKEN_PREFIX "tv_"
#define TOKEN_PREFIX_LEN 3
#define TOKEN_RANDOM_BYTES 32
#define BEARER "Bearer "
#define BEARER_LEN 7

static const char *const role_names[] = {"admin", "organiser", "investor", "company"};

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static int sodium_ready;

static void start_sodium(void)
{
    sodium_ready = sodium_init() >= 0;
}

/* Starts libsodium once per process, whichever thread comes first. */
static int ensure_sodium(void)
{
    pthread_once(&sodium_once, start_sodium);
    return sodium_ready ? 0 : TV_EIO;
}

const char *api_role_name(api_role_t role)
{
    if ((size_t)role >= sizeof(role_names) / sizeof(role_names[0]))
        return "unknown";
    return role_names[role];
}

int api_role_parse(const char *name, api_role_t *out)
{
    for (size_t i = 0; name != NULL && i < sizeof(role_names) / sizeof(role_names[0]); i++) {
        if (strcmp(name, role_names[i]) == 0) {
            *out = (api_role_t)i;
            return 0;
        }
    }
    return TV_EINVAL;
}

void api_auth_hash(const char *token, uint8_t hash[32])
{
    (void)ensure_sodium(); /* hashing works without it, only slower */
    crypto_generichash(hash, TV_TOKEN_HASH_BYTES, (const unsigned char *)token, strlen(token), NULL,
                       0);
}

int api_auth_new_token(char *token, size_t size, uint8_t hash[32])
{
    unsigned char raw[TOKEN_RANDOM_BYTES];
    char text[API_AUTH_TOKEN_SIZE];
    int rc = ensure_sodium();

    if (rc != 0)
        return rc;
    if (size < API_AUTH_TOKEN_SIZE)
        return TV_ERANGE;
    randombytes_buf(raw, sizeof(raw));
    memcpy(text, TOKEN_PREFIX, TOKEN_PREFIX_LEN);
    sodium_bin2base64(text + TOKEN_PREFIX_LEN, sizeof(text) - TOKEN_PREFIX_LEN, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    api_auth_hash(text, hash);
    memcpy(token, text, sizeof(text));
    sodium_memzero(raw, sizeof(raw));
    sodium_memzero(text, sizeof(text));
    return 0;
}

static int base64url_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

/* Returns the token of "Bearer <token>", or NULL when the value has any other shape. */
static const char *bearer_token(const char *authorization)
{
    const char *token;

    if (authorization == NULL || strncasecmp(authorization, BEARER, BEARER_LEN) != 0)
        return NULL;
    token = authorization + BEARER_LEN;
    if (strlen(token) != API_AUTH_TOKEN_LEN || strncmp(token, TOKEN_PREFIX, TOKEN_PREFIX_LEN) != 0)
        return NULL;
    for (const char *c = token + TOKEN_PREFIX_LEN; *c != '\0'; c++) {
        if (!base64url_char(*c))
            return NULL;
    }
    return token;
}

/* Builds the principal of token 't'. A role or id the table's checks should have refused is
 * a database error. */
static int principal_of(const tv_token_t *t, api_principal_t *p)
{
    memset(p, 0, sizeof(*p));
    if (api_role_parse(t->role, &p->role) != 0)
        return TV_EDB;
    snprintf(p->subject, sizeof(p->subject), "%s", t->subject);
    snprintf(p->event_id, sizeof(p->event_id), "%s", t->event_id);
    p->token_id = t->id;
    return 0;
}

int api_auth_authenticate(tv_store_t *st, const char *authorization, api_principal_t *out)
{
    const char *token = bearer_token(authorization);
    uint8_t hash[TV_TOKEN_HASH_BYTES];
    api_principal_t p;
    tv_token_t t;
    int rc;

    if (token == NULL)
        return TV_EINVAL;
    api_auth_hash(token, hash);
    rc = tv_store_token_find(st, hash, &t);
    /* The database found the row through an index; the comparison that decides runs in
     * constant time. */
    if (rc == 0 && (sodium_memcmp(t.hash, hash, sizeof(hash)) != 0 || t.revoked))
        rc = TV_ENOTFOUND;
    if (rc == 0)
        rc = principal_of(&t, &p);
    if (rc != 0)
        return rc;
    /* Bookkeeping only: a request is not refused because last_used_at could not be set. */
    (void)tv_store_token_touch(st, t.id);
    *out = p;
    return 0;
}
