/* Fuzzes the taxonomy file: tv_codec_taxonomy_parse, as every command and the daemon read
 * fixtures/taxonomy.json (or the file TAVOLO_TAXONOMY names), then what the rest of tavolo
 * asks of a taxonomy that parsed: lookups, roots, the profiles' JSON Schemas
 * (tv_codec_schema), which are built from every term, and a planted company decoded and
 * encoded against it.
 *
 * Checks: no crash, hang, leak or undefined behaviour; diagnostics, and never
 * TV_ENOMEM; in an accepted taxonomy every kind has terms, each id is found at its own index,
 * parents and roots stay in range (no cycle), countries are sorted, and both schemas build.
 * Corpus: corpus/taxonomy/ holds fixtures/taxonomy.json cut down to one to three terms per
 * kind (the whole file is large for a fuzzer). Run: scripts/fuzz.sh taxonomy. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tavolo/error.h"

static char *planted; /* the first company of fixtures/planted/companies.jsonl */

/* The codec's checks lean on the taxonomy (a stage's track against its area's): any outcome
 * but a crash will do, and a company that decodes must encode. */
static void check_profile(const tv_taxonomy_t *t)
{
    tv_diags_t diags = {0};
    tv_company_t c;
    char *json = NULL;
    int rc = tv_codec_company_decode(t, planted, strlen(planted), &c, &diags);

    fuzz_check_diags(rc, &diags);
    if (rc == 0) {
        FUZZ_CHECK(tv_codec_company_encode(t, &c, &json) == 0, "a decoded company cannot encode");
        free(json);
        tv_company_dispose(&c);
    }
    tv_diags_dispose(&diags);
}

static void check_kind(const tv_taxonomy_t *t, tv_taxo_kind_t kind)
{
    size_t n = tv_taxonomy_count(t, kind);

    FUZZ_CHECK(n > 0, "an accepted taxonomy with an empty kind");
    for (size_t i = 0; i < n; i++) {
        const tv_taxo_entry_t *e = tv_taxonomy_entry(t, kind, i);
        size_t root = tv_taxonomy_root(t, kind, i);

        FUZZ_CHECK(e->id != NULL && e->id[0] != '\0', "a term without an id");
        FUZZ_CHECK(tv_taxonomy_find(t, kind, e->id) == (int)i, "an id not found at its index");
        FUZZ_CHECK(e->parent < (int)n && e->parent != (int)i, "a parent out of range");
        FUZZ_CHECK(root < n && tv_taxonomy_entry(t, kind, root)->parent < 0,
                   "a root with a parent");
        FUZZ_CHECK(e->area < (int)tv_taxonomy_count(t, TV_TAXO_AREA), "an area out of range");
    }
}

static void check_taxonomy(const tv_taxonomy_t *t)
{
    const tv_strings_t *countries = tv_taxonomy_countries(t);
    char *schema;

    for (int k = 0; k < TV_TAXO_KIND_COUNT; k++)
        check_kind(t, (tv_taxo_kind_t)k);
    FUZZ_CHECK(countries->n > 0, "no country");
    for (size_t i = 0; i < countries->n; i++) {
        FUZZ_CHECK(i == 0 || strcmp(countries->items[i - 1], countries->items[i]) <= 0,
                   "countries out of order");
        FUZZ_CHECK(tv_taxonomy_has_country(t, countries->items[i]), "a listed country not found");
    }
    for (int kind = TV_KIND_COMPANY; kind <= TV_KIND_INVESTOR; kind++) {
        schema = NULL;
        FUZZ_CHECK(tv_codec_schema(t, (tv_profile_kind_t)kind, &schema) == 0,
                   "the schema of an accepted taxonomy");
        free(schema);
    }
    check_profile(t);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    planted = fuzz_read_fixture("planted/companies.jsonl", NULL);
    planted[strcspn(planted, "\n")] = '\0';
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tv_taxonomy_t *t = NULL;
    tv_diags_t diags = {0};
    int rc = tv_codec_taxonomy_parse((const char *)data, size, &t, &diags);

    fuzz_check_diags(rc, &diags);
    FUZZ_CHECK(rc == 0 || rc == TV_EPARSE || rc == TV_EINVAL, "an undocumented return code");
    FUZZ_CHECK((rc == 0) == (t != NULL), "a taxonomy without success, or none with it");
    if (t != NULL)
        check_taxonomy(t);
    tv_taxonomy_destroy(t);
    tv_diags_dispose(&diags);
    return 0;
}
