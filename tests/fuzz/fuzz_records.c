/* Fuzzes the import reader, tv_codec_read_records: one input read as companies and as
 * investors, each in the format guessed from its first byte (a JSON array or JSON Lines) and
 * as CSV, as `tavolo import` reads files.
 *
 * Checks: no crash, leak or undefined behaviour; the result is a record count or TV_EPARSE;
 * diagnostics, never TV_ENOMEM; no more documents than records; after a whole read every
 * document has a non-empty id, no id twice, and canonical JSON that decodes again as the
 * same kind.
 * Corpus: corpus/records/ holds a few records of fixtures/import/ (CSV and JSON Lines) and
 * small JSON arrays. Run: scripts/fuzz.sh records. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tavolo/error.h"

static void check_doc(tv_profile_kind_t kind, const tv_doc_t *doc)
{
    tv_diags_t diags = {0};
    tv_company_t c;
    tv_investor_t inv;
    int rc;

    FUZZ_CHECK(doc->id != NULL && doc->id[0] != '\0', "a document without an id");
    FUZZ_CHECK(doc->json != NULL, "a document without JSON");
    if (kind == TV_KIND_COMPANY) {
        rc = tv_codec_company_decode(fuzz_taxonomy(), doc->json, strlen(doc->json), &c, &diags);
        if (rc == 0)
            tv_company_dispose(&c);
    } else {
        rc = tv_codec_investor_decode(fuzz_taxonomy(), doc->json, strlen(doc->json), &inv, &diags);
        if (rc == 0)
            tv_investor_dispose(&inv);
    }
    FUZZ_CHECK(rc == 0, "an imported document does not decode again");
    tv_diags_dispose(&diags);
}

static void check_read(tv_profile_kind_t kind, tv_format_t format, const char *buf, size_t len)
{
    tv_read_opts_t opts = {format, NULL, NULL};
    tv_docs_t docs = {0};
    tv_diags_t diags = {0};
    int rc = tv_codec_read_records(fuzz_taxonomy(), kind, &opts, buf, len, &docs, &diags);

    fuzz_check_diags(rc, &diags);
    FUZZ_CHECK(rc >= 0 || rc == TV_EPARSE, "an undocumented return code");
    FUZZ_CHECK(rc < 0 || docs.n <= (size_t)rc, "more documents than records");
    /* After TV_EPARSE the documents are a partial read that no caller keeps. */
    for (size_t i = 0; rc >= 0 && i < docs.n; i++) {
        check_doc(kind, &docs.items[i]);
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(strcmp(docs.items[i].id, docs.items[j].id) != 0, "an id kept twice");
    }
    tv_docs_dispose(&docs);
    tv_diags_dispose(&diags);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_taxonomy();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;

    check_read(TV_KIND_COMPANY, TV_FORMAT_AUTO, buf, size);
    check_read(TV_KIND_INVESTOR, TV_FORMAT_AUTO, buf, size);
    check_read(TV_KIND_COMPANY, TV_FORMAT_CSV, buf, size);
    check_read(TV_KIND_INVESTOR, TV_FORMAT_CSV, buf, size);
    return 0;
}
