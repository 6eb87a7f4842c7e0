/* Screening in bfloat16: the forward products of tv_score_all computed from bf16 copies of the
 * vectors by oneDNN's matmul (Intel AMX or AVX512-BF16 where the CPU has them), to pick the
 * candidates that are then scored exactly. A screened score differs from the exact one by at
 * most tv__screen_error (the vectors' rounding to bf16) plus the fp32 rounding any product
 * has; score.c widens its gates by that much, so screening never changes a result. */
#ifndef TV_SCREEN_H
#define TV_SCREEN_H

#include <stddef.h>

typedef struct tv__screen tv__screen_t;
typedef struct tv__screen_worker tv__screen_worker_t;

/* 1 when oneDNN runs bf16 matmul natively here (AMX or AVX512-BF16), faster than sgemm. */
int tv__screen_fast(void);

/* 1 when oneDNN can run bf16 matmul at all (natively or emulated). */
int tv__screen_possible(void);

/* Makes the bf16 copies of both sides (n x dim, row-major) and measures their rounding.
 * The copies keep only the columns both sides use (the others add nothing to a product).
 * Returns 0, TV_ENOMEM, TV_EINVAL for dim 0 (sgemm then screens), or TV_EIO when oneDNN
 * cannot run bf16 matmul. */
int tv__screen_open(const float *companies, size_t n_companies, const float *investors,
                    size_t n_investors, size_t dim, tv__screen_t **out);

/* A bound on |screened - exact| of every pair from the rounding of the vectors alone:
 * |c_hi||i_lo| + |c_lo||i_hi| + |c_lo||i_lo| at their largest, c = c_hi + c_lo. */
float tv__screen_error(const tv__screen_t *s);

void tv__screen_close(tv__screen_t *s);

/* What one thread needs to run products: its own stream, primitives and scratchpad. */
int tv__screen_worker_open(tv__screen_t *s, tv__screen_worker_t **out);
void tv__screen_worker_close(tv__screen_worker_t *w);

/* Writes the screened scores of companies c0 .. c0 + rows - 1 against investors
 * i0 .. i0 + cols - 1 to 'out' (rows x cols, row-major), on the calling thread alone.
 * Returns 0, TV_ENOMEM or TV_EIO (oneDNN failed). */
int tv__screen_product(tv__screen_worker_t *w, size_t c0, size_t rows, size_t i0, size_t cols,
                       float *out);

#endif
