/* Loading what matching needs: its configuration and every stored profile. Shared by the
 * subcommands and `tavolo serve`; what goes wrong is left in 'notes', never printed. */
#ifndef API_LOADER_H
#define API_LOADER_H

#include <stddef.h>

#include "app.h"
#include "tavolo/match.h"
#include "tavolo/store.h"
#include "tavolo/taxonomy.h"

/* Loads the matching configuration: fixtures/match.json (or $TAVOLO_MATCH_CONFIG), then the
 * file 'overrides' (may be NULL), then each "name=value" of 'sets' (n_sets of them). Returns 0
 * or a TV_E* code with notes saying which file, setting or field is wrong. */
int app_load_match_config(const char *overrides, char *const *sets, size_t n_sets,
                          tv_match_config_t *out, app_notes_t *notes);

/* Loads every stored profile, as of one snapshot, into a new matcher and builds it. The
 * snapshot's text goes to '*snapshot' (malloc'd) unless it is NULL: the change feed starts
 * there (tavolo/feed.h). Returns 0 or a TV_E* code with notes (a stored profile that no longer
 * decodes is named with its diagnostics). */
int app_load_matcher(tv_store_t *st, const tv_taxonomy_t *tax, const tv_match_config_t *cfg,
                     tv_matcher_t **out, char **snapshot, app_notes_t *notes);

#endif
