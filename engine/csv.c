/* CSV splitting on libcsv. The text is fed a line at a time so that each row knows the
 * line it starts on, even when a quoted cell spans several lines. */
#include <csv.h>
#include <string.h>

#include "csv_split.h"
#include "internal.h"

typedef struct {
    tv_strings_t cells;
    size_t cap;
    size_t row_line; /* line where the current row started, 0 before its first cell */
    size_t line;     /* line being fed */
    tv__csv_row_cb cb;
    void *ctx;
    int rc;
} splitter_t;

static void on_field(void *data, size_t len, void *p)
{
    splitter_t *s = p;
    char *cell;

    if (s->rc != 0)
        return;
    if (s->row_line == 0)
        s->row_line = s->line;
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
}

int tv__csv_split(const char *buf, size_t len, tv__csv_row_cb cb, void *ctx, size_t *bad_line)
{
    splitter_t s = {{NULL, 0}, 0, 0, 0, cb, ctx, 0};
    struct csv_parser p;
    size_t pos = 0;

    if (csv_init(&p, CSV_STRICT | CSV_APPEND_NULL) != 0)
        return TV_ENOMEM;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        pos = 3; /* a UTF-8 byte order mark, as spreadsheets write it */
    while (pos < len && s.rc == 0) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t n = nl != NULL ? (size_t)(nl - (buf + pos)) + 1 : len - pos;

        s.line++;
        if (csv_parse(&p, buf + pos, n, on_field, on_row, &s) != n) {
            s.rc = TV_EPARSE;
            *bad_line = s.line;
        }
        pos += n;
    }
    if (s.rc == 0 && csv_fini(&p, on_field, on_row, &s) != 0) {
        s.rc = TV_EPARSE;
        *bad_line = s.row_line != 0 ? s.row_line : s.line;
    }
    for (size_t i = 0; i < s.cells.n; i++)
        tv__free(s.cells.items[i]);
    tv__free(s.cells.items);
    csv_free(&p);
    return s.rc;
}
