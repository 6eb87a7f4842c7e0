/* What came of an event's meetings, measured (issue 18, decision 0068): `tavolo report` and
 * GET /v1/events/{id}/report share it. */
#ifndef API_REPORT_H
#define API_REPORT_H

#include <stddef.h>

#include "tavolo/match.h"
#include "tavolo/store.h"

/* Below this many cases a rate is not given: "too_few" instead. */
#define API_REPORT_MIN_CASES 10

/* A pair counts as recommended when the investor is among the company's best this many of the
 * event's investors. */
#define API_REPORT_RECOMMENDED 20

/* Writes the report of event 'event_id', or with NULL of every event together (the Tour's),
 * as JSON into '*out' (free()), its "event" being 'name': "acceptance" of the decided requests
 * (accepted, declined, expired) for pairs recommended (the investor among the company's best
 * API_REPORT_RECOMMENDED of that event's investors) and not, and by fit decile;
 * "by_fit_decile" of the meetings, their mean rating and follow-up rate (the calibration of fit
 * against outcomes); "by" area, pathology, technology, investor kind and country, the
 * meetings, no-shows, follow-ups, term sheets and investments; "recall" at 5, 10 and 20 of the
 * company's recommendations among the meetings that led to a follow-up. Every figure with its
 * cases; a rate null with "too_few" below API_REPORT_MIN_CASES. 'err' names what failed. */
int api_events_report(tv_store_t *st, const tv_matcher_t *m, const char *event_id, const char *name,
                      char **out, char *err, size_t err_size);

#endif
