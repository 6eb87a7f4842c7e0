/* Private declarations shared by the engine's files. */
#ifndef TV_INTERNAL_H
#define TV_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "tavolo/error.h"

/* Every engine allocation goes through these. */
void *tv__malloc(size_t n);
void *tv__calloc(size_t count, size_t size);
void *tv__realloc(void *p, size_t n);
char *tv__strdup(const char *s);
char *tv__strndup(const char *s, size_t n);
void tv__free(void *p);

/* Makes the nth allocation from now fail (n > 0); 0 turns failures off. For tests. */
void tv__alloc_fail_at(long n);

/* Grows '*items' (of '*cap' elements of 'item_size' bytes) to hold at least 'need'. */
int tv__grow(void **items, size_t *cap, size_t need, size_t item_size);

#define TV__ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- taxonomy, shared by taxonomy.c and codec_taxonomy.c ---- */
#include "tavolo/taxonomy.h"

typedef struct {
    tv_taxo_entry_t *items;
    size_t n;
} tv__taxo_list_t;

struct tv_taxonomy {
    tv__taxo_list_t lists[TV_TAXO_KIND_COUNT];
    tv_strings_t countries;    /* sorted */
    tv_strings_t stopwords[2]; /* TV_LANG_IT, TV_LANG_EN */
};

void tv__strings_dispose(tv_strings_t *s);
#endif
