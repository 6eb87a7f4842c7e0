/* Tests engine/match/score.c: exact scores against a double-precision reference, every list against
 * a full sort with the same tie rule, masks, one-row ranking, tile edges. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/screen.h"
#include "support.h"
#include "tavolo/score.h"

typedef struct {
    size_t n, m, dim, dim_rev, tile_c, tile_i;
    int with_rev, with_mask, with_ties;
    tv_screen_t screen;
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

/* Rows near one of two random directions (alternately), each moved by at most 'noise' per
 * entry, at unit length: within a cluster many scores lie closer together than bf16 can tell
 * apart, and centring the vectors does not remove what separates the clusters. */
static float *clustered_rows(size_t rows, size_t dim, float noise)
{
    float *base = malloc(2 * dim * sizeof(float));
    float *m = malloc(rows * dim * sizeof(float) + 1);

    for (size_t d = 0; d < 2 * dim; d++)
        base[d] = frand();
    for (size_t r = 0; r < rows; r++) {
        double norm = 0;

        for (size_t d = 0; d < dim; d++) {
            float v = base[(r % 2) * dim + d] + noise * frand();

            m[r * dim + d] = v;
            norm += (double)v * v;
        }
        for (size_t d = 0; d < dim; d++)
            m[r * dim + d] /= (float)sqrt(norm);
    }
    free(base);
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
    d->in = (tv_score_input_t){d->c,       d->i, s->n, s->m,      s->dim,    d->cr,    d->ir,
                               s->dim_rev, NULL, NULL, s->tile_c, s->tile_i, s->screen};
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

static void check_screened(const shape_t *s, size_t cap_i, size_t cap_c)
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

/* Checks the shape with candidates screened by sgemm, then in bf16 (where oneDNN can). */
static void check_shape(const shape_t *s, size_t cap_i, size_t cap_c)
{
    shape_t t = *s;

    t.screen = TV_SCREEN_SGEMM;
    check_screened(&t, cap_i, cap_c);
    t.screen = TV_SCREEN_BF16;
    check_screened(&t, cap_i, cap_c);
}

static void test_score_forward_only_matches_full_sort(void **state)
{
    shape_t s = {.n = 57, .m = 43, .dim = 37, .tile_c = 8, .tile_i = 5};

    (void)state;
    check_shape(&s, 6, 4);
}

static void test_score_harmonic_mean_matches_full_sort(void **state)
{
    shape_t s = {
        .n = 64, .m = 33, .dim = 48, .dim_rev = 9, .tile_c = 16, .tile_i = 11, .with_rev = 1};

    (void)state;
    check_shape(&s, 10, 7);
}

static void test_score_masked_pairs_never_appear(void **state)
{
    shape_t s = {.n = 50,
                 .m = 40,
                 .dim = 20,
                 .dim_rev = 6,
                 .tile_c = 13,
                 .tile_i = 17,
                 .with_rev = 1,
                 .with_mask = 1};
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
    shape_t s = {.n = 40,
                 .m = 30,
                 .dim = 4,
                 .dim_rev = 2,
                 .tile_c = 7,
                 .tile_i = 6,
                 .with_rev = 1,
                 .with_ties = 1};

    (void)state;
    check_shape(&s, 8, 8);
}

/* Every pair ties, so the scan's approximate lists cannot prove their edge: the lists are
 * ranked again together, then (still unproven) each on its own, and still come out as the
 * full sort (lowest indices first). */
static void test_score_ties_at_every_edge_are_settled_exactly(void **state)
{
    shape_t s = {.n = 60,
                 .m = 50,
                 .dim = 8,
                 .dim_rev = 3,
                 .tile_c = 16,
                 .tile_i = 16,
                 .with_rev = 1,
                 .with_ties = 2};

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
    /* Masked: some lists on each side cannot be proven and are ranked again together, which
     * must see the mask through the whole input's row numbers. */
    rev.with_mask = 1;
    check_shape(&rev, 6, 11);
}

/* Enough candidates per list that the scan's lists fill and are cut back many times, in both
 * screening modes, with tiles of every edge. */
static void test_score_lists_cut_back_many_times_match_full_sort(void **state)
{
    shape_t s = {.n = 1500,
                 .m = 700,
                 .dim = 70,
                 .dim_rev = 7,
                 .tile_c = 256,
                 .tile_i = 300,
                 .with_rev = 1,
                 .with_mask = 1};
    shape_t fwd = {.n = 1300, .m = 500, .dim = 33, .tile_c = 128, .tile_i = 200};

    (void)state;
    print_message("bf16 screening here: %s\n",
                  (const char *[]){"none (sgemm)", "emulated", "native"}[tv_score_bf16_support()]);
    check_shape(&s, 12, 9);
    check_shape(&fwd, 3, 25);
}

/* Screening changes which pairs are scored exactly, never a result: sgemm and bf16 give the
 * same lists, bit for bit, on data where many scores are close. */
static void test_score_bf16_screening_gives_the_sgemm_lists(void **state)
{
    shape_t s = {.n = 800, .m = 600, .dim = 128, .dim_rev = 12, .with_rev = 1, .with_mask = 1};
    tv_list_t *a_i = calloc(s.m, sizeof(tv_list_t)), *a_c = calloc(s.n, sizeof(tv_list_t));
    tv_list_t *b_i = calloc(s.m, sizeof(tv_list_t)), *b_c = calloc(s.n, sizeof(tv_list_t));
    data_t d;

    (void)state;
    make(&s, &d);
    d.in.screen = TV_SCREEN_SGEMM;
    assert_int_equal(tv_score_all(&d.in, 20, a_i, 20, a_c), 0);
    d.in.screen = TV_SCREEN_BF16;
    assert_int_equal(tv_score_all(&d.in, 20, b_i, 20, b_c), 0);
    for (size_t i = 0; i < s.m; i++) {
        assert_int_equal(a_i[i].n, b_i[i].n);
        assert_memory_equal(a_i[i].items, b_i[i].items, a_i[i].n * sizeof(tv_hit_t));
    }
    for (size_t c = 0; c < s.n; c++) {
        assert_int_equal(a_c[c].n, b_c[c].n);
        assert_memory_equal(a_c[c].items, b_c[c].items, a_c[c].n * sizeof(tv_hit_t));
    }
    tv_lists_free(a_i, s.m);
    tv_lists_free(b_i, s.m);
    tv_lists_free(a_c, s.n);
    tv_lists_free(b_c, s.n);
    free(a_i);
    free(b_i);
    free(a_c);
    free(b_c);
    dispose(&d);
}

/* Scores closer together than bf16's rounding: a third of the lists cannot be proven from
 * their screened scores and are ranked again exactly; all come out as the full sort. */
static void test_score_bf16_rounding_never_decides_a_list(void **state)
{
    shape_t s = {.n = 1500, .m = 60, .dim = 64, .tile_c = 512, .tile_i = 64};
    tv_list_t *per_i = calloc(s.m, sizeof(tv_list_t));
    tv_hit_t *want = malloc((s.n + 1) * sizeof(tv_hit_t));
    data_t d;

    (void)state;
    make(&s, &d);
    free(d.c);
    free(d.i);
    d.c = clustered_rows(s.n, s.dim, 1e-3f);
    d.i = clustered_rows(s.m, s.dim, 1e-3f);
    d.in.companies = d.c;
    d.in.investors = d.i;
    d.in.screen = TV_SCREEN_BF16;
    assert_int_equal(tv_score_all(&d.in, 5, per_i, 0, NULL), 0);
    for (size_t i = 0; i < s.m; i++)
        assert_list(&per_i[i], want, expected(&d, 0, i, 5, want), 5, "investor", i);
    tv_lists_free(per_i, s.m);
    free(per_i);
    free(want);
    dispose(&d);
}

/* The bound screen.c gives holds: no screened score is further from the exact one (in double)
 * than tv__screen_error plus fp32's rounding, on spread and on clustered data; and it is not
 * vacuous (within 50 times the largest error seen). */
static void check_screen_bound(const float *c, size_t n, const float *i, size_t m, size_t dim)
{
    float *out = malloc(n * m * sizeof(float));
    tv__screen_t *screen;
    tv__screen_worker_t *w;
    double worst = 0, fp32 = 1e-5 * sqrt((double)dim);

    assert_int_equal(tv__screen_open(c, n, i, m, dim, &screen), 0);
    assert_int_equal(tv__screen_worker_open(screen, &w), 0);
    assert_int_equal(tv__screen_product(w, 0, n, 0, m, out), 0);
    for (size_t r = 0; r < n; r++) {
        for (size_t j = 0; j < m; j++) {
            double exact = 0;

            for (size_t k = 0; k < dim; k++)
                exact += (double)c[r * dim + k] * i[j * dim + k];
            worst = fmax(worst, fabs(out[r * m + j] - exact));
        }
    }
    print_message("bf16 screening: largest error %.3g, bound %.3g\n", worst,
                  tv__screen_error(screen));
    assert_true(worst <= tv__screen_error(screen) + fp32);
    assert_true(tv__screen_error(screen) <= 50 * worst);
    tv__screen_worker_close(w);
    tv__screen_close(screen);
    free(out);
}

static void test_score_bf16_error_bound_holds(void **state)
{
    float *c = random_rows(300, 96, 0), *i = random_rows(200, 96, 0);
    float *cc = clustered_rows(300, 96, 1e-2f), *ci = clustered_rows(200, 96, 1e-2f);

    (void)state;
    if (tv_score_bf16_support() == 0) {
        print_message("oneDNN runs no bf16 matmul here: screening falls back to sgemm\n");
    } else {
        check_screen_bound(c, 300, i, 200, 96);
        check_screen_bound(cc, 300, ci, 200, 96);
    }
    free(c);
    free(i);
    free(cc);
    free(ci);
}

/* 'rows' x 'dim' of 'm' with 'extra' more columns after each row, 'fill' (0: zeros). */
static float *widen(const float *m, size_t rows, size_t dim, size_t extra, float fill)
{
    float *out = malloc(rows * (dim + extra) * sizeof(float));

    for (size_t r = 0; r < rows; r++) {
        memcpy(out + r * (dim + extra), m + r * dim, dim * sizeof(float));
        for (size_t k = 0; k < extra; k++)
            out[r * (dim + extra) + dim + k] = fill * (float)((r * 7 + k * 13) % 11 + 1);
    }
    return out;
}

/* Columns that one side leaves empty in every row (a block only companies fill) add nothing
 * to any product: screening leaves them out, so its products and its bound are those of the
 * data without them, bit for bit. */
static void test_score_bf16_screening_skips_columns_one_side_leaves_empty(void **state)
{
    size_t n = 120, m = 80, dim = 64, extra = 32;
    float *c = random_rows(n, dim, 0), *i = random_rows(m, dim, 0);
    float *wide_c = widen(c, n, dim, extra, 0.05f), *wide_i = widen(i, m, dim, extra, 0);
    float *out = malloc(n * m * sizeof(float)), *wide_out = malloc(n * m * sizeof(float));
    tv__screen_t *screen, *wide;
    tv__screen_worker_t *w, *wide_w;

    (void)state;
    if (tv_score_bf16_support() == 0) {
        print_message("oneDNN runs no bf16 matmul here: screening falls back to sgemm\n");
    } else {
        assert_int_equal(tv__screen_open(c, n, i, m, dim, &screen), 0);
        assert_int_equal(tv__screen_open(wide_c, n, wide_i, m, dim + extra, &wide), 0);
        assert_true(tv__screen_error(wide) == tv__screen_error(screen));
        assert_int_equal(tv__screen_worker_open(screen, &w), 0);
        assert_int_equal(tv__screen_worker_open(wide, &wide_w), 0);
        assert_int_equal(tv__screen_product(w, 0, n, 0, m, out), 0);
        assert_int_equal(tv__screen_product(wide_w, 0, n, 0, m, wide_out), 0);
        assert_memory_equal(out, wide_out, n * m * sizeof(float));
        tv__screen_worker_close(w);
        tv__screen_worker_close(wide_w);
        tv__screen_close(screen);
        tv__screen_close(wide);
    }
    free(c);
    free(i);
    free(wide_c);
    free(wide_i);
    free(out);
    free(wide_out);
}

/* TV_SCREEN_AUTO screens in bf16 only on large runs, and only where the CPU runs bf16 natively;
 * the explicit modes are followed where they can be. */
static void test_score_screening_mode_is_chosen_as_documented(void **state)
{
    tv_score_input_t small = {NULL, NULL, 1000, 500, 256, NULL,          NULL,
                              0,    NULL, NULL, 0,   0,   TV_SCREEN_AUTO};
    tv_score_input_t large = small;
    int support = tv_score_bf16_support();

    (void)state;
    large.n_companies = 50000;
    large.n_investors = 20000;
    large.dim = 512;
    assert_int_equal(tv_score_screening(&small), TV_SCREEN_SGEMM);
    assert_int_equal(tv_score_screening(&large), support == 2 ? TV_SCREEN_BF16 : TV_SCREEN_SGEMM);
    small.screen = large.screen = TV_SCREEN_SGEMM;
    assert_int_equal(tv_score_screening(&large), TV_SCREEN_SGEMM);
    small.screen = TV_SCREEN_BF16;
    assert_int_equal(tv_score_screening(&small), support > 0 ? TV_SCREEN_BF16 : TV_SCREEN_SGEMM);
    small.n_investors = 0;
    assert_int_equal(tv_score_screening(&small), TV_SCREEN_SGEMM);
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
        cmocka_unit_test(test_score_lists_cut_back_many_times_match_full_sort),
        cmocka_unit_test(test_score_bf16_screening_gives_the_sgemm_lists),
        cmocka_unit_test(test_score_bf16_rounding_never_decides_a_list),
        cmocka_unit_test(test_score_bf16_error_bound_holds),
        cmocka_unit_test(test_score_bf16_screening_skips_columns_one_side_leaves_empty),
        cmocka_unit_test(test_score_screening_mode_is_chosen_as_documented),
        cmocka_unit_test(test_score_dot_is_the_same_in_any_order_of_calls),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
