/* Text analysis: Unicode normalisation, tokens, stop words, Snowball stems, taxonomy phrases
 * found in the token stream, document frequencies and feature-hashed TF-IDF vectors. */
#include <assert.h>
#include <libstemmer.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#include <xxhash.h>

#include "core/internal.h"
#include "tavolo/text.h"

#define LANG_COUNT 2
#define NORM_OPTIONS                                                                               \
    (UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_COMPAT)

static const char *const stemmer_names[LANG_COUNT] = {"italian", "english"};
static const tv_taxo_kind_t phrase_kinds[] = {TV_TAXO_PATHOLOGY, TV_TAXO_TECHNOLOGY,
                                              TV_TAXO_PRIORITY};

/* An open-addressing set of normalised words, looked up by their xxhash. The words sit
 * NUL-terminated in one pool. */
typedef struct {
    uint64_t *hashes;
    uint32_t *words; /* offset in 'pool' + 1, 0 for an empty slot */
    size_t mask;     /* capacity - 1, capacity a power of two */
    size_t n;
    char *pool;
    size_t pool_len, pool_cap;
} word_set_t;

/* A taxonomy synonym or label as a sequence of token keys. */
typedef struct {
    size_t off;           /* first key in the table's keys, while the table is built */
    const uint64_t *keys; /* the same, once the keys stop moving */
    uint64_t concept_key; /* hash of "@" + taxonomy id */
    uint16_t n_keys;
    uint16_t index;
    uint8_t kind;
} phrase_t;

/* A run of phrases sharing their first key, longest first. count == 0 marks an empty slot. */
typedef struct {
    uint64_t first;
    uint32_t start, count;
} phrase_slot_t;

/* Every phrase (both languages) keyed with one language's stemmer and stop words. */
typedef struct {
    phrase_t *phrases;
    size_t n, cap;
    uint64_t *keys;
    size_t n_keys, cap_keys;
    phrase_slot_t *slots;
    size_t mask;
} phrase_table_t;

struct tv_text_model {
    const tv_taxonomy_t *tax;
    size_t n_concepts; /* entries of the concept kinds: at most this many concepts per text */
    word_set_t stop[LANG_COUNT];
    phrase_table_t phrases[LANG_COUNT];
};

/* A token: a maximal run of letters and digits in the normalised text. */
typedef struct {
    uint32_t start, len; /* bytes in the normalised text */
    uint64_t key;        /* hash of the stem, or of the surface for stop words and short tokens */
    uint8_t stop[LANG_COUNT];
    uint8_t word; /* two characters or more, with a letter: may become a term */
} token_t;

/* The tokens of one text. Buffers are kept from one scan() to the next. */
typedef struct {
    char *text; /* normalised, NUL-terminated */
    size_t len, text_cap;
    token_t *items;
    size_t n, cap;
} tokens_t;

static uint64_t hash_bytes(const void *p, size_t n)
{
    return XXH64(p, n, 0);
}

static size_t pow2_at_least(size_t n)
{
    size_t c = 16;

    while (c < n)
        c *= 2;
    return c;
}

/* ---- normalisation and tokens ---- */

/* Lower-cases pure ASCII, which normalisation would only case-fold. Returns 0 if 'in' is not
 * pure ASCII. */
static int fold_ascii(const char *in, size_t len, char *out)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)in[i];

        if (ch >= 0x80)
            return 0;
        out[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch + ('a' - 'A') : ch);
    }
    out[len] = '\0';
    return 1;
}

/* Normalises 'in' into tk->text as utf8proc_map would, but through tv__ allocations: code
 * points decomposed into a buffer guessed from the input's length (grown when too small),
 * then composed and encoded as UTF-8 in place. */
static int normalise(const char *in, tokens_t *tk)
{
    const utf8proc_uint8_t *s = (const utf8proc_uint8_t *)in;
    size_t len = strlen(in), room = len + 1;
    utf8proc_ssize_t n;

    if (tv__grow((void **)&tk->text, &tk->text_cap, room, sizeof(utf8proc_int32_t)) != 0)
        return TV_ENOMEM;
    if (fold_ascii(in, len, tk->text)) {
        tk->len = len;
        return 0;
    }
    n = utf8proc_decompose(s, 0, (utf8proc_int32_t *)(void *)tk->text, (utf8proc_ssize_t)room,
                           NORM_OPTIONS);
    if (n >= (utf8proc_ssize_t)room) {
        room = (size_t)n + 1;
        if (tv__grow((void **)&tk->text, &tk->text_cap, room, sizeof(utf8proc_int32_t)) != 0)
            return TV_ENOMEM;
        n = utf8proc_decompose(s, 0, (utf8proc_int32_t *)(void *)tk->text, n, NORM_OPTIONS);
    }
    if (n >= 0)
        n = utf8proc_reencode((utf8proc_int32_t *)(void *)tk->text, n, NORM_OPTIONS);
    if (n < 0)
        return TV_EINVAL;
    tk->len = (size_t)n;
    return 0;
}

enum { CP_OTHER, CP_LETTER, CP_DIGIT, CP_MARK };

static int classify(const utf8proc_uint8_t *s, size_t left, utf8proc_int32_t *cp, int *size)
{
    utf8proc_category_t cat;

    if (s[0] < 0x80) {
        *size = 1;
        if ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))
            return CP_LETTER;
        return s[0] >= '0' && s[0] <= '9' ? CP_DIGIT : CP_OTHER;
    }
    *size = (int)utf8proc_iterate(s, (utf8proc_ssize_t)left, cp);
    if (*size <= 0) {
        *size = 1; /* cannot happen: the text was normalised, so it is valid */
        return CP_OTHER;
    }
    cat = utf8proc_category(*cp);
    if (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO)
        return CP_LETTER;
    if (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO)
        return CP_DIGIT;
    if (cat >= UTF8PROC_CATEGORY_MN && cat <= UTF8PROC_CATEGORY_ME)
        return CP_MARK;
    return CP_OTHER;
}

static int word_set_has(const word_set_t *s, uint64_t h, const char *w, size_t len)
{
    if (s->words == NULL)
        return 0;
    for (size_t i = h & s->mask; s->words[i] != 0; i = (i + 1) & s->mask) {
        const char *x = s->pool + s->words[i] - 1;

        if (s->hashes[i] == h && strncmp(x, w, len) == 0 && x[len] == '\0')
            return 1;
    }
    return 0;
}

static int push_token(const tv_text_model_t *m, tokens_t *tk, size_t start, size_t end, int chars,
                      int letters)
{
    token_t *t;

    if (tv__grow((void **)&tk->items, &tk->cap, tk->n + 1, sizeof(token_t)) != 0)
        return TV_ENOMEM;
    t = &tk->items[tk->n++];
    t->start = (uint32_t)start;
    t->len = (uint32_t)(end - start);
    t->key = hash_bytes(tk->text + start, end - start);
    t->word = chars >= 2 && letters > 0;
    for (int l = 0; l < LANG_COUNT; l++)
        t->stop[l] = m != NULL && word_set_has(&m->stop[l], t->key, tk->text + start, t->len);
    return 0;
}

/* Normalises 'text' and splits it into tokens, each flagged with its stop-word languages
 * ('m' NULL: none). Keys are the hashes of the tokens' bytes until key_tokens() runs. */
static int scan(const tv_text_model_t *m, const char *text, tokens_t *tk)
{
    const utf8proc_uint8_t *s;
    size_t i = 0, start = 0;
    int chars = 0, letters = 0, in_token = 0, rc = normalise(text, tk);

    tk->n = 0;
    if (rc != 0)
        return rc;
    s = (const utf8proc_uint8_t *)tk->text;
    rc = tv__grow((void **)&tk->items, &tk->cap, tk->len / 6 + 1, sizeof(token_t));
    while (rc == 0 && i <= tk->len) {
        utf8proc_int32_t cp;
        int size = 1, c = i < tk->len ? classify(s + i, tk->len - i, &cp, &size) : CP_OTHER;

        if (c == CP_OTHER || (c == CP_MARK && !in_token)) {
            if (in_token)
                rc = push_token(m, tk, start, i, chars, letters);
            in_token = 0;
        } else if (!in_token) {
            in_token = 1;
            start = i;
            chars = 1;
            letters = c == CP_LETTER;
        } else if (c != CP_MARK) {
            chars++;
            letters += c == CP_LETTER;
        }
        i += (size_t)size;
    }
    return rc;
}

/* Keys each token with its stem in 'lang'. Stop words and tokens that cannot be terms keep
 * their surface hash, on the text side and the phrase side alike. */
static int key_tokens(struct sb_stemmer *st, tv_lang_t lang, tokens_t *tk)
{
    for (size_t i = 0; i < tk->n; i++) {
        token_t *t = &tk->items[i];
        const sb_symbol *stem;

        if (t->stop[lang] || !t->word)
            continue;
        stem = sb_stemmer_stem(st, (const sb_symbol *)tk->text + t->start, (int)t->len);
        if (stem == NULL)
            return TV_ENOMEM;
        t->key = hash_bytes(stem, (size_t)sb_stemmer_length(st));
    }
    return 0;
}

static void tokens_dispose(tokens_t *tk)
{
    tv__free(tk->text);
    tv__free(tk->items);
    memset(tk, 0, sizeof(*tk));
}

/* ---- the model ---- */

static void word_set_put(word_set_t *s, uint64_t h, uint32_t word)
{
    size_t i = h & s->mask;

    while (s->words[i] != 0)
        i = (i + 1) & s->mask;
    s->words[i] = word;
    s->hashes[i] = h;
}

/* Keeps the set at most half full. */
static int word_set_reserve(word_set_t *s, size_t n)
{
    size_t cap = s->words == NULL ? 0 : s->mask + 1, ncap = pow2_at_least(n * 2);
    uint64_t *hashes = s->hashes;
    uint32_t *words = s->words;

    if (n * 2 <= cap)
        return 0;
    s->hashes = tv__calloc(ncap, sizeof(uint64_t));
    s->words = tv__calloc(ncap, sizeof(uint32_t));
    if (s->hashes == NULL || s->words == NULL) {
        tv__free(s->hashes);
        tv__free(s->words);
        s->hashes = hashes;
        s->words = words;
        return TV_ENOMEM;
    }
    s->mask = ncap - 1;
    for (size_t i = 0; i < cap; i++) {
        if (words[i] != 0)
            word_set_put(s, hashes[i], words[i]);
    }
    tv__free(hashes);
    tv__free(words);
    return 0;
}

static int word_set_add(word_set_t *s, const char *w, size_t len)
{
    uint64_t h = hash_bytes(w, len);

    if (word_set_has(s, h, w, len))
        return 0;
    if (word_set_reserve(s, s->n + 1) != 0 ||
        tv__grow((void **)&s->pool, &s->pool_cap, s->pool_len + len + 1, 1) != 0)
        return TV_ENOMEM;
    memcpy(s->pool + s->pool_len, w, len);
    s->pool[s->pool_len + len] = '\0';
    word_set_put(s, h, (uint32_t)s->pool_len + 1);
    s->pool_len += len + 1;
    s->n++;
    return 0;
}

/* Adds every token of every stop word, so "isn't" stops both "isn" and "t". */
static int word_set_build(word_set_t *s, const tv_strings_t *list, tokens_t *tk)
{
    int rc = word_set_reserve(s, list->n);

    for (size_t i = 0; i < list->n && rc == 0; i++) {
        rc = scan(NULL, list->items[i], tk);
        for (size_t j = 0; j < tk->n && rc == 0; j++)
            rc = word_set_add(s, tk->text + tk->items[j].start, tk->items[j].len);
    }
    return rc;
}

static void word_set_dispose(word_set_t *s)
{
    tv__free(s->words);
    tv__free(s->hashes);
    tv__free(s->pool);
}

/* The table being filled, with what its phrases are keyed by. */
typedef struct {
    tv_text_model_t *m;
    struct sb_stemmer *st;
    tv_lang_t lang;
    tokens_t *tk; /* scratch */
} filler_t;

/* Appends 'phrase' of taxonomy entry (kind, index), keyed for the table's language. */
static int table_add(const filler_t *f, const char *phrase, tv_taxo_kind_t kind, size_t index)
{
    phrase_table_t *pt = &f->m->phrases[f->lang];
    tokens_t *tk = f->tk;
    int rc = scan(f->m, phrase, tk), useful = 0;

    for (size_t i = 0; i < tk->n; i++)
        useful |= tk->items[i].word && !tk->items[i].stop[f->lang];
    if (rc == 0)
        rc = key_tokens(f->st, f->lang, tk);
    if (rc != 0 || !useful || tk->n > UINT16_MAX)
        return rc;
    if (tv__grow((void **)&pt->phrases, &pt->cap, pt->n + 1, sizeof(phrase_t)) != 0 ||
        tv__grow((void **)&pt->keys, &pt->cap_keys, pt->n_keys + tk->n, sizeof(uint64_t)) != 0)
        return TV_ENOMEM;
    pt->phrases[pt->n++] = (phrase_t){.off = pt->n_keys,
                                      .concept_key = 0,
                                      .n_keys = (uint16_t)tk->n,
                                      .index = (uint16_t)index,
                                      .kind = (uint8_t)kind};
    for (size_t i = 0; i < tk->n; i++)
        pt->keys[pt->n_keys++] = tk->items[i].key;
    return 0;
}

static int hash_concept_id(const tv_taxo_entry_t *e, uint64_t *out)
{
    size_t n = strlen(e->id);
    char small[64], *key = n + 1 <= sizeof(small) ? small : tv__malloc(n + 1);

    if (key == NULL)
        return TV_ENOMEM;
    key[0] = '@';
    memcpy(key + 1, e->id, n);
    *out = hash_bytes(key, n + 1);
    if (key != small)
        tv__free(key);
    return 0;
}

/* Adds the labels and synonyms of both languages of every concept kind to one table. Phrases
 * are left out when no token of theirs could be a term ("a", "-"): they would match noise. */
static int table_fill(const filler_t *f)
{
    tv_text_model_t *m = f->m;
    tv_lang_t lang = f->lang;
    int rc = 0;

    for (size_t k = 0; k < TV__ARRAY_LEN(phrase_kinds) && rc == 0; k++) {
        tv_taxo_kind_t kind = phrase_kinds[k];

        for (size_t i = 0; i < tv_taxonomy_count(m->tax, kind) && rc == 0; i++) {
            const tv_taxo_entry_t *e = tv_taxonomy_entry(m->tax, kind, i);
            const tv_strings_t *syn[2] = {&e->synonyms_it, &e->synonyms_en};
            size_t first = m->phrases[lang].n;
            uint64_t key = 0;

            rc = hash_concept_id(e, &key);
            if (rc == 0 && e->label_it != NULL)
                rc = table_add(f, e->label_it, kind, i);
            if (rc == 0 && e->label_en != NULL)
                rc = table_add(f, e->label_en, kind, i);
            for (int s = 0; s < 2; s++) {
                for (size_t j = 0; j < syn[s]->n && rc == 0; j++)
                    rc = table_add(f, syn[s]->items[j], kind, i);
            }
            for (size_t p = first; p < m->phrases[lang].n; p++)
                m->phrases[lang].phrases[p].concept_key = key;
        }
    }
    return rc;
}

/* Orders phrases by first key, then longest first, then by keys and concept so duplicates
 * sit together. */
static int compare_phrase(const void *a, const void *b)
{
    const phrase_t *x = a, *y = b;

    if (x->keys[0] != y->keys[0])
        return x->keys[0] < y->keys[0] ? -1 : 1;
    if (x->n_keys != y->n_keys)
        return x->n_keys > y->n_keys ? -1 : 1;
    for (size_t i = 1; i < x->n_keys; i++) {
        if (x->keys[i] != y->keys[i])
            return x->keys[i] < y->keys[i] ? -1 : 1;
    }
    if (x->concept_key != y->concept_key)
        return x->concept_key < y->concept_key ? -1 : 1;
    return 0;
}

/* Sorts the phrases, drops duplicates (the same words for the same concept, as "mrna" in both
 * languages) and indexes each run of phrases by its first key. */
static int table_index(phrase_table_t *pt)
{
    size_t n = 0, cap;

    for (size_t i = 0; i < pt->n; i++)
        pt->phrases[i].keys = pt->keys + pt->phrases[i].off;
    if (pt->n > 0)
        qsort(pt->phrases, pt->n, sizeof(phrase_t), compare_phrase);
    for (size_t i = 0; i < pt->n; i++) {
        if (n == 0 || compare_phrase(&pt->phrases[n - 1], &pt->phrases[i]) != 0)
            pt->phrases[n++] = pt->phrases[i];
    }
    pt->n = n;
    cap = pow2_at_least(n * 2);
    pt->slots = tv__calloc(cap, sizeof(phrase_slot_t));
    if (pt->slots == NULL)
        return TV_ENOMEM;
    pt->mask = cap - 1;
    for (size_t i = 0; i < n; i++) {
        uint64_t first = pt->phrases[i].keys[0];
        size_t s = first & pt->mask;

        if (i > 0 && pt->phrases[i - 1].keys[0] == first)
            continue;
        while (pt->slots[s].count != 0)
            s = (s + 1) & pt->mask;
        pt->slots[s].first = first;
        pt->slots[s].start = (uint32_t)i;
        for (size_t j = i; j < n && pt->phrases[j].keys[0] == first; j++)
            pt->slots[s].count++;
    }
    return 0;
}

static void table_dispose(phrase_table_t *pt)
{
    tv__free(pt->phrases);
    tv__free(pt->keys);
    tv__free(pt->slots);
}

/* Stemmers are made per call: sb_stemmer objects are not thread-safe, and a new one costs
 * about 130 ns, well below the cost of stemming a short text. NULL means out of memory. */
static struct sb_stemmer *stemmer_new(tv_lang_t lang)
{
    return sb_stemmer_new(stemmer_names[lang], NULL);
}

int tv_text_model_create(const tv_taxonomy_t *t, tv_text_model_t **out)
{
    tv_text_model_t *m = tv__calloc(1, sizeof(*m));
    tokens_t tk = {0};
    filler_t f = {m, NULL, TV_LANG_IT, &tk};
    int rc = TV_ENOMEM;

    if (m == NULL)
        goto out;
    m->tax = t;
    for (size_t k = 0; k < TV__ARRAY_LEN(phrase_kinds); k++)
        m->n_concepts += tv_taxonomy_count(t, phrase_kinds[k]);
    rc = 0;
    for (int l = 0; l < LANG_COUNT && rc == 0; l++)
        rc = word_set_build(&m->stop[l], tv_taxonomy_stopwords(t, (tv_lang_t)l), &tk);
    for (int l = 0; l < LANG_COUNT && rc == 0; l++) {
        f.lang = (tv_lang_t)l;
        f.st = stemmer_new(f.lang);
        rc = f.st == NULL ? TV_ENOMEM : table_fill(&f);
        if (rc == 0)
            rc = table_index(&m->phrases[l]);
        sb_stemmer_delete(f.st);
    }
    if (rc != 0)
        goto out;
    *out = m;
    m = NULL;
out:
    tokens_dispose(&tk);
    tv_text_model_destroy(m);
    return rc;
}

void tv_text_model_destroy(tv_text_model_t *m)
{
    if (m == NULL)
        return;
    for (int l = 0; l < LANG_COUNT; l++) {
        word_set_dispose(&m->stop[l]);
        table_dispose(&m->phrases[l]);
    }
    tv__free(m);
}

/* ---- analysis ---- */

/* A term while the text is read; its display is not copied yet. */
typedef struct {
    uint64_t hash;
    uint32_t count;
    uint32_t len;
    const char *display;
} draft_t;

/* The terms of one text while it is read: an open-addressing map from hash to term. */
typedef struct {
    draft_t *terms;
    size_t n;
    uint32_t *slots; /* term index + 1, 0 when empty */
    size_t mask;
    tv_concept_t *concepts;
    size_t n_concepts;
} collect_t;

/* Room for every term of 'n' tokens: a stem per token and a term per concept. */
static int collect_init(collect_t *c, size_t n, size_t n_concepts)
{
    size_t most = n + n_concepts + 1, cap = pow2_at_least(most * 2);

    c->mask = cap - 1;
    c->slots = tv__calloc(cap, sizeof(uint32_t));
    c->terms = tv__malloc(most * sizeof(draft_t));
    c->concepts = tv__malloc((n_concepts + 1) * sizeof(tv_concept_t));
    if (c->slots == NULL || c->terms == NULL || c->concepts == NULL)
        return TV_ENOMEM;
    return 0;
}

static void collect_dispose(collect_t *c)
{
    tv__free(c->slots);
    tv__free(c->terms);
    tv__free(c->concepts);
}

static void collect_term(collect_t *c, uint64_t hash, const char *display, size_t len)
{
    size_t i = hash & c->mask;

    while (c->slots[i] != 0 && c->terms[c->slots[i] - 1].hash != hash)
        i = (i + 1) & c->mask;
    if (c->slots[i] != 0) {
        c->terms[c->slots[i] - 1].count++;
        return;
    }
    c->terms[c->n] = (draft_t){hash, 1, (uint32_t)len, display};
    c->slots[i] = (uint32_t)++c->n;
}

static void collect_concept(collect_t *c, const tv_text_model_t *m, const phrase_t *p,
                            tv_lang_t lang)
{
    const tv_taxo_entry_t *e = tv_taxonomy_entry(m->tax, (tv_taxo_kind_t)p->kind, p->index);
    const char *label = lang == TV_LANG_EN ? e->label_en : e->label_it;
    size_t i = 0;

    if (label == NULL)
        label = e->id;
    collect_term(c, p->concept_key, label, strlen(label));
    while (i < c->n_concepts &&
           !(c->concepts[i].kind == (tv_taxo_kind_t)p->kind && c->concepts[i].index == p->index))
        i++;
    if (i == c->n_concepts)
        c->concepts[c->n_concepts++] = (tv_concept_t){(tv_taxo_kind_t)p->kind, p->index};
}

static const phrase_slot_t *table_find(const phrase_table_t *pt, uint64_t first)
{
    for (size_t s = first & pt->mask; pt->slots[s].count != 0; s = (s + 1) & pt->mask) {
        if (pt->slots[s].first == first)
            return &pt->slots[s];
    }
    return NULL;
}

/* Finds the longest phrase starting at token 'at' and adds its concepts (several when the same
 * words name several concepts). Returns the tokens it covers, 0 if none. */
static size_t match_at(const tv_text_model_t *m, tv_lang_t lang, const tokens_t *tk, size_t at,
                       collect_t *c)
{
    const phrase_table_t *pt = &m->phrases[lang];
    const phrase_slot_t *s = table_find(pt, tk->items[at].key);
    size_t best = 0;

    for (size_t j = 0; s != NULL && j < s->count; j++) {
        const phrase_t *p = &pt->phrases[s->start + j];
        size_t k = 1;

        if (p->n_keys < best)
            break;
        if (at + p->n_keys > tk->n)
            continue;
        while (k < p->n_keys && tk->items[at + k].key == p->keys[k])
            k++;
        if (k == p->n_keys) {
            best = p->n_keys;
            collect_concept(c, m, p, lang);
        }
    }
    return best;
}

static void collect_all(const tv_text_model_t *m, tv_lang_t lang, const tokens_t *tk, collect_t *c)
{
    for (size_t i = 0; i < tk->n; i++) {
        const token_t *t = &tk->items[i];

        if (t->word && !t->stop[lang])
            collect_term(c, t->key, tk->text + t->start, t->len);
    }
    for (size_t i = 0; i < tk->n;) {
        size_t covered = match_at(m, lang, tk, i, c);

        i += covered > 0 ? covered : 1;
    }
}

static int compare_draft(const void *a, const void *b)
{
    const draft_t *x = a, *y = b;

    return x->hash < y->hash ? -1 : x->hash > y->hash;
}

/* Writes the terms, sorted, to 'out' in one block: the array, then the displays it points to.
 * Hands the concepts over too. */
static int collect_finish(collect_t *c, tv_bag_t *out)
{
    size_t bytes = c->n * sizeof(tv_term_t);
    tv_term_t *terms;
    char *text;

    for (size_t i = 0; i < c->n; i++)
        bytes += c->terms[i].len + 1;
    terms = tv__malloc(bytes);
    if (terms == NULL)
        return TV_ENOMEM;
    qsort(c->terms, c->n, sizeof(draft_t), compare_draft);
    text = (char *)(terms + c->n);
    for (size_t i = 0; i < c->n; i++) {
        const draft_t *d = &c->terms[i];

        terms[i] = (tv_term_t){d->hash, text, d->count};
        memcpy(text, d->display, d->len);
        text[d->len] = '\0';
        text += d->len + 1;
    }
    *out = (tv_bag_t){terms, c->n, c->concepts, c->n_concepts, TV_LANG_IT};
    c->concepts = NULL;
    return 0;
}

/* Guesses the language from the stop words of each; a tie is English. */
static tv_lang_t guess_lang(const tokens_t *tk)
{
    size_t count[LANG_COUNT] = {0, 0};

    for (size_t i = 0; i < tk->n; i++) {
        for (int l = 0; l < LANG_COUNT; l++)
            count[l] += tk->items[i].stop[l];
    }
    return count[TV_LANG_IT] > count[TV_LANG_EN] ? TV_LANG_IT : TV_LANG_EN;
}

static int parse_lang(const char *lang, int *out)
{
    if (lang == NULL || lang[0] == '\0')
        *out = -1;
    else if (strcmp(lang, "it") == 0)
        *out = TV_LANG_IT;
    else if (strcmp(lang, "en") == 0)
        *out = TV_LANG_EN;
    else
        return TV_EINVAL;
    return 0;
}

int tv_text_analyse(const tv_text_model_t *m, const char *text, const char *lang, tv_bag_t *out)
{
    tokens_t tk = {0};
    collect_t c = {0};
    struct sb_stemmer *st = NULL;
    int want, rc = parse_lang(lang, &want);
    tv_lang_t l;

    *out = (tv_bag_t){NULL, 0, NULL, 0, TV_LANG_IT};
    if (rc == 0)
        rc = scan(m, text, &tk);
    if (rc != 0)
        goto out;
    l = want < 0 ? guess_lang(&tk) : (tv_lang_t)want;
    rc = TV_ENOMEM;
    st = stemmer_new(l);
    if (st == NULL)
        goto out;
    rc = key_tokens(st, l, &tk);
    if (rc == 0)
        rc = collect_init(&c, tk.n, m->n_concepts);
    if (rc != 0)
        goto out;
    collect_all(m, l, &tk, &c);
    rc = collect_finish(&c, out);
    out->lang = l;
out:
    sb_stemmer_delete(st);
    collect_dispose(&c);
    tokens_dispose(&tk);
    return rc;
}

/* The displays live in the block of the terms array (collect_finish). */
void tv_bag_dispose(tv_bag_t *bag)
{
    tv__free(bag->terms);
    tv__free(bag->concepts);
    *bag = (tv_bag_t){NULL, 0, NULL, 0, TV_LANG_IT};
}

/* ---- document frequencies and vectors ---- */

/* An open-addressing map from term hash to document count, linear probing with backward-shift
 * deletion. count == 0 marks an empty slot. */
typedef struct {
    uint64_t hash;
    uint32_t count;
} df_slot_t;

struct tv_text_df {
    df_slot_t *slots;
    size_t mask; /* capacity - 1, or 0 with no slots */
    size_t used;
    uint32_t n_docs;
    uint32_t n_docs_lang[2]; /* by tv_lang_t */
};

int tv_text_df_create(tv_text_df_t **out)
{
    tv_text_df_t *df = tv__calloc(1, sizeof(*df));

    if (df == NULL)
        return TV_ENOMEM;
    *out = df;
    return 0;
}

void tv_text_df_destroy(tv_text_df_t *df)
{
    if (df == NULL)
        return;
    tv__free(df->slots);
    tv__free(df);
}

static df_slot_t *df_find(const tv_text_df_t *df, uint64_t hash)
{
    if (df->slots == NULL)
        return NULL;
    for (size_t i = hash & df->mask; df->slots[i].count != 0; i = (i + 1) & df->mask) {
        if (df->slots[i].hash == hash)
            return &df->slots[i];
    }
    return NULL;
}

/* Returns the slot of 'hash', claiming an empty one; the table must have room. */
static df_slot_t *df_slot(tv_text_df_t *df, uint64_t hash)
{
    size_t i = hash & df->mask;

    while (df->slots[i].count != 0 && df->slots[i].hash != hash)
        i = (i + 1) & df->mask;
    if (df->slots[i].count == 0) {
        df->slots[i].hash = hash;
        df->used++;
    }
    return &df->slots[i];
}

/* Makes room for 'more' new terms at a load of at most 3/4. */
static int df_reserve(tv_text_df_t *df, size_t more)
{
    size_t cap = df->slots == NULL ? 0 : df->mask + 1, ncap;
    df_slot_t *old = df->slots;

    if ((df->used + more) * 4 <= cap * 3)
        return 0;
    ncap = pow2_at_least((df->used + more) * 2);
    df->slots = tv__calloc(ncap, sizeof(df_slot_t));
    if (df->slots == NULL) {
        df->slots = old;
        return TV_ENOMEM;
    }
    df->mask = ncap - 1;
    df->used = 0;
    for (size_t i = 0; i < cap; i++) {
        if (old[i].count != 0)
            df_slot(df, old[i].hash)->count = old[i].count;
    }
    tv__free(old);
    return 0;
}

int tv_text_df_add(tv_text_df_t *df, const tv_bag_t *bag)
{
    int rc = df_reserve(df, bag->n_terms);

    if (rc != 0)
        return rc;
    for (size_t i = 0; i < bag->n_terms; i++)
        df_slot(df, bag->terms[i].hash)->count++;
    df->n_docs++;
    df->n_docs_lang[bag->lang == TV_LANG_IT ? 0 : 1]++;
    return 0;
}

static void df_delete(tv_text_df_t *df, df_slot_t *slot)
{
    size_t hole = (size_t)(slot - df->slots), j = hole;

    df->slots[hole].count = 0;
    df->used--;
    for (;;) {
        size_t home;

        j = (j + 1) & df->mask;
        if (df->slots[j].count == 0)
            break;
        home = df->slots[j].hash & df->mask;
        /* The entry at j may move into the hole unless its home lies cyclically in (hole, j]. */
        if (hole <= j ? (home <= hole || home > j) : (home <= hole && home > j)) {
            df->slots[hole] = df->slots[j];
            df->slots[j].count = 0;
            hole = j;
        }
    }
}

void tv_text_df_remove(tv_text_df_t *df, const tv_bag_t *bag)
{
    for (size_t i = 0; i < bag->n_terms; i++) {
        df_slot_t *s = df_find(df, bag->terms[i].hash);

        if (s != NULL && --s->count == 0)
            df_delete(df, s);
    }
    if (df->n_docs > 0)
        df->n_docs--;
    if (df->n_docs_lang[bag->lang == TV_LANG_IT ? 0 : 1] > 0)
        df->n_docs_lang[bag->lang == TV_LANG_IT ? 0 : 1]--;
}

float tv_text_weight(const tv_text_df_t *df, const tv_bag_t *bag, size_t i)
{
    const df_slot_t *s;
    double n, d;

    assert(df != NULL && i < bag->n_terms);
    s = df_find(df, bag->terms[i].hash);
    n = df->n_docs;
    d = s == NULL ? 0 : s->count;
    return (float)((1.0 + log((double)bag->terms[i].count)) * (log((n + 1.0) / (d + 1.0)) + 1.0));
}

double tv_text_df_share(const tv_text_df_t *df, const tv_bag_t *bag, size_t i)
{
    uint32_t n = df->n_docs_lang[bag->lang == TV_LANG_IT ? 0 : 1];
    const df_slot_t *s;

    assert(df != NULL && i < bag->n_terms);
    s = df_find(df, bag->terms[i].hash);
    if (s == NULL || n == 0)
        return 0;
    return s->count >= n ? 1.0 : (double)s->count / n;
}

void tv_text_vector(const tv_text_df_t *df, const tv_bag_t *bag, float *out, size_t width)
{
    if (width == 0)
        return;
    memset(out, 0, width * sizeof(float));
    for (size_t i = 0; i < bag->n_terms; i++) {
        uint64_t h = bag->terms[i].hash;
        float w = tv_text_weight(df, bag, i);

        out[h % width] += (h >> 63) != 0 ? -w : w;
    }
}
