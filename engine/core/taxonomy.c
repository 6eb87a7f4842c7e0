/* Look-ups in the controlled vocabulary. Parsing lives in codec_taxonomy.c. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const kind_keys[TV_TAXO_KIND_COUNT] = {
    "areas",  "pathologies",    "technologies", "priorities", "stages",
    "rounds", "investor_kinds", "regions",      "it_regions", "events",
};

const char *tv_taxonomy_kind_key(tv_taxo_kind_t kind)
{
    return kind_keys[kind];
}

int tv_taxonomy_find(const tv_taxonomy_t *t, tv_taxo_kind_t kind, const char *id)
{
    const tv__taxo_list_t *l = &t->lists[kind];

    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->items[i].id, id) == 0)
            return (int)i;
    }
    return TV_ENOTFOUND;
}

size_t tv_taxonomy_count(const tv_taxonomy_t *t, tv_taxo_kind_t kind)
{
    return t->lists[kind].n;
}

const tv_taxo_entry_t *tv_taxonomy_entry(const tv_taxonomy_t *t, tv_taxo_kind_t kind, size_t index)
{
    return &t->lists[kind].items[index];
}

size_t tv_taxonomy_root(const tv_taxonomy_t *t, tv_taxo_kind_t kind, size_t index)
{
    /* The parser rejects cycles, so this ends. */
    while (t->lists[kind].items[index].parent >= 0)
        index = (size_t)t->lists[kind].items[index].parent;
    return index;
}

static int compare_code(const void *a, const void *b)
{
    return strcmp((const char *)a, *(char *const *)b);
}

int tv_taxonomy_has_country(const tv_taxonomy_t *t, const char *code)
{
    return bsearch(code, t->countries.items, t->countries.n, sizeof(char *), compare_code) != NULL;
}

const tv_strings_t *tv_taxonomy_countries(const tv_taxonomy_t *t)
{
    return &t->countries;
}

const tv_strings_t *tv_taxonomy_stopwords(const tv_taxonomy_t *t, tv_lang_t lang)
{
    return &t->stopwords[lang];
}

void tv__strings_dispose(tv_strings_t *s)
{
    for (size_t i = 0; i < s->n; i++)
        tv__free(s->items[i]);
    tv__free(s->items);
    s->items = NULL;
    s->n = 0;
}

static void entry_dispose(tv_taxo_entry_t *e)
{
    tv__free(e->id);
    tv__free(e->label_it);
    tv__free(e->label_en);
    tv__free(e->city);
    tv__strings_dispose(&e->synonyms_it);
    tv__strings_dispose(&e->synonyms_en);
    tv__strings_dispose(&e->countries);
}

void tv_taxonomy_destroy(tv_taxonomy_t *t)
{
    if (t == NULL)
        return;
    for (int k = 0; k < TV_TAXO_KIND_COUNT; k++) {
        for (size_t i = 0; i < t->lists[k].n; i++)
            entry_dispose(&t->lists[k].items[i]);
        tv__free(t->lists[k].items);
    }
    tv__strings_dispose(&t->countries);
    tv__strings_dispose(&t->stopwords[TV_LANG_IT]);
    tv__strings_dispose(&t->stopwords[TV_LANG_EN]);
    tv__free(t);
}
