/* Fuzzes whole requests without a socket or a database: api_router_dispatch (api/daemon/router.c)
 * with the planted profiles in memory and no store (every write answers 503), as the admin.
 * The input is "METHOD TARGET\nBODY", TARGET being the path and an optional "?query"; a body
 * goes as application/json. Path ids and query values thus reach the handlers and come back
 * in their replies (404 details, problem bodies, Location headers).
 *
 * Checks: no crash, leak or undefined behaviour; a status from 200 to 599; every JSON reply
 * (application/json and application/problem+json) a body that parses, so an id or a query
 * value that is not UTF-8, or a detail cut in the middle of a character, cannot leave the
 * client with an empty or broken body; every 4xx and 5xx a problem; a problem's "errors",
 * when present, not empty and each with its detail and pointer.
 * Corpus: corpus/request/ holds the requests of tests/api/test_handlers.c.
 * Run: scripts/fuzz.sh request. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "metrics.h"
#include "reply.h"
#include "router.h"

static api_app_t app;
static const api_principal_t admin = {API_ROLE_ADMIN, "", "", 1};

static void add_profiles(const char *rel, tv_profile_kind_t kind)
{
    char *text = fuzz_read_fixture(rel, NULL), *save = NULL;

    for (char *line = strtok_r(text, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        tv_diags_t d = {0};
        tv_company_t c;
        tv_investor_t inv;

        if (kind == TV_KIND_COMPANY) {
            FUZZ_CHECK(tv_codec_company_decode(app.tax, line, strlen(line), &c, &d) == 0 &&
                           tv_matcher_add_company(app.matcher, &c) == 0,
                       "a planted company");
        } else {
            FUZZ_CHECK(tv_codec_investor_decode(app.tax, line, strlen(line), &inv, &d) == 0 &&
                           tv_matcher_add_investor(app.matcher, &inv) == 0,
                       "a planted investor");
        }
        tv_diags_dispose(&d);
    }
    free(text);
}

/* A problem's "errors" (one per diagnostic of a refused body) must list at least one, each
 * with its detail and pointer: an entry jansson could not build would be missing. */
static void check_errors(const json_t *errors)
{
    size_t i;
    json_t *e;

    if (errors == NULL)
        return;
    FUZZ_CHECK(json_is_array(errors) && json_array_size(errors) > 0, "a problem with no errors");
    json_array_foreach(errors, i, e)
    {
        FUZZ_CHECK(json_is_string(json_object_get(e, "detail")) &&
                       json_is_string(json_object_get(e, "pointer")),
                   "an error without its detail or pointer");
    }
}

static void check_reply(const api_resp_t *resp)
{
    int json =
        resp->content_type != NULL && (strcmp(resp->content_type, "application/json") == 0 ||
                                       strcmp(resp->content_type, "application/problem+json") == 0);

    FUZZ_CHECK(resp->status >= 200 && resp->status <= 599, "a status out of range");
    FUZZ_CHECK(resp->status < 400 || (resp->content_type != NULL &&
                                      strcmp(resp->content_type, "application/problem+json") == 0),
               "an error that is not a problem");
    FUZZ_CHECK(!json || resp->status == 204 || resp->body != NULL, "a JSON reply without a body");
    if (json && resp->body != NULL) {
        json_t *v = json_loadb(resp->body, resp->body_len, 0, NULL);

        FUZZ_CHECK(v != NULL, "a JSON reply whose body does not parse");
        check_errors(json_object_get(v, "errors"));
        json_decref(v);
    }
    FUZZ_CHECK(memchr(resp->location, '\0', sizeof(resp->location)) != NULL, "Location unended");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    app.tax = fuzz_taxonomy();
    app.cfg = fuzz_match_config();
    app.max_body = 4096;
    app.metrics = api_metrics_create(api_route_count, api_route_label);
    pthread_rwlock_init(&app.lock, NULL);
    pthread_mutex_init(&app.write_lock, NULL);
    FUZZ_CHECK(tv_matcher_create(app.tax, &app.cfg, &app.matcher) == 0, "the matcher");
    add_profiles("planted/companies.jsonl", TV_KIND_COMPANY);
    add_profiles("planted/investors.jsonl", TV_KIND_INVESTOR);
    FUZZ_CHECK(tv_matcher_build(app.matcher) == 0, "the matcher's lists");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = fuzz_strndup(data, size); /* the body NUL-terminated, as the router copies it */
    const uint8_t *nl = memchr(data, '\n', size);
    size_t first = nl != NULL ? (size_t)(nl - data) : size;
    const char *body = nl != NULL ? line + first + 1 : NULL;
    char *target, *query;
    api_resp_t resp;

    line[first] = '\0';
    target = strchr(line, ' ');
    if (target == NULL) {
        free(line);
        return 0; /* no "METHOD TARGET": h2o would not hand that over */
    }
    *target++ = '\0';
    query = strchr(target, '?');
    if (query != NULL)
        *query++ = '\0';
    api_router_dispatch(&app, NULL, &admin, line, target, query, body,
                        body != NULL ? size - first - 1 : 0,
                        body != NULL ? "application/json" : NULL, &resp);
    check_reply(&resp);
    api_resp_dispose(&resp);
    free(line);
    return 0;
}
