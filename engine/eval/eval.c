/* Matching quality on real investments, split by time (see tavolo/eval.h and the README,
 * "Matching quality"). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "core/internal.h"
#include "tavolo/eval.h"

/* Recent popularity counts the companies an investor backed in this many years before the
 * cut. */
#define RECENT_YEARS 2

static const char *const group_names[TV_EVAL_GROUP_COUNT] = {"cold", "follow_on"};
static const char *const method_names[TV_EVAL_METHOD_COUNT] = {
    "tavolo", "popularity", "recent_popularity", "geography", "content", "random"};

const char *tv_eval_group_name(tv_eval_group_t g)
{
    return group_names[g];
}

const char *tv_eval_method_name(tv_eval_method_t m)
{
    return method_names[m];
}

/* ---- metrics ---- */

void tv_eval_score_list(const uint32_t *ranked, size_t n, const uint8_t *relevant,
                        size_t n_relevant, const size_t *k, size_t n_k, tv_eval_score_t *acc)
{
    size_t found = 0, j = 0;
    double dcg = 0, ideal = 0, rr = 0;

    for (size_t r = 0; r < n && n_relevant > 0; r++) {
        while (j < n_k && r == k[j]) {
            acc->recall[j] += (double)found / (double)n_relevant;
            acc->ndcg[j] += ideal > 0 ? dcg / ideal : 0;
            j++;
        }
        if (r < n_relevant)
            ideal += 1 / log2((double)r + 2);
        if (relevant[ranked[r]]) {
            dcg += 1 / log2((double)r + 2);
            if (found++ == 0)
                rr = 1 / ((double)r + 1);
        }
    }
    /* Lists shorter than k: the ideal list also ends there only if the relevant ones do. */
    for (size_t r = n; j < n_k && n_relevant > 0; r++) {
        if (r == k[j]) {
            acc->recall[j] += (double)found / (double)n_relevant;
            acc->ndcg[j] += ideal > 0 ? dcg / ideal : 0;
            j++;
        } else if (r < n_relevant) {
            ideal += 1 / log2((double)r + 2);
        }
    }
    acc->mrr += rr;
    acc->queries++;
}

/* ---- the split ---- */

/* 'date' (yyyymmdd) plus 'months', the day kept within the month. */
static int32_t add_months(int32_t date, int months)
{
    static const int days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y = date / 10000, m = date / 100 % 100 - 1 + months, d = date % 100;
    int month = m % 12, year = y + m / 12;
    int last =
        month == 1 && !(year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 28 : days[month];

    return year * 10000 + (month + 1) * 100 + (d < last ? d : last);
}

/* One (investor, company) pair before the cut: the round the investor entered, its size, and
 * the latest year it put money in. */
typedef struct {
    uint32_t investor, company;
    int32_t first_date, last_date;
    int round, round_type;
    int64_t raised_eur;
} stake_t;

typedef struct {
    const tv_eval_data_t *data;
    int32_t cutoff, until;
    size_t min_companies;
    stake_t *stakes; /* sorted by investor, then company */
    size_t n_stakes;
    long *known;         /* data investor -> ranked investor, or -1 */
    uint32_t *known_ids; /* ranked investor -> data investor */
    size_t n_known;
    size_t *first_stake; /* data investor -> its first stake (n_investors + 1 entries) */
    uint8_t *had_round;  /* per company: a round before the cut */
    int *next_round;     /* per company: the first test investment, or -1 */
} split_t;

static int compare_stakes(const void *a, const void *b)
{
    const stake_t *x = a, *y = b;

    if (x->investor != y->investor)
        return x->investor < y->investor ? -1 : 1;
    if (x->company != y->company)
        return x->company < y->company ? -1 : 1;
    return (x->first_date > y->first_date) - (x->first_date < y->first_date);
}

/* Folds the investments before the cut into one stake per (investor, company). */
static int make_stakes(split_t *s)
{
    const tv_eval_data_t *d = s->data;
    size_t n = 0;

    s->stakes = tv__malloc((d->n_investments + 1) * sizeof(stake_t));
    if (s->stakes == NULL)
        return TV_ENOMEM;
    for (size_t e = 0; e < d->n_investments; e++) {
        const tv_eval_investment_t *x = &d->investments[e];

        if (x->date <= s->cutoff)
            s->stakes[n++] = (stake_t){x->investor, x->company,    x->date,      x->date,
                                       x->round,    x->round_type, x->raised_eur};
    }
    qsort(s->stakes, n, sizeof(stake_t), compare_stakes);
    s->n_stakes = 0;
    for (size_t i = 0; i < n; i++) {
        stake_t *last = s->n_stakes > 0 ? &s->stakes[s->n_stakes - 1] : NULL;

        if (last != NULL && last->investor == s->stakes[i].investor &&
            last->company == s->stakes[i].company)
            last->last_date = s->stakes[i].first_date;
        else
            s->stakes[s->n_stakes++] = s->stakes[i];
    }
    return 0;
}

static int make_split(split_t *s)
{
    const tv_eval_data_t *d = s->data;
    int rc = make_stakes(s);

    s->known = tv__malloc((d->n_investors + 1) * sizeof(long));
    s->known_ids = tv__malloc((d->n_investors + 1) * sizeof(uint32_t));
    s->first_stake = tv__calloc(d->n_investors + 1, sizeof(size_t));
    s->had_round = tv__calloc(d->n_companies + 1, 1);
    s->next_round = tv__malloc((d->n_companies + 1) * sizeof(int));
    if (rc != 0 || s->known == NULL || s->known_ids == NULL || s->first_stake == NULL ||
        s->had_round == NULL || s->next_round == NULL)
        return TV_ENOMEM;
    for (size_t i = 0, at = 0; i <= d->n_investors; i++) {
        s->first_stake[i] = at;
        while (at < s->n_stakes && s->stakes[at].investor == i)
            at++;
    }
    s->n_known = 0;
    for (size_t i = 0; i < d->n_investors; i++) {
        size_t companies = s->first_stake[i + 1] - s->first_stake[i];
        int known = companies > 0 && companies >= s->min_companies;

        s->known[i] = known ? (long)s->n_known : -1;
        if (known)
            s->known_ids[s->n_known++] = (uint32_t)i;
    }
    for (size_t c = 0; c < d->n_companies; c++)
        s->next_round[c] = -1;
    for (size_t e = 0; e < d->n_investments; e++) {
        const tv_eval_investment_t *x = &d->investments[e];
        int *next = &s->next_round[x->company];

        if (x->date <= s->cutoff)
            s->had_round[x->company] = 1;
        else if (x->date <= s->until && (*next < 0 || x->date < d->investments[*next].date))
            *next = (int)e;
    }
    return 0;
}

static void split_dispose(split_t *s)
{
    tv__free(s->stakes);
    tv__free(s->known);
    tv__free(s->known_ids);
    tv__free(s->first_stake);
    tv__free(s->had_round);
    tv__free(s->next_round);
}

/* ---- profiles ---- */

static int one_term(tv_terms_t *terms, int index)
{
    if (index < 0)
        return 0;
    terms->items = tv__malloc(sizeof(uint16_t));
    if (terms->items == NULL)
        return TV_ENOMEM;
    terms->items[0] = (uint16_t)index;
    terms->n = 1;
    return 0;
}

/* Company 'c' as it stands at the cut: its investors so far and, when it raises in the test
 * window, that round (what it would say it raises), else its last round. */
static int company_profile(const split_t *s, size_t c, tv_company_t *out)
{
    const tv_eval_data_t *d = s->data;
    const tv_eval_company_t *ec = &d->companies[c];
    const tv_eval_investment_t *round =
        s->next_round[c] >= 0 ? &d->investments[s->next_round[c]] : NULL;
    size_t cap = 0;
    int rc = 0;

    tv_company_init(out);
    for (size_t e = 0; s->next_round[c] < 0 && e < d->n_investments; e++) {
        const tv_eval_investment_t *x = &d->investments[e];

        if (x->company == c && x->date <= s->cutoff && (round == NULL || x->date >= round->date))
            round = x;
    }
    out->id = tv__strdup(ec->id);
    out->name = tv__strdup(ec->name);
    out->city = ec->region != NULL ? tv__strdup(ec->region) : NULL;
    out->subdivision = ec->state != NULL ? tv__strdup(ec->state) : NULL;
    memcpy(out->hq_country, ec->country, 3);
    out->founded = ec->founded;
    out->round = round != NULL ? round->round : -1;
    out->raise_eur = round != NULL ? round->raised_eur : TV_UNKNOWN;
    if (out->id == NULL || out->name == NULL || (ec->region != NULL && out->city == NULL) ||
        (ec->state != NULL && out->subdivision == NULL))
        rc = TV_ENOMEM;
    if (rc == 0)
        rc = one_term(&out->technologies, ec->technology);
    for (size_t inv = 0; inv < d->n_investors && rc == 0; inv++) {
        for (size_t k = s->first_stake[inv]; k < s->first_stake[inv + 1] && rc == 0; k++) {
            if (s->stakes[k].company != c)
                continue;
            rc = tv__grow((void **)&out->investors.items, &cap, out->investors.n + 1,
                          sizeof(char *));
            if (rc == 0 &&
                (out->investors.items[out->investors.n] = tv__strdup(d->investors[inv].id)) == NULL)
                rc = TV_ENOMEM;
            if (rc == 0)
                out->investors.n++;
        }
    }
    return rc;
}

static int investor_profile(const split_t *s, size_t inv, tv_investor_t *out)
{
    const tv_eval_data_t *d = s->data;
    size_t from = s->first_stake[inv], to = s->first_stake[inv + 1];
    int rc = 0;

    tv_investor_init(out);
    out->id = tv__strdup(d->investors[inv].id);
    out->name = tv__strdup(d->investors[inv].name);
    out->kind = d->investors[inv].kind;
    memcpy(out->country, d->investors[inv].country, 3);
    out->portfolio = tv__calloc(to - from + 1, sizeof(tv_holding_t));
    if (out->id == NULL || out->name == NULL || out->portfolio == NULL)
        return TV_ENOMEM;
    for (size_t k = from; k < to && rc == 0; k++) {
        const stake_t *st = &s->stakes[k];
        const tv_eval_company_t *ec = &d->companies[st->company];
        tv_holding_t *h = &out->portfolio[out->portfolio_n++];

        h->name = tv__strdup(ec->name);
        h->city = ec->region != NULL ? tv__strdup(ec->region) : NULL;
        h->subdivision = ec->state != NULL ? tv__strdup(ec->state) : NULL;
        memcpy(h->country, ec->country, 3);
        h->stage = -1;
        h->round = st->round;
        h->raise_eur = st->raised_eur;
        h->year = st->last_date / 10000;
        if (h->name == NULL || (ec->region != NULL && h->city == NULL) ||
            (ec->state != NULL && h->subdivision == NULL))
            rc = TV_ENOMEM;
        if (rc == 0)
            rc = one_term(&h->technologies, ec->technology);
    }
    return rc;
}

/* A matcher of every company with a round before the cut or in the test window, and every
 * known investor, whose lists cover every investor. */
static int fit_matcher(const tv_taxonomy_t *t, const tv_match_config_t *cfg, const split_t *s,
                       tv_matcher_t **out)
{
    tv_match_config_t run = *cfg;
    tv_matcher_t *m = NULL;
    int rc;

    run.eligible_only = 0;
    run.k = (uint32_t)(s->n_known > 0 ? s->n_known : 1);
    run.margin = 0;
    rc = tv_matcher_create(t, &run, &m);
    for (size_t c = 0; c < s->data->n_companies && rc == 0; c++) {
        tv_company_t co;

        if (!s->had_round[c] && s->next_round[c] < 0)
            continue;
        rc = company_profile(s, c, &co);
        if (rc == 0)
            rc = tv_matcher_add_company(m, &co);
        tv_company_dispose(&co);
    }
    for (size_t i = 0; i < s->n_known && rc == 0; i++) {
        tv_investor_t inv;

        rc = investor_profile(s, s->known_ids[i], &inv);
        if (rc == 0)
            rc = tv_matcher_add_investor(m, &inv);
        tv_investor_dispose(&inv);
    }
    if (rc == 0)
        rc = tv_matcher_build(m);
    if (rc != 0) {
        tv_matcher_destroy(m);
        return rc;
    }
    *out = m;
    return 0;
}

/* ---- rankings ---- */

typedef struct {
    const split_t *split;
    const tv_matcher_t *matcher;
    double *popularity, *recent, *local, *content, *noise; /* per ranked investor */
    uint32_t *order;                                       /* scratch: ranked investors */
    tv_hit_t *hits;
    uint8_t *relevant, *earlier;
} ranker_t;

static int compare_hits(const void *a, const void *b)
{
    tv_hit_t x = *(const tv_hit_t *)a, y = *(const tv_hit_t *)b;

    return tv_hit_better(x, y) ? -1 : tv_hit_better(y, x);
}

/* The known investors that are not earlier investors, best score first, ties by id. When
 * 'tie' is given (counts), it breaks ties before the id: the scores are counts too, and a
 * tie-break below 1 never crosses them. */
static size_t rank_by(ranker_t *r, const double *score, const double *tie)
{
    size_t n = 0;

    for (uint32_t i = 0; i < r->split->n_known; i++) {
        if (!r->earlier[i])
            r->hits[n++] =
                (tv_hit_t){(float)(score[i] + (tie != NULL ? tie[i] / (1 + tie[i]) : 0)), i};
    }
    qsort(r->hits, n, sizeof(tv_hit_t), compare_hits);
    for (size_t k = 0; k < n; k++)
        r->order[k] = r->hits[k].index;
    return n;
}

static size_t rank_tavolo(ranker_t *r, size_t company)
{
    int n = tv_matcher_for_company(r->matcher, company, r->split->n_known, NULL, r->hits);
    size_t kept = 0;

    for (int h = 0; h < n; h++) {
        if (!r->earlier[r->hits[h].index])
            r->order[kept++] = r->hits[h].index;
    }
    return kept;
}

/* Investors' counts of distinct companies before the cut: all, the last RECENT_YEARS years,
 * and in metro region 'region' (NULL: all zero). */
static void count_companies(ranker_t *r, const char *region, double *all, double *recent,
                            double *local)
{
    const split_t *s = r->split;
    int32_t recent_from = s->cutoff - RECENT_YEARS * 10000;

    for (size_t i = 0; i < s->n_known; i++) {
        size_t inv = s->known_ids[i];

        if (all != NULL)
            all[i] = 0;
        if (recent != NULL)
            recent[i] = 0;
        if (local != NULL)
            local[i] = 0;
        for (size_t k = s->first_stake[inv]; k < s->first_stake[inv + 1]; k++) {
            const char *where = s->data->companies[s->stakes[k].company].region;

            if (all != NULL)
                all[i] += 1;
            if (recent != NULL && s->stakes[k].last_date > recent_from)
                recent[i] += 1;
            if (local != NULL && region != NULL && where != NULL && strcmp(where, region) == 0)
                local[i] += 1;
        }
    }
}

/* Where a company is, for the content baseline: its US state, or its country without one. */
static const char *place_of(const tv_eval_company_t *c)
{
    return c->state != NULL ? c->state : c->country[0] != '\0' ? c->country : NULL;
}

/* The content baseline, the one a data scientist would try first: for each known investor, of
 * its companies before the cut, how many share company 'c''s category, how many its place
 * (place_of) and how many entered at the round type 'c' raises ('round_type', the source's
 * own, -1 unknown: never shared), multiplied: (category + 1) x place x round type. The
 * category has three values, nearly every company biotech, so it only weighs; popularity
 * breaks ties (docs/matching.md). */
static void count_content(ranker_t *r, size_t c, int round_type, double *out)
{
    const split_t *s = r->split;
    const tv_eval_company_t *ec = &s->data->companies[c];
    const char *place = place_of(ec);

    for (size_t i = 0; i < s->n_known; i++) {
        size_t inv = s->known_ids[i];
        double category = 0, where = 0, round = 0;

        for (size_t k = s->first_stake[inv]; k < s->first_stake[inv + 1]; k++) {
            const stake_t *st = &s->stakes[k];
            const tv_eval_company_t *held = &s->data->companies[st->company];
            const char *there = place_of(held);

            category += ec->technology >= 0 && held->technology == ec->technology;
            where += place != NULL && there != NULL && strcmp(place, there) == 0;
            round += round_type >= 0 && st->round_type == round_type;
        }
        out[i] = (category + 1) * where * round;
    }
}

static void random_scores(ranker_t *r, const char *company_id)
{
    for (size_t i = 0; i < r->split->n_known; i++) {
        const char *id = r->split->data->investors[r->split->known_ids[i]].id;
        uint64_t h = XXH64(id, strlen(id), XXH64(company_id, strlen(company_id), 2011));

        r->noise[i] = (double)(h >> 11) / 9007199254740992.0;
    }
}

/* Marks the query's relevant investors (new ones in the window) and its earlier ones;
 * returns how many are relevant, and counts the pairs into the report. */
static size_t mark_query(ranker_t *r, size_t c, tv_eval_report_t *out)
{
    const split_t *s = r->split;
    const tv_eval_data_t *d = s->data;
    size_t n = 0;

    memset(r->relevant, 0, s->n_known);
    memset(r->earlier, 0, s->n_known);
    for (size_t i = 0; i < s->n_known; i++) {
        size_t inv = s->known_ids[i];

        for (size_t k = s->first_stake[inv]; k < s->first_stake[inv + 1]; k++)
            r->earlier[i] |= s->stakes[k].company == c;
    }
    for (size_t e = 0; e < d->n_investments; e++) {
        const tv_eval_investment_t *x = &d->investments[e];
        long i = s->known[x->investor];

        if (x->company != c || x->date <= s->cutoff || x->date > s->until)
            continue;
        if (i < 0) {
            out->unranked_pairs++;
            continue;
        }
        if (r->relevant[i] == 1 || r->relevant[i] == 2)
            continue; /* a second round of the same pair */
        r->relevant[i] = r->earlier[i] ? 2 : 1;
        if (s->had_round[c])
            out->follow_on_pairs++;
        if (r->earlier[i])
            out->earlier_pairs++;
        else
            n++;
    }
    for (size_t i = 0; i < s->n_known; i++)
        r->relevant[i] = r->relevant[i] == 1;
    return n;
}

static void score_query(ranker_t *r, size_t c, size_t n_relevant, tv_eval_report_t *out)
{
    const split_t *s = r->split;
    const tv_eval_company_t *ec = &s->data->companies[c];
    tv_eval_group_t g = s->had_round[c] ? TV_EVAL_FOLLOW_ON : TV_EVAL_COLD;
    tv_eval_score_t *acc = out->scores[g];
    size_t n;

    n = rank_tavolo(r, (size_t)tv_matcher_find_company(r->matcher, ec->id));
    tv_eval_score_list(r->order, n, r->relevant, n_relevant, out->k, out->n_k,
                       &acc[TV_EVAL_TAVOLO]);
    n = rank_by(r, r->popularity, NULL);
    tv_eval_score_list(r->order, n, r->relevant, n_relevant, out->k, out->n_k,
                       &acc[TV_EVAL_POPULARITY]);
    n = rank_by(r, r->recent, NULL);
    tv_eval_score_list(r->order, n, r->relevant, n_relevant, out->k, out->n_k,
                       &acc[TV_EVAL_RECENT_POPULARITY]);
    count_companies(r, ec->region, NULL, NULL, r->local);
    n = rank_by(r, r->local, r->popularity);
    tv_eval_score_list(r->order, n, r->relevant, n_relevant, out->k, out->n_k,
                       &acc[TV_EVAL_GEOGRAPHY]);
    count_content(r, c, s->data->investments[s->next_round[c]].round_type, r->content);
    n = rank_by(r, r->content, r->popularity);
    tv_eval_score_list(r->order, n, r->relevant, n_relevant, out->k, out->n_k,
                       &acc[TV_EVAL_CONTENT]);
    random_scores(r, ec->id);
    n = rank_by(r, r->noise, NULL);
    tv_eval_score_list(r->order, n, r->relevant, n_relevant, out->k, out->n_k,
                       &acc[TV_EVAL_RANDOM]);
    out->relevant_pairs[g] += n_relevant;
}

static int run_queries(const split_t *s, const tv_matcher_t *m, tv_eval_report_t *out)
{
    size_t n = s->n_known + 1;
    ranker_t r = {s, m, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    double *scores = tv__calloc(5 * n, sizeof(double));
    int rc = 0;

    r.order = tv__malloc(n * sizeof(uint32_t));
    r.hits = tv__malloc(n * sizeof(tv_hit_t));
    r.relevant = tv__malloc(n);
    r.earlier = tv__malloc(n);
    if (scores == NULL || r.order == NULL || r.hits == NULL || r.relevant == NULL ||
        r.earlier == NULL)
        rc = TV_ENOMEM;
    if (rc == 0) {
        r.popularity = scores;
        r.recent = scores + n;
        r.local = scores + 2 * n;
        r.content = scores + 3 * n;
        r.noise = scores + 4 * n;
        count_companies(&r, NULL, r.popularity, r.recent, NULL);
        for (size_t c = 0; c < s->data->n_companies; c++) {
            size_t relevant;

            if (s->next_round[c] < 0)
                continue;
            relevant = mark_query(&r, c, out);
            if (relevant > 0)
                score_query(&r, c, relevant, out);
        }
    }
    tv__free(scores);
    tv__free(r.order);
    tv__free(r.hits);
    tv__free(r.relevant);
    tv__free(r.earlier);
    return rc;
}

static void average(tv_eval_report_t *out)
{
    for (int g = 0; g < TV_EVAL_GROUP_COUNT; g++) {
        for (int m = 0; m < TV_EVAL_METHOD_COUNT; m++) {
            tv_eval_score_t *x = &out->scores[g][m];
            double q = x->queries > 0 ? (double)x->queries : 1;

            for (size_t j = 0; j < out->n_k; j++) {
                x->recall[j] /= q;
                x->ndcg[j] /= q;
            }
            x->mrr /= q;
        }
    }
}

static int plan_valid(const tv_eval_plan_t *p)
{
    if (p->n_k == 0 || p->n_k > TV_EVAL_MAX_K || p->months < 1 || p->months > 1200 ||
        p->min_companies < 1)
        return 0;
    for (size_t j = 0; j < p->n_k; j++) {
        if (p->k[j] == 0 || (j > 0 && p->k[j] <= p->k[j - 1]))
            return 0;
    }
    return 1;
}

int tv_eval_run(const tv_taxonomy_t *t, const tv_match_config_t *cfg, const tv_eval_data_t *data,
                const tv_eval_plan_t *plan, tv_eval_report_t *out)
{
    split_t s = {0};
    tv_matcher_t *m = NULL;
    int rc;

    if (!plan_valid(plan))
        return TV_EINVAL;
    s.data = data;
    s.cutoff = plan->cutoff;
    s.until = add_months(plan->cutoff, plan->months);
    s.min_companies = plan->min_companies;
    memset(out, 0, sizeof(*out));
    out->cutoff = plan->cutoff;
    out->until = s.until;
    out->min_companies = plan->min_companies;
    memcpy(out->k, plan->k, plan->n_k * sizeof(size_t));
    out->n_k = plan->n_k;
    rc = make_split(&s);
    out->known_investors = s.n_known;
    if (rc == 0)
        rc = fit_matcher(t, cfg, &s, &m);
    if (rc == 0)
        rc = run_queries(&s, m, out);
    if (rc == 0)
        average(out);
    tv_matcher_destroy(m);
    split_dispose(&s);
    return rc;
}
