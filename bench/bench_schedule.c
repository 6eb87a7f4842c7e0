/* bench_schedule: the meeting scheduler on a random event the size of BIO-Europe. Times the
 * selection and the placement separately, checks every invariant, and prints the figures (one
 * JSON object with --json). Goals: total under 10 s, total_score / upper_bound >= 0.99, no
 * violations. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "schedule/schedule_internal.h"
#include "tavolo/error.h"
#include "tavolo/schedule.h"

typedef struct {
    uint32_t companies, investors, days, slots_per_day, tables;
    size_t recommended, requests, locks;
    double partial; /* share of participants there for part of the event */
    uint64_t seed;
    int json;
} opts_t;

typedef struct {
    tv_party_t *companies, *investors;
    uint8_t *avail;     /* (companies + investors) x slots */
    double *popularity; /* per participant, in (0, 1] */
    uint32_t *tables;
    tv_candidate_t *cands;
    size_t n_cands;
    uint64_t *pairs; /* open addressing set of company << 32 | investor, + 1 */
    size_t pairs_cap;
    tv_schedule_input_t in;
} event_t;

static uint64_t rng;

static uint64_t next_u64(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static double uniform(void)
{
    return (double)(next_u64() >> 11) / (double)(1ull << 53);
}

static uint32_t below(uint32_t n)
{
    return (uint32_t)(uniform() * n);
}

static double now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n == 0 ? 1 : n, size);

    if (p == NULL) {
        fprintf(stderr, "bench_schedule: out of memory\n");
        exit(1);
    }
    return p;
}

/* ---- the event ---- */

/* A share of participants (30% by default) come for part of the event: half of them for one or
 * two days, the other half with two to four blocks of 2 to 6 slots taken by other things. */
static void availability(const opts_t *o, uint8_t *row)
{
    uint32_t slots = o->days * o->slots_per_day;
    double r = uniform();

    memset(row, 1, slots);
    if (r >= o->partial)
        return;
    if (r < o->partial / 2 && o->days > 1) {
        uint32_t stay = 1 + below(o->days - 1), first = below(o->days - stay + 1);

        for (uint32_t d = 0; d < o->days; d++) {
            if (d < first || d >= first + stay)
                memset(row + d * o->slots_per_day, 0, o->slots_per_day);
        }
        return;
    }
    for (uint32_t b = 2 + below(3); b > 0; b--) {
        uint32_t len = 2 + below(5), at = below(slots);

        for (uint32_t k = at; k < at + len && k < slots; k++)
            row[k] = 0;
    }
}

/* Participants: max_meetings 8..30, a minimum of 2..4 for one in five, popularity heavy
 * tailed (a few are wanted by many). */
static void make_parties(const opts_t *o, event_t *e)
{
    uint32_t slots = o->days * o->slots_per_day, n = o->companies + o->investors;

    e->companies = xcalloc(o->companies, sizeof(tv_party_t));
    e->investors = xcalloc(o->investors, sizeof(tv_party_t));
    e->avail = xcalloc((size_t)n * slots, 1);
    e->popularity = xcalloc(n, sizeof(double));
    for (uint32_t p = 0; p < n; p++) {
        tv_party_t *q = p < o->companies ? &e->companies[p] : &e->investors[p - o->companies];

        q->max_meetings = 8 + below(23);
        q->min_meetings = uniform() < 0.2 ? 2 + below(3) : 0;
        q->available = e->avail + (size_t)p * slots;
        availability(o, e->avail + (size_t)p * slots);
        e->popularity[p] = pow(uniform(), 3.0);
    }
    e->tables = xcalloc(slots, sizeof(uint32_t));
    for (uint32_t k = 0; k < slots; k++)
        e->tables[k] = o->tables;
}

/* A participant drawn with probability growing with popularity: the best of three draws. */
static uint32_t draw(const event_t *e, uint32_t base, uint32_t n, int skewed)
{
    uint32_t best = below(n);

    for (int k = 0; skewed && k < 2; k++) {
        uint32_t x = below(n);

        if (e->popularity[base + x] > e->popularity[base + best])
            best = x;
    }
    return best;
}

/* Adds the pair to the set; returns 0 if it was there. */
static int pair_new(event_t *e, uint32_t c, uint32_t i)
{
    uint64_t key = ((uint64_t)c << 32 | i) + 1;
    size_t h = (size_t)(key * 0x9e3779b97f4a7c15ull) & (e->pairs_cap - 1);

    while (e->pairs[h] != 0) {
        if (e->pairs[h] == key)
            return 0;
        h = (h + 1) & (e->pairs_cap - 1);
    }
    e->pairs[h] = key;
    return 1;
}

/* Requests first (30% must, 70% want, towards popular investors), then recommendations whose
 * scores lean towards popular participants. */
static void make_candidates(const opts_t *o, event_t *e)
{
    size_t want = o->requests + o->recommended;

    e->cands = xcalloc(want, sizeof(tv_candidate_t));
    for (e->pairs_cap = 1024; e->pairs_cap < 2 * want;)
        e->pairs_cap *= 2;
    e->pairs = xcalloc(e->pairs_cap, sizeof(uint64_t));
    while (e->n_cands < want) {
        int request = e->n_cands < o->requests;
        uint32_t c = draw(e, 0, o->companies, !request);
        uint32_t i = draw(e, o->companies, o->investors, 1);
        double pop = (e->popularity[c] + e->popularity[o->companies + i]) / 2;
        tv_candidate_t *k = &e->cands[e->n_cands];

        if (!pair_new(e, c, i))
            continue;
        k->company = c, k->investor = i;
        k->score = (float)fmin(1.0, 0.25 + 0.45 * uniform() + 0.3 * pop);
        k->origin = !request          ? TV_ORIGIN_RECOMMENDED
                    : uniform() < 0.3 ? TV_ORIGIN_MUST
                                      : TV_ORIGIN_WANT;
        k->locked_slot = k->locked_table = -1;
        k->previous_slot = k->previous_table = -1;
        e->n_cands++;
    }
}

/* A few requests locked by the organisers at a slot both can make, on distinct tables. */
static void make_locks(const opts_t *o, event_t *e)
{
    uint32_t slots = o->days * o->slots_per_day;

    for (size_t n = 0, tries = 0; n < o->locks && tries < 100 * o->locks; tries++) {
        tv_candidate_t *k = &e->cands[below((uint32_t)(o->requests ? o->requests : e->n_cands))];
        uint32_t s = below(slots);

        if (k->locked_slot >= 0 || !e->companies[k->company].available[s] ||
            !e->investors[k->investor].available[s])
            continue;
        k->locked_slot = (int32_t)s;
        k->locked_table = (int32_t)(n % o->tables);
        n++;
    }
}

static void make_event(const opts_t *o, event_t *e)
{
    memset(e, 0, sizeof(*e));
    rng = o->seed * 0x9e3779b97f4a7c15ull + 88172645463325252ull;
    make_parties(o, e);
    make_candidates(o, e);
    make_locks(o, e);
    e->in = (tv_schedule_input_t){e->companies,
                                  o->companies,
                                  e->investors,
                                  o->investors,
                                  e->cands,
                                  e->n_cands,
                                  o->days * o->slots_per_day,
                                  e->tables};
}

static void free_event(event_t *e)
{
    free(e->companies);
    free(e->investors);
    free(e->avail);
    free(e->popularity);
    free(e->tables);
    free(e->cands);
    free(e->pairs);
}

/* ---- the run ---- */

static double marks[3];

static void on_phase(int phase)
{
    if (phase >= 0 && phase < 3)
        marks[phase] = now();
}

static int parse(int argc, char **argv, opts_t *o)
{
    *o = (opts_t){3000, 3000, 3, 16, 600, 60000, 20000, 40, 0.3, 1, 0};
    for (int k = 1; k < argc; k++) {
        const char *a = argv[k], *v = k + 1 < argc ? argv[k + 1] : NULL;

        if (strcmp(a, "--json") == 0) {
            o->json = 1;
            continue;
        }
        if (v == NULL)
            return -1;
        k++;
        if (strcmp(a, "--companies") == 0)
            o->companies = (uint32_t)strtoul(v, NULL, 10);
        else if (strcmp(a, "--investors") == 0)
            o->investors = (uint32_t)strtoul(v, NULL, 10);
        else if (strcmp(a, "--days") == 0)
            o->days = (uint32_t)strtoul(v, NULL, 10);
        else if (strcmp(a, "--slots-per-day") == 0)
            o->slots_per_day = (uint32_t)strtoul(v, NULL, 10);
        else if (strcmp(a, "--tables") == 0)
            o->tables = (uint32_t)strtoul(v, NULL, 10);
        else if (strcmp(a, "--recommended") == 0)
            o->recommended = strtoul(v, NULL, 10);
        else if (strcmp(a, "--requests") == 0)
            o->requests = strtoul(v, NULL, 10);
        else if (strcmp(a, "--locks") == 0)
            o->locks = strtoul(v, NULL, 10);
        else if (strcmp(a, "--partial") == 0)
            o->partial = strtod(v, NULL);
        else if (strcmp(a, "--seed") == 0)
            o->seed = strtoull(v, NULL, 10);
        else
            return -1;
    }
    if (o->companies == 0 || o->investors == 0 || o->days == 0 || o->slots_per_day == 0 ||
        o->tables == 0 || o->recommended + o->requests > (uint64_t)o->companies * o->investors / 2)
        return -1;
    return 0;
}

static void print_result(const opts_t *o, const event_t *e, const tv_schedule_t *s, int violations,
                         const char *why)
{
    double select = marks[1] - marks[0], place = marks[2] - marks[1], total = marks[2] - marks[0];
    double ratio = s->upper_bound > 0 ? s->total_score / s->upper_bound : 1;
    size_t requests_out = 0;

    for (size_t k = 0; k < s->n_unplaced; k++)
        requests_out += e->cands[s->unplaced[k].candidate].origin != TV_ORIGIN_RECOMMENDED;
    if (o->json) {
        printf("{\"participants\":%u,\"slots\":%u,\"tables\":%u,\"candidates\":%zu,"
               "\"select_seconds\":%.3f,\"place_seconds\":%.3f,\"total_seconds\":%.3f,"
               "\"total_score\":%.4f,\"upper_bound\":%.4f,\"ratio\":%.5f,\"placed\":%zu,"
               "\"unplaced\":%zu,\"unplaced_requests\":%zu,\"parties_without\":%zu,"
               "\"violations\":%d,\"seed\":%llu}\n",
               o->companies + o->investors, e->in.n_slots, o->tables, e->n_cands, select, place,
               total, s->total_score, s->upper_bound, ratio, s->n_placed, s->n_unplaced,
               requests_out, s->parties_without, violations, (unsigned long long)o->seed);
        return;
    }
    printf("event: %u companies, %u investors, %u slots of %u tables, %zu candidates\n",
           o->companies, o->investors, e->in.n_slots, o->tables, e->n_cands);
    printf("select %.3f s, place %.3f s, total %.3f s\n", select, place, total);
    printf("placed %zu, unplaced %zu (%zu requests), total_score %.2f / upper_bound %.2f = %.4f\n",
           s->n_placed, s->n_unplaced, requests_out, s->total_score, s->upper_bound, ratio);
    printf("per participant: min %u, max %u, mean %.2f, %zu without\n", s->min_per_party,
           s->max_per_party, s->mean_per_party, s->parties_without);
    printf("violations: %d%s%s\n", violations, violations ? ", first: " : "", why);
}

int main(int argc, char **argv)
{
    opts_t o;
    event_t e;
    tv_schedule_t s;
    char why[256] = "";
    int rc, violations;

    if (parse(argc, argv, &o) != 0) {
        fprintf(stderr, "usage: bench_schedule [--companies 3000] [--investors 3000] [--days 3] "
                        "[--slots-per-day 16] [--tables 600] [--recommended 60000] "
                        "[--requests 20000] [--locks 40] [--partial 0.3] [--seed S] [--json]\n");
        return 2;
    }
    make_event(&o, &e);
    tv__schedule_phase_hook = on_phase;
    rc = tv_schedule_run(&e.in, &s);
    tv__schedule_phase_hook = NULL;
    if (rc != 0) {
        fprintf(stderr, "bench_schedule: %s\n", tv_strerror(rc));
        free_event(&e);
        return 1;
    }
    violations = tv_schedule_check(&e.in, &s, why, sizeof(why));
    print_result(&o, &e, &s, violations, why);
    tv_schedule_dispose(&s);
    free_event(&e);
    return violations == 0 ? 0 : 1;
}
