/* What a side taught the matcher, as a move of an investor's thesis (see tv_matcher_rank_learned
 * and docs/matching.md, "What each side taught it"). */
#ifndef TV_LEARN_H
#define TV_LEARN_H

#include <stddef.h>

#include "features_internal.h"
#include "tavolo/match.h"

/* Writes into 'out' (layout->dim floats) the investor's 'thesis' moved toward the mean of the
 * companies it said yes to and away from the mean of those it said no to, both rows of
 * 'companies' (n x dim, row-major): in the taxonomy and text blocks (what a company does), each
 * along its own unit direction from the no-mean to the yes-mean, by 'share' of that block's
 * length times min(yes, no) / (min(yes, no) + 'prior'). Without both kinds of judgment (or with
 * share 0) 'out' is the thesis itself. Returns 0 or TV_ENOMEM. */
int tv__learn_thesis(const tv__layout_t *layout, const float *companies, size_t n,
                     const float *thesis, const tv_signals_t *learned, float share, float prior,
                     float *out);

#endif
