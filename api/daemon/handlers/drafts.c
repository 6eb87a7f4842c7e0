/* Drafts before publishing (issue 17, migration 030): a scheduler run kept apart
 * (POST .../schedule?draft=true), read with what it would change against the meetings as
 * they are (GET .../draft), published (POST .../draft/publish: then participants are told,
 * through the notifications already built) or discarded (DELETE .../draft). Admins and the
 * event's organisers only. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../access.h"
#include "../reply.h"
#include "handlers.h"
#include "scheduling.h"
#include "tavolo/codec.h"

/* Replies 403 (or 503 without a database) and returns -1 unless the caller runs the event. */
static int may_run(const api_req_t *r, api_resp_t *resp)
{
    if (!api_access_runs_event(r, r->params[0])) {
        api_reply_problem(resp, r, 403, "forbidden", NULL,
                          "only an admin or this event's organiser may schedule it");
        return -1;
    }
    if (r->store == NULL) {
        api_reply_error(resp, r, TV_EUNAVAIL, "");
        return -1;
    }
    return 0;
}

/* Meetings not cancelled, sorted by pair, for pair_in: a linear search made the diff of two
 * schedules of 27,000 meetings take 3.6 s (bench/organiser_pages.sh). */
typedef struct {
    const tv_meeting_t **items;
    size_t n;
} by_pair_t;

static int pair_cmp(const tv_meeting_t *a, const tv_meeting_t *b)
{
    int c = strcmp(a->company_id, b->company_id);

    return c != 0 ? c : strcmp(a->investor_id, b->investor_id);
}

static int by_pair(const void *a, const void *b)
{
    return pair_cmp(*(const tv_meeting_t *const *)a, *(const tv_meeting_t *const *)b);
}

static int by_pair_index(by_pair_t *x, const tv_meeting_t *m, size_t n)
{
    x->n = 0;
    if ((x->items = malloc((n + 1) * sizeof(*x->items))) == NULL)
        return TV_ENOMEM;
    for (size_t k = 0; k < n; k++) {
        if (m[k].status != TV_MEETING_CANCELLED)
            x->items[x->n++] = &m[k];
    }
    qsort(x->items, x->n, sizeof(*x->items), by_pair);
    return 0;
}

/* The meeting of the pair of 'like' in 'x' (not cancelled); NULL if none. */
static const tv_meeting_t *pair_in(const by_pair_t *x, const tv_meeting_t *like)
{
    size_t lo = 0, hi = x->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = pair_cmp(x->items[mid], like);

        if (c == 0)
            return x->items[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static json_t *place_json(const tv_meeting_t *m)
{
    return json_pack("{s:s, s:i}", "slot", m->slot_start, "table", (int)m->table_no);
}

/* Counts a change for both sides of 'm' in 'by' ({"company:ID": {added, moved, cancelled}}). */
static void count_change(json_t *by, const tv_meeting_t *m, const char *what)
{
    char key[80];

    for (int side = 0; side < 2; side++) {
        json_t *c;

        snprintf(key, sizeof(key), "%s:%s", side == 0 ? "company" : "investor",
                 side == 0 ? m->company_id : m->investor_id);
        c = json_object_get(by, key);
        if (c == NULL) {
            c = json_pack("{s:i, s:i, s:i}", "added", 0, "moved", 0, "cancelled", 0);
            json_object_set_new(by, key, c);
        }
        json_object_set_new(c, what,
                            json_integer(json_integer_value(json_object_get(c, what)) + 1));
    }
}

/* What publishing draft 'd' would change against the meetings 'now': meetings "added" (a
 * pair not meeting now), "moved" (from, to) and "cancelled" (meeting now, not in the draft,
 * as a save cancels them: scheduled and not pinned), and the counts "by_participant". */
static json_t *changes_json(const tv_meeting_t *d, size_t nd, const tv_meeting_t *now, size_t nn)
{
    json_t *added = json_array(), *moved = json_array(), *cancelled = json_array();
    json_t *by = json_object();
    by_pair_t in_draft = {0}, in_now = {0};

    if (by_pair_index(&in_draft, d, nd) != 0 || by_pair_index(&in_now, now, nn) != 0)
        nd = nn = 0; /* out of memory: json_pack below fails on the NULLs too */
    for (size_t k = 0; k < nd; k++) {
        const tv_meeting_t *was = pair_in(&in_now, &d[k]);
        json_t *pair =
            json_pack("{s:s, s:s}", "company_id", d[k].company_id, "investor_id", d[k].investor_id);

        if (was == NULL) {
            json_object_set_new(pair, "to", place_json(&d[k]));
            json_array_append_new(added, pair);
            count_change(by, &d[k], "added");
        } else if (was->slot_index != d[k].slot_index || was->table_no != d[k].table_no) {
            json_object_set_new(pair, "from", place_json(was));
            json_object_set_new(pair, "to", place_json(&d[k]));
            json_array_append_new(moved, pair);
            count_change(by, &d[k], "moved");
        } else {
            json_decref(pair);
        }
    }
    for (size_t k = 0; k < nn; k++) {
        if (now[k].status != TV_MEETING_SCHEDULED || now[k].pinned || pair_in(&in_draft, &now[k]))
            continue;
        json_array_append_new(
            cancelled, json_pack("{s:s, s:s, s:o}", "company_id", now[k].company_id, "investor_id",
                                 now[k].investor_id, "from", place_json(&now[k])));
        count_change(by, &now[k], "cancelled");
    }
    free(in_draft.items);
    free(in_now.items);
    return json_pack("{s:o, s:o, s:o, s:o}", "added", added, "moved", moved, "cancelled", cancelled,
                     "by_participant", by);
}

int api_h_draft_get(const api_req_t *r, api_resp_t *resp)
{
    tv_meeting_t *d = NULL, *now = NULL;
    size_t nd = 0, nn = 0;
    tv_draft_t draft = {0};
    json_t *report = NULL, *body = NULL;
    int rc;

    if (may_run(r, resp) != 0)
        return 0;
    rc = tv_store_draft_get(r->store, r->params[0], &draft);
    if (rc == 0 && (tv_codec_meetings_decode(draft.meetings, &d, &nd) != 0 ||
                    (report = json_loads(draft.report, 0, NULL)) == NULL))
        rc = TV_EDB;
    if (rc == 0)
        rc = tv_store_meetings(r->store, r->params[0], &now, &nn);
    if (rc == 0) /* its meetings are the draft's: 4.9 MB again at BIO-Europe size */
        json_object_del(report, "meetings");
    if (rc == 0)
        body = json_pack("{s:s, s:I, s:i, s:O, s:o}", "created_at", draft.created_at,
                         "base_version", (json_int_t)draft.base_version, "meetings", (int)nd,
                         "report", report, "changes", changes_json(d, nd, now, nn));
    if (rc != 0 || body == NULL)
        api_reply_error(resp, r, rc != 0 ? rc : TV_ENOMEM, tv_store_error(r->store));
    else
        api_reply_json(resp, 200, json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(6)));
    json_decref(body);
    json_decref(report);
    free(d);
    free(now);
    tv_draft_dispose(&draft);
    return 0;
}

int api_h_draft_delete(const api_req_t *r, api_resp_t *resp)
{
    int rc;

    if (may_run(r, resp) != 0)
        return 0;
    rc = tv_store_draft_delete(r->store, r->params[0]);
    if (rc != 0)
        api_reply_error(resp, r, rc, tv_store_error(r->store));
    else
        resp->status = 204;
    return 0;
}

/* Publishing saves the draft's meetings as a run would (one transaction, under the app's
 * write lock like a run); the notify job then tells the participants. */
int api_h_draft_publish(const api_req_t *r, api_resp_t *resp)
{
    char err[512] = "", *body = malloc(64);
    size_t published = 0;
    int rc;

    if (may_run(r, resp) != 0) {
        free(body);
        return 0;
    }
    pthread_mutex_lock(&r->app->write_lock);
    rc = body == NULL ? TV_ENOMEM
                      : api_schedule_publish(r->store, r->params[0], &published, err, sizeof(err));
    pthread_mutex_unlock(&r->app->write_lock);
    if (rc != 0) {
        free(body);
        api_reply_error(resp, r, rc, err);
        return 0;
    }
    snprintf(body, 64, "{\"published\":%zu}", published);
    api_reply_json(resp, 200, body);
    return 0;
}
