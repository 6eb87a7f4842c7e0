/* Per-worker database connections and the token cache. */
#include <pthread.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

#include "jobs.h"

static _Thread_local tv_store_t *worker_store;

tv_store_t *api_jobs_store(api_app_t *app)
{
    if (tv_store_healthy(worker_store))
        return worker_store;
    tv_store_close(worker_store);
    worker_store = NULL;
    if (tv_store_open(app->conninfo, &worker_store, NULL, 0) != 0)
        worker_store = NULL;
    return worker_store;
}

/* Set-associative: a token shares its set with few others, so one recently used token never
 * pushes another out by a clash of hashes alone (a direct-mapped table did, and a cached
 * token then failed during an outage). A full set gives up the entry that expires first. */
#define CACHE_SETS 256
#define CACHE_WAYS 8

typedef struct {
    uint8_t key[32]; /* hash of the whole header value */
    api_principal_t principal;
    time_t expires;
} cache_entry_t;

static cache_entry_t cache[CACHE_SETS][CACHE_WAYS];
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static cache_entry_t *cache_set(const uint8_t key[32])
{
    return cache[((unsigned)key[0] | (unsigned)key[1] << 8) % CACHE_SETS];
}

static int cache_get(const uint8_t key[32], api_principal_t *out)
{
    cache_entry_t *set = cache_set(key);
    time_t now = time(NULL);
    int hit = 0;

    pthread_mutex_lock(&cache_lock);
    for (int w = 0; w < CACHE_WAYS && !hit; w++) {
        hit = set[w].expires > now && sodium_memcmp(set[w].key, key, 32) == 0;
        if (hit)
            *out = set[w].principal;
    }
    pthread_mutex_unlock(&cache_lock);
    return hit;
}

static void cache_put(const uint8_t key[32], const api_principal_t *p)
{
    cache_entry_t *set = cache_set(key), *e = &set[0];

    pthread_mutex_lock(&cache_lock);
    for (int w = 0; w < CACHE_WAYS; w++) {
        if (sodium_memcmp(set[w].key, key, 32) == 0) {
            e = &set[w];
            break;
        }
        if (set[w].expires < e->expires)
            e = &set[w];
    }
    memcpy(e->key, key, 32);
    e->principal = *p;
    e->expires = time(NULL) + API_TOKEN_CACHE_SECONDS;
    pthread_mutex_unlock(&cache_lock);
}

int api_jobs_authenticate_cached(const char *authorization, api_principal_t *out)
{
    uint8_t key[32];

    api_auth_hash(authorization, key);
    return cache_get(key, out) ? 0 : TV_ENOTFOUND;
}

int api_jobs_authenticate(tv_store_t *st, const char *authorization, api_principal_t *out)
{
    uint8_t key[32];
    int rc;

    api_auth_hash(authorization, key);
    if (cache_get(key, out))
        return 0;
    if (st == NULL)
        return TV_EUNAVAIL;
    rc = api_auth_authenticate(st, authorization, out);
    if (rc == 0)
        cache_put(key, out);
    return rc;
}
