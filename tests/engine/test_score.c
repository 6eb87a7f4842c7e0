/* Tests engine/score.c: exact scores against a double-precision reference, every list against
 * a full sort with the same tie rule, masks, one-row ranking, tile edges. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "tavolo/score.h"

typedef struct {
    size_t n, m, dim, dim_rev, tile_c, tile_i;
    int with_rev, with_mask, with_ties;
} shape_t;

typedef struct {
    float *c, *i, *cr, *ir;
    tv_score_input_t in;
} data_t;

static uint64_t rng = 88172645463325252u;

static float frand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (float)(rng >> 11) / (float)(1ull << 53);
}

/* Rows of non-negative values scaled to unit length, as feature vectors are. With 'ties' 1,
 * values come from a coarse grid so that equal scores happen; with 2, every row is the same,
 * so every pair ties. */
static float *random_rows(size_t rows, size_t dim, int ties)
{
    float *m = malloc(rows * dim * sizeof(float) + 1);

    for (size_t r = 0; r < rows; r++) {
        double norm = 0;

        for (size_t d = 0; d < dim; d++) {
            float v = ties == 2 ? 1.0f : ties ? (float)(int)(frand() * 3) : frand();

            m[r * dim + d] = v;
            norm += (double)v * v;
        }
        for (size_t d = 0; d < dim && norm > 0; d++)
            m[r * dim + d] /= (float)sqrt(norm);
    }
    return m;
}

/* Disallows about one pair in seven, deterministically. */
static int allow_some(void *ctx, size_t c, size_t i)
{
    (void)ctx;
    return (c * 31 + i * 17) % 7 != 3;
}

static void make(const shape_t *s, data_t *d)
{
    memset(d, 0, sizeof(*d));
    d->c = random_rows(s->n, s->dim, s->with_ties);
    d->i = random_rows(s->m, s->dim, s->with_ties);
    if (s->with_rev) {
        d->cr = random_rows(s->n, s->dim_rev, s->with_ties);
        d->ir = random_rows(s->m, s->dim_rev, s->with_ties);
    }
    d->in = (tv_score_input_t){d->c,  d->i,    s->n, s->m, s->dim, d->cr, d->ir, s->dim_rev,
                               NULL, NULL, s->tile_c, s->tile_i};
    if (s->with_mask)
        d->in.allow = allow_some;
}

static void dispose(data_t *d)
{
    free(d->c);
    free(d->i);
    free(d->cr);
    free(d->ir);
}

static double reference(const data_t *d, size_t c, size_t i)
{
    double f = 0, r = 0;

    for (size_t k = 0; k < d->in.dim; k++)
        f += (double)d->c[c * d->in.dim + k] * d->i[i * d->in.dim + k];
    if (d->cr == NULL)
        return f;
    for (size_t k = 0; k < d->in.dim_rev; k++)
        r += (double)d->cr[c * d->in.dim_rev + k] * d->ir[i * d->in.dim_rev + k];
    return f <= 0 || r <= 0 ? 0 : 2 * f * r / (f + r);
}

static int compare_desc(const void *a, const void *b)
{
    tv_hit_t x = *(const tv_hit_t *)a, y = *(const tv_hit_t *)b;

    return tv_hit_better(x, y) ? -1 : tv_hit_better(y, x) ? 1 : 0;
}

/* The expected list of company c (row) or investor i (column) by a full sort. */
static size_t expected(const data_t *d, int of_company, size_t self, size_t cap, tv_hit_t *out)
{
    size_t other = of_company ? d->in.n_investors : d->in.n_companies, n = 0;

    for (size_t j = 0; j < other; j++) {
        size_t c = of_company ? self : j, i = of_company ? j : self;

        if (d->in.allow != NULL && !d->in.allow(NULL, c, i))
            continue;
        out[n].score = tv_score_pair(&d->in, c, i);
        out[n++].index = (uint32_t)j;
    }
    qsort(out, n, sizeof(tv_hit_t), compare_desc);
    return n < cap ? n : cap;
}

static void assert_list(const tv_list_t *l, const tv_hit_t *want, size_t n, size_t cap,
                        const char *what, size_t self)
{
    if (l->n != n)
        fail_msg("%s %zu: %u entries, expected %zu", what, self, l->n, n);
    for (size_t k = 0; k < n; k++) {
        if (l->items[k].index != want[k].index || l->items[k].score != want[k].score)
            fail_msg("%s %zu rank %zu: (%u, %.9g), expected (%u, %.9g)", what, self, k,
                     l->items[k].index, l->items[k].score, want[k].index, want[k].score);
    }
    assert_int_equal(l->complete, n < cap);
}

static void check_shape(const shape_t *s, size_t cap_i, size_t cap_c)
{
    tv_list_t *per_i = calloc(s->m + 1, sizeof(tv_list_t));
    tv_list_t *per_c = calloc(s->n + 1, sizeof(tv_list_t));
    size_t big = (s->n > s->m ? s->n : s->m) + 1;
    tv_hit_t *want = malloc(big * sizeof(tv_hit_t));
    data_t d;

    make(s, &d);
    for (size_t c = 0; c < s->n; c += 1 + s->n / 9) {
        for (size_t i = 0; i < s->m; i += 1 + s->m / 9)
            assert_true(fabs(tv_score_pair(&d.in, c, i) - reference(&d, c, i)) < 1e-4);
    }
    assert_int_equal(tv_score_all(&d.in, cap_i, per_i, cap_c, per_c), 0);
    for (size_t i = 0; cap_i > 0 && i < s->m; i++)
        assert_list(&per_i[i], want, expected(&d, 0, i, cap_i, want), cap_i, "investor", i);
    for (size_t c = 0; cap_c > 0 && c < s->n; c++)
        assert_list(&per_c[c], want, expected(&d, 1, c, cap_c, want), cap_c, "company", c);
    /* One row or column ranked alone gives the same list. */
    for (size_t c = 0; cap_c > 0 && c < s->n; c += 1 + s->n / 5) {
        tv_list_t one;

        assert_int_equal(tv_score_company(&d.in, c, cap_c, NULL, NULL, &one), 0);
        assert_list(&one, want, expected(&d, 1, c, cap_c, want), cap_c, "one company", c);
        tv_lists_free(&one, 1);
    }
    for (size_t i = 0; cap_i > 0 && i < s->m; i += 1 + s->m / 5) {
        tv_list_t one;

        assert_int_equal(tv_score_investor(&d.in, i, cap_i, NULL, NULL, &one), 0);
        assert_list(&one, want, expected(&d, 0, i, cap_i, want), cap_i, "one investor", i);
        tv_lists_free(&one, 1);
    }
    tv_lists_free(per_i, cap_i > 0 ? s->m : 0);
    tv_lists_free(per_c, cap_c > 0 ? s->n : 0);
    free(per_i);
    free(per_c);
    free(want);
    dispose(&d);
}

static void test_score_forward_only_matches_full_sort(void **state)
{
    shape_t s = {.n = 57, .m = 43, .dim = 37, .tile_c = 8, .tile_i = 5};

    (void)state;
    check_shape(&s, 6, 4);
}

static void test_score_harmonic_mean_matches_full_sort(void **state)
{
    shape_t s = {.n = 64, .m = 33, .dim = 48, .dim_rev = 9, .tile_c = 16, .tile_i = 11,
                 .with_rev = 1};

    (void)state;
    check_shape(&s, 10, 7);
}

static void test_score_masked_pairs_never_appear(void **state)
{
    shape_t s = {.n = 50, .m = 40, .dim = 20, .dim_rev = 6, .tile_c = 13, .tile_i = 17,
                 .with_rev = 1, .with_mask = 1};
    tv_list_t *per_c = calloc(s.n, sizeof(tv_list_t));
    data_t d;

    (void)state;
    check_shape(&s, 5, 5);
    make(&s, &d);
    assert_int_equal(tv_score_all(&d.in, 0, NULL, 40, per_c), 0);
    for (size_t c = 0; c < s.n; c++) {
        for (uint32_t k = 0; k < per_c[c].n; k++)
            assert_true(allow_some(NULL, c, per_c[c].items[k].index));
        assert_true(per_c[c].complete); /* fewer allowed investors than 40 */
    }
    tv_lists_free(per_c, s.n);
    free(per_c);
    dispose(&d);
}

static void test_score_ties_break_by_lower_index(void **state)
{
    shape_t s = {.n = 40, .m = 30, .dim = 4, .dim_rev = 2, .tile_c = 7, .tile_i = 6,
                 .with_rev = 1, .with_ties = 1};

    (void)state;
    check_shape(&s, 8, 8);
}

/* Every pair ties, so the scan's approximate lists cannot prove their edge: each list is
 * ranked again on its own and still comes out as the full sort (lowest indices first). */
static void test_score_ties_at_every_edge_are_settled_exactly(void **state)
{
    shape_t s = {.n = 60, .m = 50, .dim = 8, .dim_rev = 3, .tile_c = 16, .tile_i = 16,
                 .with_rev = 1, .with_ties = 2};

    (void)state;
    check_shape(&s, 5, 7);
}

static void test_score_single_tile_and_lists_longer_than_the_other_side(void **state)
{
    shape_t s = {.n = 9, .m = 5, .dim = 16, .dim_rev = 3, .with_rev = 1};

    (void)state;
    check_shape(&s, 20, 20);
}

/* Tile rows long enough for the vectorised gates (blocks of 32 and 64 columns), with a
 * remainder after the last block, and a last tile narrower than the others. */
static void test_score_wide_tile_rows_match_full_sort(void **state)
{
    shape_t fwd = {.n = 100, .m = 260, .dim = 24, .tile_c = 24, .tile_i = 101};
    shape_t rev = {.n = 100,
                   .m = 260,
                   .dim = 24,
                   .dim_rev = 5,
                   .tile_c = 24,
                   .tile_i = 101,
                   .with_rev = 1,
                   .with_mask = 1};

    (void)state;
    check_shape(&fwd, 9, 12);
    check_shape(&rev, 9, 12);
}

static void test_score_wide_tile_rows_with_ties_match_full_sort(void **state)
{
    shape_t fwd = {.n = 90, .m = 200, .dim = 4, .tile_c = 32, .tile_i = 97, .with_ties = 1};
    shape_t rev = {.n = 90,
                   .m = 200,
                   .dim = 4,
                   .dim_rev = 2,
                   .tile_c = 32,
                   .tile_i = 97,
                   .with_rev = 1,
                   .with_ties = 1};

    (void)state;
    check_shape(&fwd, 6, 11);
    check_shape(&rev, 6, 11);
}

static void test_score_dot_is_the_same_in_any_order_of_calls(void **state)
{
    float a[37], b[37];
    float first;

    (void)state;
    for (int k = 0; k < 37; k++) {
        a[k] = frand();
        b[k] = frand();
    }
    first = tv_dot(a, b, 37);
    for (int k = 0; k < 5; k++)
        assert_true(tv_dot(a, b, 37) == first);
    assert_true(fabs(first - tv_dot(b, a, 37)) < 1e-6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_score_forward_only_matches_full_sort),
        cmocka_unit_test(test_score_harmonic_mean_matches_full_sort),
        cmocka_unit_test(test_score_masked_pairs_never_appear),
        cmocka_unit_test(test_score_ties_break_by_lower_index),
        cmocka_unit_test(test_score_ties_at_every_edge_are_settled_exactly),
        cmocka_unit_test(test_score_single_tile_and_lists_longer_than_the_other_side),
        cmocka_unit_test(test_score_wide_tile_rows_match_full_sort),
        cmocka_unit_test(test_score_wide_tile_rows_with_ties_match_full_sort),
        cmocka_unit_test(test_score_dot_is_the_same_in_any_order_of_calls),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
