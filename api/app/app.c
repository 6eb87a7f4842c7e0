/* The notes of the use cases, and the helpers they share. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

static void add(app_notes_t *notes, app_note_kind_t kind, char *text)
{
    if (notes != NULL && notes->n == notes->cap) {
        size_t cap = notes->cap == 0 ? 8 : notes->cap * 2;
        app_note_t *items = realloc(notes->items, cap * sizeof(*items));

        if (items != NULL) {
            notes->items = items;
            notes->cap = cap;
        }
    }
    if (notes == NULL || text == NULL || notes->n == notes->cap) {
        free(text);
        return;
    }
    notes->items[notes->n].kind = kind;
    notes->items[notes->n++].text = text;
}

void app_note(app_notes_t *notes, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;

    if (notes == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    add(notes, APP_NOTE_ERROR, strdup(buf));
}

void app_note_diags(app_notes_t *notes, const tv_diags_t *d, const char *file)
{
    char line[1024];

    for (size_t i = 0; notes != NULL && i < d->n; i++) {
        tv_diag_format(&d->items[i], file, line, sizeof(line));
        add(notes, APP_NOTE_DIAG, strdup(line));
    }
}

void app_notes_dispose(app_notes_t *notes)
{
    for (size_t i = 0; i < notes->n; i++)
        free(notes->items[i].text);
    free(notes->items);
    memset(notes, 0, sizeof(*notes));
}

/* Reads 'f' to its end into a NUL-terminated buffer; returns NULL when out of memory. */
static char *read_all(FILE *f, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);

    while (b != NULL) {
        n += fread(b + n, 1, cap - n - 1, f);
        if (n < cap - 1)
            break;
        cap *= 2;
        char *nb = realloc(b, cap);
        if (nb == NULL)
            free(b);
        b = nb;
    }
    if (b != NULL)
        b[n] = '\0';
    *len = n;
    return b;
}

int app_read_file(const char *path, char **buf, size_t *len, app_notes_t *notes)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    char *b;

    if (f == NULL) {
        app_note(notes, "%s: %s", path, strerror(errno));
        return TV_EIO;
    }
    b = read_all(f, len);
    if (b == NULL || ferror(f)) {
        int rc = b == NULL ? TV_ENOMEM : TV_EIO;

        app_note(notes, "%s: %s", path, b == NULL ? "out of memory" : strerror(errno));
        free(b);
        if (f != stdin)
            fclose(f);
        return rc;
    }
    if (f != stdin)
        fclose(f);
    *buf = b;
    return 0;
}

const char *app_home(void)
{
    const char *home = getenv("TAVOLO_HOME");

    return home != NULL && home[0] != '\0' ? home : "./var";
}
