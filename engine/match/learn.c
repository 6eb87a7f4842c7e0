/* Moving an investor's thesis by what it said yes and no to: the difference of two means, as in
 * Rocchio's relevance feedback, taken on the companies' own forward vectors, block by block. */
#include <math.h>
#include <string.h>

#include "core/internal.h"
#include "learn.h"

/* The blocks a thesis learns in: what a company does. Stages, rounds, tickets and places an
 * investor states outright (and the masks enforce); a few answers cannot tell a pattern in
 * them from chance. */
static const tv_block_t taught_blocks[] = {TV_BLOCK_TAXONOMY, TV_BLOCK_TEXT};

/* Adds the rows judged 'sign' (+1 or -1) into 'sum' (dim doubles); returns how many there were. */
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

/* Keeps of 'direction' (dim doubles) only the taught blocks; returns its squared length there. */
static double keep_taught(const tv__layout_t *layout, double *direction)
{
    double length = 0;

    for (int b = 0; b < TV_FORWARD_BLOCKS; b++) {
        size_t from = layout->offset[b], to = from + layout->width[b];
        int taught = 0;

        for (size_t k = 0; k < TV__ARRAY_LEN(taught_blocks); k++)
            taught |= taught_blocks[k] == (tv_block_t)b;
        for (size_t d = from; d < to; d++) {
            direction[d] = taught ? direction[d] : 0;
            length += direction[d] * direction[d];
        }
    }
    return length;
}

int tv__learn_thesis(const tv__layout_t *layout, const float *companies, size_t n,
                     const float *thesis, const tv_signals_t *learned, float share, float prior,
                     float *out)
{
    size_t dim = layout->dim, n_yes, n_no, fewer;
    double *yes = tv__calloc(2 * dim + 1, sizeof(double)), *no = yes + dim;
    double length = 0, gap = 0, step;

    if (yes == NULL)
        return TV_ENOMEM;
    memcpy(out, thesis, dim * sizeof(float));
    n_yes = learned != NULL ? sum_judged(companies, n, dim, learned, 1, yes) : 0;
    n_no = learned != NULL ? sum_judged(companies, n, dim, learned, -1, no) : 0;
    fewer = n_yes < n_no ? n_yes : n_no;
    for (size_t d = 0; fewer > 0 && d < dim; d++) {
        yes[d] = yes[d] / (double)n_yes - no[d] / (double)n_no; /* the direction, from no to yes */
        length += (double)thesis[d] * thesis[d];
    }
    if (fewer > 0)
        gap = keep_taught(layout, yes);
    if (share > 0 && gap > 0) {
        step = share * sqrt(length / gap) * (double)fewer / ((double)fewer + prior);
        for (size_t d = 0; d < dim; d++)
            out[d] = (float)(thesis[d] + step * yes[d]);
    }
    tv__free(yes);
    return 0;
}
