/* Events: initialisation, disposal, and the slots their days make. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
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

int tv_event_slots(const tv_event_t *e, tv_strings_t *out)
{
    size_t per_day = e->slot_minutes > 0
                         ? (size_t)((e->day_end_minute - e->day_start_minute) / e->slot_minutes)
                         : 0;
    tv_strings_t s = {tv__calloc(per_day * e->days.n + 1, sizeof(char *)), 0};

    if (s.items == NULL)
        return TV_ENOMEM;
    for (size_t d = 0; d < e->days.n; d++) {
        for (int m = e->day_start_minute; m + e->slot_minutes <= e->day_end_minute;
             m += e->slot_minutes) {
            char buf[32];

            if (in_break(e, m, m + e->slot_minutes))
                continue;
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
