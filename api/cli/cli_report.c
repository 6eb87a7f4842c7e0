/* The command line's messages on stderr. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli_report.h"

void cli_error(const char *fmt, ...)
{
    va_list ap;

    fputs("tavolo: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_print_diags(const tv_diags_t *d, const char *file)
{
    char line[1024];

    for (size_t i = 0; i < d->n; i++) {
        tv_diag_format(&d->items[i], file, line, sizeof(line));
        fprintf(stderr, "%s\n", line);
    }
}

void cli_print_notes(const app_notes_t *notes)
{
    for (size_t i = 0; i < notes->n; i++) {
        if (notes->items[i].kind == APP_NOTE_ERROR)
            cli_error("%s", notes->items[i].text);
        else
            fprintf(stderr, "%s\n", notes->items[i].text);
    }
}

/* The kinds of rows left out, by the field tv_eval_data_add names. */
static const struct {
    const char *field, *what;
} holes[] = {{"funded_at", "without a date"},
             {"company_id", "naming a company no row has"},
             {"investor_id", "naming an investor no row has"},
             {"", "the same as an earlier row"}};

#define LINES_SHOWN 10

void cli_print_skipped(const tv_diags_t *skipped, const char *path)
{
    for (size_t h = 0; h < sizeof(holes) / sizeof(holes[0]); h++) {
        size_t count = 0;
        char lines[256] = "";

        for (size_t i = 0; i < skipped->n; i++) {
            size_t at = strlen(lines);

            if (strcmp(skipped->items[i].field, holes[h].field) != 0)
                continue;
            if (count++ < LINES_SHOWN)
                snprintf(lines + at, sizeof(lines) - at, "%s%zu", at ? ", " : "",
                         skipped->items[i].record);
        }
        if (count > 0)
            fprintf(stderr, "tavolo: %s: %zu row%s %s, left out (line%s %s%s)\n", path, count,
                    count == 1 ? "" : "s", holes[h].what, count == 1 ? "" : "s", lines,
                    count > LINES_SHOWN ? ", ..." : "");
    }
}
