/* Tests the handlers through the router without sockets (as h2o's t/00unit loopback does):
 * statuses, problem bodies, paging and filters, and every access denial. No database: the
 * store is NULL, so writes and organiser checks must answer 503. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "reply.h"
#include "router.h"
#include "support.h"

static api_app_t app;
static tv_taxonomy_t *tax;

static int setup(void **state)
{
    (void)state;
    tax = tvt_taxonomy();
    memset(&app, 0, sizeof(app));
    app.cfg = tvt_match_config();
    app.tax = tax;
    app.max_body = 4096;
    app.metrics = api_metrics_create(api_route_count, api_route_label);
    pthread_rwlock_init(&app.lock, NULL);
    assert_int_equal(tv_matcher_create(tax, &app.cfg, &app.matcher), 0);
    tvt_add_fixture(app.matcher, tax, "companies.jsonl", TV_KIND_COMPANY);
    tvt_add_fixture(app.matcher, tax, "investors.jsonl", TV_KIND_INVESTOR);
    assert_int_equal(tv_matcher_build(app.matcher), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tv_matcher_destroy(app.matcher);
    api_metrics_destroy(app.metrics);
    tv_taxonomy_destroy(tax);
    return 0;
}

static const api_principal_t admin = {API_ROLE_ADMIN, "", "", 1};
static const api_principal_t investor = {API_ROLE_INVESTOR, "i-001", "", 2};
static const api_principal_t company = {API_ROLE_COMPANY, "c-001", "", 3};
static const api_principal_t organiser = {API_ROLE_ORGANISER, "", "jpm-2027", 4};

/* Sends a request and returns the status; the parsed body goes to '*body' if asked. */
static int call(const api_principal_t *as, const char *method, const char *path, const char *query,
                const char *body, const char *type, json_t **json)
{
    api_resp_t resp;
    int status;

    api_router_dispatch(&app, NULL, as, method, path, query, body, body ? strlen(body) : 0, type,
                        &resp);
    status = resp.status;
    if (json != NULL)
        *json = resp.body != NULL ? json_loadb(resp.body, resp.body_len, 0, NULL) : NULL;
    api_resp_dispose(&resp);
    return status;
}

static void expect_problem(json_t *p, int status, const char *slug)
{
    char type[96];

    snprintf(type, sizeof(type), "urn:tavolo:problem:%s", slug);
    assert_non_null(p);
    assert_string_equal(json_string_value(json_object_get(p, "type")), type);
    assert_int_equal(json_integer_value(json_object_get(p, "status")), status);
    assert_non_null(json_string_value(json_object_get(p, "detail")));
    json_decref(p);
}

static void test_handlers_routing_statuses(void **state)
{
    api_resp_t resp;
    json_t *p;

    (void)state;
    assert_int_equal(call(NULL, "GET", "/v1/companies", NULL, NULL, NULL, &p), 401);
    expect_problem(p, 401, "unauthorized");
    assert_int_equal(call(&admin, "GET", "/v1/nothing", NULL, NULL, NULL, &p), 404);
    expect_problem(p, 404, "not-found");
    api_router_dispatch(&app, NULL, &admin, "DELETE", "/v1/companies", NULL, NULL, 0, NULL, &resp);
    assert_int_equal(resp.status, 405);
    assert_string_equal(resp.allow, "GET, POST");
    api_resp_dispose(&resp);
    assert_int_equal(call(&admin, "POST", "/v1/companies", NULL, "{}", "text/plain", &p), 415);
    expect_problem(p, 415, "unsupported-media-type");
    {
        char big[5000];

        memset(big, ' ', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        assert_int_equal(call(&admin, "POST", "/v1/companies", NULL, big, "application/json", &p),
                         413);
        expect_problem(p, 413, "payload-too-large");
    }
}

static void test_handlers_bad_bodies_name_the_field(void **state)
{
    json_t *p;

    (void)state;
    assert_int_equal(
        call(&admin, "POST", "/v1/companies", NULL, "{\"id\":", "application/json", &p), 400);
    expect_problem(p, 400, "malformed-json");
    assert_int_equal(call(&admin, "POST", "/v1/companies", NULL,
                          "{\"id\":\"c-9\",\"name\":\"X\",\"wants\":{\"lead\":\"yes\"}}",
                          "application/json", &p),
                     422);
    assert_string_equal(json_string_value(json_object_get(p, "pointer")), "/wants/lead");
    expect_problem(p, 422, "invalid-field");
    assert_int_equal(call(&admin, "PUT", "/v1/companies/c-001", NULL,
                          "{\"id\":\"c-002\",\"name\":\"X\"}", "application/json", &p),
                     422);
    assert_string_equal(json_string_value(json_object_get(p, "pointer")), "/id");
    json_decref(p);
}

static void test_handlers_writes_without_database_are_503(void **state)
{
    api_resp_t resp;

    (void)state;
    {
        const char *body = "{\"id\":\"c-001\",\"name\":\"X\"}";

        api_router_dispatch(&app, NULL, &admin, "PUT", "/v1/companies/c-001", NULL, body,
                            strlen(body), "application/json", &resp);
        assert_int_equal(resp.status, 503);
        assert_true(resp.retry_after > 0);
        api_resp_dispose(&resp);
    }
    /* An organiser's rights need the database too. */
    assert_int_equal(call(&organiser, "GET", "/v1/companies/c-001", NULL, NULL, NULL, NULL), 503);
}

/* With the database down (no store), every event route answers 503 to every role; none
 * reaches the store (a NULL store crashed the daemon for admins and organisers). */
static void test_handlers_event_routes_without_database_are_503(void **state)
{
    static const char *const routes[][2] = {
        {"GET", "/v1/events/jpm-2027"},
        {"GET", "/v1/events/jpm-2027/requests"},
        {"POST", "/v1/events/jpm-2027/requests/1/accept"},
        {"POST", "/v1/events/jpm-2027/requests/1/decline"},
        {"POST", "/v1/events/jpm-2027/schedule"},
        {"GET", "/v1/events/jpm-2027/meetings"},
        {"GET", "/v1/events/jpm-2027/meetings/1"},
        {"PATCH", "/v1/events/jpm-2027/meetings/1"},
        {"GET", "/v1/events/jpm-2027/agenda.ics"},
        {"GET", "/v1/events/jpm-2027/tables.csv"},
    };
    const api_principal_t *roles[] = {&admin, &organiser, &company};

    (void)state;
    for (size_t k = 0; k < sizeof(roles) / sizeof(roles[0]); k++) {
        for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
            int patch = strcmp(routes[i][0], "PATCH") == 0;
            int status = call(roles[k], routes[i][0], routes[i][1], NULL,
                              patch ? "{\"status\":\"locked\"}" : NULL,
                              patch ? "application/json" : NULL, NULL);

            if (status != 503)
                fail_msg("%s %s as role %d: %d", routes[i][0], routes[i][1], (int)roles[k]->role,
                         status);
        }
    }
}

static void test_handlers_investor_sees_itself_and_public_companies_only(void **state)
{
    json_t *j;

    (void)state;
    assert_int_equal(call(&investor, "GET", "/v1/investors/i-001", NULL, NULL, NULL, &j), 200);
    assert_non_null(json_object_get(j, "thesis"));
    json_decref(j);
    assert_int_equal(call(&investor, "GET", "/v1/investors/i-002", NULL, NULL, NULL, NULL), 403);
    assert_int_equal(call(&investor, "GET", "/v1/companies/c-001", NULL, NULL, NULL, &j), 200);
    assert_null(json_object_get(j, "rd_spend_eur"));
    assert_null(json_object_get(j, "wants"));
    assert_non_null(json_object_get(j, "description"));
    json_decref(j);
    /* A list of its own side shows the investor itself only. */
    assert_int_equal(call(&investor, "GET", "/v1/investors", NULL, NULL, NULL, &j), 200);
    assert_int_equal(json_array_size(json_object_get(j, "items")), 1);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(json_object_get(j, "items"), 0), "id")),
        "i-001");
    json_decref(j);
    /* Eligibility reasons quote private figures. */
    assert_int_equal(
        call(&investor, "GET", "/v1/companies/c-001/eligibility", NULL, NULL, NULL, NULL), 403);
    assert_int_equal(call(&investor, "GET", "/v1/companies", "limit=5", NULL, NULL, &j), 200);
    assert_null(json_object_get(json_array_get(json_object_get(j, "items"), 0), "patents_owned"));
    json_decref(j);
    assert_int_equal(call(&investor, "GET", "/v1/investors/i-001/matches", "k=3", NULL, NULL, &j),
                     200);
    assert_int_equal(json_array_size(json_object_get(j, "items")), 3);
    json_decref(j);
    assert_int_equal(call(&investor, "GET", "/v1/investors/i-002/matches", NULL, NULL, NULL, NULL),
                     403);
    assert_int_equal(call(&investor, "GET", "/v1/companies/c-001/matches", NULL, NULL, NULL, NULL),
                     403);
    assert_int_equal(call(&investor, "DELETE", "/v1/investors/i-001", NULL, NULL, NULL, NULL), 403);
    assert_int_equal(call(&investor, "PUT", "/v1/investors/i-002", NULL,
                          "{\"id\":\"i-002\",\"name\":\"Mine now\"}", "application/json", NULL),
                     403);
}

static void test_handlers_company_sees_itself_and_public_investors_only(void **state)
{
    json_t *j;

    (void)state;
    assert_int_equal(call(&company, "GET", "/v1/companies/c-001", NULL, NULL, NULL, &j), 200);
    assert_non_null(json_object_get(j, "rd_spend_eur"));
    json_decref(j);
    assert_int_equal(call(&company, "GET", "/v1/companies/c-002", NULL, NULL, NULL, NULL), 403);
    assert_int_equal(
        call(&company, "GET", "/v1/companies/c-002/eligibility", NULL, NULL, NULL, NULL), 403);
    assert_int_equal(call(&company, "GET", "/v1/investors/i-001", NULL, NULL, NULL, &j), 200);
    assert_null(json_object_get(j, "thesis"));
    assert_null(json_object_get(j, "portfolio"));
    json_decref(j);
    assert_int_equal(call(&company, "GET", "/v1/companies", NULL, NULL, NULL, &j), 200);
    assert_int_equal(json_array_size(json_object_get(j, "items")), 1);
    json_decref(j);
    assert_int_equal(
        call(&company, "GET", "/v1/companies/c-001/eligibility", NULL, NULL, NULL, NULL), 200);
    assert_int_equal(call(&company, "GET", "/v1/companies/c-001/matches", NULL, NULL, NULL, NULL),
                     200);
    assert_int_equal(call(&company, "GET", "/v1/companies/c-002/matches", NULL, NULL, NULL, NULL),
                     403);
    assert_int_equal(call(&company, "GET", "/v1/investors/i-001/matches", NULL, NULL, NULL, NULL),
                     403);
}

static void test_handlers_lists_page_and_filter(void **state)
{
    json_t *a, *b, *f;
    const char *next;
    char query[128];

    (void)state;
    assert_int_equal(call(&admin, "GET", "/v1/companies", "limit=2", NULL, NULL, &a), 200);
    next = json_string_value(json_object_get(a, "next"));
    assert_string_equal(next, "c-002");
    snprintf(query, sizeof(query), "limit=2&after=%s", next);
    assert_int_equal(call(&admin, "GET", "/v1/companies", query, NULL, NULL, &b), 200);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(json_object_get(b, "items"), 0), "id")),
        "c-003");
    json_decref(a);
    json_decref(b);
    assert_int_equal(call(&admin, "GET", "/v1/companies",
                          "pathology=oncology&eligible=true&limit=200", NULL, NULL, &f),
                     200);
    assert_true(json_array_size(json_object_get(f, "items")) > 3);
    for (size_t i = 0; i < json_array_size(json_object_get(f, "items")); i++) {
        json_t *c = json_array_get(json_object_get(f, "items"), i);
        const char *p = json_string_value(json_array_get(json_object_get(c, "pathologies"), 0));

        assert_true(p != NULL && strncmp(p, "oncology", 8) == 0);
    }
    assert_true(json_is_null(json_object_get(f, "next")));
    json_decref(f);
    assert_int_equal(call(&admin, "GET", "/v1/companies", "pathology=gout", NULL, NULL, &f), 400);
    assert_string_equal(json_string_value(json_object_get(f, "parameter")), "pathology");
    expect_problem(f, 400, "invalid-parameter");
    assert_int_equal(call(&admin, "GET", "/v1/companies", "limit=0", NULL, NULL, NULL), 400);
    /* Unknown and repeated parameters are refused by name. */
    assert_int_equal(call(&admin, "GET", "/v1/companies", "colour=red", NULL, NULL, &f), 400);
    assert_string_equal(json_string_value(json_object_get(f, "parameter")), "colour");
    json_decref(f);
    assert_int_equal(call(&admin, "GET", "/v1/companies", "limit=2&limit=3", NULL, NULL, &f), 400);
    assert_string_equal(json_string_value(json_object_get(f, "parameter")), "limit");
    json_decref(f);
    assert_int_equal(call(&admin, "GET", "/v1/companies/c-001", "x=1", NULL, NULL, NULL), 400);
    assert_int_equal(call(&admin, "GET", "/v1/investors", "kind=cvc", NULL, NULL, &f), 200);
    for (size_t i = 0; i < json_array_size(json_object_get(f, "items")); i++)
        assert_string_equal(json_string_value(json_object_get(
                                json_array_get(json_object_get(f, "items"), i), "kind")),
                            "cvc");
    json_decref(f);
}

static void test_handlers_matches_and_eligibility(void **state)
{
    json_t *j, *first;

    (void)state;
    assert_int_equal(call(&admin, "GET", "/v1/companies/c-001/matches", "k=5", NULL, NULL, &j),
                     200);
    assert_int_equal(json_array_size(json_object_get(j, "items")), 5);
    assert_int_equal(json_integer_value(json_object_get(j, "k")), 5);
    first = json_array_get(json_object_get(j, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "company_id")), "c-001");
    assert_non_null(json_object_get(first, "contributions"));
    assert_true(json_is_null(json_object_get(j, "event")));
    json_decref(j);
    /* Served twice (the second from the cache), the body is the same. */
    {
        api_resp_t x, y;

        api_router_dispatch(&app, NULL, &admin, "GET", "/v1/companies/c-001/matches", "k=5", NULL,
                            0, NULL, &x);
        api_router_dispatch(&app, NULL, &admin, "GET", "/v1/companies/c-001/matches", "k=5", NULL,
                            0, NULL, &y);
        assert_string_equal(x.body, y.body);
        api_resp_dispose(&x);
        api_resp_dispose(&y);
    }
    assert_int_equal(call(&admin, "GET", "/v1/companies/c-001/matches", "k=999", NULL, NULL, NULL),
                     400);
    assert_int_equal(
        call(&admin, "GET", "/v1/companies/c-001/matches", "lang=fr", NULL, NULL, NULL), 400);
    assert_int_equal(
        call(&admin, "GET", "/v1/companies/c-001/matches", "k=2&lang=it", NULL, NULL, &j), 200);
    assert_int_equal(json_array_size(json_object_get(j, "items")), 2);
    first = json_array_get(json_object_get(j, "items"), 0);
    assert_in_range(json_integer_value(json_object_get(first, "fit")), 0, 100);
    assert_non_null(strstr("eccellente buona discreta debole",
                           json_string_value(json_object_get(first, "level"))));
    assert_true(json_array_size(json_object_get(first, "top_reasons")) > 0);
    assert_true(json_is_array(json_object_get(first, "flags")));
    json_decref(j);
    /* An ineligible company's matches carry the flag that names it; eligibility masks nothing. */
    assert_int_equal(
        call(&admin, "GET", "/v1/companies/c-036/matches", "k=1&lang=it", NULL, NULL, &j), 200);
    first = json_object_get(json_array_get(json_object_get(j, "items"), 0), "flags");
    assert_string_equal(json_string_value(json_object_get(json_array_get(first, 0), "name")),
                        "not_eligible");
    assert_non_null(strstr(json_string_value(json_object_get(json_array_get(first, 0), "text")),
                           "Non idonea ESIBE"));
    json_decref(j);
    assert_int_equal(call(&admin, "GET", "/v1/companies/nope/matches", NULL, NULL, NULL, NULL),
                     404);
    assert_int_equal(call(&admin, "GET", "/v1/companies/c-036/eligibility", NULL, NULL, NULL, &j),
                     200);
    assert_true(json_is_false(json_object_get(j, "eligible")));
    json_decref(j);
    assert_int_equal(call(NULL, "GET", "/healthz", NULL, NULL, NULL, &j), 200);
    assert_string_equal(json_string_value(json_object_get(j, "database")), "down");
    assert_int_equal(json_integer_value(json_object_get(j, "companies")), 84);
    json_decref(j);
}

/* POST /v1/companies/{id}/eligibility judges a draft without storing it: the stored record's
 * verdict stays, the codec's errors name the field, and the GET's access rule holds. */
static void test_handlers_draft_eligibility_is_judged_not_stored(void **state)
{
    const char *draft = "{\"id\":\"c-036\",\"name\":\"Brevia Bio\","
                        "\"area\":\"precision_medicine\",\"hq_country\":\"IT\","
                        "\"rd_share_italy\":0.9,\"rd_spend_eur\":2500000,"
                        "\"commercial\":false,\"patents_owned\":2}";
    const api_principal_t owner = {API_ROLE_COMPANY, "c-036", "", 5};
    json_t *j, *first;

    (void)state;
    assert_int_equal(call(&owner, "POST", "/v1/companies/c-036/eligibility", NULL, draft,
                          "application/json", &j),
                     200);
    assert_true(json_is_true(json_object_get(j, "eligible")));
    assert_string_equal(json_string_value(json_object_get(j, "company_id")), "c-036");
    first = json_array_get(json_object_get(j, "criteria"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "name")), "rd_threshold");
    assert_non_null(strstr(json_string_value(json_object_get(first, "reason")), "2,500,000"));
    json_decref(j);
    /* The reasons in Italian, for the page's language; only it or en. */
    assert_int_equal(call(&owner, "POST", "/v1/companies/c-036/eligibility", "lang=it", draft,
                          "application/json", &j),
                     200);
    first = json_array_get(json_object_get(j, "criteria"), 0);
    assert_non_null(strstr(json_string_value(json_object_get(first, "reason")), "2.500.000 EUR"));
    json_decref(j);
    assert_int_equal(
        call(&owner, "GET", "/v1/companies/c-036/eligibility", "lang=it", NULL, NULL, &j), 200);
    first = json_array_get(json_object_get(j, "criteria"), 0);
    assert_non_null(strstr(json_string_value(json_object_get(first, "reason")), "sotto i"));
    json_decref(j);
    assert_int_equal(call(&owner, "POST", "/v1/companies/c-036/eligibility", "lang=fr", draft,
                          "application/json", NULL),
                     400);
    /* Nothing was stored: the stored record is still below the threshold. */
    assert_int_equal(call(&owner, "GET", "/v1/companies/c-036/eligibility", NULL, NULL, NULL, &j),
                     200);
    assert_true(json_is_false(json_object_get(j, "eligible")));
    json_decref(j);
    /* The draft is held to the PUT's rules, each error at its field. */
    assert_int_equal(call(&owner, "POST", "/v1/companies/c-036/eligibility", NULL,
                          "{\"id\":\"c-036\",\"name\":\"B\",\"patents_owned\":-1,"
                          "\"pathologies\":[\"oncology.nope\"]}",
                          "application/json", &j),
                     422);
    assert_int_equal(json_array_size(json_object_get(j, "errors")), 2);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(j, "errors"), 1), "pointer")),
                        "/pathologies/0");
    expect_problem(j, 422, "invalid-field");
    assert_int_equal(call(&owner, "POST", "/v1/companies/c-036/eligibility", NULL,
                          "{\"id\":\"c-001\",\"name\":\"B\"}", "application/json", &j),
                     422);
    assert_string_equal(json_string_value(json_object_get(j, "pointer")), "/id");
    expect_problem(j, 422, "invalid-field");
    assert_int_equal(call(&owner, "POST", "/v1/companies/c-036/eligibility", NULL,
                          "{\"id\":", "application/json", NULL),
                     400);
    /* Another company, an investor: refused before the body is read, as the GET is. */
    assert_int_equal(call(&company, "POST", "/v1/companies/c-036/eligibility", NULL, draft,
                          "application/json", &j),
                     403);
    expect_problem(j, 403, "forbidden");
    assert_int_equal(call(&investor, "POST", "/v1/companies/c-036/eligibility", NULL, draft,
                          "application/json", NULL),
                     403);
    assert_int_equal(call(&admin, "POST", "/v1/companies/t-nobody/eligibility", NULL,
                          "{\"id\":\"t-nobody\",\"name\":\"N\"}", "application/json", NULL),
                     404);
}

/* GET /v1/taxonomy: the terms the codec accepts, labelled in both languages, with their tree;
 * any token may read it, none is no access. */
static void test_handlers_taxonomy_lists_terms_with_labels(void **state)
{
    json_t *j, *lung = NULL, *paths, *e;
    size_t i;

    (void)state;
    assert_int_equal(call(&investor, "GET", "/v1/taxonomy", NULL, NULL, NULL, &j), 200);
    paths = json_object_get(j, "pathologies");
    assert_int_equal(json_array_size(paths), tv_taxonomy_count(tax, TV_TAXO_PATHOLOGY));
    json_array_foreach(paths, i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "id")), "oncology.lung") == 0)
            lung = e;
    }
    assert_non_null(lung);
    assert_string_equal(json_string_value(json_object_get(lung, "parent")), "oncology");
    assert_non_null(json_string_value(json_object_get(json_object_get(lung, "label"), "it")));
    e = json_array_get(json_object_get(j, "technologies"), 0);
    assert_string_equal(json_string_value(json_object_get(e, "area")), "precision_medicine");
    e = json_array_get(json_object_get(j, "stages"), 0);
    assert_string_equal(json_string_value(json_object_get(e, "track")), "medicine");
    assert_true(json_array_size(json_object_get(j, "it_regions")) == 20);
    assert_true(json_array_size(json_object_get(j, "countries")) > 200);
    assert_null(json_object_get(j, "events"));
    json_decref(j);
    assert_int_equal(call(NULL, "GET", "/v1/taxonomy", NULL, NULL, NULL, NULL), 401);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handlers_routing_statuses),
        cmocka_unit_test(test_handlers_bad_bodies_name_the_field),
        cmocka_unit_test(test_handlers_writes_without_database_are_503),
        cmocka_unit_test(test_handlers_event_routes_without_database_are_503),
        cmocka_unit_test(test_handlers_investor_sees_itself_and_public_companies_only),
        cmocka_unit_test(test_handlers_company_sees_itself_and_public_investors_only),
        cmocka_unit_test(test_handlers_lists_page_and_filter),
        cmocka_unit_test(test_handlers_matches_and_eligibility),
        cmocka_unit_test(test_handlers_draft_eligibility_is_judged_not_stored),
        cmocka_unit_test(test_handlers_taxonomy_lists_terms_with_labels),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
