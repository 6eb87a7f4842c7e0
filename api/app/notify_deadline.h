/* The request deadline of an event (issue 15, decision 0046): when requests close. */
#ifndef API_NOTIFY_DEADLINE_H
#define API_NOTIFY_DEADLINE_H

#include <stdint.h>

#include "notify_job.h"

/* The instant (UTC seconds) from which an event accepts no request and its pending requests
 * expire: for a date ("2027-01-06") the end of that day in 'time_zone' (the next local
 * midnight), for a time the instant it names (a local time read in 'time_zone'). Returns 0;
 * TV_ENOTFOUND when 'deadline' is NULL or empty (no deadline); TV_EINVAL for one that is not a
 * date or a time, or an unknown zone. */
int api_request_deadline(const char *time_zone, const char *deadline, int64_t *closes);

/* 1 when requests of an event with this deadline are closed at 'now', else 0 (no deadline, or
 * one that cannot be read: the codec refuses those, so a stored event has none). */
int api_requests_closed(const char *time_zone, const char *deadline, int64_t now);

/* The deadline part of the notify job, inside its transaction: expires the pending requests
 * past their event's deadline, tells asked sides a day before it, and reminds sides the day
 * before their first meeting. */
int api__notify_deadlines(job_t *j);

#endif
