/* CSV splitting on libcsv. The text is fed a line at a time so that each row knows the
 * line it starts on, even when a quoted cell spans several lines. */
#include <csv.h>
#include <string.h>
#include <utf8proc.h>

#include "csv_split.h"
#include "core/internal.h"

typedef struct {
    tv_strings_t cells;
    size_t cap;
    size_t row_line;  /* line where the current row started, 0 before its first cell */
    size_t next_line; /* line after the last complete row: where the next one may start */
    size_t line;      /* line being fed */
    tv__csv_row_cb cb;
    void *ctx;
    tv__csv_error_t *err;
    int rc;
} splitter_t;

/* The offset of the first byte of data[0, len) that is not part of valid UTF-8, or 'len'. */
static size_t utf8_invalid_at(const char *data, size_t len)
{
    size_t i = 0;

    while (i < len) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n =
            utf8proc_iterate((const utf8proc_uint8_t *)data + i, (utf8proc_ssize_t)(len - i), &cp);

        if (n <= 0)
            return i;
        i += (size_t)n;
    }
    return len;
}

/* Refuses a cell holding a NUL byte (a C string would end there) or bytes that are not
 * UTF-8 (JSON text cannot hold them), naming the line of the bad byte and the cell's column.
 * Returns 1 when the cell is refused. */
static int refuse_cell(splitter_t *s, const char *data, size_t len)
{
    const char *nul = memchr(data, '\0', len);
    size_t bad = nul != NULL ? (size_t)(nul - data) : utf8_invalid_at(data, len);
    size_t after = 0;

    if (bad == len)
        return 0;
    for (size_t i = bad; i < len; i++)
        after += data[i] == '\n'; /* the cell ends on s->line */
    s->rc = TV_EPARSE;
    s->err->line = s->line - after;
    s->err->column = s->cells.n + 1;
    s->err->what =
        nul != NULL ? "contains a NUL byte" : "is not valid UTF-8 text (save the file as UTF-8)";
    return 1;
}

static void on_field(void *data, size_t len, void *p)
{
    splitter_t *s = p;
    char *cell;

    if (s->rc != 0)
        return;
    if (s->row_line == 0)
        s->row_line = s->line;
    if (data != NULL && refuse_cell(s, data, len))
        return;
    if (tv__grow((void **)&s->cells.items, &s->cap, s->cells.n + 1, sizeof(char *)) != 0) {
        s->rc = TV_ENOMEM;
        return;
    }
    cell = tv__strndup(data != NULL ? data : "", data != NULL ? len : 0);
    if (cell == NULL) {
        s->rc = TV_ENOMEM;
        return;
    }
    s->cells.items[s->cells.n++] = cell;
}

static void on_row(int terminator, void *p)
{
    splitter_t *s = p;

    (void)terminator;
    if (s->rc == 0 && !(s->cells.n == 1 && s->cells.items[0][0] == '\0'))
        s->rc = s->cb(s->ctx, &s->cells, s->row_line);
    for (size_t i = 0; i < s->cells.n; i++)
        tv__free(s->cells.items[i]);
    s->cells.n = 0;
    s->row_line = 0;
    s->next_line = s->line + 1;
}

static void quote_error(splitter_t *s, size_t line, const char *what)
{
    s->rc = TV_EPARSE;
    s->err->line = line;
    s->err->column = 0;
    s->err->what = what;
}

/* The length of the line at 's' with its end: "\n", "\r\n", or a lone "\r" (old Mac files). */
static size_t line_length(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            return i + 1;
        if (s[i] == '\r')
            return i + 1 < n && s[i + 1] == '\n' ? i + 2 : i + 1;
    }
    return n;
}

int tv__csv_split(const char *buf, size_t len, tv__csv_row_cb cb, void *ctx, tv__csv_error_t *err)
{
    splitter_t s = {{NULL, 0}, 0, 0, 1, 0, cb, ctx, err, 0};
    struct csv_parser p;
    size_t pos = 0;

    /* CSV_STRICT_FINI: a quote still open at the end is an error, not a cell that swallows
     * the rest of the file. */
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        return TV_ENOMEM;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        pos = 3; /* a UTF-8 byte order mark, as spreadsheets write it */
    while (pos < len && s.rc == 0) {
        size_t n = line_length(buf + pos, len - pos);

        s.line++;
        if (csv_parse(&p, buf + pos, n, on_field, on_row, &s) != n && s.rc == 0) {
            if (csv_error(&p) == CSV_ENOMEM)
                s.rc = TV_ENOMEM;
            else
                quote_error(&s, s.line, "an unbalanced or misplaced quote");
        }
        pos += n;
    }
    /* The open quote is on the current row's first line, or after the last complete row (on
     * its very line if that row ended with a lone '\r'). */
    if (s.rc == 0 && csv_fini(&p, on_field, on_row, &s) != 0 && s.rc == 0)
        quote_error(&s,
                    s.row_line != 0         ? s.row_line
                    : s.next_line <= s.line ? s.next_line
                                            : s.line,
                    "a quoted cell is never closed");
    for (size_t i = 0; i < s.cells.n; i++)
        tv__free(s.cells.items[i]);
    tv__free(s.cells.items);
    csv_free(&p);
    return s.rc;
}
