/* Health and metrics: no token needed. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../feed.h"
#include "../jobs.h"
#include "../metrics.h"
#include "../reply.h"
#include "handlers.h"

static void count_live(api_app_t *app, size_t *companies, size_t *investors)
{
    const tv_matcher_t *m = app->matcher;

    *companies = *investors = 0;
    pthread_rwlock_rdlock(&app->lock);
    for (size_t c = 0; c < tv_matcher_companies(m); c++)
        *companies += tv_matcher_is_live_company(m, c);
    for (size_t i = 0; i < tv_matcher_investors(m); i++)
        *investors += tv_matcher_is_live_investor(m, i);
    pthread_rwlock_unlock(&app->lock);
}

/* Asks the database for the schema version; a connection that died while idle is replaced
 * once, so that a restarted PostgreSQL reads as up at once. */
static int database_up(const api_req_t *r)
{
    tv_store_t *st = r->store;

    if (st != NULL && tv_store_schema_version(st) > 0)
        return 1;
    if (st != NULL && tv_store_healthy(st))
        return 0; /* it answered: the database itself is in trouble */
    st = api_jobs_store(r->app);
    return st != NULL && tv_store_schema_version(st) > 0;
}

int api_h_healthz(const api_req_t *r, api_resp_t *resp)
{
    int up = database_up(r);
    size_t companies, investors;
    api_feed_stats_t feed;
    char *body = malloc(320);

    count_live(r->app, &companies, &investors);
    api_feed_stats(r->app->feed, &feed);
    if (body != NULL)
        snprintf(body, 320,
                 "{\"status\":\"ok\",\"database\":\"%s\",\"companies\":%zu,\"investors\":%zu,"
                 "\"feed\":{\"listening\":%s,\"notifications\":%" PRIu64 ",\"malformed\":%" PRIu64
                 ",\"catch_ups\":%" PRIu64 ",\"applied\":%" PRIu64 ",\"reconnects\":%" PRIu64 "}}",
                 up ? "up" : "down", companies, investors, feed.listening ? "true" : "false",
                 feed.notifications, feed.malformed, feed.catchups, feed.applied, feed.reconnects);
    api_reply_json(resp, 200, body);
    return 0;
}

int api_h_metrics(const api_req_t *r, api_resp_t *resp)
{
    size_t companies, investors;

    count_live(r->app, &companies, &investors);
    free(resp->body);
    resp->body = api_metrics_render(r->app->metrics, companies, investors);
    resp->body_len = resp->body != NULL ? strlen(resp->body) : 0;
    resp->status = resp->body != NULL ? 200 : 500;
    resp->content_type = "text/plain; version=0.0.4";
    return 0;
}
