/* How the command line reports on stderr: its own errors, diagnostics and the notes of the use
 * cases it calls. A header of its own, which includes nothing of the command line, so that
 * pgembed.c reports without including cli.h (cli.c includes pgembed.h). */
#ifndef API_CLI_REPORT_H
#define API_CLI_REPORT_H

#include "app.h"
#include "tavolo/codec.h"

/* Prints "tavolo: <message>" and a newline to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints each diagnostic as "file:line: field: message" to stderr. */
void cli_print_diags(const tv_diags_t *d, const char *file);

/* Says on stderr, kind by kind, how many rows of 'path' the investments reader left out (the
 * holes of real exports, tv_eval_data_add's 'skipped') and at which lines. */
void cli_print_skipped(const tv_diags_t *skipped, const char *path);

/* Prints a use case's notes in order: errors as cli_error does, diagnostics as they are. */
void cli_print_notes(const app_notes_t *notes);

#endif
