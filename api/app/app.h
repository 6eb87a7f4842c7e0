/* What the use cases share: the notes they leave for their caller instead of printing, and the
 * few environment helpers both the command line and the daemon need. A use case returns 0 or a
 * TV_E* code and never prints: the command line prints its notes on stderr, the daemon writes
 * them to its JSON log. */
#ifndef API_APP_H
#define API_APP_H

#include <stddef.h>

#include "tavolo/codec.h"
#include "tavolo/error.h"

typedef enum {
    APP_NOTE_ERROR, /* a sentence saying what failed */
    APP_NOTE_DIAG   /* one diagnostic, formatted "file:LINE: field: message" */
} app_note_kind_t;

typedef struct {
    app_note_kind_t kind;
    char *text;
} app_note_t;

/* Zero-initialise; app_notes_dispose frees. A note that cannot be allocated is dropped: the
 * code the use case returns still says that it failed. */
typedef struct {
    app_note_t *items;
    size_t n, cap;
} app_notes_t;

/* Appends an APP_NOTE_ERROR note. 'notes' may be NULL (the note is dropped). */
void app_note(app_notes_t *notes, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends each diagnostic of 'd' about 'file' as an APP_NOTE_DIAG note. */
void app_note_diags(app_notes_t *notes, const tv_diags_t *d, const char *file);

void app_notes_dispose(app_notes_t *notes);

/* Reads a whole file ("-" is standard input) into a NUL-terminated buffer the caller frees.
 * Returns 0, TV_EIO or TV_ENOMEM with a note. */
int app_read_file(const char *path, char **buf, size_t *len, app_notes_t *notes);

/* $TAVOLO_HOME, or "./var". */
const char *app_home(void);

#endif
