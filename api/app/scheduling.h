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
 * origin, status), unplaced ones with reasons, meetings per participant. The meetings are
 * saved, or with 'draft' kept as the event's draft (tv_store_draft_put) and nothing else
 * written. The matcher must not change meanwhile (hold its lock shared). */
int api_schedule_event(tv_store_t *st, const tv_taxonomy_t *tax, const tv_matcher_t *m,
                       const char *event_id, int draft, char **report);

/* Publishes the event's draft: saves its meetings as a run would, unless the meetings changed
 * since it was made (TV_ECONFLICT; the draft stays), then deletes it. '*published' counts its
 * meetings. TV_ENOTFOUND when there is no draft. 'err' says what failed. */
int api_schedule_publish(tv_store_t *st, const char *event_id, size_t *published, char *err,
                         size_t err_size);

/* Loads and decodes a stored event. */
int api_load_event(tv_store_t *st, const char *event_id, tv_event_t *out);

/* Loads and decodes the event's frame (its head, no participant: tv_store_event_frame), or
 * with 'company_id' and 'investor_id' that pair as its participants
 * (tv_store_event_frame_of_pair): what the zone, the slots and tables and the checks of a
 * meeting of that pair need, without the megabytes of the whole file (decision 0066). */
int api_load_event_frame(tv_store_t *st, const char *event_id, const char *company_id,
                         const char *investor_id, tv_event_t *out);

#endif
