/* Screening in bfloat16 with oneDNN's matmul (see screen.h). The only file that includes
 * dnnl.h. */
#include <dnnl.h>
#include <math.h>
#include <omp.h>
#include <pthread.h>
#include <string.h>

#include "core/internal.h"
#include "screen.h"

typedef uint16_t bf16_t;

/* Scores are screened from centred vectors, c' = c - mean(c) and i' = i - mean(i):
 *   c.i = c'.i' + c.mean(i) + mean(c).i - mean(c).mean(i),
 * the first term in bf16, the others ('row' per company, 'col' per investor) in full
 * precision. Profile vectors share much of their direction (their entries are never
 * negative), so the centred ones are shorter, and the rounding error shrinks with them. */
struct tv__screen {
    bf16_t *companies, *investors; /* c' and i' rounded, n x dim each, row-major */
    float *row, *col;              /* c.mean(i) per company; mean(c).i - mean(c).mean(i) */
    size_t n_companies, n_investors, dim;
    float error;
};

/* Products of one tile shape: tv_score_all has four at most (full and edge tiles, each way). */
#define SHAPES 4
#define SCRATCH_ALIGN 64

typedef struct {
    size_t rows, cols;
    dnnl_primitive_t prim;
    dnnl_memory_t src, weights, dst, scratch;
    void *scratch_block; /* what tv__malloc gave; 'scratch' uses it from an aligned offset */
} shape_t;

struct tv__screen_worker {
    const tv__screen_t *s;
    dnnl_stream_t stream;
    shape_t shapes[SHAPES];
    size_t n_shapes;
};

/* ---- what this CPU can do, asked once per process ---- */

static dnnl_engine_t engine;
static int possible, fast;
static pthread_once_t probe_once = PTHREAD_ONCE_INIT;

/* A matmul of bf16 rows (rows x dim) by bf16 rows (cols x dim, read transposed) into fp32
 * (rows x cols), with the caller's scratchpad. Returns NULL when oneDNN has none. */
static dnnl_primitive_desc_t matmul_desc(size_t rows, size_t cols, size_t dim)
{
    dnnl_memory_desc_t src, weights, dst;
    dnnl_dims_t src_dims = {(dnnl_dim_t)rows, (dnnl_dim_t)dim};
    dnnl_dims_t src_strides = {(dnnl_dim_t)dim, 1};
    dnnl_dims_t weights_dims = {(dnnl_dim_t)dim, (dnnl_dim_t)cols};
    dnnl_dims_t weights_strides = {1, (dnnl_dim_t)dim};
    dnnl_dims_t dst_dims = {(dnnl_dim_t)rows, (dnnl_dim_t)cols};
    dnnl_dims_t dst_strides = {(dnnl_dim_t)cols, 1};
    dnnl_matmul_desc_t desc;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_primitive_desc_t pd = NULL;

    if (dnnl_memory_desc_init_by_strides(&src, 2, src_dims, dnnl_bf16, src_strides) !=
            dnnl_success ||
        dnnl_memory_desc_init_by_strides(&weights, 2, weights_dims, dnnl_bf16, weights_strides) !=
            dnnl_success ||
        dnnl_memory_desc_init_by_strides(&dst, 2, dst_dims, dnnl_f32, dst_strides) !=
            dnnl_success ||
        dnnl_matmul_desc_init(&desc, &src, &weights, NULL, &dst) != dnnl_success ||
        dnnl_primitive_attr_create(&attr) != dnnl_success)
        return NULL;
    if (dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user) != dnnl_success ||
        dnnl_primitive_desc_create(&pd, &desc, attr, engine, NULL) != dnnl_success)
        pd = NULL;
    dnnl_primitive_attr_destroy(attr);
    return pd;
}

static void probe(void)
{
    dnnl_primitive_desc_t pd;
    const char *impl = "";

    if (dnnl_engine_create(&engine, dnnl_cpu, 0) != dnnl_success)
        return;
    pd = matmul_desc(256, 256, 256);
    if (pd == NULL)
        return;
    possible = 1;
    if (dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl) != dnnl_success)
        impl = "";
    /* Native bf16: AMX tiles ("..._amx_bf16") or AVX512-BF16 ("avx512_core_bf16"); anything
     * else is an emulation, slower than sgemm. */
    fast = strstr(impl, "amx") != NULL || strstr(impl, "avx512_core_bf16") != NULL;
    dnnl_primitive_desc_destroy(pd);
}

int tv__screen_possible(void)
{
    pthread_once(&probe_once, probe);
    return possible;
}

int tv__screen_fast(void)
{
    pthread_once(&probe_once, probe);
    return fast;
}

/* ---- the bf16 copies ---- */

/* Rounds to the nearest bf16, ties to even (the vectors are finite). */
static bf16_t to_bf16(float f)
{
    uint32_t u;

    memcpy(&u, &f, sizeof(u));
    u += 0x7fffu + ((u >> 16) & 1u);
    return (bf16_t)(u >> 16);
}

static float from_bf16(bf16_t b)
{
    uint32_t u = (uint32_t)b << 16;
    float f;

    memcpy(&f, &u, sizeof(f));
    return f;
}

/* The columns that both sides use, into 'keep'; returns how many (at least one). Elsewhere
 * one side is zero in every row, so the column adds exactly nothing to any product: leaving
 * it out changes no score, saves its work, and keeps the other side's entries there out of
 * the error bound (a block only companies fill, say, before any investor has a portfolio).
 * Without memory for the flags, every column is kept. */
static size_t shared_columns(const float *a, size_t na, const float *b, size_t nb, size_t dim,
                             size_t *keep)
{
    uint8_t *used = tv__calloc(2 * dim + 1, 1); /* per column: a uses it, b uses it */
    size_t kept = 0;

    for (size_t r = 0; used != NULL && r < na; r++) {
        for (size_t k = 0; k < dim; k++)
            used[k] |= a[r * dim + k] != 0;
    }
    for (size_t r = 0; used != NULL && r < nb; r++) {
        for (size_t k = 0; k < dim; k++)
            used[dim + k] |= b[r * dim + k] != 0;
    }
    for (size_t k = 0; k < dim; k++) {
        if (used == NULL || (used[k] && used[dim + k]))
            keep[kept++] = k;
    }
    if (kept == 0)
        keep[kept++] = 0;
    tv__free(used);
    return kept;
}

/* The mean of n rows of m (dim entries) over the 'kept' columns 'keep', in double. Returns
 * NULL when out of memory. */
static double *row_mean(const float *m, size_t n, size_t dim, const size_t *keep, size_t kept)
{
    double *mean = tv__calloc(kept + 1, sizeof(double));

    if (mean == NULL)
        return NULL;
    for (size_t r = 0; r < n; r++) {
        for (size_t k = 0; k < kept; k++)
            mean[k] += m[r * dim + keep[k]];
    }
    for (size_t k = 0; n > 0 && k < kept; k++)
        mean[k] /= (double)n;
    return mean;
}

/* What rounding one side did: the largest norms of a rounded centred row and of what the
 * rounding took away, and the largest |correction|. */
typedef struct {
    double hi, lo, correction;
} rounding_t;

/* Writes the centred rows of m over the kept columns, rounded, to 'out' (n x kept), and
 * 'fix[r]' = m_r . other_mean - shift for each row r; records the norms and corrections in
 * 'rd'. */
static void centre_rows(const float *m, size_t n, size_t dim, const size_t *keep, size_t kept,
                        const double *mean, const double *other_mean, double shift, bf16_t *out,
                        float *fix, rounding_t *rd)
{
    memset(rd, 0, sizeof(*rd));
    for (size_t r = 0; r < n; r++) {
        double h = 0, l = 0, dot = 0;

        for (size_t k = 0; k < kept; k++) {
            double x = m[r * dim + keep[k]], centred = x - mean[k];
            bf16_t b = to_bf16((float)centred);
            double v = from_bf16(b), d = centred - v;

            out[r * kept + k] = b;
            h += v * v;
            l += d * d;
            dot += x * other_mean[k];
        }
        fix[r] = (float)(dot - shift);
        rd->hi = fmax(rd->hi, sqrt(h));
        rd->lo = fmax(rd->lo, sqrt(l));
        rd->correction = fmax(rd->correction, fabs(dot - shift));
    }
}

/* A bound on |screened - c.i| for every pair, exact dot products aside (see screen.h):
 *   c'.i' - c'_hi.i'_hi = c'_hi.i'_lo + c'_lo.i'_hi + c'_lo.i'_lo, each at most the product
 *   of norms (Cauchy-Schwarz);
 *   the fp32 sum of dim products in the matmul, at most dim 2^-24 |c'_hi||i'_hi|;
 *   the corrections rounded to float and the two additions, 2^-24 of each magnitude (and of
 *   the sum, below 2 (|c'||i'| + both corrections)) with room to spare. */
static float screen_error(const rounding_t *c, const rounding_t *i, size_t dim)
{
    double cross = c->hi * i->lo + c->lo * i->hi + c->lo * i->lo;
    double product = c->hi * i->hi;
    double sum = product + c->correction + i->correction;

    return (float)((cross + (double)dim * 0x1p-24 * product + 8 * 0x1p-24 * sum) * (1 + 1e-6) +
                   1e-30);
}

int tv__screen_open(const float *companies, size_t n_companies, const float *investors,
                    size_t n_investors, size_t dim, tv__screen_t **out)
{
    tv__screen_t *s;
    double *mean_c = NULL, *mean_i = NULL, means = 0;
    size_t *keep = NULL, kept;
    rounding_t rounding_c, rounding_i;
    int status = TV_ENOMEM;

    *out = NULL;
    if (!tv__screen_possible())
        return TV_EIO;
    if (dim == 0)
        return TV_EINVAL;
    s = tv__calloc(1, sizeof(*s));
    if (s == NULL)
        return TV_ENOMEM;
    keep = tv__malloc((dim + 1) * sizeof(size_t));
    if (keep == NULL)
        goto out;
    kept = shared_columns(companies, n_companies, investors, n_investors, dim, keep);
    s->companies = tv__malloc((n_companies * kept + 1) * sizeof(bf16_t));
    s->investors = tv__malloc((n_investors * kept + 1) * sizeof(bf16_t));
    s->row = tv__malloc((n_companies + 1) * sizeof(float));
    s->col = tv__malloc((n_investors + 1) * sizeof(float));
    mean_c = row_mean(companies, n_companies, dim, keep, kept);
    mean_i = row_mean(investors, n_investors, dim, keep, kept);
    if (s->companies == NULL || s->investors == NULL || s->row == NULL || s->col == NULL ||
        mean_c == NULL || mean_i == NULL)
        goto out;
    s->n_companies = n_companies;
    s->n_investors = n_investors;
    s->dim = kept;
    for (size_t k = 0; k < kept; k++)
        means += mean_c[k] * mean_i[k];
    centre_rows(companies, n_companies, dim, keep, kept, mean_c, mean_i, 0, s->companies, s->row,
                &rounding_c);
    centre_rows(investors, n_investors, dim, keep, kept, mean_i, mean_c, means, s->investors,
                s->col, &rounding_i);
    s->error = screen_error(&rounding_c, &rounding_i, kept);
    *out = s;
    status = 0;
out:
    tv__free(keep);
    tv__free(mean_c);
    tv__free(mean_i);
    if (status != 0)
        tv__screen_close(s);
    return status;
}

float tv__screen_error(const tv__screen_t *s)
{
    return s->error;
}

void tv__screen_close(tv__screen_t *s)
{
    if (s == NULL)
        return;
    tv__free(s->companies);
    tv__free(s->investors);
    tv__free(s->row);
    tv__free(s->col);
    tv__free(s);
}

/* ---- products ---- */

static void shape_dispose(shape_t *sh)
{
    if (sh->prim != NULL)
        dnnl_primitive_destroy(sh->prim);
    if (sh->src != NULL)
        dnnl_memory_destroy(sh->src);
    if (sh->weights != NULL)
        dnnl_memory_destroy(sh->weights);
    if (sh->dst != NULL)
        dnnl_memory_destroy(sh->dst);
    if (sh->scratch != NULL)
        dnnl_memory_destroy(sh->scratch);
    tv__free(sh->scratch_block);
    memset(sh, 0, sizeof(*sh));
}

/* Makes the primitive and memory objects of one tile shape. */
static int shape_init(shape_t *sh, size_t rows, size_t cols, size_t dim)
{
    dnnl_primitive_desc_t pd = matmul_desc(rows, cols, dim);
    const dnnl_memory_desc_t *md;
    int rc = TV_EIO;

    memset(sh, 0, sizeof(*sh));
    if (pd == NULL)
        return TV_EIO;
    sh->rows = rows;
    sh->cols = cols;
    if (dnnl_primitive_create(&sh->prim, pd) != dnnl_success ||
        dnnl_memory_create(&sh->src, dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0), engine,
                           DNNL_MEMORY_NONE) != dnnl_success ||
        dnnl_memory_create(&sh->weights, dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0),
                           engine, DNNL_MEMORY_NONE) != dnnl_success ||
        dnnl_memory_create(&sh->dst, dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0), engine,
                           DNNL_MEMORY_NONE) != dnnl_success)
        goto fail;
    md = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    if (md != NULL && dnnl_memory_desc_get_size(md) > 0) {
        size_t size = dnnl_memory_desc_get_size(md);
        uintptr_t at;

        sh->scratch_block = tv__malloc(size + SCRATCH_ALIGN);
        if (sh->scratch_block == NULL) {
            rc = TV_ENOMEM;
            goto fail;
        }
        at = ((uintptr_t)sh->scratch_block + SCRATCH_ALIGN - 1) & ~(uintptr_t)(SCRATCH_ALIGN - 1);
        if (dnnl_memory_create(&sh->scratch, md, engine, (void *)at) != dnnl_success)
            goto fail;
    }
    dnnl_primitive_desc_destroy(pd);
    return 0;
fail:
    dnnl_primitive_desc_destroy(pd);
    shape_dispose(sh);
    return rc;
}

int tv__screen_worker_open(tv__screen_t *s, tv__screen_worker_t **out)
{
    tv__screen_worker_t *w = tv__calloc(1, sizeof(*w));

    *out = NULL;
    if (w == NULL)
        return TV_ENOMEM;
    w->s = s;
    if (dnnl_stream_create(&w->stream, engine, dnnl_stream_default_flags) != dnnl_success) {
        tv__free(w);
        return TV_EIO;
    }
    *out = w;
    return 0;
}

void tv__screen_worker_close(tv__screen_worker_t *w)
{
    if (w == NULL)
        return;
    for (size_t k = 0; k < w->n_shapes; k++)
        shape_dispose(&w->shapes[k]);
    dnnl_stream_destroy(w->stream);
    tv__free(w);
}

/* The shape rows x cols, made on first use; NULL when it cannot be made or every slot is
 * taken (tv_score_all's tiles have four shapes at most), and the caller runs sgemm. */
static shape_t *shape_for(tv__screen_worker_t *w, size_t rows, size_t cols)
{
    shape_t *sh;

    for (size_t k = 0; k < w->n_shapes; k++) {
        if (w->shapes[k].rows == rows && w->shapes[k].cols == cols)
            return &w->shapes[k];
    }
    if (w->n_shapes == SHAPES)
        return NULL;
    sh = &w->shapes[w->n_shapes];
    if (shape_init(sh, rows, cols, w->s->dim) != 0)
        return NULL;
    w->n_shapes++;
    return sh;
}

/* out[r][j] += row[r] + col[j]: from c'.i' to c.i. */
static void add_corrections(float *out, size_t rows, size_t cols, const float *row,
                            const float *col)
{
    for (size_t r = 0; r < rows; r++) {
        float *o = out + r * cols, x = row[r];

        for (size_t j = 0; j < cols; j++)
            o[j] = (o[j] + x) + col[j];
    }
}

int tv__screen_product(tv__screen_worker_t *w, size_t c0, size_t rows, size_t i0, size_t cols,
                       float *out)
{
    const tv__screen_t *s = w->s;
    shape_t *sh = shape_for(w, rows, cols);
    dnnl_exec_arg_t args[4];
    int n_args = 3, threads;
    dnnl_status_t st;

    if (sh == NULL)
        return TV_EIO;
    /* oneDNN only reads its inputs. */
    if (dnnl_memory_set_data_handle(sh->src, (void *)(s->companies + c0 * s->dim)) !=
            dnnl_success ||
        dnnl_memory_set_data_handle(sh->weights, (void *)(s->investors + i0 * s->dim)) !=
            dnnl_success ||
        dnnl_memory_set_data_handle(sh->dst, out) != dnnl_success)
        return TV_EIO;
    args[0] = (dnnl_exec_arg_t){DNNL_ARG_SRC, sh->src};
    args[1] = (dnnl_exec_arg_t){DNNL_ARG_WEIGHTS, sh->weights};
    args[2] = (dnnl_exec_arg_t){DNNL_ARG_DST, sh->dst};
    if (sh->scratch != NULL)
        args[n_args++] = (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, sh->scratch};
    /* Each scanning thread runs its own products: one OpenMP thread here, put back after. */
    threads = omp_get_max_threads();
    omp_set_num_threads(1);
    st = dnnl_primitive_execute(sh->prim, w->stream, n_args, args);
    if (st == dnnl_success)
        st = dnnl_stream_wait(w->stream);
    omp_set_num_threads(threads);
    if (st != dnnl_success)
        return TV_EIO;
    add_corrections(out, rows, cols, s->row + c0, s->col + i0);
    return 0;
}
