/* Tests engine/schedule*.c: invariants on random events, optimality of the selection against
 * GLPK's integer programs, precedence, minimums, locks, placement, contract errors and
 * allocation failures. */
#include <glpk.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "schedule/schedule_internal.h"
#include "support.h"
#include "tavolo/schedule.h"

static uint64_t rng = 88172645463325252u;

static uint64_t next_u64(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static uint32_t below(uint32_t n)
{
    return n == 0 ? 0 : (uint32_t)(next_u64() % n);
}

static double uniform(void)
{
    return (double)(next_u64() >> 11) / (double)(1ull << 53);
}

/* ---- events ---- */

typedef struct {
    uint32_t companies, investors, cands, slots, tables;
    uint32_t max_lo, max_hi, min_hi; /* max_meetings in [max_lo, max_hi], min in [0, min_hi] */
    double partial;                  /* share of participants available in part */
    double locked;                   /* share of candidates locked, anywhere (may conflict) */
    int recommended_only;
} shape_t;

typedef struct {
    tv_party_t *companies, *investors;
    uint8_t *avail; /* (companies + investors) x slots */
    tv_candidate_t *cands;
    uint32_t *tables;
    tv_schedule_input_t in;
} event_t;

/* Allocates an event with everyone available, max_meetings 'max', no candidates yet. */
static void event_alloc(event_t *e, uint32_t companies, uint32_t investors, uint32_t cands,
                        uint32_t slots, uint32_t tables, uint32_t max)
{
    uint32_t parties = companies + investors;

    memset(e, 0, sizeof(*e));
    e->companies = calloc(companies + 1, sizeof(tv_party_t));
    e->investors = calloc(investors + 1, sizeof(tv_party_t));
    e->avail = malloc((size_t)parties * slots + 1);
    e->cands = calloc(cands + 1, sizeof(tv_candidate_t));
    e->tables = calloc(slots + 1, sizeof(uint32_t));
    memset(e->avail, 1, (size_t)parties * slots);
    for (uint32_t p = 0; p < parties; p++) {
        tv_party_t *q = p < companies ? &e->companies[p] : &e->investors[p - companies];

        q->max_meetings = max;
        q->available = e->avail + (size_t)p * slots;
    }
    for (uint32_t k = 0; k < slots; k++)
        e->tables[k] = tables;
    e->in = (tv_schedule_input_t){e->companies, companies, e->investors, investors,
                                  e->cands,     0,         slots,        e->tables};
}

static void event_free(event_t *e)
{
    free(e->companies);
    free(e->investors);
    free(e->avail);
    free(e->cands);
    free(e->tables);
}

static tv_party_t *party(event_t *e, uint32_t p)
{
    return p < e->in.n_companies ? &e->companies[p] : &e->investors[p - e->in.n_companies];
}

static uint8_t *avail_row(event_t *e, uint32_t p)
{
    return e->avail + (size_t)p * e->in.n_slots;
}

/* Appends a candidate; returns its index. */
static uint32_t add(event_t *e, uint32_t c, uint32_t i, double score, tv_origin_t origin)
{
    tv_candidate_t *k = &e->cands[e->in.n_candidates];

    *k = (tv_candidate_t){c, i, (float)score, origin, -1, -1, -1, -1};
    return (uint32_t)e->in.n_candidates++;
}

static void lock(event_t *e, uint32_t cand, int32_t slot, int32_t table)
{
    e->cands[cand].locked_slot = slot;
    e->cands[cand].locked_table = table;
}

/* A random event of 'shape'. Scores lie on a 1/1000 grid, so their rounding is exact. */
static void event_random(event_t *e, const shape_t *sh)
{
    uint32_t parties = sh->companies + sh->investors;
    uint8_t *seen = calloc((size_t)sh->companies * sh->investors, 1);
    uint32_t want = sh->cands;

    if (want > sh->companies * sh->investors)
        want = sh->companies * sh->investors;
    event_alloc(e, sh->companies, sh->investors, want, sh->slots, sh->tables, 0);
    for (uint32_t p = 0; p < parties; p++) {
        party(e, p)->max_meetings = sh->max_lo + below(sh->max_hi - sh->max_lo + 1);
        party(e, p)->min_meetings = below(sh->min_hi + 1);
        if (uniform() < sh->partial) { /* there in about 60% of the slots */
            for (uint32_t k = 0; k < sh->slots; k++)
                avail_row(e, p)[k] = uniform() < 0.6;
        }
    }
    while (e->in.n_candidates < want) {
        uint32_t c = below(sh->companies), i = below(sh->investors), r = below(10);
        tv_origin_t o = sh->recommended_only || r >= 4 ? TV_ORIGIN_RECOMMENDED
                        : r < 1                        ? TV_ORIGIN_MUST
                                                       : TV_ORIGIN_WANT;
        uint32_t k;

        if (seen[(size_t)c * sh->investors + i])
            continue;
        seen[(size_t)c * sh->investors + i] = 1;
        k = add(e, c, i, below(1001) / 1000.0, o);
        if (uniform() < sh->locked)
            lock(e, k, (int32_t)below(sh->slots), (int32_t)below(sh->tables + 1));
    }
    free(seen);
}

/* Runs the scheduler and fails the test unless every invariant holds. */
static void run_checked(const event_t *e, tv_schedule_t *s)
{
    char why[256];
    int rc = tv_schedule_run(&e->in, s), v;

    if (rc != 0)
        fail_msg("tv_schedule_run: %s", tv_strerror(rc));
    v = tv_schedule_check(&e->in, s, why, sizeof(why));
    if (v != 0)
        fail_msg("%d violations, first: %s", v, why);
}

static const tv_placed_t *find_placed(const tv_schedule_t *s, uint32_t cand)
{
    for (size_t k = 0; k < s->n_placed; k++) {
        if (s->placed[k].candidate == cand)
            return &s->placed[k];
    }
    return NULL;
}

static int find_unplaced(const tv_schedule_t *s, uint32_t cand, tv_unplaced_reason_t *why)
{
    for (size_t k = 0; k < s->n_unplaced; k++) {
        if (s->unplaced[k].candidate == cand) {
            *why = s->unplaced[k].reason;
            return 1;
        }
    }
    return 0;
}

/* ---- invariants ---- */

static void test_schedule_hand_made_event_is_exactly_as_worked_out(void **state)
{
    /* Companies A B C, investors X Y Z, 3 slots of 2, 2 and 1 tables. B is there in slots
     * 0-1 and Y in 1-2; B-X is locked at slot 0, table 1. Capacities: A 2, B 2-1, C 1, X 3-1,
     * Y 2, Z 1, and 5-1 tables. The must A-X comes first, then the best recommendations
     * that fit: A-Z .95 (not A-Y .9, A is full), C-X .8, B-Y .7. Placement, the must first,
     * then the pairs with the fewest common slots: A-X takes slot 1 (most tables left), B-Y
     * slot 1 (its only one), C-X slot 2, A-Z slot 0 (slot 2 is full now). */
    static const uint32_t slot[] = {0, 0, 1, 1, 2}, table[] = {0, 1, 0, 1, 0};
    static const uint32_t cand[] = {6, 2, 0, 3, 4};
    event_t e;
    tv_schedule_t s;

    (void)state;
    event_alloc(&e, 3, 3, 8, 3, 2, 2);
    e.tables[2] = 1;
    e.companies[2].max_meetings = 1, e.investors[0].max_meetings = 3;
    e.investors[2].max_meetings = 1;
    avail_row(&e, 1)[2] = 0; /* B */
    avail_row(&e, 4)[0] = 0; /* Y */
    add(&e, 0, 0, 0.5, TV_ORIGIN_MUST);
    add(&e, 0, 1, 0.9, TV_ORIGIN_RECOMMENDED);
    lock(&e, add(&e, 1, 0, 0.4, TV_ORIGIN_WANT), 0, 1);
    add(&e, 1, 1, 0.7, TV_ORIGIN_RECOMMENDED);
    add(&e, 2, 0, 0.8, TV_ORIGIN_RECOMMENDED);
    add(&e, 2, 2, 0.3, TV_ORIGIN_RECOMMENDED);
    add(&e, 0, 2, 0.95, TV_ORIGIN_RECOMMENDED);
    run_checked(&e, &s);
    assert_int_equal(s.n_placed, 5);
    for (size_t k = 0; k < 5; k++) {
        assert_int_equal(s.placed[k].candidate, cand[k]);
        assert_int_equal(s.placed[k].slot, slot[k]);
        assert_int_equal(s.placed[k].table, table[k]);
    }
    assert_int_equal(s.n_unplaced, 0);
    assert_true(fabs(s.total_score - 3.35) < 1e-6 && fabs(s.upper_bound - 3.35) < 1e-6);
    assert_int_equal(s.min_per_party, 1);
    assert_int_equal(s.max_per_party, 3);
    assert_true(fabs(s.mean_per_party - 10.0 / 6) < 1e-9);
    assert_int_equal(s.parties_without, 0);
    tv_schedule_dispose(&s);
    event_free(&e);
}

static void test_schedule_random_events_keep_every_invariant(void **state)
{
    static const shape_t shapes[] = {
        {5, 4, 12, 3, 2, 1, 3, 1, 0.3, 0.1, 0},
        {12, 10, 60, 6, 3, 1, 6, 2, 0.4, 0.05, 0},
        {40, 30, 400, 8, 6, 2, 8, 3, 0.3, 0.02, 0},
        {40, 30, 900, 8, 40, 4, 8, 2, 0.5, 0.01, 0},   /* dense, saturated, partial */
        {60, 60, 1500, 12, 2, 3, 12, 4, 0.3, 0.02, 0}, /* very few tables */
        {100, 80, 2500, 16, 30, 8, 16, 3, 0.3, 0.01, 0},
        {30, 30, 300, 1, 5, 1, 2, 1, 0.2, 0.05, 0}, /* a single slot */
        {20, 3, 60, 10, 2, 1, 10, 5, 0.0, 0.3, 0},  /* many locks, many clashes */
    };

    (void)state;
    for (size_t k = 0; k < TV__ARRAY_LEN(shapes); k++) {
        for (int seed = 0; seed < 6; seed++) {
            event_t e;
            tv_schedule_t s;

            event_random(&e, &shapes[k]);
            run_checked(&e, &s);
            assert_true(s.total_score <= s.upper_bound + 1e-9);
            tv_schedule_dispose(&s);
            event_free(&e);
        }
    }
}

static void test_schedule_check_finds_broken_schedules(void **state)
{
    event_t e;
    tv_schedule_t s;
    tv_placed_t saved;
    char why[128];

    (void)state;
    event_alloc(&e, 2, 2, 4, 2, 2, 2);
    add(&e, 0, 0, 0.5, TV_ORIGIN_MUST);
    add(&e, 0, 1, 0.5, TV_ORIGIN_RECOMMENDED);
    add(&e, 1, 0, 0.5, TV_ORIGIN_RECOMMENDED);
    run_checked(&e, &s);
    assert_int_equal(s.n_placed, 3);
    assert_int_equal(s.placed[0].candidate, 0);
    saved = s.placed[1];
    s.placed[1].slot = s.placed[0].slot; /* company 0 twice in a slot, a table twice */
    assert_int_equal(tv_schedule_check(&e.in, &s, why, sizeof(why)), 2);
    s.placed[1].slot = 5;
    assert_true(tv_schedule_check(&e.in, &s, why, sizeof(why)) > 0);
    assert_non_null(strstr(why, "out of range"));
    s.placed[1] = saved;
    s.placed[0].table = 9;
    assert_true(tv_schedule_check(&e.in, &s, why, sizeof(why)) > 0);
    s.placed[0].table = 0;
    /* The must dropped without a word (and the total fixed to match). */
    s.n_placed--;
    memmove(s.placed, s.placed + 1, s.n_placed * sizeof(tv_placed_t));
    s.total_score -= 0.5;
    s.min_per_party = s.max_per_party = 1;
    s.mean_per_party = 1;
    assert_int_equal(tv_schedule_check(&e.in, &s, why, sizeof(why)), 1);
    assert_non_null(strstr(why, "neither placed nor reported"));
    tv_schedule_dispose(&s);
    run_checked(&e, &s);
    s.total_score += 1; /* also above upper_bound now */
    assert_int_equal(tv_schedule_check(&e.in, &s, why, sizeof(why)), 2);
    assert_non_null(strstr(why, "total_score"));
    tv_schedule_dispose(&s);
    event_free(&e);
}

/* ---- optimality against GLPK ---- */

/* The b-matching as an integer program: x_e per edge, y_p <= bonus_p and y_p <= degree_p per
 * participant (bonus units), degree_p <= cap_p, sum x <= total. Rows 1..P are the degrees,
 * P+1..2P the bonus units, 2P+1 the total; columns 1..E the edges, E+1..E+P the units. */
typedef struct {
    glp_prob *lp;
    int parties, edges;
} ip_t;

static void ip_create(ip_t *ip, uint32_t n_left, uint32_t n_right, size_t n_edges,
                      const uint32_t *left, const uint32_t *right, const uint32_t *cap,
                      const uint32_t *bonus, uint32_t total)
{
    int parties = (int)(n_left + n_right), edges = (int)n_edges, n = 0;
    int cap_nz = 5 * edges + parties + 1;
    int *ia = calloc(cap_nz + 1, sizeof(int)), *ja = calloc(cap_nz + 1, sizeof(int));
    double *ar = calloc(cap_nz + 1, sizeof(double));

    ip->lp = glp_create_prob();
    ip->parties = parties, ip->edges = edges;
    glp_set_obj_dir(ip->lp, GLP_MAX);
    glp_add_rows(ip->lp, 2 * parties + 1);
    glp_add_cols(ip->lp, edges + parties);
    for (int p = 0; p < parties; p++) {
        glp_set_row_bnds(ip->lp, p + 1, GLP_UP, 0, cap[p]);
        glp_set_row_bnds(ip->lp, parties + p + 1, GLP_UP, 0, 0);
        glp_set_col_kind(ip->lp, edges + p + 1, GLP_IV);
        glp_set_col_bnds(ip->lp, edges + p + 1, bonus[p] > 0 ? GLP_DB : GLP_FX, 0, bonus[p]);
        n++, ia[n] = parties + p + 1, ja[n] = edges + p + 1, ar[n] = 1;
    }
    glp_set_row_bnds(ip->lp, 2 * parties + 1, GLP_UP, 0, total);
    for (int e = 0; e < edges; e++) {
        int ends[2] = {(int)left[e], (int)(n_left + right[e])};

        glp_set_col_kind(ip->lp, e + 1, GLP_BV);
        for (int k = 0; k < 2; k++) {
            n++, ia[n] = ends[k] + 1, ja[n] = e + 1, ar[n] = 1;
            n++, ia[n] = parties + ends[k] + 1, ja[n] = e + 1, ar[n] = -1;
        }
        n++, ia[n] = 2 * parties + 1, ja[n] = e + 1, ar[n] = 1;
    }
    glp_load_matrix(ip->lp, n, ia, ja, ar);
    free(ia);
    free(ja);
    free(ar);
}

/* Maximises sum coef[j] x_j over columns 1..edges+parties; returns the optimum. */
static double ip_solve(ip_t *ip, const double *coef)
{
    glp_iocp parm;

    for (int j = 0; j < ip->edges + ip->parties; j++)
        glp_set_obj_coef(ip->lp, j + 1, coef[j]);
    glp_init_iocp(&parm);
    parm.presolve = GLP_ON;
    parm.msg_lev = GLP_MSG_OFF;
    assert_int_equal(glp_intopt(ip->lp, &parm), 0);
    assert_int_equal(glp_mip_status(ip->lp), GLP_OPT);
    return glp_mip_obj_val(ip->lp);
}

/* Adds the row sum coef x >= at_least, which keeps an earlier stage's optimum. */
static void ip_keep(ip_t *ip, const double *coef, double at_least)
{
    int row = glp_add_rows(ip->lp, 1), n = 0, cols = ip->edges + ip->parties;
    int *ja = calloc(cols + 1, sizeof(int));
    double *ar = calloc(cols + 1, sizeof(double));

    for (int j = 0; j < cols; j++) {
        if (coef[j] != 0)
            n++, ja[n] = j + 1, ar[n] = coef[j];
    }
    glp_set_mat_row(ip->lp, row, n, ja, ar);
    glp_set_row_bnds(ip->lp, row, GLP_LO, at_least - 0.5, 0);
    free(ja);
    free(ar);
}

/* Random b-matching problems with arbitrary integer weights, bonus and a total cap sometimes
 * binding: the flow's objective equals GLPK's. */
static void test_schedule_flow_is_optimal_against_glpk(void **state)
{
    (void)state;
    glp_term_out(GLP_OFF);
    for (int round = 0; round < 200; round++) {
        uint32_t nl = 3 + below(8), nr = 3 + below(8), ne = 0;
        uint32_t cap[32], bonus[32], left[64], right[64], deg[32] = {0};
        tv__cost_t weight[64], bw = below(4) == 0 ? 0 : 1 + below(300);
        uint8_t chosen[64], seen[16][16] = {{0}};
        double coef[96] = {0}, ours = 0, best;
        tv__flow_problem_t p;
        ip_t ip;

        for (uint32_t v = 0; v < nl + nr; v++) {
            cap[v] = below(4);
            bonus[v] = below(cap[v] + 1);
        }
        for (uint32_t tries = 0; tries < 60 && ne < 40; tries++) {
            uint32_t l = below(nl), r = below(nr);

            if (seen[l][r]++)
                continue;
            left[ne] = l, right[ne] = r, weight[ne] = 1 + below(1000);
            coef[ne] = (double)weight[ne];
            ne++;
        }
        p = (tv__flow_problem_t){nl, nr,   cap,   bonus,  bw,
                                 ne, left, right, weight, below(3) == 0 ? below(6) : 1000};
        assert_int_equal(tv__flow_solve(&p, chosen), 0);
        for (uint32_t e = 0; e < ne; e++) {
            if (chosen[e])
                ours += (double)weight[e], deg[left[e]]++, deg[nl + right[e]]++;
        }
        for (uint32_t v = 0; v < nl + nr; v++) {
            assert_true(deg[v] <= cap[v]);
            ours += (double)bw * (deg[v] < bonus[v] ? deg[v] : bonus[v]);
            coef[ne + v] = (double)bw;
        }
        ip_create(&ip, nl, nr, ne, left, right, cap, bonus, p.total_cap);
        best = ip_solve(&ip, coef);
        glp_delete_prob(ip.lp);
        if (fabs(best - ours) > 1e-6)
            fail_msg("round %d: flow %.0f, GLPK %.0f", round, ours, best);
    }
}

/* The precedence objective of a selection: musts, wants, bonus units, points. */
typedef struct {
    double must, want, units, points;
} lex_t;

static lex_t lex_of(const event_t *e, const uint8_t *sel, const uint32_t *bonus)
{
    uint32_t parties = (uint32_t)(e->in.n_companies + e->in.n_investors);
    uint32_t *deg = calloc(parties, sizeof(uint32_t));
    lex_t x = {0, 0, 0, 0};

    for (size_t k = 0; k < e->in.n_candidates; k++) {
        const tv_candidate_t *c = &e->cands[k];

        if (!sel[k])
            continue;
        x.must += c->origin == TV_ORIGIN_MUST;
        x.want += c->origin == TV_ORIGIN_WANT;
        x.points += 1 + lrint(c->score * 10000);
        deg[c->company]++, deg[e->in.n_companies + c->investor]++;
    }
    for (uint32_t p = 0; p < parties; p++)
        x.units += deg[p] < bonus[p] ? deg[p] : bonus[p];
    free(deg);
    return x;
}

/* GLPK's lexicographic optimum in four stages, each keeping the optimum of the ones before;
 * its selection goes to 'sel'. */
static lex_t glpk_lex(const event_t *e, const uint32_t *cap, const uint32_t *bonus, uint32_t total,
                      uint8_t *sel)
{
    size_t n = e->in.n_candidates;
    uint32_t parties = (uint32_t)(e->in.n_companies + e->in.n_investors);
    uint32_t *left = calloc(n + 1, sizeof(uint32_t)), *right = calloc(n + 1, sizeof(uint32_t));
    double *coef = calloc(n + parties, sizeof(double)), opt[4];
    ip_t ip;

    for (size_t k = 0; k < n; k++)
        left[k] = e->cands[k].company, right[k] = e->cands[k].investor;
    ip_create(&ip, (uint32_t)e->in.n_companies, (uint32_t)e->in.n_investors, n, left, right, cap,
              bonus, total);
    for (int stage = 0; stage < 4; stage++) {
        memset(coef, 0, (n + parties) * sizeof(double));
        for (size_t k = 0; k < n; k++) {
            const tv_candidate_t *c = &e->cands[k];

            coef[k] = stage == 0   ? c->origin == TV_ORIGIN_MUST
                      : stage == 1 ? c->origin == TV_ORIGIN_WANT
                      : stage == 3 ? (double)(1 + lrint(c->score * 10000))
                                   : 0;
        }
        for (uint32_t p = 0; stage == 2 && p < parties; p++)
            coef[n + p] = 1;
        opt[stage] = ip_solve(&ip, coef);
        ip_keep(&ip, coef, opt[stage]);
    }
    for (size_t k = 0; k < n; k++)
        sel[k] = glp_mip_col_val(ip.lp, (int)k + 1) > 0.5;
    glp_delete_prob(ip.lp);
    free(left);
    free(right);
    free(coef);
    return (lex_t){opt[0], opt[1], opt[2], opt[3]};
}

/* 8 x 8 participants, 30 candidates, capacities 1-3, minimums, everyone available: the
 * selection (placed, or left out for want of a slot or table) reaches GLPK's lexicographic
 * optimum, which is the same as the same weighted objective, and upper_bound is the score of
 * GLPK's selection. With few tables the total cap binds. */
static void test_schedule_selection_is_optimal_against_glpk(void **state)
{
    (void)state;
    glp_term_out(GLP_OFF);
    for (int round = 0; round < 120; round++) {
        shape_t sh = {8, 8, 30, 4, round % 3 == 0 ? 2 : 30, 1, 3, 2, 0, 0, 0};
        uint32_t cap[16], bonus[16], total = 0;
        uint8_t ours[30] = {0}, theirs[30];
        lex_t a, b;
        double score = 0;
        event_t e;
        tv_schedule_t s;

        event_random(&e, &sh);
        for (uint32_t p = 0; p < 16; p++) {
            cap[p] = party(&e, p)->max_meetings;
            bonus[p] = party(&e, p)->min_meetings < cap[p] ? party(&e, p)->min_meetings : cap[p];
        }
        for (uint32_t k = 0; k < sh.slots; k++)
            total += e.tables[k];
        run_checked(&e, &s);
        for (size_t k = 0; k < s.n_placed; k++)
            ours[s.placed[k].candidate] = 1;
        for (size_t k = 0; k < s.n_unplaced; k++)
            ours[s.unplaced[k].candidate] = s.unplaced[k].reason != TV_UNPLACED_CAPACITY;
        a = lex_of(&e, ours, bonus);
        b = glpk_lex(&e, cap, bonus, total, theirs);
        if (a.must != b.must || a.want != b.want || a.units != b.units || a.points != b.points)
            fail_msg("round %d: ours (%.0f, %.0f, %.0f, %.0f), GLPK (%.0f, %.0f, %.0f, %.0f)",
                     round, a.must, a.want, a.units, a.points, b.must, b.want, b.units, b.points);
        for (size_t k = 0; k < e.in.n_candidates; k++)
            score += theirs[k] ? e.cands[k].score : 0;
        assert_true(fabs(s.upper_bound - score) < 1e-6);
        tv_schedule_dispose(&s);
        event_free(&e);
    }
}

/* ---- placement ---- */

/* Everyone available and a table for every meeting: König's theorem says the selection fits
 * in the slots, and every degree may reach the number of slots. */
static void test_schedule_places_every_selected_meeting_when_all_can_meet(void **state)
{
    static const shape_t shapes[] = {
        {10, 10, 100, 4, 100, 4, 4, 0, 0, 0, 1},
        {30, 20, 500, 8, 1000, 8, 8, 0, 0, 0, 1},
        {60, 50, 2500, 12, 1000, 6, 12, 2, 0, 0, 1},
        {40, 40, 1200, 10, 1000, 1, 10, 3, 0, 0, 0},
    };

    (void)state;
    for (size_t k = 0; k < TV__ARRAY_LEN(shapes); k++) {
        for (int seed = 0; seed < 5; seed++) {
            event_t e;
            tv_schedule_t s;

            event_random(&e, &shapes[k]);
            run_checked(&e, &s);
            for (size_t j = 0; j < s.n_unplaced; j++)
                assert_int_equal(s.unplaced[j].reason, TV_UNPLACED_CAPACITY);
            if (shapes[k].recommended_only)
                assert_int_equal(s.n_unplaced, 0);
            assert_true(s.total_score == s.upper_bound);
            assert_int_equal(s.max_per_party, shapes[k].slots); /* saturated somewhere */
            tv_schedule_dispose(&s);
            event_free(&e);
        }
    }
}

static void test_schedule_full_slots_report_no_table(void **state)
{
    event_t e;
    tv_schedule_t s;
    tv_unplaced_reason_t why;

    (void)state;
    /* One slot, one table, two disjoint wants: the selection counts the tables of the event,
     * keeps the higher score and leaves the other out. */
    event_alloc(&e, 2, 2, 2, 2, 1, 1);
    add(&e, 0, 0, 0.4, TV_ORIGIN_WANT);
    add(&e, 1, 1, 0.9, TV_ORIGIN_WANT);
    e.tables[1] = 0;
    run_checked(&e, &s);
    assert_int_equal(s.n_placed, 1);
    assert_int_equal(s.placed[0].candidate, 1);
    assert_true(find_unplaced(&s, 0, &why) && why == TV_UNPLACED_CAPACITY);
    tv_schedule_dispose(&s);
    /* Two slots of one table, but everyone is there in slot 0 only: both are selected, the
     * higher score meets, the other finds its only common slot full. */
    e.tables[1] = 1;
    for (uint32_t p = 0; p < 4; p++)
        avail_row(&e, p)[1] = 0;
    run_checked(&e, &s);
    assert_int_equal(s.n_placed, 1);
    assert_int_equal(s.placed[0].candidate, 1);
    assert_true(find_unplaced(&s, 0, &why) && why == TV_UNPLACED_NO_TABLE);
    assert_true(fabs(s.upper_bound - 1.3) < 1e-6);
    tv_schedule_dispose(&s);
    event_free(&e);
}

static void test_schedule_full_slot_sheds_a_meeting_that_can_move(void **state)
{
    event_t e;
    tv_schedule_t s;
    uint32_t must, rec;

    (void)state;
    /* Two slots of one table. The must goes first and takes slot 0 (a tie, the lowest); the
     * recommendation's pair can only meet in slot 0, so the must moves to slot 1. */
    event_alloc(&e, 2, 2, 2, 2, 1, 1);
    must = add(&e, 0, 0, 0.5, TV_ORIGIN_MUST);
    rec = add(&e, 1, 1, 0.5, TV_ORIGIN_RECOMMENDED);
    avail_row(&e, 1)[1] = 0;
    run_checked(&e, &s);
    assert_int_equal(s.n_placed, 2);
    assert_int_equal(find_placed(&s, rec)->slot, 0);
    assert_int_equal(find_placed(&s, must)->slot, 1);
    tv_schedule_dispose(&s);
    event_free(&e);
}

/* ---- precedence ---- */

static void test_schedule_must_beats_many_higher_recommendations(void **state)
{
    event_t e;
    tv_schedule_t s;
    uint32_t must;

    (void)state;
    /* Company 0 and investor 0 have room for one meeting each; each has five recommendations
     * of 0.99 with partners that have nothing else. */
    event_alloc(&e, 6, 6, 12, 4, 10, 1);
    must = add(&e, 0, 0, 0.05, TV_ORIGIN_MUST);
    for (uint32_t k = 1; k < 6; k++) {
        add(&e, 0, k, 0.99, TV_ORIGIN_RECOMMENDED);
        add(&e, k, 0, 0.99, TV_ORIGIN_RECOMMENDED);
    }
    run_checked(&e, &s);
    assert_non_null(find_placed(&s, must));
    assert_int_equal(s.n_placed, 1);
    tv_schedule_dispose(&s);
    /* A want instead of a must still beats them; a recommendation of 0.05 does not. */
    e.cands[must].origin = TV_ORIGIN_WANT;
    run_checked(&e, &s);
    assert_non_null(find_placed(&s, must));
    tv_schedule_dispose(&s);
    e.cands[must].origin = TV_ORIGIN_RECOMMENDED;
    run_checked(&e, &s);
    assert_null(find_placed(&s, must));
    assert_int_equal(s.n_placed, 2);
    tv_schedule_dispose(&s);
    event_free(&e);
}

static void test_schedule_must_beats_a_cycle_of_better_wants(void **state)
{
    event_t e;
    tv_schedule_t s;
    uint32_t must;

    (void)state;
    /* Everyone has room for one, on a 16-cycle c0 i0 c1 i1 ... c7 i7 c0. Either the eight
     * wants c_t-i_t of score 1 meet, or the must c0-i7 of score 0 with the seven wants
     * c_t+1-i_t of score 0. Weights like 10 + s (must) and 3 + s (want) would drop the must
     * (31 < 32); the lexicographic weights keep it. */
    event_alloc(&e, 8, 8, 16, 4, 20, 1);
    must = add(&e, 0, 7, 0.0, TV_ORIGIN_MUST);
    for (uint32_t t = 0; t < 8; t++) {
        add(&e, t, t, 1.0, TV_ORIGIN_WANT);
        if (t < 7)
            add(&e, t + 1, t, 0.0, TV_ORIGIN_WANT);
    }
    run_checked(&e, &s);
    assert_non_null(find_placed(&s, must));
    assert_int_equal(s.n_placed, 8);
    assert_true(s.upper_bound == 0);
    tv_schedule_dispose(&s);
    event_free(&e);
}

static void test_schedule_scores_a_rounding_error_outside_0_1_still_run(void **state)
{
    event_t e;
    tv_schedule_t s;

    (void)state;
    /* A dot product of unit vectors can come out a rounding error above 1 or below 0: the run
     * goes on, with such scores counted as 1 and 0, and a must of "-0" still wins. */
    event_alloc(&e, 2, 1, 3, 2, 2, 1);
    add(&e, 0, 0, 1.0000001, TV_ORIGIN_RECOMMENDED);
    add(&e, 1, 0, -0.0000001, TV_ORIGIN_MUST);
    run_checked(&e, &s);
    assert_non_null(find_placed(&s, 1));
    assert_int_equal(s.n_placed, 1);
    tv_schedule_dispose(&s);
    event_free(&e);
}

static void test_schedule_popular_investor_meets_the_best_scores(void **state)
{
    static const double scores[] = {0.31, 0.92, 0.45, 0.88, 0.12, 0.77, 0.64, 0.95, 0.5, 0.2};
    event_t e;
    tv_schedule_t s;

    (void)state;
    event_alloc(&e, 10, 1, 10, 8, 10, 5);
    e.investors[0].max_meetings = 3;
    for (uint32_t c = 0; c < 10; c++)
        add(&e, c, 0, scores[c], TV_ORIGIN_RECOMMENDED);
    run_checked(&e, &s);
    assert_int_equal(s.n_placed, 3);
    assert_non_null(find_placed(&s, 7)); /* 0.95 */
    assert_non_null(find_placed(&s, 1)); /* 0.92 */
    assert_non_null(find_placed(&s, 3)); /* 0.88 */
    assert_true(fabs(s.upper_bound - (0.95 + 0.92 + 0.88)) < 1e-6);
    tv_schedule_dispose(&s);
    event_free(&e);
}

static void test_schedule_minimum_pulls_in_a_participant(void **state)
{
    event_t e;
    tv_schedule_t s;

    (void)state;
    /* Investor 0 has room for one: company 0 scores 0.9 with it, company 1 only 0.2 and has
     * nobody else. */
    event_alloc(&e, 2, 1, 2, 4, 5, 1);
    add(&e, 0, 0, 0.9, TV_ORIGIN_RECOMMENDED);
    add(&e, 1, 0, 0.2, TV_ORIGIN_RECOMMENDED);
    run_checked(&e, &s);
    assert_non_null(find_placed(&s, 0));
    assert_int_equal(s.parties_without, 1);
    tv_schedule_dispose(&s);
    e.companies[1].min_meetings = 1;
    run_checked(&e, &s);
    assert_non_null(find_placed(&s, 1));
    assert_int_equal(s.parties_without, 1); /* now company 0 */
    tv_schedule_dispose(&s);
    /* A minimum is not worth an accepted request: with company 0's pair a want, it stays. */
    e.cands[0].origin = TV_ORIGIN_WANT;
    run_checked(&e, &s);
    assert_non_null(find_placed(&s, 0));
    tv_schedule_dispose(&s);
    event_free(&e);
}

static void test_schedule_must_is_placed_before_a_clashing_recommendation(void **state)
{
    event_t e;
    tv_schedule_t s;
    tv_unplaced_reason_t why;

    (void)state;
    /* Investor 0 has room for both, but company 0 and company 1 can only come in slot 1: the
     * selection takes both, the placement has room for one, and the must gets it though the
     * recommendation scores higher. */
    event_alloc(&e, 2, 1, 2, 2, 5, 2);
    avail_row(&e, 0)[0] = 0;
    avail_row(&e, 1)[0] = 0;
    add(&e, 1, 0, 0.99, TV_ORIGIN_RECOMMENDED);
    add(&e, 0, 0, 0.10, TV_ORIGIN_MUST);
    run_checked(&e, &s);
    assert_non_null(find_placed(&s, 1));
    assert_true(find_unplaced(&s, 0, &why) && why == TV_UNPLACED_NO_COMMON_SLOT);
    assert_true(s.total_score < s.upper_bound);
    tv_schedule_dispose(&s);
    event_free(&e);
}

static void test_schedule_requests_without_a_common_slot_are_reported(void **state)
{
    event_t e;
    tv_schedule_t s;
    tv_unplaced_reason_t why;

    (void)state;
    event_alloc(&e, 1, 2, 2, 2, 5, 2);
    avail_row(&e, 0)[1] = 0;
    avail_row(&e, 1)[0] = 0; /* company 0 and investor 0 never overlap */
    add(&e, 0, 0, 0.9, TV_ORIGIN_MUST);
    add(&e, 0, 1, 0.5, TV_ORIGIN_RECOMMENDED);
    run_checked(&e, &s);
    assert_true(find_unplaced(&s, 0, &why) && why == TV_UNPLACED_NO_COMMON_SLOT);
    assert_non_null(find_placed(&s, 1));
    tv_schedule_dispose(&s);
    event_free(&e);
}

/* ---- locks ---- */

/* Whether participant p is in one of the 'n' candidates of 'cands'. */
static int in_any(const event_t *e, const uint32_t *cands, int n, uint32_t p)
{
    for (int k = 0; k < n; k++) {
        const tv_candidate_t *c = &e->cands[cands[k]];

        if (c->company == p || e->in.n_companies + c->investor == p)
            return 1;
    }
    return 0;
}

static void test_schedule_locks_stay_put_across_reruns(void **state)
{
    shape_t sh = {30, 25, 300, 8, 6, 2, 8, 2, 0.3, 0, 0};
    uint32_t parties = sh.companies + sh.investors, locked[3];
    event_t e;
    tv_schedule_t s;

    (void)state;
    event_random(&e, &sh);
    run_checked(&e, &s);
    for (int k = 0; k < 3; k++) { /* lock three placed meetings where they are */
        const tv_placed_t *pl = &s.placed[(size_t)k * (s.n_placed / 3)];

        locked[k] = pl->candidate;
        lock(&e, pl->candidate, (int32_t)pl->slot, (int32_t)pl->table);
    }
    tv_schedule_dispose(&s);
    for (int round = 0; round < 4; round++) {
        /* Change other things: scores, others' limits and availability, a slot's tables. */
        for (size_t k = (size_t)round; k < e.in.n_candidates; k += 3)
            e.cands[k].score = (float)(1 - e.cands[k].score);
        for (uint32_t p = (uint32_t)round; p < parties; p += 5) {
            if (in_any(&e, locked, 3, p))
                continue;
            party(&e, p)->max_meetings = 1 + (party(&e, p)->max_meetings + 3) % 8;
            avail_row(&e, p)[round] ^= 1;
        }
        for (uint32_t k = 0; k < sh.slots; k++) {
            int has_lock = 0;

            for (int j = 0; j < 3; j++)
                has_lock |= e.cands[locked[j]].locked_slot == (int32_t)k;
            if (!has_lock && k % 4 == (uint32_t)round)
                e.tables[k] = 1 + round;
        }
        run_checked(&e, &s);
        for (int j = 0; j < 3; j++) {
            const tv_placed_t *pl = find_placed(&s, locked[j]);

            assert_non_null(pl);
            assert_int_equal(pl->slot, e.cands[locked[j]].locked_slot);
            assert_int_equal(pl->table, e.cands[locked[j]].locked_table);
        }
        tv_schedule_dispose(&s);
    }
    event_free(&e);
}

static void test_schedule_lock_conflicts_are_reported(void **state)
{
    event_t e;
    tv_schedule_t s;
    tv_unplaced_reason_t why;
    uint32_t ok, away, clash, table, beyond, full, plain;

    (void)state;
    event_alloc(&e, 4, 4, 10, 3, 2, 3);
    e.investors[3].max_meetings = 1;
    avail_row(&e, 4 + 1)[2] = 0; /* investor 1 away in slot 2 */
    ok = add(&e, 0, 0, 0.5, TV_ORIGIN_MUST);
    lock(&e, ok, 0, 1);
    away = add(&e, 1, 1, 0.5, TV_ORIGIN_WANT);
    lock(&e, away, 2, 0);
    clash = add(&e, 0, 2, 0.5, TV_ORIGIN_WANT); /* company 0 is locked in slot 0 already */
    lock(&e, clash, 0, 0);
    table = add(&e, 2, 2, 0.5, TV_ORIGIN_RECOMMENDED); /* table 1 of slot 0 is taken */
    lock(&e, table, 0, 1);
    beyond = add(&e, 3, 2, 0.5, TV_ORIGIN_WANT); /* slot 1 has 2 tables */
    lock(&e, beyond, 1, 2);
    lock(&e, add(&e, 1, 3, 0.5, TV_ORIGIN_WANT), 1, 0);
    full = add(&e, 2, 3, 0.5, TV_ORIGIN_WANT); /* investor 3 allows one meeting */
    lock(&e, full, 2, 1);
    plain = add(&e, 3, 1, 0.8, TV_ORIGIN_MUST);
    run_checked(&e, &s);
    assert_non_null(find_placed(&s, ok));
    assert_non_null(find_placed(&s, plain));
    assert_true(find_unplaced(&s, away, &why) && why == TV_UNPLACED_LOCK_CONFLICT);
    assert_true(find_unplaced(&s, clash, &why) && why == TV_UNPLACED_LOCK_CONFLICT);
    assert_true(find_unplaced(&s, table, &why) && why == TV_UNPLACED_LOCK_CONFLICT);
    assert_true(find_unplaced(&s, beyond, &why) && why == TV_UNPLACED_LOCK_CONFLICT);
    assert_true(find_unplaced(&s, full, &why) && why == TV_UNPLACED_LOCK_CONFLICT);
    assert_int_equal(s.n_unplaced, 5);
    tv_schedule_dispose(&s);
    event_free(&e);
}

/* ---- contract, determinism, allocation ---- */

/* ---- stability: previous meetings as soft preferences ---- */

/* Gives every placed meeting of 's' that is not a lock its slot and table as its previous
 * ones, and clears the previous place of every other candidate. */
static void remember(event_t *e, const tv_schedule_t *s)
{
    for (size_t k = 0; k < e->in.n_candidates; k++)
        e->cands[k].previous_slot = e->cands[k].previous_table = -1;
    for (size_t k = 0; k < s->n_placed; k++) {
        tv_candidate_t *c = &e->cands[s->placed[k].candidate];

        if (c->locked_slot < 0)
            c->previous_slot = (int32_t)s->placed[k].slot,
            c->previous_table = (int32_t)s->placed[k].table;
    }
}

/* The share of the meetings of 'a' not involving company 'skip_c' or investor 'skip_i' (pass
 * UINT32_MAX for none) that 'b' has at the same slot and table. */
static double kept_share(const event_t *e, const tv_schedule_t *a, const tv_schedule_t *b,
                         uint32_t skip_c, uint32_t skip_i)
{
    size_t n = 0, kept = 0;

    for (size_t k = 0; k < a->n_placed; k++) {
        const tv_candidate_t *c = &e->cands[a->placed[k].candidate];
        const tv_placed_t *now = find_placed(b, a->placed[k].candidate);

        if (c->company == skip_c || c->investor == skip_i)
            continue;
        n++;
        kept += now != NULL && now->slot == a->placed[k].slot && now->table == a->placed[k].table;
    }
    return n == 0 ? 1 : (double)kept / (double)n;
}

static void test_schedule_rerun_of_unchanged_input_changes_nothing(void **state)
{
    static const shape_t shapes[] = {
        {12, 10, 60, 6, 3, 1, 6, 2, 0.4, 0.05, 0},
        {40, 30, 400, 8, 6, 2, 8, 3, 0.3, 0.02, 0},
        {40, 30, 900, 8, 40, 4, 8, 2, 0.5, 0.01, 0},
        {60, 60, 1500, 12, 2, 3, 12, 4, 0.3, 0.02, 0},
        {100, 80, 2500, 16, 30, 8, 16, 3, 0.3, 0.01, 0},
    };

    (void)state;
    for (size_t k = 0; k < TV__ARRAY_LEN(shapes); k++) {
        for (int seed = 0; seed < 3; seed++) {
            event_t e;
            tv_schedule_t a, b;
            tv_candidate_t *copy;
            uint32_t *to;
            size_t n;

            event_random(&e, &shapes[k]);
            run_checked(&e, &a);
            remember(&e, &a);
            /* The same candidates in another order, as a store may read them: the locks first
             * (their order decides their conflicts), then the others in reverse. */
            n = e.in.n_candidates;
            copy = malloc(n * sizeof(tv_candidate_t));
            to = malloc(n * sizeof(uint32_t));
            memcpy(copy, e.cands, n * sizeof(tv_candidate_t));
            for (size_t j = 0, m = 0; j < 2 * n; j++) {
                size_t from = j < n ? j : 2 * n - 1 - j;

                if ((copy[from].locked_slot >= 0) == (j < n)) {
                    e.cands[m] = copy[from];
                    to[from] = (uint32_t)m++;
                }
            }
            run_checked(&e, &b);
            assert_int_equal(b.n_placed, a.n_placed);
            for (size_t j = 0; j < a.n_placed; j++) {
                const tv_placed_t *now = find_placed(&b, to[a.placed[j].candidate]);

                assert_non_null(now);
                assert_int_equal(now->slot, a.placed[j].slot);
                assert_int_equal(now->table, a.placed[j].table);
            }
            free(copy);
            free(to);
            tv_schedule_dispose(&a);
            tv_schedule_dispose(&b);
            event_free(&e);
        }
    }
}

static void test_schedule_keeps_a_previous_meeting_over_a_slightly_better_one(void **state)
{
    event_t e;
    tv_schedule_t s;
    uint32_t old, better;
    const tv_placed_t *pl;

    (void)state;
    event_alloc(&e, 1, 2, 2, 3, 2, 1); /* A can take one meeting */
    e.investors[0].max_meetings = e.investors[1].max_meetings = 1;
    old = add(&e, 0, 0, 0.5, TV_ORIGIN_RECOMMENDED);
    better = add(&e, 0, 1, 0.54, TV_ORIGIN_RECOMMENDED);
    e.cands[old].previous_slot = 2, e.cands[old].previous_table = 1;
    run_checked(&e, &s);
    pl = find_placed(&s, old);
    assert_non_null(pl);
    assert_int_equal(pl->slot, 2);
    assert_int_equal(pl->table, 1);
    assert_null(find_placed(&s, better));
    tv_schedule_dispose(&s);
    /* A clearly better one (by more than 0.05) takes the place. */
    e.cands[better].score = 0.56f;
    run_checked(&e, &s);
    assert_non_null(find_placed(&s, better));
    assert_null(find_placed(&s, old));
    tv_schedule_dispose(&s);
    /* An accepted request outranks keeping a recommendation. */
    e.cands[better].score = 0.1f;
    e.cands[better].origin = TV_ORIGIN_WANT;
    run_checked(&e, &s);
    assert_non_null(find_placed(&s, better));
    assert_null(find_placed(&s, old));
    tv_schedule_dispose(&s);
    event_free(&e);
}

static void test_schedule_previous_meetings_go_back_to_their_slot_and_table(void **state)
{
    event_t e;
    tv_schedule_t s;
    uint32_t a, b;
    const tv_placed_t *pa, *pb;

    (void)state;
    event_alloc(&e, 2, 2, 2, 4, 3, 4);
    a = add(&e, 0, 0, 0.5, TV_ORIGIN_MUST);
    b = add(&e, 1, 1, 0.5, TV_ORIGIN_RECOMMENDED);
    e.cands[a].previous_slot = 3, e.cands[a].previous_table = 2;
    e.cands[b].previous_slot = 3, e.cands[b].previous_table = 0;
    run_checked(&e, &s);
    pa = find_placed(&s, a), pb = find_placed(&s, b);
    assert_non_null(pa);
    assert_non_null(pb);
    assert_int_equal(pa->slot, 3);
    assert_int_equal(pa->table, 2);
    assert_int_equal(pb->slot, 3);
    assert_int_equal(pb->table, 0);
    tv_schedule_dispose(&s);
    /* Its previous slot gone for a side, a meeting goes wherever it fits. */
    avail_row(&e, 0)[3] = 0;
    run_checked(&e, &s);
    assert_true(find_placed(&s, a)->slot != 3);
    tv_schedule_dispose(&s);
    event_free(&e);
}

/* One company joins, one leaves, one investor's availability changes: at least 90% of the
 * other meetings keep their slot and table. */
static void test_schedule_one_participant_changing_keeps_nine_in_ten(void **state)
{
    shape_t sh = {40, 30, 500, 12, 12, 3, 8, 2, 0.3, 0, 1};
    event_t e;
    tv_schedule_t a, b;
    double share[3];

    (void)state;
    for (int change = 0; change < 3; change++) {
        event_random(&e, &sh);
        if (change == 0) /* the last company "joins": no meeting before */
            e.companies[sh.companies - 1].max_meetings = 0;
        run_checked(&e, &a);
        remember(&e, &a);
        if (change == 0)
            e.companies[sh.companies - 1].max_meetings = 8;
        else if (change == 1)
            e.companies[0].max_meetings = 0; /* company 0 leaves */
        else
            memset(avail_row(&e, sh.companies), 0, sh.slots / 2); /* investor 0: half a day */
        run_checked(&e, &b);
        share[change] = kept_share(&e, &a, &b,
                                   change == 0   ? sh.companies - 1
                                   : change == 1 ? 0
                                                 : UINT32_MAX,
                                   change == 2 ? 0 : UINT32_MAX);
        print_message("change %d: %.3f of the other meetings kept\n", change, share[change]);
        assert_true(share[change] >= 0.9);
        tv_schedule_dispose(&a);
        tv_schedule_dispose(&b);
        event_free(&e);
    }
}

/* Random events with requests and locks, re-run after availability, limits and tables
 * change for a few participants: every invariant holds, stability's included. */
static void test_schedule_reruns_after_changes_keep_every_invariant(void **state)
{
    static const shape_t shapes[] = {
        {40, 30, 400, 8, 6, 2, 8, 3, 0.3, 0.02, 0},
        {40, 30, 900, 8, 40, 4, 8, 2, 0.5, 0.01, 0},
        {60, 60, 1500, 12, 2, 3, 12, 4, 0.3, 0.02, 0},
        {100, 80, 2500, 16, 30, 8, 16, 3, 0.3, 0.01, 0},
    };

    (void)state;
    for (size_t k = 0; k < TV__ARRAY_LEN(shapes); k++) {
        for (int seed = 0; seed < 4; seed++) {
            uint32_t parties = shapes[k].companies + shapes[k].investors;
            event_t e;
            tv_schedule_t a, b;

            event_random(&e, &shapes[k]);
            run_checked(&e, &a);
            remember(&e, &a);
            for (int j = 0; j < 3; j++) {
                uint32_t p = below(parties);

                memset(avail_row(&e, p), 0, shapes[k].slots / 2);
                party(&e, below(parties))->max_meetings /= 2;
            }
            e.tables[below(shapes[k].slots)] /= 2;
            run_checked(&e, &b);
            tv_schedule_dispose(&a);
            tv_schedule_dispose(&b);
            event_free(&e);
        }
    }
}

static void test_schedule_check_finds_a_previous_meeting_away_from_home(void **state)
{
    event_t e;
    tv_schedule_t s;
    uint32_t a;
    tv_placed_t *pl;
    char why[160];

    (void)state;
    event_alloc(&e, 1, 1, 1, 3, 3, 2);
    a = add(&e, 0, 0, 0.5, TV_ORIGIN_RECOMMENDED);
    e.cands[a].previous_slot = 1, e.cands[a].previous_table = 2;
    run_checked(&e, &s);
    pl = &s.placed[0];
    pl->slot = 0; /* away from a previous slot that is free */
    assert_true(tv_schedule_check(&e.in, &s, why, sizeof(why)) > 0);
    assert_non_null(strstr(why, "previous"));
    pl->slot = 1, pl->table = 0; /* in it, away from a free previous table */
    assert_true(tv_schedule_check(&e.in, &s, why, sizeof(why)) > 0);
    assert_non_null(strstr(why, "previous"));
    pl->table = 2;
    assert_int_equal(tv_schedule_check(&e.in, &s, why, sizeof(why)), 0);
    e.cands[a].previous_slot = 3; /* outside the slots: the contract is broken */
    assert_int_equal(tv_schedule_run(&e.in, &s), TV_EINVAL);
    tv_schedule_dispose(&s);
    event_free(&e);
}

static void test_schedule_rejects_inputs_that_break_the_contract(void **state)
{
    event_t e;
    tv_schedule_t s;

    (void)state;
    memset(&s, 0x5a, sizeof(s));
    event_alloc(&e, 2, 2, 3, 2, 2, 2);
    add(&e, 0, 0, 0.5, TV_ORIGIN_MUST);
    add(&e, 1, 1, 0.5, TV_ORIGIN_WANT);
    e.cands[1].company = 2;
    assert_int_equal(tv_schedule_run(&e.in, &s), TV_EINVAL);
    e.cands[1].company = 1, e.cands[1].investor = 7;
    assert_int_equal(tv_schedule_run(&e.in, &s), TV_EINVAL);
    e.cands[1].company = 0, e.cands[1].investor = 0; /* the pair twice */
    assert_int_equal(tv_schedule_run(&e.in, &s), TV_EINVAL);
    e.cands[1].company = 1, e.cands[1].investor = 1;
    lock(&e, 1, 2, 0); /* a lock outside the slots */
    assert_int_equal(tv_schedule_run(&e.in, &s), TV_EINVAL);
    lock(&e, 1, 1, -1);
    assert_int_equal(tv_schedule_run(&e.in, &s), TV_EINVAL);
    lock(&e, 1, -1, -1);
    e.cands[1].score = NAN;
    assert_int_equal(tv_schedule_run(&e.in, &s), TV_EINVAL);
    e.cands[1].score = INFINITY;
    assert_int_equal(tv_schedule_run(&e.in, &s), TV_EINVAL);
    e.cands[1].score = 0.5f, e.cands[1].origin = (tv_origin_t)7;
    assert_int_equal(tv_schedule_run(&e.in, &s), TV_EINVAL);
    e.cands[1].origin = TV_ORIGIN_WANT;
    assert_int_equal(tv_schedule_run(NULL, &s), TV_EINVAL);
    assert_int_equal(tv_schedule_run(&e.in, NULL), TV_EINVAL);
    assert_int_equal(s.n_placed, 0x5a5a5a5a5a5a5a5aull); /* untouched on failure */
    e.in.tables = NULL;
    assert_int_equal(tv_schedule_run(&e.in, &s), TV_EINVAL);
    e.in.tables = e.tables;
    run_checked(&e, &s);
    assert_int_equal(s.n_placed, 2);
    tv_schedule_dispose(&s);
    tv_schedule_dispose(NULL);
    event_free(&e);
}

static void test_schedule_empty_events_are_fine(void **state)
{
    event_t e;
    tv_schedule_t s;

    (void)state;
    event_alloc(&e, 0, 0, 0, 0, 0, 0);
    run_checked(&e, &s);
    assert_int_equal(s.n_placed + s.n_unplaced, 0);
    tv_schedule_dispose(&s);
    event_free(&e);
    event_alloc(&e, 2, 2, 2, 0, 0, 3); /* no slots: requests cannot meet */
    add(&e, 0, 0, 0.5, TV_ORIGIN_MUST);
    run_checked(&e, &s);
    assert_int_equal(s.n_unplaced, 1);
    assert_int_equal(s.unplaced[0].reason, TV_UNPLACED_NO_COMMON_SLOT);
    assert_int_equal(s.parties_without, 4);
    tv_schedule_dispose(&s);
    event_free(&e);
}

static void test_schedule_is_deterministic(void **state)
{
    shape_t sh = {50, 40, 700, 10, 8, 2, 10, 2, 0.3, 0.02, 0};
    event_t e;
    tv_schedule_t a, b;

    (void)state;
    event_random(&e, &sh);
    run_checked(&e, &a);
    run_checked(&e, &b);
    assert_int_equal(a.n_placed, b.n_placed);
    assert_int_equal(a.n_unplaced, b.n_unplaced);
    assert_memory_equal(a.placed, b.placed, a.n_placed * sizeof(tv_placed_t));
    assert_memory_equal(a.unplaced, b.unplaced, a.n_unplaced * sizeof(tv_unplaced_t));
    tv_schedule_dispose(&a);
    tv_schedule_dispose(&b);
    event_free(&e);
}

static void test_schedule_reason_names(void **state)
{
    (void)state;
    for (int r = TV_UNPLACED_NO_COMMON_SLOT; r <= TV_UNPLACED_LOCK_CONFLICT; r++)
        assert_true(strlen(tv_unplaced_reason_name((tv_unplaced_reason_t)r)) > 5);
    assert_string_equal(tv_unplaced_reason_name((tv_unplaced_reason_t)99), "unknown reason");
}

static void test_schedule_alloc_failures_leak_nothing(void **state)
{
    shape_t sh = {8, 7, 40, 4, 3, 1, 4, 2, 0.3, 0.1, 0};
    event_t e;
    int failures = 0;

    (void)state;
    event_random(&e, &sh);
    for (long n = 1; n < 10000; n++) {
        tv_schedule_t s;
        int rc;

        memset(&s, 0x5a, sizeof(s));
        tv__alloc_fail_at(n);
        rc = tv_schedule_run(&e.in, &s);
        tv__alloc_fail_at(0);
        if (rc == 0) {
            tv_schedule_dispose(&s);
            break;
        }
        if (rc != TV_ENOMEM)
            fail_msg("allocation %ld failed: got %d, expected TV_ENOMEM", n, rc);
        assert_int_equal(s.n_placed, 0x5a5a5a5a5a5a5a5aull);
        failures++;
    }
    assert_true(failures > 20);
    for (long n = 1; n <= 4; n++) {
        tv_schedule_t s;

        run_checked(&e, &s);
        tv__alloc_fail_at(n);
        assert_int_equal(tv_schedule_check(&e.in, &s, NULL, 0), TV_ENOMEM);
        tv__alloc_fail_at(0);
        tv_schedule_dispose(&s);
    }
    event_free(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schedule_hand_made_event_is_exactly_as_worked_out),
        cmocka_unit_test(test_schedule_random_events_keep_every_invariant),
        cmocka_unit_test(test_schedule_check_finds_broken_schedules),
        cmocka_unit_test(test_schedule_flow_is_optimal_against_glpk),
        cmocka_unit_test(test_schedule_selection_is_optimal_against_glpk),
        cmocka_unit_test(test_schedule_places_every_selected_meeting_when_all_can_meet),
        cmocka_unit_test(test_schedule_full_slots_report_no_table),
        cmocka_unit_test(test_schedule_full_slot_sheds_a_meeting_that_can_move),
        cmocka_unit_test(test_schedule_must_beats_many_higher_recommendations),
        cmocka_unit_test(test_schedule_must_beats_a_cycle_of_better_wants),
        cmocka_unit_test(test_schedule_scores_a_rounding_error_outside_0_1_still_run),
        cmocka_unit_test(test_schedule_popular_investor_meets_the_best_scores),
        cmocka_unit_test(test_schedule_minimum_pulls_in_a_participant),
        cmocka_unit_test(test_schedule_must_is_placed_before_a_clashing_recommendation),
        cmocka_unit_test(test_schedule_requests_without_a_common_slot_are_reported),
        cmocka_unit_test(test_schedule_locks_stay_put_across_reruns),
        cmocka_unit_test(test_schedule_lock_conflicts_are_reported),
        cmocka_unit_test(test_schedule_rerun_of_unchanged_input_changes_nothing),
        cmocka_unit_test(test_schedule_keeps_a_previous_meeting_over_a_slightly_better_one),
        cmocka_unit_test(test_schedule_previous_meetings_go_back_to_their_slot_and_table),
        cmocka_unit_test(test_schedule_one_participant_changing_keeps_nine_in_ten),
        cmocka_unit_test(test_schedule_reruns_after_changes_keep_every_invariant),
        cmocka_unit_test(test_schedule_check_finds_a_previous_meeting_away_from_home),
        cmocka_unit_test(test_schedule_rejects_inputs_that_break_the_contract),
        cmocka_unit_test(test_schedule_empty_events_are_fine),
        cmocka_unit_test(test_schedule_is_deterministic),
        cmocka_unit_test(test_schedule_reason_names),
        cmocka_unit_test(test_schedule_alloc_failures_leak_nothing),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
