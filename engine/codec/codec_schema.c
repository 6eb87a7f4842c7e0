/* JSON Schema (draft 2020-12) of the profiles, generated from the codec's field tables and
 * the taxonomy, so that the published schema and the validator agree by construction. */
#include <stdlib.h>
#include <string.h>

#include "codec_internal.h"
#include "core/internal.h"

static json_t *object_schema(const tv_taxonomy_t *t, const tv__record_desc_t *desc);

/* Any text without the NUL character (JSON Schema patterns are ECMA-262 regular expressions). */
#define NO_NUL_PATTERN "^[^\\u0000]*$"

/* What email_valid in codec.c accepts. */
#define EMAIL_PATTERN "^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$"

static json_t *term_enum(const tv_taxonomy_t *t, int taxo)
{
    json_t *ids = json_array();

    for (size_t i = 0; i < tv_taxonomy_count(t, (tv_taxo_kind_t)taxo); i++)
        json_array_append_new(ids, json_string(tv_taxonomy_entry(t, taxo, i)->id));
    return json_pack("{s:s, s:o}", "type", "string", "enum", ids);
}

static json_t *country_enum(const tv_taxonomy_t *t)
{
    const tv_strings_t *codes = tv_taxonomy_countries(t);
    json_t *ids = json_array();

    for (size_t i = 0; i < codes->n; i++)
        json_array_append_new(ids, json_string(codes->items[i]));
    return json_pack("{s:s, s:o}", "type", "string", "enum", ids);
}

static json_t *field_schema(const tv_taxonomy_t *t, const tv__field_t *f)
{
    switch (f->type) {
    case FT_ID:
        return json_pack("{s:s, s:i, s:I, s:s}", "type", "string", "minLength", 1, "maxLength",
                         (json_int_t)f->max, "pattern", "^[A-Za-z0-9._:/-]+$");
    case FT_EMAIL:
        return json_pack("{s:s, s:i, s:I, s:s}", "type", "string", "minLength", 3, "maxLength",
                         (json_int_t)f->max, "pattern", EMAIL_PATTERN);
    case FT_STRING: /* no NUL: decode_string refuses it (C and PostgreSQL text end there) */
        return json_pack("{s:s, s:i, s:I, s:s}", "type", "string", "minLength", f->required ? 1 : 0,
                         "maxLength", (json_int_t)f->max, "pattern", NO_NUL_PATTERN);
    case FT_TERM:
        return term_enum(t, f->taxo);
    case FT_TERMS:
        return json_pack("{s:s, s:o}", "type", "array", "items", term_enum(t, f->taxo));
    case FT_INT:
        return json_pack("{s:s, s:I, s:I}", "type", "integer", "minimum", (json_int_t)f->min,
                         "maximum", (json_int_t)f->max);
    case FT_RATIO:
        return json_pack("{s:s, s:i, s:i}", "type", "number", "minimum", 0, "maximum", 1);
    case FT_BOOL:
        return json_pack("{s:s}", "type", "boolean");
    case FT_COUNTRY:
        return country_enum(t);
    case FT_LANGUAGE:
        return json_pack("{s:s, s:[s,s]}", "type", "string", "enum", "it", "en");
    case FT_OBJECT:
        return object_schema(t, f->sub);
    case FT_ARRAY:
        return json_pack("{s:s, s:I, s:o}", "type", "array", "maxItems", (json_int_t)f->max,
                         "items", object_schema(t, f->sub));
    case FT_IDS:
        return json_pack("{s:s, s:I, s:b, s:{s:s, s:i, s:i, s:s}}", "type", "array", "maxItems",
                         (json_int_t)f->max, "uniqueItems", 1, "items", "type", "string",
                         "minLength", 1, "maxLength", 64, "pattern", "^[A-Za-z0-9._:/-]+$");
    }
    return NULL;
}

/* The codec reads JSON null as "unknown", so every optional field also admits null. */
static void admit_null(json_t *s)
{
    json_t *type = json_object_get(s, "type");
    json_t *en = json_object_get(s, "enum");

    json_object_set_new(s, "type", json_pack("[O,s]", type, "null"));
    if (en != NULL)
        json_array_append_new(en, json_null());
}

static json_t *object_schema(const tv_taxonomy_t *t, const tv__record_desc_t *desc)
{
    json_t *props = json_object(), *required = json_array();

    for (size_t i = 0; i < desc->n_fields; i++) {
        const tv__field_t *f = &desc->fields[i];
        json_t *s = field_schema(t, f);

        if (f->doc != NULL)
            json_object_set_new(s, "description", json_string(f->doc));
        if (f->required)
            json_array_append_new(required, json_string(f->name));
        else
            admit_null(s);
        json_object_set_new(props, f->name, s);
    }
    return json_pack("{s:s, s:o, s:o, s:b}", "type", "object", "properties", props, "required",
                     required, "additionalProperties", 0);
}

/* One if/then rule per area with a track: its stage must be a stage of that track. */
static json_t *stage_rules(const tv_taxonomy_t *t)
{
    json_t *rules = json_array();

    for (size_t a = 0; a < tv_taxonomy_count(t, TV_TAXO_AREA); a++) {
        const tv_taxo_entry_t *area = tv_taxonomy_entry(t, TV_TAXO_AREA, a);
        json_t *stages = json_array();

        if (area->track == TV_TRACK_NONE) {
            json_decref(stages);
            continue;
        }
        for (size_t s = 0; s < tv_taxonomy_count(t, TV_TAXO_STAGE); s++) {
            const tv_taxo_entry_t *st = tv_taxonomy_entry(t, TV_TAXO_STAGE, s);

            if (st->track == area->track)
                json_array_append_new(stages, json_string(st->id));
        }
        json_array_append_new(stages, json_null());
        json_array_append_new(rules,
                              json_pack("{s:{s:[s], s:{s:{s:s}}}, s:{s:{s:{s:o}}}}", "if",
                                        "required", "area", "properties", "area", "const", area->id,
                                        "then", "properties", "stage", "enum", stages));
    }
    return rules;
}

int tv_codec_schema(const tv_taxonomy_t *t, tv_profile_kind_t kind, char **out)
{
    const tv__record_desc_t *desc =
        kind == TV_KIND_COMPANY ? &tv__company_desc : &tv__investor_desc;
    json_t *schema = object_schema(t, desc);
    char id[64], title[64];

    if (schema == NULL)
        return TV_ENOMEM;
    snprintf(id, sizeof(id), "urn:tavolo:schema:%s", desc->title);
    snprintf(title, sizeof(title), "tavolo %s profile", desc->title);
    json_object_set_new(schema, "$schema",
                        json_string("https://json-schema.org/draft/2020-12/schema"));
    json_object_set_new(schema, "$id", json_string(id));
    json_object_set_new(schema, "title", json_string(title));
    if (kind == TV_KIND_COMPANY)
        json_object_set_new(schema, "allOf", stage_rules(t));
    else
        json_object_set_new(schema, "description",
                            json_string("Beyond this schema: ticket_max_eur must not be below "
                                        "ticket_min_eur."));
    *out = json_dumps(schema, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    json_decref(schema);
    return *out != NULL ? 0 : TV_ENOMEM;
}
