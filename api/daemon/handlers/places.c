/* Where a meeting could move (issue 17): the places the server computes for a pair, so that
 * an organiser chooses among them instead of guessing until the 409s stop. A place is a slot
 * where both sides are free and a table free in it; the same rules a move is checked by
 * (events.c's PATCH, the store's unique indexes and exclusion constraints) decide it. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../access.h"
#include "../reply.h"
#include "handlers.h"
#include "scheduling.h"

/* What the pair's other commitments take: per slot, whether the company or the investor has
 * another meeting there, and which tables are taken; and their meetings at other events. */
typedef struct {
    const tv_meeting_t *m; /* the meeting to move */
    size_t n_slots;
    uint32_t tables;
    unsigned char *busy;  /* [slot]: bit 0 the company's, bit 1 the investor's */
    unsigned char *taken; /* [slot * tables + table - 1] */
    int64_t (*elsewhere)[2];
    size_t n_elsewhere, cap_elsewhere;
} busy_t;

/* A meeting at another event of one of the pair's sides. */
static int on_busy(void *ctx, tv_profile_kind_t kind, const char *id, int64_t start, int64_t end)
{
    busy_t *b = ctx;
    const char *side = kind == TV_KIND_COMPANY ? b->m->company_id : b->m->investor_id;

    if (strcmp(id, side) != 0)
        return 0;
    if (b->n_elsewhere == b->cap_elsewhere) {
        size_t cap = b->cap_elsewhere ? 2 * b->cap_elsewhere : 16;
        void *grown = realloc(b->elsewhere, cap * sizeof(*b->elsewhere));

        if (grown == NULL)
            return TV_ENOMEM;
        b->elsewhere = grown;
        b->cap_elsewhere = cap;
    }
    b->elsewhere[b->n_elsewhere][0] = start;
    b->elsewhere[b->n_elsewhere++][1] = end;
    return 0;
}

/* Marks what the event's other meetings take. */
static void mark(busy_t *b, const tv_meeting_t *all, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        const tv_meeting_t *o = &all[k];

        if (o->id == b->m->id || o->status == TV_MEETING_CANCELLED || o->slot_index >= b->n_slots)
            continue;
        if (strcmp(o->company_id, b->m->company_id) == 0)
            b->busy[o->slot_index] |= 1;
        if (strcmp(o->investor_id, b->m->investor_id) == 0)
            b->busy[o->slot_index] |= 2;
        if (o->table_no >= 1 && o->table_no <= b->tables)
            b->taken[(size_t)o->slot_index * b->tables + o->table_no - 1] = 1;
    }
}

/* 1 if [start, end) overlaps one of the pair's meetings at another event. */
static int clashes_elsewhere(const busy_t *b, int64_t start, int64_t end)
{
    for (size_t k = 0; k < b->n_elsewhere; k++) {
        if (start < b->elsewhere[k][1] && b->elsewhere[k][0] < end)
            return 1;
    }
    return 0;
}

/* The places of meeting 'm' among 'slots': [{"slot", "slot_index", "tables": [...]}]. */
static int places_json(const tv_event_t *e, const tv_strings_t *slots, const busy_t *b,
                       json_t *places)
{
    for (size_t s = 0; s < slots->n; s++) {
        const char *name = slots->items[s];
        json_t *tables;
        int64_t start;
        int rc;

        if (b->busy[s] != 0 ||
            !tv_event_attendee_free(e, TV_KIND_COMPANY, b->m->company_id, name) ||
            !tv_event_attendee_free(e, TV_KIND_INVESTOR, b->m->investor_id, name))
            continue;
        rc = tv_event_slot_instant(e, name, &start);
        if (rc != 0 || clashes_elsewhere(b, start, start + (int64_t)e->slot_minutes * 60))
            continue;
        tables = json_array();
        for (uint32_t t = 1; t <= b->tables; t++) {
            if (!b->taken[s * b->tables + t - 1] && !(s == b->m->slot_index && t == b->m->table_no))
                json_array_append_new(tables, json_integer(t));
        }
        if (json_array_size(tables) == 0) {
            json_decref(tables);
            continue;
        }
        if (json_array_append_new(places, json_pack("{s:s, s:i, s:o}", "slot", name, "slot_index",
                                                    (int)s, "tables", tables)) != 0)
            return TV_ENOMEM;
    }
    return 0;
}

int api_h_meeting_places(const api_req_t *r, api_resp_t *resp)
{
    const char *event = r->params[0];
    char *end;
    int64_t id = strtoll(r->params[1], &end, 10);
    tv_meeting_t *all = NULL, *m = NULL;
    tv_strings_t slots = {0};
    busy_t b = {0};
    tv_event_t e;
    size_t n = 0;
    json_t *places = NULL;
    int rc;

    if (!api_access_runs_event(r, event)) {
        api_reply_problem(resp, r, 403, "forbidden", NULL,
                          "only an admin or this event's organiser may move its meetings");
        return 0;
    }
    if (r->store == NULL) {
        api_reply_error(resp, r, TV_EUNAVAIL, "");
        return 0;
    }
    tv_event_init(&e);
    rc = tv_store_meetings(r->store, event, &all, &n);
    for (size_t k = 0; rc == 0 && *end == '\0' && k < n; k++) {
        if (all[k].id == id)
            m = &all[k];
    }
    if (rc == 0 && m == NULL) {
        api_reply_problem(resp, r, 404, "not-found", NULL, "event \"%s\" has no meeting %s", event,
                          r->params[1]);
        goto out;
    }
    /* the frame and the pair's parts: not the whole file (decision 0066) */
    if (rc == 0)
        rc = api_load_event_frame(r->store, event, m->company_id, m->investor_id, &e);
    if (rc == 0)
        rc = tv_event_slots(&e, &slots);
    b = (busy_t){
        m,    slots.n, e.tables, calloc(slots.n + 1, 1), calloc((size_t)slots.n * e.tables + 1, 1),
        NULL, 0,       0};
    if (rc == 0 && (b.busy == NULL || b.taken == NULL))
        rc = TV_ENOMEM;
    if (rc == 0)
        rc = tv_store_busy_elsewhere(r->store, event, on_busy, &b);
    if (rc == 0) {
        mark(&b, all, n);
        places = json_array();
        rc = places_json(&e, &slots, &b, places);
    }
    if (rc != 0) {
        api_reply_error(resp, r, rc, tv_store_error(r->store));
        goto out;
    }
    api_reply_object(resp, 200,
                     json_pack("{s:{s:I, s:s, s:i}, s:O}", "meeting", "id", (json_int_t)m->id,
                               "slot", m->slot_start, "table", (int)m->table_no, "places", places));
out:
    json_decref(places);
    free(b.busy);
    free(b.taken);
    free(b.elsewhere);
    tv_strings_free(&slots);
    free(all);
    tv_event_dispose(&e);
    return 0;
}
