/* tavolo/text.h: text analysis for descriptions and theses. Unicode normalisation
 * (utf8proc), tokens, stop words, Snowball stems in the record's language (libstemmer),
 * taxonomy synonyms found as phrases, and TF-IDF weights feature-hashed (xxhash) into a
 * dense block. Italian and English meet through the synonyms: each phrase found adds a
 * concept term ("@oncology.lung") shared by both languages. */
#ifndef TV_TEXT_H
#define TV_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "tavolo/taxonomy.h"

typedef struct tv_text_model tv_text_model_t;

/* One distinct term of a text: a stem or a concept. */
typedef struct {
    uint64_t hash;  /* xxhash64 of the term's key (the stem, or "@" + taxonomy id) */
    char *display;  /* what a person reads: the first surface form seen, or the label */
    uint32_t count; /* occurrences in the text */
} tv_term_t;

/* A taxonomy term found in a text through one of its synonyms. */
typedef struct {
    tv_taxo_kind_t kind; /* TV_TAXO_PATHOLOGY, TV_TAXO_TECHNOLOGY or TV_TAXO_PRIORITY */
    uint16_t index;
} tv_concept_t;

/* The analysis of one text. Terms are sorted by hash, each hash once. */
typedef struct {
    tv_term_t *terms;
    size_t n_terms;
    tv_concept_t *concepts; /* each (kind, index) once, in order of first appearance */
    size_t n_concepts;
    tv_lang_t lang; /* the language the text was read in (given or guessed) */
} tv_bag_t;

/* Builds a model from the taxonomy's stop words and synonyms (both languages). Borrows 't',
 * which must outlive the model. */
int tv_text_model_create(const tv_taxonomy_t *t, tv_text_model_t **out);

/* Frees 'm'. NULL is a no-op. */
void tv_text_model_destroy(tv_text_model_t *m);

/* Analyses UTF-8 'text' in language 'lang' ("it", "en", or "" or NULL to guess from stop
 * words) into 'out', which the callee initialises (empty on failure, so tv_bag_dispose is
 * always safe). Synonyms and labels are both matched as phrases. Invalid UTF-8 is TV_EINVAL.
 * Safe to call from several threads at once on one model. The display strings live inside
 * the bag's term block: read them, never free or replace them one by one. */
int tv_text_analyse(const tv_text_model_t *m, const char *text, const char *lang, tv_bag_t *out);

void tv_bag_dispose(tv_bag_t *bag);

/* Document frequencies over a corpus of bags, for IDF. */
typedef struct tv_text_df tv_text_df_t;

int tv_text_df_create(tv_text_df_t **out);
void tv_text_df_destroy(tv_text_df_t *df);

/* Counts each term of 'bag' once towards its document frequency. */
int tv_text_df_add(tv_text_df_t *df, const tv_bag_t *bag);

/* Removes a bag added before (for incremental updates). */
void tv_text_df_remove(tv_text_df_t *df, const tv_bag_t *bag);

/* The TF-IDF weight of term 'i' of 'bag': (1 + ln count) * (ln((N + 1) / (df + 1)) + 1),
 * N being the number of documents added. */
float tv_text_weight(const tv_text_df_t *df, const tv_bag_t *bag, size_t i);

/* The share of the documents in the language of 'bag' that hold term 'i' of 'bag' (at most 1;
 * 0 with none added): what tells a filler word ("sviluppo", "euro") from a telling one. Counted
 * among the documents of one language, as a stem is of one language and the other language's
 * documents would dilute it; a concept or a stem spelt alike in both languages counts high. */
double tv_text_df_share(const tv_text_df_t *df, const tv_bag_t *bag, size_t i);

/* Writes the feature-hashed TF-IDF vector of 'bag' into 'out' (width floats, zeroed by the
 * callee): term i adds its weight at hash % width, negated when bit 63 of the hash is set.
 * Not normalised. */
void tv_text_vector(const tv_text_df_t *df, const tv_bag_t *bag, float *out, size_t width);

#endif
