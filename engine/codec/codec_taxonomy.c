/* Parsing and checking of taxonomy.json, the one file that holds tavolo's vocabulary. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_internal.h"
#include "core/internal.h"

#define ORDER_MAX 1000                 /* stage and round orders; their differences stay small */
#define EUR_MAX INT64_C(1000000000000) /* as for the profiles' amounts */

typedef struct {
    tv_taxonomy_t *tax;
    tv_diags_t *diags;
    int failed;
    int oom;
} parse_ctx_t;

static void fail(parse_ctx_t *ctx, const char *path, const char *msg)
{
    ctx->failed = 1;
    if (ctx->diags != NULL && tv__diag_add(ctx->diags, 0, 0, path, "%s", msg) != 0)
        ctx->oom = 1;
}

static char *dup_string(parse_ctx_t *ctx, json_t *v, const char *path, int required)
{
    char *s;

    if (v == NULL && !required)
        return NULL;
    if (!json_is_string(v) || json_string_length(v) == 0) {
        fail(ctx, path, "expected a non-empty string");
        return NULL;
    }
    s = tv__strdup(json_string_value(v));
    if (s == NULL)
        ctx->oom = 1;
    return s;
}

static void read_strings(parse_ctx_t *ctx, json_t *v, const char *path, tv_strings_t *out)
{
    size_t n = json_array_size(v);

    if (v == NULL)
        return;
    if (!json_is_array(v)) {
        fail(ctx, path, "expected an array of strings");
        return;
    }
    out->items = tv__calloc(n, sizeof(char *));
    if (out->items == NULL) {
        ctx->oom = 1;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char item[192];
        char *s;

        snprintf(item, sizeof(item), "%s[%zu]", path, i);
        s = dup_string(ctx, json_array_get(v, i), item, 1);
        if (s != NULL)
            out->items[out->n++] = s;
    }
}

/* Reads an integer from 'min' to 'max'; 0 when it is not one. */
static int64_t get_int(parse_ctx_t *ctx, json_t *v, const char *path, int64_t min, int64_t max)
{
    char msg[96];

    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        snprintf(msg, sizeof(msg), "expected an integer from %" PRId64 " to %" PRId64, min, max);
        fail(ctx, path, msg);
        return 0;
    }
    return (int64_t)json_integer_value(v);
}

/* Two capital letters: the form of an ISO 3166-1 alpha-2 code. */
static int country_form(const char *s)
{
    return s != NULL && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' && s[2] == '\0';
}

/* A round's typical size: [minimum, maximum] in whole euros. */
static void read_typical(parse_ctx_t *ctx, json_t *v, const char *path, tv_taxo_entry_t *e)
{
    json_t *lo = json_array_get(v, 0), *hi = json_array_get(v, 1);

    if (json_array_size(v) != 2 || !json_is_integer(lo) || !json_is_integer(hi) ||
        json_integer_value(lo) < 0 || json_integer_value(hi) > EUR_MAX ||
        json_integer_value(lo) > json_integer_value(hi)) {
        fail(ctx, path,
             "expected [minimum, maximum]: two whole euro amounts, minimum then maximum");
        return;
    }
    e->typical_min_eur = (int64_t)json_integer_value(lo);
    e->typical_max_eur = (int64_t)json_integer_value(hi);
}

static tv_track_t parse_track(parse_ctx_t *ctx, json_t *v, const char *path)
{
    const char *s = json_string_value(v);

    if (s != NULL && strcmp(s, "medicine") == 0)
        return TV_TRACK_MEDICINE;
    if (s != NULL && strcmp(s, "industrial") == 0)
        return TV_TRACK_INDUSTRIAL;
    fail(ctx, path, "expected \"medicine\" or \"industrial\"");
    return TV_TRACK_NONE;
}

/* Reads the fields that only some kinds have. */
static void read_kind_fields(parse_ctx_t *ctx, tv_taxo_kind_t kind, json_t *o, const char *path,
                             tv_taxo_entry_t *e)
{
    char p[160];

    snprintf(p, sizeof(p), "%s.track", path);
    if (kind == TV_TAXO_STAGE || (kind == TV_TAXO_AREA && json_object_get(o, "track") != NULL))
        e->track = parse_track(ctx, json_object_get(o, "track"), p);
    snprintf(p, sizeof(p), "%s.order", path);
    if (kind == TV_TAXO_STAGE || kind == TV_TAXO_ROUND)
        e->order = (int)get_int(ctx, json_object_get(o, "order"), p, 0, ORDER_MAX);
    snprintf(p, sizeof(p), "%s.typical_eur", path);
    if (kind == TV_TAXO_ROUND)
        read_typical(ctx, json_object_get(o, "typical_eur"), p, e);
    snprintf(p, sizeof(p), "%s.countries", path);
    if (kind == TV_TAXO_REGION)
        read_strings(ctx, json_object_get(o, "countries"), p, &e->countries);
    if (kind == TV_TAXO_EVENT) {
        const char *c = json_string_value(json_object_get(o, "country"));

        snprintf(p, sizeof(p), "%s.city", path);
        e->city = dup_string(ctx, json_object_get(o, "city"), p, 1);
        snprintf(p, sizeof(p), "%s.country", path);
        if (!country_form(c))
            fail(ctx, p, "expected an ISO 3166-1 alpha-2 code");
        else
            memcpy(e->country, c, 3);
        snprintf(p, sizeof(p), "%s.month", path);
        e->month = (int)get_int(ctx, json_object_get(o, "month"), p, 1, 12);
    }
}

static void read_entry(parse_ctx_t *ctx, tv_taxo_kind_t kind, json_t *o, const char *path,
                       tv_taxo_entry_t *e)
{
    json_t *label = json_object_get(o, "label"), *syn = json_object_get(o, "synonyms");
    char p[160];

    e->parent = -1;
    e->area = -1;
    e->track = TV_TRACK_NONE;
    e->order = -1;
    if (!json_is_object(o)) {
        fail(ctx, path, "expected an object");
        return;
    }
    snprintf(p, sizeof(p), "%s.id", path);
    e->id = dup_string(ctx, json_object_get(o, "id"), p, 1);
    snprintf(p, sizeof(p), "%s.label.it", path);
    e->label_it = dup_string(ctx, json_object_get(label, "it"), p, 1);
    snprintf(p, sizeof(p), "%s.label.en", path);
    e->label_en = dup_string(ctx, json_object_get(label, "en"), p, 1);
    snprintf(p, sizeof(p), "%s.synonyms.it", path);
    read_strings(ctx, json_object_get(syn, "it"), p, &e->synonyms_it);
    snprintf(p, sizeof(p), "%s.synonyms.en", path);
    read_strings(ctx, json_object_get(syn, "en"), p, &e->synonyms_en);
    read_kind_fields(ctx, kind, o, path, e);
}

/* Resolves "parent" and "area" references once every entry of the kind is read. */
static void resolve_refs(parse_ctx_t *ctx, tv_taxo_kind_t kind, json_t *arr)
{
    tv__taxo_list_t *l = &ctx->tax->lists[kind];
    char p[160];

    for (size_t i = 0; i < l->n; i++) {
        json_t *o = json_array_get(arr, i);
        const char *parent = json_string_value(json_object_get(o, "parent"));
        const char *area = json_string_value(json_object_get(o, "area"));

        snprintf(p, sizeof(p), "%s[%zu]", tv_taxonomy_kind_key(kind), i);
        for (size_t j = 0; j < i && l->items[i].id != NULL; j++) {
            if (l->items[j].id != NULL && strcmp(l->items[j].id, l->items[i].id) == 0)
                fail(ctx, p, "repeats an id");
        }
        if (parent != NULL) {
            l->items[i].parent = tv_taxonomy_find(ctx->tax, kind, parent);
            if (l->items[i].parent < 0 || (size_t)l->items[i].parent == i)
                fail(ctx, p, "parent is not an id of the same list");
        }
        if (area != NULL) {
            l->items[i].area = tv_taxonomy_find(ctx->tax, TV_TAXO_AREA, area);
            if (l->items[i].area < 0)
                fail(ctx, p, "area is not an id of \"areas\"");
        }
    }
}

/* Rejects parent cycles and lets children inherit their root's area. */
static void check_tree(parse_ctx_t *ctx, tv_taxo_kind_t kind)
{
    tv__taxo_list_t *l = &ctx->tax->lists[kind];

    for (size_t i = 0; i < l->n && !ctx->failed; i++) {
        size_t steps = 0;
        int at = (int)i;

        while (at >= 0 && steps++ <= l->n)
            at = l->items[at].parent;
        if (at >= 0) {
            fail(ctx, tv_taxonomy_kind_key(kind), "parents form a cycle");
            return;
        }
        if (l->items[i].area < 0)
            l->items[i].area = l->items[tv_taxonomy_root(ctx->tax, kind, i)].area;
    }
}

static void parse_list(parse_ctx_t *ctx, tv_taxo_kind_t kind, json_t *arr)
{
    tv__taxo_list_t *l = &ctx->tax->lists[kind];
    size_t n = json_array_size(arr);
    char p[160];

    if (!json_is_array(arr) || n == 0 || n > UINT16_MAX) {
        fail(ctx, tv_taxonomy_kind_key(kind), "expected a non-empty array of terms");
        return;
    }
    l->items = tv__calloc(n, sizeof(tv_taxo_entry_t));
    if (l->items == NULL) {
        ctx->oom = 1;
        return;
    }
    l->n = n;
    for (size_t i = 0; i < n && !ctx->oom; i++) {
        snprintf(p, sizeof(p), "%s[%zu]", tv_taxonomy_kind_key(kind), i);
        read_entry(ctx, kind, json_array_get(arr, i), p, &l->items[i]);
    }
    if (!ctx->failed && !ctx->oom)
        resolve_refs(ctx, kind, arr);
    if (!ctx->failed && !ctx->oom)
        check_tree(ctx, kind);
}

static int compare_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct {
    const char *code;
    size_t index;
} code_at_t;

static int compare_code_at(const void *a, const void *b)
{
    const code_at_t *x = a, *y = b;
    int c = strcmp(x->code, y->code);

    return c != 0 ? c : (x->index > y->index) - (x->index < y->index);
}

/* Checks the country codes (two capital letters, each once), then sorts them for
 * tv_taxonomy_has_country. */
static void check_countries(parse_ctx_t *ctx)
{
    tv_strings_t *c = &ctx->tax->countries;
    code_at_t *order;
    char p[48];

    if (c->n == 0)
        return; /* reported by the caller; c->items may be NULL */
    order = tv__calloc(c->n, sizeof(*order));
    if (order == NULL) {
        ctx->oom = 1;
        return;
    }
    for (size_t i = 0; i < c->n; i++) {
        order[i] = (code_at_t){c->items[i], i};
        snprintf(p, sizeof(p), "countries[%zu]", i);
        if (!country_form(c->items[i]))
            fail(ctx, p, "expected two capital letters (an ISO 3166-1 alpha-2 code)");
    }
    qsort(order, c->n, sizeof(*order), compare_code_at);
    for (size_t i = 1; i < c->n; i++) {
        snprintf(p, sizeof(p), "countries[%zu]", order[i].index);
        if (strcmp(order[i - 1].code, order[i].code) == 0)
            fail(ctx, p, "repeats a country code");
    }
    tv__free(order);
    qsort(c->items, c->n, sizeof(char *), compare_str);
}

/* Every country an event or a region names must be one of "countries". */
static void check_country_refs(parse_ctx_t *ctx)
{
    const tv__taxo_list_t *ev = &ctx->tax->lists[TV_TAXO_EVENT];
    const tv__taxo_list_t *re = &ctx->tax->lists[TV_TAXO_REGION];
    char p[96];

    for (size_t i = 0; i < ev->n; i++) {
        snprintf(p, sizeof(p), "events[%zu].country", i);
        if (!tv_taxonomy_has_country(ctx->tax, ev->items[i].country))
            fail(ctx, p, "is not one of \"countries\"");
    }
    for (size_t i = 0; i < re->n; i++) {
        for (size_t k = 0; k < re->items[i].countries.n; k++) {
            snprintf(p, sizeof(p), "regions[%zu].countries[%zu]", i, k);
            if (!tv_taxonomy_has_country(ctx->tax, re->items[i].countries.items[k]))
                fail(ctx, p, "is not one of \"countries\"");
        }
    }
}

int tv_codec_taxonomy_parse(const char *json, size_t len, tv_taxonomy_t **out, tv_diags_t *diags)
{
    parse_ctx_t ctx = {NULL, diags, 0, 0};
    json_error_t err;
    char path[160];
    json_t *root = tv__json_load(json, len, 0, &err, path, sizeof(path));
    int rc = TV_ENOMEM;

    if (root == NULL && json_error_code(&err) == json_error_numeric_overflow) {
        fail(&ctx, path, TV__NUMBER_RANGE_MESSAGE);
        return ctx.oom ? TV_ENOMEM : TV_EINVAL;
    }
    if (root == NULL) {
        if (diags != NULL)
            tv__diag_add(diags, (size_t)err.line, 0, NULL, "malformed JSON: %s", err.text);
        return TV_EPARSE;
    }
    ctx.tax = tv__calloc(1, sizeof(tv_taxonomy_t));
    if (ctx.tax == NULL)
        goto out;
    for (int k = 0; k < TV_TAXO_KIND_COUNT && !ctx.oom; k++)
        parse_list(&ctx, (tv_taxo_kind_t)k, json_object_get(root, tv_taxonomy_kind_key(k)));
    read_strings(&ctx, json_object_get(root, "countries"), "countries", &ctx.tax->countries);
    read_strings(&ctx, json_object_get(json_object_get(root, "stopwords"), "it"), "stopwords.it",
                 &ctx.tax->stopwords[TV_LANG_IT]);
    read_strings(&ctx, json_object_get(json_object_get(root, "stopwords"), "en"), "stopwords.en",
                 &ctx.tax->stopwords[TV_LANG_EN]);
    if (ctx.tax->countries.n == 0)
        fail(&ctx, "countries", "expected a non-empty array of ISO 3166-1 alpha-2 codes");
    if (!ctx.oom)
        check_countries(&ctx);
    if (!ctx.failed && !ctx.oom)
        check_country_refs(&ctx);
    if (ctx.oom)
        goto out;
    rc = TV_EINVAL;
    if (ctx.failed)
        goto out;
    *out = ctx.tax;
    ctx.tax = NULL;
    rc = 0;
out:
    tv_taxonomy_destroy(ctx.tax);
    json_decref(root);
    return rc;
}
