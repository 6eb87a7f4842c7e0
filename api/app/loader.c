/* Loading what matching needs: its configuration and every stored profile. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "tavolo/feed.h"

static int apply_file(const char *path, int require_all, tv_match_config_t *cfg, app_notes_t *notes)
{
    tv_diags_t diags = {0};
    size_t len;
    char *buf;
    int rc = app_read_file(path, &buf, &len, notes);

    if (rc != 0)
        return rc;
    rc = tv_codec_match_config_parse(buf, len, require_all, cfg, &diags);
    if (rc != 0) {
        app_note(notes, "the matching configuration %s is not valid:", path);
        app_note_diags(notes, &diags, path);
    }
    tv_diags_dispose(&diags);
    free(buf);
    return rc;
}

int app_load_match_config(const char *overrides, char *const *sets, size_t n_sets,
                          tv_match_config_t *out, app_notes_t *notes)
{
    const char *defaults = getenv("TAVOLO_MATCH_CONFIG");
    tv_match_config_t cfg;
    int rc;

    memset(&cfg, 0, sizeof(cfg));
    if (defaults == NULL || defaults[0] == '\0')
        defaults = TV_DEFAULT_MATCH_CONFIG;
    rc = apply_file(defaults, 1, &cfg, notes);
    if (rc == 0 && overrides != NULL)
        rc = apply_file(overrides, 0, &cfg, notes);
    for (size_t i = 0; rc == 0 && i < n_sets; i++) {
        char name[128];
        const char *eq = strchr(sets[i], '=');
        tv_diags_t diags = {0};

        if (eq == NULL || (size_t)(eq - sets[i]) >= sizeof(name)) {
            app_note(notes, "--set %s: expected NAME=VALUE", sets[i]);
            return TV_EINVAL;
        }
        snprintf(name, sizeof(name), "%.*s", (int)(eq - sets[i]), sets[i]);
        rc = tv_codec_match_config_set(&cfg, name, eq + 1, &diags);
        if (rc != 0)
            app_note_diags(notes, &diags, "--set");
        tv_diags_dispose(&diags);
    }
    /* The settings are read one by one; the rules between two of them hold at the end. */
    if (rc == 0 && cfg.ticket_high_eur <= cfg.ticket_low_eur) {
        app_note(notes, "--set: ticket.high_eur (%lld) must be above ticket.low_eur (%lld)",
                 (long long)cfg.ticket_high_eur, (long long)cfg.ticket_low_eur);
        rc = TV_EINVAL;
    }
    if (rc == 0)
        *out = cfg;
    return rc;
}

typedef struct {
    const tv_taxonomy_t *tax;
    tv_matcher_t *m;
    app_notes_t *notes;
} load_t;

static int on_company(void *ctx, const char *id, const char *json, size_t len)
{
    load_t *l = ctx;
    tv_diags_t diags = {0};
    tv_company_t c;
    int rc = tv_codec_company_decode(l->tax, json, len, &c, &diags);

    if (rc != 0) {
        app_note(l->notes, "stored company %s no longer decodes:", id);
        app_note_diags(l->notes, &diags, id);
    } else {
        rc = tv_matcher_add_company(l->m, &c);
        tv_company_dispose(&c);
    }
    tv_diags_dispose(&diags);
    return rc;
}

static int on_investor(void *ctx, const char *id, const char *json, size_t len)
{
    load_t *l = ctx;
    tv_diags_t diags = {0};
    tv_investor_t inv;
    int rc = tv_codec_investor_decode(l->tax, json, len, &inv, &diags);

    if (rc != 0) {
        app_note(l->notes, "stored investor %s no longer decodes:", id);
        app_note_diags(l->notes, &diags, id);
    } else {
        rc = tv_matcher_add_investor(l->m, &inv);
        tv_investor_dispose(&inv);
    }
    tv_diags_dispose(&diags);
    return rc;
}

int app_load_matcher(tv_store_t *st, const tv_taxonomy_t *tax, const tv_match_config_t *cfg,
                     tv_matcher_t **out, char **snapshot, app_notes_t *notes)
{
    load_t l = {tax, NULL, notes};
    char *at = NULL;
    int rc = tv_matcher_create(tax, cfg, &l.m);

    /* Both tables at one snapshot: the state a change feed starts from. */
    if (rc == 0)
        rc = tv_store_snapshot_begin(st, &at);
    if (rc == 0)
        rc = tv_store_each(st, TV_KIND_COMPANY, NULL, 0, on_company, &l);
    if (rc == 0)
        rc = tv_store_each(st, TV_KIND_INVESTOR, NULL, 0, on_investor, &l);
    if (at != NULL && tv_store_snapshot_end(st) != 0 && rc == 0)
        rc = TV_EDB;
    if (rc == 0)
        rc = tv_matcher_build(l.m);
    if (rc != 0) {
        app_note(notes, "cannot load the profiles for matching: %s", tv_strerror(rc));
        tv_matcher_destroy(l.m);
        free(at);
        return rc;
    }
    *out = l.m;
    if (snapshot != NULL)
        *snapshot = at;
    else
        free(at);
    return 0;
}
