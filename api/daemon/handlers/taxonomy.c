/* The controlled vocabulary with its labels in Italian and English, for the pages' forms and
 * filters: the same terms the codec accepts, so a page never offers a value it would refuse. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../reply.h"
#include "handlers.h"

/* The kinds a profile's fields take their values from (events are not among them). */
static const tv_taxo_kind_t kinds[] = {TV_TAXO_AREA,          TV_TAXO_PATHOLOGY, TV_TAXO_TECHNOLOGY,
                                       TV_TAXO_PRIORITY,      TV_TAXO_STAGE,     TV_TAXO_ROUND,
                                       TV_TAXO_INVESTOR_KIND, TV_TAXO_REGION,    TV_TAXO_IT_REGION};

/* The id of entry 'index' of 'kind', or JSON null for -1. */
static json_t *ref(const tv_taxonomy_t *t, tv_taxo_kind_t kind, int index)
{
    return index < 0 ? json_null() : json_string(tv_taxonomy_entry(t, kind, (size_t)index)->id);
}

static json_t *entry_json(const tv_taxonomy_t *t, tv_taxo_kind_t kind, size_t i)
{
    const tv_taxo_entry_t *e = tv_taxonomy_entry(t, kind, i);
    json_t *o = json_pack("{s:s, s:{s:s, s:s}, s:o}", "id", e->id, "label", "en", e->label_en, "it",
                          e->label_it, "parent", ref(t, kind, e->parent));

    if (o != NULL && (kind == TV_TAXO_TECHNOLOGY || kind == TV_TAXO_PRIORITY))
        json_object_set_new(o, "area", ref(t, TV_TAXO_AREA, e->area));
    if (o != NULL && (kind == TV_TAXO_STAGE || kind == TV_TAXO_AREA))
        json_object_set_new(o, "track",
                            e->track == TV_TRACK_MEDICINE     ? json_string("medicine")
                            : e->track == TV_TRACK_INDUSTRIAL ? json_string("industrial")
                                                              : json_null());
    return o;
}

/* {"areas": [...], "pathologies": [...], ..., "countries": ["AD", ...]}, or NULL without
 * memory. */
static json_t *taxonomy_json(const tv_taxonomy_t *t)
{
    json_t *out = json_object(), *codes = json_array();
    const tv_strings_t *countries = tv_taxonomy_countries(t);

    for (size_t k = 0; out != NULL && k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        json_t *list = json_array();

        for (size_t i = 0; list != NULL && i < tv_taxonomy_count(t, kinds[k]); i++)
            json_array_append_new(list, entry_json(t, kinds[k], i));
        json_object_set_new(out, tv_taxonomy_kind_key(kinds[k]), list);
    }
    for (size_t i = 0; codes != NULL && i < countries->n; i++)
        json_array_append_new(codes, json_string(countries->items[i]));
    if (out != NULL)
        json_object_set_new(out, "countries", codes);
    return out;
}

int api_h_taxonomy(const api_req_t *r, api_resp_t *resp)
{
    json_t *doc = taxonomy_json(r->app->tax);
    char *json = doc != NULL ? json_dumps(doc, JSON_COMPACT) : NULL;

    json_decref(doc);
    if (json == NULL) {
        api_reply_error(resp, r, TV_ENOMEM, "cannot encode the taxonomy");
        return 0;
    }
    api_etag_of(json, strlen(json), resp->etag);
    api_reply_json(resp, 200, json);
    return 0;
}
