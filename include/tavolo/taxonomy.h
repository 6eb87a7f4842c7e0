/* tavolo/taxonomy.h: the controlled vocabulary (pathologies, technologies, priorities,
 * stages, rounds, investor kinds, regions, events) loaded from fixtures/taxonomy.json. */
#ifndef TV_TAXONOMY_H
#define TV_TAXONOMY_H

#include <stddef.h>
#include <stdint.h>

typedef struct tv_taxonomy tv_taxonomy_t;

typedef enum {
    TV_TAXO_AREA,
    TV_TAXO_PATHOLOGY,
    TV_TAXO_TECHNOLOGY,
    TV_TAXO_PRIORITY,
    TV_TAXO_STAGE,
    TV_TAXO_ROUND,
    TV_TAXO_INVESTOR_KIND,
    TV_TAXO_REGION,
    TV_TAXO_IT_REGION,
    TV_TAXO_EVENT,
    TV_TAXO_KIND_COUNT
} tv_taxo_kind_t;

typedef enum { TV_TRACK_NONE = -1, TV_TRACK_MEDICINE = 0, TV_TRACK_INDUSTRIAL = 1 } tv_track_t;

typedef struct {
    char **items;
    size_t n;
} tv_strings_t;

/* One vocabulary term. Read-only for callers; owned by its taxonomy. */
typedef struct {
    char *id;
    char *label_it;
    char *label_en;
    tv_strings_t synonyms_it;
    tv_strings_t synonyms_en;
    int parent;       /* index in the same kind, or -1 */
    int area;         /* TV_TAXO_AREA index, or -1 (technologies, priorities) */
    tv_track_t track; /* stages only */
    int order;        /* stages and rounds: position in their sequence, else -1 */
    int64_t typical_min_eur, typical_max_eur; /* rounds only, else 0 */
    tv_strings_t countries;                   /* regions only: ISO 3166-1 alpha-2 codes */
    char *city;                               /* events only */
    char country[3];                          /* events only */
    int month;                                /* events only */
} tv_taxo_entry_t;

/* The JSON key of each kind in taxonomy.json ("pathologies", ...). */
const char *tv_taxonomy_kind_key(tv_taxo_kind_t kind);

/* Returns the index of 'id' within 'kind', or TV_ENOTFOUND. */
int tv_taxonomy_find(const tv_taxonomy_t *t, tv_taxo_kind_t kind, const char *id);

size_t tv_taxonomy_count(const tv_taxonomy_t *t, tv_taxo_kind_t kind);

/* Returns entry 'index' of 'kind'; index must be below tv_taxonomy_count(). */
const tv_taxo_entry_t *tv_taxonomy_entry(const tv_taxonomy_t *t, tv_taxo_kind_t kind, size_t index);

/* Returns the index of the top-level ancestor of 'index' (itself when it has no parent). */
size_t tv_taxonomy_root(const tv_taxonomy_t *t, tv_taxo_kind_t kind, size_t index);

/* Returns 1 if 'code' is an ISO 3166-1 alpha-2 code the taxonomy lists, else 0. */
int tv_taxonomy_has_country(const tv_taxonomy_t *t, const char *code);

/* The ISO 3166-1 alpha-2 codes, sorted. */
const tv_strings_t *tv_taxonomy_countries(const tv_taxonomy_t *t);

typedef enum { TV_LANG_IT = 0, TV_LANG_EN = 1 } tv_lang_t;

/* The stop words of 'lang' ("stopwords" in taxonomy.json; empty if the file has none). */
const tv_strings_t *tv_taxonomy_stopwords(const tv_taxonomy_t *t, tv_lang_t lang);

/* Frees 't'. NULL is a no-op. */
void tv_taxonomy_destroy(tv_taxonomy_t *t);

#endif
