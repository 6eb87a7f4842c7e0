/* Tiled scoring with top-k lists in both directions (see tavolo/score.h). The only file
 * that includes cblas.h. */
#include <cblas.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "screen.h"
#include "tavolo/score.h"

/* A tile's forward scores (4 MiB) stay closer to the cache while scanned, and the investor
 * lists a tile touches fit in L2; 4096 investors made plain sgemm 3-4% faster but the whole
 * pipeline about 4% slower. */
#define DEFAULT_TILE_COMPANIES 1024
#define DEFAULT_TILE_INVESTORS 1024
#define LANES 16
/* The all-pairs scan keeps this many candidates beyond a list's length, ranked by their
 * approximate (sgemm) scores, and scores only the survivors exactly at the end. */
#define RESCORE_EXTRA 16
/* The same with bf16 screening, whose error bound is some hundred times wider: the spare
 * candidates must outnumber the pairs within that bound of a list's edge, or lists go
 * unproven and are ranked again on their own. */
#define SCREEN_EXTRA 32
/* At most this many threads scan and re-score. */
#define MAX_WORKERS 8
/* Lists a re-scoring worker claims at a time. */
#define RESCORE_CHUNK 64

/* Compiled for AVX-512, AVX2 and plain x86-64; the loader picks one per process, so every path
 * of a run uses the same code and gets the same floats. */
__attribute__((target_clones("avx512f", "avx2", "default"))) float tv_dot(const float *a,
                                                                          const float *b, size_t n)
{
    float acc[LANES] = {0};
    size_t i = 0;

    for (; i + LANES <= n; i += LANES) {
        for (int j = 0; j < LANES; j++)
            acc[j] += a[i + j] * b[i + j];
    }
    for (int j = 0; i + (size_t)j < n; j++)
        acc[j] += a[i + j] * b[i + j];
    for (int width = LANES / 2; width > 0; width /= 2) {
        for (int j = 0; j < width; j++)
            acc[j] += acc[j + width];
    }
    return acc[0];
}

/* The harmonic mean of the two directions; a side at or below zero makes the pair 0. */
static float combine(float f, float r)
{
    if (f <= 0 || r <= 0)
        return 0;
    return 2 * f * r / (f + r);
}

float tv_score_pair(const tv_score_input_t *in, size_t c, size_t i)
{
    float f = tv_dot(in->companies + c * in->dim, in->investors + i * in->dim, in->dim);

    if (in->companies_rev == NULL)
        return f;
    return combine(f, tv_dot(in->companies_rev + c * in->dim_rev,
                             in->investors_rev + i * in->dim_rev, in->dim_rev));
}

/* ---- lists kept as min-heaps (worst entry at the root) while scoring ---- */

/* tv_hit_better without branches: which child is worse is a coin toss on random data, so a
 * branch on it would be mispredicted half the time. */
static inline int hit_better(tv_hit_t a, tv_hit_t b)
{
    return (a.score > b.score) | ((a.score == b.score) & (a.index < b.index));
}

/* Puts 'hit' into heap 'h' (n entries) in place of its root, moving it down past every child
 * it beats. */
static void replace_root(tv_hit_t *h, uint32_t n, tv_hit_t hit)
{
    uint32_t at = 0;

    for (;;) {
        uint32_t l = 2 * at + 1, worst;

        if (l >= n)
            break;
        worst = l + (l + 1 < n && hit_better(h[l], h[l + 1]));
        if (!hit_better(hit, h[worst]))
            break;
        h[at] = h[worst];
        at = worst;
    }
    h[at] = hit;
}

static void heap_push(tv_list_t *l, tv_hit_t hit)
{
    if (l->n < l->cap) {
        uint32_t at = l->n++;

        while (at > 0 && hit_better(l->items[(at - 1) / 2], hit)) {
            l->items[at] = l->items[(at - 1) / 2];
            at = (at - 1) / 2;
        }
        l->items[at] = hit;
    } else if (hit_better(hit, l->items[0])) {
        replace_root(l->items, l->n, hit);
    }
}

static int compare_hits(const void *a, const void *b)
{
    tv_hit_t x = *(const tv_hit_t *)a, y = *(const tv_hit_t *)b;

    return tv_hit_better(x, y) ? -1 : tv_hit_better(y, x) ? 1 : 0;
}

static void heap_finish(tv_list_t *l)
{
    qsort(l->items, l->n, sizeof(tv_hit_t), compare_hits);
    l->complete = l->n < l->cap;
}

/* ---- lists kept as reservoirs while scanning ---- */

/* A scanned list has room for twice what it keeps ('cap'). Candidates are appended; when it
 * is full, the best 'cap' stay (a selection, not a sort) and the list's gate rises to the worst
 * of them. Appending costs no comparisons, where a heap moved every candidate past up to
 * log2(cap) others, and the gate trails a heap's by little. The order is strict (score, then
 * index, and an index is offered to a list once), so what a list keeps does not depend on the
 * order its candidates came in. */
#define RESERVOIR_ROOM 2

static inline void swap_hits(tv_hit_t *h, ptrdiff_t a, ptrdiff_t b)
{
    tv_hit_t t = h[a];

    h[a] = h[b];
    h[b] = t;
}

/* Reorders h[0 .. n) so that h[nth] is the entry of that rank (0 the best), every entry
 * before it better and every one after it worse: quickselect, a median-of-three pivot, and a
 * partition without branches on the comparison (whose outcome is a coin toss). */
static void select_rank(tv_hit_t *h, ptrdiff_t n, ptrdiff_t nth)
{
    ptrdiff_t lo = 0, hi = n; /* the entry of rank nth is in [lo, hi) */

    while (hi - lo > 1) {
        ptrdiff_t mid = lo + (hi - lo) / 2, last = hi - 1, store = lo;
        tv_hit_t pivot;

        /* The median of h[lo], h[mid], h[last] goes to h[last]. */
        if (hit_better(h[mid], h[lo]))
            swap_hits(h, lo, mid);
        if (hit_better(h[last], h[lo]))
            swap_hits(h, lo, last);
        if (hit_better(h[mid], h[last]))
            swap_hits(h, mid, last);
        pivot = h[last];
        /* h[lo .. store) beat the pivot, h[store .. i) do not. */
        for (ptrdiff_t i = lo; i < last; i++) {
            tv_hit_t x = h[i];
            int better = hit_better(x, pivot);

            h[i] = h[store];
            h[store] = x;
            store += better;
        }
        swap_hits(h, store, last);
        if (nth == store)
            return;
        if (nth < store)
            hi = store;
        else
            lo = store + 1;
    }
}

/* Keeps the best 'cap' entries of a list holding at least that many; returns the worst
 * score kept, the list's new gate. */
static float reservoir_compact(tv_list_t *l)
{
    select_rank(l->items, l->n, l->cap - 1);
    l->n = l->cap;
    return l->items[l->cap - 1].score;
}

/* Appends 'hit' (which passed the gate '*gate') to list 'l', compacting it when full. */
static inline void reservoir_push(tv_list_t *l, float *gate, tv_hit_t hit)
{
    l->items[l->n++] = hit;
    if (l->n == RESERVOIR_ROOM * l->cap)
        *gate = reservoir_compact(l);
}

/* Allocates n lists keeping 'cap' entries each, with room for 'room' times that. */
static int lists_alloc_room(tv_list_t *lists, size_t n, size_t cap, size_t room)
{
    for (size_t i = 0; i < n; i++) {
        lists[i].items = tv__malloc(room * cap * sizeof(tv_hit_t));
        lists[i].n = 0;
        lists[i].cap = (uint32_t)cap;
        lists[i].complete = 0;
        if (lists[i].items == NULL) {
            tv_lists_free(lists, i);
            return TV_ENOMEM;
        }
    }
    return 0;
}

static int lists_alloc(tv_list_t *lists, size_t n, size_t cap)
{
    return lists_alloc_room(lists, n, cap, 1);
}

void tv_lists_free(tv_list_t *lists, size_t n)
{
    for (size_t i = 0; lists != NULL && i < n; i++) {
        tv__free(lists[i].items);
        lists[i].items = NULL;
        lists[i].n = lists[i].cap = 0;
    }
}

/* ---- gates: which approximate scores are worth an exact look ---- */

typedef struct {
    const tv_score_input_t *in;
    float eps_fwd, eps_rev; /* bounds on |approximate - exact| of a forward and a reverse score */
    float max_fwd, max_rev; /* bounds on the scores themselves: products of the largest norms */
    float slack;            /* a bound on |approximate - exact| of any match score */
} gate_t;

static float max_row_norm(const float *m, size_t rows, size_t dim)
{
    float best = 0;

    for (size_t r = 0; r < rows; r++) {
        float n = sqrtf(tv_dot(m + r * dim, m + r * dim, dim));

        best = n > best ? n : best;
    }
    return best;
}

/* The harmonic mean moves at most twice as fast as either side; without reverse vectors
 * the match score is the forward score itself, so its own bound is enough. A looser
 * slack only costs time: lists whose edge it cannot prove are ranked again on their own
 * (79 of 20,000 in the one-direction benchmark with 2 * eps, none with eps). */
static void gate_set_slack(gate_t *g)
{
    g->slack = g->in->companies_rev != NULL ? 2 * (g->eps_fwd + g->eps_rev) : g->eps_fwd;
}

static void gate_init(gate_t *g, const tv_score_input_t *in)
{
    float nc = max_row_norm(in->companies, in->n_companies, in->dim);
    float ni = max_row_norm(in->investors, in->n_investors, in->dim);

    memset(g, 0, sizeof(*g));
    g->in = in;
    g->max_fwd = nc * ni;
    g->eps_fwd = 1e-5f * sqrtf((float)in->dim) * g->max_fwd + 1e-7f;
    if (in->companies_rev != NULL) {
        g->max_rev = max_row_norm(in->companies_rev, in->n_companies, in->dim_rev) *
                     max_row_norm(in->investors_rev, in->n_investors, in->dim_rev);
        g->eps_rev = 1e-5f * sqrtf((float)in->dim_rev) * g->max_rev + 1e-7f;
    }
    gate_set_slack(g);
}

/* How far above 'w' (>= 0) the exact match score of a pair can be when its approximate one
 * is at most 'w': tighter than 'slack' at the top of the scores. The harmonic mean
 * h = 2fr / (f + r) rises with f at the rate 2 (r / (f + r))^2 = 2 (1 - h / 2r)^2, at most
 * 2 (1 - w / 2R)^2 wherever h >= w and r <= R; and a pair whose approximate score is lower
 * ends lower. Likewise for r. A little more covers the float arithmetic of h itself. */
static float edge_slack(const gate_t *g, float w)
{
    double a, b;

    if (g->in->companies_rev == NULL)
        return g->eps_fwd;
    a = fmin(1, fmax(0, 1 - w / (2.0 * (g->max_rev + 2 * g->eps_rev))));
    b = fmin(1, fmax(0, 1 - w / (2.0 * (g->max_fwd + 2 * g->eps_fwd))));
    return (float)((2 * a * a * g->eps_fwd + 2 * b * b * g->eps_rev) * (1 + 1e-5) + 4e-6 * fabs(w) +
                   1e-7);
}

/* The score a pair must reach, give or take the slack, to enter list 'l'. */
static float list_gate(const gate_t *g, const tv_list_t *l)
{
    return l->n < l->cap ? -INFINITY : l->items[0].score - g->slack;
}

/* ---- all pairs ---- */

/* What the workers of one tv_score_all share. Company blocks (rows of tiles) are handed out
 * one at a time, so each company's list is only ever touched by one worker; each worker keeps
 * its own investor lists, merged at the end. A list keeps the best entries by (approximate
 * score, lower index), a strict order, so what a list ends with does not depend on the order
 * its entries were offered in, nor on which worker offered them: the result is the same on
 * every run and with any number of workers. */
typedef struct {
    const tv_score_input_t *in;
    gate_t gate;
    tv__screen_t *screen; /* bf16 copies for the forward products, or NULL for sgemm */
    size_t extra;         /* spare candidates per list: RESCORE_EXTRA or SCREEN_EXTRA */
    size_t tile_companies, tile_investors;
    size_t per_investor_cap, per_company_cap; /* the caller's capacities, 0 when not asked */
    tv_list_t *per_investor, *per_company;    /* NULL for a direction not asked */
    float *company_gates;                     /* per company list: what a candidate must reach */
    size_t n_investor_lists, n_company_lists; /* 0 for a direction not asked */
    unsigned char *again;     /* per list, investors first: 1 when its edge was not proven */
    int may_rank_together;    /* 0 in a run that ranks lists again together (no deeper) */
    atomic_size_t next_block; /* the next company block to scan */
    atomic_size_t next_list;  /* the next list to re-score */
} scan_t;

/* One worker's own state. */
typedef struct {
    scan_t *s;
    tv_list_t *per_investor; /* worker 0: the caller's lists; the others: their own */
    float *investor_gates;   /* n_investors, from this worker's investor lists */
    float *tile, *rev_tile;  /* tile_companies x tile_investors; rev_tile NULL without reverse */
    tv__screen_worker_t *screen; /* NULL: sgemm */
} worker_t;

/* Offers pair (c, i), with its approximate score, to both lists. Returns the company's new
 * gate. */
static float consider(worker_t *w, size_t c, size_t i, float approx, float company_gate)
{
    const tv_score_input_t *in = w->s->in;
    tv_hit_t hit;

    if (in->allow != NULL && !in->allow(in->allow_ctx, c, i))
        return company_gate;
    hit.score = approx;
    /* A list is offered the pair only if it passes that list's own gate (it got here by
     * passing one of the two), so a list's memory is touched only when the list may change. */
    if (w->s->per_company != NULL && approx >= company_gate) {
        hit.index = (uint32_t)i;
        reservoir_push(&w->s->per_company[c], &company_gate, hit);
    }
    if (w->per_investor != NULL && approx >= w->investor_gates[i]) {
        hit.index = (uint32_t)c;
        reservoir_push(&w->per_investor[i], &w->investor_gates[i], hit);
    }
    return company_gate;
}

/* The approximate match score of a pair from its approximate forward and reverse scores,
 * 'combine' written so that a NaN side gives 0. */
static float approx_match(float f, float r)
{
    return f > 0 && r > 0 ? 2 * f * r / (f + r) : 0;
}

/* A little under 1: the division-free test below may let through a pair that the exact
 * comparison then rejects (rounding), but never drops one the exact comparison would keep. */
#define NEAR_ONE 0.999999f
/* Columns the gates below test at once: GATE_LANES (two AVX-512 registers of floats), and for
 * forward scores alone, cheaper to test, first FORWARD_BLOCK. Loops of these fixed lengths are
 * what the compiler vectorises; at 16 it unrolls them into scalar code instead. */
#define GATE_LANES 32
#define FORWARD_BLOCK 64

/* Whether approx_match(f, r) may reach min(company_gate, investor_gate). For f, r > 0 the
 * harmonic mean reaches 'need' when 2fr >= need (f + r); a need at or below 0 is reached by
 * every pair, since approx_match is never negative. */
static inline int match_may_pass(float f, float r, float investor_gate, float company_gate)
{
    float need = company_gate < investor_gate ? company_gate : investor_gate;

    return (need <= 0) | (2 * f * r >= need * (f + r) * NEAR_ONE);
}

/* Whether forward score f reaches min(company_gate, investor_gate). */
static inline int forward_may_pass(float f, float investor_gate, float company_gate)
{
    float need = company_gate < investor_gate ? company_gate : investor_gate;

    return f >= need;
}

/* Sets pass[k] to whether column k of a row may pass, for k < GATE_LANES, and returns whether
 * any may. 'rev' is NULL for forward scores alone. */
static inline int lanes_may_pass(const float *fwd, const float *rev, const float *gates,
                                 float company_gate, int32_t *pass)
{
    int any = 0;

    if (rev != NULL) {
        for (int k = 0; k < GATE_LANES; k++)
            pass[k] = match_may_pass(fwd[k], rev[k], gates[k], company_gate);
    } else {
        for (int k = 0; k < GATE_LANES; k++)
            pass[k] = forward_may_pass(fwd[k], gates[k], company_gate);
    }
    for (int k = 0; k < GATE_LANES; k++)
        any |= pass[k];
    return any;
}

/* Whether any of FORWARD_BLOCK forward scores of a row may pass. */
static inline int any_forward_may_pass(const float *fwd, const float *gates, float company_gate)
{
    int any = 0;

    for (int k = 0; k < FORWARD_BLOCK; k++)
        any |= forward_may_pass(fwd[k], gates[k], company_gate);
    return any;
}

/* The first column j in [from, n) of a tile row (forward scores 'fwd', reverse scores 'rev'
 * or NULL, investors' gates 'gates') whose score may pass the gates, or n. Tests blocks of
 * columns without branches or divisions; most blocks have no candidate. */
static inline size_t next_candidate(const float *fwd, const float *rev, const float *gates,
                                    float company_gate, size_t from, size_t n)
{
    size_t j = from;

    for (; rev == NULL && j + FORWARD_BLOCK <= n; j += FORWARD_BLOCK) {
        if (any_forward_may_pass(fwd + j, gates + j, company_gate))
            break;
    }
    for (; j + GATE_LANES <= n; j += GATE_LANES) {
        int32_t pass[GATE_LANES];

        if (!lanes_may_pass(fwd + j, rev != NULL ? rev + j : NULL, gates + j, company_gate, pass))
            continue;
        for (int k = 0;; k++) {
            if (pass[k])
                return j + (size_t)k;
        }
    }
    for (; j < n; j++) {
        int may = rev != NULL ? match_may_pass(fwd[j], rev[j], gates[j], company_gate)
                              : forward_may_pass(fwd[j], gates[j], company_gate);

        if (may)
            return j;
    }
    return n;
}

/* next_candidate with reverse scores, compiled for AVX-512, AVX2 and plain x86-64. */
__attribute__((target_clones("avx512f", "avx2", "default"))) static size_t
next_match_candidate(const float *fwd, const float *rev, const float *gates, float company_gate,
                     size_t from, size_t n)
{
    return next_candidate(fwd, rev, gates, company_gate, from, n);
}

/* next_candidate for forward scores alone. */
__attribute__((target_clones("avx512f", "avx2", "default"))) static size_t
next_forward_candidate(const float *fwd, const float *gates, float company_gate, size_t from,
                       size_t n)
{
    return next_candidate(fwd, NULL, gates, company_gate, from, n);
}

/* Walks one row of a tile: 'fwd' and 'rev' (NULL without reverse vectors) hold the
 * approximate scores of company c against investors i0 .. i0 + cols - 1. The vectorised
 * gates find the candidates; each is then compared exactly and offered to the lists. */
static void scan_row(worker_t *w, size_t c, const float *fwd, const float *rev, size_t i0,
                     size_t cols)
{
    const float *gates = w->investor_gates + i0;
    float gc = w->s->per_company != NULL ? w->s->company_gates[c] : INFINITY;
    size_t j = 0;

    for (;;) {
        j = rev != NULL ? next_match_candidate(fwd, rev, gates, gc, j, cols)
                        : next_forward_candidate(fwd, gates, gc, j, cols);
        if (j == cols)
            break;
        float h = rev != NULL ? approx_match(fwd[j], rev[j]) : fwd[j];
        float need = gc < gates[j] ? gc : gates[j];

        if (h >= need)
            gc = consider(w, c, i0 + j, h, gc);
        j++;
    }
    if (w->s->per_company != NULL)
        w->s->company_gates[c] = gc;
}

/* Walks one tile (rows: companies c0.., columns: investors i0..) of approximate forward
 * scores and, when 'rev_tile' is not NULL, reverse scores. */
static void scan_tile(worker_t *w, size_t c0, size_t rows, size_t i0, size_t cols)
{
    const float *tile = w->tile, *rev_tile = w->rev_tile;

    for (size_t r = 0; r < rows; r++)
        scan_row(w, c0 + r, tile + r * cols, rev_tile != NULL ? rev_tile + r * cols : NULL, i0,
                 cols);
}

static void product(const float *a, const float *b, size_t rows, size_t cols, size_t dim,
                    float *out)
{
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)cols, (int)dim, 1.0f, a,
                (int)dim, b, (int)dim, 0.0f, out, (int)cols);
}

/* Scores and scans the company block starting at row c0 against every investor. */
static void scan_block(worker_t *w, size_t c0)
{
    const scan_t *s = w->s;
    const tv_score_input_t *in = s->in;
    size_t tc = s->tile_companies, ti = s->tile_investors;
    size_t rows = in->n_companies - c0 < tc ? in->n_companies - c0 : tc;

    for (size_t i0 = 0; i0 < in->n_investors; i0 += ti) {
        size_t cols = in->n_investors - i0 < ti ? in->n_investors - i0 : ti;

        /* Should a screened product fail, sgemm's scores are closer still to the exact ones,
         * so the gates widened for screening hold for them too. */
        if (w->screen == NULL || tv__screen_product(w->screen, c0, rows, i0, cols, w->tile) != 0)
            product(in->companies + c0 * in->dim, in->investors + i0 * in->dim, rows, cols, in->dim,
                    w->tile);
        if (w->rev_tile != NULL)
            product(in->companies_rev + c0 * in->dim_rev, in->investors_rev + i0 * in->dim_rev,
                    rows, cols, in->dim_rev, w->rev_tile);
        scan_tile(w, c0, rows, i0, cols);
    }
}

/* A worker's scanning: claims company blocks until none is left. */
static void *scan_blocks(void *arg)
{
    worker_t *w = arg;
    size_t n = w->s->in->n_companies;

    for (;;) {
        size_t c0 = atomic_fetch_add(&w->s->next_block, 1) * w->s->tile_companies;

        if (c0 >= n)
            return NULL;
        scan_block(w, c0);
    }
}

/* Turns list 'l' of entity 'self' (a company when 'company_side'), filled by the scan with
 * approximate scores, into its best 'cap' by exact score. Every pair the scan left out scored
 * at most the list's worst approximate score, so at most that plus edge_slack exactly. Returns 0
 * when the exact cap-th score beats this, so the list is proven right, and 1 otherwise (a
 * near tie at the edge): then the entity must be ranked again (rank_again_side). */
static int rescore(const gate_t *g, int company_side, size_t self, uint32_t cap, tv_list_t *l)
{
    const tv_score_input_t *in = g->in;
    int full = l->n >= l->cap;
    float worst = full ? reservoir_compact(l) : -INFINITY;
    float left_out = full ? worst + edge_slack(g, fmaxf(worst, 0)) : -INFINITY;

    for (uint32_t k = 0; k < l->n; k++) {
        size_t other = l->items[k].index;

        l->items[k].score =
            company_side ? tv_score_pair(in, self, other) : tv_score_pair(in, other, self);
    }
    qsort(l->items, l->n, sizeof(tv_hit_t), compare_hits);
    if (l->n > cap)
        l->n = cap;
    l->cap = cap;
    l->complete = l->n < cap;
    return full && !(l->items[cap - 1].score > left_out);
}

/* Replaces list 'l' of entity 'self' by a ranking of the entity on its own. */
static int rank_again(const tv_score_input_t *in, int company_side, size_t self, uint32_t cap,
                      tv_list_t *l)
{
    tv_list_t again;
    int rc = company_side ? tv_score_company(in, self, cap, NULL, NULL, &again)
                          : tv_score_investor(in, self, cap, NULL, NULL, &again);

    if (rc != 0)
        return rc;
    tv_lists_free(l, 1);
    *l = again;
    return 0;
}

/* Re-scores list k: the investors' lists first, then the companies'. */
static int rescore_list(const scan_t *s, size_t k)
{
    if (k < s->n_investor_lists)
        return rescore(&s->gate, 0, k, (uint32_t)s->per_investor_cap, &s->per_investor[k]);
    k -= s->n_investor_lists;
    return rescore(&s->gate, 1, k, (uint32_t)s->per_company_cap, &s->per_company[k]);
}

/* A worker's re-scoring: claims a few lists at a time until none is left. */
static void *rescore_lists(void *arg)
{
    scan_t *s = ((worker_t *)arg)->s;
    size_t n = s->n_investor_lists + s->n_company_lists;

    for (;;) {
        size_t k0 = atomic_fetch_add(&s->next_list, RESCORE_CHUNK);

        if (k0 >= n)
            return NULL;
        for (size_t k = k0; k < k0 + RESCORE_CHUNK && k < n; k++)
            s->again[k] = (unsigned char)rescore_list(s, k);
    }
}

/* Runs 'fn' on every worker, worker 0 on the calling thread. A worker whose thread cannot be
 * started does nothing; the others claim its share, since work is handed out as it goes. */
static void run_workers(worker_t *w, size_t n, void *(*fn)(void *))
{
    pthread_t threads[MAX_WORKERS];
    int started[MAX_WORKERS] = {0};

    for (size_t k = 1; k < n; k++)
        started[k] = pthread_create(&threads[k], NULL, fn, &w[k]) == 0;
    fn(&w[0]);
    for (size_t k = 1; k < n; k++) {
        if (started[k])
            pthread_join(threads[k], NULL);
    }
}

/* One worker per OpenBLAS thread (each then runs its products on one thread), no more than
 * there are company blocks. */
static size_t worker_count(const scan_t *s)
{
    size_t blocks = (s->in->n_companies + s->tile_companies - 1) / s->tile_companies;
    int blas_threads = openblas_get_num_threads();
    size_t n = blas_threads > 1 ? (size_t)blas_threads : 1;

    n = n < MAX_WORKERS ? n : MAX_WORKERS;
    return n < blocks ? n : blocks > 0 ? blocks : 1;
}

/* Frees what worker_init allocated; 'w' may be partly initialised (zeroed first). */
static void worker_dispose(worker_t *w, int own_lists)
{
    if (own_lists && w->per_investor != NULL)
        tv_lists_free(w->per_investor, w->s->in->n_investors);
    if (own_lists)
        tv__free(w->per_investor);
    tv__free(w->investor_gates);
    tv__free(w->tile);
    tv__free(w->rev_tile);
    tv__screen_worker_close(w->screen);
}

/* Allocates worker k's tiles and gates, and for k > 0 its own investor lists. */
static int worker_init(worker_t *w, scan_t *s, size_t k)
{
    const tv_score_input_t *in = s->in;
    size_t tile = s->tile_companies * s->tile_investors;

    memset(w, 0, sizeof(*w));
    w->s = s;
    w->tile = tv__malloc(tile * sizeof(float));
    w->rev_tile = in->companies_rev != NULL ? tv__malloc(tile * sizeof(float)) : NULL;
    w->investor_gates = tv__malloc((in->n_investors + 1) * sizeof(float));
    if (w->tile == NULL || w->investor_gates == NULL ||
        (in->companies_rev != NULL && w->rev_tile == NULL))
        return TV_ENOMEM;
    w->per_investor = s->per_investor;
    if (k > 0 && s->per_investor != NULL) {
        w->per_investor = tv__calloc(in->n_investors + 1, sizeof(tv_list_t));
        if (w->per_investor == NULL)
            return TV_ENOMEM;
        if (lists_alloc_room(w->per_investor, in->n_investors, s->per_investor_cap + s->extra,
                             RESERVOIR_ROOM) != 0) {
            tv__free(w->per_investor);
            w->per_investor = NULL;
            return TV_ENOMEM;
        }
    }
    for (size_t i = 0; i < in->n_investors; i++)
        w->investor_gates[i] = s->per_investor != NULL ? -INFINITY : INFINITY;
    /* Without a stream of its own the worker runs sgemm. */
    if (s->screen != NULL && tv__screen_worker_open(s->screen, &w->screen) != 0)
        w->screen = NULL;
    return 0;
}

static void workers_dispose(worker_t *w, size_t n)
{
    for (size_t k = 0; k < n; k++)
        worker_dispose(&w[k], k > 0);
}

/* Initialises n workers, or none (then returns TV_ENOMEM). */
static int workers_init(worker_t *w, scan_t *s, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (worker_init(&w[k], s, k) != 0) {
            workers_dispose(w, k + 1);
            return TV_ENOMEM;
        }
    }
    return 0;
}

/* Scans every tile, each worker running its products on one OpenBLAS thread, then merges the
 * workers' investor lists into the caller's (worker 0's). */
static void scan_all(scan_t *s, worker_t *w, size_t n)
{
    int blas_threads = openblas_get_num_threads();

    if (n > 1)
        openblas_set_num_threads(1);
    run_workers(w, n, scan_blocks);
    if (n > 1)
        openblas_set_num_threads(blas_threads);
    for (size_t k = 1; s->per_investor != NULL && k < n; k++) {
        for (size_t i = 0; i < s->in->n_investors; i++) {
            const tv_list_t *l = &w[k].per_investor[i];
            float *gate = &w[0].investor_gates[i];

            for (uint32_t j = 0; j < l->n; j++) {
                if (l->items[j].score >= *gate)
                    reservoir_push(&s->per_investor[i], gate, l->items[j]);
            }
        }
    }
}

static int score_all(const tv_score_input_t *in, size_t per_investor_cap, tv_list_t *per_investor,
                     size_t per_company_cap, tv_list_t *per_company, int may_rank_together);

/* Unproven lists on one side beyond this many are ranked again together, by a scan of just
 * their rows (tiled sgemm), rather than one by one (a whole sgemv pass each). */
#define RANK_ALONE_MAX 3

/* The mask of a run over some rows of one side: maps them back to the whole input's. */
typedef struct {
    const tv_score_input_t *in;
    const size_t *rows;
    int company_side;
} subset_t;

static int subset_allow(void *ctx, size_t c, size_t i)
{
    const subset_t *sub = ctx;

    if (sub->company_side)
        c = sub->rows[c];
    else
        i = sub->rows[i];
    return sub->in->allow(sub->in->allow_ctx, c, i);
}

/* A copy of rows 'rows' (n of them) of m, dim wide; NULL when out of memory. */
static float *gather_rows(const float *m, size_t dim, const size_t *rows, size_t n)
{
    float *out = tv__malloc((n * dim + 1) * sizeof(float));

    for (size_t k = 0; out != NULL && k < n; k++)
        memcpy(out + k * dim, m + rows[k] * dim, dim * sizeof(float));
    return out;
}

/* Ranks again, together, the n entities of one side whose lists were not proven: scans just
 * their rows against the whole other side, screened by sgemm, and puts each new list in
 * place of the old one. */
static int rank_again_together(const scan_t *s, int company_side, const size_t *rows, size_t n)
{
    const tv_score_input_t *in = s->in;
    tv_score_input_t sub = *in;
    subset_t ctx = {in, rows, company_side};
    tv_list_t *lists = tv__calloc(n + 1, sizeof(tv_list_t)), *dst;
    size_t cap = company_side ? s->per_company_cap : s->per_investor_cap;
    float *fwd = gather_rows(company_side ? in->companies : in->investors, in->dim, rows, n);
    float *rev = in->companies_rev == NULL
                     ? NULL
                     : gather_rows(company_side ? in->companies_rev : in->investors_rev,
                                   in->dim_rev, rows, n);
    int rc = TV_ENOMEM;

    if (lists == NULL || fwd == NULL || (in->companies_rev != NULL && rev == NULL))
        goto out;
    *(company_side ? &sub.companies : &sub.investors) = fwd;
    *(company_side ? &sub.companies_rev : &sub.investors_rev) = rev;
    *(company_side ? &sub.n_companies : &sub.n_investors) = n;
    if (in->allow != NULL) {
        sub.allow = subset_allow;
        sub.allow_ctx = &ctx;
    }
    sub.screen = TV_SCREEN_SGEMM;
    rc = company_side ? score_all(&sub, 0, NULL, cap, lists, 0)
                      : score_all(&sub, cap, lists, 0, NULL, 0);
    dst = company_side ? s->per_company : s->per_investor;
    for (size_t k = 0; rc == 0 && k < n; k++) {
        tv_lists_free(&dst[rows[k]], 1);
        dst[rows[k]] = lists[k];
    }
out:
    tv__free(fwd);
    tv__free(rev);
    tv__free(lists);
    return rc;
}

/* Ranks again the entities of one side whose lists were not proven: together when there are
 * more than RANK_ALONE_MAX (and this run may), else one by one. */
static int rank_again_side(const scan_t *s, int company_side)
{
    size_t first = company_side ? s->n_investor_lists : 0;
    size_t lists = company_side ? s->n_company_lists : s->n_investor_lists, n = 0;
    size_t *rows;
    int rc = 0;

    for (size_t k = 0; k < lists; k++)
        n += s->again[first + k];
    if (n > RANK_ALONE_MAX && s->may_rank_together) {
        rows = tv__malloc(n * sizeof(size_t));
        if (rows == NULL)
            return TV_ENOMEM;
        n = 0;
        for (size_t k = 0; k < lists; k++) {
            if (s->again[first + k])
                rows[n++] = k;
        }
        rc = rank_again_together(s, company_side, rows, n);
        tv__free(rows);
        return rc;
    }
    for (size_t k = 0; rc == 0 && k < lists; k++) {
        if (s->again[first + k])
            rc = company_side
                     ? rank_again(s->in, 1, k, (uint32_t)s->per_company_cap, &s->per_company[k])
                     : rank_again(s->in, 0, k, (uint32_t)s->per_investor_cap, &s->per_investor[k]);
    }
    return rc;
}

/* Re-scores every list exactly, in parallel, then ranks again the entities whose edge was not
 * proven. */
static int rescore_all(scan_t *s, worker_t *w, size_t n)
{
    int rc;

    run_workers(w, n, rescore_lists);
    rc = rank_again_side(s, 0);
    return rc == 0 ? rank_again_side(s, 1) : rc;
}

static void scan_init(scan_t *s, const tv_score_input_t *in, size_t per_investor_cap,
                      tv_list_t *per_investor, size_t per_company_cap, tv_list_t *per_company)
{
    size_t tc = in->tile_companies != 0 ? in->tile_companies : DEFAULT_TILE_COMPANIES;
    size_t ti = in->tile_investors != 0 ? in->tile_investors : DEFAULT_TILE_INVESTORS;

    memset(s, 0, sizeof(*s));
    s->in = in;
    gate_init(&s->gate, in);
    s->tile_companies = tc < in->n_companies ? tc : in->n_companies;
    s->tile_investors = ti < in->n_investors ? ti : in->n_investors;
    if (in->n_companies == 0 || in->n_investors == 0)
        s->tile_companies = s->tile_investors = 1;
    s->per_investor_cap = per_investor_cap;
    s->per_company_cap = per_company_cap;
    s->per_investor = per_investor_cap > 0 ? per_investor : NULL;
    s->per_company = per_company_cap > 0 ? per_company : NULL;
    s->n_investor_lists = per_investor_cap > 0 ? in->n_investors : 0;
    s->n_company_lists = per_company_cap > 0 ? in->n_companies : 0;
    s->extra = RESCORE_EXTRA;
    atomic_init(&s->next_block, 0);
    atomic_init(&s->next_list, 0);
}

int tv_score_bf16_support(void)
{
    return tv__screen_fast() ? 2 : tv__screen_possible() ? 1 : 0;
}

tv_screen_t tv_score_screening(const tv_score_input_t *in)
{
    double work = (double)in->n_companies * (double)in->n_investors * (double)in->dim;

    if (work == 0 || in->screen == TV_SCREEN_SGEMM)
        return TV_SCREEN_SGEMM;
    if (in->screen == TV_SCREEN_BF16)
        return tv__screen_possible() ? TV_SCREEN_BF16 : TV_SCREEN_SGEMM;
    return work >= TV_SCREEN_AUTO_WORK && tv__screen_fast() ? TV_SCREEN_BF16 : TV_SCREEN_SGEMM;
}

/* Screens in bf16 when asked and possible: makes the copies, widens the forward score's error
 * bound by their rounding and keeps more spare candidates.
 * Returns 0 also when it falls back to sgemm; TV_ENOMEM only. */
static int scan_screen(scan_t *s)
{
    const tv_score_input_t *in = s->in;
    int rc;

    if (tv_score_screening(in) != TV_SCREEN_BF16)
        return 0;
    rc = tv__screen_open(in->companies, in->n_companies, in->investors, in->n_investors, in->dim,
                         &s->screen);
    if (rc != 0)
        return rc == TV_ENOMEM ? rc : 0;
    s->gate.eps_fwd += tv__screen_error(s->screen);
    gate_set_slack(&s->gate);
    s->extra = SCREEN_EXTRA;
    return 0;
}

/* tv_score_all; 'may_rank_together' is 0 in the run that ranks unproven lists again. */
static int score_all(const tv_score_input_t *in, size_t per_investor_cap, tv_list_t *per_investor,
                     size_t per_company_cap, tv_list_t *per_company, int may_rank_together)
{
    scan_t s;
    worker_t w[MAX_WORKERS];
    size_t n = 0;
    int rc = TV_ENOMEM;

    scan_init(&s, in, per_investor_cap, per_investor, per_company_cap, per_company);
    s.may_rank_together = may_rank_together;
    s.again = tv__malloc(s.n_investor_lists + s.n_company_lists + 1);
    if (s.again == NULL || scan_screen(&s) != 0)
        goto out;
    if (s.per_company != NULL) {
        s.company_gates = tv__malloc(in->n_companies * sizeof(float));
        if (s.company_gates == NULL)
            goto out;
        for (size_t c = 0; c < in->n_companies; c++)
            s.company_gates[c] = -INFINITY;
    }
    if (s.per_investor != NULL && lists_alloc_room(per_investor, in->n_investors,
                                                   per_investor_cap + s.extra, RESERVOIR_ROOM) != 0)
        goto out;
    if (s.per_company != NULL && lists_alloc_room(per_company, in->n_companies,
                                                  per_company_cap + s.extra, RESERVOIR_ROOM) != 0) {
        tv_lists_free(s.per_investor, s.n_investor_lists);
        goto out;
    }
    n = worker_count(&s);
    rc = workers_init(w, &s, n);
    if (rc != 0) {
        n = 0;
    } else {
        if (in->n_companies > 0 && in->n_investors > 0)
            scan_all(&s, w, n);
        rc = rescore_all(&s, w, n);
    }
    if (rc != 0) {
        tv_lists_free(s.per_investor, s.n_investor_lists);
        tv_lists_free(s.per_company, s.n_company_lists);
    }
out:
    workers_dispose(w, n);
    tv__screen_close(s.screen);
    tv__free(s.company_gates);
    tv__free(s.again);
    return rc;
}

int tv_score_all(const tv_score_input_t *in, size_t per_investor_cap, tv_list_t *per_investor,
                 size_t per_company_cap, tv_list_t *per_company)
{
    return score_all(in, per_investor_cap, per_investor, per_company_cap, per_company, 1);
}

/* ---- one row or one column ---- */

/* Ranks the other side for one entity from its approximate scores 'approx' (n entries). */
static int rank_one(const tv_score_input_t *in, int company_side, size_t self, const float *approx,
                    size_t n, size_t cap, tv_allow_fn extra, void *extra_ctx, tv_list_t *out)
{
    gate_t g;
    int rc = lists_alloc(out, 1, cap);

    if (rc != 0)
        return rc;
    gate_init(&g, in);
    for (size_t j = 0; j < n; j++) {
        size_t c = company_side ? self : j, i = company_side ? j : self;
        float h = approx[j];
        tv_hit_t hit;

        if (in->companies_rev != NULL)
            h = combine(h, tv_dot(in->companies_rev + c * in->dim_rev,
                                  in->investors_rev + i * in->dim_rev, in->dim_rev));
        if (h < list_gate(&g, out))
            continue;
        if ((in->allow != NULL && !in->allow(in->allow_ctx, c, i)) ||
            (extra != NULL && !extra(extra_ctx, c, i)))
            continue;
        hit.score = tv_score_pair(in, c, i);
        hit.index = (uint32_t)j;
        heap_push(out, hit);
    }
    heap_finish(out);
    return 0;
}

int tv_score_company(const tv_score_input_t *in, size_t company, size_t cap, tv_allow_fn extra,
                     void *extra_ctx, tv_list_t *out)
{
    float *approx = tv__malloc((in->n_investors + 1) * sizeof(float));
    int rc;

    if (approx == NULL)
        return TV_ENOMEM;
    if (in->n_investors > 0)
        cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)in->n_investors, (int)in->dim, 1.0f,
                    in->investors, (int)in->dim, in->companies + company * in->dim, 1, 0.0f, approx,
                    1);
    rc = rank_one(in, 1, company, approx, in->n_investors, cap, extra, extra_ctx, out);
    tv__free(approx);
    return rc;
}

int tv_score_investor(const tv_score_input_t *in, size_t investor, size_t cap, tv_allow_fn extra,
                      void *extra_ctx, tv_list_t *out)
{
    float *approx = tv__malloc((in->n_companies + 1) * sizeof(float));
    int rc;

    if (approx == NULL)
        return TV_ENOMEM;
    if (in->n_companies > 0)
        cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)in->n_companies, (int)in->dim, 1.0f,
                    in->companies, (int)in->dim, in->investors + investor * in->dim, 1, 0.0f,
                    approx, 1);
    rc = rank_one(in, 0, investor, approx, in->n_companies, cap, extra, extra_ctx, out);
    tv__free(approx);
    return rc;
}
