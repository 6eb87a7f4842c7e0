/* Fuzzes the matching configuration: tv_codec_match_config_parse on top of the defaults (as
 * an overrides file, and as a defaults file where every setting is required), and
 * tv_codec_match_config_set with the input cut at its first '=' into name and value (as
 * `tavolo match --set NAME=VALUE`).
 *
 * Checks: no crash, leak or undefined behaviour (a float-to-integer conversion out of range
 * included); diagnostics, never TV_ENOMEM; a refused change leaves the
 * configuration as it was; an accepted one holds only finite numbers, ticket bounds in order,
 * and positive widths where the matcher divides by them.
 * Corpus: corpus/match_config/ holds fixtures/match.json, parts of it and NAME=VALUE lines.
 * Run: scripts/fuzz.sh match_config. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tavolo/error.h"

static tv_match_config_t defaults;

static void check_config(const tv_match_config_t *c)
{
    const float floats[] = {c->locality_subdivision,  c->revealed_share,    c->activity_share,
                            c->activity_half_life,    c->activity_exponent, c->parent_share,
                            c->stage_decay,           c->round_decay,       c->ticket_sigma,
                            c->portfolio.subdivision, c->indifferent,       c->ticket_factor};

    for (size_t i = 0; i < TV_BLOCK_COUNT; i++)
        FUZZ_CHECK(isfinite(c->weights[i]) && c->weights[i] >= 0, "a weight not finite or < 0");
    for (size_t i = 0; i < sizeof(floats) / sizeof(floats[0]); i++)
        FUZZ_CHECK(isfinite(floats[i]) && floats[i] >= 0, "a setting not finite or < 0");
    FUZZ_CHECK(c->ticket_low_eur > 0 && c->ticket_high_eur > c->ticket_low_eur,
               "ticket bounds out of order");
    FUZZ_CHECK(c->text_width > 0 && c->ticket_buckets >= 2 && c->portfolio.ticket_bands >= 2 &&
                   c->k > 0,
               "a width or count the matcher divides by is 0");
    FUZZ_CHECK(c->ticket_sigma > 0 && c->activity_half_life > 0, "a divisor is 0");
}

/* Parses 'json' on top of a copy of the defaults and checks the outcome. */
static void check_parse(const char *json, size_t len, int require_all)
{
    tv_match_config_t cfg = defaults;
    tv_diags_t diags = {0};
    int rc = tv_codec_match_config_parse(json, len, require_all, &cfg, &diags);

    fuzz_check_diags(rc, &diags);
    FUZZ_CHECK(rc == 0 || rc == TV_EPARSE || rc == TV_EINVAL, "an undocumented return code");
    if (rc != 0)
        FUZZ_CHECK(memcmp(&cfg, &defaults, sizeof(cfg)) == 0, "a refused file changed settings");
    else
        check_config(&cfg);
    tv_diags_dispose(&diags);
}

static void check_set(const uint8_t *data, size_t size)
{
    tv_match_config_t cfg = defaults;
    tv_diags_t diags = {0};
    char *name = fuzz_strndup(data, size), *value = strchr(name, '=');
    int rc;

    if (value == NULL) {
        free(name);
        return;
    }
    *value++ = '\0';
    rc = tv_codec_match_config_set(&cfg, name, value, &diags);
    fuzz_check_diags(rc, &diags);
    FUZZ_CHECK(rc == 0 || rc == TV_EINVAL, "an undocumented return code");
    if (rc != 0)
        FUZZ_CHECK(memcmp(&cfg, &defaults, sizeof(cfg)) == 0, "a refused --set changed settings");
    else
        check_config(&cfg);
    tv_diags_dispose(&diags);
    free(name);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    defaults = fuzz_match_config();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_parse((const char *)data, size, 0);
    check_parse((const char *)data, size, 1);
    check_set(data, size);
    return 0;
}
