/* Running the scheduler for a stored event, shared by `tavolo schedule` and the API: reads
 * the event, its accepted requests and its locked meetings, adds the best recommended pairs
 * among its participants, selects and places, saves the meetings, and reports. */
#ifndef API_SCHEDULING_H
#define API_SCHEDULING_H

#include "tavolo/match.h"
#include "tavolo/store.h"

/* How many recommended investors per participating company are offered to the selection:
 * this many times the company's max_meetings. */
#define API_RECOMMEND_FACTOR 3

/* Schedules event 'event_id' and writes the report as JSON into '*report' (free()): total
 * score, upper bound, ratio, meetings (slot as local ISO 8601 time, table, ids, score,
 * origin, status), unplaced ones with reasons, meetings per participant. The matcher must
 * not change meanwhile (hold its lock shared). */
int api_schedule_event(tv_store_t *st, const tv_taxonomy_t *tax, const tv_matcher_t *m,
                       const char *event_id, char **report);

/* Loads and decodes a stored event. */
int api_load_event(tv_store_t *st, const char *event_id, tv_event_t *out);

#endif
