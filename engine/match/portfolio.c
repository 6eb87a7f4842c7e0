/* The portfolio block: an investor's past deals as a density over place x round size.
 *
 * A company is one point of that space, and so is each holding of an investor. Their kernel
 * is the product of two factor kernels:
 * - place: the cosine of place vectors where the city lights 1 and the state or region
 *   'subdivision' (at 2, two cities of one state fit 4/5);
 * - round size: hat functions over 'ticket_bands' log-spaced bands between the ticket bounds,
 *   1 for the same size and 0 two bands apart.
 * Each factor is a short list of (key, value) whose dot product is its kernel, so the joint
 * kernel is the dot product of their tensor product, feature-hashed with a sign bit into the
 * block's slots (collisions cancel on average). An investor's block is the sum of its
 * holdings' points, each weighted by recency as in the activity factor; like every block it
 * is then normalised, so the score is the cosine between the company and where and at what
 * size the investor has been putting its money. A profile with no place or no size has no
 * point: the locality and ticket blocks still weigh each apart. */
#include <ctype.h>
#include <math.h>
#include <string.h>
#include <xxhash.h>

#include "features_internal.h"
#include "core/internal.h"

typedef struct {
    uint64_t key;
    float value;
} factor_entry_t;

typedef struct {
    factor_entry_t e[2];
    size_t n;
} factor_t;

static void factor_add(factor_t *f, uint64_t key, double value)
{
    if (value > 0 && f->n < 2)
        f->e[f->n++] = (factor_entry_t){key, (float)value};
}

/* Unit length, so that a profile fits itself fully whatever it leaves out. */
static void factor_normalise(factor_t *f)
{
    double sum = 0;

    for (size_t i = 0; i < f->n; i++)
        sum += (double)f->e[i].value * f->e[i].value;
    for (size_t i = 0; i < f->n && sum > 0; i++)
        f->e[i].value = (float)(f->e[i].value / sqrt(sum));
}

uint64_t tv__place_hash(const char *name, uint64_t level)
{
    char key[128];
    size_t n = 0;

    for (; name[n] != '\0' && n < sizeof(key); n++)
        key[n] = (char)tolower((unsigned char)name[n]);
    return XXH64(key, n, level);
}

/* The city lights 1, the state or region 'portfolio.subdivision'. */
static void place_factor(const tv_match_config_t *cfg, const char *city, const char *subdivision,
                         factor_t *out)
{
    out->n = 0;
    if (city != NULL && city[0] != '\0')
        factor_add(out, tv__place_hash(city, TV__PLACE_CITY), 1);
    if (subdivision != NULL && subdivision[0] != '\0')
        factor_add(out, tv__place_hash(subdivision, TV__PLACE_SUBDIVISION),
                   cfg->portfolio.subdivision);
    factor_normalise(out);
}

/* Two neighbouring bands share an amount by its place between them. */
static void size_factor(const tv_match_config_t *cfg, int64_t eur, factor_t *out)
{
    double lo = log((double)cfg->ticket_low_eur), hi = log((double)cfg->ticket_high_eur);
    double last = cfg->portfolio.ticket_bands - 1, x, t;
    uint64_t band;

    out->n = 0;
    if (eur == TV_UNKNOWN)
        return;
    x = (log((double)(eur > 1 ? eur : 1)) - lo) / (hi - lo) * last;
    x = x < 0 ? 0 : x > last ? last : x;
    band = (uint64_t)floor(x);
    t = x - (double)band;
    factor_add(out, band, 1 - t);
    factor_add(out, band + 1, t);
    factor_normalise(out);
}

void tv__portfolio_add(const tv_match_config_t *cfg, const char *city, const char *subdivision,
                       int64_t eur, float weight, float *block)
{
    factor_t p, s;

    if (cfg->portfolio.width == 0 || weight <= 0)
        return;
    place_factor(cfg, city, subdivision, &p);
    size_factor(cfg, eur, &s);
    for (size_t a = 0; a < p.n; a++) {
        for (size_t b = 0; b < s.n; b++) {
            uint64_t key[2] = {p.e[a].key, s.e[b].key};
            uint64_t h = XXH64(key, sizeof(key), 0);
            float v = weight * p.e[a].value * s.e[b].value;

            block[(h >> 1) % cfg->portfolio.width] += (h & 1) ? -v : v;
        }
    }
}
