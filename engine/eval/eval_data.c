/* The investments data for tv_eval_run: JSON lines read into arrays, with the Crunchbase
 * vocabulary mapped to tavolo's taxonomy (see the README, "Matching quality"). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "codec/codec_internal.h"
#include "core/internal.h"
#include "tavolo/calendar.h"
#include "tavolo/eval.h"

/* Round sizes are in US dollars; one fixed rate keeps the log-spaced ticket buckets apart. */
#define EUR_PER_USD 0.75

typedef struct {
    const char *from, *to;
} mapping_t;

/* Crunchbase's 2013 category codes to the taxonomy's technologies. */
static const mapping_t categories[] = {
    {"biotech", "biopharma"}, {"medical", "medical_devices"}, {"health", "health_services"}};

/* Crunchbase's round types to the taxonomy's rounds; NULL: no round of ours says it. */
static const mapping_t round_types[] = {{"angel", "seed"},
                                        {"series-a", "series_a"},
                                        {"series-b", "series_b"},
                                        {"series-c+", "series_c"},
                                        {"venture", NULL},
                                        {"other", NULL},
                                        {"private-equity", "growth"},
                                        {"post-ipo", "ipo"}};

/* ISO 3166-1 alpha-3 to alpha-2 for the countries the data names; another code is unknown. */
static const mapping_t countries[] = {{"USA", "US"}, {"CAN", "CA"}, {"GBR", "GB"}, {"FRA", "FR"},
                                      {"DEU", "DE"}, {"CHE", "CH"}, {"ITA", "IT"}, {"NLD", "NL"},
                                      {"BEL", "BE"}, {"SWE", "SE"}, {"DNK", "DK"}, {"IRL", "IE"},
                                      {"ESP", "ES"}, {"ISR", "IL"}, {"JPN", "JP"}, {"CHN", "CN"},
                                      {"IND", "IN"}, {"KOR", "KR"}, {"SGP", "SG"}, {"AUS", "AU"}};

static const mapping_t *find_mapping(const mapping_t *table, size_t n, const char *from)
{
    for (size_t i = 0; from != NULL && i < n; i++) {
        if (strcmp(table[i].from, from) == 0)
            return &table[i];
    }
    return NULL;
}

static void map_country(const char *iso3, char out[3])
{
    const mapping_t *m = find_mapping(countries, TV__ARRAY_LEN(countries), iso3);

    out[0] = '\0';
    if (m != NULL)
        memcpy(out, m->to, 3);
}

/* ---- one line ---- */

typedef struct {
    const tv_taxonomy_t *tax;
    tv_eval_data_t *data;
    tv_diags_t *diags;
    tv_diags_t *skipped; /* the holes left out, or NULL (strict): they are errors */
    size_t line, cap;
    size_t from;   /* the file's first row among the data's */
    size_t *lines; /* the line of each of the file's investments, for the duplicates */
    size_t lines_cap;
    int failed, hole;
} reader_t;

static void line_error(reader_t *r, const char *field, const char *msg)
{
    tv__diag_add(r->diags, r->line, 0, field, "%s", msg);
    r->failed = 1;
}

/* A hole of a real export (no date, an id no row has): the row is left out and reported in
 * 'skipped', or, strict, an error. */
static void line_hole(reader_t *r, const char *field, const char *msg)
{
    if (r->skipped == NULL) {
        line_error(r, field, msg);
        return;
    }
    if (!r->hole)
        tv__diag_add(r->skipped, r->line, 0, field, "%s", msg);
    r->hole = 1;
}

/* A string member, or NULL when absent or null; a value of another type is an error. */
static const char *string_member(reader_t *r, json_t *o, const char *name, int required)
{
    json_t *v = json_object_get(o, name);

    if ((v == NULL || json_is_null(v)) && !required)
        return NULL;
    if (!json_is_string(v) || json_string_length(v) == 0) {
        line_error(r, name, v == NULL || json_is_null(v) ? "required" : "expected a string");
        return NULL;
    }
    return json_string_value(v);
}

static char *dup_or_null(const char *s)
{
    return s != NULL ? tv__strdup(s) : NULL;
}

/* The category: the first of "categories", mapped to a technology (-1 when unmapped). */
static int read_category(reader_t *r, json_t *o)
{
    json_t *cats = json_object_get(o, "categories"), *first = json_array_get(cats, 0);
    const mapping_t *m;
    int index;

    if (cats != NULL && !json_is_null(cats) &&
        (!json_is_array(cats) || (first != NULL && !json_is_string(first)))) {
        line_error(r, "categories", "expected an array of strings");
        return -1;
    }
    m = find_mapping(categories, TV__ARRAY_LEN(categories), json_string_value(first));
    index = m != NULL ? tv_taxonomy_find(r->tax, TV_TAXO_TECHNOLOGY, m->to) : -1;
    return index >= 0 ? index : -1;
}

static int read_company(reader_t *r, json_t *o)
{
    const char *id = string_member(r, o, "id", 1), *name = string_member(r, o, "name", 1);
    const char *founded = string_member(r, o, "founded", 0);
    tv_eval_company_t c = {0};

    c.technology = read_category(r, o);
    if (founded != NULL && !tv_calendar_valid_date(founded))
        line_error(r, "founded", "expected a date YYYY-MM-DD or null");
    map_country(string_member(r, o, "country", 0), c.country);
    c.founded = founded != NULL ? atoi(founded) : TV_UNKNOWN;
    if (r->failed)
        return 0;
    if (tv__grow((void **)&r->data->companies, &r->cap, r->data->n_companies + 1, sizeof(c)) != 0)
        return TV_ENOMEM;
    c.id = tv__strdup(id);
    c.name = tv__strdup(name);
    c.state = dup_or_null(string_member(r, o, "state", 0));
    c.region = dup_or_null(string_member(r, o, "region", 0));
    r->data->companies[r->data->n_companies++] = c;
    return c.id != NULL && c.name != NULL ? 0 : TV_ENOMEM;
}

static int read_investor(reader_t *r, json_t *o)
{
    const char *id = string_member(r, o, "id", 1), *name = string_member(r, o, "name", 1);
    const char *type = string_member(r, o, "type", 0);
    tv_eval_investor_t inv = {0};

    if (type != NULL && strcmp(type, "corporate") != 0 && strcmp(type, "unknown") != 0)
        line_error(r, "type", "expected \"corporate\", \"unknown\" or null");
    map_country(string_member(r, o, "country", 0), inv.country);
    if (r->failed)
        return 0;
    inv.kind = type != NULL && strcmp(type, "corporate") == 0
                   ? tv_taxonomy_find(r->tax, TV_TAXO_INVESTOR_KIND, "cvc")
                   : -1;
    inv.kind = inv.kind >= 0 ? inv.kind : -1;
    if (tv__grow((void **)&r->data->investors, &r->cap, r->data->n_investors + 1, sizeof(inv)) != 0)
        return TV_ENOMEM;
    inv.id = tv__strdup(id);
    inv.name = tv__strdup(name);
    r->data->investors[r->data->n_investors++] = inv;
    return inv.id != NULL && inv.name != NULL ? 0 : TV_ENOMEM;
}

static int compare_company_id(const void *key, const void *item)
{
    return strcmp(key, ((const tv_eval_company_t *)item)->id);
}

static int compare_investor_id(const void *key, const void *item)
{
    return strcmp(key, ((const tv_eval_investor_t *)item)->id);
}

/* The index of the record 'id' names, or -1 after reporting it unknown. */
static long find_record(reader_t *r, json_t *o, const char *field, int companies)
{
    const char *id = string_member(r, o, field, 1);
    const tv_eval_data_t *d = r->data;
    void *hit;

    if (id == NULL)
        return -1;
    hit =
        companies
            ? bsearch(id, d->companies, d->n_companies, sizeof(*d->companies), compare_company_id)
            : bsearch(id, d->investors, d->n_investors, sizeof(*d->investors), compare_investor_id);
    if (hit == NULL) {
        line_hole(r, field, companies ? "no company has this id" : "no investor has this id");
        return -1;
    }
    return companies ? (tv_eval_company_t *)hit - d->companies
                     : (tv_eval_investor_t *)hit - d->investors;
}

/* The round type mapped to a round of the taxonomy (-1: none says it); -2 on error. '*type_out'
 * receives the source's round type as an index of round_types (-1 when not given). */
static int read_round(reader_t *r, json_t *o, int *type_out)
{
    const char *type = string_member(r, o, "round_type", 0);
    const mapping_t *m = find_mapping(round_types, TV__ARRAY_LEN(round_types), type);
    int index;

    *type_out = m != NULL ? (int)(m - round_types) : -1;
    if (type == NULL)
        return -1;
    if (m == NULL) {
        line_error(r, "round_type", "unknown round type");
        return -2;
    }
    index = m->to != NULL ? tv_taxonomy_find(r->tax, TV_TAXO_ROUND, m->to) : -1;
    return index >= 0 ? index : -1;
}

const char *tv_eval_round_type_name(int type)
{
    return type >= 0 && (size_t)type < TV__ARRAY_LEN(round_types) ? round_types[type].from : NULL;
}

static int read_investment(reader_t *r, json_t *o)
{
    long company = find_record(r, o, "company_id", 1),
         investor = find_record(r, o, "investor_id", 0);
    const char *date = string_member(r, o, "funded_at", 0);
    json_t *raised = json_object_get(o, "raised_amount_usd");
    tv_eval_investment_t e = {0};

    e.round = read_round(r, o, &e.round_type);
    if (date == NULL || !tv_calendar_valid_date(date))
        line_hole(r, "funded_at", "no date YYYY-MM-DD");
    if (raised != NULL && !json_is_null(raised) &&
        (!json_is_number(raised) || json_number_value(raised) < 0))
        line_error(r, "raised_amount_usd", "expected a number, 0 or more, or null");
    if (r->failed || r->hole)
        return 0;
    e.company = (uint32_t)company;
    e.investor = (uint32_t)investor;
    e.date = tv_eval_date(date);
    e.raised_eur =
        json_is_number(raised) ? (int64_t)(json_number_value(raised) * EUR_PER_USD) : TV_UNKNOWN;
    if (tv__grow((void **)&r->data->investments, &r->cap, r->data->n_investments + 1, sizeof(e)) !=
        0)
        return TV_ENOMEM;
    if (tv__grow((void **)&r->lines, &r->lines_cap, r->data->n_investments - r->from + 1,
                 sizeof(size_t)) != 0)
        return TV_ENOMEM;
    r->lines[r->data->n_investments - r->from] = r->line;
    r->data->investments[r->data->n_investments++] = e;
    return 0;
}

/* ---- duplicated rows ---- */

/* An investment row with its line and place among the file's rows, to sort. */
typedef struct {
    tv_eval_investment_t row;
    size_t line, at;
} keyed_row_t;

static int compare_rows(const void *x, const void *y)
{
    const keyed_row_t *p = x, *q = y;
    const tv_eval_investment_t *a = &p->row, *b = &q->row;

    if (a->company != b->company)
        return a->company < b->company ? -1 : 1;
    if (a->investor != b->investor)
        return a->investor < b->investor ? -1 : 1;
    if (a->date != b->date)
        return a->date < b->date ? -1 : 1;
    if (a->round_type != b->round_type)
        return a->round_type < b->round_type ? -1 : 1;
    if (a->raised_eur != b->raised_eur)
        return a->raised_eur < b->raised_eur ? -1 : 1;
    return (p->line > q->line) - (p->line < q->line);
}

/* Leaves out (or, strict, reports as errors) each investment row of this file that repeats an
 * earlier one, field by field. */
static int drop_duplicates(reader_t *r)
{
    tv_eval_data_t *d = r->data;
    size_t n = d->n_investments - r->from, kept = r->from, first = 0;
    keyed_row_t *rows = tv__malloc((n + 1) * sizeof(keyed_row_t));
    uint8_t *repeat = tv__calloc(n + 1, 1);

    if (rows == NULL || repeat == NULL) {
        tv__free(rows);
        tv__free(repeat);
        return TV_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        rows[i] = (keyed_row_t){d->investments[r->from + i], r->lines[i], i};
    qsort(rows, n, sizeof(keyed_row_t), compare_rows);
    for (size_t i = 1; i < n; i++) {
        keyed_row_t a = rows[first], b = rows[i];

        b.line = a.line; /* the same row but for its line */
        if (compare_rows(&a, &b) != 0) {
            first = i;
            continue;
        }
        repeat[rows[i].at] = 1;
        tv__diag_add(r->skipped != NULL ? r->skipped : r->diags, rows[i].line, 0, "",
                     "the same row as line %zu", rows[first].line);
    }
    for (size_t i = 0; i < n; i++) {
        if (!repeat[i])
            d->investments[kept++] = d->investments[r->from + i];
    }
    d->n_investments = kept;
    tv__free(rows);
    tv__free(repeat);
    return 0;
}

/* ---- files ---- */

static int compare_companies(const void *a, const void *b)
{
    return strcmp(((const tv_eval_company_t *)a)->id, ((const tv_eval_company_t *)b)->id);
}

static int compare_investors(const void *a, const void *b)
{
    return strcmp(((const tv_eval_investor_t *)a)->id, ((const tv_eval_investor_t *)b)->id);
}

static size_t *count_of(tv_eval_data_t *d, tv_eval_file_t file)
{
    return file == TV_EVAL_COMPANIES   ? &d->n_companies
           : file == TV_EVAL_INVESTORS ? &d->n_investors
                                       : &d->n_investments;
}

/* Drops what a failed file added, from 'from' on. */
static void drop_from(tv_eval_data_t *d, tv_eval_file_t file, size_t from)
{
    for (size_t i = from; file == TV_EVAL_COMPANIES && i < d->n_companies; i++) {
        tv__free(d->companies[i].id);
        tv__free(d->companies[i].name);
        tv__free(d->companies[i].state);
        tv__free(d->companies[i].region);
    }
    for (size_t i = from; file == TV_EVAL_INVESTORS && i < d->n_investors; i++) {
        tv__free(d->investors[i].id);
        tv__free(d->investors[i].name);
    }
    *count_of(d, file) = from;
}

/* Sorts companies or investors by id and reports an id given twice. */
static void sort_and_check(reader_t *r, tv_eval_file_t file)
{
    tv_eval_data_t *d = r->data;

    if (file == TV_EVAL_COMPANIES) {
        qsort(d->companies, d->n_companies, sizeof(*d->companies), compare_companies);
        for (size_t i = 1; i < d->n_companies; i++) {
            if (strcmp(d->companies[i - 1].id, d->companies[i].id) == 0)
                tv__diag_add(r->diags, 0, 0, "id", "company id \"%s\" is given twice",
                             d->companies[i].id);
        }
    } else if (file == TV_EVAL_INVESTORS) {
        qsort(d->investors, d->n_investors, sizeof(*d->investors), compare_investors);
        for (size_t i = 1; i < d->n_investors; i++) {
            if (strcmp(d->investors[i - 1].id, d->investors[i].id) == 0)
                tv__diag_add(r->diags, 0, 0, "id", "investor id \"%s\" is given twice",
                             d->investors[i].id);
        }
    }
}

int tv_eval_data_add(const tv_taxonomy_t *t, tv_eval_file_t file, const char *text, size_t len,
                     tv_eval_data_t *data, tv_diags_t *diags, tv_diags_t *skipped)
{
    reader_t r = {.tax = t,
                  .data = data,
                  .diags = diags,
                  .skipped = skipped,
                  .cap = *count_of(data, file),
                  .from = *count_of(data, file)};
    size_t from = r.from, errors = diags->n;
    const char *p = text, *end = text + len;
    int rc = 0;

    while (p < end && rc == 0) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)((nl != NULL ? nl : end) - p);
        json_error_t err;
        json_t *o;

        r.line++;
        r.failed = 0;
        r.hole = 0;
        if (n > 0) {
            o = json_loadb(p, n, JSON_REJECT_DUPLICATES, &err);
            if (!json_is_object(o))
                line_error(&r, NULL, o == NULL ? err.text : "expected a JSON object");
            else
                rc = file == TV_EVAL_COMPANIES   ? read_company(&r, o)
                     : file == TV_EVAL_INVESTORS ? read_investor(&r, o)
                                                 : read_investment(&r, o);
            json_decref(o);
        }
        p += n + 1;
    }
    if (rc == 0)
        sort_and_check(&r, file);
    if (rc == 0 && file == TV_EVAL_INVESTMENTS)
        rc = drop_duplicates(&r);
    tv__free(r.lines);
    if (rc == 0 && diags->n > errors)
        rc = TV_EPARSE;
    if (rc != 0)
        drop_from(data, file, from);
    return rc;
}

void tv_eval_data_dispose(tv_eval_data_t *data)
{
    drop_from(data, TV_EVAL_COMPANIES, 0);
    drop_from(data, TV_EVAL_INVESTORS, 0);
    tv__free(data->companies);
    tv__free(data->investors);
    tv__free(data->investments);
    memset(data, 0, sizeof(*data));
}

int32_t tv_eval_date(const char *s)
{
    return (int32_t)(atoi(s) * 10000 + atoi(s + 5) * 100 + atoi(s + 8));
}
