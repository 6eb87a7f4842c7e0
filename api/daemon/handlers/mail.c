/* The mail queue as JSON (GET /v1/mail): what was queued, sent and failed, with the relay's last
 * reply; never the bodies. An admin lists all messages, an organiser its event's. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../query.h"
#include "../reply.h"
#include "handlers.h"
#include "tavolo/profile.h"

#define LIST_DEFAULT 50
#define LIST_MAX 500

typedef struct {
    json_t *items;
    int64_t last;
} mail_rows_t;

/* One row (id, message_id, kind, event_id, recipient_email, status, attempts, last_reply,
 * created_at, next_attempt_at, sent_at). */
static int add_row(void *ctx, const char *const *c, int n)
{
    mail_rows_t *rows = ctx;

    (void)n;
    rows->last = strtoll(c[0], NULL, 10);
    return json_array_append_new(
        rows->items, json_pack("{s:I, s:s, s:s, s:s?, s:s, s:s, s:i, s:s?, s:s, s:s?, s:s?}", "id",
                               (json_int_t)rows->last, "message_id", c[1], "kind", c[2], "event_id",
                               c[3], "recipient", c[4], "status", c[5], "attempts", atoi(c[6]),
                               "last_reply", c[7], "created_at", c[8], "next_attempt_at",
                               strcmp(c[5], "queued") == 0 ? c[9] : NULL, "sent_at", c[10]));
}

/* Reads the query into 'f' ('event' and 'status' hold the strings); replies and returns -1 when
 * a parameter is bad or the event is not the caller's. */
static int read_filter(const api_req_t *r, api_resp_t *resp, tv_mail_filter_t *f, char *event,
                       char *status)
{
    const api_principal_t *p = &r->principal;
    const char *bad = NULL, *expected = NULL;
    long limit, after;

    if (api_query_int(r->query, "limit", 1, LIST_MAX, LIST_DEFAULT, &limit) != 0)
        bad = "limit", expected = "an integer from 1 to 500";
    else if (api_query_int(r->query, "after", 0, INT64_MAX, 0, &after) != 0)
        bad = "after", expected = "a message id";
    else if (api_query_get(r->query, "event", event, 72) < 0 ||
             (event[0] != '\0' && !tv_id_valid(event)))
        bad = "event", expected = "an event id";
    else if (api_query_get(r->query, "status", status, 16) < 0 ||
             (status[0] != '\0' && strcmp(status, "queued") != 0 &&
              strcmp(status, "sending") != 0 && strcmp(status, "sent") != 0 &&
              strcmp(status, "failed") != 0))
        bad = "status", expected = "queued, sending, sent or failed";
    if (bad != NULL) {
        api_reply_bad_parameter(resp, r, bad, expected);
        return -1;
    }
    if (p->role == API_ROLE_ORGANISER && event[0] != '\0' && strcmp(event, p->event_id) != 0) {
        api_reply_problem(resp, r, 403, "forbidden", NULL,
                          "this token may not see the mail of event \"%s\"", event);
        return -1;
    }
    f->event_id = p->role == API_ROLE_ORGANISER ? p->event_id : event[0] != '\0' ? event : NULL;
    f->status = status[0] != '\0' ? status : NULL;
    f->after = after;
    f->limit = (int)limit + 1; /* one more tells whether there is a next page */
    return 0;
}

int api_h_mail_list(const api_req_t *r, api_resp_t *resp)
{
    char event[72] = "", status[16] = "";
    tv_mail_filter_t f = {0};
    mail_rows_t rows = {NULL, 0};
    json_t *body, *next = json_null();
    int rc;

    if (r->principal.role != API_ROLE_ADMIN && r->principal.role != API_ROLE_ORGANISER) {
        api_reply_problem(resp, r, 403, "forbidden", NULL,
                          "only an admin or an organiser may list mail");
        return 0;
    }
    if (read_filter(r, resp, &f, event, status) != 0)
        return 0;
    if (r->store == NULL) {
        api_reply_error(resp, r, TV_EUNAVAIL, "");
        return 0;
    }
    rows.items = json_array();
    rc = tv_store_mail_list(r->store, &f, add_row, &rows);
    if (rc != 0) {
        json_decref(rows.items);
        api_reply_error(resp, r, rc, tv_store_error(r->store));
        return 0;
    }
    if (json_array_size(rows.items) == (size_t)f.limit) {
        json_array_remove(rows.items, json_array_size(rows.items) - 1);
        next = json_integer(json_integer_value(
            json_object_get(json_array_get(rows.items, json_array_size(rows.items) - 1), "id")));
    }
    body = json_pack("{s:o, s:o}", "items", rows.items, "next", next);
    api_reply_json(resp, 200, json_dumps(body, JSON_COMPACT));
    json_decref(body);
    return 0;
}
