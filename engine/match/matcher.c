/* The matcher: profiles, their vectors, the kept lists in both directions, hard constraints,
 * explanations and incremental updates (see tavolo/match.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features_internal.h"
#include "learn.h"
#include "core/internal.h"
#include "tavolo/match.h"

typedef struct {
    tv_company_t *items;
    tv_bag_t *bags;
    float *fwd, *rev;
    uint8_t *alive;
    tv_check_t *eligible;
    tv_list_t *lists;
    size_t *order; /* indices sorted by id (removed ones included) */
    size_t n, cap;
} companies_t;

typedef struct {
    tv_investor_t *items;
    tv_bag_t *bags;
    float *fwd, *rev;
    uint8_t *alive;
    tv_list_t *lists;
    size_t *order;
    size_t n, cap;
} investors_t;

struct tv_matcher {
    const tv_taxonomy_t *tax;
    tv_match_config_t cfg;
    tv__features_t *features;
    size_t dim, dim_rev;
    uint32_t list_cap; /* k + margin */
    int built;
    float fit_knots[TV__FIT_KNOTS]; /* the fit's quantile table, from the build or recompute */
    size_t fit_n;
    companies_t co;
    investors_t in;
};

int tv_matcher_create(const tv_taxonomy_t *t, const tv_match_config_t *cfg, tv_matcher_t **out)
{
    tv_matcher_t *m = tv__calloc(1, sizeof(*m));
    int rc;

    if (m == NULL)
        return TV_ENOMEM;
    if (cfg->k == 0 || cfg->text_width == 0 || cfg->ticket_buckets < 2 ||
        cfg->ticket_low_eur <= 0 || cfg->ticket_high_eur <= cfg->ticket_low_eur) {
        tv__free(m);
        return TV_EINVAL;
    }
    m->tax = t;
    m->cfg = *cfg;
    m->list_cap = cfg->k + cfg->margin;
    rc = tv__features_create(t, cfg, &m->features);
    if (rc != 0) {
        tv__free(m);
        return rc;
    }
    m->dim = tv__features_layout(m->features)->dim;
    m->dim_rev = tv__features_layout(m->features)->dim_rev;
    *out = m;
    return 0;
}

void tv_matcher_destroy(tv_matcher_t *m)
{
    if (m == NULL)
        return;
    for (size_t c = 0; c < m->co.n; c++) {
        tv_company_dispose(&m->co.items[c]);
        tv_bag_dispose(&m->co.bags[c]);
    }
    for (size_t i = 0; i < m->in.n; i++) {
        tv_investor_dispose(&m->in.items[i]);
        tv_bag_dispose(&m->in.bags[i]);
    }
    if (m->co.lists != NULL)
        tv_lists_free(m->co.lists, m->co.n);
    if (m->in.lists != NULL)
        tv_lists_free(m->in.lists, m->in.n);
    tv__free(m->co.items), tv__free(m->co.bags), tv__free(m->co.fwd), tv__free(m->co.rev);
    tv__free(m->co.alive), tv__free(m->co.eligible);
    tv__free(m->co.lists), tv__free(m->co.order), tv__free(m->in.order);
    tv__free(m->in.items), tv__free(m->in.bags), tv__free(m->in.fwd), tv__free(m->in.rev);
    tv__free(m->in.alive), tv__free(m->in.lists);
    tv__features_destroy(m->features);
    tv__free(m);
}

static void order_insert(tv_matcher_t *m, int company_side, size_t index);

/* Grows every per-company array to hold 'need' rows. */
static int grow_companies(tv_matcher_t *m, size_t need)
{
    companies_t *c = &m->co;
    size_t cap = c->cap, old = c->cap;

    if (need <= cap)
        return 0;
    while (cap < need)
        cap = cap == 0 ? 64 : cap * 2;
#define GROW(p, size)                                                                              \
    do {                                                                                           \
        void *q = tv__realloc((p), cap * (size));                                                  \
        if (q == NULL)                                                                             \
            return TV_ENOMEM;                                                                      \
        memset((char *)q + old * (size), 0, (cap - old) * (size));                                 \
        (p) = q;                                                                                   \
    } while (0)
    GROW(c->items, sizeof(tv_company_t));
    GROW(c->bags, sizeof(tv_bag_t));
    GROW(c->fwd, m->dim * sizeof(float));
    GROW(c->rev, m->dim_rev * sizeof(float));
    GROW(c->alive, 1);
    GROW(c->eligible, sizeof(tv_check_t));
    GROW(c->lists, sizeof(tv_list_t));
    GROW(c->order, sizeof(size_t));
    c->cap = cap;
    return 0;
}

static int grow_investors(tv_matcher_t *m, size_t need)
{
    investors_t *c = &m->in;
    size_t cap = c->cap, old = c->cap;

    if (need <= cap)
        return 0;
    while (cap < need)
        cap = cap == 0 ? 64 : cap * 2;
    GROW(c->items, sizeof(tv_investor_t));
    GROW(c->bags, sizeof(tv_bag_t));
    GROW(c->fwd, m->dim * sizeof(float));
    GROW(c->rev, m->dim_rev * sizeof(float));
    GROW(c->alive, 1);
    GROW(c->lists, sizeof(tv_list_t));
    GROW(c->order, sizeof(size_t));
#undef GROW
    c->cap = cap;
    return 0;
}

int tv_matcher_add_company(tv_matcher_t *m, tv_company_t *c)
{
    int rc = grow_companies(m, m->co.n + 1);

    if (rc != 0)
        return rc;
    m->co.items[m->co.n] = *c;
    m->co.alive[m->co.n++] = 1;
    tv_company_init(c);
    order_insert(m, 1, m->co.n - 1);
    return 0;
}

int tv_matcher_add_investor(tv_matcher_t *m, tv_investor_t *inv)
{
    int rc = grow_investors(m, m->in.n + 1);

    if (rc != 0)
        return rc;
    m->in.items[m->in.n] = *inv;
    m->in.alive[m->in.n++] = 1;
    tv_investor_init(inv);
    order_insert(m, 0, m->in.n - 1);
    return 0;
}

size_t tv_matcher_companies(const tv_matcher_t *m)
{
    return m->co.n;
}

size_t tv_matcher_investors(const tv_matcher_t *m)
{
    return m->in.n;
}

const tv_company_t *tv_matcher_company(const tv_matcher_t *m, size_t index)
{
    return &m->co.items[index];
}

const tv_investor_t *tv_matcher_investor(const tv_matcher_t *m, size_t index)
{
    return &m->in.items[index];
}

tv_check_t tv_matcher_eligible(const tv_matcher_t *m, size_t index)
{
    return m->co.eligible[index];
}

/* The id of row 'index' of one side. */
static const char *id_of(const tv_matcher_t *m, int company_side, size_t index)
{
    return company_side ? m->co.items[index].id : m->in.items[index].id;
}

/* The first rank among the first 'n' of the id order whose id is not below 'id' (with
 * 'strictly', above it). */
static size_t rank_of(const tv_matcher_t *m, int company_side, const char *id, int strictly,
                      size_t n)
{
    const size_t *order = company_side ? m->co.order : m->in.order;
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(id_of(m, company_side, order[mid]), id);

        if (c < 0 || (strictly && c == 0))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int find(const tv_matcher_t *m, int company_side, const char *id)
{
    const size_t *order = company_side ? m->co.order : m->in.order;
    const uint8_t *alive = company_side ? m->co.alive : m->in.alive;
    size_t n = company_side ? m->co.n : m->in.n;

    /* A removed id that came back has two rows: skip the dead one. */
    for (size_t r = rank_of(m, company_side, id, 0, n);
         r < n && strcmp(id_of(m, company_side, order[r]), id) == 0; r++) {
        if (alive[order[r]])
            return (int)order[r];
    }
    return TV_ENOTFOUND;
}

int tv_matcher_find_company(const tv_matcher_t *m, const char *id)
{
    return find(m, 1, id);
}

int tv_matcher_find_investor(const tv_matcher_t *m, const char *id)
{
    return find(m, 0, id);
}

size_t tv_matcher_company_at(const tv_matcher_t *m, size_t rank)
{
    return m->co.order[rank];
}

size_t tv_matcher_investor_at(const tv_matcher_t *m, size_t rank)
{
    return m->in.order[rank];
}

size_t tv_matcher_company_rank_after(const tv_matcher_t *m, const char *after)
{
    return rank_of(m, 1, after, 1, m->co.n);
}

size_t tv_matcher_investor_rank_after(const tv_matcher_t *m, const char *after)
{
    return rank_of(m, 0, after, 1, m->in.n);
}

int tv_matcher_is_live_company(const tv_matcher_t *m, size_t index)
{
    return index < m->co.n && m->co.alive[index];
}

int tv_matcher_is_live_investor(const tv_matcher_t *m, size_t index)
{
    return index < m->in.n && m->in.alive[index];
}

/* Puts row 'index' (just appended) at its place in the id order. */
static void order_insert(tv_matcher_t *m, int company_side, size_t index)
{
    size_t *order = company_side ? m->co.order : m->in.order;
    size_t n = (company_side ? m->co.n : m->in.n) - 1; /* rows ordered so far */
    size_t r = rank_of(m, company_side, id_of(m, company_side, index), 0, n);

    memmove(&order[r + 1], &order[r], (n - r) * sizeof(size_t));
    order[r] = index;
}

/* ---- hard constraints ---- */

static int terms_overlap(const tv_terms_t *a, const tv_terms_t *b)
{
    size_t i = 0, j = 0;

    while (i < a->n && j < b->n) {
        if (a->items[i] == b->items[j])
            return 1;
        *(a->items[i] < b->items[j] ? &i : &j) += 1;
    }
    return 0;
}

/* A holding competes with the company when it is at the same stage and shares a pathology
 * term (the finest one given, such as oncology.lung), or, when either names no pathology, a
 * technology term. */
static int conflicts(const tv_matcher_t *m, size_t c, size_t i)
{
    const tv_company_t *co = &m->co.items[c];
    const tv_investor_t *inv = &m->in.items[i];

    for (size_t k = 0; co->stage >= 0 && k < inv->portfolio_n; k++) {
        const tv_holding_t *h = &inv->portfolio[k];
        int same = co->pathologies.n > 0 && h->pathologies.n > 0
                       ? terms_overlap(&co->pathologies, &h->pathologies)
                       : terms_overlap(&co->technologies, &h->technologies);

        if (h->stage == co->stage && same)
            return 1;
    }
    return 0;
}

/* A raise outside the investor's range by more than the configured factor. */
static int ticket_out_of_range(const tv_matcher_t *m, size_t c, size_t i)
{
    int64_t raise = m->co.items[c].raise_eur;
    const tv_investor_t *inv = &m->in.items[i];
    double f = m->cfg.ticket_factor;

    if (f <= 0 || raise == TV_UNKNOWN)
        return 0;
    return (inv->ticket_max_eur != TV_UNKNOWN && (double)raise > (double)inv->ticket_max_eur * f) ||
           (inv->ticket_min_eur != TV_UNKNOWN && (double)raise < (double)inv->ticket_min_eur / f);
}

static int allow_pair(void *ctx, size_t c, size_t i)
{
    const tv_matcher_t *m = ctx;

    if (!m->co.alive[c] || !m->in.alive[i])
        return 0;
    if (m->cfg.eligible_only && m->co.eligible[c] != TV_CHECK_PASS)
        return 0;
    if (m->cfg.mask_inactive && m->in.items[i].active == 0)
        return 0;
    if (ticket_out_of_range(m, c, i))
        return 0;
    return !(m->cfg.mask_conflicts && conflicts(m, c, i));
}

static int allow_filter(void *ctx, size_t c, size_t i)
{
    const tv_filter_t *f = ctx;

    return (f->companies == NULL || f->companies[c]) && (f->investors == NULL || f->investors[i]);
}

static tv_score_input_t score_input(const tv_matcher_t *m)
{
    tv_score_input_t in = {m->co.fwd, m->in.fwd, m->co.n,       m->in.n,    m->dim,
                           m->co.rev, m->in.rev, m->dim_rev,    allow_pair, (void *)m,
                           0,         0,         TV_SCREEN_AUTO};

    return in;
}

/* ---- vectors ---- */

static int company_vectors(tv_matcher_t *m, size_t c)
{
    tv_company_t *co = &m->co.items[c];
    tv_eligibility_t e;

    tv_eligibility_check(m->tax, co, &e);
    m->co.eligible[c] = e.eligible;
    return tv__features_company(m->features, co, &m->co.bags[c], m->co.fwd + c * m->dim,
                                m->co.rev + c * m->dim_rev);
}

/* Analyses the texts of investor i's holdings into 'bags' (portfolio_n of them). */
static int holding_bags(tv_matcher_t *m, size_t i, tv_bag_t **out)
{
    const tv_investor_t *inv = &m->in.items[i];
    tv_bag_t *bags = tv__calloc(inv->portfolio_n + 1, sizeof(tv_bag_t));
    int rc = 0;

    if (bags == NULL)
        return TV_ENOMEM;
    for (size_t h = 0; h < inv->portfolio_n && rc == 0; h++)
        rc = tv__features_analyse(m->features, inv->portfolio[h].description, inv->language,
                                  &bags[h]);
    if (rc != 0) {
        for (size_t h = 0; h < inv->portfolio_n; h++)
            tv_bag_dispose(&bags[h]);
        tv__free(bags);
        return rc;
    }
    *out = bags;
    return 0;
}

static void free_bags(tv_bag_t *bags, size_t n)
{
    for (size_t h = 0; bags != NULL && h < n; h++)
        tv_bag_dispose(&bags[h]);
    tv__free(bags);
}

static int investor_vectors(tv_matcher_t *m, size_t i, const tv_bag_t *holdings)
{
    const tv_investor_t *inv = &m->in.items[i];

    return tv__features_investor(m->features, inv, &m->in.bags[i], holdings, m->in.fwd + i * m->dim,
                                 m->in.rev + i * m->dim_rev);
}

/* ---- build ---- */

/* Analyses every text and counts it towards the corpus statistics. 'holdings[i]' receives
 * the bags of investor i's portfolio. */
static int analyse_corpus(tv_matcher_t *m, tv_bag_t **holdings)
{
    int rc = 0;

    for (size_t c = 0; c < m->co.n && rc == 0; c++) {
        rc = tv__features_analyse(m->features, m->co.items[c].description, m->co.items[c].language,
                                  &m->co.bags[c]);
        if (rc == 0)
            rc = tv__features_count_text(m->features, &m->co.bags[c]);
    }
    for (size_t i = 0; i < m->in.n && rc == 0; i++) {
        rc = tv__features_analyse(m->features, m->in.items[i].thesis, m->in.items[i].language,
                                  &m->in.bags[i]);
        if (rc == 0)
            rc = tv__features_count_text(m->features, &m->in.bags[i]);
        if (rc == 0)
            rc = holding_bags(m, i, &holdings[i]);
        for (size_t h = 0; rc == 0 && h < m->in.items[i].portfolio_n; h++)
            rc = tv__features_count_text(m->features, &holdings[i][h]);
    }
    return rc;
}

int tv_matcher_build(tv_matcher_t *m)
{
    tv_bag_t **holdings = tv__calloc(m->in.n + 1, sizeof(tv_bag_t *));
    tv_score_input_t in;
    int rc = holdings != NULL ? 0 : TV_ENOMEM;

    if (m->built)
        rc = TV_EINVAL;
    if (rc == 0)
        rc = analyse_corpus(m, holdings);
    if (rc == 0)
        rc = tv__features_fit_syndicates(m->features, m->co.items, m->co.n);
    if (rc == 0)
        tv__features_fit_activity(m->features, m->in.items, m->in.n);
    for (size_t c = 0; c < m->co.n && rc == 0; c++)
        rc = company_vectors(m, c);
    for (size_t i = 0; i < m->in.n && rc == 0; i++)
        rc = investor_vectors(m, i, holdings[i]);
    for (size_t i = 0; holdings != NULL && i < m->in.n; i++)
        free_bags(holdings[i], m->in.items[i].portfolio_n);
    tv__free(holdings);
    if (rc != 0)
        return rc;
    in = score_input(m);
    rc = tv_score_all(&in, m->list_cap, m->in.lists, m->list_cap, m->co.lists);
    if (rc == 0)
        rc = tv__fit_table(&in, m->co.alive, m->in.alive, m->fit_knots, &m->fit_n);
    if (rc == 0)
        m->built = 1;
    return rc;
}

/* ---- queries ---- */

static int copy_list(const tv_list_t *l, size_t k, tv_hit_t *out)
{
    size_t n = l->n < k ? l->n : k;

    memcpy(out, l->items, n * sizeof(tv_hit_t));
    return (int)n;
}

/* Serves from the kept list when it can answer; ranks on demand otherwise. */
static int query(const tv_matcher_t *m, int company_side, size_t index, size_t k,
                 const tv_filter_t *only, tv_hit_t *out)
{
    const tv_list_t *kept = company_side ? &m->co.lists[index] : &m->in.lists[index];
    tv_score_input_t in = score_input(m);
    tv_list_t fresh;
    int rc;

    if (!m->built || index >= (company_side ? m->co.n : m->in.n))
        return TV_EINVAL;
    if (!(company_side ? m->co.alive : m->in.alive)[index])
        return TV_ENOTFOUND;
    if (only == NULL && (k <= kept->n || kept->complete))
        return copy_list(kept, k, out);
    rc = company_side
             ? tv_score_company(&in, index, k, only ? allow_filter : NULL, (void *)only, &fresh)
             : tv_score_investor(&in, index, k, only ? allow_filter : NULL, (void *)only, &fresh);
    if (rc != 0)
        return rc;
    rc = copy_list(&fresh, k, out);
    tv_lists_free(&fresh, 1);
    return rc;
}

int tv_matcher_for_company(const tv_matcher_t *m, size_t index, size_t k, const tv_filter_t *only,
                           tv_hit_t *out)
{
    return query(m, 1, index, k, only, out);
}

int tv_matcher_for_investor(const tv_matcher_t *m, size_t index, size_t k, const tv_filter_t *only,
                            tv_hit_t *out)
{
    return query(m, 0, index, k, only, out);
}

/* ---- queries of a side that taught the matcher ---- */

typedef struct {
    const tv_matcher_t *m;
    size_t investor;         /* the real row of the one-row input's investor 0 */
    const tv_filter_t *only; /* may be NULL */
    uint8_t *hidden;         /* flags of the other side's rows */
} learned_ctx_t;

/* The constraints of a query of company 'c' (or of the investor's one-row input): the pair's
 * masks, the caller's filter and the side's hidden counterparts. */
static int allow_learned_for_company(void *ctx, size_t c, size_t i)
{
    const learned_ctx_t *x = ctx;

    return !x->hidden[i] && (x->only == NULL || allow_filter((void *)x->only, c, i));
}

static int allow_learned_for_investor(void *ctx, size_t c, size_t zero)
{
    const learned_ctx_t *x = ctx;

    (void)zero;
    return !x->hidden[c] && allow_pair((void *)x->m, c, x->investor) &&
           (x->only == NULL || allow_filter((void *)x->only, c, x->investor));
}

/* Flags the counterparts of 'learned' that are hidden ('n' rows of the other side). */
static uint8_t *hidden_flags(const tv_signals_t *learned, size_t n)
{
    uint8_t *hidden = tv__calloc(n + 1, 1);

    for (size_t s = 0; hidden != NULL && s < learned->n; s++) {
        if (learned->items[s].hidden && learned->items[s].counterpart < n)
            hidden[learned->items[s].counterpart] = 1;
    }
    return hidden;
}

/* Ranks every company for investor 'i' with its thesis moved by what it taught. */
static int rank_investor_learned(const tv_matcher_t *m, learned_ctx_t *x,
                                 const tv_signals_t *learned, size_t k, tv_list_t *out)
{
    float *thesis = tv__malloc(m->dim * sizeof(float) + 1);
    tv_score_input_t in = score_input(m);
    int rc = thesis != NULL ? 0 : TV_ENOMEM;

    if (rc == 0)
        rc = tv__learn_thesis(tv__features_layout(m->features), m->co.fwd, m->co.n,
                              m->in.fwd + x->investor * m->dim, learned, m->cfg.learning.share,
                              m->cfg.learning.prior, thesis);
    in.investors = thesis;
    in.investors_rev = m->in.rev + x->investor * m->dim_rev;
    in.n_investors = 1;
    in.allow = allow_learned_for_investor;
    in.allow_ctx = x;
    if (rc == 0)
        rc = tv_score_investor(&in, 0, k, NULL, NULL, out);
    tv__free(thesis);
    return rc;
}

int tv_matcher_rank_learned(const tv_matcher_t *m, tv_profile_kind_t kind, size_t index, size_t k,
                            const tv_filter_t *only, const tv_signals_t *learned, tv_hit_t *out)
{
    int company_side = kind == TV_KIND_COMPANY;
    learned_ctx_t x = {m, index, only, NULL};
    tv_score_input_t in = score_input(m);
    tv_list_t fresh;
    int rc;

    if (learned == NULL || learned->n == 0)
        return query(m, company_side, index, k, only, out);
    if (!m->built || index >= (company_side ? m->co.n : m->in.n))
        return TV_EINVAL;
    if (!(company_side ? m->co.alive : m->in.alive)[index])
        return TV_ENOTFOUND;
    x.hidden = hidden_flags(learned, company_side ? m->in.n : m->co.n);
    if (x.hidden == NULL)
        return TV_ENOMEM;
    rc = company_side ? tv_score_company(&in, index, k, allow_learned_for_company, &x, &fresh)
                      : rank_investor_learned(m, &x, learned, k, &fresh);
    tv__free(x.hidden);
    if (rc != 0)
        return rc;
    rc = copy_list(&fresh, k, out);
    tv_lists_free(&fresh, 1);
    return rc;
}

/* ---- incremental updates ---- */

static void list_remove(tv_list_t *l, uint32_t index)
{
    for (uint32_t k = 0; k < l->n; k++) {
        if (l->items[k].index == index) {
            memmove(&l->items[k], &l->items[k + 1], (l->n - k - 1) * sizeof(tv_hit_t));
            l->n--;
            return;
        }
    }
}

static void list_insert(tv_list_t *l, tv_hit_t hit)
{
    uint32_t at = l->n;

    while (at > 0 && tv_hit_better(hit, l->items[at - 1]))
        at--;
    if (at == l->cap)
        return;
    if (l->n == l->cap) {
        l->n--; /* the last entry falls off: the list no longer holds everything */
        l->complete = 0;
    }
    memmove(&l->items[at + 1], &l->items[at], (l->n - at) * sizeof(tv_hit_t));
    l->items[at] = hit;
    l->n++;
}

/* Puts entry 'hit' (or, when not allowed, nothing) for one row into list 'l', which holds
 * the exact best l->n entries. An entry worse than the last of an incomplete list stays out:
 * whether it belongs there is unknown without a rescan. */
static void list_patch(tv_list_t *l, tv_hit_t hit, int allowed)
{
    list_remove(l, hit.index);
    if (!allowed)
        return;
    if (l->complete || (l->n > 0 && tv_hit_better(hit, l->items[l->n - 1])))
        list_insert(l, hit);
}

/* Re-ranks company c's investors and patches c into every investor's list. */
static int rescore_company(tv_matcher_t *m, size_t c)
{
    tv_score_input_t in = score_input(m);
    tv_list_t fresh = {0};
    int rc = 0;

    if (m->co.alive[c])
        rc = tv_score_company(&in, c, m->list_cap, NULL, NULL, &fresh);
    if (rc != 0)
        return rc;
    tv_lists_free(&m->co.lists[c], 1);
    m->co.lists[c] = fresh;
    for (size_t i = 0; i < m->in.n && rc == 0; i++) {
        tv_list_t *l = &m->in.lists[i];
        int allowed = allow_pair(m, c, i);
        tv_hit_t hit = {allowed ? tv_score_pair(&in, c, i) : 0, (uint32_t)c};

        if (!m->in.alive[i])
            continue;
        list_patch(l, hit, allowed);
        if (!l->complete && l->n < m->cfg.k) {
            tv_lists_free(l, 1);
            rc = tv_score_investor(&in, i, m->list_cap, NULL, NULL, l);
        }
    }
    return rc;
}

static int rescore_investor(tv_matcher_t *m, size_t i)
{
    tv_score_input_t in = score_input(m);
    tv_list_t fresh = {0};
    int rc = 0;

    if (m->in.alive[i])
        rc = tv_score_investor(&in, i, m->list_cap, NULL, NULL, &fresh);
    if (rc != 0)
        return rc;
    tv_lists_free(&m->in.lists[i], 1);
    m->in.lists[i] = fresh;
    for (size_t c = 0; c < m->co.n && rc == 0; c++) {
        tv_list_t *l = &m->co.lists[c];
        int allowed = allow_pair(m, c, i);
        tv_hit_t hit = {allowed ? tv_score_pair(&in, c, i) : 0, (uint32_t)i};

        if (!m->co.alive[c])
            continue;
        list_patch(l, hit, allowed);
        if (!l->complete && l->n < m->cfg.k) {
            tv_lists_free(l, 1);
            rc = tv_score_company(&in, c, m->list_cap, NULL, NULL, l);
        }
    }
    return rc;
}

int tv_matcher_upsert_company(tv_matcher_t *m, tv_company_t *c)
{
    int at = tv_matcher_find_company(m, c->id), fresh = at < 0;
    size_t index;
    int rc;

    if (!m->built)
        return TV_EINVAL;
    if (at < 0) {
        rc = grow_companies(m, m->co.n + 1);
        if (rc != 0)
            return rc;
        at = (int)m->co.n++;
    }
    index = (size_t)at;
    tv_company_dispose(&m->co.items[index]);
    tv_bag_dispose(&m->co.bags[index]);
    m->co.items[index] = *c;
    m->co.alive[index] = 1;
    tv_company_init(c);
    if (index == m->co.n - 1 && fresh)
        order_insert(m, 1, index);
    rc = tv__features_analyse(m->features, m->co.items[index].description,
                              m->co.items[index].language, &m->co.bags[index]);
    if (rc == 0)
        rc = company_vectors(m, index);
    if (rc == 0)
        rc = rescore_company(m, index);
    return rc != 0 ? rc : at;
}

int tv_matcher_upsert_investor(tv_matcher_t *m, tv_investor_t *inv)
{
    int at = tv_matcher_find_investor(m, inv->id), fresh = at < 0;
    tv_bag_t *holdings = NULL;
    size_t index;
    int rc;

    if (!m->built)
        return TV_EINVAL;
    if (at < 0) {
        rc = grow_investors(m, m->in.n + 1);
        if (rc != 0)
            return rc;
        at = (int)m->in.n++;
    }
    index = (size_t)at;
    tv_investor_dispose(&m->in.items[index]);
    tv_bag_dispose(&m->in.bags[index]);
    m->in.items[index] = *inv;
    m->in.alive[index] = 1;
    tv_investor_init(inv);
    if (index == m->in.n - 1 && fresh)
        order_insert(m, 0, index);
    rc = tv__features_analyse(m->features, m->in.items[index].thesis, m->in.items[index].language,
                              &m->in.bags[index]);
    if (rc == 0)
        rc = holding_bags(m, index, &holdings);
    if (rc == 0)
        rc = investor_vectors(m, index, holdings);
    free_bags(holdings, m->in.items[index].portfolio_n);
    if (rc == 0)
        rc = rescore_investor(m, index);
    return rc != 0 ? rc : at;
}

int tv_matcher_recompute(tv_matcher_t *m)
{
    tv_score_input_t in = score_input(m);
    int rc;

    if (!m->built)
        return TV_EINVAL;
    tv_lists_free(m->in.lists, m->in.n);
    tv_lists_free(m->co.lists, m->co.n);
    rc = tv_score_all(&in, m->list_cap, m->in.lists, m->list_cap, m->co.lists);
    if (rc == 0)
        rc = tv__fit_table(&in, m->co.alive, m->in.alive, m->fit_knots, &m->fit_n);
    return rc;
}

int tv_matcher_fit(const tv_matcher_t *m, float score)
{
    return tv__fit_of(m->fit_knots, m->fit_n, score);
}

int tv_matcher_remove_company(tv_matcher_t *m, size_t index)
{
    if (!m->built || index >= m->co.n || !m->co.alive[index])
        return TV_ENOTFOUND;
    m->co.alive[index] = 0;
    return rescore_company(m, index);
}

int tv_matcher_remove_investor(tv_matcher_t *m, size_t index)
{
    if (!m->built || index >= m->in.n || !m->in.alive[index])
        return TV_ENOTFOUND;
    m->in.alive[index] = 0;
    return rescore_investor(m, index);
}

/* ---- explanations ---- */

static void block_dots(const tv_matcher_t *m, size_t c, size_t i, double *dots)
{
    const tv__layout_t *l = tv__features_layout(m->features);

    for (int b = 0; b < TV_BLOCK_COUNT; b++) {
        int fwd = b < TV_FORWARD_BLOCKS;
        const float *x = (fwd ? m->co.fwd + c * m->dim : m->co.rev + c * m->dim_rev) + l->offset[b];
        const float *y = (fwd ? m->in.fwd + i * m->dim : m->in.rev + i * m->dim_rev) + l->offset[b];

        dots[b] = tv_dot(x, y, l->width[b]);
    }
}

/* Splits the harmonic mean 2fr/(f+r) = (r/(f+r)) f + (f/(f+r)) r over the blocks. */
static void contributions(const double *dots, tv_explanation_t *out)
{
    double f = 0, r = 0;

    for (int b = 0; b < TV_BLOCK_COUNT; b++)
        *(b < TV_FORWARD_BLOCKS ? &f : &r) += dots[b];
    out->forward = (float)f;
    out->reverse = (float)r;
    for (int b = 0; b < TV_BLOCK_COUNT; b++) {
        double share = f <= 0 || r <= 0 ? 0 : b < TV_FORWARD_BLOCKS ? r / (f + r) : f / (f + r);

        out->contributions[b] = (float)(share * dots[b]);
    }
}

/* A company term is shared when the investor has it, or its top-level term, or a finer one. */
static void shared_terms(const tv_matcher_t *m, size_t c, size_t i, tv_explanation_t *out)
{
    tv_taxo_kind_t ck[64], ik[64];
    uint16_t ci[64], ii[64];
    size_t nc =
        tv__features_company_terms(m->features, &m->co.items[c], &m->co.bags[c], ck, ci, 64);
    size_t ni =
        tv__features_investor_terms(m->features, &m->in.items[i], &m->in.bags[i], ik, ii, 64);

    out->n_terms = 0;
    for (size_t a = 0; a < nc && out->n_terms < TV_EXPLAIN_TERMS; a++) {
        size_t root = tv_taxonomy_root(m->tax, ck[a], ci[a]);

        for (size_t b = 0; b < ni; b++) {
            if (ik[b] != ck[a] || (ii[b] != ci[a] && ii[b] != root &&
                                   tv_taxonomy_root(m->tax, ik[b], ii[b]) != ci[a]))
                continue;
            out->terms[out->n_terms].kind = ck[a];
            out->terms[out->n_terms++].index = ci[a];
            break;
        }
    }
}

/* The shared text terms with the largest product of TF-IDF weights, filler left out. */
static void shared_text(const tv_matcher_t *m, size_t c, size_t i, tv_explanation_t *out)
{
    const tv_bag_t *x = &m->co.bags[c], *y = &m->in.bags[i];
    const tv_text_df_t *df = tv__features_df(m->features);
    float best[TV_EXPLAIN_TEXT];
    size_t a = 0, b = 0;

    out->n_text = 0;
    while (a < x->n_terms && b < y->n_terms) {
        if (x->terms[a].hash != y->terms[b].hash) {
            *(x->terms[a].hash < y->terms[b].hash ? &a : &b) += 1;
            continue;
        }
        if (tv_text_df_share(df, x, a) > TV_FILLER_SHARE) { /* filler: no reason */
            a++, b++;
            continue;
        }
        float w = tv_text_weight(df, x, a) * tv_text_weight(df, y, b);
        size_t at = out->n_text < TV_EXPLAIN_TEXT ? out->n_text++ : TV_EXPLAIN_TEXT;

        while (at > 0 && best[at - 1] < w) {
            if (at < TV_EXPLAIN_TEXT) {
                best[at] = best[at - 1];
                out->text[at] = out->text[at - 1];
            }
            at--;
        }
        if (at < TV_EXPLAIN_TEXT) {
            best[at] = w;
            out->text[at] = x->terms[a].display;
        }
        a++, b++;
    }
}

/* Records one constraint with its detail in English and in Italian. */
static void constraint(tv_explanation_t *out, const char *name, tv_constraint_state_t state,
                       const char *detail, const char *detail_it)
{
    tv_constraint_t *k = &out->constraints[out->n_constraints++];

    k->name = name;
    k->state = state;
    snprintf(k->detail, sizeof(k->detail), "%s", detail);
    snprintf(k->detail_it, sizeof(k->detail_it), "%s", detail_it);
}

static void ticket_constraint(const tv_matcher_t *m, size_t c, size_t i, tv_explanation_t *out)
{
    const tv_investor_t *inv = &m->in.items[i];
    int64_t raise = m->co.items[c].raise_eur;
    long long lo = inv->ticket_min_eur == TV_UNKNOWN ? 0 : inv->ticket_min_eur;
    long long hi = inv->ticket_max_eur == TV_UNKNOWN ? 0 : inv->ticket_max_eur;
    char en[160], it[160];

    if (m->cfg.ticket_factor <= 0) {
        constraint(out, "ticket", TV_CONSTRAINT_OFF, "not checked", "non verificato");
    } else if (raise == TV_UNKNOWN ||
               (inv->ticket_min_eur == TV_UNKNOWN && inv->ticket_max_eur == TV_UNKNOWN)) {
        constraint(out, "ticket", TV_CONSTRAINT_UNKNOWN, "raise or ticket range not given",
                   "raccolta o ticket non indicati");
    } else {
        snprintf(en, sizeof(en),
                 "raise EUR %lld against range EUR %lld-%lld (x%.3g allowed either way)",
                 (long long)raise, lo, hi, m->cfg.ticket_factor);
        snprintf(it, sizeof(it),
                 "raccolta di EUR %lld contro un ticket di EUR %lld-%lld (x%.3g ammesso in "
                 "entrambi i sensi)",
                 (long long)raise, lo, hi, m->cfg.ticket_factor);
        constraint(out, "ticket",
                   ticket_out_of_range(m, c, i) ? TV_CONSTRAINT_FAIL : TV_CONSTRAINT_PASS, en, it);
    }
}

static void constraints(const tv_matcher_t *m, size_t c, size_t i, tv_explanation_t *out)
{
    static const tv_constraint_state_t by_check[] = {TV_CONSTRAINT_UNKNOWN, TV_CONSTRAINT_FAIL,
                                                     TV_CONSTRAINT_PASS};
    tv_check_t e = m->co.eligible[c];
    int inactive = m->in.items[i].active == 0, conflict = conflicts(m, c, i);

    out->n_constraints = 0;
    constraint(out, "eligible", m->cfg.eligible_only ? by_check[e + 1] : TV_CONSTRAINT_OFF,
               e == TV_CHECK_PASS   ? "ESIBE criteria met"
               : e == TV_CHECK_FAIL ? "an ESIBE criterion fails"
                                    : "ESIBE criteria not all known",
               e == TV_CHECK_PASS   ? "criteri ESIBE soddisfatti"
               : e == TV_CHECK_FAIL ? "un criterio ESIBE non è soddisfatto"
                                    : "criteri ESIBE non tutti noti");
    ticket_constraint(m, c, i, out);
    if (!m->cfg.mask_inactive)
        constraint(out, "active", TV_CONSTRAINT_OFF, "not checked", "non verificato");
    else
        constraint(out, "active", inactive ? TV_CONSTRAINT_FAIL : TV_CONSTRAINT_PASS,
                   inactive ? "investor marked inactive" : "investor active",
                   inactive ? "investitore segnato come inattivo" : "investitore attivo");
    if (!m->cfg.mask_conflicts)
        constraint(out, "portfolio_conflict", TV_CONSTRAINT_OFF, "not checked", "non verificato");
    else
        constraint(out, "portfolio_conflict", conflict ? TV_CONSTRAINT_FAIL : TV_CONSTRAINT_PASS,
                   conflict ? "investor holds a competitor: same indication and stage"
                            : "no holding with the same indication and stage",
                   conflict ? "l'investitore detiene un concorrente: stessa indicazione e stadio"
                            : "nessuna partecipazione con la stessa indicazione e stadio");
}

/* The flags: every constraint that fails, and an ESIBE verdict of fail even when eligibility
 * does not mask (the company is listed, and the reader must see it is not eligible). */
static unsigned flags_of(const tv_matcher_t *m, size_t c, const tv_explanation_t *e)
{
    unsigned flags = m->co.eligible[c] == TV_CHECK_FAIL ? TV_FLAG_NOT_ELIGIBLE : 0;

    for (size_t k = 1; k < e->n_constraints; k++) {
        if (e->constraints[k].state == TV_CONSTRAINT_FAIL)
            flags |= 1u << k;
    }
    return flags;
}

/* The blocks that drove the score, largest first: each at least a tenth of the score, the text
 * block only with a shared word left to quote (its weight may come from filler alone). */
static void top_reasons(tv_explanation_t *e)
{
    int used[TV_BLOCK_COUNT] = {0};

    e->n_reasons = 0;
    while (e->n_reasons < TV_EXPLAIN_REASONS) {
        int best = -1;

        for (int b = 0; b < TV_BLOCK_COUNT; b++) {
            if (used[b] || e->contributions[b] <= 0 || e->contributions[b] < 0.1f * e->score ||
                (b == TV_BLOCK_TEXT && e->n_text == 0))
                continue;
            if (best < 0 || e->contributions[b] > e->contributions[best])
                best = b;
        }
        if (best < 0)
            break;
        used[best] = 1;
        e->reasons[e->n_reasons++] = (tv_block_t)best;
    }
}

int tv_matcher_explain(const tv_matcher_t *m, size_t company, size_t investor,
                       tv_explanation_t *out)
{
    tv_score_input_t in = score_input(m);
    double dots[TV_BLOCK_COUNT];

    if (!m->built || company >= m->co.n || investor >= m->in.n)
        return TV_EINVAL;
    memset(out, 0, sizeof(*out));
    out->score = tv_score_pair(&in, company, investor);
    block_dots(m, company, investor, dots);
    contributions(dots, out);
    out->activity = tv__features_activity(m->features, &m->in.items[investor]);
    shared_terms(m, company, investor, out);
    shared_text(m, company, investor, out);
    constraints(m, company, investor, out);
    out->allowed = allow_pair((void *)m, company, investor);
    out->fit = tv_matcher_fit(m, out->score);
    out->level = tv_fit_level(out->fit);
    out->flags = flags_of(m, company, out);
    top_reasons(out);
    return 0;
}
