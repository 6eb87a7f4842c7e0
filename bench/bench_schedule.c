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

/* ---- stability: one participant changes, the scheduler runs again ---- */

typedef struct {
    size_t kept, total, moved, dropped; /* the other meetings of the run before */
    uint32_t mine;                      /* the changed participant's meetings after */
    double seconds;
    int violations;
} stability_t;

/* Gives each placed meeting of 's' that is not a lock its slot and table as previous ones. */
static void remember(event_t *e, const tv_schedule_t *s)
{
    for (size_t k = 0; k < e->n_cands; k++)
        e->cands[k].previous_slot = e->cands[k].previous_table = -1;
    for (size_t k = 0; k < s->n_placed; k++) {
        tv_candidate_t *c = &e->cands[s->placed[k].candidate];

        if (c->locked_slot < 0) {
            c->previous_slot = (int32_t)s->placed[k].slot;
            c->previous_table = (int32_t)s->placed[k].table;
        }
    }
}

/* Compares run 'b' with run 'a' over the meetings of 'a' not involving company 'c' or
 * investor 'i' (UINT32_MAX for none). */
static void compare_runs(const event_t *e, const tv_schedule_t *a, const tv_schedule_t *b,
                         uint32_t c, uint32_t i, stability_t *out)
{
    long *at = xcalloc(e->n_cands, sizeof(long));

    for (size_t k = 0; k < e->n_cands; k++)
        at[k] = -1;
    for (size_t k = 0; k < b->n_placed; k++) {
        const tv_candidate_t *x = &e->cands[b->placed[k].candidate];

        at[b->placed[k].candidate] = (long)k;
        out->mine += x->company == c || x->investor == i;
    }
    for (size_t k = 0; k < a->n_placed; k++) {
        const tv_placed_t *p = &a->placed[k];
        const tv_candidate_t *x = &e->cands[p->candidate];
        long j = at[p->candidate];

        if (x->company == c || x->investor == i)
            continue;
        out->total++;
        if (j < 0)
            out->dropped++;
        else if (b->placed[j].slot == p->slot && b->placed[j].table == p->table)
            out->kept++;
        else
            out->moved++;
    }
    free(at);
}

/* Runs 'e' again after 'before' (its previous meetings), checked and timed, into 'out'. */
static void rerun(event_t *e, const tv_schedule_t *before, uint32_t c, uint32_t i, stability_t *out)
{
    tv_schedule_t after;
    char why[256];
    double t0;

    remember(e, before);
    t0 = now();
    if (tv_schedule_run(&e->in, &after) != 0) {
        fprintf(stderr, "bench_schedule: a re-run failed\n");
        exit(1);
    }
    out->seconds = now() - t0;
    out->violations = tv_schedule_check(&e->in, &after, why, sizeof(why));
    if (out->violations != 0)
        fprintf(stderr, "bench_schedule: a re-run breaks an invariant: %s\n", why);
    compare_runs(e, before, &after, c, i, out);
    tv_schedule_dispose(&after);
}

/* The company (side 0) or investor (side 1) with the most meetings in 's'. */
static uint32_t busiest(const opts_t *o, const event_t *e, const tv_schedule_t *s, int side)
{
    uint32_t n = side ? o->investors : o->companies, best = 0;
    uint32_t *count = xcalloc(n, sizeof(uint32_t));

    for (size_t k = 0; k < s->n_placed; k++) {
        const tv_candidate_t *c = &e->cands[s->placed[k].candidate];

        count[side ? c->investor : c->company]++;
    }
    for (uint32_t p = 1; p < n; p++)
        best = count[p] > count[best] ? p : best;
    free(count);
    return best;
}

/* Three changes of one participant, each from the schedule 's' of the event as generated: the
 * last company joins (it was away: max_meetings 0 before), the company with the most meetings
 * leaves (max_meetings 0 after), the investor with the most meetings is away for the first
 * half of the slots. */
static void measure_stability(const opts_t *o, event_t *e, const tv_schedule_t *s,
                              stability_t out[3])
{
    uint32_t late = o->companies - 1, keep = e->companies[late].max_meetings;
    uint32_t gone = busiest(o, e, s, 0), away = busiest(o, e, s, 1), half = e->in.n_slots / 2;
    uint32_t first = e->companies[gone].max_meetings;
    uint8_t *row = xcalloc(e->in.n_slots, 1);
    tv_schedule_t before;

    memset(out, 0, 3 * sizeof(stability_t));
    e->companies[late].max_meetings = 0;
    if (tv_schedule_run(&e->in, &before) != 0)
        exit(1);
    e->companies[late].max_meetings = keep;
    rerun(e, &before, late, UINT32_MAX, &out[0]);
    tv_schedule_dispose(&before);
    e->companies[gone].max_meetings = 0;
    rerun(e, s, gone, UINT32_MAX, &out[1]);
    e->companies[gone].max_meetings = first;
    memcpy(row, e->investors[away].available, e->in.n_slots);
    memset((uint8_t *)e->investors[away].available, 0, half);
    rerun(e, s, UINT32_MAX, away, &out[2]);
    memcpy((uint8_t *)e->investors[away].available, row, e->in.n_slots);
    for (size_t k = 0; k < e->n_cands; k++)
        e->cands[k].previous_slot = e->cands[k].previous_table = -1;
    free(row);
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

static double share(const stability_t *x)
{
    return x->total > 0 ? (double)x->kept / (double)x->total : 1;
}

static void print_stability(const opts_t *o, const stability_t st[3])
{
    static const char *const names[3] = {"join", "leave", "availability"};

    if (o->json) {
        printf(",\"stability\":{");
        for (int k = 0; k < 3; k++)
            printf("%s\"%s\":{\"kept\":%zu,\"total\":%zu,\"share\":%.4f,\"moved\":%zu,"
                   "\"dropped\":%zu,\"mine\":%u,\"seconds\":%.3f,\"violations\":%d}",
                   k ? "," : "", names[k], st[k].kept, st[k].total, share(&st[k]), st[k].moved,
                   st[k].dropped, st[k].mine, st[k].seconds, st[k].violations);
        printf("}}\n");
        return;
    }
    for (int k = 0; k < 3; k++)
        printf("re-run after one participant's %s: %zu of %zu other meetings keep slot and table "
               "(%.4f), %zu moved, %zu dropped; it has %u meetings; %.3f s, %d violations\n",
               names[k], st[k].kept, st[k].total, share(&st[k]), st[k].moved, st[k].dropped,
               st[k].mine, st[k].seconds, st[k].violations);
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
               "\"violations\":%d,\"seed\":%llu",
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
    stability_t stability[3];
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
    measure_stability(&o, &e, &s, stability);
    print_stability(&o, stability);
    for (int k = 0; k < 3; k++)
        violations += stability[k].violations;
    tv_schedule_dispose(&s);
    free_event(&e);
    return violations == 0 ? 0 : 1;
}
