/* Following the change feed (tavolo/feed.h, decision 0042): a listening connection driven by
 * the loop, and catch-ups on the thread pool that patch the matcher with the profiles other
 * processes wrote, and drop the token cache entries of tokens they revoked. */
#ifndef API_FEED_H
#define API_FEED_H

#include <stdint.h>
#include <uv.h>

#include "api.h"

typedef struct api_feed api_feed_t;

/* Starts following the feed from snapshot 'since' (the matcher's load, taken over). The
 * connection is made without blocking the loop and made again, with a catch-up from the
 * last snapshot applied, whenever it is lost. Returns 0 or TV_ENOMEM. */
int api_feed_start(api_feed_t **out, uv_loop_t *loop, api_app_t *app, char *since);

/* Closes the connection and its handles (the loop must run on until api_feed_busy says 0).
 * NULL is a no-op. */
void api_feed_stop(api_feed_t *f);

/* 1 while a catch-up runs or a handle is still closing: the matcher and the feed must stay. */
int api_feed_busy(const api_feed_t *f);

/* Frees a stopped feed that is no longer busy. NULL is a no-op. */
void api_feed_free(api_feed_t *f);

/* For /healthz and /metrics: the counters are read without locks. */
typedef struct {
    int listening;          /* LISTEN in force now */
    uint64_t notifications; /* received */
    uint64_t malformed;     /* notifications whose payload meant nothing */
    uint64_t catchups;      /* catch-ups finished */
    uint64_t applied;       /* profiles written or removed by catch-ups */
    uint64_t reconnects;    /* connections lost and made again */
} api_feed_stats_t;

void api_feed_stats(const api_feed_t *f, api_feed_stats_t *out);

#endif
