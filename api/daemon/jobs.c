/* Per-worker database connections and the token cache. */
#include <pthread.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

#include "jobs.h"
#include "log.h"

static _Thread_local tv_store_t *worker_store;
static _Thread_local api_app_t *worker_app; /* where to reconnect */

tv_store_t *api_jobs_store(api_app_t *app)
{
    worker_app = app;
    if (tv_store_healthy(worker_store))
        return worker_store;
    tv_store_close(worker_store);
    worker_store = NULL;
    if (tv_store_open(app->conninfo, &worker_store, NULL, 0) != 0)
        worker_store = NULL;
    else if (tv_store_reuse_plans(worker_store) != 0) /* a request then plans its statements */
        api_log("warn", "database: %s", tv_store_error(worker_store));
    return worker_store;
}

/* Set-associative: a token shares its set with few others, so one recently used token never
 * pushes another out by a clash of hashes alone (a direct-mapped table did, and a cached
 * token then failed during an outage). A full set gives up its oldest confirmation. */
#define CACHE_SETS 256
#define CACHE_WAYS 8

typedef struct {
    uint8_t key[32]; /* hash of the whole header value */
    api_principal_t principal;
    int64_t confirmed_ms; /* when the database last said yes, on the monotonic clock */
    int used;
} cache_entry_t;

static cache_entry_t cache[CACHE_SETS][CACHE_WAYS];
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t cache_ms = API_TOKEN_CACHE_SECONDS * 1000;
static int64_t grace_ms = API_TOKEN_GRACE_SECONDS * 1000;
/* Bumped by every token change the feed reports: an answer the database gave before it is
 * not cached after it. */
static uint64_t token_epoch;

void api_jobs_configure(unsigned cache_seconds, unsigned grace_seconds)
{
    cache_ms = (int64_t)cache_seconds * 1000;
    grace_ms = (int64_t)grace_seconds * 1000;
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static cache_entry_t *cache_set(const uint8_t key[32])
{
    return cache[((unsigned)key[0] | (unsigned)key[1] << 8) % CACHE_SETS];
}

/* Copies the entry of 'key' to 'out' and returns its age in milliseconds, or -1 when there is
 * none. */
static int64_t cache_get(const uint8_t key[32], api_principal_t *out)
{
    cache_entry_t *set = cache_set(key);
    int64_t age = -1;

    pthread_mutex_lock(&cache_lock);
    for (int w = 0; w < CACHE_WAYS && age < 0; w++) {
        if (set[w].used && sodium_memcmp(set[w].key, key, 32) == 0) {
            *out = set[w].principal;
            age = now_ms() - set[w].confirmed_ms;
        }
    }
    pthread_mutex_unlock(&cache_lock);
    return age;
}

/* Records that the database confirmed 'key' now (drop: that it refused it), unless a token
 * changed since 'epoch', when the database was asked. */
static void cache_put(const uint8_t key[32], const api_principal_t *p, int drop, uint64_t epoch)
{
    cache_entry_t *set = cache_set(key), *e = NULL;

    pthread_mutex_lock(&cache_lock);
    if (epoch != token_epoch && !drop) {
        pthread_mutex_unlock(&cache_lock);
        return;
    }
    for (int w = 0; w < CACHE_WAYS; w++) {
        if (set[w].used && sodium_memcmp(set[w].key, key, 32) == 0) {
            e = &set[w];
            break;
        }
        if (e == NULL || (e->used && (!set[w].used || set[w].confirmed_ms < e->confirmed_ms)))
            e = &set[w];
    }
    if (drop && sodium_memcmp(e->key, key, 32) == 0) {
        e->used = 0;
    } else if (!drop) {
        memcpy(e->key, key, 32);
        e->principal = *p;
        e->confirmed_ms = now_ms();
        e->used = 1;
    }
    pthread_mutex_unlock(&cache_lock);
}

void api_jobs_token_changed(int64_t token_id)
{
    int64_t stale = now_ms() - cache_ms;

    pthread_mutex_lock(&cache_lock);
    token_epoch++;
    for (int s = 0; s < CACHE_SETS; s++) {
        for (int w = 0; w < CACHE_WAYS; w++) {
            cache_entry_t *e = &cache[s][w];

            if (e->used && token_id >= 0 && e->principal.token_id == token_id)
                e->used = 0;
            else if (e->used && token_id < 0 && e->confirmed_ms > stale)
                e->confirmed_ms = stale;
        }
    }
    pthread_mutex_unlock(&cache_lock);
}

static uint64_t current_epoch(void)
{
    uint64_t epoch;

    pthread_mutex_lock(&cache_lock);
    epoch = token_epoch;
    pthread_mutex_unlock(&cache_lock);
    return epoch;
}

int api_jobs_authenticate_cached(const char *authorization, api_principal_t *out)
{
    uint8_t key[32];
    api_principal_t p;
    int64_t age;

    api_auth_hash(authorization, key);
    age = cache_get(key, &p);
    if (age < 0 || age >= cache_ms)
        return TV_ENOTFOUND;
    *out = p;
    return 0;
}

/* Asks the database on a connection of its own, when the check found this thread's dead
 * (PostgreSQL restarted rather than gone). The thread's connection is the request's and is
 * left for api_jobs_store to replace. */
static int authenticate_anew(const char *authorization, api_principal_t *out)
{
    tv_store_t *st = NULL;
    int rc;

    if (worker_app == NULL || tv_store_open(worker_app->conninfo, &st, NULL, 0) != 0)
        return TV_EUNAVAIL;
    rc = api_auth_authenticate(st, authorization, out);
    tv_store_close(st);
    return rc;
}

int api_jobs_authenticate(tv_store_t *st, const char *authorization, api_principal_t *out)
{
    uint8_t key[32];
    api_principal_t cached, p;
    uint64_t epoch = current_epoch();
    int64_t age;
    int rc;

    api_auth_hash(authorization, key);
    age = cache_get(key, &cached);
    if (age >= 0 && age < cache_ms) {
        *out = cached;
        return 0;
    }
    rc = st != NULL ? api_auth_authenticate(st, authorization, &p) : TV_EUNAVAIL;
    if (rc == TV_EUNAVAIL && st != NULL && !tv_store_healthy(st))
        rc = authenticate_anew(authorization, &p);
    if (rc == 0 || rc == TV_ENOTFOUND)
        cache_put(key, &p, rc != 0, epoch);
    if (rc == TV_EUNAVAIL && age >= 0 && age < cache_ms + grace_ms) {
        p = cached; /* the database cannot say: the last confirmation stands, for a while */
        rc = 0;
    }
    if (rc == 0)
        *out = p;
    return rc;
}
