/* The profile codec: field tables for companies and investors, and the table-driven
 * decoding (with validation) and canonical encoding built on them. */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_internal.h"
#include "core/internal.h"

#define ID_MAX 64
/* Text limits count characters (Unicode code points), as JSON Schema's maxLength does. */
#define NAME_MAX_CHARS 200
#define CITY_MAX_CHARS 100
#define TEXT_MAX_CHARS 8000
#define EUR_MAX INT64_C(1000000000000)
#define PATENTS_MAX 100000
#define PORTFOLIO_MAX 1000
#define CONTACTS_MAX 20
#define EMAIL_MAX 254

#define FIELD(s, m) .name = #m, .offset = offsetof(s, m)

/* ---- field tables ---- */

static void holding_init(void *rec)
{
    tv_holding_t *h = rec;

    memset(h, 0, sizeof(*h));
    h->stage = -1;
    h->round = -1;
    h->year = TV_UNKNOWN;
    h->raise_eur = TV_UNKNOWN;
}

static const tv__field_t wants_fields[] = {
    {FIELD(tv_wants_t, investor_kinds), .type = FT_TERMS, .taxo = TV_TAXO_INVESTOR_KIND,
     .doc = "Investor kinds the company wants to meet."},
    {FIELD(tv_wants_t, regions), .type = FT_TERMS, .taxo = TV_TAXO_REGION,
     .doc = "Regions its investors should come from."},
    {FIELD(tv_wants_t, lead), .type = FT_BOOL, .doc = "Whether it looks for a lead investor."},
};
static const tv__record_desc_t wants_desc = {
    "wants", wants_fields, TV__ARRAY_LEN(wants_fields), sizeof(tv_wants_t), NULL, NULL};

static void contact_init(void *rec)
{
    memset(rec, 0, sizeof(tv_contact_t));
}

static const tv__field_t contact_fields[] = {
    {FIELD(tv_contact_t, name), .type = FT_STRING, .max = NAME_MAX_CHARS},
    {FIELD(tv_contact_t, email), .type = FT_EMAIL, .required = 1, .max = EMAIL_MAX},
    {FIELD(tv_contact_t, language), .type = FT_LANGUAGE,
     .doc = "Language of the digest; the profile's language when absent, else English."},
};
static const tv__record_desc_t contact_desc = {
    "contact", contact_fields, TV__ARRAY_LEN(contact_fields), sizeof(tv_contact_t), contact_init,
    NULL};

static const tv__field_t company_fields[] = {
    {FIELD(tv_company_t, id), .type = FT_ID, .required = 1, .max = ID_MAX,
     .doc = "External id, unique among companies."},
    {FIELD(tv_company_t, name), .type = FT_STRING, .required = 1, .max = NAME_MAX_CHARS},
    {FIELD(tv_company_t, area), .type = FT_TERM, .taxo = TV_TAXO_AREA},
    {FIELD(tv_company_t, hq_country), .type = FT_COUNTRY,
     .doc = "Country of the registered office and headquarters."},
    {FIELD(tv_company_t, hq_region), .type = FT_TERM, .taxo = TV_TAXO_IT_REGION,
     .doc = "Italian region of the headquarters."},
    {FIELD(tv_company_t, subdivision), .type = FT_STRING, .max = CITY_MAX_CHARS,
     .doc = "State, province or region of the headquarters, in any country (\"CA\", "
            "\"Bayern\"); an Italian company's hq_region stands in when absent."},
    {FIELD(tv_company_t, city), .type = FT_STRING, .max = CITY_MAX_CHARS},
    {FIELD(tv_company_t, rd_share_italy), .type = FT_RATIO,
     .doc = "Share of the R&D carried out in Italy."},
    {FIELD(tv_company_t, rd_spend_eur), .type = FT_INT, .max = EUR_MAX,
     .doc = "R&D spend, whole euros a year."},
    {FIELD(tv_company_t, grants_eur), .type = FT_INT, .max = EUR_MAX,
     .doc = "EU Commission project and international grant funding, whole euros a year."},
    {FIELD(tv_company_t, commercial), .type = FT_BOOL, .doc = "In the commercial phase."},
    {FIELD(tv_company_t, patents_owned), .type = FT_INT, .max = PATENTS_MAX},
    {FIELD(tv_company_t, patents_licensed), .type = FT_INT, .max = PATENTS_MAX},
    {FIELD(tv_company_t, pathologies), .type = FT_TERMS, .taxo = TV_TAXO_PATHOLOGY},
    {FIELD(tv_company_t, technologies), .type = FT_TERMS, .taxo = TV_TAXO_TECHNOLOGY},
    {FIELD(tv_company_t, priorities), .type = FT_TERMS, .taxo = TV_TAXO_PRIORITY},
    {FIELD(tv_company_t, stage), .type = FT_TERM, .taxo = TV_TAXO_STAGE},
    {FIELD(tv_company_t, round), .type = FT_TERM, .taxo = TV_TAXO_ROUND,
     .doc = "The round being raised."},
    {FIELD(tv_company_t, raise_eur), .type = FT_INT, .max = EUR_MAX,
     .doc = "Amount sought, whole euros."},
    {FIELD(tv_company_t, description), .type = FT_STRING, .max = TEXT_MAX_CHARS},
    {FIELD(tv_company_t, language), .type = FT_LANGUAGE},
    {FIELD(tv_company_t, wants), .type = FT_OBJECT, .sub = &wants_desc},
    {FIELD(tv_company_t, founded), .type = FT_INT, .min = 1800, .max = 2100,
     .doc = "Year founded."},
    {FIELD(tv_company_t, investors), .type = FT_IDS, .max = PORTFOLIO_MAX,
     .doc = "Ids of the investors that already backed the company."},
    {FIELD(tv_company_t, contacts), .type = FT_ARRAY, .sub = &contact_desc,
     .count_offset = offsetof(tv_company_t, contacts_n), .max = CONTACTS_MAX,
     .doc = "Who receives the daily digest."},
};

static void company_init(void *rec)
{
    tv_company_init(rec);
}

static void company_dispose(void *rec)
{
    tv_company_dispose(rec);
}

const tv__record_desc_t tv__company_desc = {
    "company",    company_fields, TV__ARRAY_LEN(company_fields), sizeof(tv_company_t),
    company_init, company_dispose};

static const tv__field_t holding_fields[] = {
    {FIELD(tv_holding_t, name), .type = FT_STRING, .required = 1, .max = NAME_MAX_CHARS},
    {FIELD(tv_holding_t, pathologies), .type = FT_TERMS, .taxo = TV_TAXO_PATHOLOGY},
    {FIELD(tv_holding_t, technologies), .type = FT_TERMS, .taxo = TV_TAXO_TECHNOLOGY},
    {FIELD(tv_holding_t, stage), .type = FT_TERM, .taxo = TV_TAXO_STAGE},
    {FIELD(tv_holding_t, round), .type = FT_TERM, .taxo = TV_TAXO_ROUND},
    {FIELD(tv_holding_t, year), .type = FT_INT, .min = 1950, .max = 2100,
     .doc = "The latest year the investor put money in."},
    {FIELD(tv_holding_t, country), .type = FT_COUNTRY},
    {FIELD(tv_holding_t, subdivision), .type = FT_STRING, .max = CITY_MAX_CHARS,
     .doc = "State, province or region of the holding."},
    {FIELD(tv_holding_t, city), .type = FT_STRING, .max = CITY_MAX_CHARS,
     .doc = "City or metro area of the holding."},
    {FIELD(tv_holding_t, raise_eur), .type = FT_INT, .max = EUR_MAX,
     .doc = "Size of the round the investor joined, whole euros."},
    {FIELD(tv_holding_t, description), .type = FT_STRING, .max = TEXT_MAX_CHARS},
};
static const tv__record_desc_t holding_desc = {
    "holding", holding_fields, TV__ARRAY_LEN(holding_fields), sizeof(tv_holding_t), holding_init,
    NULL};

static const tv__field_t investor_fields[] = {
    {FIELD(tv_investor_t, id), .type = FT_ID, .required = 1, .max = ID_MAX,
     .doc = "External id, unique among investors."},
    {FIELD(tv_investor_t, name), .type = FT_STRING, .required = 1, .max = NAME_MAX_CHARS},
    {FIELD(tv_investor_t, kind), .type = FT_TERM, .taxo = TV_TAXO_INVESTOR_KIND},
    {FIELD(tv_investor_t, country), .type = FT_COUNTRY},
    {FIELD(tv_investor_t, regions), .type = FT_TERMS, .taxo = TV_TAXO_REGION,
     .doc = "Where it invests."},
    {FIELD(tv_investor_t, pathologies), .type = FT_TERMS, .taxo = TV_TAXO_PATHOLOGY},
    {FIELD(tv_investor_t, technologies), .type = FT_TERMS, .taxo = TV_TAXO_TECHNOLOGY},
    {FIELD(tv_investor_t, priorities), .type = FT_TERMS, .taxo = TV_TAXO_PRIORITY},
    {FIELD(tv_investor_t, stages), .type = FT_TERMS, .taxo = TV_TAXO_STAGE},
    {FIELD(tv_investor_t, rounds), .type = FT_TERMS, .taxo = TV_TAXO_ROUND},
    {FIELD(tv_investor_t, ticket_min_eur), .type = FT_INT, .max = EUR_MAX},
    {FIELD(tv_investor_t, ticket_max_eur), .type = FT_INT, .max = EUR_MAX},
    {FIELD(tv_investor_t, leads), .type = FT_BOOL, .doc = "Whether it leads rounds."},
    {FIELD(tv_investor_t, horizon_years), .type = FT_INT, .min = 1, .max = 50},
    {FIELD(tv_investor_t, thesis), .type = FT_STRING, .max = TEXT_MAX_CHARS},
    {FIELD(tv_investor_t, language), .type = FT_LANGUAGE},
    {FIELD(tv_investor_t, active), .type = FT_BOOL},
    {FIELD(tv_investor_t, portfolio), .type = FT_ARRAY, .sub = &holding_desc,
     .count_offset = offsetof(tv_investor_t, portfolio_n), .max = PORTFOLIO_MAX},
    {FIELD(tv_investor_t, contacts), .type = FT_ARRAY, .sub = &contact_desc,
     .count_offset = offsetof(tv_investor_t, contacts_n), .max = CONTACTS_MAX,
     .doc = "Who receives the daily digest."},
};

static void investor_init(void *rec)
{
    tv_investor_init(rec);
}

static void investor_dispose(void *rec)
{
    tv_investor_dispose(rec);
}

const tv__record_desc_t tv__investor_desc = {
    "investor",    investor_fields, TV__ARRAY_LEN(investor_fields), sizeof(tv_investor_t),
    investor_init, investor_dispose};

/* ---- diagnostics ---- */

int tv__diag_add(tv_diags_t *d, size_t record, int is_index, const char *field, const char *fmt,
                 ...)
{
    char msg[512];
    tv_diag_t *x;
    va_list ap;

    va_start(ap, fmt);
    if (vsnprintf(msg, sizeof(msg), fmt, ap) >= (int)sizeof(msg))
        msg[tv__utf8_prefix(msg, strlen(msg))] = '\0'; /* never half a character */
    va_end(ap);
    if (tv__grow((void **)&d->items, &d->cap, d->n + 1, sizeof(*d->items)) != 0)
        return TV_ENOMEM;
    x = &d->items[d->n];
    x->record = record;
    x->is_index = is_index;
    x->field = tv__strdup(field != NULL ? field : "");
    x->message = tv__strdup(msg);
    if (x->field == NULL || x->message == NULL) {
        tv__free(x->field);
        tv__free(x->message);
        return TV_ENOMEM;
    }
    d->n++;
    return 0;
}

void tv_diags_dispose(tv_diags_t *d)
{
    for (size_t i = 0; i < d->n; i++) {
        tv__free(d->items[i].field);
        tv__free(d->items[i].message);
    }
    tv__free(d->items);
    memset(d, 0, sizeof(*d));
}

void tv_docs_dispose(tv_docs_t *d)
{
    for (size_t i = 0; i < d->n; i++) {
        tv__free(d->items[i].id);
        free(d->items[i].json);
    }
    tv__free(d->items);
    memset(d, 0, sizeof(*d));
}

int tv_diag_format(const tv_diag_t *d, const char *file, char *buf, size_t size)
{
    const char *sep = d->field[0] != '\0' ? ": " : "";
    int n;

    if (d->is_index)
        n = snprintf(buf, size, "%s[%zu]: %s%s%s", file, d->record, d->field, sep, d->message);
    else if (d->record == 0) /* the document as a whole: an event file, a single record */
        n = snprintf(buf, size, "%s: %s%s%s", file, d->field, sep, d->message);
    else
        n = snprintf(buf, size, "%s:%zu: %s%s%s", file, d->record, d->field, sep, d->message);
    if (n >= 0 && (size_t)n >= size && size > 0)
        buf[tv__utf8_prefix(buf, size - 1)] = '\0';
    return n;
}

/* ---- JSON text ---- */

size_t tv__utf8_prefix(const char *s, size_t n)
{
    size_t lead = n;
    unsigned char c;

    while (lead > 0 && n - lead < 4 && ((unsigned char)s[lead - 1] & 0xC0) == 0x80)
        lead--;
    if (lead == 0 || (unsigned char)s[lead - 1] < 0xC0)
        return n; /* ends in ASCII, or is not UTF-8 this can mend */
    c = (unsigned char)s[lead - 1];
    return n - (lead - 1) >= (size_t)(c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2) ? n : lead - 1;
}

#define SCAN_DEPTH 16
#define SCAN_KEY_MAX 128

/* Where scanning stands in one open object or array. */
typedef struct {
    int is_object;
    const char *key; /* the current member's key as written, without quotes; NULL if none */
    size_t key_len;
    size_t index; /* the current element of an array */
} scan_level_t;

/* Follows JSON text[0, end), which jansson has read as valid before failing at 'end', and
 * records the member or element each open container stands at. Only strings, brackets, commas
 * and colons matter. Returns the depth at 'end'; levels past SCAN_DEPTH are not recorded. */
static size_t scan_levels(const char *text, size_t end, scan_level_t *lv)
{
    const char *str = NULL;
    size_t str_len = 0, depth = 0;

    for (size_t i = 0; i < end; i++) {
        scan_level_t *top = depth > 0 && depth <= SCAN_DEPTH ? &lv[depth - 1] : NULL;
        char c = text[i];

        if (c == '"') {
            str = text + i + 1;
            for (i++; i < end && text[i] != '"'; i++)
                i += text[i] == '\\'; /* an escape: skip the character it escapes */
            str_len = (size_t)(text + (i < end ? i : end) - str);
        } else if (c == '{' || c == '[') {
            if (depth < SCAN_DEPTH)
                lv[depth] = (scan_level_t){c == '{', NULL, 0, 0};
            depth++;
        } else if ((c == '}' || c == ']') && depth > 0) {
            depth--;
        } else if (c == ':' && top != NULL) {
            top->key = str;
            top->key_len = tv__utf8_prefix(str, str_len < SCAN_KEY_MAX ? str_len : SCAN_KEY_MAX);
        } else if (c == ',' && top != NULL) {
            top->index++;
            top->key = NULL;
        }
    }
    return depth;
}

/* Writes the path of the recorded levels: "portfolio[1].raise_eur", "[3].name". */
static void levels_path(const scan_level_t *lv, size_t depth, char *buf, size_t size)
{
    size_t o = 0;

    buf[0] = '\0';
    for (size_t d = 0; d < depth && d < SCAN_DEPTH && o < size; d++) {
        int n = 0;

        if (!lv[d].is_object)
            n = snprintf(buf + o, size - o, "[%zu]", lv[d].index);
        else if (lv[d].key != NULL)
            n = snprintf(buf + o, size - o, "%s%.*s", o > 0 ? "." : "", (int)lv[d].key_len,
                         lv[d].key);
        if (n < 0 || (size_t)n >= size - o) {
            buf[tv__utf8_prefix(buf, strlen(buf))] = '\0';
            return;
        }
        o += (size_t)n;
    }
}

json_t *tv__json_load(const char *text, size_t len, size_t flags, json_error_t *err, char *path,
                      size_t size)
{
    json_t *v = json_loadb(text, len, flags | JSON_REJECT_DUPLICATES, err);
    scan_level_t lv[SCAN_DEPTH];
    size_t end;

    if (path == NULL || size == 0)
        return v;
    path[0] = '\0';
    if (v == NULL && json_error_code(err) == json_error_numeric_overflow) {
        end = err->position > 0 && (size_t)err->position <= len ? (size_t)err->position : 0;
        levels_path(lv, scan_levels(text, end, lv), path, size);
    }
    return v;
}

/* ---- decoding ---- */

typedef struct {
    const tv_taxonomy_t *tax;
    tv_diags_t *diags;
    size_t record;
    int is_index;
    int failed;
    int oom;
    size_t problems;
} decode_ctx_t;

/* Problems listed per record: a body of 100,000 bad ids gets the first ones and a count, not
 * a reply 100,000 entries long. */
#define PROBLEMS_MAX 50

static const char *const term_nouns[TV_TAXO_KIND_COUNT] = {
    "area",  "pathology",     "technology", "priority",       "stage",
    "round", "investor kind", "region",     "Italian region", "event",
};

static void report(decode_ctx_t *ctx, const char *path, const char *fmt, const char *got)
{
    ctx->failed = 1;
    if (++ctx->problems > PROBLEMS_MAX)
        return;
    if (tv__diag_add(ctx->diags, ctx->record, ctx->is_index, path, fmt, got) != 0)
        ctx->oom = 1;
}

/* Renders 'v' as short JSON for a message: "lots", 12.5, [...]. */
static void describe(const json_t *v, char *buf, size_t size)
{
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

    if (s == NULL) {
        snprintf(buf, size, "a value");
        return;
    }
    if (strlen(s) > 48)
        snprintf(buf, size, "%.*s...", (int)tv__utf8_prefix(s, 45), s);
    else
        snprintf(buf, size, "%s", s);
    free(s);
}

static void report_value(decode_ctx_t *ctx, const char *path, const char *expected, const json_t *v)
{
    char got[64];
    char fmt[256];

    describe(v, got, sizeof(got));
    snprintf(fmt, sizeof(fmt), "expected %s, got %%s", expected);
    report(ctx, path, fmt, got);
}

/* A string holding "\u0000" (the loaders let it through) is refused here, by its field: C
 * strings and PostgreSQL text end at a NUL. Returns 1 when 'v' is not such a string. */
static int nul_free(decode_ctx_t *ctx, const char *path, const json_t *v)
{
    if (!json_is_string(v) || memchr(json_string_value(v), '\0', json_string_length(v)) == NULL)
        return 1;
    report(ctx, path, "contains a NUL character%s", "");
    return 0;
}

static int id_char(int c)
{
    return isalnum(c) || c == '.' || c == '_' || c == ':' || c == '/' || c == '-';
}

/* Counts code points, as JSON Schema's maxLength does. jansson has checked the encoding. */
static int64_t utf8_length(const char *s, size_t n)
{
    int64_t count = 0;

    for (size_t i = 0; i < n; i++)
        count += ((unsigned char)s[i] & 0xC0) != 0x80;
    return count;
}

static int decode_string(decode_ctx_t *ctx, const tv__field_t *f, const char *path, json_t *v,
                         char **dst)
{
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    int non_empty = f->required || f->type == FT_ID; /* an id is never empty, even optional */
    char expected[96];

    if (!nul_free(ctx, path, v))
        return 0;
    if (!json_is_string(v) || (non_empty && n == 0)) {
        report_value(ctx, path, non_empty ? "a non-empty string" : "a string", v);
        return 0;
    }
    if (utf8_length(s, n) > f->max) {
        snprintf(expected, sizeof(expected), "a string of at most %" PRId64 " characters", f->max);
        report_value(ctx, path, expected, v);
        return 0;
    }
    if (f->type == FT_ID) {
        for (size_t i = 0; i < n; i++) {
            if (!id_char((unsigned char)s[i])) {
                report_value(ctx, path, "an id of letters, digits and . _ : / -", v);
                return 0;
            }
        }
    }
    *dst = tv__strndup(s, n);
    if (*dst == NULL)
        ctx->oom = 1;
    return 0;
}

static int email_local_char(int c)
{
    return isalnum(c) || (c != '\0' && strchr(".!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

/* local@label.label...: the pattern the JSON Schema states, EMAIL_PATTERN in codec_schema.c. */
int tv__email_valid(const char *s)
{
    const char *at = strchr(s, '@');
    size_t labels = 0, len = 0;

    if (at == NULL || at == s)
        return 0;
    for (const char *p = s; p < at; p++) {
        if (!email_local_char((unsigned char)*p))
            return 0;
    }
    for (const char *p = at + 1;; p++) {
        if (*p == '.' || *p == '\0') {
            if (len == 0)
                return 0;
            labels++;
            len = 0;
            if (*p == '\0')
                break;
        } else if (isalnum((unsigned char)*p) || *p == '-') {
            len++;
        } else {
            return 0;
        }
    }
    return labels >= 2;
}

static int decode_email(decode_ctx_t *ctx, const tv__field_t *f, const char *path, json_t *v,
                        char **dst)
{
    const char *s = json_string_value(v);

    if (!nul_free(ctx, path, v))
        return 0;
    if (s == NULL || json_string_length(v) > (size_t)f->max || !tv__email_valid(s)) {
        report_value(ctx, path, "an e-mail address such as \"name@example.org\"", v);
        return 0;
    }
    *dst = tv__strdup(s);
    if (*dst == NULL)
        ctx->oom = 1;
    return 0;
}

static int decode_term(decode_ctx_t *ctx, const tv__field_t *f, const char *path, json_t *v,
                       int *dst)
{
    char expected[64];
    int idx;

    if (!nul_free(ctx, path, v))
        return 0;
    if (!json_is_string(v)) {
        snprintf(expected, sizeof(expected), "a %s id", term_nouns[f->taxo]);
        report_value(ctx, path, expected, v);
        return 0;
    }
    idx = tv_taxonomy_find(ctx->tax, (tv_taxo_kind_t)f->taxo, json_string_value(v));
    if (idx < 0) {
        char got[64], fmt[96];

        describe(v, got, sizeof(got));
        snprintf(fmt, sizeof(fmt), "unknown %s %%s (see taxonomy.json, \"%s\")",
                 term_nouns[f->taxo], tv_taxonomy_kind_key((tv_taxo_kind_t)f->taxo));
        report(ctx, path, fmt, got);
        return 0;
    }
    *dst = idx;
    return 0;
}

static int compare_u16(const void *a, const void *b)
{
    return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static int decode_terms(decode_ctx_t *ctx, const tv__field_t *f, const char *path, json_t *v,
                        tv_terms_t *dst)
{
    char expected[64], item_path[160];
    size_t n = json_array_size(v), k = 0;

    if (!json_is_array(v)) {
        snprintf(expected, sizeof(expected), "an array of %s ids", term_nouns[f->taxo]);
        report_value(ctx, path, expected, v);
        return 0;
    }
    dst->items = tv__calloc(n, sizeof(uint16_t));
    if (dst->items == NULL) {
        ctx->oom = 1;
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        int idx = -1;

        snprintf(item_path, sizeof(item_path), "%s[%zu]", path, i);
        decode_term(ctx, f, item_path, json_array_get(v, i), &idx);
        if (idx >= 0)
            dst->items[k++] = (uint16_t)idx;
    }
    qsort(dst->items, k, sizeof(uint16_t), compare_u16);
    dst->n = 0;
    for (size_t i = 0; i < k; i++) {
        if (dst->n == 0 || dst->items[dst->n - 1] != dst->items[i])
            dst->items[dst->n++] = dst->items[i];
    }
    return 0;
}

static int decode_int(decode_ctx_t *ctx, const tv__field_t *f, const char *path, json_t *v,
                      int64_t *dst)
{
    char expected[96];
    double d;

    if (f->min == 0)
        snprintf(expected, sizeof(expected), "a non-negative integer");
    else
        snprintf(expected, sizeof(expected), "an integer from %" PRId64 " to %" PRId64, f->min,
                 f->max);
    if (json_is_integer(v)) {
        d = (double)json_integer_value(v);
    } else if (json_is_real(v) && json_real_value(v) == floor(json_real_value(v))) {
        d = json_real_value(v);
    } else {
        report_value(ctx, path, expected, v);
        return 0;
    }
    if (d < (double)f->min || d > (double)f->max) {
        if (f->min == 0 && d >= 0)
            snprintf(expected, sizeof(expected), "an integer of at most %" PRId64, f->max);
        report_value(ctx, path, expected, v);
        return 0;
    }
    *dst = json_is_integer(v) ? (int64_t)json_integer_value(v) : (int64_t)d;
    return 0;
}

static void decode_code(decode_ctx_t *ctx, const tv__field_t *f, const char *path, json_t *v,
                        char dst[3])
{
    const char *s = json_string_value(v);
    int ok;

    if (!nul_free(ctx, path, v))
        return;
    if (f->type == FT_LANGUAGE) {
        ok = s != NULL && (strcmp(s, "it") == 0 || strcmp(s, "en") == 0);
        if (!ok)
            report_value(ctx, path, "\"it\" or \"en\"", v);
    } else {
        ok = s != NULL && strlen(s) == 2 && tv_taxonomy_has_country(ctx->tax, s);
        if (!ok)
            report_value(ctx, path, "an ISO 3166-1 alpha-2 country code such as \"IT\"", v);
    }
    if (ok)
        memcpy(dst, s, 3);
}

static void decode_object(decode_ctx_t *ctx, const tv__record_desc_t *desc, json_t *obj, void *rec,
                          const char *prefix);

static void decode_array(decode_ctx_t *ctx, const tv__field_t *f, const char *path, json_t *v,
                         char *rec)
{
    size_t n = json_array_size(v);
    char item_path[160], expected[64];
    char *items;

    if (!json_is_array(v) || (int64_t)n > f->max) {
        snprintf(expected, sizeof(expected), "an array of at most %" PRId64 " objects", f->max);
        report_value(ctx, path, expected, v);
        return;
    }
    items = tv__calloc(n, f->sub->size);
    if (items == NULL) {
        ctx->oom = 1;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        f->sub->init(items + i * f->sub->size);
        snprintf(item_path, sizeof(item_path), "%s[%zu]", path, i);
        decode_object(ctx, f->sub, json_array_get(v, i), items + i * f->sub->size, item_path);
    }
    *(void **)(rec + f->offset) = items;
    *(size_t *)(rec + f->count_offset) = n;
}

/* An array of distinct external ids, kept in input order. */
static void decode_ids(decode_ctx_t *ctx, const tv__field_t *f, const char *path, json_t *v,
                       tv_strings_t *dst)
{
    static const tv__field_t id_field = {.name = "id", .type = FT_ID, .max = ID_MAX};
    char item_path[160], expected[64];
    size_t n = json_array_size(v);

    if (!json_is_array(v) || (int64_t)n > f->max) {
        snprintf(expected, sizeof(expected), "an array of at most %" PRId64 " ids", f->max);
        report_value(ctx, path, expected, v);
        return;
    }
    dst->items = tv__calloc(n, sizeof(char *));
    if (dst->items == NULL) {
        ctx->oom = 1;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char *id = NULL;
        int repeated = 0;

        snprintf(item_path, sizeof(item_path), "%s[%zu]", path, i);
        decode_string(ctx, &id_field, item_path, json_array_get(v, i), &id);
        for (size_t j = 0; id != NULL && j < dst->n && !repeated; j++)
            repeated = strcmp(dst->items[j], id) == 0;
        if (repeated)
            report(ctx, item_path, "repeats an id%s", "");
        if (id != NULL && !repeated)
            dst->items[dst->n++] = id;
        else
            tv__free(id);
    }
}

static void decode_field(decode_ctx_t *ctx, const tv__field_t *f, const char *path, json_t *v,
                         char *rec)
{
    void *dst = rec + f->offset;

    switch (f->type) {
    case FT_ID:
    case FT_STRING:
        decode_string(ctx, f, path, v, dst);
        break;
    case FT_TERM:
        decode_term(ctx, f, path, v, dst);
        break;
    case FT_TERMS:
        decode_terms(ctx, f, path, v, dst);
        break;
    case FT_INT:
        decode_int(ctx, f, path, v, dst);
        break;
    case FT_RATIO:
        if (json_is_number(v) && json_number_value(v) >= 0 && json_number_value(v) <= 1)
            *(double *)dst = json_number_value(v);
        else
            report_value(ctx, path, "a number from 0 to 1", v);
        break;
    case FT_BOOL:
        if (json_is_boolean(v))
            *(int *)dst = json_is_true(v);
        else
            report_value(ctx, path, "true or false", v);
        break;
    case FT_COUNTRY:
    case FT_LANGUAGE:
        decode_code(ctx, f, path, v, dst);
        break;
    case FT_OBJECT:
        decode_object(ctx, f->sub, v, dst, path);
        break;
    case FT_ARRAY:
        decode_array(ctx, f, path, v, rec);
        break;
    case FT_IDS:
        decode_ids(ctx, f, path, v, dst);
        break;
    case FT_EMAIL:
        decode_email(ctx, f, path, v, dst);
        break;
    }
}

static const tv__field_t *find_field(const tv__record_desc_t *desc, const char *name)
{
    for (size_t i = 0; i < desc->n_fields; i++) {
        if (strcmp(desc->fields[i].name, name) == 0)
            return &desc->fields[i];
    }
    return NULL;
}

/* Writes "prefix.name" (or "name") into buf; a path too long is cut short, between two
 * characters. This runs for every field of every record, so it avoids printf. */
static void join_path(char *buf, size_t size, const char *prefix, const char *name)
{
    size_t p = strlen(prefix), n = strlen(name), o = 0;

    if (p > 0 && p + 1 < size) {
        memcpy(buf, prefix, p);
        buf[p] = '.';
        o = p + 1;
    }
    if (o + n >= size)
        n = tv__utf8_prefix(name, size - o - 1);
    memcpy(buf + o, name, n);
    buf[o + n] = '\0';
}

static void decode_object(decode_ctx_t *ctx, const tv__record_desc_t *desc, json_t *obj, void *rec,
                          const char *prefix)
{
    char path[192];
    const char *key;
    json_t *v;

    if (!json_is_object(obj)) {
        report_value(ctx, prefix, "an object", obj);
        return;
    }
    json_object_foreach(obj, key, v)
    {
        if (find_field(desc, key) == NULL) {
            join_path(path, sizeof(path), prefix, key);
            report(ctx, path, "unknown field%s", "");
        }
    }
    for (size_t i = 0; i < desc->n_fields && !ctx->oom; i++) {
        const tv__field_t *f = &desc->fields[i];

        join_path(path, sizeof(path), prefix, f->name);
        v = json_object_get(obj, f->name);
        if (v == NULL || json_is_null(v)) {
            if (f->required)
                report(ctx, path, "required field is missing%s", "");
            continue;
        }
        decode_field(ctx, f, path, v, rec);
    }
}

/* Checks that involve more than one field. */
static void check_company(decode_ctx_t *ctx, const tv_company_t *c)
{
    const tv_taxo_entry_t *stage, *area;

    if (c->stage < 0 || c->area < 0)
        return;
    stage = tv_taxonomy_entry(ctx->tax, TV_TAXO_STAGE, (size_t)c->stage);
    area = tv_taxonomy_entry(ctx->tax, TV_TAXO_AREA, (size_t)c->area);
    if (area->track != TV_TRACK_NONE && stage->track != area->track) {
        char msg[160];

        snprintf(msg, sizeof(msg), "stage \"%s\" does not belong to area \"%s\"", stage->id,
                 area->id);
        report(ctx, "stage", "%s", msg);
    }
}

static void check_investor(decode_ctx_t *ctx, const tv_investor_t *inv)
{
    if (inv->ticket_min_eur != TV_UNKNOWN && inv->ticket_max_eur != TV_UNKNOWN &&
        inv->ticket_max_eur < inv->ticket_min_eur)
        report(ctx, "ticket_max_eur", "must not be below ticket_min_eur%s", "");
}

int tv__decode_record(const tv_taxonomy_t *t, const tv__record_desc_t *desc, json_t *obj, void *rec,
                      tv_diags_t *diags, size_t record, int is_index)
{
    decode_ctx_t ctx = {t, diags, record, is_index, 0, 0, 0};

    decode_object(&ctx, desc, obj, rec, "");
    if (!ctx.failed && !ctx.oom && desc == &tv__company_desc)
        check_company(&ctx, rec);
    if (!ctx.failed && !ctx.oom && desc == &tv__investor_desc)
        check_investor(&ctx, rec);
    if (ctx.problems > PROBLEMS_MAX && !ctx.oom &&
        tv__diag_add(diags, record, is_index, NULL, "%zu more problems not listed",
                     ctx.problems - PROBLEMS_MAX) != 0)
        ctx.oom = 1;
    if (ctx.oom)
        return TV_ENOMEM;
    return ctx.failed ? TV_EINVAL : 0;
}

/* Reports why a single document did not load: a number out of range on its field
 * (TV_EINVAL), anything else as malformed JSON (TV_EPARSE). */
static int load_failure(tv_diags_t *diags, const json_error_t *err, const char *path)
{
    int range = json_error_code(err) == json_error_numeric_overflow;
    int rc = range ? tv__diag_add(diags, 0, 0, path, TV__NUMBER_RANGE_MESSAGE)
                   : tv__diag_add(diags, 0, 0, NULL, "malformed JSON at column %d: %s", err->column,
                                  err->text);

    return rc != 0 ? rc : range ? TV_EINVAL : TV_EPARSE;
}

static int decode_text(const tv_taxonomy_t *t, const tv__record_desc_t *desc, const char *json,
                       size_t len, void *out, tv_diags_t *diags)
{
    json_error_t err;
    char path[192];
    json_t *obj = tv__json_load(json, len, JSON_ALLOW_NUL, &err, path, sizeof(path));
    int rc;

    desc->init(out);
    if (obj == NULL)
        return load_failure(diags, &err, path);
    rc = tv__decode_record(t, desc, obj, out, diags, 0, 0);
    json_decref(obj);
    if (rc != 0)
        desc->dispose(out);
    return rc;
}

int tv_codec_company_decode(const tv_taxonomy_t *t, const char *json, size_t len, tv_company_t *out,
                            tv_diags_t *diags)
{
    return decode_text(t, &tv__company_desc, json, len, out, diags);
}

int tv_codec_investor_decode(const tv_taxonomy_t *t, const char *json, size_t len,
                             tv_investor_t *out, tv_diags_t *diags)
{
    return decode_text(t, &tv__investor_desc, json, len, out, diags);
}
