/* Private declarations shared by the scheduler's files: the run's state (schedule.c), the
 * b-matching by min-cost flow (schedule_flow.c) and the placement by edge colouring
 * (schedule_colour.c). The invariant check (schedule_check.c) shares nothing with them. */
#ifndef TV_SCHEDULE_INTERNAL_H
#define TV_SCHEDULE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "tavolo/schedule.h"

#define TV__NONE UINT32_MAX

/* Weights and path costs. The weights are lexicographic (see schedule.c), which needs more
 * than 64 bits on a large event, so they are exact 128-bit integers. */
__extension__ typedef __int128 tv__cost_t;

/* ---- selection ---- */

/* A maximum-weight b-matching on a bipartite graph, with a bonus for each participant's first
 * units and a cap on the number of edges. Participants are numbered 0..n_left-1 (companies),
 * then n_left..n_left+n_right-1 (investors). */
typedef struct {
    uint32_t n_left, n_right;
    const uint32_t *cap;     /* n_left + n_right: edges a participant may take */
    const uint32_t *bonus;   /* n_left + n_right: how many of those earn bonus_weight (<= cap) */
    tv__cost_t bonus_weight; /* >= 0 */
    size_t n_edges;
    const uint32_t *left;     /* n_edges: a company, 0..n_left-1 */
    const uint32_t *right;    /* n_edges: an investor, 0..n_right-1 */
    const tv__cost_t *weight; /* n_edges: > 0 */
    uint32_t total_cap;       /* at most this many edges in all */
} tv__flow_problem_t;

/* Chooses edges of maximum total weight, where each participant's first 'bonus' edges also
 * earn bonus_weight, within the capacities. Writes 0/1 per edge to 'chosen' (n_edges).
 * Returns 0 or TV_ENOMEM. Exact for integer weights; deterministic. Costs of paths are sums of
 * at most (participants + 3) weights, which the caller keeps far from overflowing. */
int tv__flow_solve(const tv__flow_problem_t *p, uint8_t *chosen);

/* ---- the run ---- */

/* What became of a candidate. */
typedef enum {
    TV__ST_IDLE = 0,      /* a recommendation not selected */
    TV__ST_LOCKED,        /* a lock kept where it is */
    TV__ST_LOCK_CONFLICT, /* a lock that cannot be kept */
    TV__ST_NO_COMMON,     /* no slot where both are available and not locked elsewhere */
    TV__ST_CAPACITY,      /* an accepted request the selection left out */
    TV__ST_SELECTED,      /* selected, not (yet) placed */
    TV__ST_PLACED         /* selected and placed */
} tv__status_t;

typedef struct {
    const tv_schedule_input_t *in;
    uint32_t n_parties; /* companies, then investors */
    uint32_t n_slots;
    uint8_t *status;   /* per candidate, a tv__status_t */
    uint32_t *slot;    /* per candidate: its slot once placed or locked, else TV__NONE */
    uint32_t *busy;    /* n_parties x n_slots: the candidate meeting there, or TV__NONE */
    uint32_t *used;    /* per slot: meetings in it */
    uint32_t *n_locks; /* per participant: locks kept */
    uint32_t *n_avail; /* per participant: slots available */
    uint8_t *sticky;   /* per candidate: a previous meeting back home that placement may not
                          move (while the others are placed around it) */
} tv__sched_t;

/* The participant index of a candidate's company and investor. */
static inline uint32_t tv__sched_company(const tv__sched_t *s, size_t cand)
{
    return s->in->candidates[cand].company;
}

static inline uint32_t tv__sched_investor(const tv__sched_t *s, size_t cand)
{
    return (uint32_t)s->in->n_companies + s->in->candidates[cand].investor;
}

/* Whether participant 'p' can meet in slot 'k'. */
static inline int tv__sched_available(const tv__sched_t *s, uint32_t p, uint32_t k)
{
    const tv_party_t *party =
        p < s->in->n_companies ? &s->in->companies[p] : &s->in->investors[p - s->in->n_companies];

    return party->available == NULL || party->available[k] != 0;
}

/* Puts candidate 'cand' in slot 'k' (free for both, a table left) or takes it out. Inline here,
 * where the run's state is declared, so that the placement (schedule_colour.c) and the run
 * (schedule.c) both use the state without calling into each other's file. */
static inline void tv__sched_put(tv__sched_t *s, uint32_t cand, uint32_t k)
{
    s->busy[(size_t)tv__sched_company(s, cand) * s->n_slots + k] = cand;
    s->busy[(size_t)tv__sched_investor(s, cand) * s->n_slots + k] = cand;
    s->slot[cand] = k;
    s->used[k]++;
}

static inline void tv__sched_take(tv__sched_t *s, uint32_t cand)
{
    uint32_t k = s->slot[cand];

    s->busy[(size_t)tv__sched_company(s, cand) * s->n_slots + k] = TV__NONE;
    s->busy[(size_t)tv__sched_investor(s, cand) * s->n_slots + k] = TV__NONE;
    s->slot[cand] = TV__NONE;
    s->used[k]--;
}

/* Places the candidates with status SELECTED around the locks already in 'busy', in the order
 * of 'order' (n entries, highest precedence first): those placed become PLACED. Returns 0 or
 * TV_ENOMEM. */
int tv__colour_place(tv__sched_t *s, const uint32_t *order, size_t n);

/* For benchmarks: if set, called with 0 when a run starts, 1 when the selection is done and
 * 2 when the placement and report are done. NULL otherwise; not for threaded use. */
extern void (*tv__schedule_phase_hook)(int phase);

#endif
