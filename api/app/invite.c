/* Sign-in links: random tokens, hashed for the store, sent in the person's language through
 * the mail queue with the notify job's rendering and queueing (notify_job.c). */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "invite.h"
#include "tavolo/error.h"
#include "tavolo/session.h"

#define SECRET_BYTES 32
#define DEFAULT_HOURS 72
#define DEFAULT_IDLE_HOURS 168

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static int sodium_ready;

static void start_sodium(void)
{
    sodium_ready = sodium_init() >= 0;
}

void api_secret_hash(const char *text, uint8_t hash[32])
{
    pthread_once(&sodium_once, start_sodium);
    crypto_generichash(hash, TV_SESSION_HASH_BYTES, (const unsigned char *)text, strlen(text), NULL,
                       0);
}

int api_secret_new(char text[API_SECRET_SIZE], uint8_t hash[32])
{
    unsigned char raw[SECRET_BYTES];

    pthread_once(&sodium_once, start_sodium);
    if (!sodium_ready)
        return TV_EIO;
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(text, API_SECRET_SIZE, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
    api_secret_hash(text, hash);
    return 0;
}

int api_secret_valid(const char *text)
{
    size_t n = 0;

    for (; text[n] != '\0'; n++) {
        char c = text[n];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
    }
    return n == API_SECRET_LEN;
}

/* Reads hours from variable 'name' (default 'fallback', at most 'max') as seconds. */
static int hours_env(const char *name, long fallback, long max, int64_t *out)
{
    const char *v = getenv(name);
    char *end = NULL;
    long h = fallback;

    if (v != NULL && v[0] != '\0')
        h = strtol(v, &end, 10);
    if ((end != NULL && *end != '\0') || h < 1 || h > max)
        return TV_EINVAL;
    *out = (int64_t)h * 3600;
    return 0;
}

int api_signin_seconds(int64_t *out)
{
    return hours_env("TAVOLO_SIGNIN_HOURS", DEFAULT_HOURS, 8760, out);
}

int api_session_idle_seconds(int64_t *out)
{
    return hours_env("TAVOLO_SESSION_IDLE_HOURS", DEFAULT_IDLE_HOURS, 720, out);
}

typedef struct {
    job_t j;
    api_notify_stats_t stats;
    const char *profile_id, *event_id;
    const char *only; /* one address (lower case), or NULL for all */
    int64_t seconds;
    int found;
} invite_t;

/* Renders and queues one invitation to 'p' carrying a new link. */
static int send_one(invite_t *v, const api_recipient_t *p)
{
    char token[API_SECRET_SIZE], link[1024], hours[16], mid[128];
    uint8_t hash[TV_SESSION_HASH_BYTES];
    tv_tpl_data_t *d = NULL;
    rendered_t r = {0};
    char *unsub = NULL;
    int rc = api_secret_new(token, hash);

    if (rc == 0)
        rc = tv_store_signin_link_create(v->j.st, hash, p->email, v->seconds);
    if (rc != 0)
        return api__notify_fail(&v->j, rc, p->email, tv_store_error(v->j.st));
    snprintf(link, sizeof(link), "%s/signin?t=%s", api_public_url(), token);
    snprintf(hours, sizeof(hours), "%lld", (long long)(v->seconds / 3600));
    snprintf(mid, sizeof(mid), "invite.%02x%02x%02x%02x%02x%02x%02x%02x@%s", hash[0], hash[1],
             hash[2], hash[3], hash[4], hash[5], hash[6], hash[7], v->j.host);
    rc = api_unsub_url(v->j.key, p->email, "invite", &unsub);
    if (rc == 0)
        rc = tv_tpl_data_create(&d);
    if (rc == 0)
        rc = tv_tpl_set(d, "recipient", p->name != NULL && p->name[0] ? p->name : p->email);
    if (rc == 0)
        rc = tv_tpl_set(d, "link", link);
    if (rc == 0)
        rc = tv_tpl_set(d, "hours", hours);
    if (rc == 0)
        rc = tv_tpl_set(d, "unsubscribe", unsub);
    if (rc == 0)
        rc = api__notify_render(&v->j, "invite", p->language, d, &r);
    if (rc == 0)
        rc = api__notify_queue(&v->j, "invite", NULL, p, &r, unsub, mid, NULL, NULL);
    sodium_memzero(token, sizeof(token));
    sodium_memzero(link, sizeof(link));
    api__notify_rendered_dispose(&r);
    tv_tpl_data_destroy(d);
    free(unsub);
    return rc;
}

/* One person of tv_store_invite_people: (email, name, language). */
static int on_person(void *ctx, const char *const *c, int n)
{
    invite_t *v = ctx;
    api_recipient_t p = {(char *)c[0], (char *)c[1], "en"};

    (void)n;
    if (v->only != NULL && strcmp(v->only, c[0]) != 0)
        return 0;
    snprintf(p.language, sizeof(p.language), "%s", strcmp(c[2], "it") == 0 ? "it" : "en");
    v->found = 1;
    return send_one(v, &p);
}

static int in_transaction(tv_store_t *st, void *ctx)
{
    invite_t *v = ctx;
    int rc = api__notify_batch_create(&v->j);

    if (rc == 0 && v->profile_id == NULL && v->event_id == NULL) /* api_invite_email */
        rc = tv_store_person(st, v->only, on_person, v);
    else if (rc == 0)
        rc = tv_store_invite_people(st, v->profile_id, v->event_id, on_person, v);
    if (rc != 0 && v->j.err != NULL && v->j.err[0] == '\0')
        api__notify_fail(&v->j, rc, "people", tv_store_error(st));
    /* The messages are written in batches (notify_batch.c): the last before the commit. */
    if (rc == 0)
        rc = api__notify_flush(&v->j);
    api__notify_batch_destroy(&v->j);
    return rc;
}

/* Prepares 'v': the host for Message-IDs, the unsubscribe key, the link lifetime. */
static int start(invite_t *v, tv_store_t *st, const api_notify_opts_t *o, char *err,
                 size_t err_size)
{
    const char *url = api_public_url(), *h = strstr(url, "://");
    int rc;

    memset(v, 0, sizeof(*v));
    v->j = (job_t){st, o, &v->stats, {0}, "", err, err_size, (int64_t)time(NULL), NULL};
    if (err != NULL && err_size > 0)
        err[0] = '\0';
    h = h != NULL ? h + 3 : url;
    snprintf(v->j.host, sizeof(v->j.host), "%.*s", (int)strcspn(h, ":/"), h);
    if (api_signin_seconds(&v->seconds) != 0)
        return api__notify_fail(&v->j, TV_EINVAL, "TAVOLO_SIGNIN_HOURS",
                                "expected a number of hours from 1 to 8760");
    rc = api_unsub_key(st, v->j.key);
    if (rc != 0)
        return api__notify_fail(&v->j, rc, "the unsubscribe secret", tv_store_error(st));
    return 0;
}

int api_invite_run(tv_store_t *st, const api_notify_opts_t *o, const char *profile_id,
                   const char *event_id, size_t *queued, size_t *skipped, char *err,
                   size_t err_size)
{
    invite_t v;
    int rc = start(&v, st, o, err, err_size);

    v.profile_id = profile_id;
    v.event_id = event_id;
    if (rc == 0)
        rc = tv_store_mail_transaction(st, in_transaction, &v);
    sodium_memzero(v.j.key, sizeof(v.j.key));
    *queued = rc == 0 ? v.stats.queued : 0;
    *skipped = rc == 0 ? v.stats.skipped : 0;
    return rc;
}

int api_invite_email(tv_store_t *st, const api_notify_opts_t *o, const char *email, int *sent,
                     char *err, size_t err_size)
{
    char lower[321];
    invite_t v;
    int rc = start(&v, st, o, err, err_size);

    snprintf(lower, sizeof(lower), "%s", email);
    for (char *c = lower; *c != '\0'; c++)
        *c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
    v.only = lower;
    if (rc == 0)
        rc = tv_store_mail_transaction(st, in_transaction, &v);
    sodium_memzero(v.j.key, sizeof(v.j.key));
    *sent = rc == 0 && v.found;
    return rc;
}
