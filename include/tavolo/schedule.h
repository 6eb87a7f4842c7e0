/* tavolo/schedule.h: one-to-one meetings at an event. Selection picks which meetings happen
 * as a maximum-weight b-matching, solved exactly by min-cost flow; placement puts them in
 * slots by bipartite edge colouring with alternating-path (Kempe chain) repairs for
 * availability and tables. Pure computation: no I/O, no time zones (slots are numbers). */
#ifndef TV_SCHEDULE_H
#define TV_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

/* Why a meeting may be wanted, in order of precedence. */
typedef enum {
    TV_ORIGIN_MUST = 0,       /* an accepted request of priority "must" */
    TV_ORIGIN_WANT = 1,       /* an accepted request of priority "want" */
    TV_ORIGIN_RECOMMENDED = 2 /* a recommended pair */
} tv_origin_t;

typedef struct {
    uint32_t max_meetings;
    uint32_t min_meetings;    /* honoured before extra meetings of others where feasible */
    const uint8_t *available; /* n_slots flags, or NULL for every slot */
} tv_party_t;

/* A candidate meeting. A pair of participants appears at most once. */
typedef struct {
    uint32_t company;  /* index into companies */
    uint32_t investor; /* index into investors */
    float score;       /* the match score, 0..1 */
    tv_origin_t origin;
    int32_t locked_slot;  /* >= 0: a locked meeting that must stay where it is */
    int32_t locked_table; /* with locked_slot */
} tv_candidate_t;

typedef struct {
    const tv_party_t *companies;
    size_t n_companies;
    const tv_party_t *investors;
    size_t n_investors;
    const tv_candidate_t *candidates;
    size_t n_candidates;
    uint32_t n_slots;
    const uint32_t *tables; /* tables in each slot (n_slots entries) */
} tv_schedule_input_t;

typedef struct {
    uint32_t candidate; /* index into candidates */
    uint32_t slot;
    uint32_t table;
} tv_placed_t;

typedef enum {
    TV_UNPLACED_NO_COMMON_SLOT, /* the two participants share no free slot */
    TV_UNPLACED_NO_TABLE,       /* every slot both could use is full */
    TV_UNPLACED_CAPACITY,       /* not selected: a participant's limit is reached */
    TV_UNPLACED_LOCK_CONFLICT   /* a lock clashes with another lock or with availability */
} tv_unplaced_reason_t;

typedef struct {
    uint32_t candidate;
    tv_unplaced_reason_t reason;
} tv_unplaced_t;

typedef struct {
    tv_placed_t *placed; /* sorted by slot, then table */
    size_t n_placed;
    tv_unplaced_t *unplaced; /* every accepted request not placed, and every selected
                                recommendation not placed */
    size_t n_unplaced;
    double total_score;      /* sum of the scores of placed meetings */
    double upper_bound;      /* sum of the scores of the selected meetings (placement ignored) */
    uint32_t min_per_party, max_per_party;
    double mean_per_party;   /* over all participants of both sides */
    size_t parties_without;  /* participants with no meeting */
} tv_schedule_t;

/* Selects and places meetings. Returns 0 and fills 'out' (free with tv_schedule_dispose), or
 * TV_EINVAL for an input that breaks the contract (an index out of range, a pair twice, a lock
 * outside the slots), or TV_ENOMEM. Deterministic. */
int tv_schedule_run(const tv_schedule_input_t *in, tv_schedule_t *out);

void tv_schedule_dispose(tv_schedule_t *s);

/* A static English phrase for a reason. */
const char *tv_unplaced_reason_name(tv_unplaced_reason_t r);

/* Checks every invariant of 's' against 'in' (no participant twice in a slot, tables per slot,
 * availability, max_meetings, locks unchanged, each pair at most once). Returns 0, or the
 * number of violations with the first described in 'why'. For tests and benchmarks. */
int tv_schedule_check(const tv_schedule_input_t *in, const tv_schedule_t *s, char *why,
                      size_t size);

#endif
