/* Events: initialisation, disposal, the slots their days make, and finding a slot by its start. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tavolo/calendar.h"
#include "tavolo/event.h"

void tv_event_init(tv_event_t *e)
{
    memset(e, 0, sizeof(*e));
}

void tv_strings_free(tv_strings_t *s)
{
    tv__strings_dispose(s);
}

static void attendee_dispose(tv_attendee_t *a)
{
    tv__free(a->id);
    tv__strings_dispose(&a->unavailable);
    for (size_t i = 0; i < a->n_people; i++) {
        tv__free(a->people[i].name);
        tv__free(a->people[i].email);
    }
    tv__free(a->people);
}

void tv_event_dispose(tv_event_t *e)
{
    tv__free(e->id);
    tv__free(e->name);
    tv__free(e->city);
    tv__free(e->time_zone);
    tv__free(e->request_deadline);
    tv__strings_dispose(&e->days);
    tv__free(e->breaks);
    for (size_t i = 0; i < e->n_attendees; i++)
        attendee_dispose(&e->attendees[i]);
    tv__free(e->attendees);
    for (size_t i = 0; i < e->n_requests; i++) {
        tv__free(e->requests[i].company_id);
        tv__free(e->requests[i].investor_id);
        tv__free(e->requests[i].message);
    }
    tv__free(e->requests);
    tv_event_init(e);
}

static int in_break(const tv_event_t *e, int start, int end)
{
    for (size_t b = 0; b < e->n_breaks; b++) {
        if (start < e->breaks[b].end_minute && end > e->breaks[b].start_minute)
            return 1;
    }
    return 0;
}

/* 1 when the slots of 'e' can be counted: what the codec guarantees, checked again here so that
 * a frame built by hand or decoded by a buggy caller can neither loop nor overflow. */
static int frame_ok(const tv_event_t *e)
{
    if (e->slot_minutes <= 0 || e->day_start_minute < 0 || e->day_end_minute > 24 * 60 ||
        e->day_end_minute <= e->day_start_minute || (e->days.n > 0 && e->days.items == NULL))
        return 0;
    for (size_t d = 0; d < e->days.n; d++) {
        if (e->days.items[d] == NULL || strlen(e->days.items[d]) != 10)
            return 0;
    }
    return 1;
}

int tv_event_slots(const tv_event_t *e, tv_strings_t *out)
{
    size_t per_day;
    tv_strings_t s;

    if (!frame_ok(e))
        return TV_EINVAL;
    per_day = (size_t)((e->day_end_minute - e->day_start_minute) / e->slot_minutes);
    s = (tv_strings_t){tv__calloc(per_day * e->days.n + 1, sizeof(char *)), 0};
    if (s.items == NULL)
        return TV_ENOMEM;
    for (size_t d = 0; d < e->days.n; d++) {
        for (int m = e->day_start_minute; m + e->slot_minutes <= e->day_end_minute;
             m += e->slot_minutes) {
            char buf[32];

            if (in_break(e, m, m + e->slot_minutes))
                continue;
            assert(s.n < per_day * e->days.n);
            snprintf(buf, sizeof(buf), "%.10sT%02d:%02d", e->days.items[d], m / 60, m % 60);
            s.items[s.n] = tv__strdup(buf);
            if (s.items[s.n++] == NULL) {
                tv__strings_dispose(&s);
                return TV_ENOMEM;
            }
        }
    }
    *out = s;
    return 0;
}

int tv_event_slot_instant(const tv_event_t *e, const char *name, int64_t *out)
{
    int y, mo, d, h, mi;

    if (sscanf(name, "%4d-%2d-%2dT%2d:%2d", &y, &mo, &d, &h, &mi) != 5)
        return TV_EINVAL;
    return tv_calendar_local_to_utc(e->time_zone, y, mo, d, h, mi, out);
}

int tv_event_attendee_free(const tv_event_t *e, tv_profile_kind_t kind, const char *id,
                           const char *name)
{
    for (size_t a = 0; a < e->n_attendees; a++) {
        const tv_attendee_t *at = &e->attendees[a];

        if (at->kind != kind || strcmp(at->id, id) != 0)
            continue;
        for (size_t u = 0; u < at->unavailable.n; u++) {
            if (strcmp(at->unavailable.items[u], name) == 0)
                return 0;
        }
    }
    return 1;
}

int tv_event_slot_find(const tv_event_t *e, const char *text, size_t *index)
{
    tv_strings_t slots = {NULL, 0};
    int64_t want, at;
    int rc = tv_calendar_parse_time(e->time_zone, text, &want);

    if (rc == TV_ERANGE) /* a local time that is skipped or repeated: never a slot's start */
        rc = TV_ENOTFOUND;
    if (rc == 0)
        rc = tv_event_slots(e, &slots);
    for (size_t k = 0; rc == 0 && k < slots.n; k++) {
        rc = tv_event_slot_instant(e, slots.items[k], &at);
        if (rc == 0 && at == want) {
            *index = k;
            goto out;
        }
    }
    if (rc == 0)
        rc = TV_ENOTFOUND;
out:
    tv__strings_dispose(&slots);
    return rc;
}

static const char *const status_names[] = {"scheduled", "locked", "cancelled", "held", "no_show"};

const char *tv_meeting_status_name(tv_meeting_status_t s)
{
    return status_names[s];
}

int tv_meeting_status_parse(const char *name)
{
    for (int i = 0; name != NULL && i < (int)TV__ARRAY_LEN(status_names); i++) {
        if (strcmp(status_names[i], name) == 0)
            return i;
    }
    return -1;
}
