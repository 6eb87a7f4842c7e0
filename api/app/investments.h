/* tavolo import --kind investments (issue 19): a real export's investment rows, in the format
 * `tavolo eval` reads (company_id, investor_id, round_type, funded_at, raised_amount_usd), added
 * to the stored profiles: each investor's portfolio gets a holding per company it backed (the
 * company's name, terms, stage and place, the round it entered, its size and year; a company
 * it holds already keeps its holding, its year brought up to date), each company's list of
 * investors the investor. */
#ifndef API_INVESTMENTS_H
#define API_INVESTMENTS_H

#include <stddef.h>

#include "tavolo/codec.h"
#include "tavolo/store.h"
#include "tavolo/taxonomy.h"

typedef struct {
    size_t rows;              /* rows kept */
    size_t holdings_added;    /* holdings new to a portfolio */
    size_t investors_changed; /* investors written */
    size_t companies_changed; /* companies written */
} app_investments_stats_t;

/* Reads the rows of 'text' against the stored profiles and writes every profile they change in
 * one transaction, each only if nobody changed it meanwhile (TV_ESTALE: run it again); with
 * 'dry_run' nothing is written. The holes of real exports (no date, an id no stored profile
 * has, a repeated row) are left out into 'skipped', or with 'strict' are errors in 'diags'
 * like every other bad line, and nothing is written (TV_EPARSE). */
int app_import_investments(tv_store_t *st, const tv_taxonomy_t *t, const char *text, size_t len,
                           int strict, int dry_run, app_investments_stats_t *out, tv_diags_t *diags,
                           tv_diags_t *skipped);

#endif
