/* What each side's own acts say of its pairs (migration 035's view pair_judgments): the
 * signals a side's ranking learns from, and the pairs closed for good. */
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "tavolo/error.h"
#include "tavolo/store.h"

/* For each counterpart of side $1 ('company' or 'investor') profile $2 (NULL: every one): its
 * latest judgment (an answer after a meeting before a request), and whether the pair is closed
 * for this side. Byte order, whatever the database's collation, for the callers' searches. */
#define SIGNALS_SQL(own, other)                                                                    \
    "SELECT " own ", " other ", coalesce((array_agg(judged ORDER BY source DESC, at DESC) FILTER " \
    "(WHERE side = $1))[1], 0), bool_or(closes = 'pair' OR (closes = 'side' AND side = $1)) IS "   \
    "TRUE FROM pair_judgments WHERE $2::text IS NULL OR " own " = $2 GROUP BY " own ", " other     \
    " ORDER BY " own " COLLATE \"C\", " other " COLLATE \"C\""

typedef struct {
    tv_store_signal_cb cb;
    void *ctx;
} signals_ctx_t;

static int on_signal(void *ctx, const char *const *cols, int n)
{
    signals_ctx_t *x = ctx;

    (void)n;
    return x->cb(x->ctx, cols[0], cols[1], atoi(cols[2]), strcmp(cols[3], "t") == 0);
}

int tv_store_signals(tv_store_t *st, tv_profile_kind_t kind, const char *id, tv_store_signal_cb cb,
                     void *ctx)
{
    static const char *const sql[2] = {SIGNALS_SQL("company_id", "investor_id"),
                                       SIGNALS_SQL("investor_id", "company_id")};
    const char *params[2] = {kind == TV_KIND_COMPANY ? "company" : "investor", id};
    signals_ctx_t x = {cb, ctx};

    return tv__store_each_row(st, "pair_judgments", sql[kind == TV_KIND_COMPANY ? 0 : 1], 2, params,
                              on_signal, &x);
}

typedef struct {
    tv_store_pair_cb cb;
    void *ctx;
} pairs_ctx_t;

static int on_pair(void *ctx, const char *const *cols, int n)
{
    pairs_ctx_t *x = ctx;

    (void)n;
    return x->cb(x->ctx, cols[0], cols[1]);
}

int tv_store_closed_pairs(tv_store_t *st, const char *event_id, tv_store_pair_cb cb, void *ctx)
{
    const char *params[1] = {event_id};
    pairs_ctx_t x = {cb, ctx};

    return tv__store_each_row(
        st, "pair_judgments",
        "SELECT DISTINCT j.company_id, j.investor_id FROM pair_judgments j JOIN event_participants "
        "c ON c.event_id = $1 AND c.kind = 'company' AND c.profile_id = j.company_id JOIN "
        "event_participants i ON i.event_id = $1 AND i.kind = 'investor' AND i.profile_id = "
        "j.investor_id WHERE j.closes IS NOT NULL ORDER BY 1, 2",
        1, params, on_pair, &x);
}
