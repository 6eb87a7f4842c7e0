/* tavolo/event.h: a partnering event as organisers describe it: days, slots, tables, the
 * companies and investors attending, their limits and availability, meeting requests. */
#ifndef TV_EVENT_H
#define TV_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "tavolo/profile.h"

typedef struct {
    char *name;
    char *email;
    char language[3]; /* "it", "en", or "" when the file gives none (the event's applies) */
} tv_person_t;

typedef struct {
    tv_profile_kind_t kind;
    char *id;
    uint32_t max_meetings;
    uint32_t min_meetings;
    tv_strings_t unavailable; /* local slot starts "YYYY-MM-DDTHH:MM" the party cannot do */
    tv_person_t *people;
    size_t n_people;
} tv_attendee_t;

typedef enum { TV_REQUEST_PENDING, TV_REQUEST_ACCEPTED, TV_REQUEST_DECLINED } tv_request_status_t;

typedef struct {
    char *company_id;
    char *investor_id;
    tv_profile_kind_t from; /* who asked */
    int must;               /* priority "must" (1) or "want" (0) */
    char *message;          /* or NULL */
    tv_request_status_t status;
} tv_request_t;

typedef struct {
    int start_minute, end_minute; /* minutes after midnight, local */
} tv_break_t;

typedef struct {
    char *id;
    char *name;
    char *city;
    char *time_zone;   /* IANA */
    tv_strings_t days; /* "YYYY-MM-DD", in order */
    int day_start_minute, day_end_minute, slot_minutes;
    tv_break_t *breaks;
    size_t n_breaks;
    uint32_t tables;        /* meeting places in every slot */
    char *request_deadline; /* ISO 8601, or NULL */
    char language[3];       /* its people's default language: "it", "en", or "" for none */
    uint32_t default_max_meetings;
    tv_attendee_t *attendees;
    size_t n_attendees;
    tv_request_t *requests;
    size_t n_requests;
} tv_event_t;

typedef enum {
    TV_MEETING_SCHEDULED,
    TV_MEETING_LOCKED,
    TV_MEETING_CANCELLED,
    TV_MEETING_HELD,
    TV_MEETING_NO_SHOW
} tv_meeting_status_t;

/* A meeting as stored. Its id stays across re-runs of the scheduler. */
typedef struct {
    int64_t id;
    char company_id[65];
    char investor_id[65];
    uint32_t slot_index;
    char slot_start[20]; /* local "YYYY-MM-DDTHH:MM" */
    uint32_t table_no;
    float score;
    int origin; /* tv_origin_t of tavolo/schedule.h */
    tv_meeting_status_t status;
    int32_t sequence;
    int64_t updated_utc;
    int pinned; /* 1: put, moved or cancelled by hand: no scheduler run changes it */
} tv_meeting_t;

/* "scheduled", "locked", ...; parse returns -1 for anything else. */
const char *tv_meeting_status_name(tv_meeting_status_t s);
int tv_meeting_status_parse(const char *name);

void tv_event_init(tv_event_t *e);
void tv_event_dispose(tv_event_t *e);

/* The local start times of the event's slots ("YYYY-MM-DDTHH:MM"), every slot_minutes from
 * day start to day end on each day, skipping those overlapping a break. '*out' is allocated
 * (free with tv_strings_free) and written only on success. TV_EINVAL for a frame the codec
 * refuses: slot_minutes not above 0, day_start or day_end outside 00:00..24:00 or not in
 * order, a day that is not "YYYY-MM-DD"; TV_ENOMEM. */
int tv_event_slots(const tv_event_t *e, tv_strings_t *out);

/* Finds the slot of 'e' that starts at 'text': its local name "YYYY-MM-DDTHH:MM", or any time
 * tv_calendar_parse_time reads in the event's zone, such as "2027-01-11T10:00:00-08:00" (the
 * form meetings are listed in) or the same instant with another offset. Returns 0 and writes the
 * slot's index, as tv_event_slots counts them, to '*index'; TV_ENOTFOUND when no slot starts at
 * that instant; TV_EINVAL when 'text' is not such a time; TV_ENOMEM. */
int tv_event_slot_find(const tv_event_t *e, const char *text, size_t *index);

/* The instant, in seconds since the epoch, at which the slot named 'name' ("YYYY-MM-DDTHH:MM")
 * starts in the event's zone. TV_EINVAL for another shape, TV_ERANGE for a local time the
 * zone skips or repeats. */
int tv_event_slot_instant(const tv_event_t *e, const char *name, int64_t *out);

/* 1 when the event file does not mark the attendee of 'kind' and 'id' unavailable at slot
 * 'name' (an id the file does not list is free), else 0. */
int tv_event_attendee_free(const tv_event_t *e, tv_profile_kind_t kind, const char *id,
                           const char *name);

void tv_strings_free(tv_strings_t *s);

#endif
