/* JSON for matching: the configuration file and explained matches. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_internal.h"
#include "core/internal.h"

typedef enum { CF_FLOAT, CF_U32, CF_I64, CF_BOOL } cfg_type_t;

typedef struct {
    const char *name;
    cfg_type_t type;
    size_t offset;
    double min, max;
} cfg_field_t;

#define CFG(name, type, member, min, max)                                                          \
    {                                                                                              \
        name, type, offsetof(tv_match_config_t, member), min, max                                  \
    }
#define WEIGHT(name, block)                                                                        \
    {                                                                                              \
        "weights." name, CF_FLOAT, offsetof(tv_match_config_t, weights) + (block) * sizeof(float), \
            0, 100                                                                                 \
    }

static const cfg_field_t cfg_fields[] = {
    WEIGHT("taxonomy", TV_BLOCK_TAXONOMY),
    WEIGHT("text", TV_BLOCK_TEXT),
    WEIGHT("stage", TV_BLOCK_STAGE),
    WEIGHT("round", TV_BLOCK_ROUND),
    WEIGHT("ticket", TV_BLOCK_TICKET),
    WEIGHT("geography", TV_BLOCK_GEOGRAPHY),
    WEIGHT("locality", TV_BLOCK_LOCALITY),
    WEIGHT("syndicate", TV_BLOCK_SYNDICATE),
    WEIGHT("portfolio", TV_BLOCK_PORTFOLIO),
    WEIGHT("kind", TV_BLOCK_KIND),
    WEIGHT("region", TV_BLOCK_REGION),
    WEIGHT("lead", TV_BLOCK_LEAD),
    CFG("text_width", CF_U32, text_width, 1, 65536),
    CFG("syndicate_width", CF_U32, syndicate_width, 0, 65536),
    CFG("locality_width", CF_U32, locality_width, 0, 65536),
    CFG("locality_subdivision", CF_FLOAT, locality_subdivision, 0, 1),
    CFG("revealed_share", CF_FLOAT, revealed_share, 0, 1),
    CFG("activity.share", CF_FLOAT, activity_share, 0, 1),
    CFG("activity.half_life_years", CF_FLOAT, activity_half_life, 0.1, 100),
    CFG("activity.exponent", CF_FLOAT, activity_exponent, 0, 4),
    CFG("parent_share", CF_FLOAT, parent_share, 0, 1),
    CFG("stage_decay", CF_FLOAT, stage_decay, 0, 1),
    CFG("round_decay", CF_FLOAT, round_decay, 0, 1),
    CFG("ticket.buckets", CF_U32, ticket_buckets, 2, 1000),
    CFG("ticket.low_eur", CF_I64, ticket_low_eur, 1, 1e12),
    CFG("ticket.high_eur", CF_I64, ticket_high_eur, 2, 1e13),
    CFG("ticket.sigma_buckets", CF_FLOAT, ticket_sigma, 0.01, 100),
    CFG("portfolio.width", CF_U32, portfolio.width, 0, 65536),
    CFG("portfolio.ticket_bands", CF_U32, portfolio.ticket_bands, 2, 1000),
    CFG("portfolio.subdivision", CF_FLOAT, portfolio.subdivision, 0, 100),
    CFG("indifferent", CF_FLOAT, indifferent, 0, 10),
    CFG("masks.eligible_only", CF_BOOL, eligible_only, 0, 1),
    CFG("masks.ticket_factor", CF_FLOAT, ticket_factor, 0, 1000),
    CFG("masks.inactive", CF_BOOL, mask_inactive, 0, 1),
    CFG("masks.portfolio_conflict", CF_BOOL, mask_conflicts, 0, 1),
    CFG("lists.k", CF_U32, k, 1, 10000),
    CFG("lists.margin", CF_U32, margin, 0, 10000),
    CFG("learning.share", CF_FLOAT, learning.share, 0, 4),
    CFG("learning.prior", CF_FLOAT, learning.prior, 0, 1000),
};

/* Reports a bad setting; returns TV_EINVAL, or TV_ENOMEM if even that fails. */
static int cfg_error(tv_diags_t *diags, const char *name, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    if (vsnprintf(msg, sizeof(msg), fmt, ap) >= (int)sizeof(msg))
        msg[tv__utf8_prefix(msg, strlen(msg))] = '\0'; /* never half a character */
    va_end(ap);
    return tv__diag_add(diags, 0, 0, name, "%s", msg) != 0 ? TV_ENOMEM : TV_EINVAL;
}

static const cfg_field_t *cfg_find(const char *name)
{
    for (size_t i = 0; i < TV__ARRAY_LEN(cfg_fields); i++) {
        if (strcmp(cfg_fields[i].name, name) == 0)
            return &cfg_fields[i];
    }
    return NULL;
}

/* Stores 'v' (a number or boolean) into setting 'f' of 'cfg'. NaN is out of every range. */
static int cfg_store(const cfg_field_t *f, double v, int is_bool, tv_match_config_t *cfg,
                     tv_diags_t *diags)
{
    char *dst = (char *)cfg + f->offset;

    if ((f->type == CF_BOOL) != is_bool)
        return cfg_error(diags, f->name,
                         f->type == CF_BOOL ? "expected true or false" : "expected a number");
    if (!(v >= f->min && v <= f->max) || (f->type != CF_FLOAT && v != (double)(int64_t)v))
        return cfg_error(diags, f->name, "expected %s from %g to %g",
                         f->type == CF_FLOAT ? "a number" : "an integer", f->min, f->max);
    if (f->type == CF_FLOAT)
        *(float *)dst = (float)v;
    else if (f->type == CF_U32)
        *(uint32_t *)dst = (uint32_t)v;
    else if (f->type == CF_I64)
        *(int64_t *)dst = (int64_t)v;
    else
        *(int *)dst = v != 0;
    return 0;
}

/* Walks nested objects, applying each leaf by its dotted name; marks what it saw. A setting
 * may be spelt nested or dotted ({"weights": {"text": 1}} or {"weights.text": 1}), once. */
static int cfg_walk(json_t *obj, const char *prefix, tv_match_config_t *cfg, uint8_t *seen,
                    tv_diags_t *diags)
{
    const char *key;
    json_t *v;
    int rc = 0;

    json_object_foreach(obj, key, v)
    {
        char name[128];
        const cfg_field_t *f;
        int one;

        if (snprintf(name, sizeof(name), "%s%s%s", prefix, prefix[0] ? "." : "", key) >=
            (int)sizeof(name))
            name[tv__utf8_prefix(name, strlen(name))] = '\0'; /* never half a character */
        f = json_is_object(v) ? NULL : cfg_find(name);
        if (json_is_object(v))
            one = cfg_walk(v, name, cfg, seen, diags);
        else if (f == NULL)
            one = cfg_error(diags, name, "unknown setting");
        else if (seen[f - cfg_fields])
            one = cfg_error(diags, name, "repeats a setting given earlier in the file");
        else if (!json_is_number(v) && !json_is_boolean(v))
            one = cfg_error(diags, name, "expected a number or true/false");
        else
            one = cfg_store(f, json_is_boolean(v) ? json_is_true(v) : json_number_value(v),
                            json_is_boolean(v), cfg, diags);
        if (f != NULL)
            seen[f - cfg_fields] = 1;
        if (one != 0 && rc != TV_ENOMEM)
            rc = one;
    }
    return rc;
}

int tv_codec_match_config_parse(const char *json, size_t len, int require_all,
                                tv_match_config_t *cfg, tv_diags_t *diags)
{
    uint8_t seen[TV__ARRAY_LEN(cfg_fields)] = {0};
    json_error_t err;
    char path[128];
    json_t *root = tv__json_load(json, len, 0, &err, path, sizeof(path));
    tv_match_config_t next = *cfg;
    int rc;

    if (root == NULL && json_error_code(&err) == json_error_numeric_overflow)
        return cfg_error(diags, path, TV__NUMBER_RANGE_MESSAGE);
    if (root == NULL || !json_is_object(root)) {
        json_decref(root);
        tv__diag_add(diags, root == NULL ? (size_t)err.line : 0, 0, NULL,
                     root == NULL ? "malformed JSON: %s" : "expected an object%s",
                     root == NULL ? err.text : "");
        return TV_EPARSE;
    }
    rc = cfg_walk(root, "", &next, seen, diags);
    json_decref(root);
    for (size_t i = 0; require_all && i < TV__ARRAY_LEN(cfg_fields); i++) {
        if (!seen[i]) {
            tv__diag_add(diags, 0, 0, cfg_fields[i].name, "required setting is missing");
            rc = TV_EINVAL;
        }
    }
    if (rc == 0 && next.ticket_high_eur <= next.ticket_low_eur) {
        tv__diag_add(diags, 0, 0, "ticket.high_eur", "must be above ticket.low_eur");
        rc = TV_EINVAL;
    }
    if (rc == 0)
        *cfg = next;
    return rc;
}

int tv_codec_match_config_set(tv_match_config_t *cfg, const char *name, const char *value,
                              tv_diags_t *diags)
{
    const cfg_field_t *f = cfg_find(name);
    char *end;
    double v;

    if (f == NULL)
        return cfg_error(diags, name, "unknown setting");
    if (strcmp(value, "true") == 0 || strcmp(value, "false") == 0)
        return cfg_store(f, strcmp(value, "true") == 0, 1, cfg, diags);
    errno = 0;
    v = strtod(value, &end);
    if (errno != 0 || end == value || *end != '\0')
        return cfg_error(diags, name, "expected a number, got \"%s\"", value);
    return cfg_store(f, v, 0, cfg, diags);
}

/* ---- explained matches ---- */

static const char *term_kind_name(tv_taxo_kind_t kind)
{
    return kind == TV_TAXO_PATHOLOGY    ? "pathology"
           : kind == TV_TAXO_TECHNOLOGY ? "technology"
                                        : "priority";
}

static const char *const constraint_states[] = {"pass", "fail", "unknown", "off"};

static const char *label_of(const tv_taxonomy_t *t, tv_taxo_kind_t kind, size_t index,
                            const char *lang)
{
    const tv_taxo_entry_t *e = tv_taxonomy_entry(t, kind, index);

    return lang != NULL && strcmp(lang, "it") == 0 ? e->label_it : e->label_en;
}

/* Appends "a, b, c" items to a fixed buffer. */
static void join(char *buf, size_t size, const char *item)
{
    size_t n = strlen(buf);

    snprintf(buf + n, size - n, "%s%s", n > 0 ? ", " : "", item);
}

static int is_it(const char *lang)
{
    return lang != NULL && strcmp(lang, "it") == 0;
}

/* The constraint lines of the reasons: each that fails or is unknown. */
static void constraint_reasons(const tv_explanation_t *e, const char *lang, json_t *list)
{
    static const char *const names_it[] = {"idoneità", "ticket", "attività",
                                           "conflitto di portafoglio"};
    static const char *const states_it[] = {"superato", "non superato", "sconosciuto",
                                            "non verificato"};

    for (size_t k = 0; k < e->n_constraints; k++) {
        const tv_constraint_t *c = &e->constraints[k];

        if (c->state != TV_CONSTRAINT_FAIL && c->state != TV_CONSTRAINT_UNKNOWN)
            continue;
        if (is_it(lang))
            json_array_append_new(list, json_sprintf("Vincolo %s: %s (%s)", names_it[k],
                                                     states_it[c->state], c->detail_it));
        else
            json_array_append_new(
                list, json_sprintf("%s %s: %s", c->name, constraint_states[c->state], c->detail));
    }
}

static json_t *reasons(const tv_taxonomy_t *t, const tv_explanation_t *e, const char *lang)
{
    json_t *list = json_array();
    char line[512] = "", part[96];
    int order[TV_FORWARD_BLOCKS], it = is_it(lang);

    for (size_t k = 0; k < e->n_terms; k++)
        join(line, sizeof(line), label_of(t, e->terms[k].kind, e->terms[k].index, lang));
    if (line[0] != '\0')
        json_array_append_new(
            list, json_sprintf("%s: %s", it ? "Interessi comuni" : "Shared focus", line));
    for (int b = 0; b < TV_FORWARD_BLOCKS; b++)
        order[b] = b;
    for (int a = 1; a < TV_FORWARD_BLOCKS; a++) { /* by contribution, largest first */
        for (int b = a; b > 0 && e->contributions[order[b]] > e->contributions[order[b - 1]]; b--) {
            int x = order[b];
            order[b] = order[b - 1];
            order[b - 1] = x;
        }
    }
    line[0] = '\0';
    for (int k = 0; k < 3 && e->contributions[order[k]] >= 0.005f; k++) {
        snprintf(part, sizeof(part), "%s %.2f", tv_block_label(order[k], lang),
                 e->contributions[order[k]]);
        join(line, sizeof(line), part);
    }
    if (line[0] != '\0')
        json_array_append_new(
            list, json_sprintf("%s: %s", it ? "Convergenza maggiore" : "Strongest fit", line));
    line[0] = '\0';
    for (size_t k = 0; k < e->n_text; k++)
        join(line, sizeof(line), e->text[k]);
    if (line[0] != '\0')
        json_array_append_new(
            list, json_sprintf("%s: %s", it ? "Parole in comune" : "Common words", line));
    json_array_append_new(
        list, json_sprintf(it ? "L'investitore corrisponde a ciò che l'azienda cerca a %.2f (tipo, "
                                "regione, lead); il profilo corrisponde alla tesi a %.2f"
                              : "Investor fits what the company wants at %.2f (kind, region, "
                                "lead); profile fits the thesis at %.2f",
                           e->reverse, e->forward));
    constraint_reasons(e, lang, list);
    return list;
}

/* The reasons that drove the score: block, contribution and sentence, largest first. */
static json_t *top_reasons(const tv_taxonomy_t *t, const tv_explanation_t *e, const char *lang)
{
    json_t *list = json_array();
    char line[512];

    for (size_t k = 0; k < e->n_reasons; k++) {
        tv_explain_reason_text(t, e, k, lang, line, sizeof(line));
        json_array_append_new(
            list, json_pack("{s:s, s:f, s:s}", "block", tv_block_name(e->reasons[k]),
                            "contribution", (double)e->contributions[e->reasons[k]], "text", line));
    }
    return list;
}

/* The failed hard constraints: name and sentence. */
static json_t *flags_array(const tv_explanation_t *e, const char *lang)
{
    json_t *list = json_array();
    char line[512];

    for (int k = 0; k < TV_FLAG_COUNT; k++) {
        if ((e->flags & (1u << k)) == 0)
            continue;
        tv_explain_flag_text(e, k, lang, line, sizeof(line));
        json_array_append_new(list, json_pack("{s:s, s:s}", "name", tv_flag_name(k), "text", line));
    }
    return list;
}

static json_t *contributions_object(const tv_explanation_t *e)
{
    json_t *obj = json_object();

    for (int b = 0; b < TV_BLOCK_COUNT; b++)
        json_object_set_new(obj, tv_block_name(b), json_real(e->contributions[b]));
    return obj;
}

static json_t *terms_array(const tv_taxonomy_t *t, const tv_explanation_t *e, const char *lang)
{
    json_t *list = json_array();

    for (size_t k = 0; k < e->n_terms; k++) {
        const tv_taxo_entry_t *x = tv_taxonomy_entry(t, e->terms[k].kind, e->terms[k].index);

        json_array_append_new(list,
                              json_pack("{s:s, s:s, s:s}", "kind", term_kind_name(e->terms[k].kind),
                                        "id", x->id, "label",
                                        label_of(t, e->terms[k].kind, e->terms[k].index, lang)));
    }
    return list;
}

static json_t *constraints_array(const tv_explanation_t *e, const char *lang)
{
    json_t *list = json_array();

    for (size_t k = 0; k < e->n_constraints; k++)
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:s}", "name", e->constraints[k].name, "state",
                            constraint_states[e->constraints[k].state], "detail",
                            is_it(lang) ? e->constraints[k].detail_it : e->constraints[k].detail));
    return list;
}

/* The taxonomy id of term 'index' of 'kind', or JSON null for -1. */
static json_t *term_id(const tv_taxonomy_t *t, tv_taxo_kind_t kind, int index)
{
    return index < 0 ? json_null() : json_string(tv_taxonomy_entry(t, kind, (size_t)index)->id);
}

/* What a page shows of each side beside its name, all public: the company's country, area and
 * stage, the investor's kind and country (ids; null when unknown). */
static json_t *sides(const tv_taxonomy_t *t, const tv_company_t *c, const tv_investor_t *inv)
{
    return json_pack("{s:o, s:o, s:o, s:o, s:o}", "company_country",
                     c->hq_country[0] ? json_string(c->hq_country) : json_null(), "company_area",
                     term_id(t, TV_TAXO_AREA, c->area), "company_stage",
                     term_id(t, TV_TAXO_STAGE, c->stage), "investor_kind",
                     term_id(t, TV_TAXO_INVESTOR_KIND, inv->kind), "investor_country",
                     inv->country[0] ? json_string(inv->country) : json_null());
}

int tv_codec_match_encode(const tv_matcher_t *m, const tv_taxonomy_t *t, size_t company,
                          size_t investor, const tv_explanation_t *e, const char *lang, char **out)
{
    const tv_company_t *c = tv_matcher_company(m, company);
    const tv_investor_t *inv = tv_matcher_investor(m, investor);
    json_t *text = json_array(), *obj;

    for (size_t k = 0; k < e->n_text; k++)
        json_array_append_new(text, json_string(e->text[k]));
    obj = json_pack(
        "{s:s, s:s, s:s, s:s, s:f, s:f, s:f, s:f, s:o, s:o, s:o, s:o, s:b, s:o}", "company_id",
        c->id, "company_name", c->name, "investor_id", inv->id, "investor_name", inv->name, "score",
        (double)e->score, "forward", (double)e->forward, "reverse", (double)e->reverse, "activity",
        (double)e->activity, "contributions", contributions_object(e), "shared_terms",
        terms_array(t, e, lang), "shared_text", text, "constraints", constraints_array(e, lang),
        "allowed", e->allowed, "reasons", reasons(t, e, lang));
    if (obj != NULL && json_object_update_new(obj, json_pack("{s:i, s:s, s:o, s:o}", "fit", e->fit,
                                                             "level", tv_level_name(e->level, lang),
                                                             "top_reasons", top_reasons(t, e, lang),
                                                             "flags", flags_array(e, lang))) != 0) {
        json_decref(obj);
        obj = NULL;
    }
    if (obj != NULL && e->taste != 0 &&
        json_object_set_new(obj, "taste", json_real(e->taste)) != 0) {
        json_decref(obj);
        obj = NULL;
    }
    if (obj != NULL && json_object_update_new(obj, sides(t, c, inv)) != 0) {
        json_decref(obj);
        obj = NULL;
    }
    if (obj == NULL)
        return TV_ENOMEM;
    *out = json_dumps(obj, JSON_COMPACT | JSON_REAL_PRECISION(6));
    json_decref(obj);
    return *out != NULL ? 0 : TV_ENOMEM;
}
