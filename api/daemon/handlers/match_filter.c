/* The filters of a matches query: parse them, then clear the flags of the rows of the other
 * side that fail them. The ranking itself stays the matcher's: it ranks only flagged rows, so
 * a filtered answer is the best k of the rows that pass (decision 0051). */
#include <stdlib.h>
#include <string.h>

#include "../query.h"
#include "../reply.h"
#include "match_filter.h"

static const char *const names[] = {"area", "pathology", "technology", "stage", "country", "q"};

int api_match_filter_present(const char *query)
{
    char buf[4];

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (api_query_get(query, names[i], buf, sizeof(buf)) != 0)
            return 1;
    }
    return 0;
}

/* Reads one taxonomy filter into '*index' (-1 when absent); replies when it is unknown. */
static int term(const api_req_t *r, api_resp_t *resp, const char *name, tv_taxo_kind_t kind,
                int *index)
{
    char buf[96];
    int found = api_query_get(r->query, name, buf, sizeof(buf));

    *index = found > 0 ? tv_taxonomy_find(r->app->tax, kind, buf) : -1;
    if (found != 0 && *index < 0) {
        api_reply_bad_parameter(resp, r, name, "an id of the taxonomy");
        return -1;
    }
    return 0;
}

static int country(const api_req_t *r, api_resp_t *resp, char *out)
{
    char buf[8];
    int found = api_query_get(r->query, "country", buf, sizeof(buf));

    out[0] = '\0';
    if (found == 0)
        return 0;
    if (found > 0 && strlen(buf) == 2) {
        out[0] = (char)(buf[0] >= 'a' && buf[0] <= 'z' ? buf[0] - 32 : buf[0]);
        out[1] = (char)(buf[1] >= 'a' && buf[1] <= 'z' ? buf[1] - 32 : buf[1]);
        out[2] = '\0';
    }
    if (out[0] == '\0' || !tv_taxonomy_has_country(r->app->tax, out)) {
        api_reply_bad_parameter(resp, r, "country", "an ISO 3166-1 alpha-2 country code");
        return -1;
    }
    return 0;
}

static int search_text(const api_req_t *r, api_resp_t *resp, api_match_filter_t *f)
{
    char query[TV_SEARCH_MAX_BYTES * 3];
    int found = api_query_get(r->query, "q", f->q, sizeof(f->q));

    if (found == 0 || (found > 0 && f->q[0] == '\0')) { /* "q=" is an empty search box */
        f->q[0] = '\0';
        return 0;
    }
    if (found < 0 || tv_store_search_query(f->q, query, sizeof(query)) < 0) {
        api_reply_bad_parameter(resp, r, "q",
                                "1 to 8 words of letters or digits, at most 200 bytes");
        return -1;
    }
    return 0;
}

int api_match_filter_parse(const api_req_t *r, api_resp_t *resp, api_match_filter_t *f)
{
    if (term(r, resp, "area", TV_TAXO_AREA, &f->area) != 0 ||
        term(r, resp, "pathology", TV_TAXO_PATHOLOGY, &f->pathology) != 0 ||
        term(r, resp, "technology", TV_TAXO_TECHNOLOGY, &f->technology) != 0 ||
        term(r, resp, "stage", TV_TAXO_STAGE, &f->stage) != 0 ||
        country(r, resp, f->country) != 0 || search_text(r, resp, f) != 0)
        return -1;
    f->any = f->area >= 0 || f->pathology >= 0 || f->technology >= 0 || f->stage >= 0 ||
             f->country[0] != '\0' || f->q[0] != '\0';
    return 0;
}

/* 1 if 'terms' holds 'index' or a finer term under it. */
static int has_under(const tv_taxonomy_t *t, tv_taxo_kind_t kind, const tv_terms_t *terms,
                     int index)
{
    for (size_t i = 0; i < terms->n; i++) {
        for (int at = terms->items[i]; at >= 0;
             at = tv_taxonomy_entry(t, kind, (size_t)at)->parent) {
            if (at == index)
                return 1;
        }
    }
    return 0;
}

/* 1 if a term of 'terms' belongs to area 'area' (through its top-level term). */
static int in_area(const tv_taxonomy_t *t, tv_taxo_kind_t kind, const tv_terms_t *terms, int area)
{
    for (size_t i = 0; i < terms->n; i++) {
        if (tv_taxonomy_entry(t, kind, tv_taxonomy_root(t, kind, terms->items[i]))->area == area)
            return 1;
    }
    return 0;
}

static int company_passes(const tv_taxonomy_t *t, const tv_company_t *c,
                          const api_match_filter_t *f)
{
    return (f->area < 0 || c->area == f->area) && (f->stage < 0 || c->stage == f->stage) &&
           (f->country[0] == '\0' || strcmp(c->hq_country, f->country) == 0) &&
           (f->pathology < 0 || has_under(t, TV_TAXO_PATHOLOGY, &c->pathologies, f->pathology)) &&
           (f->technology < 0 || has_under(t, TV_TAXO_TECHNOLOGY, &c->technologies, f->technology));
}

/* An investor has no area of its own: it is in an area when one of its technologies or
 * priorities is. */
static int investor_passes(const tv_taxonomy_t *t, const tv_investor_t *inv,
                           const api_match_filter_t *f)
{
    return (f->area < 0 || in_area(t, TV_TAXO_TECHNOLOGY, &inv->technologies, f->area) ||
            in_area(t, TV_TAXO_PRIORITY, &inv->priorities, f->area)) &&
           (f->stage < 0 || tv_terms_has(&inv->stages, (size_t)f->stage)) &&
           (f->country[0] == '\0' || strcmp(inv->country, f->country) == 0) &&
           (f->pathology < 0 || has_under(t, TV_TAXO_PATHOLOGY, &inv->pathologies, f->pathology)) &&
           (f->technology < 0 ||
            has_under(t, TV_TAXO_TECHNOLOGY, &inv->technologies, f->technology));
}

typedef struct {
    const tv_matcher_t *m;
    uint8_t *found;
} found_t;

static int on_found(void *ctx, tv_profile_kind_t kind, const char *id)
{
    found_t *s = ctx;
    int at = kind == TV_KIND_COMPANY ? tv_matcher_find_company(s->m, id)
                                     : tv_matcher_find_investor(s->m, id);

    if (at >= 0)
        s->found[at] = 1;
    return 0;
}

/* Clears the flags of the rows whose words do not start with every word of f->q. */
static int apply_search(const api_req_t *r, tv_profile_kind_t other, const char *q, size_t n,
                        uint8_t *flags)
{
    found_t s = {r->app->matcher, calloc(n + 1, 1)};
    int rc = s.found != NULL ? 0 : TV_ENOMEM;

    if (rc == 0)
        rc = r->store != NULL ? tv_store_search(r->store, other, q, on_found, &s) : TV_EUNAVAIL;
    for (size_t i = 0; rc == 0 && i < n; i++)
        flags[i] = flags[i] && s.found[i];
    free(s.found);
    return rc;
}

int api_match_filter_apply(const api_req_t *r, tv_profile_kind_t other, const api_match_filter_t *f,
                           uint8_t *flags)
{
    const tv_matcher_t *m = r->app->matcher;
    size_t n = other == TV_KIND_COMPANY ? tv_matcher_companies(m) : tv_matcher_investors(m);

    for (size_t i = 0; i < n; i++) {
        if (!flags[i])
            continue;
        flags[i] = other == TV_KIND_COMPANY
                       ? (uint8_t)company_passes(r->app->tax, tv_matcher_company(m, i), f)
                       : (uint8_t)investor_passes(r->app->tax, tv_matcher_investor(m, i), f);
    }
    return f->q[0] != '\0' ? apply_search(r, other, f->q, n, flags) : 0;
}
