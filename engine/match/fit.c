/* Scores people read: the fit (a score's percentile among the pairs of a build, read from a
 * quantile table drawn from a fixed-seed sample of pairs), its level word, and the sentences of
 * a match's reasons and flags in English and Italian. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "features_internal.h"
#include "tavolo/error.h"

/* The fixed seed keeps the table, and so every fit, the same on every daemon built from the
 * same profiles. */
#define FIT_SEED 0x9e3779b97f4a7c15ull

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int compare_floats(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;

    return (x > y) - (x < y);
}

/* Lists the live rows of one side; returns how many. */
static size_t live_rows(const uint8_t *alive, size_t n, size_t *out)
{
    size_t k = 0;

    for (size_t r = 0; r < n; r++) {
        if (alive[r])
            out[k++] = r;
    }
    return k;
}

/* Scores every live pair when there are at most TV_FIT_SAMPLE of them, else TV_FIT_SAMPLE
 * pairs drawn uniformly with replacement. Returns how many scores 'out' received. */
static size_t sample_scores(const tv_score_input_t *in, const size_t *co, size_t nc,
                            const size_t *inv, size_t ni, float *out)
{
    uint64_t state = FIT_SEED;
    size_t n = 0;

    if ((double)nc * (double)ni <= TV_FIT_SAMPLE) {
        for (size_t c = 0; c < nc; c++) {
            for (size_t i = 0; i < ni; i++)
                out[n++] = tv_score_pair(in, co[c], inv[i]);
        }
        return n;
    }
    for (; n < TV_FIT_SAMPLE; n++) {
        size_t c = co[splitmix64(&state) % nc], i = inv[splitmix64(&state) % ni];

        out[n] = tv_score_pair(in, c, i);
    }
    return n;
}

int tv__fit_table(const tv_score_input_t *in, const uint8_t *co_alive, const uint8_t *in_alive,
                  float *knots, size_t *n_knots)
{
    size_t *co = tv__calloc(in->n_companies + 1, sizeof(size_t));
    size_t *inv = tv__calloc(in->n_investors + 1, sizeof(size_t));
    float *scores = tv__calloc(TV_FIT_SAMPLE, sizeof(float));
    size_t nc, ni, n;
    int rc = TV_ENOMEM;

    if (co == NULL || inv == NULL || scores == NULL)
        goto out;
    nc = live_rows(co_alive, in->n_companies, co);
    ni = live_rows(in_alive, in->n_investors, inv);
    n = sample_scores(in, co, nc, inv, ni, scores);
    qsort(scores, n, sizeof(float), compare_floats);
    *n_knots = n == 0 ? 0 : TV__FIT_KNOTS;
    for (size_t k = 0; n > 0 && k < TV__FIT_KNOTS; k++)
        knots[k] = scores[(size_t)llround((double)k * (double)(n - 1) / (TV__FIT_KNOTS - 1))];
    rc = 0;
out:
    tv__free(co);
    tv__free(inv);
    tv__free(scores);
    return rc;
}

/* The piecewise-linear CDF through the knots, right-continuous at a run of equal knots. */
int tv__fit_of(const float *knots, size_t n, float score)
{
    size_t lo = 0, hi = n, j;
    double f;

    if (n < 2 || isnan(score))
        return 0;
    while (lo < hi) { /* the first knot above 'score' */
        size_t mid = (lo + hi) / 2;

        if (knots[mid] <= score)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return 0;
    if (lo == n)
        return 100;
    j = lo - 1;
    f = ((double)j + (double)(score - knots[j]) / (double)(knots[lo] - knots[j])) / (double)(n - 1);
    return (int)floor(100.0 * f);
}

tv_level_t tv_fit_level(int fit)
{
    return fit >= 90   ? TV_LEVEL_EXCELLENT
           : fit >= 75 ? TV_LEVEL_GOOD
           : fit >= 50 ? TV_LEVEL_FAIR
                       : TV_LEVEL_WEAK;
}

static int italian(const char *lang)
{
    return lang != NULL && strcmp(lang, "it") == 0;
}

const char *tv_level_name(tv_level_t level, const char *lang)
{
    static const char *const en[] = {"weak", "fair", "good", "excellent"};
    static const char *const it[] = {"debole", "discreta", "buona", "eccellente"};

    if ((int)level < 0 || level > TV_LEVEL_EXCELLENT)
        return NULL;
    return italian(lang) ? it[level] : en[level];
}

const char *tv_block_label(tv_block_t b, const char *lang)
{
    static const char *const it[] = {"tassonomia",  "testo",     "stadio",   "round",
                                     "ticket",      "geografia", "località", "sindacato",
                                     "portafoglio", "tipo",      "regione",  "lead"};
    _Static_assert(sizeof(it) / sizeof(it[0]) == TV_BLOCK_COUNT, "one Italian name per block");

    if ((int)b < 0 || b >= TV_BLOCK_COUNT)
        return NULL;
    return italian(lang) ? it[b] : tv_block_name(b);
}

const char *tv_flag_name(int k)
{
    static const char *const names[TV_FLAG_COUNT] = {"not_eligible", "ticket", "inactive",
                                                     "portfolio_conflict"};

    return k >= 0 && k < TV_FLAG_COUNT ? names[k] : NULL;
}
