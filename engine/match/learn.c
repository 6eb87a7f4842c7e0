/* Moving an investor's thesis by what it said yes and no to: the difference of two means,
 * as in Rocchio's relevance feedback, on the companies' own forward vectors. */
#include <math.h>
#include <string.h>

#include "core/internal.h"
#include "learn.h"

/* Sums the rows judged 'sign' into 'sum' (dim doubles); returns how many there were. */
static size_t sum_judged(const float *companies, size_t n, size_t dim, const tv_signals_t *learned,
                         int sign, double *sum)
{
    size_t count = 0;

    for (size_t s = 0; s < learned->n; s++) {
        const tv_signal_t *x = &learned->items[s];
        const float *row = companies + (size_t)x->counterpart * dim;

        if (x->judged != sign || x->counterpart >= n)
            continue;
        for (size_t d = 0; d < dim; d++)
            sum[d] += row[d];
        count++;
    }
    return count;
}

int tv__learn_thesis(const float *companies, size_t n, size_t dim, const float *thesis,
                     const tv_signals_t *learned, float share, float prior, float *out)
{
    double *yes = tv__calloc(2 * dim + 1, sizeof(double)), *no = yes + dim;
    double length = 0, gap = 0, strength;
    size_t n_yes, n_no, fewer;

    if (yes == NULL)
        return TV_ENOMEM;
    memcpy(out, thesis, dim * sizeof(float));
    n_yes = learned != NULL ? sum_judged(companies, n, dim, learned, 1, yes) : 0;
    n_no = learned != NULL ? sum_judged(companies, n, dim, learned, -1, no) : 0;
    for (size_t d = 0; d < dim && n_yes > 0 && n_no > 0; d++) {
        yes[d] = yes[d] / (double)n_yes - no[d] / (double)n_no; /* the direction, from no to yes */
        gap += yes[d] * yes[d];
        length += (double)thesis[d] * thesis[d];
    }
    fewer = n_yes < n_no ? n_yes : n_no;
    if (share > 0 && gap > 0) {
        strength = share * sqrt(length / gap) * (double)fewer / ((double)fewer + prior);
        for (size_t d = 0; d < dim; d++)
            out[d] = (float)(thesis[d] + strength * yes[d]);
    }
    tv__free(yes);
    return 0;
}
