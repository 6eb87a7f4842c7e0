/* Helpers shared by the test programs: fixtures, the taxonomy, scratch databases. */
#ifndef TV_TEST_SUPPORT_H
#define TV_TEST_SUPPORT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include "tavolo/codec.h"
#include "tavolo/error.h"
#include "tavolo/match.h"
#include "tavolo/store.h"
#include "tavolo/taxonomy.h"

/* Reads fixtures/<rel> into a NUL-terminated buffer (caller frees); fails the test if it
 * cannot. */
char *tvt_read_fixture(const char *rel, size_t *len);

/* The fixtures' taxonomy, loaded once per call; the caller destroys it. */
tv_taxonomy_t *tvt_taxonomy(void);

/* The fixtures' matching configuration (fixtures/match.json, every setting required). */
tv_match_config_t tvt_match_config(void);

/* Exits 77 (skip) when TV_TEST_PG_DSN is unset, or fails when TV_TEST_REQUIRE_PG is set. */
void tvt_require_pg(void);

/* Connects to a new, empty, migrated database "tvt_<name>" on the test server. */
tv_store_t *tvt_scratch_store(const char *name);

/* Drops the scratch database and closes 'st'. */
void tvt_scratch_drop(tv_store_t *st, const char *name);

/* The connection string of scratch database "tvt_<name>" (a static buffer). */
const char *tvt_scratch_conninfo(const char *name);

/* An independent connection to scratch database "tvt_<name>", to check what was written;
 * close it with PQfinish (a PGconn *, as a void * so this header needs no libpq). */
void *tvt_scratch_check(const char *name);

/* Runs 'sql' on 'check'; fails the test with the server's message unless it succeeds. */
void tvt_exec(void *check, const char *sql);

/* Runs 'sql' on 'check' and returns the first value of its first row as a number. */
long tvt_scalar(void *check, const char *sql);

/* Reads every record of 'text' as 'kind' in format 'fmt'. Returns the record count. */
int tvt_read(const tv_taxonomy_t *t, tv_profile_kind_t kind, tv_format_t fmt, const char *text,
             tv_docs_t *docs, tv_diags_t *diags);

/* Asserts that 'd' holds a diagnostic for 'record' and 'field' whose message contains
 * 'needle'. */
void tvt_assert_diag(const tv_diags_t *d, size_t record, const char *field, const char *needle);

/* Adds every record of fixture file fixtures/<rel> (JSON lines of 'kind') to 'm'; fails the
 * test on a record that does not decode or add. */
void tvt_add_fixture(tv_matcher_t *m, const tv_taxonomy_t *t, const char *rel,
                     tv_profile_kind_t kind);

/* A matcher of 'cfg' built from the fixtures' companies and investors, the planted ones
 * included; the caller destroys it. */
tv_matcher_t *tvt_fixture_matcher(const tv_taxonomy_t *t, const tv_match_config_t *cfg);

#endif
