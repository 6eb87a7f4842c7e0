/* What a side taught the matcher (issue 18's "Learn", decision 0069): its signals read from the
 * store, then turned into matcher rows. The daemon's matches, the daily digests and `tavolo
 * match` all rank a participant's list this way. */
#ifndef API_SIGNALS_H
#define API_SIGNALS_H

#include <stddef.h>
#include <stdint.h>

#include "tavolo/match.h"
#include "tavolo/store.h"

/* Signals by ids, sorted by owner then counterpart (byte order); read without the matcher. */
typedef struct {
    char **owners, **others;
    int8_t *judged;
    uint8_t *hidden;
    size_t n, cap;
} app_signals_t;

/* Reads the signals of profile 'id' of side 'kind' (NULL: of every profile of that side) into
 * '*out' (dispose it). */
int app_signals_read(tv_store_t *st, tv_profile_kind_t kind, const char *id, app_signals_t *out);

/* Turns the signals of owner 'id' in 's' into matcher rows of the other side in '*out' (free()
 * its items), leaving out ids the matcher does not know; the matcher must be locked. */
int app_signals_rows(const app_signals_t *s, const char *id, const tv_matcher_t *m,
                     tv_profile_kind_t kind, tv_signals_t *out);

void app_signals_dispose(app_signals_t *s);

#endif
