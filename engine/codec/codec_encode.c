/* Canonical JSON encoding of profiles, driven by the same field tables as decoding. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codec_internal.h"
#include "core/internal.h"

static json_t *encode_object(const tv_taxonomy_t *t, const tv__record_desc_t *desc,
                             const char *rec);

static json_t *encode_terms(const tv_taxonomy_t *t, int taxo, const tv_terms_t *terms)
{
    json_t *a = json_array();

    for (size_t i = 0; a != NULL && i < terms->n; i++) {
        const tv_taxo_entry_t *e = tv_taxonomy_entry(t, (tv_taxo_kind_t)taxo, terms->items[i]);

        if (json_array_append_new(a, json_string(e->id)) != 0) {
            json_decref(a);
            a = NULL;
        }
    }
    return a;
}

static json_t *encode_array(const tv_taxonomy_t *t, const tv__field_t *f, const char *rec)
{
    const char *items = *(char *const *)(rec + f->offset);
    size_t n = *(const size_t *)(rec + f->count_offset);
    json_t *a = json_array();

    for (size_t i = 0; a != NULL && i < n; i++) {
        if (json_array_append_new(a, encode_object(t, f->sub, items + i * f->sub->size)) != 0) {
            json_decref(a);
            a = NULL;
        }
    }
    return a;
}

/* Returns the JSON value of field 'f' of 'rec', NULL when the field is unknown, or sets
 * '*oom'. */
static json_t *encode_field(const tv_taxonomy_t *t, const tv__field_t *f, const char *rec, int *oom)
{
    const void *src = rec + f->offset;
    json_t *v = NULL;

    switch (f->type) {
    case FT_ID:
    case FT_STRING:
    case FT_EMAIL:
        if (*(char *const *)src == NULL)
            return NULL;
        v = json_string(*(char *const *)src);
        break;
    case FT_TERM:
        if (*(const int *)src < 0)
            return NULL;
        v = json_string(tv_taxonomy_entry(t, (tv_taxo_kind_t)f->taxo, *(const int *)src)->id);
        break;
    case FT_TERMS:
        if (((const tv_terms_t *)src)->n == 0)
            return NULL;
        v = encode_terms(t, f->taxo, src);
        break;
    case FT_INT:
        if (*(const int64_t *)src == TV_UNKNOWN)
            return NULL;
        v = json_integer(*(const int64_t *)src);
        break;
    case FT_RATIO:
        if (isnan(*(const double *)src))
            return NULL;
        v = json_real(*(const double *)src);
        break;
    case FT_BOOL:
        if (*(const int *)src < 0)
            return NULL;
        v = json_boolean(*(const int *)src);
        break;
    case FT_COUNTRY:
    case FT_LANGUAGE:
        if (((const char *)src)[0] == '\0')
            return NULL;
        v = json_string(src);
        break;
    case FT_OBJECT:
        v = encode_object(t, f->sub, src);
        if (v != NULL && json_object_size(v) == 0) {
            json_decref(v);
            return NULL;
        }
        break;
    case FT_ARRAY:
        if (*(const size_t *)(rec + f->count_offset) == 0)
            return NULL;
        v = encode_array(t, f, rec);
        break;
    case FT_IDS: {
        const tv_strings_t *ids = src;

        if (ids->n == 0)
            return NULL;
        v = json_array();
        for (size_t i = 0; v != NULL && i < ids->n; i++) {
            if (json_array_append_new(v, json_string(ids->items[i])) != 0) {
                json_decref(v);
                v = NULL;
            }
        }
        break;
    }
    }
    if (v == NULL)
        *oom = 1;
    return v;
}

static json_t *encode_object(const tv_taxonomy_t *t, const tv__record_desc_t *desc, const char *rec)
{
    json_t *obj = json_object();
    int oom = 0;

    for (size_t i = 0; obj != NULL && i < desc->n_fields; i++) {
        json_t *v = encode_field(t, &desc->fields[i], rec, &oom);

        if (oom || (v != NULL && json_object_set_new(obj, desc->fields[i].name, v) != 0)) {
            json_decref(obj);
            obj = NULL;
        }
    }
    return obj;
}

static int encode(const tv_taxonomy_t *t, const tv__record_desc_t *desc, const void *rec,
                  char **out)
{
    json_t *obj = encode_object(t, desc, rec);
    char *s;

    if (obj == NULL)
        return TV_ENOMEM;
    s = json_dumps(obj, JSON_COMPACT | JSON_REAL_PRECISION(10));
    json_decref(obj);
    if (s == NULL)
        return TV_ENOMEM;
    *out = s;
    return 0;
}

int tv_codec_company_encode(const tv_taxonomy_t *t, const tv_company_t *c, char **out)
{
    return encode(t, &tv__company_desc, c, out);
}

int tv_codec_investor_encode(const tv_taxonomy_t *t, const tv_investor_t *inv, char **out)
{
    return encode(t, &tv__investor_desc, inv, out);
}

int tv_codec_eligibility_encode(const tv_company_t *c, const tv_eligibility_t *e, char **out)
{
    json_t *criteria = json_array(), *obj;

    for (int i = 0; criteria != NULL && i < TV_CRIT_COUNT; i++) {
        const tv_criterion_t *k = &e->criteria[i];

        json_array_append_new(criteria, json_pack("{s:s, s:s, s:s}", "name", k->name, "result",
                                                  tv_check_name(k->result), "reason", k->reason));
    }
    obj = json_pack("{s:s, s:s, s:o, s:o}", "company_id", c->id, "name", c->name, "eligible",
                    e->eligible == TV_CHECK_UNKNOWN ? json_null()
                                                    : json_boolean(e->eligible == TV_CHECK_PASS),
                    "criteria", criteria);
    if (obj == NULL)
        return TV_ENOMEM;
    *out = json_dumps(obj, JSON_COMPACT);
    json_decref(obj);
    return *out != NULL ? 0 : TV_ENOMEM;
}

/* Encodes 'rec' keeping only the top-level fields named in 'fields' (NULL: all). */
static int encode_fields(const tv_taxonomy_t *t, const tv__record_desc_t *desc, const void *rec,
                         const char *const *fields, char **out)
{
    json_t *obj = encode_object(t, desc, rec);
    char *s;

    if (obj == NULL)
        return TV_ENOMEM;
    for (size_t i = 0; fields != NULL && i < desc->n_fields; i++) {
        int keep = 0;

        for (size_t k = 0; fields[k] != NULL && !keep; k++)
            keep = strcmp(fields[k], desc->fields[i].name) == 0;
        if (!keep)
            json_object_del(obj, desc->fields[i].name);
    }
    s = json_dumps(obj, JSON_COMPACT | JSON_REAL_PRECISION(10));
    json_decref(obj);
    if (s == NULL)
        return TV_ENOMEM;
    *out = s;
    return 0;
}

int tv_codec_company_encode_fields(const tv_taxonomy_t *t, const tv_company_t *c,
                                   const char *const *fields, char **out)
{
    return encode_fields(t, &tv__company_desc, c, fields, out);
}

int tv_codec_investor_encode_fields(const tv_taxonomy_t *t, const tv_investor_t *inv,
                                    const char *const *fields, char **out)
{
    return encode_fields(t, &tv__investor_desc, inv, fields, out);
}

/* RFC 7396: an object patch merges member by member, null removes, anything else replaces. */
static json_t *merge(json_t *target, json_t *patch)
{
    const char *key;
    json_t *value;

    if (!json_is_object(patch))
        return json_incref(patch);
    if (!json_is_object(target))
        target = json_object();
    else
        target = json_deep_copy(target);
    json_object_foreach(patch, key, value)
    {
        if (json_is_null(value))
            json_object_del(target, key);
        else
            json_object_set_new(target, key, merge(json_object_get(target, key), value));
    }
    return target;
}

int tv_codec_merge_patch(const char *doc, const char *patch, size_t patch_len, char **out,
                         tv_diags_t *diags)
{
    json_error_t err;
    char path[192];
    json_t *d = json_loads(doc, 0, NULL);
    /* "\u0000" passes into the merged document, for the decoder to refuse by field name. */
    json_t *p = tv__json_load(patch, patch_len, JSON_ALLOW_NUL, &err, path, sizeof(path));
    json_t *merged;
    int range, rc = 0;

    if (p == NULL) {
        range = json_error_code(&err) == json_error_numeric_overflow;
        if (range)
            rc = tv__diag_add(diags, 0, 0, path, TV__NUMBER_RANGE_MESSAGE);
        else
            rc = tv__diag_add(diags, 0, 0, NULL, "malformed JSON at line %d, column %d: %s",
                              err.line, err.column, err.text);
        json_decref(d);
        return rc != 0 ? rc : range ? TV_EINVAL : TV_EPARSE;
    }
    merged = merge(d, p);
    *out = merged != NULL ? json_dumps(merged, JSON_COMPACT) : NULL;
    json_decref(merged);
    json_decref(d);
    json_decref(p);
    return *out != NULL ? 0 : TV_ENOMEM;
}
