/* Shared by the fuzz harnesses (tests/fuzz/fuzz_<parser>.c): the libFuzzer entry points, the
 * fixtures they load once, and the check that turns a broken invariant into a crash. */
#ifndef TV_FUZZ_H
#define TV_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "tavolo/codec.h"
#include "tavolo/match.h"
#include "tavolo/taxonomy.h"

/* libFuzzer's entry points; replay.c calls them the same way for the replay tests. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with 'what' and the source line when 'cond' is false: a broken contract is a finding
 * like a crash, and abort() is what libFuzzer and the replay driver both report. */
#define FUZZ_CHECK(cond, what)                                                                     \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fuzz_fail(__FILE__, __LINE__, (what));                                                 \
    } while (0)

void fuzz_fail(const char *file, int line, const char *what);

/* Reads fixtures/<rel> into a NUL-terminated buffer the caller frees, or aborts. */
char *fuzz_read_fixture(const char *rel, size_t *len);

/* The fixtures' taxonomy, parsed on the first call and kept for the process (still reachable,
 * so not a leak to LeakSanitizer). */
const tv_taxonomy_t *fuzz_taxonomy(void);

/* The fixtures' matching configuration (fixtures/match.json). */
tv_match_config_t fuzz_match_config(void);

/* A NUL-terminated copy of the input, which the caller frees; aborts when out of memory. */
char *fuzz_strndup(const uint8_t *data, size_t size);

/* 1 if the 'n' bytes at 's' are valid UTF-8 as jansson reads it (no overlong forms, no
 * surrogates, nothing above U+10FFFF), else 0. */
int fuzz_utf8_valid(const char *s, size_t n);

/* 1 if 's' is exactly "YYYY-MM-DD" in ASCII digits (the shape, not the calendar), else 0. */
int fuzz_iso_date_shape(const char *s);

/* Checks what every decoder promises about its diagnostics: each has a message, and a
 * failure other than TV_ENOMEM left at least one. Without an allocation failure injected,
 * TV_ENOMEM is a wrong report (an input problem told as "out of memory"), so it fails too. */
void fuzz_check_diags(int rc, const tv_diags_t *diags);

/* fuzz_check_diags, and also each field (a JSON path) in valid UTF-8: for the decoders of
 * request bodies, whose paths become the JSON pointers of a problem. Messages may quote the
 * input's own bytes; api/daemon/reply.c escapes those. */
void fuzz_check_api_diags(int rc, const tv_diags_t *diags);

#endif
