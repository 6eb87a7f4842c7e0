/* Splits CSV text (RFC 4180) into rows of cells with libcsv; private to the codec. */
#ifndef TV_CSV_SPLIT_H
#define TV_CSV_SPLIT_H

#include <stddef.h>

#include "tavolo/taxonomy.h"

/* Called once per row with its cells and the 1-based line where the row starts. A non-zero
 * return stops the parse and is returned by tv__csv_split. */
typedef int (*tv__csv_row_cb)(void *ctx, const tv_strings_t *cells, size_t line);

/* Where and why the text could not be split. */
typedef struct {
    size_t line;      /* 1-based line of the problem */
    size_t column;    /* 1-based cell of its row, or 0 when no one cell is at fault (a quote) */
    const char *what; /* a static phrase: "contains a NUL byte", ... */
} tv__csv_error_t;

/* Returns 0, a callback's code, TV_ENOMEM, or TV_EPARSE with '*err' set: a misplaced or
 * unclosed quote, or a cell holding a NUL byte or bytes that are not UTF-8 (cells reach the
 * callback as C strings of UTF-8 text, whole). */
int tv__csv_split(const char *buf, size_t len, tv__csv_row_cb cb, void *ctx, tv__csv_error_t *err);

#endif
