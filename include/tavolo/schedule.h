/* tavolo/schedule.h: one-to-one meetings at an event. Selection picks which meetings happen
 * as a maximum-weight b-matching, solved exactly by min-cost flow; placement puts them in
 * slots by bipartite edge colouring with alternating-path (Kempe chain) repairs for
 * availability and tables. Pure computation: no I/O, no time zones (slots are numbers).
 *
 * Selection. A participant can take min(max_meetings, its available slots) meetings, less its
 * kept locks, and the event as many as it has tables in all slots, less the kept locks. Within
 * those limits the selection is the exact optimum of, in this order: (1) the number of must
 * requests, (2) the number of want requests, (3) the meetings that count towards
 * participants' min_meetings, (4) the sum of scores rounded to 1e-4, plus 1e-4 a meeting,
 * plus 0.05 for each previous meeting kept (a candidate with a previous_slot). So a must is
 * never given up for any number of lower meetings, a want never for recommendations,
 * minimums come before the scores of others but after accepted requests, and at equal
 * precedence a previous meeting is given up only for meetings better by more than 0.05 each.
 * Pairs that share no slot where both are available (and not locked elsewhere) are never
 * selected.
 *
 * Placement. Selected meetings go to slots in order of precedence (musts, wants, then
 * recommendations; the pairs with fewest common slots first within each), each in a slot both
 * can make with a table left, moving other meetings by Kempe chains or to other slots when
 * needed; locks never move. With everyone available and tables to spare, everything selected
 * is placed (König's theorem).
 *
 * Stability. A candidate's previous_slot and previous_table (its meeting in the schedule being
 * re-made, not a lock) are soft preferences, kept in this order: (1) selected previous
 * meetings go back to their previous slot first, in order of precedence, where both sides are
 * available and free and a table is left; (2) the other selected meetings are placed around
 * them without moving them; (3) an accepted request still unplaced may then move previous
 * meetings (requests outrank stability); (4) a previous meeting placed elsewhere returns to
 * its previous slot once that fits; (5) in its previous slot a meeting gets its previous table
 * unless a lock or an earlier candidate holds it. So a re-run of unchanged input, in any
 * candidate order but with the locks in theirs, gives the same schedule (unless (3) places a
 * request the previous run could not), and a change to one participant moves few others. */
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
    uint32_t min_meetings;    /* honoured before extra meetings of others where feasible, after
                                 accepted requests (see above) */
    const uint8_t *available; /* n_slots flags, or NULL for every slot */
} tv_party_t;

/* A candidate meeting. A pair of participants appears at most once. */
typedef struct {
    uint32_t company;  /* index into companies */
    uint32_t investor; /* index into investors */
    float score;       /* the match score, 0..1 (clamped to it for the selection; NaN or
                          infinite: TV_EINVAL) */
    tv_origin_t origin;
    int32_t locked_slot;    /* >= 0: a locked meeting that must stay where it is; < 0: none */
    int32_t locked_table;   /* with locked_slot: >= 0 */
    int32_t previous_slot;  /* >= 0: the slot this pair's meeting had in the previous schedule,
                               a soft preference (see Stability above); < 0: none */
    int32_t previous_table; /* with previous_slot: its table then, or < 0 for none */
} tv_candidate_t;

typedef struct {
    const tv_party_t *companies;
    size_t n_companies;
    const tv_party_t *investors;
    size_t n_investors;
    const tv_candidate_t *candidates;
    size_t n_candidates;
    uint32_t n_slots;
    const uint32_t *tables; /* tables in each slot (n_slots entries; may be NULL if none) */
} tv_schedule_input_t;

typedef struct {
    uint32_t candidate; /* index into candidates */
    uint32_t slot;
    uint32_t table;
} tv_placed_t;

/* Why a meeting is not in the schedule; judged against the final schedule. */
typedef enum {
    TV_UNPLACED_NO_COMMON_SLOT, /* no slot where both are available and free */
    TV_UNPLACED_NO_TABLE,       /* there are such slots, but their tables are all taken */
    TV_UNPLACED_CAPACITY,       /* not selected: a participant's limit or the event's tables
                                   went to meetings of higher precedence */
    TV_UNPLACED_LOCK_CONFLICT   /* a lock that cannot stay: an earlier kept lock (in candidate
                                   order) holds its table or a participant in that slot, a
                                   participant is not available then or has max_meetings
                                   locks already, or the table is beyond the slot's tables */
} tv_unplaced_reason_t;

typedef struct {
    uint32_t candidate;
    tv_unplaced_reason_t reason;
} tv_unplaced_t;

typedef struct {
    tv_placed_t *placed; /* kept locks and placed meetings, sorted by slot, then table; the
                            others of a slot take its lowest tables the locks leave */
    size_t n_placed;
    tv_unplaced_t *unplaced; /* every lock not kept, every accepted request not placed, and
                                every selected recommendation not placed; by candidate */
    size_t n_unplaced;
    double total_score; /* sum of the scores of placed meetings */
    double upper_bound; /* sum of the scores of the selected meetings and kept locks
                           (placement ignored) */
    uint32_t min_per_party, max_per_party; /* placed meetings per participant */
    double mean_per_party;                 /* over all participants of both sides */
    size_t parties_without;                /* participants with no meeting */
} tv_schedule_t;

/* Selects and places meetings. Returns 0 and fills 'out' (free with tv_schedule_dispose), or
 * TV_EINVAL for an input that breaks the contract (an index out of range, a pair twice, a lock
 * or a previous slot outside the slots, a lock with a negative table, a score NaN or infinite,
 * an unknown origin, a NULL array with entries), TV_ERANGE for an event too large (more than
 * 2^28 participants on a side, 2^31 candidates, or exact weights beyond 100 bits), or
 * TV_ENOMEM; 'out' is written only on success. Deterministic. */
int tv_schedule_run(const tv_schedule_input_t *in, tv_schedule_t *out);

/* Frees what tv_schedule_run put in 's' and zeroes it. Accepts NULL. */
void tv_schedule_dispose(tv_schedule_t *s);

/* A static English phrase for a reason. */
const char *tv_unplaced_reason_name(tv_unplaced_reason_t r);

/* Checks every invariant of 's' against 'in' from scratch: each candidate placed at most once
 * (so each pair), in a real slot and table, sorted, no table twice, no participant twice in a
 * slot, availability, max_meetings, locks exactly where they were or reported in a conflict
 * that is real, every request and lock either placed or reported, totals and per-participant
 * figures; and stability: no meeting away from its previous slot while that slot is free for
 * both with a table left, none in it away from its previous table while that table is free.
 * Returns 0, or the number of violations with the first described in 'why' (may be NULL), or
 * TV_ENOMEM. For tests and benchmarks. */
int tv_schedule_check(const tv_schedule_input_t *in, const tv_schedule_t *s, char *why,
                      size_t size);

#endif
