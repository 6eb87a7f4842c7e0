/* Prints the .ics that tv_calendar_ics writes for meetings given on the command line, for
 * tests/engine/check_ics.py, which holds the expectations:
 *
 *   ics_sample NAME ZONE [UID START FOLD MINUTES SEQUENCE CANCELLED STAMP SUMMARY DESCRIPTION
 *                         LOCATION ATTENDEES]...
 *
 * START is a local wall time in ZONE ("2027-03-26T09:00"), read by tv_calendar_local_to_utc;
 * FOLD 1 takes the second occurrence of a repeated time (an hour later). MINUTES is the length,
 * STAMP the DTSTAMP in UTC seconds, an empty DESCRIPTION or LOCATION is none, and ATTENDEES
 * holds one "email name" a line. Exits 1 with the error on stderr when the engine refuses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tavolo/calendar.h"
#include "tavolo/error.h"

#define ARGS_PER_MEETING 11
#define MAX_ATTENDEES 16

typedef struct {
    char *emails[MAX_ATTENDEES + 1];
    char *names[MAX_ATTENDEES + 1];
} people_t;

/* Splits 'list' (changed in place) into e-mails and names. */
static void parse_people(char *list, people_t *p)
{
    size_t n = 0;

    for (char *line = strtok(list, "\n"); line != NULL && n < MAX_ATTENDEES;
         line = strtok(NULL, "\n")) {
        char *space = strchr(line, ' ');

        if (space != NULL)
            *space = '\0';
        p->emails[n] = line;
        p->names[n] = space != NULL ? space + 1 : NULL;
        n++;
    }
    p->emails[n] = NULL;
    p->names[n] = NULL;
}

static int parse_meeting(const char *zone, char **a, tv_cal_meeting_t *m, people_t *p)
{
    int y, mo, d, h, mi;
    int rc;

    if (sscanf(a[1], "%d-%d-%dT%d:%d", &y, &mo, &d, &h, &mi) != 5)
        return TV_EINVAL;
    rc = tv_calendar_local_to_utc(zone, y, mo, d, h, mi, &m->start_utc);
    if (rc != 0)
        return rc;
    m->uid = a[0];
    m->start_utc += atoi(a[2]) == 1 ? 3600 : 0;
    m->end_utc = m->start_utc + 60 * (int64_t)atoi(a[3]);
    m->sequence = atoi(a[4]);
    m->cancelled = atoi(a[5]);
    m->stamp_utc = strtoll(a[6], NULL, 10);
    m->summary = a[7];
    m->description = a[8][0] != '\0' ? a[8] : NULL;
    m->location = a[9][0] != '\0' ? a[9] : NULL;
    parse_people(a[10], p);
    m->attendee_emails = (const char *const *)p->emails;
    m->attendee_names = (const char *const *)p->names;
    return 0;
}

int main(int argc, char **argv)
{
    size_t n = argc > 3 ? (size_t)(argc - 3) / ARGS_PER_MEETING : 0;
    tv_cal_event_t ev = {0};
    tv_cal_meeting_t *m;
    people_t *people;
    char *ics = NULL;
    int rc = 0;

    if (argc < 3 || (argc - 3) % ARGS_PER_MEETING != 0) {
        fprintf(stderr, "usage: ics_sample NAME ZONE [%d arguments a meeting]...\n",
                ARGS_PER_MEETING);
        return 2;
    }
    ev.name = argv[1];
    ev.time_zone = argv[2];
    m = calloc(n + 1, sizeof(*m));
    people = calloc(n + 1, sizeof(*people));
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = parse_meeting(ev.time_zone, argv + 3 + i * ARGS_PER_MEETING, &m[i], &people[i]);
    if (rc == 0)
        rc = tv_calendar_ics(&ev, m, n, &ics);
    if (rc == 0)
        fwrite(ics, 1, strlen(ics), stdout);
    else
        fprintf(stderr, "ics_sample: %s\n", tv_strerror(rc));
    free(ics);
    free(people);
    free(m);
    return rc == 0 ? 0 : 1;
}
