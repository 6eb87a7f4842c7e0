/* Splits CSV text (RFC 4180) into rows of cells with libcsv; private to the codec. */
#ifndef TV_CSV_SPLIT_H
#define TV_CSV_SPLIT_H

#include <stddef.h>

#include "tavolo/taxonomy.h"

/* Called once per row with its cells and the 1-based line where the row starts. A non-zero
 * return stops the parse and is returned by tv__csv_split. */
typedef int (*tv__csv_row_cb)(void *ctx, const tv_strings_t *cells, size_t line);

/* Returns 0, a callback's code, TV_ENOMEM, or TV_EPARSE with '*bad_line' set. */
int tv__csv_split(const char *buf, size_t len, tv__csv_row_cb cb, void *ctx, size_t *bad_line);

#endif
