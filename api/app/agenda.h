/* Agendas: an event's meetings as iCalendar (RFC 5545) or as a CSV per table. */
#ifndef API_AGENDA_H
#define API_AGENDA_H

#include <stdio.h>

#include "tavolo/calendar.h"
#include "tavolo/event.h"
#include "tavolo/store.h"
#include "tavolo/taxonomy.h"

/* Keeps, in place, the meetings of 'participant' (NULL: all); cancelled ones only when
 * 'cancelled' (calendars need them to drop a meeting). Returns how many remain. */
size_t api_agenda_select(tv_meeting_t *m, size_t n, const char *participant, int cancelled);

/* The names of both sides of each meeting: '*out' holds 2n strings (company, investor), ids
 * when a profile is gone; free each and the array. */
int api_agenda_names(tv_store_t *st, const tv_taxonomy_t *tax, const tv_meeting_t *m, size_t n,
                     char ***out);

/* Writes the meetings as an iCalendar file in the event's time zone. */
int api_agenda_ics(const tv_event_t *e, const tv_meeting_t *m, size_t n, char **names, FILE *out);

/* The same with the calendar's iTIP method and organiser from 'ev' (its name and zone are the
 * event's), for messages to the attendees (notify.c). */
int api_agenda_itip(const tv_event_t *e, const tv_cal_event_t *ev, const tv_meeting_t *m, size_t n,
                    char **names, FILE *out);

/* One event's part of a calendar feed: its meetings and their names (as api_agenda_names
 * makes them). */
typedef struct {
    const tv_event_t *e;
    const tv_meeting_t *m;
    size_t n;
    char **names;
} api_agenda_part_t;

/* Writes a profile's calendar feed (decision 0054): one VCALENDAR (X-WR-CALNAME 'title') of
 * the meetings of the 'k' parts, one VEVENT each as api_agenda_ics writes it, except that no
 * e-mail address is listed: the people of both sides are named in the DESCRIPTION. With one
 * part the times are in its event's zone, with several in UTC (Etc/UTC). */
int api_agenda_feed(const char *title, const api_agenda_part_t *parts, size_t k, FILE *out);

/* Writes one row per meeting, by table then slot: the venue's tables.csv. */
int api_agenda_csv(const tv_meeting_t *m, size_t n, char **names, FILE *out);

/* Writes one row per meeting, by slot then table: id, local start and end, table, both sides'
 * ids and names, status, pinned; the organisers' meetings.csv. */
int api_agenda_meetings_csv(const tv_event_t *e, const tv_meeting_t *m, size_t n, char **names,
                            FILE *out);

#endif
