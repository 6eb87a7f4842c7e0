/* Fuzzes the CSV splitter under the import reader, tv__csv_split (engine/codec/csv.c, on libcsv):
 * the rows and cells of any bytes, with the line each row starts on.
 *
 * Checks: no crash, leak or undefined behaviour; the result is 0 or TV_EPARSE with a line
 * and a reason; rows arrive with at least one cell, each cell UTF-8 (as csv_split.h
 * promises), with start lines that never go back and stay within the input's lines (a diagnostic's
 * line must point into the file). Corpus: corpus/csv/ holds
 * rows of fixtures/import/companies_sample.csv and a few quoting cases. Run:
 * scripts/fuzz.sh csv. */
#include <string.h>

#include "codec/csv_split.h"
#include "fuzz.h"
#include "tavolo/error.h"

typedef struct {
    size_t lines; /* lines of the input, counting a last one without an end */
    size_t last;  /* start line of the previous row */
    size_t rows;
} seen_t;

static int on_row(void *ctx, const tv_strings_t *cells, size_t line)
{
    seen_t *s = ctx;

    FUZZ_CHECK(cells->n > 0, "a row without cells");
    for (size_t i = 0; i < cells->n; i++) {
        FUZZ_CHECK(cells->items[i] != NULL, "a NULL cell");
        FUZZ_CHECK(fuzz_utf8_valid(cells->items[i], strlen(cells->items[i])), "a cell not UTF-8");
    }
    FUZZ_CHECK(line >= 1 && line <= s->lines, "a row's line outside the input");
    FUZZ_CHECK(line > s->last, "rows whose lines do not go forward");
    s->last = line;
    s->rows++;
    return 0;
}

/* Lines end with "\n", "\r\n" or a lone "\r", as the splitter counts them. */
static size_t count_lines(const uint8_t *data, size_t size)
{
    size_t n = 0;

    for (size_t i = 0; i < size; i++) {
        if (data[i] == '\r' && i + 1 < size && data[i + 1] == '\n')
            i++;
        n += data[i] == '\n' || data[i] == '\r';
    }
    return n + (size > 0 && data[size - 1] != '\n' && data[size - 1] != '\r');
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    seen_t s = {count_lines(data, size), 0, 0};
    tv__csv_error_t err = {0, 0, NULL};
    int rc = tv__csv_split((const char *)data, size, on_row, &s, &err);

    FUZZ_CHECK(rc == 0 || rc == TV_EPARSE, "an undocumented return code");
    FUZZ_CHECK(rc == 0 || (err.line >= 1 && err.line <= s.lines), "a bad line outside the input");
    FUZZ_CHECK(rc == 0 || err.what != NULL, "a bad line without a reason");
    return 0;
}
