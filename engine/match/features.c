/* Feature vectors of companies and investors, block by block (see features.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "features_internal.h"
#include "core/internal.h"

/* Who co-invested with whom: (investor, co-investor) id hashes with a count, sorted. */
typedef struct {
    uint64_t investor, partner;
    uint32_t count;
} coinvest_t;

struct tv__features {
    const tv_taxonomy_t *tax;
    tv_match_config_t cfg; /* weights normalised */
    tv__layout_t layout;
    size_t term_offset[TV_TAXO_KIND_COUNT]; /* within the taxonomy block */
    tv_text_model_t *text;
    tv_text_df_t *df;
    coinvest_t *coinvest;
    size_t n_coinvest;
    int64_t activity_year; /* the latest holding year of the corpus */
    double activity_top;   /* the largest recency-weighted deal count */
};

static const char *const block_names[TV_BLOCK_COUNT] = {
    "taxonomy", "text",      "stage",     "round", "ticket", "geography",
    "locality", "syndicate", "portfolio", "kind",  "region", "lead"};

const char *tv_block_name(tv_block_t b)
{
    return block_names[b];
}

static void normalise_weights(float *w, int from, int to)
{
    float sum = 0;

    for (int b = from; b < to; b++)
        sum += w[b] > 0 ? w[b] : 0;
    for (int b = from; b < to; b++)
        w[b] = sum > 0 && w[b] > 0 ? w[b] / sum : 0;
}

static void make_layout(tv__features_t *f)
{
    const tv_taxonomy_t *t = f->tax;
    tv__layout_t *l = &f->layout;
    size_t np = tv_taxonomy_count(t, TV_TAXO_PATHOLOGY),
           nt = tv_taxonomy_count(t, TV_TAXO_TECHNOLOGY);

    f->term_offset[TV_TAXO_PATHOLOGY] = 0;
    f->term_offset[TV_TAXO_TECHNOLOGY] = np;
    f->term_offset[TV_TAXO_PRIORITY] = np + nt;
    l->width[TV_BLOCK_TAXONOMY] = np + nt + tv_taxonomy_count(t, TV_TAXO_PRIORITY);
    l->width[TV_BLOCK_TEXT] = f->cfg.text_width;
    l->width[TV_BLOCK_STAGE] = tv_taxonomy_count(t, TV_TAXO_STAGE);
    l->width[TV_BLOCK_ROUND] = tv_taxonomy_count(t, TV_TAXO_ROUND);
    l->width[TV_BLOCK_TICKET] = f->cfg.ticket_buckets;
    l->width[TV_BLOCK_GEOGRAPHY] = tv_taxonomy_count(t, TV_TAXO_REGION);
    l->width[TV_BLOCK_LOCALITY] = f->cfg.locality_width;
    l->width[TV_BLOCK_SYNDICATE] = f->cfg.syndicate_width;
    l->width[TV_BLOCK_PORTFOLIO] = f->cfg.portfolio.width;
    /* Reverse blocks end with an "any" slot: no preference on the company side. */
    l->width[TV_BLOCK_KIND] = tv_taxonomy_count(t, TV_TAXO_INVESTOR_KIND) + 1;
    l->width[TV_BLOCK_REGION] = tv_taxonomy_count(t, TV_TAXO_REGION) + 1;
    l->width[TV_BLOCK_LEAD] = 3; /* leads, does not lead, any */
    l->dim = l->dim_rev = 0;
    for (int b = 0; b < TV_BLOCK_COUNT; b++) {
        size_t *dim = b < TV_FORWARD_BLOCKS ? &l->dim : &l->dim_rev;

        l->offset[b] = *dim;
        *dim += l->width[b];
    }
}

int tv__features_create(const tv_taxonomy_t *t, const tv_match_config_t *cfg, tv__features_t **out)
{
    tv__features_t *f = tv__calloc(1, sizeof(*f));
    int rc = TV_ENOMEM;

    if (f == NULL)
        return TV_ENOMEM;
    f->tax = t;
    f->cfg = *cfg;
    normalise_weights(f->cfg.weights, 0, TV_FORWARD_BLOCKS);
    normalise_weights(f->cfg.weights, TV_FORWARD_BLOCKS, TV_BLOCK_COUNT);
    make_layout(f);
    rc = tv_text_model_create(t, &f->text);
    if (rc == 0)
        rc = tv_text_df_create(&f->df);
    if (rc != 0) {
        tv__features_destroy(f);
        return rc;
    }
    *out = f;
    return 0;
}

void tv__features_destroy(tv__features_t *f)
{
    if (f == NULL)
        return;
    tv_text_model_destroy(f->text);
    tv_text_df_destroy(f->df);
    tv__free(f->coinvest);
    tv__free(f);
}

const tv__layout_t *tv__features_layout(const tv__features_t *f)
{
    return &f->layout;
}

const tv_text_df_t *tv__features_df(const tv__features_t *f)
{
    return f->df;
}

int tv__features_analyse(const tv__features_t *f, const char *text, const char *lang, tv_bag_t *out)
{
    return tv_text_analyse(f->text, text != NULL ? text : "", lang != NULL ? lang : "", out);
}

int tv__features_count_text(tv__features_t *f, const tv_bag_t *bag)
{
    return tv_text_df_add(f->df, bag);
}

/* ---- syndicates ---- */

static uint64_t id_hash(const char *id)
{
    return XXH64(id, strlen(id), 0);
}

static int compare_coinvest(const void *a, const void *b)
{
    const coinvest_t *x = a, *y = b;

    if (x->investor != y->investor)
        return x->investor < y->investor ? -1 : 1;
    return x->partner < y->partner ? -1 : x->partner > y->partner;
}

int tv__features_fit_syndicates(tv__features_t *f, const tv_company_t *companies, size_t n)
{
    size_t pairs = 0, k = 0;
    coinvest_t *all;

    for (size_t c = 0; c < n; c++)
        pairs += companies[c].investors.n * companies[c].investors.n;
    all = tv__malloc((pairs + 1) * sizeof(coinvest_t));
    if (all == NULL)
        return TV_ENOMEM;
    for (size_t c = 0; c < n; c++) {
        const tv_strings_t *ids = &companies[c].investors;

        for (size_t a = 0; a < ids->n; a++) {
            for (size_t b = 0; b < ids->n; b++) {
                if (a != b)
                    all[k++] = (coinvest_t){id_hash(ids->items[a]), id_hash(ids->items[b]), 1};
            }
        }
    }
    qsort(all, k, sizeof(coinvest_t), compare_coinvest);
    f->n_coinvest = 0;
    for (size_t i = 0; i < k; i++) {
        coinvest_t *last = f->n_coinvest > 0 ? &all[f->n_coinvest - 1] : NULL;

        if (last != NULL && last->investor == all[i].investor && last->partner == all[i].partner)
            last->count++;
        else
            all[f->n_coinvest++] = all[i];
    }
    tv__free(f->coinvest);
    f->coinvest = all;
    return 0;
}

/* The co-investors of the company's existing investors, hashed into the syndicate block. */
static void syndicate_of_company(const tv__features_t *f, const tv_company_t *c, float *block)
{
    for (size_t e = 0; e < c->investors.n && f->n_coinvest > 0; e++) {
        uint64_t h = id_hash(c->investors.items[e]);
        size_t lo = 0, hi = f->n_coinvest;

        while (lo < hi) {
            size_t mid = (lo + hi) / 2;

            if (f->coinvest[mid].investor < h)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t i = lo; i < f->n_coinvest && f->coinvest[i].investor == h; i++)
            block[f->coinvest[i].partner % f->cfg.syndicate_width] += (float)f->coinvest[i].count;
    }
}

/* ---- activity ---- */

/* A holding's weight by recency: one 'half_life' years older than the corpus's latest counts
 * half. A holding of unknown year counts in full. */
static double holding_weight(const tv__features_t *f, const tv_holding_t *h)
{
    double age = h->year != TV_UNKNOWN && h->year < f->activity_year
                     ? (double)(f->activity_year - h->year)
                     : 0;

    return pow(0.5, age / f->cfg.activity_half_life);
}

/* An investor's deals, each weighted by recency. */
static double recent_deals(const tv__features_t *f, const tv_investor_t *inv)
{
    double sum = 0;

    for (size_t h = 0; h < inv->portfolio_n; h++)
        sum += holding_weight(f, &inv->portfolio[h]);
    return sum;
}

void tv__features_fit_activity(tv__features_t *f, const tv_investor_t *investors, size_t n)
{
    f->activity_year = TV_UNKNOWN;
    for (size_t i = 0; i < n; i++) {
        for (size_t h = 0; h < investors[i].portfolio_n; h++) {
            if (investors[i].portfolio[h].year > f->activity_year)
                f->activity_year = investors[i].portfolio[h].year;
        }
    }
    f->activity_top = 0;
    for (size_t i = 0; i < n; i++) {
        double deals = recent_deals(f, &investors[i]);

        if (deals > f->activity_top)
            f->activity_top = deals;
    }
}

float tv__features_activity(const tv__features_t *f, const tv_investor_t *inv)
{
    double share = f->cfg.activity_share, level;

    /* Unknown is not fail: an investor with no portfolio on file is not scaled. */
    if (f->activity_top <= 0 || share <= 0 || inv->portfolio_n == 0)
        return 1.0f;
    level = pow(recent_deals(f, inv) / f->activity_top, f->cfg.activity_exponent);
    return (float)(1 - share + share * (level < 1 ? level : 1));
}

/* ---- blocks ---- */

static void light(float *v, size_t at, float value)
{
    if (v[at] < value)
        v[at] = value;
}

/* A term lights its slot; a finer term also lights its top-level term, less. */
static void light_term(const tv__features_t *f, float *block, tv_taxo_kind_t kind, size_t index)
{
    size_t root = tv_taxonomy_root(f->tax, kind, index);

    light(block, f->term_offset[kind] + index, 1.0f);
    if (root != index)
        light(block, f->term_offset[kind] + root, f->cfg.parent_share);
}

static void light_terms(const tv__features_t *f, float *block, tv_taxo_kind_t kind,
                        const tv_terms_t *terms)
{
    for (size_t i = 0; i < terms->n; i++)
        light_term(f, block, kind, terms->items[i]);
}

static void light_concepts(const tv__features_t *f, float *block, const tv_bag_t *bag)
{
    for (size_t i = 0; bag != NULL && i < bag->n_concepts; i++)
        light_term(f, block, bag->concepts[i].kind, bag->concepts[i].index);
}

/* Stages (or rounds) of the same track fit by decay^distance in their order. */
static void light_sequence(const tv__features_t *f, float *block, tv_taxo_kind_t kind, int at,
                           float decay)
{
    const tv_taxo_entry_t *e;

    if (at < 0)
        return;
    e = tv_taxonomy_entry(f->tax, kind, (size_t)at);
    for (size_t s = 0; s < tv_taxonomy_count(f->tax, kind); s++) {
        const tv_taxo_entry_t *o = tv_taxonomy_entry(f->tax, kind, s);

        if (o->track == e->track)
            light(block, s, powf(decay, (float)abs(o->order - e->order)));
    }
}

/* Where an amount falls on the log-spaced buckets, as a fractional bucket number. */
static float ticket_position(const tv__features_t *f, int64_t eur)
{
    double lo = log((double)f->cfg.ticket_low_eur), hi = log((double)f->cfg.ticket_high_eur);
    double x = (log((double)(eur > 1 ? eur : 1)) - lo) / (hi - lo) * (f->cfg.ticket_buckets - 1);

    return (float)(x < 0 ? 0 : x > f->cfg.ticket_buckets - 1 ? f->cfg.ticket_buckets - 1 : x);
}

static void ticket_bump(const tv__features_t *f, float *block, int64_t raise)
{
    float p = ticket_position(f, raise), s = f->cfg.ticket_sigma;

    for (uint32_t b = 0; b < f->cfg.ticket_buckets; b++)
        block[b] = expf(-((float)b - p) * ((float)b - p) / (2 * s * s));
}

/* An investor's range is a box over the buckets with soft edges; an open end stays open. */
static void ticket_box(const tv__features_t *f, float *block, int64_t min, int64_t max)
{
    float lo = min != TV_UNKNOWN ? ticket_position(f, min) : 0;
    float hi = max != TV_UNKNOWN ? ticket_position(f, max) : (float)(f->cfg.ticket_buckets - 1);
    float s = f->cfg.ticket_sigma;

    if (min == TV_UNKNOWN && max == TV_UNKNOWN)
        return;
    for (uint32_t b = 0; b < f->cfg.ticket_buckets; b++) {
        float d = (float)b < lo ? lo - (float)b : (float)b > hi ? (float)b - hi : 0;

        block[b] = expf(-d * d / (2 * s * s));
    }
}

/* The regions that hold 'country', with their ancestors; the top-level regions when none
 * names it. */
static void light_country(const tv__features_t *f, float *block, const char *country)
{
    size_t n = tv_taxonomy_count(f->tax, TV_TAXO_REGION);
    int found = 0;

    if (country[0] == '\0')
        return;
    for (size_t r = 0; r < n; r++) {
        const tv_strings_t *codes = &tv_taxonomy_entry(f->tax, TV_TAXO_REGION, r)->countries;

        for (size_t i = 0; i < codes->n; i++) {
            if (strcmp(codes->items[i], country) != 0)
                continue;
            for (int at = (int)r; at >= 0;
                 at = tv_taxonomy_entry(f->tax, TV_TAXO_REGION, at)->parent)
                light(block, (size_t)at, 1.0f);
            found = 1;
        }
    }
    for (size_t r = 0; !found && r < n; r++) {
        if (tv_taxonomy_entry(f->tax, TV_TAXO_REGION, r)->parent < 0)
            light(block, r, 1.0f);
    }
}

/* The city (or metro area) lights its slot, and the state or region its own, less: two
 * places in one state share that slot. */
static void light_locality(const tv__features_t *f, float *block, const char *city,
                           const char *subdivision)
{
    size_t width = f->cfg.locality_width;

    if (width > 0 && city != NULL && city[0] != '\0')
        light(block, tv__place_hash(city, TV__PLACE_CITY) % width, 1.0f);
    if (width > 0 && subdivision != NULL && subdivision[0] != '\0')
        light(block, tv__place_hash(subdivision, TV__PLACE_SUBDIVISION) % width,
              f->cfg.locality_subdivision);
}

/* Scales block 'b' of 'v' to length 'length' (left at zero when empty). */
static void scale_block(const tv__layout_t *l, float *v, int b, float length)
{
    float *x = v + l->offset[b];
    double sum = 0;

    for (size_t i = 0; i < l->width[b]; i++)
        sum += (double)x[i] * x[i];
    for (size_t i = 0; i < l->width[b] && sum > 0; i++)
        x[i] = (float)(x[i] * length / sqrt(sum));
}

static void finish(const tv__features_t *f, float *fwd, float *rev)
{
    for (int b = 0; b < TV_BLOCK_COUNT; b++)
        scale_block(&f->layout, b < TV_FORWARD_BLOCKS ? fwd : rev, b, sqrtf(f->cfg.weights[b]));
}

/* ---- profiles ---- */

#define BLOCK(v, b) ((v) + f->layout.offset[(b)])

/* The company's state or region: as stated, else its Italian region's id. */
static const char *company_subdivision(const tv__features_t *f, const tv_company_t *c)
{
    if (c->subdivision != NULL && c->subdivision[0] != '\0')
        return c->subdivision;
    if (c->hq_region >= 0)
        return tv_taxonomy_entry(f->tax, TV_TAXO_IT_REGION, (size_t)c->hq_region)->id;
    return NULL;
}

int tv__features_company(const tv__features_t *f, const tv_company_t *c, const tv_bag_t *bag,
                         float *fwd, float *rev)
{
    const tv__layout_t *l = &f->layout;
    float *kind = BLOCK(rev, TV_BLOCK_KIND), *region = BLOCK(rev, TV_BLOCK_REGION);
    const char *subdivision = company_subdivision(f, c);

    memset(fwd, 0, l->dim * sizeof(float));
    memset(rev, 0, l->dim_rev * sizeof(float));
    light_terms(f, BLOCK(fwd, TV_BLOCK_TAXONOMY), TV_TAXO_PATHOLOGY, &c->pathologies);
    light_terms(f, BLOCK(fwd, TV_BLOCK_TAXONOMY), TV_TAXO_TECHNOLOGY, &c->technologies);
    light_terms(f, BLOCK(fwd, TV_BLOCK_TAXONOMY), TV_TAXO_PRIORITY, &c->priorities);
    light_concepts(f, BLOCK(fwd, TV_BLOCK_TAXONOMY), bag);
    if (bag != NULL)
        tv_text_vector(f->df, bag, BLOCK(fwd, TV_BLOCK_TEXT), l->width[TV_BLOCK_TEXT]);
    light_sequence(f, BLOCK(fwd, TV_BLOCK_STAGE), TV_TAXO_STAGE, c->stage, f->cfg.stage_decay);
    light_sequence(f, BLOCK(fwd, TV_BLOCK_ROUND), TV_TAXO_ROUND, c->round, f->cfg.round_decay);
    if (c->raise_eur != TV_UNKNOWN)
        ticket_bump(f, BLOCK(fwd, TV_BLOCK_TICKET), c->raise_eur);
    light_country(f, BLOCK(fwd, TV_BLOCK_GEOGRAPHY), c->hq_country);
    light_locality(f, BLOCK(fwd, TV_BLOCK_LOCALITY), c->city, subdivision);
    syndicate_of_company(f, c, BLOCK(fwd, TV_BLOCK_SYNDICATE));
    tv__portfolio_add(&f->cfg, c->city, subdivision, c->raise_eur, 1,
                      BLOCK(fwd, TV_BLOCK_PORTFOLIO));
    /* What the company wants; no preference lights the "any" slot. */
    for (size_t i = 0; i < c->wants.investor_kinds.n; i++)
        kind[c->wants.investor_kinds.items[i]] = 1;
    if (c->wants.investor_kinds.n == 0)
        kind[l->width[TV_BLOCK_KIND] - 1] = 1;
    for (size_t i = 0; i < c->wants.regions.n; i++)
        region[c->wants.regions.items[i]] = 1;
    if (c->wants.regions.n == 0)
        region[l->width[TV_BLOCK_REGION] - 1] = 1;
    BLOCK(rev, TV_BLOCK_LEAD)[c->wants.lead == 1 ? 0 : 2] = 1;
    finish(f, fwd, rev);
    return 0;
}

/* The blocks a portfolio holding reveals: terms, text, stage, round, ticket, place. */
static const int revealed_blocks[] = {TV_BLOCK_TAXONOMY, TV_BLOCK_TEXT,   TV_BLOCK_STAGE,
                                      TV_BLOCK_ROUND,    TV_BLOCK_TICKET, TV_BLOCK_GEOGRAPHY,
                                      TV_BLOCK_LOCALITY};

static void holding_vector(const tv__features_t *f, const tv_holding_t *h, const tv_bag_t *bag,
                           float *v)
{
    memset(v, 0, f->layout.dim * sizeof(float));
    light_terms(f, BLOCK(v, TV_BLOCK_TAXONOMY), TV_TAXO_PATHOLOGY, &h->pathologies);
    light_terms(f, BLOCK(v, TV_BLOCK_TAXONOMY), TV_TAXO_TECHNOLOGY, &h->technologies);
    light_concepts(f, BLOCK(v, TV_BLOCK_TAXONOMY), bag);
    if (bag != NULL)
        tv_text_vector(f->df, bag, BLOCK(v, TV_BLOCK_TEXT), f->layout.width[TV_BLOCK_TEXT]);
    light_sequence(f, BLOCK(v, TV_BLOCK_STAGE), TV_TAXO_STAGE, h->stage, f->cfg.stage_decay);
    light_sequence(f, BLOCK(v, TV_BLOCK_ROUND), TV_TAXO_ROUND, h->round, f->cfg.round_decay);
    if (h->raise_eur != TV_UNKNOWN)
        ticket_bump(f, BLOCK(v, TV_BLOCK_TICKET), h->raise_eur);
    light_country(f, BLOCK(v, TV_BLOCK_GEOGRAPHY), h->country);
    light_locality(f, BLOCK(v, TV_BLOCK_LOCALITY), h->city, h->subdivision);
    for (size_t i = 0; i < TV__ARRAY_LEN(revealed_blocks); i++)
        scale_block(&f->layout, v, revealed_blocks[i], 1.0f);
}

/* Blends the mean of the holdings into the stated thesis, block by block:
 * (1 - share) * stated + share * revealed, each unit length first; and sums the holdings'
 * points into the portfolio block, which is revealed only (see portfolio.c). */
static int blend_portfolio(const tv__features_t *f, const tv_investor_t *inv,
                           const tv_bag_t *holding_bags, float *fwd)
{
    float *mean = tv__calloc(2 * f->layout.dim, sizeof(float)), *one;
    float share = f->cfg.revealed_share;

    if (mean == NULL)
        return TV_ENOMEM;
    one = mean + f->layout.dim;
    for (size_t h = 0; h < inv->portfolio_n; h++) {
        const tv_holding_t *hold = &inv->portfolio[h];
        float weight = (float)holding_weight(f, hold);

        holding_vector(f, hold, holding_bags != NULL ? &holding_bags[h] : NULL, one);
        for (size_t d = 0; d < f->layout.dim; d++)
            mean[d] += one[d];
        tv__portfolio_add(&f->cfg, hold->city, hold->subdivision, hold->raise_eur, weight,
                          BLOCK(fwd, TV_BLOCK_PORTFOLIO));
    }
    for (size_t i = 0; i < TV__ARRAY_LEN(revealed_blocks); i++) {
        int b = revealed_blocks[i];
        float *s = BLOCK(fwd, b), *r = BLOCK(mean, b);
        double stated = 0, revealed = 0;

        scale_block(&f->layout, fwd, b, 1.0f);
        scale_block(&f->layout, mean, b, 1.0f);
        for (size_t d = 0; d < f->layout.width[b]; d++) {
            stated += (double)s[d] * s[d];
            revealed += (double)r[d] * r[d];
        }
        for (size_t d = 0; d < f->layout.width[b] && stated > 0 && revealed > 0; d++)
            s[d] = (1 - share) * s[d] + share * r[d];
        for (size_t d = 0; d < f->layout.width[b] && stated == 0; d++)
            s[d] = r[d];
    }
    tv__free(mean);
    return 0;
}

static void investor_reverse(const tv__features_t *f, const tv_investor_t *inv, float *rev)
{
    const tv__layout_t *l = &f->layout;
    float *kind = BLOCK(rev, TV_BLOCK_KIND), *region = BLOCK(rev, TV_BLOCK_REGION);
    float *lead = BLOCK(rev, TV_BLOCK_LEAD);
    float any = f->cfg.indifferent;

    if (inv->kind >= 0)
        kind[inv->kind] = 1;
    kind[l->width[TV_BLOCK_KIND] - 1] = inv->kind >= 0 ? any : 1;
    light_country(f, region, inv->country);
    region[l->width[TV_BLOCK_REGION] - 1] = inv->country[0] != '\0' ? any : 1;
    if (inv->leads >= 0)
        lead[inv->leads ? 0 : 1] = 1;
    lead[2] = inv->leads >= 0 ? any : 1;
}

int tv__features_investor(const tv__features_t *f, const tv_investor_t *inv, const tv_bag_t *thesis,
                          const tv_bag_t *holding_bags, float *fwd, float *rev)
{
    const tv__layout_t *l = &f->layout;
    float *geo = BLOCK(fwd, TV_BLOCK_GEOGRAPHY);
    int rc = 0;

    memset(fwd, 0, l->dim * sizeof(float));
    memset(rev, 0, l->dim_rev * sizeof(float));
    light_terms(f, BLOCK(fwd, TV_BLOCK_TAXONOMY), TV_TAXO_PATHOLOGY, &inv->pathologies);
    light_terms(f, BLOCK(fwd, TV_BLOCK_TAXONOMY), TV_TAXO_TECHNOLOGY, &inv->technologies);
    light_terms(f, BLOCK(fwd, TV_BLOCK_TAXONOMY), TV_TAXO_PRIORITY, &inv->priorities);
    light_concepts(f, BLOCK(fwd, TV_BLOCK_TAXONOMY), thesis);
    if (thesis != NULL)
        tv_text_vector(f->df, thesis, BLOCK(fwd, TV_BLOCK_TEXT), l->width[TV_BLOCK_TEXT]);
    for (size_t i = 0; i < inv->stages.n; i++)
        light_sequence(f, BLOCK(fwd, TV_BLOCK_STAGE), TV_TAXO_STAGE, inv->stages.items[i],
                       f->cfg.stage_decay);
    for (size_t i = 0; i < inv->rounds.n; i++)
        light_sequence(f, BLOCK(fwd, TV_BLOCK_ROUND), TV_TAXO_ROUND, inv->rounds.items[i],
                       f->cfg.round_decay);
    ticket_box(f, BLOCK(fwd, TV_BLOCK_TICKET), inv->ticket_min_eur, inv->ticket_max_eur);
    for (size_t i = 0; i < inv->regions.n; i++)
        geo[inv->regions.items[i]] = 1;
    if (f->cfg.syndicate_width > 0)
        BLOCK(fwd, TV_BLOCK_SYNDICATE)[id_hash(inv->id) % f->cfg.syndicate_width] = 1;
    if (inv->portfolio_n > 0)
        rc = blend_portfolio(f, inv, holding_bags, fwd);
    investor_reverse(f, inv, rev);
    if (rc == 0) {
        float activity = tv__features_activity(f, inv);

        finish(f, fwd, rev);
        for (size_t d = 0; d < l->dim; d++)
            fwd[d] *= activity;
    }
    return rc;
}

/* ---- terms for explanations ---- */

static size_t add_term(tv_taxo_kind_t *kinds, uint16_t *indices, size_t n, size_t max,
                       tv_taxo_kind_t kind, uint16_t index)
{
    for (size_t i = 0; i < n; i++) {
        if (kinds[i] == kind && indices[i] == index)
            return n;
    }
    if (n < max) {
        kinds[n] = kind;
        indices[n++] = index;
    }
    return n;
}

static size_t add_terms(tv_taxo_kind_t *kinds, uint16_t *indices, size_t n, size_t max,
                        tv_taxo_kind_t kind, const tv_terms_t *terms)
{
    for (size_t i = 0; i < terms->n; i++)
        n = add_term(kinds, indices, n, max, kind, terms->items[i]);
    return n;
}

size_t tv__features_company_terms(const tv__features_t *f, const tv_company_t *c,
                                  const tv_bag_t *bag, tv_taxo_kind_t *kinds, uint16_t *indices,
                                  size_t max)
{
    size_t n = 0;

    (void)f;
    n = add_terms(kinds, indices, n, max, TV_TAXO_PATHOLOGY, &c->pathologies);
    n = add_terms(kinds, indices, n, max, TV_TAXO_TECHNOLOGY, &c->technologies);
    n = add_terms(kinds, indices, n, max, TV_TAXO_PRIORITY, &c->priorities);
    for (size_t i = 0; bag != NULL && i < bag->n_concepts; i++)
        n = add_term(kinds, indices, n, max, bag->concepts[i].kind, bag->concepts[i].index);
    return n;
}

size_t tv__features_investor_terms(const tv__features_t *f, const tv_investor_t *inv,
                                   const tv_bag_t *thesis, tv_taxo_kind_t *kinds, uint16_t *indices,
                                   size_t max)
{
    size_t n = 0;

    (void)f;
    n = add_terms(kinds, indices, n, max, TV_TAXO_PATHOLOGY, &inv->pathologies);
    n = add_terms(kinds, indices, n, max, TV_TAXO_TECHNOLOGY, &inv->technologies);
    n = add_terms(kinds, indices, n, max, TV_TAXO_PRIORITY, &inv->priorities);
    for (size_t h = 0; h < inv->portfolio_n; h++) {
        n = add_terms(kinds, indices, n, max, TV_TAXO_PATHOLOGY, &inv->portfolio[h].pathologies);
        n = add_terms(kinds, indices, n, max, TV_TAXO_TECHNOLOGY, &inv->portfolio[h].technologies);
    }
    for (size_t i = 0; thesis != NULL && i < thesis->n_concepts; i++)
        n = add_term(kinds, indices, n, max, thesis->concepts[i].kind, thesis->concepts[i].index);
    return n;
}
