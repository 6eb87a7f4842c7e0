/* Public links and signed unsubscribe tokens (libsodium's crypto_auth). */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify_links.h"
#include "tavolo/error.h"

_Static_assert(API_UNSUB_KEY_BYTES == crypto_auth_KEYBYTES, "the key is crypto_auth's");

/* Each kind of message, and how a page names it to its reader in English and Italian. */
static const char *const kinds[][3] = {
    {"digest", "the daily digest", "il riepilogo quotidiano"},
    {"request_received", "meeting requests sent to you", "le richieste di incontro ricevute"},
    {"request_answered", "answers to your meeting requests",
     "le risposte alle sue richieste di incontro"},
    {"request_expiring", "notices of the request deadline",
     "gli avvisi di scadenza delle richieste"},
    {"schedule", "your schedule and its changes",
     "il calendario degli incontri e le sue modifiche"},
    {"reminder", "reminders the day before your meetings",
     "i promemoria del giorno prima degli incontri"},
    {"invite", "invitations to sign in", "gli inviti ad accedere"},
    {"outcome", "questions about how your meetings went", "le domande su com'è andato un incontro"},
    {NULL, NULL, NULL}};

const char *api_public_url(void)
{
    static __thread char url[512];
    const char *env = getenv("TAVOLO_PUBLIC_URL");
    size_t n;

    snprintf(url, sizeof(url), "%s", env != NULL && env[0] != '\0' ? env : "http://127.0.0.1:8080");
    n = strlen(url);
    while (n > 0 && url[n - 1] == '/')
        url[--n] = '\0';
    return url;
}

int api_notify_kind_valid(const char *kind)
{
    return api_notify_kind_words(kind, "en") != NULL;
}

const char *api_notify_kind_words(const char *kind, const char *lang)
{
    for (size_t i = 0; kind != NULL && kinds[i][0] != NULL; i++) {
        if (strcmp(kinds[i][0], kind) == 0)
            return kinds[i][strcmp(lang, "it") == 0 ? 2 : 1];
    }
    return NULL;
}

int api_unsub_key(tv_store_t *st, unsigned char key[API_UNSUB_KEY_BYTES])
{
    unsigned char fresh[API_UNSUB_KEY_BYTES];
    char candidate[2 * API_UNSUB_KEY_BYTES + 1], stored[2 * API_UNSUB_KEY_BYTES + 1];
    int rc;

    if (sodium_init() < 0)
        return TV_EIO; /* no source of randomness */
    randombytes_buf(fresh, sizeof(fresh));
    sodium_bin2hex(candidate, sizeof(candidate), fresh, sizeof(fresh));
    rc = tv_store_notify_secret(st, "unsubscribe", candidate, stored, sizeof(stored));
    if (rc == 0 &&
        sodium_hex2bin(key, API_UNSUB_KEY_BYTES, stored, strlen(stored), NULL, NULL, NULL) != 0)
        rc = TV_EDB;
    sodium_memzero(fresh, sizeof(fresh));
    sodium_memzero(candidate, sizeof(candidate));
    sodium_memzero(stored, sizeof(stored));
    return rc;
}

/* crypto_auth of "<address in lower case>\n<kind>". */
static int mac(const unsigned char *key, const char *email, const char *kind,
               unsigned char out[crypto_auth_BYTES])
{
    size_t ne = strlen(email), nk = strlen(kind);
    unsigned char *msg = malloc(ne + nk + 1);

    if (msg == NULL)
        return TV_ENOMEM;
    for (size_t i = 0; i < ne; i++)
        msg[i] = (unsigned char)tolower((unsigned char)email[i]);
    msg[ne] = '\n';
    memcpy(msg + ne + 1, kind, nk);
    crypto_auth(out, msg, ne + nk + 1, key);
    free(msg);
    return 0;
}

/* Percent-encodes 's' for a query value into 'out' (3 * strlen + 1 bytes). */
static void pct(const char *s, char *out)
{
    static const char hex[] = "0123456789ABCDEF";

    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;

        if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            *out++ = (char)c;
        } else {
            *out++ = '%';
            *out++ = hex[c >> 4];
            *out++ = hex[c & 15];
        }
    }
    *out = '\0';
}

int api_unsub_url(const unsigned char key[API_UNSUB_KEY_BYTES], const char *email, const char *kind,
                  char **out)
{
    unsigned char tag[crypto_auth_BYTES];
    char token[2 * crypto_auth_BYTES + 1], *e = malloc(3 * strlen(email) + 1);
    const char *base = api_public_url();
    size_t n;
    int rc = e == NULL ? TV_ENOMEM : mac(key, email, kind, tag);

    if (rc == 0) {
        pct(email, e);
        sodium_bin2hex(token, sizeof(token), tag, sizeof(tag));
        n = strlen(base) + strlen(e) + strlen(kind) + sizeof(token) + 40;
        *out = malloc(n);
        if (*out == NULL)
            rc = TV_ENOMEM;
        else
            snprintf(*out, n, "%s/v1/unsubscribe?e=%s&k=%s&t=%s", base, e, kind, token);
    }
    free(e);
    return rc;
}

int api_unsub_check(const unsigned char key[API_UNSUB_KEY_BYTES], const char *email,
                    const char *kind, const char *token)
{
    unsigned char given[crypto_auth_BYTES], want[crypto_auth_BYTES];

    if (token == NULL || strlen(token) != 2 * crypto_auth_BYTES ||
        sodium_hex2bin(given, sizeof(given), token, strlen(token), NULL, NULL, NULL) != 0 ||
        mac(key, email, kind, want) != 0)
        return 0;
    return sodium_memcmp(given, want, sizeof(given)) == 0;
}

/* What an outcome link signs, in place of an unsubscribe link's kind: no kind has a ':'. */
static int outcome_what(const char *event_id, const char *meeting_id, const char *side,
                        const char *answer, char *out, size_t size)
{
    int n = snprintf(out, size, "outcome:%s:%s:%s:%s", event_id, meeting_id, side, answer);

    return n > 0 && (size_t)n < size ? 0 : TV_EINVAL;
}

int api_outcome_url(const unsigned char key[API_UNSUB_KEY_BYTES], const char *email,
                    const char *event_id, const char *meeting_id, const char *side,
                    const char *answer, char **out)
{
    unsigned char tag[crypto_auth_BYTES];
    char token[2 * crypto_auth_BYTES + 1], what[256], *e = malloc(3 * strlen(email) + 1);
    const char *base = api_public_url();
    size_t n;
    int rc = e == NULL ? TV_ENOMEM
                       : outcome_what(event_id, meeting_id, side, answer, what, sizeof(what));

    if (rc == 0)
        rc = mac(key, email, what, tag);
    if (rc == 0) {
        pct(email, e);
        sodium_bin2hex(token, sizeof(token), tag, sizeof(tag));
        n = strlen(base) + strlen(e) + strlen(what) + sizeof(token) + 48;
        *out = malloc(n);
        if (*out == NULL)
            rc = TV_ENOMEM;
        else
            snprintf(*out, n, "%s/v1/outcome?e=%s&v=%s&m=%s&s=%s&a=%s&t=%s", base, e, event_id,
                     meeting_id, side, answer, token);
    }
    free(e);
    return rc;
}

int api_outcome_check(const unsigned char key[API_UNSUB_KEY_BYTES], const char *email,
                      const char *event_id, const char *meeting_id, const char *side,
                      const char *answer, const char *token)
{
    char what[256];

    return outcome_what(event_id, meeting_id, side, answer, what, sizeof(what)) == 0 &&
           api_unsub_check(key, email, what, token);
}
