/* Feature vectors of profiles (DESIGN.md, "Feature vectors and the score"); private to the
 * engine, used by the matcher. Each block is L2-normalised and scaled by the square root of
 * its weight, so a dot product of two vectors is the weighted sum of the blocks' cosines. */
#ifndef TV_FEATURES_INTERNAL_H
#define TV_FEATURES_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "tavolo/match.h"
#include "tavolo/text.h"

typedef struct {
    size_t offset[TV_BLOCK_COUNT]; /* forward blocks in the forward vector, reverse in reverse */
    size_t width[TV_BLOCK_COUNT];
    size_t dim, dim_rev;
} tv__layout_t;

typedef struct tv__features tv__features_t;

/* A place name's hash, case aside, one family per level: the locality and portfolio blocks
 * key places alike. */
enum { TV__PLACE_CITY, TV__PLACE_SUBDIVISION };
uint64_t tv__place_hash(const char *name, uint64_t level);

/* Adds 'weight' times the portfolio-block point of a profile (its city and state, either NULL
 * or empty when unknown, and its round size or TV_UNKNOWN) to 'block' (portfolio.width
 * floats); see portfolio.c. */
void tv__portfolio_add(const tv_match_config_t *cfg, const char *city, const char *subdivision,
                       int64_t eur, float weight, float *block);

int tv__features_create(const tv_taxonomy_t *t, const tv_match_config_t *cfg, tv__features_t **out);
void tv__features_destroy(tv__features_t *f);

const tv__layout_t *tv__features_layout(const tv__features_t *f);

/* Analyses a description or thesis; see tv_text_analyse. */
int tv__features_analyse(const tv__features_t *f, const char *text, const char *lang,
                         tv_bag_t *out);

/* Counts one document towards the text statistics (before the first vector is built). */
int tv__features_count_text(tv__features_t *f, const tv_bag_t *bag);

/* Records who co-invested with whom from the companies' existing investors. */
int tv__features_fit_syndicates(tv__features_t *f, const tv_company_t *companies, size_t n);

/* Fits the activity scale: the corpus's latest holding year and its busiest investor. */
void tv__features_fit_activity(tv__features_t *f, const tv_investor_t *investors, size_t n);

/* The factor, from 1 - activity_share (no recent deals) to 1 (the busiest investor), that
 * scales an investor's forward vector: its fit times its track record. 1 when the corpus
 * has no deals, or the investor has no portfolio on file (unknown is not fail). */
float tv__features_activity(const tv__features_t *f, const tv_investor_t *inv);

/* Builds company 'c''s forward and reverse vectors into 'fwd' (dim floats) and 'rev'
 * (dim_rev floats). 'bag' is the analysis of its description. */
int tv__features_company(const tv__features_t *f, const tv_company_t *c, const tv_bag_t *bag,
                         float *fwd, float *rev);

/* Builds an investor's vectors: its stated thesis blended with the mean of its portfolio
 * holdings (their analysed descriptions in 'holding_bags', portfolio_n of them). */
int tv__features_investor(const tv__features_t *f, const tv_investor_t *inv, const tv_bag_t *thesis,
                          const tv_bag_t *holding_bags, float *fwd, float *rev);

/* The taxonomy terms of a company as the taxonomy block sees them (ids and text concepts),
 * for explanations: writes up to 'max' into kinds/indices, returns the count. */
size_t tv__features_company_terms(const tv__features_t *f, const tv_company_t *c,
                                  const tv_bag_t *bag, tv_taxo_kind_t *kinds, uint16_t *indices,
                                  size_t max);
size_t tv__features_investor_terms(const tv__features_t *f, const tv_investor_t *inv,
                                   const tv_bag_t *thesis, tv_taxo_kind_t *kinds, uint16_t *indices,
                                   size_t max);

/* The text statistics, for explanations. */
const tv_text_df_t *tv__features_df(const tv__features_t *f);

/* The fit's quantile table: this many knots, at quantiles 0, 1/1000, ..., 1. */
#define TV__FIT_KNOTS 1001

/* Draws the fit's quantile table from the live pairs of 'in' (see tv_matcher_fit): writes
 * TV__FIT_KNOTS knots, or none when a side has no live row, and their count. */
int tv__fit_table(const tv_score_input_t *in, const uint8_t *co_alive, const uint8_t *in_alive,
                  float *knots, size_t *n_knots);

/* The fit (0 to 100) of 'score' in the table of 'n' knots (0 for an empty table). */
int tv__fit_of(const float *knots, size_t n, float score);

#endif
