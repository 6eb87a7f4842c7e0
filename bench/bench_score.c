/* bench_score: times tv_score_all on random unit vectors against plain tiled sgemm over the same
 * shapes (the machine's limit) and against FAISS IndexFlatIP (bench/faiss_flat.py). A program of
 * its own (TV_BUILD_BENCH), never linked into tavolo; it reports through the command line's
 * cli_error. */
/* cblas.h is included here by exception (STYLE.md gives it one home, engine/match/score.c): the
 * baseline is a bare cblas_sgemm, and the thread count is OpenBLAS's own setting. */
#include <cblas.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "tavolo/score.h"

/* The tile shape where plain sgemm is fastest here: 3-4% faster than the 1024 x 1024 tiles
 * tv_score_all picks by default (engine/match/score.c), which suit its scan better, so the baseline
 * is the machine's limit rather than the engine's own tiling. */
#define TILE_COMPANIES 1024
#define TILE_INVESTORS 4096
#define DIM_REV 24
#define AGREEMENT_QUERIES 100
#define PYTHON "/usr/bin/python3"
#define MIB (1024.0 * 1024.0)

typedef struct {
    size_t n, m, dim, k;
    int threads, faiss_blas_threads, reps, json, faiss;
    const char *only; /* NULL, or the one measurement to run (for profiling) */
} opts_t;

typedef struct {
    float *companies, *investors, *companies_rev, *investors_rev;
} data_t;

typedef struct {
    double best, median;
} timing_t;

/* What one measurement needs: the data, the options, and the lists it leaves behind. */
typedef struct {
    const opts_t *o;
    const data_t *d;
    tv_list_t *per_investor, *per_company;
    /* Per company: calls to allow_pair, and how many it rejected. tv_score_all scans each
     * company on one thread at a time (its workers take whole blocks of companies), so counting
     * per company needs no locks, where one shared counter would be a race between workers. */
    uint32_t (*allow_counts)[2];
    char faiss_dir[32]; /* the matrices as raw float32 files, "" when FAISS is off */
} run_t;

typedef struct {
    timing_t t;
    double agreement, set_overlap;
    int ok;
} faiss_result_t;

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15u;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9u;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBu;
    return x ^ (x >> 31);
}

/* Rows of uniform non-negative floats scaled to unit length, from a fixed seed. */
static void fill_unit_rows(float *m, size_t rows, size_t dim, uint64_t seed)
{
    for (size_t r = 0; r < rows; r++) {
        float *row = m + r * dim;
        double sum = 0;

        for (size_t j = 0; j < dim; j++) {
            seed = splitmix64(seed);
            row[j] = (float)(seed >> 40) * (1.0f / 16777216.0f);
            sum += (double)row[j] * row[j];
        }
        for (size_t j = 0; sum > 0 && j < dim; j++)
            row[j] = (float)(row[j] / sqrt(sum));
    }
}

static void data_free(data_t *d)
{
    free(d->companies);
    free(d->investors);
    free(d->companies_rev);
    free(d->investors_rev);
}

static int data_make(const opts_t *o, data_t *d)
{
    d->companies = malloc(o->n * o->dim * sizeof(float));
    d->investors = malloc(o->m * o->dim * sizeof(float));
    d->companies_rev = malloc(o->n * DIM_REV * sizeof(float));
    d->investors_rev = malloc(o->m * DIM_REV * sizeof(float));
    if (d->companies == NULL || d->investors == NULL || d->companies_rev == NULL ||
        d->investors_rev == NULL)
        return TV_ENOMEM;
    fill_unit_rows(d->companies, o->n, o->dim, 1);
    fill_unit_rows(d->investors, o->m, o->dim, 2);
    fill_unit_rows(d->companies_rev, o->n, DIM_REV, 3);
    fill_unit_rows(d->investors_rev, o->m, DIM_REV, 4);
    return 0;
}

/* Rejects about one pair in ten, the same pairs on every run. */
static int allow_pair(void *ctx, size_t company, size_t investor)
{
    run_t *r = ctx;
    int ok = splitmix64(((uint64_t)company << 32) ^ investor) % 10 != 0;

    r->allow_counts[company][0]++;
    r->allow_counts[company][1] += !ok;
    return ok;
}

/* ---- the C measurements; each returns seconds, or a negative TV_E* code ---- */

static double run_sgemm(run_t *r)
{
    const opts_t *o = r->o;
    size_t tc = o->n < TILE_COMPANIES ? o->n : TILE_COMPANIES;
    size_t ti = o->m < TILE_INVESTORS ? o->m : TILE_INVESTORS;
    float *tile = malloc(tc * ti * sizeof(float));
    double t0 = now_seconds();

    if (tile == NULL)
        return TV_ENOMEM;
    for (size_t c0 = 0; c0 < o->n; c0 += tc) {
        size_t rows = o->n - c0 < tc ? o->n - c0 : tc;

        for (size_t i0 = 0; i0 < o->m; i0 += ti) {
            size_t cols = o->m - i0 < ti ? o->m - i0 : ti;

            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)cols, (int)o->dim,
                        1.0f, r->d->companies + c0 * o->dim, (int)o->dim,
                        r->d->investors + i0 * o->dim, (int)o->dim, 0.0f, tile, (int)cols);
        }
    }
    t0 = now_seconds() - t0;
    free(tile);
    return t0;
}

static void run_free_lists(run_t *r)
{
    tv_lists_free(r->per_investor, r->o->m);
    tv_lists_free(r->per_company, r->o->n);
}

/* Both directions, reverse vectors and the mask: the full pipeline, screened as 'screen'. */
static double run_pipeline_screened(run_t *r, tv_screen_t screen)
{
    const opts_t *o = r->o;
    const data_t *d = r->d;
    tv_score_input_t in = {d->companies,
                           d->investors,
                           o->n,
                           o->m,
                           o->dim,
                           d->companies_rev,
                           d->investors_rev,
                           DIM_REV,
                           allow_pair,
                           r,
                           0,
                           0,
                           screen};
    double t0;
    int rc;

    run_free_lists(r);
    memset(r->allow_counts, 0, o->n * sizeof(r->allow_counts[0]));
    t0 = now_seconds();
    rc = tv_score_all(&in, o->k, r->per_investor, o->k, r->per_company);
    t0 = now_seconds() - t0;
    return rc < 0 ? rc : t0;
}

/* The pipeline as the matcher runs it (TV_SCREEN_AUTO). */
static double run_pipeline(run_t *r)
{
    return run_pipeline_screened(r, TV_SCREEN_AUTO);
}

/* The pipeline with candidates screened by sgemm, when the default screens in bf16. */
static double run_pipeline_sgemm(run_t *r)
{
    return run_pipeline_screened(r, TV_SCREEN_SGEMM);
}

/* Best K companies per investor, forward only, no mask: what IndexFlatIP computes. */
static double run_one_direction_screened(run_t *r, tv_screen_t screen)
{
    const opts_t *o = r->o;
    tv_score_input_t in = {
        r->d->companies, r->d->investors, o->n, o->m, o->dim, NULL, NULL, 0, NULL, NULL, 0, 0,
        screen};
    double t0;
    int rc;

    run_free_lists(r);
    t0 = now_seconds();
    rc = tv_score_all(&in, o->k, r->per_investor, 0, NULL);
    t0 = now_seconds() - t0;
    return rc < 0 ? rc : t0;
}

static double run_one_direction(run_t *r)
{
    return run_one_direction_screened(r, TV_SCREEN_AUTO);
}

static double run_one_direction_sgemm(run_t *r)
{
    return run_one_direction_screened(r, TV_SCREEN_SGEMM);
}

/* Whether the default (TV_SCREEN_AUTO) screens in bf16 at these sizes. */
static int screens_in_bf16(const opts_t *o)
{
    tv_score_input_t in = {NULL, NULL, o->n, o->m, o->dim, NULL,          NULL,
                           0,    NULL, NULL, 0,    0,      TV_SCREEN_AUTO};

    return tv_score_screening(&in) == TV_SCREEN_BF16;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* Best and median of 'n' timings (sorted in place). */
static timing_t summarise(double *t, int n)
{
    timing_t out = {-1, -1};

    if (n > 0) {
        qsort(t, (size_t)n, sizeof(double), compare_doubles);
        out.best = t[0];
        out.median = t[n / 2];
    }
    return out;
}

/* ---- FAISS, in a Python process, on the same matrices ---- */

static int write_floats(const char *dir, const char *name, const float *m, size_t n)
{
    char path[4096];
    FILE *f;
    size_t done;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (f == NULL)
        return TV_EIO;
    done = fwrite(m, sizeof(float), n, f);
    return fclose(f) == 0 && done == n ? 0 : TV_EIO;
}

/* bench/faiss_flat.py: $TAVOLO_FAISS_SCRIPT, or found from the source tree's fixtures path. */
static void faiss_script(char *buf, size_t cap)
{
    const char *env = getenv("TAVOLO_FAISS_SCRIPT");
    const char *tail = "fixtures/taxonomy.json";
    size_t len = strlen(TV_DEFAULT_TAXONOMY), tl = strlen(tail);

    if (env != NULL && *env != '\0')
        snprintf(buf, cap, "%s", env);
    else if (len >= tl && strcmp(TV_DEFAULT_TAXONOMY + len - tl, tail) == 0)
        snprintf(buf, cap, "%.*sbench/faiss_flat.py", (int)(len - tl), TV_DEFAULT_TAXONOMY);
    else
        snprintf(buf, cap, "bench/faiss_flat.py");
}

/* The number after "key": in the script's JSON line, or -1. */
static double json_number(const char *text, const char *key)
{
    char quoted[64];
    const char *at;

    snprintf(quoted, sizeof(quoted), "\"%s\":", key);
    at = strstr(text, quoted);
    if (at == NULL)
        return -1;
    at += strlen(quoted);
    return strncmp(at, " null", 5) == 0 ? -1 : strtod(at, NULL);
}

/* One FAISS measurement: runs the script (one timed search after a warm-up) with the thread
 * settings of 'o'. Returns seconds, or a negative TV_E* code. */
static double run_faiss(run_t *r)
{
    const opts_t *o = r->o;
    char script[4096], cmd[8192], line[4096] = "";
    FILE *p;

    faiss_script(script, sizeof(script));
    if (access(script, R_OK) != 0 || access(PYTHON, X_OK) != 0) {
        cli_error("bench score: no %s or no %s; FAISS skipped", PYTHON, script);
        return TV_EIO;
    }
    snprintf(cmd, sizeof(cmd),
             "env OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=%d OPENBLAS_NUM_THREADS=%d %s '%s' "
             "'%s' %zu %zu %zu %zu 1",
             o->threads, o->faiss_blas_threads, PYTHON, script, r->faiss_dir, o->n, o->m, o->dim,
             o->k);
    p = popen(cmd, "r");
    if (p == NULL)
        return TV_EIO;
    while (fgets(line, sizeof(line), p) != NULL && line[0] != '{')
        ;
    if (pclose(p) != 0 || json_number(line, "seconds_best") < 0) {
        cli_error("bench score: FAISS failed: %s", line);
        return TV_EIO;
    }
    return json_number(line, "seconds_best");
}

/* Compares FAISS's top K of the first queries with tavolo's one-direction lists. */
static int faiss_compare(const run_t *r, const char *dir, faiss_result_t *res)
{
    size_t q = r->o->m < AGREEMENT_QUERIES ? r->o->m : AGREEMENT_QUERIES, k = r->o->k;
    size_t kk = k < r->o->n ? k : r->o->n; /* FAISS pads rows beyond n with -1 */
    size_t same = 0, shared = 0, total = q * kk;
    int64_t *top = malloc(q * k * sizeof(int64_t));
    char path[4096];
    FILE *f;
    int rc = TV_EIO;

    snprintf(path, sizeof(path), "%s/faiss_top.i64", dir);
    f = fopen(path, "rb");
    if (top != NULL && f != NULL && fread(top, sizeof(int64_t), q * k, f) == q * k) {
        for (size_t i = 0; i < q; i++) {
            const tv_list_t *l = &r->per_investor[i];

            for (size_t j = 0; j < kk; j++) {
                same += j < l->n && (int64_t)l->items[j].index == top[i * k + j];
                for (size_t x = 0; x < l->n; x++)
                    shared += (int64_t)l->items[x].index == top[i * k + j];
            }
        }
        res->agreement = (double)same / (double)total;
        res->set_overlap = (double)shared / (double)total;
        rc = 0;
    }
    if (f != NULL)
        fclose(f);
    free(top);
    return rc;
}

static void remove_in(const char *dir, const char *name)
{
    char path[4096];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    unlink(path);
}

/* Writes the matrices FAISS reads to a temporary folder; leaves faiss_dir empty on failure. */
static void faiss_prepare(run_t *r)
{
    const opts_t *o = r->o;

    snprintf(r->faiss_dir, sizeof(r->faiss_dir), "/tmp/tavolo-bench-XXXXXX");
    if (mkdtemp(r->faiss_dir) == NULL) {
        cli_error("bench score: cannot create a temporary folder; FAISS skipped");
        r->faiss_dir[0] = '\0';
        return;
    }
    if (write_floats(r->faiss_dir, "companies.f32", r->d->companies, o->n * o->dim) != 0 ||
        write_floats(r->faiss_dir, "investors.f32", r->d->investors, o->m * o->dim) != 0) {
        cli_error("bench score: cannot write to %s; FAISS skipped", r->faiss_dir);
        r->faiss_dir[0] = '\0';
    }
}

static void faiss_cleanup(const char *dir)
{
    if (dir[0] == '\0')
        return;
    remove_in(dir, "companies.f32");
    remove_in(dir, "investors.f32");
    remove_in(dir, "faiss_top.i64");
    rmdir(dir);
}

/* ---- report ---- */

typedef struct {
    timing_t sgemm, pipeline, pipeline_sgemm, one, one_sgemm;
    faiss_result_t faiss;
    double peak_rss_mib, data_mib;
    uint64_t pairs_gated_in, pairs_rejected;
} results_t;

static double gflops(const opts_t *o, double seconds)
{
    return 2.0 * (double)o->n * (double)o->m * (double)o->dim / seconds / 1e9;
}

/* A JSON number, or null when the figure was not measured (negative). */
static void print_json_number(const char *key, double v, const char *fmt)
{
    printf(", \"%s\": ", key);
    if (v < 0)
        printf("null");
    else
        printf(fmt, v);
}

static void print_json(const opts_t *o, const results_t *x)
{
    const faiss_result_t *f = &x->faiss;

    printf("{\"companies\": %zu, \"investors\": %zu, \"dim\": %zu, \"dim_rev\": %d, \"k\": %zu, "
           "\"threads\": %d, \"repetitions\": %d",
           o->n, o->m, o->dim, DIM_REV, o->k, o->threads, o->reps);
    print_json_number("sgemm_seconds", x->sgemm.best, "%.4f");
    print_json_number("sgemm_seconds_median", x->sgemm.median, "%.4f");
    print_json_number("sgemm_gflops", x->sgemm.best > 0 ? gflops(o, x->sgemm.best) : -1, "%.1f");
    print_json_number("pipeline_seconds", x->pipeline.best, "%.4f");
    print_json_number("pipeline_seconds_median", x->pipeline.median, "%.4f");
    printf(", \"screening\": \"%s\"", screens_in_bf16(o) ? "bf16" : "sgemm");
    print_json_number("pipeline_sgemm_seconds", x->pipeline_sgemm.best, "%.4f");
    print_json_number("one_direction_seconds", x->one.best, "%.4f");
    print_json_number("one_direction_seconds_median", x->one.median, "%.4f");
    print_json_number("one_direction_sgemm_seconds", x->one_sgemm.best, "%.4f");
    print_json_number("faiss_seconds", f->ok ? f->t.best : -1, "%.4f");
    print_json_number("faiss_seconds_median", f->ok ? f->t.median : -1, "%.4f");
    print_json_number("faiss_agreement", f->ok ? f->agreement : -1, "%.4f");
    print_json_number("faiss_set_overlap", f->ok ? f->set_overlap : -1, "%.4f");
    printf(", \"faiss_omp_threads\": %d, \"faiss_openblas_threads\": %d, "
           "\"faiss_omp_wait_policy\": \"PASSIVE\"",
           o->threads, o->faiss_blas_threads);
    print_json_number("peak_rss_mib", x->peak_rss_mib, "%.1f");
    print_json_number("data_mib", x->data_mib, "%.1f");
    print_json_number("pipeline_pairs_gated_in",
                      x->pipeline.best > 0 ? (double)x->pairs_gated_in : -1, "%.0f");
    print_json_number("pipeline_pairs_rejected_by_mask",
                      x->pipeline.best > 0 ? (double)x->pairs_rejected : -1, "%.0f");
    print_json_number(
        "pipeline_over_sgemm",
        x->pipeline.best > 0 && x->sgemm.best > 0 ? x->pipeline.best / x->sgemm.best : -1, "%.3f");
    print_json_number("faiss_over_one_direction",
                      f->ok && x->one.best > 0 ? f->t.best / x->one.best : -1, "%.3f");
    print_json_number("faiss_over_one_direction_sgemm",
                      f->ok && x->one_sgemm.best > 0 ? f->t.best / x->one_sgemm.best : -1, "%.3f");
    printf(", \"goal_pipeline_over_sgemm_max\": 1.25, \"goal_faiss_over_one_direction_min\": 1.2, "
           "\"goal_pipeline_seconds_max\": 10, \"goal_peak_rss_mib_max\": 1024}\n");
}

static const char *verdict(int met)
{
    return met ? "met" : "NOT met";
}

static void print_table(const opts_t *o, const results_t *x)
{
    const faiss_result_t *f = &x->faiss;
    double pairs = (double)o->n * (double)o->m;

    printf("bench score: %zu companies x %zu investors, dim %zu (reverse %d), top %zu, %d "
           "threads; best and median of %d\n",
           o->n, o->m, o->dim, DIM_REV, o->k, o->threads, o->reps);
    if (x->sgemm.best > 0)
        printf("  plain sgemm, same tiles        %8.3f s  %8.3f s  %6.1f GFLOP/s\n", x->sgemm.best,
               x->sgemm.median, gflops(o, x->sgemm.best));
    if (x->pipeline.best > 0) {
        printf("  pipeline, both directions      %8.3f s  %8.3f s  %.2f%% of pairs passed the gate "
               "(%.2f%% rejected by the mask, the rest offered to the lists)\n",
               x->pipeline.best, x->pipeline.median, 100.0 * (double)x->pairs_gated_in / pairs,
               100.0 * (double)x->pairs_rejected / pairs);
        printf("  peak RSS after the pipeline    %8.1f MiB (input matrices %.1f MiB)\n",
               x->peak_rss_mib, x->data_mib);
        printf("  candidates screened by         %s\n",
               screens_in_bf16(o) ? "bf16 matmul (oneDNN), then scored exactly" : "sgemm");
    }
    if (x->pipeline_sgemm.best > 0)
        printf("  pipeline, screened by sgemm    %8.3f s  %8.3f s\n", x->pipeline_sgemm.best,
               x->pipeline_sgemm.median);
    if (x->one.best > 0)
        printf("  one direction, forward only    %8.3f s  %8.3f s\n", x->one.best, x->one.median);
    if (x->one_sgemm.best > 0)
        printf("  one direction, sgemm screening %8.3f s  %8.3f s\n", x->one_sgemm.best,
               x->one_sgemm.median);
    if (f->ok)
        printf("  FAISS IndexFlatIP              %8.3f s  %8.3f s  (OMP %d, OpenBLAS %d, passive "
               "wait); %.4f of top-%zu entries identical, %.4f shared, first %d queries\n",
               f->t.best, f->t.median, o->threads, o->faiss_blas_threads, f->agreement, o->k,
               f->set_overlap, AGREEMENT_QUERIES);
    if (x->pipeline.best > 0 || (f->ok && x->one.best > 0))
        printf("goals:\n");
    if (x->pipeline.best > 0 && x->sgemm.best > 0)
        printf("  pipeline / sgemm <= 1.25       %8.3f   %s\n", x->pipeline.best / x->sgemm.best,
               verdict(x->pipeline.best <= 1.25 * x->sgemm.best));
    if (f->ok && x->one.best > 0)
        printf("  FAISS / one direction >= 1.2   %8.3f   %s\n", f->t.best / x->one.best,
               verdict(f->t.best >= 1.2 * x->one.best));

    if (x->pipeline.best > 0)
        printf("  pipeline < 10 s                %8.3f s %s\n  peak RSS < 1024 MiB          "
               "%8.1f   %s\n",
               x->pipeline.best, verdict(x->pipeline.best < 10), x->peak_rss_mib,
               verdict(x->peak_rss_mib < 1024));
}

/* ---- driver ---- */

/* The measurements, run in rounds (one of each per round) so that a slow spell of a shared
 * machine falls on all of them rather than on one. */
enum {
    STEP_SGEMM,
    STEP_PIPELINE,
    STEP_PIPELINE_SGEMM,
    STEP_ONE,
    STEP_ONE_SGEMM,
    STEP_FAISS,
    STEPS
};

static const struct {
    const char *name;
    double (*run)(run_t *r);
} steps[STEPS] = {{"sgemm", run_sgemm},
                  {"pipeline", run_pipeline},
                  {"pipeline-sgemm", run_pipeline_sgemm},
                  {"one-direction", run_one_direction},
                  {"one-direction-sgemm", run_one_direction_sgemm},
                  {"faiss", run_faiss}};

static int step_wanted(const run_t *r, int step)
{
    if (step == STEP_FAISS)
        return r->faiss_dir[0] != '\0';
    if ((step == STEP_PIPELINE_SGEMM || step == STEP_ONE_SGEMM) && !screens_in_bf16(r->o))
        return 0;
    return r->o->only == NULL || strcmp(r->o->only, steps[step].name) == 0;
}

/* Runs step 'st' once and keeps its time in 't' (n so far). FAISS failing turns FAISS off;
 * any other failure is returned as a negative TV_E* code. */
static int run_step(run_t *r, int st, int round, double *t, int *n, results_t *x)
{
    double sec = steps[st].run(r);
    struct rusage ru;

    if (sec < 0 && st == STEP_FAISS) {
        faiss_cleanup(r->faiss_dir);
        r->faiss_dir[0] = '\0';
        *n = 0;
        return 0;
    }
    if (sec < 0) {
        cli_error("bench score: %s failed: %s", steps[st].name, tv_strerror((int)sec));
        return (int)sec;
    }
    t[(*n)++] = sec;
    fprintf(stderr, "bench score: round %d of %d: %-13s %8.3f s\n", round + 1, r->o->reps,
            steps[st].name, sec);
    if (st == STEP_PIPELINE) {
        getrusage(RUSAGE_SELF, &ru);
        x->peak_rss_mib = (double)ru.ru_maxrss / 1024.0; /* KiB on Linux */
        /* tv_score_all asks 'allow' only about pairs that passed its gate, so the calls count
         * them; the allowed ones are offered to the lists by approximate score, and only the lists'
         * survivors are re-scored exactly. */
        x->pairs_gated_in = x->pairs_rejected = 0;
        for (size_t c = 0; c < r->o->n; c++) {
            x->pairs_gated_in += r->allow_counts[c][0];
            x->pairs_rejected += r->allow_counts[c][1];
        }
    }
    return 0;
}

/* Runs every round; fills the timings of 'x' and the pipeline's memory and counters. */
static int run_rounds(run_t *r, results_t *x)
{
    double t[STEPS][16];
    int n[STEPS] = {0}, rc = 0;

    for (int round = 0; rc == 0 && round < r->o->reps; round++) {
        for (int st = 0; rc == 0 && st < STEPS; st++) {
            if (step_wanted(r, st))
                rc = run_step(r, st, round, t[st], &n[st], x);
        }
    }
    x->sgemm = summarise(t[STEP_SGEMM], n[STEP_SGEMM]);
    x->pipeline = summarise(t[STEP_PIPELINE], n[STEP_PIPELINE]);
    x->pipeline_sgemm = summarise(t[STEP_PIPELINE_SGEMM], n[STEP_PIPELINE_SGEMM]);
    x->one = summarise(t[STEP_ONE], n[STEP_ONE]);
    x->one_sgemm = summarise(t[STEP_ONE_SGEMM], n[STEP_ONE_SGEMM]);
    x->faiss.t = summarise(t[STEP_FAISS], n[STEP_FAISS]);
    return rc;
}

static int bench_score(const opts_t *o)
{
    results_t x = {{-1, -1}, {-1, -1}, {-1, -1}, {-1, -1}, {-1, -1}, {{-1, -1}, 0, 0, 0},
                   -1,       0,        0,        0};
    data_t d = {NULL, NULL, NULL, NULL};
    run_t r = {o, &d, calloc(o->m, sizeof(tv_list_t)), calloc(o->n, sizeof(tv_list_t)), NULL, ""};
    int rc;

    r.allow_counts = calloc(o->n, sizeof(r.allow_counts[0]));
    rc = r.per_investor == NULL || r.per_company == NULL || r.allow_counts == NULL
             ? TV_ENOMEM
             : data_make(o, &d);

    x.data_mib = (double)((o->n + o->m) * (o->dim + DIM_REV)) * sizeof(float) / MIB;
    if (rc == 0 && o->faiss && o->only == NULL)
        faiss_prepare(&r);
    if (rc == 0)
        rc = run_rounds(&r, &x);
    /* FAISS's answers of its last round against the one-direction lists of the same round. */
    if (rc == 0 && x.faiss.t.best > 0 && x.one.best > 0)
        x.faiss.ok = faiss_compare(&r, r.faiss_dir, &x.faiss) == 0;
    if (rc == 0 && o->json)
        print_json(o, &x);
    else if (rc == 0)
        print_table(o, &x);
    if (rc == TV_ENOMEM)
        cli_error("bench score: out of memory");
    faiss_cleanup(r.faiss_dir);
    run_free_lists(&r);
    free(r.per_investor);
    free(r.per_company);
    free(r.allow_counts);
    data_free(&d);
    return rc == 0 ? CLI_OK : CLI_FAILED;
}

/* A positive whole number no larger than 'max', or 0. */
static size_t parse_count(const char *s, size_t max)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);

    return *s != '\0' && *s != '-' && *end == '\0' && v > 0 && v <= max ? (size_t)v : 0;
}

static int parse_opts(int argc, char **argv, opts_t *o)
{
    static const struct option longopts[] = {{"companies", required_argument, NULL, 'n'},
                                             {"investors", required_argument, NULL, 'm'},
                                             {"dim", required_argument, NULL, 'd'},
                                             {"k", required_argument, NULL, 'k'},
                                             {"threads", required_argument, NULL, 't'},
                                             {"faiss-blas-threads", required_argument, NULL, 'b'},
                                             {"reps", required_argument, NULL, 'r'},
                                             {"only", required_argument, NULL, 'o'},
                                             {"no-faiss", no_argument, NULL, 'F'},
                                             {"json", no_argument, NULL, 'j'},
                                             {NULL, 0, NULL, 0}};
    int c, threads = 0, blas = 0, reps = 3;

    optind = 1;
    while ((c = getopt_long(argc, argv, "n:m:d:k:t:b:r:o:Fj", longopts, NULL)) != -1) {
        if (c == 'n' || c == 'm' || c == 'd' || c == 'k') {
            size_t v = parse_count(optarg, c == 'd' || c == 'k' ? 65536 : UINT32_MAX);

            *(c == 'n' ? &o->n : c == 'm' ? &o->m : c == 'd' ? &o->dim : &o->k) = v;
            if (v == 0)
                return CLI_USAGE;
        } else if (c == 't' || c == 'b' || c == 'r') {
            int v = (int)parse_count(optarg, c == 'r' ? 15 : 256);

            *(c == 't' ? &threads : c == 'b' ? &blas : &reps) = v;
            if (v == 0)
                return CLI_USAGE;
        } else if (c == 'o' &&
                   (strcmp(optarg, "sgemm") == 0 || strcmp(optarg, "pipeline") == 0 ||
                    strcmp(optarg, "pipeline-sgemm") == 0 || strcmp(optarg, "one-direction") == 0 ||
                    strcmp(optarg, "one-direction-sgemm") == 0)) {
            o->only = optarg;
        } else if (c == 'F') {
            o->faiss = 0;
        } else if (c == 'j') {
            o->json = 1;
        } else {
            return CLI_USAGE;
        }
    }
    if (optind != argc)
        return CLI_USAGE;
    if (threads > 0)
        openblas_set_num_threads(threads);
    o->threads = openblas_get_num_threads();
    o->faiss_blas_threads = blas > 0 ? blas : o->threads;
    o->reps = reps;
    return CLI_OK;
}

int main(int argc, char **argv)
{
    opts_t o = {50000, 20000, 512, 50, 0, 0, 3, 0, 1, NULL};

    if (parse_opts(argc, argv, &o) != CLI_OK) {
        cli_error(
            "usage: bench_score [--companies N] [--investors M] [--dim D] [-k K] "
            "[--threads T] [--faiss-blas-threads B] [--reps R] [--no-faiss] "
            "[--only sgemm|pipeline|pipeline-sgemm|one-direction|one-direction-sgemm] [--json]");
        return CLI_USAGE;
    }
    return bench_score(&o);
}
