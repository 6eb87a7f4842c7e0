/* A digest as JSON: what the API serves and the digests table keeps. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codec_internal.h"
#include "core/internal.h"
#include "tavolo/digest.h"

static const char *other_id(const tv_matcher_t *m, const tv_digest_t *d, size_t i)
{
    return d->kind == TV_KIND_COMPANY ? tv_matcher_investor(m, i)->id
                                      : tv_matcher_company(m, i)->id;
}

static const char *other_name(const tv_matcher_t *m, const tv_digest_t *d, size_t i)
{
    return d->kind == TV_KIND_COMPANY ? tv_matcher_investor(m, i)->name
                                      : tv_matcher_company(m, i)->name;
}

/* The fit, level, reasons and flags of one match, added to its object 'obj'. */
static json_t *with_fit(json_t *obj, const tv_digest_item_t *x)
{
    json_t *reasons = json_array(), *flags = json_array();

    for (size_t k = 0; k < x->n_reasons; k++)
        json_array_append_new(reasons,
                              json_pack("{s:s, s:s, s:s}", "block", tv_block_name(x->reasons[k]),
                                        "en", x->reasons_en[k], "it", x->reasons_it[k]));
    for (int k = 0; k < TV_FLAG_COUNT; k++) {
        if (x->flags & (1u << k))
            json_array_append_new(flags, json_string(tv_flag_name(k)));
    }
    if (obj != NULL)
        json_object_update_new(obj, json_pack("{s:i, s:s, s:o, s:o}", "fit", x->fit, "level",
                                              tv_level_name(x->level, "en"), "reasons", reasons,
                                              "flags", flags));
    else
        json_decref(reasons), json_decref(flags);
    return obj;
}

static json_t *matches_json(const tv_matcher_t *m, const tv_digest_t *d)
{
    json_t *list = json_array();

    for (size_t i = 0; list != NULL && i < d->n_matches; i++) {
        const tv_digest_item_t *x = &d->matches[i];
        json_t *prev = isnan(x->previous) ? json_null() : json_real(x->previous);

        json_array_append_new(
            list, with_fit(json_pack("{s:s, s:s, s:f, s:o, s:b, s:{s:s, s:s}}", "id",
                                     other_id(m, d, x->counterpart), "name",
                                     other_name(m, d, x->counterpart), "score", (double)x->score,
                                     "previous", prev, "new", isnan(x->previous), "explanation",
                                     "en", x->reason_en, "it", x->reason_it),
                           x));
    }
    return list;
}

static json_t *meetings_json(const tv_matcher_t *m, const tv_digest_t *d)
{
    json_t *list = json_array();

    for (size_t i = 0; list != NULL && i < d->n_meetings; i++) {
        const tv_digest_meeting_t *x = d->meetings[i];
        const char *with = d->kind == TV_KIND_COMPANY ? x->investor_id : x->company_id;
        int k = d->kind == TV_KIND_COMPANY ? tv_matcher_find_investor(m, with)
                                           : tv_matcher_find_company(m, with);

        json_array_append_new(
            list, json_pack("{s:I, s:s, s:s?, s:s, s:s, s:s, s:s, s:i}", "id", (json_int_t)x->id,
                            "event_id", x->event_id, "event_name", x->event_name, "with_id", with,
                            "with_name", k >= 0 ? other_name(m, d, (size_t)k) : with, "starts_at",
                            x->slot_start, "time_zone", x->time_zone, "table", x->table_no));
    }
    return list;
}

static json_t *eligible_json(const tv_matcher_t *m, const tv_taxonomy_t *t, const tv_digest_t *d)
{
    json_t *list = json_array();

    for (size_t i = 0; list != NULL && i < d->n_eligible; i++) {
        const tv_company_t *c = tv_matcher_company(m, d->eligible[i]);

        json_array_append_new(
            list, json_pack("{s:s, s:s, s:s?}", "id", c->id, "name", c->name, "area",
                            c->area >= 0 ? tv_taxonomy_entry(t, TV_TAXO_AREA, (size_t)c->area)->id
                                         : NULL));
    }
    return list;
}

int tv_codec_digest_encode(const tv_matcher_t *m, const tv_taxonomy_t *t, const void *digest,
                           const char *date, char **out)
{
    const tv_digest_t *d = digest;
    const char *id = d->kind == TV_KIND_COMPANY ? tv_matcher_company(m, d->index)->id
                                                : tv_matcher_investor(m, d->index)->id;
    const char *name = d->kind == TV_KIND_COMPANY ? tv_matcher_company(m, d->index)->name
                                                  : tv_matcher_investor(m, d->index)->name;
    json_t *obj = json_pack("{s:{s:s, s:s, s:s}, s:s, s:o, s:o, s:o}", "recipient", "kind",
                            d->kind == TV_KIND_COMPANY ? "company" : "investor", "id", id, "name",
                            name, "date", date, "matches", matches_json(m, d), "meetings",
                            meetings_json(m, d), "eligible", eligible_json(m, t, d));

    if (obj == NULL)
        return TV_ENOMEM;
    *out = json_dumps(obj, JSON_COMPACT | JSON_REAL_PRECISION(6));
    json_decref(obj);
    return *out != NULL ? 0 : TV_ENOMEM;
}
