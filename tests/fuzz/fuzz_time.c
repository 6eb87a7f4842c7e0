/* Fuzzes times written by people: tv_calendar_parse_time, which reads a meeting's new slot
 * (PATCH /v1/events/{id}/meetings/{mid}) and an event's request_deadline, and
 * tv_event_slot_find, which turns such a time into a slot of an event. The input is
 * "ZONE\nTEXT": an IANA zone name, then the time.
 *
 * Checks: no crash, leak or undefined behaviour; results as documented; an instant read
 * comes back the same when written with tv_calendar_format_local and read again; a slot found
 * is one of the event's, and its own name leads back to it.
 * Corpus: corpus/time/ holds local times, UTC offsets and "Z", DST gaps and overlaps, in
 * several zones. Run: scripts/fuzz.sh time. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tavolo/calendar.h"
#include "tavolo/error.h"
#include "tavolo/event.h"

static tv_event_t event;   /* fixtures/events/jpm-2027.json: three days in Los Angeles */
static tv_strings_t slots; /* its slots */

static void check_parse(const char *zone, const char *text)
{
    char again[40];
    int64_t utc = 0, back = 0;
    int rc = tv_calendar_parse_time(zone, text, &utc);

    FUZZ_CHECK(rc == 0 || rc == TV_EINVAL || rc == TV_ERANGE, "an undocumented return code");
    if (rc != 0)
        return;
    FUZZ_CHECK(tv_calendar_format_local(zone, utc, again, sizeof(again)) == 0 ||
                   tv_calendar_format_local("Etc/UTC", utc, again, sizeof(again)) == 0,
               "an instant read that cannot be written");
    /* Offsets with seconds (before 1973 in a few zones) are written but not read. */
    if (strlen(again) == 25 && tv_calendar_parse_time(zone, again, &back) == 0)
        FUZZ_CHECK(back == utc, "an instant written and read again moves");
}

static void check_slot(const char *text)
{
    size_t index = (size_t)-1, again = (size_t)-1;
    int rc = tv_event_slot_find(&event, text, &index);

    FUZZ_CHECK(rc == 0 || rc == TV_ENOTFOUND || rc == TV_EINVAL, "an undocumented return code");
    if (rc != 0)
        return;
    FUZZ_CHECK(index < slots.n, "a slot index out of range");
    FUZZ_CHECK(tv_event_slot_find(&event, slots.items[index], &again) == 0 && again == index,
               "a slot's own name does not find it");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    tv_diags_t diags = {0};
    size_t len;
    char *json = fuzz_read_fixture("events/jpm-2027.json", &len);

    (void)argc;
    (void)argv;
    FUZZ_CHECK(tv_codec_event_decode(json, len, &event, &diags) == 0, "fixtures/events/jpm-2027");
    FUZZ_CHECK(tv_event_slots(&event, &slots) == 0 && slots.n > 0, "its slots");
    tv_diags_dispose(&diags);
    free(json);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *zone = fuzz_strndup(data, size), *text = strchr(zone, '\n');

    if (text != NULL) {
        *text++ = '\0';
        check_parse(zone, text);
        check_slot(text);
    }
    free(zone);
    return 0;
}
