/* Fuzzes query strings (api/daemon/query.c): api_query_get, api_query_int and api_query_check, as
 * the router and the handlers read "?limit=20&after=c-001&k=5&date=2027-01-11", and the date
 * check the digest handler applies to what they return (tv_calendar_valid_date).
 * The input is "NAME\nQUERY": the parameter to look up, then the query after '?'.
 *
 * Checks: no crash, leak or undefined behaviour, and no write past the caller's buffer (each
 * buffer is allocated at its exact size, so ASan sees an overflow); results as documented; a
 * decoded value fits its buffer; an integer lies within its bounds; every route's parameter
 * check agrees with its list; a date accepted is exactly "YYYY-MM-DD" in digits.
 * Corpus: corpus/query/ holds the queries of tests/api (limits, cursors, filters, dates,
 * percent-escapes). Run: scripts/fuzz.sh query. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "query.h"
#include "router.h"
#include "tavolo/calendar.h"

static const size_t sizes[] = {1, 2, 11, 32, 1024};

static void check_date(const char *value)
{
    FUZZ_CHECK(!tv_calendar_valid_date(value) || fuzz_iso_date_shape(value),
               "a date accepted that is not YYYY-MM-DD in digits");
}

static void check_get(const char *query, const char *name)
{
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        char *buf = malloc(sizes[i]);
        int found;

        FUZZ_CHECK(buf != NULL, "out of memory");
        found = api_query_get(query, name, buf, sizes[i]);
        FUZZ_CHECK(found >= -1 && found <= 1, "an undocumented result");
        if (found == 1) {
            FUZZ_CHECK(memchr(buf, '\0', sizes[i]) != NULL, "a value without its NUL");
            check_date(buf);
        }
        free(buf);
    }
}

static void check_int(const char *query, const char *name)
{
    long v = -12345;
    int rc = api_query_int(query, name, 1, 500, 20, &v);

    FUZZ_CHECK(rc == 0 || rc == -1, "an undocumented result");
    FUZZ_CHECK(rc != 0 || (v >= 1 && v <= 500), "an integer outside its bounds");
}

/* Runs the parameter check of every route; an accepted query names only listed parameters. */
static void check_routes(const char *query)
{
    for (size_t r = 0; r < api_route_count; r++) {
        char *bad = malloc(64);
        int rc;

        FUZZ_CHECK(bad != NULL, "out of memory");
        bad[0] = '\0';
        rc = api_query_check(query, api_routes[r].query_params, bad, 64);
        FUZZ_CHECK(rc == 0 || rc == -1, "an undocumented result");
        FUZZ_CHECK(rc == 0 || memchr(bad, '\0', 64) != NULL, "a name without its NUL");
        FUZZ_CHECK(rc == 0 || api_routes[r].query_params != NULL || query[0] != '\0',
                   "an empty query refused");
        free(bad);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *name = fuzz_strndup(data, size);
    char *nl = strchr(name, '\n');
    const char *query = nl != NULL ? nl + 1 : "";

    if (nl != NULL)
        *nl = '\0';
    check_get(query, name);
    check_int(query, name);
    check_routes(query);
    free(name);
    return 0;
}
