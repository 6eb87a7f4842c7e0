/* The meeting scheduler (see tavolo/schedule.h): checks the input, keeps the locks, selects
 * meetings by maximum-weight b-matching (schedule_flow.c), places them in slots by edge
 * colouring (schedule_colour.c) and writes the report. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "schedule_internal.h"

/* Scores are rounded to this grid for the exact selection; its optimality is for the rounded
 * scores. */
#define SCORE_STEPS 10000

/* What keeping a previous meeting is worth in the selection, on the score grid: 0.05 of
 * score. A previous meeting is given up only for meetings of higher precedence, or for
 * meetings of the same precedence whose scores beat, meeting for meeting, those of the
 * previous ones they replace by more than 0.05; so a late participant still gets its clearly
 * better matches, and the rest stays. An unchanged input selects the previous meetings again
 * (they were optimal, and now each weighs more). Measured on the J.P. Morgan fixture: 0.1 left
 * a late company half its meetings, 0.05 and below gave it all of them (decision 0040). */
#define KEEP_STEPS 500

/* ---- the input's contract ---- */

static int check_candidate(const tv_schedule_input_t *in, const tv_candidate_t *c)
{
    if (c->company >= in->n_companies || c->investor >= in->n_investors)
        return TV_EINVAL;
    if (c->origin != TV_ORIGIN_MUST && c->origin != TV_ORIGIN_WANT &&
        c->origin != TV_ORIGIN_RECOMMENDED)
        return TV_EINVAL;
    if (!isfinite(c->score))
        return TV_EINVAL;
    if (c->locked_slot >= 0 && ((uint32_t)c->locked_slot >= in->n_slots || c->locked_table < 0))
        return TV_EINVAL;
    if (c->previous_slot >= 0 && (uint32_t)c->previous_slot >= in->n_slots)
        return TV_EINVAL;
    return 0;
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

/* TV_EINVAL when a pair of participants appears twice. */
static int check_pairs_unique(const tv_schedule_input_t *in)
{
    uint64_t *keys = tv__malloc(in->n_candidates * sizeof(uint64_t));
    int rc = TV_ENOMEM;

    if (keys == NULL)
        goto out;
    for (size_t k = 0; k < in->n_candidates; k++)
        keys[k] = (uint64_t)in->candidates[k].company << 32 | in->candidates[k].investor;
    qsort(keys, in->n_candidates, sizeof(uint64_t), compare_u64);
    rc = 0;
    for (size_t k = 1; k < in->n_candidates && rc == 0; k++)
        rc = keys[k] == keys[k - 1] ? TV_EINVAL : 0;
out:
    tv__free(keys);
    return rc;
}

static int check_input(const tv_schedule_input_t *in)
{
    if ((in->n_companies > 0 && in->companies == NULL) ||
        (in->n_investors > 0 && in->investors == NULL) ||
        (in->n_candidates > 0 && in->candidates == NULL) || (in->n_slots > 0 && in->tables == NULL))
        return TV_EINVAL;
    /* Flow arcs (candidates, two per participant, one per node) fit 32-bit indices. */
    if (in->n_companies > UINT32_MAX / 16 || in->n_investors > UINT32_MAX / 16 ||
        in->n_candidates > UINT32_MAX / 2 ||
        (in->n_slots > 0 && (in->n_companies + in->n_investors) > SIZE_MAX / 8 / in->n_slots))
        return TV_ERANGE;
    for (size_t k = 0; k < in->n_candidates; k++) {
        if (check_candidate(in, &in->candidates[k]) != 0)
            return TV_EINVAL;
    }
    return check_pairs_unique(in);
}

/* ---- the run's state ---- */

static void sched_dispose(tv__sched_t *s)
{
    tv__free(s->status);
    tv__free(s->slot);
    tv__free(s->busy);
    tv__free(s->used);
    tv__free(s->n_locks);
    tv__free(s->n_avail);
    tv__free(s->sticky);
}

static int sched_init(tv__sched_t *s, const tv_schedule_input_t *in)
{
    size_t cells;

    s->in = in;
    s->n_parties = (uint32_t)(in->n_companies + in->n_investors);
    s->n_slots = in->n_slots;
    cells = (size_t)s->n_parties * s->n_slots;
    s->status = tv__calloc(in->n_candidates, 1);
    s->slot = tv__malloc(in->n_candidates * sizeof(uint32_t));
    s->busy = tv__malloc(cells * sizeof(uint32_t));
    s->used = tv__calloc(s->n_slots, sizeof(uint32_t));
    s->n_locks = tv__calloc(s->n_parties, sizeof(uint32_t));
    s->n_avail = tv__calloc(s->n_parties, sizeof(uint32_t));
    s->sticky = tv__calloc(in->n_candidates, 1);
    if (s->status == NULL || s->slot == NULL || s->busy == NULL || s->used == NULL ||
        s->n_locks == NULL || s->n_avail == NULL || s->sticky == NULL)
        return TV_ENOMEM;
    memset(s->slot, 0xff, in->n_candidates * sizeof(uint32_t));
    memset(s->busy, 0xff, cells * sizeof(uint32_t));
    for (uint32_t p = 0; p < s->n_parties; p++) {
        for (uint32_t k = 0; k < s->n_slots; k++)
            s->n_avail[p] += (uint32_t)tv__sched_available(s, p, k);
    }
    return 0;
}

static const tv_party_t *party(const tv__sched_t *s, uint32_t p)
{
    return p < s->in->n_companies ? &s->in->companies[p]
                                  : &s->in->investors[p - s->in->n_companies];
}

static uint32_t *cell(const tv__sched_t *s, uint32_t p, uint32_t k)
{
    return &s->busy[(size_t)p * s->n_slots + k];
}

/* ---- locks ---- */

typedef struct {
    uint32_t slot, table, cand;
} lock_key_t;

static int compare_locks(const void *a, const void *b)
{
    const lock_key_t *x = a, *y = b;

    if (x->slot != y->slot)
        return x->slot < y->slot ? -1 : 1;
    if (x->table != y->table)
        return x->table < y->table ? -1 : 1;
    return x->cand < y->cand ? -1 : x->cand > y->cand;
}

/* Whether lock 'cand' can stay where it is, given the locks kept so far. */
static int lock_fits(const tv__sched_t *s, uint32_t cand)
{
    const tv_candidate_t *c = &s->in->candidates[cand];
    uint32_t k = (uint32_t)c->locked_slot, u = tv__sched_company(s, cand);
    uint32_t v = tv__sched_investor(s, cand);

    if ((uint32_t)c->locked_table >= s->in->tables[k])
        return 0;
    if (!tv__sched_available(s, u, k) || !tv__sched_available(s, v, k))
        return 0;
    if (*cell(s, u, k) != TV__NONE || *cell(s, v, k) != TV__NONE)
        return 0;
    return s->n_locks[u] < party(s, u)->max_meetings && s->n_locks[v] < party(s, v)->max_meetings;
}

/* Keeps the locks in candidate order: a lock stays if its table exists and no earlier kept
 * lock holds it, both participants are available and not yet locked in that slot, and
 * neither has reached max_meetings with locks; any other lock is a LOCK_CONFLICT. 'keys'
 * sorted by (slot, table) give each lock a group; a group's table goes to the first lock of
 * it that is kept ('taken', one flag per lock, set on the group's first entry). */
static int keep_locks(tv__sched_t *s)
{
    size_t n = 0;
    lock_key_t *keys = tv__malloc(s->in->n_candidates * sizeof(lock_key_t));
    uint32_t *group = tv__malloc(s->in->n_candidates * sizeof(uint32_t));
    uint8_t *taken = tv__calloc(s->in->n_candidates, 1);
    int rc = TV_ENOMEM;

    if (keys == NULL || group == NULL || taken == NULL)
        goto out;
    for (uint32_t c = 0; c < s->in->n_candidates; c++) {
        const tv_candidate_t *cand = &s->in->candidates[c];

        if (cand->locked_slot >= 0)
            keys[n++] = (lock_key_t){(uint32_t)cand->locked_slot, (uint32_t)cand->locked_table, c};
    }
    qsort(keys, n, sizeof(lock_key_t), compare_locks);
    for (size_t k = 0, head = 0; k < n; k++) {
        if (keys[k].slot != keys[head].slot || keys[k].table != keys[head].table)
            head = k;
        group[keys[k].cand] = (uint32_t)head;
    }
    for (uint32_t c = 0; c < s->in->n_candidates; c++) {
        if (s->in->candidates[c].locked_slot < 0)
            continue;
        if (taken[group[c]] || !lock_fits(s, c)) {
            s->status[c] = TV__ST_LOCK_CONFLICT;
            continue;
        }
        taken[group[c]] = 1;
        s->status[c] = TV__ST_LOCKED;
        tv__sched_put(s, c, (uint32_t)s->in->candidates[c].locked_slot);
        s->n_locks[tv__sched_company(s, c)]++;
        s->n_locks[tv__sched_investor(s, c)]++;
    }
    rc = 0;
out:
    tv__free(keys);
    tv__free(group);
    tv__free(taken);
    return rc;
}

/* ---- selection ---- */

/* The number of slots where both participants of 'cand' are available and free. */
static uint32_t common_slots(const tv__sched_t *s, uint32_t cand)
{
    uint32_t u = tv__sched_company(s, cand), v = tv__sched_investor(s, cand), n = 0;

    for (uint32_t k = 0; k < s->n_slots; k++)
        n += tv__sched_available(s, u, k) && tv__sched_available(s, v, k) &&
             *cell(s, u, k) == TV__NONE && *cell(s, v, k) == TV__NONE;
    return n;
}

/* A participant's capacity: min(max_meetings, available slots) less its kept locks (which
 * sit in available slots and count towards max_meetings, so this is never negative); and how
 * many of those units earn the minimum's bonus. */
static void capacities(const tv__sched_t *s, uint32_t *cap, uint32_t *bonus)
{
    for (uint32_t p = 0; p < s->n_parties; p++) {
        const tv_party_t *q = party(s, p);
        uint32_t most = q->max_meetings < s->n_avail[p] ? q->max_meetings : s->n_avail[p];
        uint32_t want = q->min_meetings > s->n_locks[p] ? q->min_meetings - s->n_locks[p] : 0;

        cap[p] = most - s->n_locks[p];
        bonus[p] = want < cap[p] ? want : cap[p];
    }
}

/* Meetings the tables leave room for: every table of every slot, less the kept locks. */
static uint32_t table_room(const tv__sched_t *s)
{
    uint64_t total = 0;

    for (uint32_t k = 0; k < s->n_slots; k++)
        total += s->in->tables[k] - s->used[k];
    return total >= UINT32_MAX ? UINT32_MAX - 1 : (uint32_t)total;
}

/* 1 + the score on the grid, clamped to 0..1: a dot product of unit vectors may come out a
 * rounding error above 1, and the weights need the bound. */
static uint32_t points(float score)
{
    float clamped = score < 0 ? 0 : score > 1 ? 1 : score;

    return 1 + (uint32_t)lrintf(clamped * SCORE_STEPS);
}

/* Precedence as weights. Selections compare by, in order: (1) must requests, (2) want
 * requests, (3) bonus units, a participant's meetings up to its min_meetings less its locks,
 * and (4) points, per meeting 1 + its score on the 1e-4 grid (1..10001; the 1 makes a pair of
 * score 0 still worth an idle slot), plus KEEP_STEPS for a previous meeting. A meeting weighs
 * its points plus B2 (want) or B1 (must); a bonus unit weighs B3, with P = (10001 +
 * KEEP_STEPS) x edges (points of any selection are below it), U = bonus units, W = want
 * edges:
 *     B3 = P + 1,   B2 = U B3 + P + 1,   B1 = W B2 + U B3 + P + 1.
 * If X has more musts than Y, w(X) - w(Y) >= B1 - (W B2 + U B3 + P) > 0, because Y has at
 * most W more wants, U more bonus units and P more points; (2) and (3) likewise. So the
 * maximum weight is the lexicographic optimum: a must is never given up for any set of lower
 * meetings, a want never for recommendations, minimums or score, and minimums are met before
 * extra meetings of others where feasible, but never at the cost of an accepted request.
 * Returns TV_ERANGE if a path cost could pass 2^100, far from the 128 bits of tv__cost_t (never
 * on a real event: about 2^70 for BIO-Europe). */
static int precedence(size_t n_edges, size_t n_wants, uint64_t n_bonus, size_t n_nodes,
                      tv__cost_t b[3])
{
    tv__cost_t p = (tv__cost_t)n_edges * (SCORE_STEPS + 1 + KEEP_STEPS);
    tv__cost_t limit = (tv__cost_t)1 << 100;
    tv__cost_t u = (tv__cost_t)n_bonus, w = (tv__cost_t)n_wants, ub, wb, top;

    b[2] = p + 1;
    if (__builtin_mul_overflow(u, b[2], &ub) || ub > limit)
        return TV_ERANGE;
    b[1] = ub + p + 1;
    if (__builtin_mul_overflow(w, b[1], &wb) || wb > limit)
        return TV_ERANGE;
    b[0] = wb + ub + p + 1;
    if (__builtin_mul_overflow(b[0] + p, (tv__cost_t)(n_nodes + 8) * 4, &top) || top > limit)
        return TV_ERANGE;
    return 0;
}

typedef struct {
    uint32_t *cap, *bonus, *left, *right, *cand;
    tv__cost_t *weight;
    uint8_t *chosen;
    size_t n;
} edges_t;

static void edges_dispose(edges_t *e)
{
    tv__free(e->cap);
    tv__free(e->bonus);
    tv__free(e->left);
    tv__free(e->right);
    tv__free(e->cand);
    tv__free(e->weight);
    tv__free(e->chosen);
}

static int edges_alloc(edges_t *e, size_t parties, size_t n)
{
    e->cap = tv__malloc(parties * sizeof(uint32_t));
    e->bonus = tv__malloc(parties * sizeof(uint32_t));
    e->left = tv__malloc(n * sizeof(uint32_t));
    e->right = tv__malloc(n * sizeof(uint32_t));
    e->cand = tv__malloc(n * sizeof(uint32_t));
    e->weight = tv__malloc(n * sizeof(tv__cost_t));
    e->chosen = tv__malloc(n);
    if (e->cap == NULL || e->bonus == NULL || e->left == NULL || e->right == NULL ||
        e->cand == NULL || e->weight == NULL || e->chosen == NULL)
        return TV_ENOMEM;
    return 0;
}

/* The flow's edges: candidates neither locked nor in conflict whose participants share a
 * free slot; the others without one become NO_COMMON. Then their weights. */
static int collect_edges(tv__sched_t *s, edges_t *e, tv__cost_t *bonus_weight)
{
    const tv_candidate_t *cands = s->in->candidates;
    size_t wants = 0;
    uint64_t units = 0;
    tv__cost_t b[3];
    int rc;

    for (uint32_t c = 0; c < s->in->n_candidates; c++) {
        if (s->status[c] != TV__ST_IDLE)
            continue;
        if (common_slots(s, c) == 0) {
            s->status[c] = TV__ST_NO_COMMON;
            continue;
        }
        e->left[e->n] = cands[c].company;
        e->right[e->n] = cands[c].investor;
        e->cand[e->n++] = c;
        wants += cands[c].origin == TV_ORIGIN_WANT;
    }
    for (uint32_t p = 0; p < s->n_parties; p++)
        units += e->bonus[p];
    rc = precedence(e->n, wants, units, (size_t)s->n_parties + 3, b);
    if (rc != 0)
        return rc;
    for (size_t k = 0; k < e->n; k++) {
        const tv_candidate_t *c = &cands[e->cand[k]];

        e->weight[k] = (tv__cost_t)points(c->score) + (c->previous_slot >= 0 ? KEEP_STEPS : 0) +
                       (c->origin == TV_ORIGIN_MUST   ? b[0]
                        : c->origin == TV_ORIGIN_WANT ? b[1]
                                                      : 0);
    }
    *bonus_weight = b[2];
    return 0;
}

/* Selects the meetings: SELECTED for the chosen ones, CAPACITY for accepted requests left out.
 */
static int select_meetings(tv__sched_t *s)
{
    edges_t e;
    tv__flow_problem_t p;
    int rc;

    memset(&e, 0, sizeof(e));
    memset(&p, 0, sizeof(p));
    rc = edges_alloc(&e, s->n_parties, s->in->n_candidates);
    if (rc != 0)
        goto out;
    capacities(s, e.cap, e.bonus);
    rc = collect_edges(s, &e, &p.bonus_weight);
    if (rc != 0)
        goto out;
    p.n_left = (uint32_t)s->in->n_companies;
    p.n_right = (uint32_t)s->in->n_investors;
    p.cap = e.cap, p.bonus = e.bonus;
    p.n_edges = e.n, p.left = e.left, p.right = e.right, p.weight = e.weight;
    p.total_cap = table_room(s);
    rc = tv__flow_solve(&p, e.chosen);
    if (rc != 0)
        goto out;
    for (size_t k = 0; k < e.n; k++) {
        uint32_t c = e.cand[k];

        if (e.chosen[k])
            s->status[c] = TV__ST_SELECTED;
        else if (s->in->candidates[c].origin != TV_ORIGIN_RECOMMENDED)
            s->status[c] = TV__ST_CAPACITY;
    }
out:
    edges_dispose(&e);
    return rc;
}

/* ---- placement ---- */

typedef struct {
    uint32_t origin, common, points, cand;
} rank_t;

static int compare_ranks(const void *a, const void *b)
{
    const rank_t *x = a, *y = b;

    if (x->origin != y->origin)
        return x->origin < y->origin ? -1 : 1;
    if (x->common != y->common)
        return x->common < y->common ? -1 : 1;
    if (x->points != y->points)
        return x->points > y->points ? -1 : 1;
    return x->cand < y->cand ? -1 : x->cand > y->cand;
}

/* Whether meeting 'cand' can go to slot 'k' now: both sides available and free, a table left. */
static int fits(const tv__sched_t *s, uint32_t cand, uint32_t k)
{
    uint32_t u = tv__sched_company(s, cand), v = tv__sched_investor(s, cand);

    return tv__sched_available(s, u, k) && tv__sched_available(s, v, k) &&
           *cell(s, u, k) == TV__NONE && *cell(s, v, k) == TV__NONE &&
           s->used[k] < s->in->tables[k];
}

/* Puts each selected previous meeting of 'order' back in its previous slot where it fits,
 * and makes it sticky: the placement of the others goes around it. */
static void place_previous(tv__sched_t *s, const uint32_t *order, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        int32_t home = s->in->candidates[order[k]].previous_slot;

        if (home < 0 || !fits(s, order[k], (uint32_t)home))
            continue;
        tv__sched_put(s, order[k], (uint32_t)home);
        s->status[order[k]] = TV__ST_PLACED;
        s->sticky[order[k]] = 1;
    }
}

/* Keeps in 'order' (n entries) the candidates still SELECTED, of any origin or requests only;
 * returns how many are left. */
static size_t still_selected(const tv__sched_t *s, uint32_t *order, size_t n, int requests_only)
{
    size_t m = 0;

    for (size_t k = 0; k < n; k++) {
        const tv_candidate_t *c = &s->in->candidates[order[k]];

        if (s->status[order[k]] == TV__ST_SELECTED &&
            (!requests_only || c->origin != TV_ORIGIN_RECOMMENDED))
            order[m++] = order[k];
    }
    return m;
}

/* A previous meeting placed elsewhere goes back to its previous slot once that fits; each
 * move puts one meeting home for good, so this ends. */
static void return_home(tv__sched_t *s)
{
    for (int moved = 1; moved;) {
        moved = 0;
        for (uint32_t c = 0; c < s->in->n_candidates; c++) {
            int32_t home = s->in->candidates[c].previous_slot;

            if (s->status[c] != TV__ST_PLACED || home < 0 || s->slot[c] == (uint32_t)home ||
                !fits(s, c, (uint32_t)home))
                continue;
            tv__sched_take(s, c);
            tv__sched_put(s, c, (uint32_t)home);
            moved = 1;
        }
    }
}

/* Places the selected meetings, in order of precedence, musts, wants, then recommendations,
 * so that lower meetings fit around higher ones; within each, the pairs with the fewest
 * common slots first (the hardest to place), then higher scores. Previous meetings go first,
 * back where they were; the others go around them without moving them; then an accepted
 * request still out may move previous meetings; last, previous meetings return home where
 * they can. */
static int place_meetings(tv__sched_t *s)
{
    size_t n = 0;
    rank_t *ranks = tv__malloc(s->in->n_candidates * sizeof(rank_t));
    uint32_t *order = tv__malloc(s->in->n_candidates * sizeof(uint32_t));
    int rc = TV_ENOMEM;

    if (ranks == NULL || order == NULL)
        goto out;
    for (uint32_t c = 0; c < s->in->n_candidates; c++) {
        const tv_candidate_t *cand = &s->in->candidates[c];

        if (s->status[c] == TV__ST_SELECTED)
            ranks[n++] =
                (rank_t){(uint32_t)cand->origin, common_slots(s, c), points(cand->score), c};
    }
    qsort(ranks, n, sizeof(rank_t), compare_ranks);
    for (size_t k = 0; k < n; k++)
        order[k] = ranks[k].cand;
    place_previous(s, order, n);
    n = still_selected(s, order, n, 0);
    rc = tv__colour_place(s, order, n);
    memset(s->sticky, 0, s->in->n_candidates);
    if (rc == 0)
        rc = tv__colour_place(s, order, still_selected(s, order, n, 1));
    if (rc == 0)
        return_home(s);
out:
    tv__free(ranks);
    tv__free(order);
    return rc;
}

/* ---- the report ---- */

static int compare_placed(const void *a, const void *b)
{
    const tv_placed_t *x = a, *y = b;

    if (x->slot != y->slot)
        return x->slot < y->slot ? -1 : 1;
    return x->table < y->table ? -1 : x->table > y->table;
}

/* Entries of one slot, locked first by table, then the others by candidate (their table is
 * TV__NONE for now): these get the lowest tables the locks leave. */
static int compare_for_tables(const void *a, const void *b)
{
    const tv_placed_t *x = a, *y = b;

    if (x->slot != y->slot)
        return x->slot < y->slot ? -1 : 1;
    if (x->table != y->table)
        return x->table < y->table ? -1 : 1;
    return x->candidate < y->candidate ? -1 : x->candidate > y->candidate;
}

/* Tables of one slot's entries pl[0..n): a lock has its own; a meeting back in its previous
 * slot takes its previous table if no lock or earlier entry holds it; the others take the
 * lowest tables left. 'used' has room for the slot's tables. */
static void tables_of_slot(const tv__sched_t *s, tv_placed_t *pl, size_t n, uint8_t *used)
{
    uint32_t k = pl[0].slot, room = s->in->tables[k], next = 0;

    memset(used, 0, room);
    for (size_t i = 0; i < n; i++) {
        if (pl[i].table != TV__NONE)
            used[pl[i].table] = 1;
    }
    for (size_t i = 0; i < n; i++) {
        const tv_candidate_t *c = &s->in->candidates[pl[i].candidate];

        if (pl[i].table == TV__NONE && c->previous_slot == (int32_t)k && c->previous_table >= 0 &&
            (uint32_t)c->previous_table < room && !used[c->previous_table]) {
            pl[i].table = (uint32_t)c->previous_table;
            used[pl[i].table] = 1;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (pl[i].table != TV__NONE)
            continue;
        while (used[next])
            next++;
        pl[i].table = next;
        used[next] = 1;
    }
}

static int assign_tables(const tv__sched_t *s, tv_placed_t *pl, size_t n)
{
    uint32_t most = 1;
    uint8_t *used;

    for (uint32_t k = 0; k < s->n_slots; k++)
        most = s->in->tables[k] > most ? s->in->tables[k] : most;
    used = tv__malloc(most);
    if (used == NULL)
        return TV_ENOMEM;
    qsort(pl, n, sizeof(tv_placed_t), compare_for_tables);
    for (size_t start = 0, end; start < n; start = end) {
        for (end = start; end < n && pl[end].slot == pl[start].slot;)
            end++;
        tables_of_slot(s, pl + start, end - start, used);
    }
    qsort(pl, n, sizeof(tv_placed_t), compare_placed);
    tv__free(used);
    return 0;
}

/* Whether candidate 'c' belongs in the unplaced list, and why. */
static int unplaced_reason(const tv__sched_t *s, uint32_t c, tv_unplaced_reason_t *why)
{
    int request = s->in->candidates[c].origin != TV_ORIGIN_RECOMMENDED;

    switch ((tv__status_t)s->status[c]) {
    case TV__ST_LOCK_CONFLICT:
        *why = TV_UNPLACED_LOCK_CONFLICT;
        return 1;
    case TV__ST_NO_COMMON:
        *why = TV_UNPLACED_NO_COMMON_SLOT;
        return request;
    case TV__ST_CAPACITY:
        *why = TV_UNPLACED_CAPACITY;
        return 1;
    case TV__ST_SELECTED: /* slots both could use now are all full, or there are none */
        *why = common_slots(s, c) > 0 ? TV_UNPLACED_NO_TABLE : TV_UNPLACED_NO_COMMON_SLOT;
        return 1;
    default:
        return 0;
    }
}

static void report_stats(const tv__sched_t *s, tv_schedule_t *r)
{
    uint64_t sum = 0;

    r->min_per_party = s->n_parties > 0 ? UINT32_MAX : 0;
    r->max_per_party = 0;
    for (uint32_t p = 0; p < s->n_parties; p++) {
        uint32_t n = 0;

        for (uint32_t k = 0; k < s->n_slots; k++)
            n += *cell(s, p, k) != TV__NONE;
        r->min_per_party = n < r->min_per_party ? n : r->min_per_party;
        r->max_per_party = n > r->max_per_party ? n : r->max_per_party;
        r->parties_without += n == 0;
        sum += n;
    }
    r->mean_per_party = s->n_parties > 0 ? (double)sum / s->n_parties : 0;
}

static int report(const tv__sched_t *s, tv_schedule_t *r)
{
    size_t n_placed = 0, n_unplaced = 0;
    tv_unplaced_reason_t why;

    for (uint32_t c = 0; c < s->in->n_candidates; c++) {
        n_placed += s->status[c] == TV__ST_LOCKED || s->status[c] == TV__ST_PLACED;
        n_unplaced += (size_t)unplaced_reason(s, c, &why);
    }
    r->placed = tv__malloc(n_placed * sizeof(tv_placed_t));
    r->unplaced = tv__malloc(n_unplaced * sizeof(tv_unplaced_t));
    if (r->placed == NULL || r->unplaced == NULL)
        return TV_ENOMEM;
    for (uint32_t c = 0; c < s->in->n_candidates; c++) {
        const tv_candidate_t *cand = &s->in->candidates[c];
        int locked = s->status[c] == TV__ST_LOCKED;

        if (locked || s->status[c] == TV__ST_PLACED) {
            r->placed[r->n_placed++] =
                (tv_placed_t){c, s->slot[c], locked ? (uint32_t)cand->locked_table : TV__NONE};
            r->total_score += cand->score;
        }
        if (locked || s->status[c] == TV__ST_PLACED || s->status[c] == TV__ST_SELECTED)
            r->upper_bound += cand->score;
        if (unplaced_reason(s, c, &why))
            r->unplaced[r->n_unplaced++] = (tv_unplaced_t){c, why};
    }
    report_stats(s, r);
    return assign_tables(s, r->placed, r->n_placed);
}

/* ---- public ---- */

void (*tv__schedule_phase_hook)(int phase);

static void phase(int k)
{
    if (tv__schedule_phase_hook != NULL)
        tv__schedule_phase_hook(k);
}

int tv_schedule_run(const tv_schedule_input_t *in, tv_schedule_t *out)
{
    tv__sched_t s;
    tv_schedule_t r;
    int rc = TV_EINVAL;

    memset(&s, 0, sizeof(s));
    memset(&r, 0, sizeof(r));
    if (in == NULL || out == NULL)
        goto out;
    phase(0);
    rc = check_input(in);
    if (rc == 0)
        rc = sched_init(&s, in);
    if (rc == 0)
        rc = keep_locks(&s);
    if (rc == 0)
        rc = select_meetings(&s);
    if (rc == 0) {
        phase(1);
        rc = place_meetings(&s);
    }
    if (rc == 0)
        rc = report(&s, &r);
    if (rc != 0)
        goto out;
    *out = r;
    memset(&r, 0, sizeof(r));
    phase(2);
out:
    tv_schedule_dispose(&r);
    sched_dispose(&s);
    return rc;
}

void tv_schedule_dispose(tv_schedule_t *s)
{
    if (s == NULL)
        return;
    tv__free(s->placed);
    tv__free(s->unplaced);
    memset(s, 0, sizeof(*s));
}

const char *tv_unplaced_reason_name(tv_unplaced_reason_t r)
{
    switch (r) {
    case TV_UNPLACED_NO_COMMON_SLOT:
        return "no common free slot";
    case TV_UNPLACED_NO_TABLE:
        return "no table left in any common free slot";
    case TV_UNPLACED_CAPACITY:
        return "not selected: meeting limits or tables taken by meetings of higher precedence";
    case TV_UNPLACED_LOCK_CONFLICT:
        return "lock conflicts with another lock, availability, the tables or max_meetings";
    default:
        return "unknown reason";
    }
}
