/* tavolo/score.h: scores every company x investor pair and keeps the best of each row and
 * column, without ever holding the whole score matrix.
 *
 * A pair's forward score is the dot product of the company's profile vector with the
 * investor's thesis vector; its reverse score, the company's wants against the investor's
 * profile. The match score is their harmonic mean, so both sides must fit (with no reverse
 * vectors it is the forward score). The forward product runs as tiled cblas_sgemm (or, on
 * large runs where the CPU has it, as a bf16 matmul of oneDNN: see tv_screen_t); a pair
 * whose forward score cannot reach the current k-th best of either list is dropped at once,
 * and every other pair is re-scored by a fixed-order kernel, so a pair's score is the same
 * bit for bit whichever path (tiles, one row, an update) computed it. */
#ifndef TV_SCORE_H
#define TV_SCORE_H

#include <stddef.h>
#include <stdint.h>

/* One entry of a ranked list. */
typedef struct {
    float score;
    uint32_t index; /* row of the other side */
} tv_hit_t;

/* A ranked list: the exact best 'n' entries, highest score first, ties by lower index.
 * 'complete' is 1 when it holds every allowed entry (there were fewer than its capacity). */
typedef struct {
    tv_hit_t *items;
    uint32_t n;
    uint32_t cap;
    int complete;
} tv_list_t;

/* Says whether pair (company, investor) may be ranked at all (hard constraints).
 * tv_score_all may call it from several threads at once, so it must be safe to: read-only
 * state, or state kept per company (one company is scanned by one thread at a time). */
typedef int (*tv_allow_fn)(void *ctx, size_t company, size_t investor);

/* How tv_score_all finds its candidates. The result is the same in every mode: screened
 * scores only choose which pairs are scored exactly, with gates widened by their error.
 *   TV_SCREEN_AUTO (the default): bf16 where the CPU runs it natively (AMX, AVX512-BF16)
 *                   and the run is large (TV_SCREEN_AUTO_WORK), sgemm otherwise;
 *   TV_SCREEN_SGEMM: tiled cblas_sgemm;
 *   TV_SCREEN_BF16: oneDNN's bf16 matmul of centred vectors wherever oneDNN runs one, even
 *                   emulated (sgemm where it runs none). */
typedef enum { TV_SCREEN_AUTO = 0, TV_SCREEN_SGEMM, TV_SCREEN_BF16 } tv_screen_t;

/* companies x investors x dim from which TV_SCREEN_AUTO screens in bf16: below it, making the
 * bf16 copies and oneDNN's kernels costs more than it saves. */
#define TV_SCREEN_AUTO_WORK 4e9

typedef struct {
    const float *companies; /* n_companies x dim, row-major */
    const float *investors; /* n_investors x dim */
    size_t n_companies, n_investors, dim;
    const float *companies_rev; /* n_companies x dim_rev, or NULL for forward only */
    const float *investors_rev; /* n_investors x dim_rev */
    size_t dim_rev;
    tv_allow_fn allow; /* NULL allows every pair */
    void *allow_ctx;
    size_t tile_companies, tile_investors; /* 0 picks a default */
    tv_screen_t screen;                    /* forward products of tv_score_all */
} tv_score_input_t;

/* How this CPU runs bf16 screening: 0 not at all (TV_SCREEN_BF16 falls back to sgemm),
 * 1 emulated (slower than sgemm), 2 natively (AMX or AVX512-BF16). */
int tv_score_bf16_support(void);

/* The mode tv_score_all will use for 'in': TV_SCREEN_SGEMM or TV_SCREEN_BF16. */
tv_screen_t tv_score_screening(const tv_score_input_t *in);

/* The exact score of one pair, as every path computes it. */
float tv_score_pair(const tv_score_input_t *in, size_t company, size_t investor);

/* Fills 'per_investor[i]' with the best companies of each investor (capacity
 * 'per_investor_cap', 0 to skip this direction) and 'per_company[c]' with the best investors
 * of each company (capacity 'per_company_cap', 0 to skip). The lists' storage is allocated
 * here; free it with tv_lists_free. Memory beyond the lists is bounded by the tile sizes.
 * Runs on as many threads as OpenBLAS uses (its own setting), each running its products on
 * one OpenBLAS thread: the OpenBLAS thread count is set to 1 for the scan and put back after.
 * The result does not depend on the number of threads. */
int tv_score_all(const tv_score_input_t *in, size_t per_investor_cap, tv_list_t *per_investor,
                 size_t per_company_cap, tv_list_t *per_company);

/* Ranks every investor for one company (cblas_sgemv), best 'cap' into 'out' (allocated
 * here). 'extra' (may be NULL) is a further constraint, such as attending an event. */
int tv_score_company(const tv_score_input_t *in, size_t company, size_t cap, tv_allow_fn extra,
                     void *extra_ctx, tv_list_t *out);

/* Ranks every company for one investor. */
int tv_score_investor(const tv_score_input_t *in, size_t investor, size_t cap, tv_allow_fn extra,
                      void *extra_ctx, tv_list_t *out);

/* Frees the storage of 'n' lists. */
void tv_lists_free(tv_list_t *lists, size_t n);

/* The dot product every exact score uses: a fixed order of operations, so the same inputs
 * give the same float on every path and thread. */
float tv_dot(const float *a, const float *b, size_t n);

/* 1 if hit 'a' ranks above 'b': higher score, or equal score and lower index. */
static inline int tv_hit_better(tv_hit_t a, tv_hit_t b)
{
    return a.score > b.score || (a.score == b.score && a.index < b.index);
}

#endif
