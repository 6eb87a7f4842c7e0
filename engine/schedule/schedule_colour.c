/* Placement: slots are the colours of an edge colouring of the bipartite graph of selected
 * meetings. A meeting takes a slot free for both participants, or frees one by swapping an
 * alternating path (Kempe chain) of two slots; a full slot sheds a meeting to another slot.
 * Meetings come in order of precedence, so a must never waits for a recommendation: the lower
 * meetings fit around the higher ones or stay out. */
#include <string.h>

#include "core/internal.h"
#include "schedule_internal.h"

typedef struct {
    tv__sched_t *s;
    uint32_t *path; /* a chain being examined, at most n_parties meetings */
    size_t budget;  /* steps left for the meeting being placed */
} colour_t;

static uint32_t busy(const tv__sched_t *s, uint32_t p, uint32_t k)
{
    return s->busy[(size_t)p * s->n_slots + k];
}

static int is_free(const tv__sched_t *s, uint32_t p, uint32_t k)
{
    return busy(s, p, k) == TV__NONE && tv__sched_available(s, p, k);
}

static int has_room(const tv__sched_t *s, uint32_t k)
{
    return s->used[k] < s->in->tables[k];
}

static int movable(const tv__sched_t *s, uint32_t cand)
{
    return cand != TV__NONE && s->status[cand] == TV__ST_PLACED && !s->sticky[cand];
}

static uint32_t other_end(const tv__sched_t *s, uint32_t cand, uint32_t p)
{
    uint32_t u = tv__sched_company(s, cand);

    return p == u ? tv__sched_investor(s, cand) : u;
}

static void place(tv__sched_t *s, uint32_t cand, uint32_t k)
{
    tv__sched_put(s, cand, k);
    s->status[cand] = TV__ST_PLACED;
}

/* ---- a slot free for both ---- */

/* Takes the common free slot with the most tables left (the lowest on a tie), which keeps the
 * slots even and leaves room for the meetings still to come. */
static int place_direct(tv__sched_t *s, uint32_t cand)
{
    uint32_t u = tv__sched_company(s, cand), v = tv__sched_investor(s, cand);
    uint32_t best = TV__NONE, best_room = 0;

    for (uint32_t k = 0; k < s->n_slots; k++) {
        uint32_t room = s->in->tables[k] - s->used[k];

        if (room > best_room && is_free(s, u, k) && is_free(s, v, k))
            best = k, best_room = room;
    }
    if (best == TV__NONE)
        return 0;
    place(s, cand, best);
    return 1;
}

/* ---- Kempe chains ---- */

/* Collects in c->path the chain that starts with x's meeting in slot a, then the next
 * participant's meeting in b, then a, and so on; x must have nothing in b, so the chain is a
 * path. Returns its length, or -1 if swapping a and b along it is not allowed: it holds a lock
 * or the participant at its far end is not available in the slot it would move into. Inner
 * participants have meetings in both slots, so they are available in both. */
static long chain(colour_t *c, uint32_t x, uint32_t a, uint32_t b)
{
    const tv__sched_t *s = c->s;
    uint32_t p = x, k = a, next = b;
    long n = 0;

    for (;;) {
        uint32_t m = busy(s, p, k), t;

        if (m == TV__NONE)
            break;
        if (!movable(s, m) || c->budget == 0)
            return -1;
        c->budget--;
        c->path[n++] = m;
        p = other_end(s, m, p);
        t = k, k = next, next = t;
    }
    /* p's last meeting moves from 'next' into 'k'. */
    return n == 0 || tv__sched_available(s, p, k) ? n : -1;
}

/* Swaps slots a and b along a chain whose first meeting is in a. */
static void swap_chain(tv__sched_t *s, const uint32_t *path, long n, uint32_t a, uint32_t b)
{
    for (long i = 0; i < n; i++)
        tv__sched_take(s, path[i]);
    for (long i = 0; i < n; i++)
        tv__sched_put(s, path[i], i % 2 == 0 ? b : a);
}

/* Places 'cand' in slot a, free for x but not for y, after moving y's meeting in a to b
 * (free for y) with its chain, if locks, availability and tables allow. */
static int kempe_at(colour_t *c, uint32_t cand, uint32_t y, uint32_t a, uint32_t b)
{
    tv__sched_t *s = c->s;
    long n = chain(c, y, a, b), in_a, in_b;

    if (n <= 0)
        return 0;
    in_a = (n + 1) / 2, in_b = n / 2; /* the chain's meetings now in a and in b */
    if (s->used[a] - in_a + in_b + 1 > s->in->tables[a] ||
        s->used[b] - in_b + in_a > s->in->tables[b])
        return 0;
    swap_chain(s, c->path, n, a, b);
    place(s, cand, a);
    return 1;
}

/* Tries every pair of slots (a free for one participant, b free for the other) and both
 * participants as the one whose chain moves. */
static int place_kempe(colour_t *c, uint32_t cand)
{
    const tv__sched_t *s = c->s;
    uint32_t ends[2] = {tv__sched_company(s, cand), tv__sched_investor(s, cand)};

    for (int side = 0; side < 2; side++) {
        uint32_t x = ends[side], y = ends[1 - side];

        for (uint32_t a = 0; a < s->n_slots; a++) {
            if (!is_free(s, x, a) || !movable(s, busy(s, y, a)))
                continue;
            for (uint32_t b = 0; b < s->n_slots && c->budget > 0; b++) {
                if (b != a && is_free(s, y, b) && kempe_at(c, cand, y, a, b))
                    return 1;
            }
        }
    }
    return 0;
}

/* ---- full slots ---- */

/* Moves meeting 'm' out of its slot to another slot free for both, with a table left. */
static int move_elsewhere(tv__sched_t *s, uint32_t m)
{
    uint32_t u = tv__sched_company(s, m), v = tv__sched_investor(s, m), from = s->slot[m];

    for (uint32_t k = 0; k < s->n_slots; k++) {
        if (k != from && has_room(s, k) && is_free(s, u, k) && is_free(s, v, k)) {
            tv__sched_take(s, m);
            tv__sched_put(s, m, k);
            return 1;
        }
    }
    return 0;
}

/* Places 'cand' in a slot free for both but without a table, by moving one of that slot's
 * meetings elsewhere. */
static int make_room(colour_t *c, uint32_t cand)
{
    tv__sched_t *s = c->s;
    uint32_t u = tv__sched_company(s, cand), v = tv__sched_investor(s, cand);

    for (uint32_t k = 0; k < s->n_slots; k++) {
        if (has_room(s, k) || !is_free(s, u, k) || !is_free(s, v, k))
            continue;
        for (uint32_t p = 0; p < s->in->n_companies && c->budget > 0; p++) {
            uint32_t m = busy(s, p, k);

            c->budget--;
            if (movable(s, m) && move_elsewhere(s, m)) {
                place(s, cand, k);
                return 1;
            }
        }
    }
    return 0;
}

/* Each of these changes nothing unless it places 'cand'. */
static int place_one(colour_t *c, uint32_t cand)
{
    return place_direct(c->s, cand) || place_kempe(c, cand) || make_room(c, cand);
}

/* Places 'cand' in a slot both can make where one of them has a single movable meeting, if
 * that meeting then finds another place; otherwise puts everything back. */
static int bump(colour_t *c, uint32_t cand)
{
    tv__sched_t *s = c->s;
    uint32_t u = tv__sched_company(s, cand), v = tv__sched_investor(s, cand);

    for (uint32_t k = 0; k < s->n_slots && c->budget > 0; k++) {
        uint32_t bu = busy(s, u, k), bv = busy(s, v, k), m = bu == TV__NONE ? bv : bu;

        if ((bu == TV__NONE) == (bv == TV__NONE) || !movable(s, m) ||
            !tv__sched_available(s, u, k) || !tv__sched_available(s, v, k))
            continue;
        tv__sched_take(s, m);
        place(s, cand, k);
        if (place_one(c, m))
            return 1;
        tv__sched_take(s, cand);
        s->status[cand] = TV__ST_SELECTED;
        tv__sched_put(s, m, k);
    }
    return 0;
}

/* Whether some slot has a table left: without one every move is futile. */
static int any_room(const tv__sched_t *s)
{
    for (uint32_t k = 0; k < s->n_slots; k++) {
        if (has_room(s, k))
            return 1;
    }
    return 0;
}

/* Places one meeting within a budget of steps that bounds the time of an unlucky event but
 * leaves room for every chain of a König colouring (a chain is at most n_parties long). */
static int place_meeting(colour_t *c, uint32_t cand)
{
    c->budget = 2 * ((size_t)c->s->n_parties + (size_t)c->s->n_slots * c->s->n_slots);
    return any_room(c->s) && (place_one(c, cand) || bump(c, cand));
}

int tv__colour_place(tv__sched_t *s, const uint32_t *order, size_t n)
{
    colour_t c = {s, tv__malloc(((size_t)s->n_parties + 1) * sizeof(uint32_t)), 0};

    if (c.path == NULL)
        return TV_ENOMEM;
    for (size_t k = 0; k < n; k++)
        place_meeting(&c, order[k]);
    for (size_t k = 0; k < n; k++) { /* chains through meetings placed later may now exist */
        if (s->status[order[k]] == TV__ST_SELECTED)
            place_meeting(&c, order[k]);
    }
    tv__free(c.path);
    return 0;
}
