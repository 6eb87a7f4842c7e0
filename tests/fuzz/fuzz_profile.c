/* Fuzzes the profile codec: one JSON document decoded as a company and as an investor
 * (tv_codec_company_decode, tv_codec_investor_decode), and applied as a JSON merge patch to
 * a stored company (tv_codec_merge_patch, as PATCH /v1/companies/{id} does).
 *
 * Checks: no crash, leak or undefined behaviour; every failure has diagnostics whose paths
 * are UTF-8 (the daemon sends them as JSON pointers) and is not TV_ENOMEM; a profile that decodes
 * encodes to canonical JSON which decodes again and encodes to the same text (the store keeps that
 * text, so it must read back). Corpus: corpus/profile/ holds single records of
 * fixtures/companies.jsonl, fixtures/investors.jsonl and fixtures/planted/, and a patch.
 * Run: scripts/fuzz.sh profile. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tavolo/error.h"

static char *stored_company; /* a canonical company, the target of the merge patches */

typedef int (*decode_fn)(const tv_taxonomy_t *t, const char *json, size_t len, void *out,
                         tv_diags_t *diags);
typedef int (*encode_fn)(const tv_taxonomy_t *t, const void *rec, char **out);

typedef struct {
    decode_fn decode;
    encode_fn encode;
    void (*dispose)(void *rec);
    size_t size;
} kind_ops_t;

static int company_decode(const tv_taxonomy_t *t, const char *json, size_t len, void *out,
                          tv_diags_t *diags)
{
    return tv_codec_company_decode(t, json, len, out, diags);
}

static int company_encode(const tv_taxonomy_t *t, const void *rec, char **out)
{
    return tv_codec_company_encode(t, rec, out);
}

static void company_dispose(void *rec)
{
    tv_company_dispose(rec);
}

static int investor_decode(const tv_taxonomy_t *t, const char *json, size_t len, void *out,
                           tv_diags_t *diags)
{
    return tv_codec_investor_decode(t, json, len, out, diags);
}

static int investor_encode(const tv_taxonomy_t *t, const void *rec, char **out)
{
    return tv_codec_investor_encode(t, rec, out);
}

static void investor_dispose(void *rec)
{
    tv_investor_dispose(rec);
}

static const kind_ops_t company_ops = {company_decode, company_encode, company_dispose,
                                       sizeof(tv_company_t)};
static const kind_ops_t investor_ops = {investor_decode, investor_encode, investor_dispose,
                                        sizeof(tv_investor_t)};

/* Decodes 'json' as one kind and returns its canonical encoding (NULL when it is refused). */
static char *decode_encode(const kind_ops_t *ops, const char *json, size_t len)
{
    tv_diags_t diags = {0};
    void *rec = calloc(1, ops->size);
    char *canonical = NULL;
    int rc;

    FUZZ_CHECK(rec != NULL, "out of memory");
    rc = ops->decode(fuzz_taxonomy(), json, len, rec, &diags);
    fuzz_check_api_diags(rc, &diags);
    FUZZ_CHECK(rc == 0 || rc == TV_EPARSE || rc == TV_EINVAL, "an undocumented return code");
    FUZZ_CHECK(rc != 0 || diags.n == 0, "a profile accepted with diagnostics");
    if (rc == 0) {
        FUZZ_CHECK(ops->encode(fuzz_taxonomy(), rec, &canonical) == 0, "encoding failed");
        ops->dispose(rec);
    }
    tv_diags_dispose(&diags);
    free(rec);
    return canonical;
}

/* A decoded profile must survive the store: its canonical text decodes to the same text. */
static void check_round_trip(const kind_ops_t *ops, const char *json, size_t len)
{
    char *once = decode_encode(ops, json, len), *twice;

    if (once == NULL)
        return;
    twice = decode_encode(ops, once, strlen(once));
    FUZZ_CHECK(twice != NULL, "the canonical encoding of a valid profile is refused");
    FUZZ_CHECK(strcmp(once, twice) == 0, "the canonical encoding is not stable");
    free(once);
    free(twice);
}

static void check_merge_patch(const char *patch, size_t len)
{
    tv_diags_t diags = {0};
    char *merged = NULL;
    int rc = tv_codec_merge_patch(stored_company, patch, len, &merged, &diags);

    fuzz_check_api_diags(rc, &diags);
    /* TV_EINVAL: a number out of range, named by its path. */
    FUZZ_CHECK(rc == 0 || rc == TV_EPARSE || rc == TV_EINVAL, "an undocumented return code");
    FUZZ_CHECK((rc == 0) == (merged != NULL), "a result without success, or none with it");
    if (merged != NULL)
        free(decode_encode(&company_ops, merged, strlen(merged)));
    free(merged);
    tv_diags_dispose(&diags);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char *line = fuzz_read_fixture("planted/companies.jsonl", NULL);

    (void)argc;
    (void)argv;
    line[strcspn(line, "\n")] = '\0';
    stored_company = decode_encode(&company_ops, line, strlen(line));
    FUZZ_CHECK(stored_company != NULL, "the first planted company does not decode");
    free(line);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *json = (const char *)data;

    check_round_trip(&company_ops, json, size);
    check_round_trip(&investor_ops, json, size);
    check_merge_patch(json, size);
    return 0;
}
