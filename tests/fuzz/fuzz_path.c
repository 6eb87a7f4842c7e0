/* Fuzzes path ids: api_router_find (api/daemon/router.c), which matches a request path against the
 * route table and percent-decodes each {id} segment (its static decode_segment and
 * match_pattern) into the caller's buffer, for every method.
 *
 * Checks: no crash, leak or undefined behaviour, and no write past the caller's buffers (the
 * decoded and allow buffers are allocated at their exact size); a route found has the method
 * asked, one non-empty decoded id per {...} of its pattern, each without a NUL cut ("%00" is
 * refused); a path that matches no method gets -404, one that matches others -405 with
 * those methods in 'allow'. Corpus: corpus/path/ holds every route's pattern with ids filled
 * in, some percent-escaped. Run: scripts/fuzz.sh path. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "router.h"

#define DECODED_SIZE 1024 /* as api_router_dispatch and the job in router.c */
#define ALLOW_SIZE 64

static const char *const methods[] = {"GET", "PUT", "PATCH", "POST", "DELETE", "HEAD"};

static size_t count_params(const char *pattern)
{
    size_t n = 0;

    for (const char *p = pattern; *p != '\0'; p++)
        n += *p == '{';
    return n;
}

static void check_found(const char *method, const char *path, int route, const char **params,
                        size_t n_params, const char *decoded)
{
    FUZZ_CHECK(route < (int)api_route_count, "a route index out of range");
    FUZZ_CHECK(strcmp(api_routes[route].method, method) == 0, "a route of another method");
    FUZZ_CHECK(n_params == count_params(api_routes[route].pattern), "a wrong number of ids");
    for (size_t i = 0; i < n_params; i++) {
        FUZZ_CHECK(params[i] >= decoded && params[i] < decoded + DECODED_SIZE,
                   "an id outside the decoded buffer");
        FUZZ_CHECK(params[i][0] != '\0', "an empty id");
        FUZZ_CHECK(strlen(params[i]) < strlen(path), "an id longer than its path");
    }
}

static void check_method(const char *method, const char *path)
{
    const char *params[API_MAX_PARAMS] = {0};
    char *decoded = malloc(DECODED_SIZE), *allow = malloc(ALLOW_SIZE);
    size_t n_params = 0;
    int route;

    FUZZ_CHECK(decoded != NULL && allow != NULL, "out of memory");
    route =
        api_router_find(method, path, params, &n_params, decoded, DECODED_SIZE, allow, ALLOW_SIZE);
    FUZZ_CHECK(route >= 0 || route == -404 || route == -405, "an undocumented result");
    FUZZ_CHECK(memchr(allow, '\0', ALLOW_SIZE) != NULL, "'allow' without its NUL");
    if (route >= 0)
        check_found(method, path, route, params, n_params, decoded);
    FUZZ_CHECK(route != -405 || allow[0] != '\0', "405 without the methods allowed");
    FUZZ_CHECK(route != -404 || allow[0] == '\0', "404 with methods allowed");
    free(decoded);
    free(allow);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *path = fuzz_strndup(data, size);

    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        check_method(methods[i], path);
    free(path);
    return 0;
}
