/* tv_schedule_check: verifies a schedule against its input from scratch, sharing no code with
 * the scheduler, for tests and benchmarks. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "tavolo/schedule.h"

typedef struct {
    const tv_schedule_input_t *in;
    const tv_schedule_t *s;
    size_t parties;
    uint8_t *state;    /* per candidate: 0, PLACED or UNPLACED */
    uint8_t *busy;     /* parties x slots */
    uint32_t *count;   /* per participant: meetings placed */
    uint32_t *locks;   /* per participant: locked meetings placed */
    uint32_t *in_slot; /* per slot: meetings placed */
    char *why;
    size_t size;
    int violations;
} check_t;

enum { PLACED = 1, UNPLACED = 2 };

__attribute__((format(printf, 2, 3))) static void violation(check_t *c, const char *fmt, ...)
{
    va_list ap;

    if (c->violations++ == 0 && c->why != NULL && c->size > 0) {
        va_start(ap, fmt);
        vsnprintf(c->why, c->size, fmt, ap);
        va_end(ap);
    }
}

static const tv_party_t *party_of(const check_t *c, size_t p)
{
    return p < c->in->n_companies ? &c->in->companies[p]
                                  : &c->in->investors[p - c->in->n_companies];
}

static int available(const check_t *c, size_t p, uint32_t k)
{
    const tv_party_t *q = party_of(c, p);

    return q->available == NULL || q->available[k] != 0;
}

/* One placed meeting: a real candidate, once, in a real slot and table, both participants
 * available and not elsewhere in that slot, a lock exactly where it was. */
static void check_placed(check_t *c, const tv_placed_t *pl)
{
    const tv_candidate_t *cand;
    size_t u, v;

    if (pl->candidate >= c->in->n_candidates || pl->slot >= c->in->n_slots) {
        violation(c, "placed: candidate %u or slot %u out of range", pl->candidate, pl->slot);
        return;
    }
    cand = &c->in->candidates[pl->candidate];
    u = cand->company, v = c->in->n_companies + cand->investor;
    if (c->state[pl->candidate] != 0)
        violation(c, "candidate %u placed twice", pl->candidate);
    c->state[pl->candidate] = PLACED;
    if (pl->table >= c->in->tables[pl->slot])
        violation(c, "candidate %u: table %u of %u in slot %u", pl->candidate, pl->table,
                  c->in->tables[pl->slot], pl->slot);
    if (!available(c, u, pl->slot) || !available(c, v, pl->slot))
        violation(c, "candidate %u in slot %u where a participant is not available", pl->candidate,
                  pl->slot);
    if (c->busy[u * c->in->n_slots + pl->slot] || c->busy[v * c->in->n_slots + pl->slot])
        violation(c, "candidate %u: a participant twice in slot %u", pl->candidate, pl->slot);
    c->busy[u * c->in->n_slots + pl->slot] = c->busy[v * c->in->n_slots + pl->slot] = 1;
    c->count[u]++, c->count[v]++;
    if (cand->locked_slot >= 0) {
        c->locks[u]++, c->locks[v]++;
        if ((uint32_t)cand->locked_slot != pl->slot || (uint32_t)cand->locked_table != pl->table)
            violation(c, "lock %u moved from slot %d table %d to slot %u table %u", pl->candidate,
                      cand->locked_slot, cand->locked_table, pl->slot, pl->table);
    }
}

static void check_all_placed(check_t *c)
{
    const tv_schedule_t *s = c->s;

    for (size_t k = 0; k < s->n_placed; k++) {
        const tv_placed_t *a = &s->placed[k - (k > 0)], *b = &s->placed[k];

        if (k > 0 && (a->slot > b->slot || (a->slot == b->slot && a->table >= b->table)))
            violation(c, "placed[%zu]: not sorted by slot and table, or a table used twice", k);
        check_placed(c, b);
    }
    for (size_t p = 0; p < c->parties; p++) {
        if (c->count[p] > party_of(c, p)->max_meetings)
            violation(c, "participant %zu: %u meetings, max_meetings %u", p, c->count[p],
                      party_of(c, p)->max_meetings);
    }
}

/* Whether another placed lock, availability, the tables or max_meetings stop lock 'cand'. */
static int lock_blocked(const check_t *c, uint32_t cand)
{
    const tv_candidate_t *l = &c->in->candidates[cand];
    uint32_t k = (uint32_t)l->locked_slot;
    size_t u = l->company, v = c->in->n_companies + l->investor;

    if ((uint32_t)l->locked_table >= c->in->tables[k] || !available(c, u, k) || !available(c, v, k))
        return 1;
    if (c->locks[u] >= party_of(c, u)->max_meetings || c->locks[v] >= party_of(c, v)->max_meetings)
        return 1;
    for (size_t j = 0; j < c->s->n_placed; j++) {
        const tv_placed_t *pl = &c->s->placed[j];
        const tv_candidate_t *o = &c->in->candidates[pl->candidate];

        if (pl->slot != k || o->locked_slot < 0)
            continue;
        if (pl->table == (uint32_t)l->locked_table || o->company == l->company ||
            o->investor == l->investor)
            return 1;
    }
    return 0;
}

static void check_unplaced(check_t *c)
{
    const tv_schedule_t *s = c->s;

    for (size_t k = 0; k < s->n_unplaced; k++) {
        const tv_unplaced_t *un = &s->unplaced[k];

        if (un->candidate >= c->in->n_candidates) {
            violation(c, "unplaced: candidate %u out of range", un->candidate);
            continue;
        }
        if (c->state[un->candidate] != 0)
            violation(c, "candidate %u unplaced but also placed or listed twice", un->candidate);
        c->state[un->candidate] = UNPLACED;
        if ((unsigned)un->reason > TV_UNPLACED_LOCK_CONFLICT)
            violation(c, "candidate %u: unknown reason %d", un->candidate, (int)un->reason);
        if ((un->reason == TV_UNPLACED_LOCK_CONFLICT) !=
            (c->in->candidates[un->candidate].locked_slot >= 0))
            violation(c, "candidate %u: a lock conflict is for locks, and a lock left out is one",
                      un->candidate);
        else if (un->reason == TV_UNPLACED_LOCK_CONFLICT && !lock_blocked(c, un->candidate))
            violation(c, "lock %u reported in conflict but nothing stops it", un->candidate);
    }
    for (size_t k = 0; k < c->in->n_candidates; k++) {
        const tv_candidate_t *cand = &c->in->candidates[k];

        if (c->state[k] == 0 && (cand->origin != TV_ORIGIN_RECOMMENDED || cand->locked_slot >= 0))
            violation(c, "request or lock %zu neither placed nor reported", k);
    }
}

/* Whether a placed meeting holds 'table' in slot 'k' ('placed' is sorted by slot, table). */
static int table_held(const tv_schedule_t *s, uint32_t k, uint32_t table)
{
    for (size_t j = 0; j < s->n_placed; j++) {
        if (s->placed[j].slot == k && s->placed[j].table == table)
            return 1;
    }
    return 0;
}

/* Stability: no meeting away from its previous slot while that slot has a table left and both
 * sides are available and free in it, and none in its previous slot away from its previous
 * table while nobody holds that table. */
static void check_previous(check_t *c, const uint32_t *in_slot)
{
    for (size_t k = 0; k < c->s->n_placed; k++) {
        const tv_placed_t *pl = &c->s->placed[k];
        const tv_candidate_t *cand;
        uint32_t home;
        size_t u, v;

        if (pl->candidate >= c->in->n_candidates)
            continue;
        cand = &c->in->candidates[pl->candidate];
        if (cand->locked_slot >= 0 || cand->previous_slot < 0 ||
            (uint32_t)cand->previous_slot >= c->in->n_slots)
            continue;
        home = (uint32_t)cand->previous_slot;
        u = cand->company, v = c->in->n_companies + cand->investor;
        if (pl->slot != home && in_slot[home] < c->in->tables[home] && available(c, u, home) &&
            available(c, v, home) && !c->busy[u * c->in->n_slots + home] &&
            !c->busy[v * c->in->n_slots + home])
            violation(c, "candidate %u in slot %u, away from its previous slot %u, free for both",
                      pl->candidate, pl->slot, home);
        if (pl->slot == home && cand->previous_table >= 0 &&
            (uint32_t)cand->previous_table < c->in->tables[home] &&
            pl->table != (uint32_t)cand->previous_table &&
            !table_held(c->s, home, (uint32_t)cand->previous_table))
            violation(c, "candidate %u at table %u, away from its previous table %d, free",
                      pl->candidate, pl->table, cand->previous_table);
    }
}

static void check_totals(check_t *c)
{
    const tv_schedule_t *s = c->s;
    double total = 0, sum = 0, eps = 1e-6 * (1 + (double)s->n_placed);
    uint32_t lo = c->parties > 0 ? UINT32_MAX : 0, hi = 0;
    size_t without = 0;

    for (size_t k = 0; k < s->n_placed; k++)
        total += c->in->candidates[s->placed[k].candidate].score;
    if (fabs(total - s->total_score) > eps)
        violation(c, "total_score %.6f, placed meetings sum to %.6f", s->total_score, total);
    if (s->upper_bound < s->total_score - eps)
        violation(c, "upper_bound %.6f below total_score %.6f", s->upper_bound, s->total_score);
    for (size_t p = 0; p < c->parties; p++) {
        lo = c->count[p] < lo ? c->count[p] : lo;
        hi = c->count[p] > hi ? c->count[p] : hi;
        without += c->count[p] == 0;
        sum += c->count[p];
    }
    if (s->min_per_party != lo || s->max_per_party != hi || s->parties_without != without)
        violation(c, "per participant: min %u max %u without %zu, expected %u %u %zu",
                  s->min_per_party, s->max_per_party, s->parties_without, lo, hi, without);
    if (c->parties > 0 && fabs(s->mean_per_party - sum / (double)c->parties) > 1e-9)
        violation(c, "mean_per_party %.6f, expected %.6f", s->mean_per_party,
                  sum / (double)c->parties);
}

int tv_schedule_check(const tv_schedule_input_t *in, const tv_schedule_t *s, char *why, size_t size)
{
    check_t c = {in,   s, in->n_companies + in->n_investors, NULL, NULL, NULL, NULL, NULL, why,
                 size, 0};
    int rc = TV_ENOMEM;

    if (why != NULL && size > 0)
        why[0] = '\0';
    c.state = tv__calloc(in->n_candidates, 1);
    c.busy = tv__calloc(c.parties * in->n_slots, 1);
    c.count = tv__calloc(c.parties, sizeof(uint32_t));
    c.locks = tv__calloc(c.parties, sizeof(uint32_t));
    c.in_slot = tv__calloc(in->n_slots + 1, sizeof(uint32_t));
    if (c.state == NULL || c.busy == NULL || c.count == NULL || c.locks == NULL ||
        c.in_slot == NULL)
        goto out;
    check_all_placed(&c);
    for (size_t k = 0; k < s->n_placed; k++)
        c.in_slot[s->placed[k].slot < in->n_slots ? s->placed[k].slot : 0]++;
    check_previous(&c, c.in_slot);
    check_unplaced(&c);
    check_totals(&c);
    rc = c.violations;
out:
    tv__free(c.state);
    tv__free(c.busy);
    tv__free(c.count);
    tv__free(c.locks);
    tv__free(c.in_slot);
    return rc;
}
