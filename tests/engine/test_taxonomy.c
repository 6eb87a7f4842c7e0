/* Tests engine/core/taxonomy.c and engine/codec/codec_taxonomy.c against fixtures/taxonomy.json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

static void assert_ids(const tv_taxonomy_t *t, tv_taxo_kind_t kind, const char *const *ids)
{
    for (size_t i = 0; ids[i] != NULL; i++) {
        if (tv_taxonomy_find(t, kind, ids[i]) < 0)
            fail_msg("%s lacks the contract id \"%s\"", tv_taxonomy_kind_key(kind), ids[i]);
    }
}

static void test_taxonomy_has_every_contract_id(void **state)
{
    static const char *const pathologies[] = {
        "cardiovascular", "oncology", "respiratory", "chronic_degenerative",
        "infectious",     "amr",      NULL};
    static const char *const technologies[] = {"rna",
                                               "gene_cell",
                                               "immunotherapy",
                                               "antibodies",
                                               "antivirals",
                                               "microbiome",
                                               "genetics_breeding",
                                               "precision_fermentation",
                                               "synthetic_biology",
                                               NULL};
    static const char *const priorities[] = {"ghg_reduction",
                                             "pollutant_reduction",
                                             "biodiversity",
                                             "healthy_food",
                                             "biomass_conversion",
                                             "biomolecules",
                                             NULL};
    static const char *const stages[] = {"discovery", "preclinical", "phase1", "phase2",
                                         "phase3",    "approved",    "lab",    "pilot",
                                         "demo",      "industrial",  NULL};
    static const char *const rounds[] = {"pre_seed", "seed", "series_a", "series_b", "series_c",
                                         "growth",   "ipo",  "grant",    NULL};
    static const char *const kinds[] = {"vc",        "cvc",           "pharma_bd",     "government",
                                        "sovereign", "family_office", "angel_network", NULL};
    tv_taxonomy_t *t = tvt_taxonomy();

    (void)state;
    assert_ids(t, TV_TAXO_PATHOLOGY, pathologies);
    assert_ids(t, TV_TAXO_TECHNOLOGY, technologies);
    assert_ids(t, TV_TAXO_PRIORITY, priorities);
    assert_ids(t, TV_TAXO_STAGE, stages);
    assert_ids(t, TV_TAXO_ROUND, rounds);
    assert_ids(t, TV_TAXO_INVESTOR_KIND, kinds);
    tv_taxonomy_destroy(t);
}

static void test_taxonomy_entries_have_both_labels(void **state)
{
    tv_taxonomy_t *t = tvt_taxonomy();

    (void)state;
    for (int k = 0; k < TV_TAXO_KIND_COUNT; k++) {
        assert_true(tv_taxonomy_count(t, (tv_taxo_kind_t)k) > 0);
        for (size_t i = 0; i < tv_taxonomy_count(t, (tv_taxo_kind_t)k); i++) {
            const tv_taxo_entry_t *e = tv_taxonomy_entry(t, (tv_taxo_kind_t)k, i);

            assert_non_null(e->label_it);
            assert_non_null(e->label_en);
        }
    }
    tv_taxonomy_destroy(t);
}

static void test_taxonomy_stages_have_tracks_in_order(void **state)
{
    tv_taxonomy_t *t = tvt_taxonomy();
    const tv_taxo_entry_t *phase1 =
        tv_taxonomy_entry(t, TV_TAXO_STAGE, (size_t)tv_taxonomy_find(t, TV_TAXO_STAGE, "phase1"));
    const tv_taxo_entry_t *pilot =
        tv_taxonomy_entry(t, TV_TAXO_STAGE, (size_t)tv_taxonomy_find(t, TV_TAXO_STAGE, "pilot"));

    (void)state;
    assert_int_equal(phase1->track, TV_TRACK_MEDICINE);
    assert_int_equal(phase1->order, 2);
    assert_int_equal(pilot->track, TV_TRACK_INDUSTRIAL);
    assert_int_equal(pilot->order, 1);
    tv_taxonomy_destroy(t);
}

static void test_taxonomy_children_inherit_root_and_area(void **state)
{
    tv_taxonomy_t *t = tvt_taxonomy();
    int lung = tv_taxonomy_find(t, TV_TAXO_PATHOLOGY, "oncology.lung");
    int onc = tv_taxonomy_find(t, TV_TAXO_PATHOLOGY, "oncology");
    int mrna = tv_taxonomy_find(t, TV_TAXO_TECHNOLOGY, "rna.mrna");
    int rna = tv_taxonomy_find(t, TV_TAXO_TECHNOLOGY, "rna");

    (void)state;
    assert_true(lung >= 0 && onc >= 0 && mrna >= 0 && rna >= 0);
    assert_int_equal(tv_taxonomy_root(t, TV_TAXO_PATHOLOGY, (size_t)lung), onc);
    assert_int_equal(tv_taxonomy_entry(t, TV_TAXO_TECHNOLOGY, (size_t)mrna)->area,
                     tv_taxonomy_entry(t, TV_TAXO_TECHNOLOGY, (size_t)rna)->area);
    assert_int_equal(tv_taxonomy_entry(t, TV_TAXO_TECHNOLOGY, (size_t)rna)->area,
                     tv_taxonomy_find(t, TV_TAXO_AREA, "precision_medicine"));
    tv_taxonomy_destroy(t);
}

static void test_taxonomy_knows_iso_countries(void **state)
{
    tv_taxonomy_t *t = tvt_taxonomy();

    (void)state;
    assert_true(tv_taxonomy_has_country(t, "IT"));
    assert_true(tv_taxonomy_has_country(t, "US"));
    assert_false(tv_taxonomy_has_country(t, "XX"));
    assert_false(tv_taxonomy_has_country(t, "it"));
    assert_true(tv_taxonomy_countries(t)->n >= 240);
    tv_taxonomy_destroy(t);
}

#define MINIMAL_LIST(key)                                                                          \
    "\"" key "\": [{\"id\": \"x\", \"label\": {\"it\": \"x\", \"en\": \"x\"}}]"

/* A taxonomy text with every list holding one plain entry, and 'pathologies' replaced. */
static int parse_with_pathologies(const char *pathologies, tv_diags_t *diags)
{
    char text[4096];
    tv_taxonomy_t *t = NULL;
    int rc;

    snprintf(
        text, sizeof(text),
        "{" MINIMAL_LIST("areas") ", \"pathologies\": %s, " MINIMAL_LIST(
            "technologies") ", " MINIMAL_LIST("priorities") ", \"stages\": [{\"id\": \"s\", "
                                                            "\"label\": {\"it\": \"s\", "
                                                            "\"en\": \"s\"}, \"track\": "
                                                            "\"medicine\", \"order\": 0}], "
                                                            "\"rounds\": [{\"id\": \"r\", "
                                                            "\"label\": {\"it\": \"r\", "
                                                            "\"en\": \"r\"}, \"order\": 0, "
                                                            "\"typical_eur\": [1, "
                                                            "2]}], " MINIMAL_LIST("investor_kinds") ", " MINIMAL_LIST("regions") ", " MINIMAL_LIST(
                                                                "it_regions") ", \"events\": "
                                                                              "[{\"id\": \"e\", "
                                                                              "\"label\": {\"it\": "
                                                                              "\"e\", \"en\": "
                                                                              "\"e\"}, \"city\": "
                                                                              "\"c\", \"country\": "
                                                                              "\"IT\", \"month\": "
                                                                              "1}], \"countries\": "
                                                                              "[\"IT\"]}",
        pathologies);
    rc = tv_codec_taxonomy_parse(text, strlen(text), &t, diags);
    tv_taxonomy_destroy(t);
    return rc;
}

static void test_taxonomy_parse_accepts_minimal_file(void **state)
{
    tv_diags_t d = {0};

    (void)state;
    assert_int_equal(parse_with_pathologies("[{\"id\": \"a\", \"label\": {\"it\": \"a\", \"en\": "
                                            "\"a\"}}]",
                                            &d),
                     0);
    tv_diags_dispose(&d);
}

static void test_taxonomy_parse_rejects_repeated_id(void **state)
{
    tv_diags_t d = {0};

    (void)state;
    assert_int_equal(parse_with_pathologies("[{\"id\": \"a\", \"label\": {\"it\": \"a\", \"en\": "
                                            "\"a\"}}, {\"id\": \"a\", \"label\": {\"it\": \"b\", "
                                            "\"en\": \"b\"}}]",
                                            &d),
                     TV_EINVAL);
    tvt_assert_diag(&d, 0, "pathologies[1]", "repeats an id");
    tv_diags_dispose(&d);
}

static void test_taxonomy_parse_rejects_parent_cycle(void **state)
{
    tv_diags_t d = {0};

    (void)state;
    assert_int_equal(parse_with_pathologies("[{\"id\": \"a\", \"parent\": \"b\", \"label\": "
                                            "{\"it\": \"a\", \"en\": \"a\"}}, {\"id\": \"b\", "
                                            "\"parent\": \"a\", \"label\": {\"it\": \"b\", "
                                            "\"en\": \"b\"}}]",
                                            &d),
                     TV_EINVAL);
    tvt_assert_diag(&d, 0, "pathologies", "cycle");
    tv_diags_dispose(&d);
}

static void test_taxonomy_parse_rejects_missing_label(void **state)
{
    tv_diags_t d = {0};

    (void)state;
    assert_int_equal(parse_with_pathologies("[{\"id\": \"a\", \"label\": {\"it\": \"a\"}}]", &d),
                     TV_EINVAL);
    tvt_assert_diag(&d, 0, "pathologies[0].label.en", "non-empty string");
    tv_diags_dispose(&d);
}

static void test_taxonomy_parse_rejects_unknown_parent(void **state)
{
    tv_diags_t d = {0};

    (void)state;
    assert_int_equal(parse_with_pathologies("[{\"id\": \"a\", \"parent\": \"zzz\", \"label\": "
                                            "{\"it\": \"a\", \"en\": \"a\"}}]",
                                            &d),
                     TV_EINVAL);
    tvt_assert_diag(&d, 0, "pathologies[0]", "parent");
    tv_diags_dispose(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_taxonomy_has_every_contract_id),
        cmocka_unit_test(test_taxonomy_entries_have_both_labels),
        cmocka_unit_test(test_taxonomy_stages_have_tracks_in_order),
        cmocka_unit_test(test_taxonomy_children_inherit_root_and_area),
        cmocka_unit_test(test_taxonomy_knows_iso_countries),
        cmocka_unit_test(test_taxonomy_parse_accepts_minimal_file),
        cmocka_unit_test(test_taxonomy_parse_rejects_repeated_id),
        cmocka_unit_test(test_taxonomy_parse_rejects_parent_cycle),
        cmocka_unit_test(test_taxonomy_parse_rejects_missing_label),
        cmocka_unit_test(test_taxonomy_parse_rejects_unknown_parent),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
