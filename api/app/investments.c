/* tavolo import --kind investments: a real export's investment rows added to the stored
 * profiles (see investments.h), read by the same reader as `tavolo eval`, so that the same holes
 * are left out and said the same way. */
#include <stdlib.h>
#include <string.h>

#include "investments.h"
#include "tavolo/error.h"
#include "tavolo/eval.h"

/* The stored profiles of one side, in byte order of id (the reader's order). */
typedef struct {
    char **ids, **docs;
    size_t n, cap;
} stored_t;

static int on_doc(void *ctx, const char *id, const char *json, size_t len)
{
    stored_t *s = ctx;

    (void)len;
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        char **ids = realloc(s->ids, cap * sizeof(char *));
        char **docs = ids != NULL ? realloc(s->docs, cap * sizeof(char *)) : NULL;

        s->ids = ids != NULL ? ids : s->ids;
        if (docs == NULL)
            return TV_ENOMEM;
        s->docs = docs;
        s->cap = cap;
    }
    s->ids[s->n] = strdup(id);
    s->docs[s->n] = strdup(json);
    if (s->ids[s->n] == NULL || s->docs[s->n] == NULL) {
        free(s->ids[s->n]);
        free(s->docs[s->n]);
        return TV_ENOMEM;
    }
    s->n++;
    return 0;
}

static int compare_pairs(const void *a, const void *b)
{
    return strcmp(((char *const *)a)[0], ((char *const *)b)[0]);
}

/* Reads every stored profile of 'kind' and sorts them by id, byte order. */
static int read_stored(tv_store_t *st, tv_profile_kind_t kind, stored_t *s)
{
    char **pairs;
    int rc = tv_store_each(st, kind, NULL, 0, on_doc, s);

    if (rc != 0 || s->n < 2)
        return rc;
    pairs = malloc(2 * s->n * sizeof(char *));
    if (pairs == NULL)
        return TV_ENOMEM;
    for (size_t i = 0; i < s->n; i++) {
        pairs[2 * i] = s->ids[i];
        pairs[2 * i + 1] = s->docs[i];
    }
    qsort(pairs, s->n, 2 * sizeof(char *), compare_pairs);
    for (size_t i = 0; i < s->n; i++) {
        s->ids[i] = pairs[2 * i];
        s->docs[i] = pairs[2 * i + 1];
    }
    free(pairs);
    return 0;
}

static void stored_dispose(stored_t *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->ids[i]);
        free(s->docs[i]);
    }
    free(s->ids);
    free(s->docs);
}

/* The reader's data: the stored ids as its companies and investors (their names unused). */
static int as_eval_data(const stored_t *companies, const stored_t *investors, tv_eval_data_t *d)
{
    memset(d, 0, sizeof(*d));
    d->companies = calloc(companies->n + 1, sizeof(*d->companies));
    d->investors = calloc(investors->n + 1, sizeof(*d->investors));
    if (d->companies == NULL || d->investors == NULL)
        return TV_ENOMEM;
    for (size_t i = 0; i < companies->n; i++, d->n_companies++) {
        d->companies[i] = (tv_eval_company_t){
            strdup(companies->ids[i]), strdup(companies->ids[i]), -1, "", NULL, NULL, 0};
        if (d->companies[i].id == NULL || d->companies[i].name == NULL)
            return TV_ENOMEM;
    }
    for (size_t i = 0; i < investors->n; i++, d->n_investors++) {
        d->investors[i] =
            (tv_eval_investor_t){strdup(investors->ids[i]), strdup(investors->ids[i]), -1, ""};
        if (d->investors[i].id == NULL || d->investors[i].name == NULL)
            return TV_ENOMEM;
    }
    return 0;
}

static char *dup_or_null(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

static int copy_terms(const tv_terms_t *from, tv_terms_t *to)
{
    to->n = 0;
    to->items = malloc((from->n + 1) * sizeof(*to->items));
    if (to->items == NULL)
        return TV_ENOMEM;
    memcpy(to->items, from->items, from->n * sizeof(*to->items));
    to->n = from->n;
    return 0;
}

/* Holding 'h' of company 'c' entered by investment 'x' (the round, its size, its year). */
static int make_holding(const tv_company_t *c, const tv_eval_investment_t *x, tv_holding_t *h)
{
    memset(h, 0, sizeof(*h));
    h->name = strdup(c->name);
    h->stage = c->stage;
    h->round = x->round;
    h->year = x->date / 10000;
    memcpy(h->country, c->hq_country, sizeof(h->country));
    h->subdivision = dup_or_null(c->subdivision);
    h->city = dup_or_null(c->city);
    h->raise_eur = x->raised_eur;
    h->description = dup_or_null(c->description);
    if (h->name == NULL || (c->subdivision != NULL && h->subdivision == NULL) ||
        (c->city != NULL && h->city == NULL) || (c->description != NULL && h->description == NULL))
        return TV_ENOMEM;
    if (copy_terms(&c->pathologies, &h->pathologies) != 0 ||
        copy_terms(&c->technologies, &h->technologies) != 0)
        return TV_ENOMEM;
    return 0;
}

/* The holding of 'inv' named 'name', or NULL. */
static tv_holding_t *holding_named(tv_investor_t *inv, const char *name)
{
    for (size_t h = 0; h < inv->portfolio_n; h++) {
        if (inv->portfolio[h].name != NULL && strcmp(inv->portfolio[h].name, name) == 0)
            return &inv->portfolio[h];
    }
    return NULL;
}

typedef struct {
    const tv_taxonomy_t *t;
    const stored_t *companies, *investors;
    const tv_eval_data_t *rows;
    tv_store_change_t *changes;
    char **encoded;
    size_t n_changes;
    app_investments_stats_t *stats;
} apply_t;

static int add_change(apply_t *a, tv_profile_kind_t kind, const char *id, char *json,
                      const char *expected)
{
    a->encoded[a->n_changes] = json;
    a->changes[a->n_changes++] = (tv_store_change_t){kind, id, json, expected};
    return 0;
}

/* Investor 'i''s portfolio with a holding per company its rows name: a company it holds
 * already (by name) keeps its holding, its year brought up to the latest row's. */
static int apply_investor(apply_t *a, size_t i)
{
    tv_investor_t inv;
    tv_diags_t diags = {0};
    const char *doc = a->investors->docs[i];
    int rc = tv_codec_investor_decode(a->t, doc, strlen(doc), &inv, &diags), changed = 0;
    char *json = NULL;

    for (size_t e = 0; rc == 0 && e < a->rows->n_investments; e++) {
        const tv_eval_investment_t *x = &a->rows->investments[e];
        const char *cdoc = a->companies->docs[x->company];
        tv_company_t c;
        tv_holding_t *held, fresh;

        if (x->investor != i)
            continue;
        rc = tv_codec_company_decode(a->t, cdoc, strlen(cdoc), &c, &diags);
        if (rc != 0)
            break;
        held = holding_named(&inv, c.name);
        if (held != NULL && held->year < x->date / 10000) {
            held->year = x->date / 10000;
            changed = 1;
        } else if (held == NULL) {
            tv_holding_t *more = realloc(inv.portfolio, (inv.portfolio_n + 1) * sizeof(*more));

            rc = more != NULL ? make_holding(&c, x, &fresh) : TV_ENOMEM;
            inv.portfolio = more != NULL ? more : inv.portfolio;
            if (rc == 0) {
                inv.portfolio[inv.portfolio_n++] = fresh;
                a->stats->holdings_added++;
                changed = 1;
            }
        }
        tv_company_dispose(&c);
    }
    if (rc == 0 && changed)
        rc = tv_codec_investor_encode(a->t, &inv, &json);
    if (rc == 0 && changed) {
        a->stats->investors_changed++;
        rc = add_change(a, TV_KIND_INVESTOR, a->investors->ids[i], json, doc);
    }
    tv_investor_dispose(&inv);
    tv_diags_dispose(&diags);
    return rc;
}

/* Company 'c''s list of investors with each investor its rows name. */
static int apply_company(apply_t *a, size_t c)
{
    tv_company_t co;
    tv_diags_t diags = {0};
    const char *doc = a->companies->docs[c];
    int rc = tv_codec_company_decode(a->t, doc, strlen(doc), &co, &diags), changed = 0;
    char *json = NULL;

    for (size_t e = 0; rc == 0 && e < a->rows->n_investments; e++) {
        const tv_eval_investment_t *x = &a->rows->investments[e];
        const char *id = a->investors->ids[x->investor];
        int known = 0;
        char **more;

        for (size_t k = 0; x->company == c && k < co.investors.n; k++)
            known |= strcmp(co.investors.items[k], id) == 0;
        if (x->company != c || known)
            continue;
        more = realloc(co.investors.items, (co.investors.n + 1) * sizeof(char *));
        if (more == NULL || (more[co.investors.n] = strdup(id)) == NULL)
            rc = TV_ENOMEM;
        co.investors.items = more != NULL ? more : co.investors.items;
        if (rc == 0) {
            co.investors.n++;
            changed = 1;
        }
    }
    if (rc == 0 && changed)
        rc = tv_codec_company_encode(a->t, &co, &json);
    if (rc == 0 && changed) {
        a->stats->companies_changed++;
        rc = add_change(a, TV_KIND_COMPANY, a->companies->ids[c], json, doc);
    }
    tv_company_dispose(&co);
    tv_diags_dispose(&diags);
    return rc;
}

/* Every profile the rows name, changed, then written in one transaction. */
static int apply(tv_store_t *st, apply_t *a, int dry_run)
{
    size_t most = a->companies->n + a->investors->n + 1;
    uint8_t *named_i = calloc(a->investors->n + 1, 1), *named_c = calloc(a->companies->n + 1, 1);
    int rc;

    a->changes = calloc(most, sizeof(*a->changes));
    a->encoded = calloc(most, sizeof(char *));
    rc = a->changes != NULL && a->encoded != NULL && named_i != NULL && named_c != NULL ? 0
                                                                                        : TV_ENOMEM;
    for (size_t e = 0; rc == 0 && e < a->rows->n_investments; e++) {
        named_i[a->rows->investments[e].investor] = 1;
        named_c[a->rows->investments[e].company] = 1;
    }
    for (size_t i = 0; rc == 0 && i < a->investors->n; i++)
        rc = named_i[i] ? apply_investor(a, i) : 0;
    for (size_t c = 0; rc == 0 && c < a->companies->n; c++)
        rc = named_c[c] ? apply_company(a, c) : 0;
    if (rc == 0 && a->n_changes > 0)
        rc = tv_store_replace_all(st, a->changes, a->n_changes, dry_run);
    for (size_t k = 0; a->encoded != NULL && k < a->n_changes; k++)
        free(a->encoded[k]);
    free(a->encoded);
    free(a->changes);
    free(named_i);
    free(named_c);
    return rc;
}

int app_import_investments(tv_store_t *st, const tv_taxonomy_t *t, const char *text, size_t len,
                           int strict, int dry_run, app_investments_stats_t *out, tv_diags_t *diags,
                           tv_diags_t *skipped)
{
    stored_t companies = {0}, investors = {0};
    tv_eval_data_t rows = {0};
    apply_t a = {t, &companies, &investors, &rows, NULL, NULL, 0, out};
    int rc;

    memset(out, 0, sizeof(*out));
    rc = read_stored(st, TV_KIND_COMPANY, &companies);
    if (rc == 0)
        rc = read_stored(st, TV_KIND_INVESTOR, &investors);
    if (rc == 0)
        rc = as_eval_data(&companies, &investors, &rows);
    if (rc == 0)
        rc = tv_eval_data_add(t, TV_EVAL_INVESTMENTS, text, len, &rows, diags,
                              strict ? NULL : skipped);
    out->rows = rows.n_investments;
    if (rc == 0)
        rc = apply(st, &a, dry_run);
    tv_eval_data_dispose(&rows);
    stored_dispose(&companies);
    stored_dispose(&investors);
    return rc;
}
