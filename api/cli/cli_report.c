/* The command line's messages on stderr. */
#include <stdarg.h>
#include <stdio.h>

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
