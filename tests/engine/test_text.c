/* Tests engine/match/text.c: normalisation, stop words, stems, taxonomy phrases across Italian and
 * English, document frequencies, TF-IDF weights and hashed vectors. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "core/internal.h"
#include "support.h"
#include "tavolo/text.h"

#define WIDTH 1024

static tv_taxonomy_t *tax;
static tv_text_model_t *model;

static int setup(void **state)
{
    (void)state;
    tax = tvt_taxonomy();
    return tv_text_model_create(tax, &model);
}

static int teardown(void **state)
{
    (void)state;
    tv_text_model_destroy(model);
    tv_taxonomy_destroy(tax);
    return 0;
}

static tv_bag_t analyse(const char *text, const char *lang)
{
    tv_bag_t bag;

    assert_int_equal(tv_text_analyse(model, text, lang, &bag), 0);
    return bag;
}

/* The term shown as 'display', or NULL. */
static const tv_term_t *term(const tv_bag_t *bag, const char *display)
{
    for (size_t i = 0; i < bag->n_terms; i++) {
        if (strcmp(bag->terms[i].display, display) == 0)
            return &bag->terms[i];
    }
    return NULL;
}

static int has_concept(const tv_bag_t *bag, tv_taxo_kind_t kind, const char *id)
{
    int index = tv_taxonomy_find(tax, kind, id);

    assert_true(index >= 0);
    for (size_t i = 0; i < bag->n_concepts; i++) {
        if (bag->concepts[i].kind == kind && bag->concepts[i].index == index)
            return 1;
    }
    return 0;
}

static double cosine(const float *a, const float *b)
{
    double ab = 0, aa = 0, bb = 0;

    for (size_t i = 0; i < WIDTH; i++) {
        ab += (double)a[i] * b[i];
        aa += (double)a[i] * a[i];
        bb += (double)b[i] * b[i];
    }
    return aa == 0 || bb == 0 ? 0 : ab / sqrt(aa * bb);
}

static void test_text_italian_and_english_share_the_lung_cancer_concept(void **state)
{
    const char *texts[4][2] = {
        {"Sviluppiamo terapie a RNA per il tumore al polmone", "it"},
        {"We develop RNA therapeutics for lung cancer", "en"},
        {"Bioplastiche da scarti agricoli per imballaggi", "it"},
        {"biodegradable packaging from crop residues", "en"},
    };
    static float vec[4][WIDTH];
    tv_bag_t bags[4];
    tv_text_df_t *df;

    (void)state;
    assert_int_equal(tv_text_df_create(&df), 0);
    for (int i = 0; i < 4; i++) {
        bags[i] = analyse(texts[i][0], texts[i][1]);
        assert_int_equal(tv_text_df_add(df, &bags[i]), 0);
    }
    for (int i = 0; i < 2; i++) {
        assert_true(has_concept(&bags[i], TV_TAXO_PATHOLOGY, "oncology.lung"));
        assert_true(has_concept(&bags[i], TV_TAXO_TECHNOLOGY, "rna"));
    }
    for (int i = 0; i < 4; i++)
        tv_text_vector(df, &bags[i], vec[i], WIDTH);
    /* The shared terms are "rna" and the two concepts; the unrelated texts share nothing. */
    assert_true(cosine(vec[0], vec[1]) > 0.25);
    for (int i = 0; i < 2; i++) {
        for (int j = 2; j < 4; j++)
            assert_true(cosine(vec[i], vec[j]) < 0.1);
    }
    for (int i = 0; i < 4; i++)
        tv_bag_dispose(&bags[i]);
    tv_text_df_destroy(df);
}

static void test_text_drops_stop_words_and_filler(void **state)
{
    tv_bag_t it = analyse("La società sviluppa anticorpi per il tumore e per la fibrosi", "it");
    tv_bag_t en = analyse("The company develops antibodies for the lung and the liver", "en");

    (void)state;
    assert_null(term(&it, "la"));
    assert_null(term(&it, "per"));
    assert_null(term(&it, "il"));
    assert_null(term(&it, "e"));
    assert_null(term(&it, "società"));
    assert_null(term(&it, "sviluppa"));
    assert_non_null(term(&it, "anticorpi"));
    assert_non_null(term(&it, "fibrosi"));
    assert_null(term(&en, "the"));
    assert_null(term(&en, "for"));
    assert_null(term(&en, "and"));
    assert_null(term(&en, "company"));
    assert_null(term(&en, "develops"));
    assert_non_null(term(&en, "antibodies"));
    assert_non_null(term(&en, "liver"));
    tv_bag_dispose(&it);
    tv_bag_dispose(&en);
}

static void test_text_stems_merge_italian_inflections(void **state)
{
    tv_bag_t bag = analyse("tumori e tumore, terapia e terapie", "it");

    (void)state;
    assert_non_null(term(&bag, "tumori"));
    assert_int_equal(term(&bag, "tumori")->count, 2);
    assert_null(term(&bag, "tumore"));
    assert_int_equal(term(&bag, "terapia")->count, 2);
    tv_bag_dispose(&bag);
}

static void test_text_stems_merge_english_inflections(void **state)
{
    tv_bag_t bag = analyse("therapies and therapy; antibody and antibodies", "en");

    (void)state;
    assert_int_equal(term(&bag, "therapies")->count, 2);
    assert_null(term(&bag, "therapy"));
    assert_int_equal(term(&bag, "antibody")->count, 2);
    tv_bag_dispose(&bag);
}

static void test_text_guesses_the_language_from_stop_words(void **state)
{
    /* The concept's display is the label of the language used. */
    tv_bag_t it = analyse("Una terapia per il tumore al polmone e per la fibrosi", "");
    tv_bag_t en = analyse("A therapy for lung cancer and for the fibrosis of the liver", "");
    tv_bag_t tie = analyse("NSCLC", "");

    (void)state;
    assert_non_null(term(&it, "Tumore del polmone"));
    assert_non_null(term(&en, "Lung cancer"));
    assert_non_null(term(&tie, "Lung cancer"));
    tv_bag_dispose(&it);
    tv_bag_dispose(&en);
    tv_bag_dispose(&tie);
}

static void test_text_display_is_the_first_surface_form_or_the_label(void **state)
{
    tv_bag_t bag = analyse("Ｔumori KRAS e TUMORE al polmone; ﬁbrosi", "it");

    (void)state;
    /* Normalised: full-width letters and ligatures folded, lower case, accents kept. */
    assert_non_null(term(&bag, "tumori"));
    assert_non_null(term(&bag, "kras"));
    assert_non_null(term(&bag, "fibrosi"));
    assert_non_null(term(&bag, "Tumore del polmone"));
    tv_bag_dispose(&bag);
    /* U+FDFA decomposes into 18 code points from 3 bytes: the buffer must grow. */
    bag = analyse("\xef\xb7\xba terapia", "it");
    assert_non_null(term(&bag, "terapia"));
    tv_bag_dispose(&bag);
    bag = analyse("Perché più è già", "it");
    assert_int_equal(bag.n_terms, 0);
    tv_bag_dispose(&bag);
}

static void test_text_terms_are_sorted_and_unique(void **state)
{
    size_t len;
    char *text = tvt_read_fixture("companies.jsonl", &len);
    tv_bag_t bag;

    (void)state;
    /* A long text with many repeats: the whole fixture, JSON punctuation and all. */
    bag = analyse(text, "en");
    assert_true(bag.n_terms > 500);
    for (size_t i = 1; i < bag.n_terms; i++)
        assert_true(bag.terms[i - 1].hash < bag.terms[i].hash);
    for (size_t i = 0; i < bag.n_concepts; i++) {
        for (size_t j = 0; j < i; j++)
            assert_false(bag.concepts[i].kind == bag.concepts[j].kind &&
                         bag.concepts[i].index == bag.concepts[j].index);
    }
    tv_bag_dispose(&bag);
    free(text);
}

static void test_text_counts_occurrences_and_keeps_concept_order(void **state)
{
    tv_bag_t bag = analyse("COPD, then lung cancer, then COPD again; COPD.", "en");

    (void)state;
    assert_int_equal(term(&bag, "copd")->count, 3);
    assert_int_equal(term(&bag, "Chronic obstructive pulmonary disease (COPD)")->count, 3);
    assert_int_equal(term(&bag, "Lung cancer")->count, 1);
    assert_int_equal(bag.n_concepts, 2);
    assert_true(has_concept(&bag, TV_TAXO_PATHOLOGY, "respiratory.copd"));
    assert_int_equal(bag.concepts[0].index,
                     tv_taxonomy_find(tax, TV_TAXO_PATHOLOGY, "respiratory.copd"));
    assert_int_equal(bag.concepts[1].index,
                     tv_taxonomy_find(tax, TV_TAXO_PATHOLOGY, "oncology.lung"));
    tv_bag_dispose(&bag);
}

static void test_text_keys_are_xxhash_of_stem_and_concept_id(void **state)
{
    tv_bag_t bag = analyse("mRNA", "en");

    (void)state;
    assert_int_equal(term(&bag, "mrna")->hash, XXH64("mrna", 4, 0));
    assert_int_equal(term(&bag, "mRNA")->hash, XXH64("@rna.mrna", 9, 0));
    tv_bag_dispose(&bag);
}

static void test_text_drops_short_tokens_and_numbers(void **state)
{
    tv_bag_t bag = analyse("phase 2a, 68% at 2–8 °C in 2025: x y z β-catenin", "en");

    (void)state;
    assert_non_null(term(&bag, "phase"));
    assert_non_null(term(&bag, "2a"));
    assert_non_null(term(&bag, "catenin"));
    assert_null(term(&bag, "68"));
    assert_null(term(&bag, "2025"));
    assert_null(term(&bag, "x"));
    assert_null(term(&bag, "β"));
    tv_bag_dispose(&bag);
}

static void test_text_rejects_invalid_utf8_and_unknown_languages(void **state)
{
    const char *bad[] = {"tumore \xff", "abc\xc3\x28", "\xc0\xaf", "\xed\xa0\x80 surrogate"};
    tv_bag_t bag;

    (void)state;
    for (size_t i = 0; i < TV__ARRAY_LEN(bad); i++) {
        assert_int_equal(tv_text_analyse(model, bad[i], "it", &bag), TV_EINVAL);
        assert_null(bag.terms);
        assert_int_equal(bag.n_terms, 0);
        tv_bag_dispose(&bag);
    }
    assert_int_equal(tv_text_analyse(model, "terapia", "fr", &bag), TV_EINVAL);
    tv_bag_dispose(&bag);
    bag = analyse("", "");
    assert_int_equal(bag.n_terms, 0);
    assert_int_equal(bag.n_concepts, 0);
    tv_bag_dispose(&bag);
}

static void test_text_matches_acronyms_and_hyphenated_synonyms(void **state)
{
    const struct {
        const char *text, *lang;
        tv_taxo_kind_t kind;
        const char *id;
    } cases[] = {
        {"Resistance in NSCLC", "en", TV_TAXO_PATHOLOGY, "oncology.lung"},
        {"pazienti con BPCO", "it", TV_TAXO_PATHOLOGY, "respiratory.copd"},
        {"patients with COPD", "en", TV_TAXO_PATHOLOGY, "respiratory.copd"},
        {"armoured CAR-T cells", "en", TV_TAXO_TECHNOLOGY, "immunotherapy.car_t"},
        {"armoured CAR T cells", "en", TV_TAXO_TECHNOLOGY, "immunotherapy.car_t"},
        {"cellule CAR-T allogeniche", "it", TV_TAXO_TECHNOLOGY, "immunotherapy.car_t"},
        {"CAR T-cell therapy", "en", TV_TAXO_TECHNOLOGY, "immunotherapy.car_t"},
        {"l'mRNA ha ridotto", "it", TV_TAXO_TECHNOLOGY, "rna.mrna"},
        {"self-amplifying mRNA vaccines", "en", TV_TAXO_TECHNOLOGY, "rna.mrna_vaccines"},
        {"anti-PD-1 antibodies", "en", TV_TAXO_TECHNOLOGY, "immunotherapy.checkpoint_inhibitors"},
        {"HER2-positive breast cancer", "en", TV_TAXO_PATHOLOGY, "oncology.breast"},
        {"diabete di tipo 1", "it", TV_TAXO_PATHOLOGY, "chronic_degenerative.diabetes"},
        {"Huntington's disease", "en", TV_TAXO_PATHOLOGY, "chronic_degenerative.neurodegenerative"},
    };

    (void)state;
    for (size_t i = 0; i < TV__ARRAY_LEN(cases); i++) {
        tv_bag_t bag = analyse(cases[i].text, cases[i].lang);

        if (!has_concept(&bag, cases[i].kind, cases[i].id))
            fail_msg("\"%s\" should find %s", cases[i].text, cases[i].id);
        /* One-letter pieces match inside phrases but never become terms. */
        assert_null(term(&bag, "t"));
        tv_bag_dispose(&bag);
    }
}

static void test_text_longest_phrase_wins_and_phrases_do_not_overlap(void **state)
{
    tv_bag_t bag = analyse("mRNA CAR-T", "en");

    (void)state;
    assert_int_equal(bag.n_concepts, 1);
    assert_true(has_concept(&bag, TV_TAXO_TECHNOLOGY, "rna.mrna_car_t"));
    tv_bag_dispose(&bag);
    bag = analyse("carcinoma polmonare non a piccole cellule", "it");
    assert_int_equal(bag.n_concepts, 1);
    assert_true(has_concept(&bag, TV_TAXO_PATHOLOGY, "oncology.lung"));
    /* The words of a phrase still count as ordinary terms. */
    assert_non_null(term(&bag, "carcinoma"));
    assert_non_null(term(&bag, "cellule"));
    tv_bag_dispose(&bag);
}

static void test_text_finds_english_synonyms_in_italian_texts(void **state)
{
    tv_bag_t bag = analyse("Usiamo il plant breeding e la precision fermentation", "it");

    (void)state;
    assert_true(has_concept(&bag, TV_TAXO_TECHNOLOGY, "genetics_breeding"));
    assert_true(has_concept(&bag, TV_TAXO_TECHNOLOGY, "precision_fermentation"));
    tv_bag_dispose(&bag);
}

static void test_text_weight_follows_the_tf_idf_formula(void **state)
{
    tv_bag_t a = analyse("fibrosi fibrosi fibrosi polmone", "it");
    tv_bag_t b = analyse("fibrosi cuore", "it"), c = analyse("rene", "it");
    tv_text_df_t *df;
    size_t fib, pol;

    (void)state;
    assert_int_equal(tv_text_df_create(&df), 0);
    assert_int_equal(tv_text_df_add(df, &a), 0);
    assert_int_equal(tv_text_df_add(df, &b), 0);
    assert_int_equal(tv_text_df_add(df, &c), 0);
    fib = (size_t)(term(&a, "fibrosi") - a.terms);
    pol = (size_t)(term(&a, "polmone") - a.terms);
    /* N = 3; "fibrosi" is in 2 documents, 3 times in a; "polmone" in 1, once. */
    assert_float_equal(tv_text_weight(df, &a, fib), (1 + log(3)) * (log(4.0 / 3.0) + 1), 1e-5);
    assert_float_equal(tv_text_weight(df, &a, pol), 1 * (log(4.0 / 2.0) + 1), 1e-5);
    tv_text_df_destroy(df);
    /* An empty corpus: N = 0 and df = 0 give an IDF factor of 1. */
    assert_int_equal(tv_text_df_create(&df), 0);
    assert_float_equal(tv_text_weight(df, &a, fib), 1 + log(3), 1e-5);
    tv_text_df_destroy(df);
    tv_bag_dispose(&a);
    tv_bag_dispose(&b);
    tv_bag_dispose(&c);
}

static void test_text_df_remove_undoes_df_add(void **state)
{
    size_t len;
    char *text = tvt_read_fixture("companies.jsonl", &len);
    tv_bag_t big = analyse(text, "en"), small = analyse("fibrosi polmonare", "it");
    tv_text_df_t *df, *ref;

    (void)state;
    assert_int_equal(tv_text_df_create(&df), 0);
    assert_int_equal(tv_text_df_create(&ref), 0);
    assert_int_equal(tv_text_df_add(df, &small), 0);
    assert_int_equal(tv_text_df_add(ref, &small), 0);
    /* Enough terms to grow the table and to move entries when they are deleted. */
    assert_int_equal(tv_text_df_add(df, &big), 0);
    assert_int_equal(tv_text_df_add(df, &big), 0);
    tv_text_df_remove(df, &big);
    tv_text_df_remove(df, &big);
    for (size_t i = 0; i < small.n_terms; i++)
        assert_float_equal(tv_text_weight(df, &small, i), tv_text_weight(ref, &small, i), 1e-6);
    for (size_t i = 0; i < big.n_terms; i++)
        assert_float_equal(tv_text_weight(df, &big, i), tv_text_weight(ref, &big, i), 1e-6);
    tv_text_df_remove(df, &small);
    tv_text_df_remove(ref, &small);
    for (size_t i = 0; i < big.n_terms; i++)
        assert_float_equal(tv_text_weight(df, &big, i), tv_text_weight(ref, &big, i), 1e-6);
    tv_text_df_destroy(df);
    tv_text_df_destroy(ref);
    tv_bag_dispose(&big);
    tv_bag_dispose(&small);
    free(text);
}

static void test_text_vector_signs_by_bit_63_and_buckets_by_modulo(void **state)
{
    tv_term_t terms[3] = {
        {UINT64_C(0x8000000000000005), "minus", 1}, /* bucket 5 % 4 = 1, negative */
        {UINT64_C(7), "plus", 1},                   /* bucket 3, positive */
        {UINT64_C(11), "plus too", 1},              /* bucket 3 again: adds up */
    };
    tv_bag_t bag = {terms, 3, NULL, 0, TV_LANG_IT};
    float out[4] = {9, 9, 9, 9};
    tv_text_df_t *df;

    (void)state;
    assert_int_equal(tv_text_df_create(&df), 0);
    /* With no documents every weight is (1 + ln 1) * (ln 1 + 1) = 1. */
    tv_text_vector(df, &bag, out, 4);
    assert_float_equal(out[0], 0, 0);
    assert_float_equal(out[1], -1, 1e-6);
    assert_float_equal(out[2], 0, 0);
    assert_float_equal(out[3], 2, 1e-6);
    tv_text_df_destroy(df);
}

typedef struct {
    char **texts;
    size_t n;
    uint64_t sum;
} thread_job_t;

static void *analyse_all(void *arg)
{
    thread_job_t *job = arg;

    for (int round = 0; round < 20; round++) {
        for (size_t i = 0; i < job->n; i++) {
            tv_bag_t bag;

            if (tv_text_analyse(model, job->texts[i], "", &bag) != 0)
                return NULL;
            for (size_t j = 0; j < bag.n_terms; j++)
                job->sum += bag.terms[j].hash * bag.terms[j].count;
            tv_bag_dispose(&bag);
        }
    }
    return job;
}

static void test_text_analyse_is_safe_from_several_threads(void **state)
{
    size_t len, n = 0;
    char *text = tvt_read_fixture("companies.jsonl", &len), *lines[128];
    thread_job_t jobs[4];
    pthread_t threads[4];

    (void)state;
    for (char *line = strtok(text, "\n"); line != NULL && n < 128; line = strtok(NULL, "\n"))
        lines[n++] = line;
    for (int i = 0; i < 4; i++) {
        jobs[i] = (thread_job_t){lines, n, 0};
        assert_int_equal(pthread_create(&threads[i], NULL, analyse_all, &jobs[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        void *ret;

        assert_int_equal(pthread_join(threads[i], &ret), 0);
        assert_non_null(ret);
        assert_int_equal(jobs[i].sum, jobs[0].sum);
    }
    free(text);
}

/* Fails each allocation of 'step' in turn until it succeeds: every failure must be TV_ENOMEM,
 * and the sanitizer build checks that none leaks. */
static void fail_each_allocation(int (*step)(void *), void *arg, int min_failures)
{
    int failures = 0;

    for (long n = 1; n < 100000; n++) {
        int rc;

        tv__alloc_fail_at(n);
        rc = step(arg);
        tv__alloc_fail_at(0);
        if (rc == 0)
            break;
        if (rc != TV_ENOMEM)
            fail_msg("allocation %ld failed: got %d, expected TV_ENOMEM", n, rc);
        failures++;
    }
    assert_true(failures >= min_failures);
}

static int create_model(void *arg)
{
    tv_text_model_t *m = NULL;
    int rc = tv_text_model_create(arg, &m);

    tv_text_model_destroy(m);
    return rc;
}

static int analyse_text(void *arg)
{
    tv_bag_t bag;
    int rc = tv_text_analyse(model, arg, "", &bag);

    tv_bag_dispose(&bag);
    return rc;
}

static int add_to_df(void *arg)
{
    const tv_bag_t *bag = arg;
    tv_text_df_t *df = NULL;
    int rc = tv_text_df_create(&df);

    if (rc == 0)
        rc = tv_text_df_add(df, bag);
    /* A failed add leaves the frequencies as they were: empty, so the IDF factor is 1. */
    if (rc != 0 && df != NULL)
        assert_float_equal(tv_text_weight(df, bag, 0), 1 + log(bag->terms[0].count), 1e-5);
    tv_text_df_destroy(df);
    return rc;
}

static void test_text_alloc_failures_return_enomem_and_leak_nothing(void **state)
{
    size_t len;
    char *text = tvt_read_fixture("companies.jsonl", &len);
    tv_bag_t bag = analyse(text, "en");

    (void)state;
    fail_each_allocation(create_model, tax, 20);
    fail_each_allocation(analyse_text, "Sviluppiamo terapie a RNA per il tumore al polmone", 5);
    fail_each_allocation(analyse_text, text, 5);
    fail_each_allocation(add_to_df, &bag, 2);
    tv_bag_dispose(&bag);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_italian_and_english_share_the_lung_cancer_concept),
        cmocka_unit_test(test_text_drops_stop_words_and_filler),
        cmocka_unit_test(test_text_stems_merge_italian_inflections),
        cmocka_unit_test(test_text_stems_merge_english_inflections),
        cmocka_unit_test(test_text_guesses_the_language_from_stop_words),
        cmocka_unit_test(test_text_display_is_the_first_surface_form_or_the_label),
        cmocka_unit_test(test_text_terms_are_sorted_and_unique),
        cmocka_unit_test(test_text_counts_occurrences_and_keeps_concept_order),
        cmocka_unit_test(test_text_keys_are_xxhash_of_stem_and_concept_id),
        cmocka_unit_test(test_text_drops_short_tokens_and_numbers),
        cmocka_unit_test(test_text_rejects_invalid_utf8_and_unknown_languages),
        cmocka_unit_test(test_text_matches_acronyms_and_hyphenated_synonyms),
        cmocka_unit_test(test_text_longest_phrase_wins_and_phrases_do_not_overlap),
        cmocka_unit_test(test_text_finds_english_synonyms_in_italian_texts),
        cmocka_unit_test(test_text_weight_follows_the_tf_idf_formula),
        cmocka_unit_test(test_text_df_remove_undoes_df_add),
        cmocka_unit_test(test_text_vector_signs_by_bit_63_and_buckets_by_modulo),
        cmocka_unit_test(test_text_analyse_is_safe_from_several_threads),
        cmocka_unit_test(test_text_alloc_failures_return_enomem_and_leak_nothing),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
