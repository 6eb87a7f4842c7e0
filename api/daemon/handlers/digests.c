/* Daily digests as JSON: a participant reads its own digest of a date; an organiser reads those
 * of its event's participants with a summary of the day; an admin reads all of them. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "../query.h"
#include "../reply.h"
#include "handlers.h"
#include "tavolo/calendar.h"

typedef struct {
    json_t *items;
    size_t sent, empty, matches, meetings, eligible;
    int bad_row;
    /* An organiser's view: the event, and its participants as {"company": {id: true, ...},
     * "investor": {...}}; NULL for everyone else. */
    const char *event;
    json_t *within;
} digest_rows_t;

/* Keeps the items of array 'key' of 'content' whose 'id_key' names a participant of 'kind' in
 * the organiser's event (and, with 'event_key', whose event is the organiser's). */
static void keep_within(const digest_rows_t *rows, json_t *content, const char *key,
                        const char *kind, const char *id_key, const char *event_key)
{
    json_t *items = json_object_get(content, key), *set = json_object_get(rows->within, kind);
    size_t i = 0;

    while (i < json_array_size(items)) {
        json_t *item = json_array_get(items, i);
        const char *id = json_string_value(json_object_get(item, id_key));
        const char *event =
            event_key != NULL ? json_string_value(json_object_get(item, event_key)) : NULL;

        if (id != NULL && json_object_get(set, id) != NULL &&
            (event_key == NULL || (event != NULL && strcmp(event, rows->event) == 0)))
            i++;
        else
            json_array_remove(items, i);
    }
}

/* An organiser sees its participants' digests as the matches API shows them: the other side
 * within its event only (matches, meetings, newly eligible companies). */
static void restrict_to_event(const digest_rows_t *rows, json_t *content)
{
    const char *kind =
        json_string_value(json_object_get(json_object_get(content, "recipient"), "kind"));
    const char *other = kind != NULL && strcmp(kind, "company") == 0 ? "investor" : "company";

    keep_within(rows, content, "matches", other, "id", NULL);
    keep_within(rows, content, "meetings", other, "with_id", "event_id");
    keep_within(rows, content, "eligible", "company", "id", NULL);
}

static int on_participant(void *ctx, tv_profile_kind_t kind, const char *id)
{
    json_t *within = ctx;

    return json_object_set_new(
        json_object_get(within, kind == TV_KIND_COMPANY ? "company" : "investor"), id, json_true());
}

/* One row (recipient_kind, recipient_id, status, content): the stored content with its
 * status. */
static int add_row(void *ctx, const char *const *cols, int n)
{
    digest_rows_t *rows = ctx;
    json_t *content = n == 4 && cols[3] != NULL ? json_loads(cols[3], 0, NULL) : NULL;

    if (!json_is_object(content)) {
        json_decref(content);
        rows->bad_row = 1;
        return 1;
    }
    if (rows->within != NULL)
        restrict_to_event(rows, content);
    json_object_set_new(content, "status", json_string(cols[2]));
    if (strcmp(cols[2], "sent") == 0)
        rows->sent++;
    else
        rows->empty++;
    rows->matches += json_array_size(json_object_get(content, "matches"));
    rows->meetings += json_array_size(json_object_get(content, "meetings"));
    rows->eligible += json_array_size(json_object_get(content, "eligible"));
    json_array_append_new(rows->items, content);
    return 0;
}

/* Which digests the caller may read: its own (kind, id), those of an event, or all. Replies
 * and returns -1 when the event asked for is not the caller's. */
static int scope(const api_req_t *r, api_resp_t *resp, const char *event, const char **kind,
                 const char **id, const char **of_event)
{
    const api_principal_t *p = &r->principal;

    *kind = *id = *of_event = NULL;
    if (p->role == API_ROLE_COMPANY || p->role == API_ROLE_INVESTOR) {
        if (event[0] != '\0') {
            api_reply_bad_parameter(resp, r, "event",
                                    "no event: a participant reads its own "
                                    "digest");
            return -1;
        }
        *kind = p->role == API_ROLE_COMPANY ? "company" : "investor";
        *id = p->subject;
    } else if (p->role == API_ROLE_ORGANISER) {
        if (event[0] != '\0' && strcmp(event, p->event_id) != 0) {
            api_reply_problem(resp, r, 403, "forbidden", NULL,
                              "this token may not see the digests of event \"%s\"", event);
            return -1;
        }
        *of_event = p->event_id;
    } else if (event[0] != '\0') {
        *of_event = event;
    }
    return 0;
}

int api_h_digest_list(const api_req_t *r, api_resp_t *resp)
{
    char date[16] = "", event[72] = "";
    const char *kind, *id, *of_event;
    digest_rows_t rows = {0};
    json_t *body;
    int rc;

    if (api_query_get(r->query, "date", date, sizeof(date)) != 1 || !tv_calendar_valid_date(date)) {
        api_reply_bad_parameter(resp, r, "date", "a date, YYYY-MM-DD");
        return 0;
    }
    if (api_query_get(r->query, "event", event, sizeof(event)) < 0) {
        api_reply_bad_parameter(resp, r, "event", "an event id");
        return 0;
    }
    if (scope(r, resp, event, &kind, &id, &of_event) != 0)
        return 0;
    if (r->store == NULL) {
        api_reply_error(resp, r, TV_EUNAVAIL, "");
        return 0;
    }
    rows.items = json_array();
    rc = 0;
    if (r->principal.role == API_ROLE_ORGANISER) {
        rows.event = of_event;
        rows.within = json_pack("{s:{}, s:{}}", "company", "investor");
        rc = tv_store_each_participant(r->store, of_event, on_participant, rows.within);
    }
    if (rc == 0)
        rc = tv_store_digest_list(r->store, date, kind, id, of_event, add_row, &rows);
    json_decref(rows.within);
    if (rc != 0 || rows.bad_row) {
        json_decref(rows.items);
        api_reply_error(resp, r, rc != 0 ? rc : TV_EDB, rc != 0 ? tv_store_error(r->store) : "");
        return 0;
    }
    body = json_pack("{s:s, s:o}", "date", date, "items", rows.items);
    if (kind == NULL)
        json_object_set_new(
            body, "summary",
            json_pack("{s:s?, s:I, s:I, s:I, s:I, s:I, s:I}", "event", of_event, "recipients",
                      (json_int_t)(rows.sent + rows.empty), "sent", (json_int_t)rows.sent, "empty",
                      (json_int_t)rows.empty, "matches", (json_int_t)rows.matches, "meetings",
                      (json_int_t)rows.meetings, "eligible", (json_int_t)rows.eligible));
    api_reply_json(resp, 200, json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(6)));
    json_decref(body);
    return 0;
}
