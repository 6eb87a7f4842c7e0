/* Fuzzes event documents: tv_codec_event_decode, as `tavolo event import` and
 * PUT /v1/events/{id} read them; then, for an event that decodes, what the daemon derives
 * from it: its slots (tv_event_slots), its time zone (tv_calendar_local_to_utc) and, with one
 * meeting per request, its iCalendar agenda (api_agenda_ics, as GET .../agenda.ics).
 *
 * Checks: no crash, hang, leak or undefined behaviour; diagnostics with UTF-8 paths, never
 * TV_ENOMEM; an accepted event has ordered valid days written YYYY-MM-DD, a day that ends
 * after it starts, at least one slot, participants with ids; and when its time zone is known,
 * its agenda can be written (whatever the codec accepts, the calendar must not refuse).
 * Corpus: corpus/event/ holds fixtures/events/ cut down to a few participants and requests.
 * Run: scripts/fuzz.sh event. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agenda.h"
#include "fuzz.h"
#include "tavolo/calendar.h"
#include "tavolo/error.h"

#define MAX_MEETINGS 8

static FILE *sink; /* /dev/null: the agenda's text is not kept */

static void check_frame(const tv_event_t *e, const tv_strings_t *slots)
{
    FUZZ_CHECK(e->id != NULL && e->name != NULL && e->time_zone != NULL, "a required field");
    FUZZ_CHECK(e->days.n > 0 && slots->n > 0, "an event without days or slots");
    for (size_t i = 0; i < e->days.n; i++) {
        FUZZ_CHECK(tv_calendar_valid_date(e->days.items[i]), "an invalid day");
        /* One spelling per day: "2027-01- 1" beside "2027-01-01" would double its slots. */
        FUZZ_CHECK(fuzz_iso_date_shape(e->days.items[i]), "a day not written YYYY-MM-DD");
        FUZZ_CHECK(i == 0 || strcmp(e->days.items[i - 1], e->days.items[i]) < 0,
                   "days out of order");
    }
    FUZZ_CHECK(e->day_start_minute >= 0 && e->day_start_minute < e->day_end_minute &&
                   e->day_end_minute <= 24 * 60,
               "a day that does not end after it starts");
    FUZZ_CHECK(e->slot_minutes > 0 && e->tables > 0, "no slot length or no table");
    for (size_t i = 0; i < e->n_attendees; i++)
        FUZZ_CHECK(e->attendees[i].id != NULL, "a participant without an id");
}

/* One meeting per request (at most MAX_MEETINGS), at the slots in turn. */
static size_t make_meetings(const tv_event_t *e, const tv_strings_t *slots, tv_meeting_t *m,
                            char **names)
{
    size_t n = 0;

    for (size_t i = 0; i < e->n_requests && n < MAX_MEETINGS; i++) {
        const tv_request_t *r = &e->requests[i];

        if (strlen(r->company_id) >= sizeof(m->company_id) ||
            strlen(r->investor_id) >= sizeof(m->investor_id))
            continue; /* no profile has such an id: the import stops before a meeting */
        memset(&m[n], 0, sizeof(m[n]));
        m[n].id = (int64_t)n + 1;
        strcpy(m[n].company_id, r->company_id);
        strcpy(m[n].investor_id, r->investor_id);
        snprintf(m[n].slot_start, sizeof(m[n].slot_start), "%s", slots->items[n % slots->n]);
        m[n].table_no = (uint32_t)(n % e->tables) + 1;
        m[n].status =
            r->status == TV_REQUEST_DECLINED ? TV_MEETING_CANCELLED : TV_MEETING_SCHEDULED;
        names[2 * n] = r->company_id;
        names[2 * n + 1] = r->message != NULL ? r->message : r->investor_id;
        n++;
    }
    return n;
}

static void check_agenda(const tv_event_t *e, const tv_strings_t *slots)
{
    tv_meeting_t m[MAX_MEETINGS];
    char *names[2 * MAX_MEETINGS];
    int64_t utc;
    size_t n;

    if (tv_calendar_local_to_utc(e->time_zone, 2027, 1, 1, 0, 0, &utc) != 0)
        return; /* an unknown zone: the daemon refuses the event after decoding it */
    n = make_meetings(e, slots, m, names);
    FUZZ_CHECK(api_agenda_ics(e, m, n, names, sink) == 0,
               "the agenda of an accepted event cannot be written");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    sink = fopen("/dev/null", "w");
    FUZZ_CHECK(sink != NULL, "/dev/null cannot be opened");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tv_diags_t diags = {0};
    tv_strings_t slots = {0};
    tv_event_t e;
    int rc = tv_codec_event_decode((const char *)data, size, &e, &diags);

    fuzz_check_api_diags(rc, &diags);
    FUZZ_CHECK(rc == 0 || rc == TV_EPARSE || rc == TV_EINVAL, "an undocumented return code");
    FUZZ_CHECK(rc != 0 || diags.n == 0, "an event accepted with diagnostics");
    if (rc == 0) {
        FUZZ_CHECK(tv_event_slots(&e, &slots) == 0, "the slots of an accepted event");
        check_frame(&e, &slots);
        check_agenda(&e, &slots);
        tv_strings_free(&slots);
        tv_event_dispose(&e);
    }
    tv_diags_dispose(&diags);
    return 0;
}
