/* GET /v1/taxonomy: the terms a page offers in its filters and forms (areas, pathologies,
 * technologies, priorities, stages, rounds, investor kinds, regions, countries), with labels in
 * the reader's language. The vocabulary is public and the same for everyone who may sign in. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../query.h"
#include "../reply.h"
#include "handlers.h"

static const tv_taxo_kind_t listed[] = {
    TV_TAXO_AREA,  TV_TAXO_PATHOLOGY, TV_TAXO_TECHNOLOGY,    TV_TAXO_PRIORITY,
    TV_TAXO_STAGE, TV_TAXO_ROUND,     TV_TAXO_INVESTOR_KIND, TV_TAXO_REGION};

/* The terms of one kind in the file's order: id, label, and parent id when the term is finer. */
static json_t *terms(const tv_taxonomy_t *t, tv_taxo_kind_t kind, int it)
{
    json_t *list = json_array();

    for (size_t i = 0; list != NULL && i < tv_taxonomy_count(t, kind); i++) {
        const tv_taxo_entry_t *e = tv_taxonomy_entry(t, kind, i);
        json_t *o = json_pack("{s:s, s:s}", "id", e->id, "label", it ? e->label_it : e->label_en);

        if (o != NULL && e->parent >= 0)
            json_object_set_new(o, "parent",
                                json_string(tv_taxonomy_entry(t, kind, (size_t)e->parent)->id));
        if (o == NULL || json_array_append_new(list, o) != 0) {
            json_decref(list);
            list = NULL;
        }
    }
    return list;
}

static json_t *countries(const tv_taxonomy_t *t)
{
    const tv_strings_t *codes = tv_taxonomy_countries(t);
    json_t *list = json_array();

    for (size_t i = 0; list != NULL && i < codes->n; i++)
        json_array_append_new(list, json_string(codes->items[i]));
    return list;
}

int api_h_taxonomy(const api_req_t *r, api_resp_t *resp)
{
    char lang[4] = "en";
    json_t *root;
    char *body = NULL;

    if (api_query_get(r->query, "lang", lang, sizeof(lang)) < 0 ||
        (strcmp(lang, "en") != 0 && strcmp(lang, "it") != 0)) {
        api_reply_bad_parameter(resp, r, "lang", "it or en");
        return 0;
    }
    root = json_pack("{s:s, s:o*}", "lang", lang, "countries", countries(r->app->tax));
    for (size_t k = 0; root != NULL && k < sizeof(listed) / sizeof(listed[0]); k++) {
        json_t *list = terms(r->app->tax, listed[k], strcmp(lang, "it") == 0);

        if (list == NULL || json_object_set_new(root, tv_taxonomy_kind_key(listed[k]), list) != 0) {
            json_decref(root);
            root = NULL;
        }
    }
    if (root != NULL)
        body = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    if (body == NULL)
        api_reply_error(resp, r, TV_ENOMEM, "cannot list the taxonomy");
    else
        api_reply_json(resp, 200, body);
    return 0;
}
