/* tavolo/availability.h: a participant's own unavailable slots at an event, written without the
 * rest of the event file (decision 0053). Calls block, like every store call. */
#ifndef TV_AVAILABILITY_H
#define TV_AVAILABILITY_H

#include <stddef.h>

#include "tavolo/event.h"
#include "tavolo/store.h"

/* Replaces the unavailable slots of participant ('kind', 'id') of event 'event_id' with
 * 'unavailable' (a JSON array of local slot starts, checked by the caller), in the stored event
 * file and in the participant's row, in one transaction that holds the event's row lock, as an
 * import does. The change is a compare-and-set: it is written only if the stored file, its
 * participants and requests aside, still equals 'frame' (JSON) and the participant's slots still
 * equal 'expected' (JSON, "[]" when the file gives none); otherwise nothing is written and
 * TV_ESTALE returned, so that the caller checks the list again against the event as it is now.
 * The other participants' entries are never read into the write, so a concurrent change of
 * theirs is kept. A real change raises the event's meetings_version (a schedule made from the old
 * slots is not saved over it) and, through the triggers of migration 010, rings the change feed.
 * '*affected' (free()) gets the participant's meetings, not cancelled, in slots that the change
 * makes unavailable, read inside the transaction; with TV_IMPORT_DRY_RUN in 'flags' the
 * transaction is rolled back: the same answer, nothing written. TV_ENOTFOUND for no such event. */
int tv_store_availability_put(tv_store_t *st, const char *event_id, tv_profile_kind_t kind,
                              const char *id, const char *frame, const char *expected,
                              const char *unavailable, int flags, tv_meeting_t **affected,
                              size_t *n_affected);

#endif
