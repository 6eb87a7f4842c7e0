/* The scheduler for a stored event: from the store and the matcher to tv_schedule_run and
 * back. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scheduling.h"
#include "tavolo/calendar.h"
#include "tavolo/codec.h"
#include "tavolo/error.h"
#include "tavolo/schedule.h"

typedef struct {
    tv_event_t event;
    tv_strings_t slots;
    const tv_matcher_t *m;
    /* participants by side, in file order */
    tv_party_t *companies, *investors;
    const tv_attendee_t **company_of, **investor_of;
    uint32_t *company_order, *investor_order; /* each side's positions, by id */
    size_t n_companies, n_investors;
    uint8_t *available; /* (n_companies + n_investors) x n_slots */
    uint32_t *tables;
    tv_candidate_t *candidates;
    int8_t *kept; /* per candidate: the status of a kept meeting, or -1 */
    size_t n_candidates, cap_candidates;
    uint32_t *pair_index;    /* open addressing by (company, investor): candidate + 1, 0 empty */
    size_t pair_cap;         /* a power of two, at least twice n_candidates */
    uint8_t *taken;          /* n_slots x tables: held by kept meetings held out of the run */
    uint8_t *keep;           /* per existing meeting: KEEP_NONE, KEEP_LOCK or KEEP_HELD_OUT */
    uint8_t *file_available; /* 'available' as the event file has it, before other events */
    uint8_t *declined;       /* n_companies x n_investors: declined or pinned-cancelled pairs */
    tv_meeting_t *existing;
    size_t n_existing;
} plan_t;

int api_load_event(tv_store_t *st, const char *event_id, tv_event_t *out)
{
    tv_diags_t diags = {0};
    char *doc = NULL;
    int rc = tv_store_event_doc(st, event_id, &doc);

    if (rc == 0)
        rc = tv_codec_event_decode(doc, strlen(doc), out, &diags);
    tv_diags_dispose(&diags);
    free(doc);
    return rc;
}

int api_load_event_frame(tv_store_t *st, const char *event_id, const char *company_id,
                         const char *investor_id, tv_event_t *out)
{
    tv_diags_t diags = {0};
    char *doc = NULL;
    int rc = company_id != NULL
                 ? tv_store_event_frame_of_pair(st, event_id, company_id, investor_id, &doc)
                 : tv_store_event_frame(st, event_id, &doc);

    if (rc == 0)
        rc = tv_codec_event_decode(doc, strlen(doc), out, &diags);
    tv_diags_dispose(&diags);
    free(doc);
    return rc;
}

static int slot_index(const plan_t *p, const char *start)
{
    for (size_t s = 0; s < p->slots.n; s++) {
        if (strcmp(p->slots.items[s], start) == 0)
            return (int)s;
    }
    return -1;
}

/* The position of participant 'id' on side 'kind', or -1: a binary search of the side's
 * positions by id (a linear one cost 3 s of a run at 6,000 participants, bench/organiser_pages.sh).
 */
static int side_index(const plan_t *p, tv_profile_kind_t kind, const char *id)
{
    size_t lo = 0, hi = kind == TV_KIND_COMPANY ? p->n_companies : p->n_investors;
    const tv_attendee_t **of = kind == TV_KIND_COMPANY ? p->company_of : p->investor_of;
    const uint32_t *order = kind == TV_KIND_COMPANY ? p->company_order : p->investor_order;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(of[order[mid]]->id, id);

        if (c == 0)
            return (int)order[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

typedef struct {
    const char *id;
    uint32_t at;
} id_at_t;

static int by_id(const void *a, const void *b)
{
    return strcmp(((const id_at_t *)a)->id, ((const id_at_t *)b)->id);
}

/* Writes into 'order' the n positions of 'of' sorted by id. */
static int sort_side(const tv_attendee_t **of, uint32_t *order, size_t n)
{
    id_at_t *keys = malloc((n + 1) * sizeof(*keys));

    if (keys == NULL)
        return TV_ENOMEM;
    for (size_t k = 0; k < n; k++)
        keys[k] = (id_at_t){of[k]->id, (uint32_t)k};
    qsort(keys, n, sizeof(*keys), by_id);
    for (size_t k = 0; k < n; k++)
        order[k] = keys[k].at;
    free(keys);
    return 0;
}

/* Splits the attendees by side and turns their availability into flags. */
static int build_parties(plan_t *p)
{
    size_t n = p->event.n_attendees, ns = p->slots.n;

    p->companies = calloc(n + 1, sizeof(tv_party_t));
    p->investors = calloc(n + 1, sizeof(tv_party_t));
    p->company_of = calloc(n + 1, sizeof(*p->company_of));
    p->investor_of = calloc(n + 1, sizeof(*p->investor_of));
    p->company_order = calloc(n + 1, sizeof(*p->company_order));
    p->investor_order = calloc(n + 1, sizeof(*p->investor_order));
    p->available = malloc((n + 1) * ns);
    p->tables = malloc((ns + 1) * sizeof(uint32_t));
    p->taken = calloc(ns * p->event.tables + 1, 1);
    if (!p->companies || !p->investors || !p->company_of || !p->investor_of || !p->available ||
        !p->tables || !p->taken || !p->company_order || !p->investor_order)
        return TV_ENOMEM;
    for (size_t s = 0; s < ns; s++)
        p->tables[s] = p->event.tables;
    for (size_t a = 0; a < n; a++) {
        const tv_attendee_t *at = &p->event.attendees[a];
        uint8_t *flags = p->available + a * ns;
        tv_party_t *party = at->kind == TV_KIND_COMPANY ? &p->companies[p->n_companies]
                                                        : &p->investors[p->n_investors];

        memset(flags, 1, ns);
        for (size_t u = 0; u < at->unavailable.n; u++) {
            int s = slot_index(p, at->unavailable.items[u]);

            if (s >= 0)
                flags[s] = 0;
        }
        *party = (tv_party_t){at->max_meetings, at->min_meetings, flags};
        if (at->kind == TV_KIND_COMPANY)
            p->company_of[p->n_companies++] = at;
        else
            p->investor_of[p->n_investors++] = at;
    }
    if (sort_side(p->company_of, p->company_order, p->n_companies) != 0 ||
        sort_side(p->investor_of, p->investor_order, p->n_investors) != 0)
        return TV_ENOMEM;
    return 0;
}

typedef struct {
    plan_t *p;
    int64_t *slot_utc; /* each slot's start, seconds since the epoch */
} busy_ctx_t;

/* A meeting a participant has at another event: every slot overlapping it is unavailable. */
static int on_busy(void *ctx, tv_profile_kind_t kind, const char *id, int64_t start_utc,
                   int64_t end_utc)
{
    busy_ctx_t *b = ctx;
    const plan_t *p = b->p;
    int64_t len = (int64_t)p->event.slot_minutes * 60;

    for (size_t a = 0; a < p->event.n_attendees; a++) {
        const tv_attendee_t *at = &p->event.attendees[a];

        if (at->kind != kind || strcmp(at->id, id) != 0)
            continue;
        for (size_t s = 0; s < p->slots.n; s++) {
            if (b->slot_utc[s] < end_utc && start_utc < b->slot_utc[s] + len)
                p->available[a * p->slots.n + s] = 0;
        }
    }
    return 0;
}

/* No person in two places: slots that overlap the participants' meetings at other events are
 * unavailable to them. */
static int mark_busy_elsewhere(plan_t *p, tv_store_t *st)
{
    busy_ctx_t b = {p, calloc(p->slots.n + 1, sizeof(int64_t))};
    int rc = b.slot_utc != NULL ? 0 : TV_ENOMEM;

    for (size_t s = 0; rc == 0 && s < p->slots.n; s++) {
        int y, mo, d, h, mi;

        if (sscanf(p->slots.items[s], "%d-%d-%dT%d:%d", &y, &mo, &d, &h, &mi) != 5)
            rc = TV_EINVAL;
        else
            rc = tv_calendar_local_to_utc(p->event.time_zone, y, mo, d, h, mi, &b.slot_utc[s]);
    }
    if (rc == 0)
        rc = tv_store_busy_elsewhere(st, p->event.id, on_busy, &b);
    free(b.slot_utc);
    return rc;
}

/* ---- candidates, found by pair through an open-addressing index (a linear search took 64%
 * of a run at 6,000 participants and 237,000 candidates, bench/organiser_pages.sh) ---- */

static size_t pair_hash(uint32_t c, uint32_t i, size_t cap)
{
    uint64_t h = ((uint64_t)c << 32 | i) * 0x9E3779B97F4A7C15ull;

    return (size_t)(h >> 20) & (cap - 1);
}

/* The slot of pair (c, i) in the index: its candidate's, or the empty one where it would go. */
static size_t pair_slot(const plan_t *p, uint32_t c, uint32_t i)
{
    size_t at = pair_hash(c, i, p->pair_cap);

    while (p->pair_index[at] != 0) {
        const tv_candidate_t *x = &p->candidates[p->pair_index[at] - 1];

        if (x->company == c && x->investor == i)
            break;
        at = (at + 1) & (p->pair_cap - 1);
    }
    return at;
}

static int find_candidate(const plan_t *p, uint32_t c, uint32_t i)
{
    size_t at;

    if (p->pair_cap == 0)
        return -1;
    at = pair_slot(p, c, i);
    return (int)p->pair_index[at] - 1;
}

/* Keeps the index at most half full. */
static int grow_pair_index(plan_t *p)
{
    size_t cap = p->pair_cap ? p->pair_cap * 2 : 1024;
    uint32_t *index = calloc(cap, sizeof(*index));

    if (index == NULL)
        return TV_ENOMEM;
    free(p->pair_index);
    p->pair_index = index;
    p->pair_cap = cap;
    for (size_t k = 0; k < p->n_candidates; k++) {
        size_t at = pair_slot(p, p->candidates[k].company, p->candidates[k].investor);

        if (p->pair_index[at] == 0)
            p->pair_index[at] = (uint32_t)k + 1;
    }
    return 0;
}

static int add_candidate(plan_t *p, tv_candidate_t cand, int kept_status)
{
    size_t at;

    if (2 * (p->n_candidates + 1) > p->pair_cap && grow_pair_index(p) != 0)
        return TV_ENOMEM;
    if (p->n_candidates == p->cap_candidates) {
        size_t cap = p->cap_candidates ? p->cap_candidates * 2 : 256;
        tv_candidate_t *x = realloc(p->candidates, cap * sizeof(*x));
        int8_t *k = x != NULL ? realloc(p->kept, cap) : NULL;

        if (x != NULL)
            p->candidates = x;
        if (k == NULL)
            return TV_ENOMEM;
        p->kept = k;
        p->cap_candidates = cap;
    }
    p->kept[p->n_candidates] = (int8_t)kept_status;
    p->candidates[p->n_candidates++] = cand;
    at = pair_slot(p, cand.company, cand.investor);
    if (p->pair_index[at] == 0) /* a pair added twice is found as its first */
        p->pair_index[at] = (uint32_t)p->n_candidates;
    return 0;
}

/* Tables in the scheduler count from 0 over the tables not taken by an orphaned kept meeting;
 * stored tables count from 1 over all. */
static uint32_t real_table(const plan_t *p, uint32_t slot, uint32_t t)
{
    const uint8_t *taken = p->taken + (size_t)slot * p->event.tables;
    uint32_t real = 0;

    for (;; real++) {
        if (!taken[real] && t-- == 0)
            return real + 1;
    }
}

static int32_t scheduler_table(const plan_t *p, uint32_t slot, uint32_t real)
{
    const uint8_t *taken = p->taken + (size_t)slot * p->event.tables;
    int32_t t = (int32_t)real - 1;

    for (uint32_t k = 0; k + 1 < real; k++)
        t -= taken[k];
    return t;
}

/* The matcher's score of a pair of participants (0 when a profile is unknown to it). */
static float pair_score(const plan_t *p, uint32_t c, uint32_t i)
{
    int mc = tv_matcher_find_company(p->m, p->company_of[c]->id);
    int mi = tv_matcher_find_investor(p->m, p->investor_of[i]->id);
    tv_explanation_t e;

    if (mc < 0 || mi < 0 || tv_matcher_explain(p->m, (size_t)mc, (size_t)mi, &e) != 0)
        return 0;
    return e.score > 0 ? e.score : 0;
}

static void hold_party(tv_party_t *party, uint32_t slot)
{
    ((uint8_t *)party->available)[slot] = 0; /* the flags are this plan's own */
    if (party->max_meetings > 0)
        party->max_meetings--;
    if (party->min_meetings > party->max_meetings)
        party->min_meetings = party->max_meetings;
}

/* What becomes of a kept (pinned, held or no-show) meeting in a run. */
enum { KEEP_NONE, KEEP_LOCK, KEEP_HELD_OUT };

/* A kept meeting that cannot be a lock of the run stays on record where it is: its table stays
 * taken and both sides are busy then, one meeting down. Pinned ones are reported as conflicts
 * for the organiser. */
static void hold_out(plan_t *p, const tv_meeting_t *m, int c, int i, int s)
{
    if (m->table_no >= 1 && m->table_no <= p->event.tables)
        p->taken[(size_t)s * p->event.tables + m->table_no - 1] = 1;
    if (c >= 0)
        hold_party(&p->companies[c], (uint32_t)s);
    if (i >= 0)
        hold_party(&p->investors[i], (uint32_t)s);
}

/* The kept meetings: KEEP_LOCK where the scheduler can keep them, KEEP_HELD_OUT where a side
 * left, the table is gone, a side is not available then (by the event file or a meeting at
 * another event), or a side is over its max_meetings with them; decided to a fixed point, as
 * each meeting held out lowers its sides' max_meetings. */
static int sort_kept(plan_t *p, uint8_t *state, const int *at)
{
    uint32_t *count = calloc(p->n_companies + p->n_investors + 1, sizeof(uint32_t));
    int changed = 1;

    if (count == NULL)
        return TV_ENOMEM;
    for (size_t k = 0; k < p->n_existing; k++) {
        const tv_meeting_t *m = &p->existing[k];
        int c = at[3 * k], i = at[3 * k + 1], s = at[3 * k + 2];

        state[k] = KEEP_NONE;
        if (m->status == TV_MEETING_CANCELLED || s < 0 ||
            (!m->pinned && m->status != TV_MEETING_HELD && m->status != TV_MEETING_NO_SHOW))
            continue; /* no meeting, or its slot is gone: nothing to hold */
        state[k] = c >= 0 && i >= 0 && m->table_no >= 1 && m->table_no <= p->event.tables &&
                           p->companies[c].available[s] && p->investors[i].available[s]
                       ? KEEP_LOCK
                       : KEEP_HELD_OUT;
        if (state[k] == KEEP_HELD_OUT)
            hold_out(p, m, c, i, s);
    }
    while (changed) {
        changed = 0;
        memset(count, 0, (p->n_companies + p->n_investors) * sizeof(uint32_t));
        for (size_t k = 0; k < p->n_existing; k++) {
            int c = at[3 * k], i = at[3 * k + 1];

            if (state[k] != KEEP_LOCK)
                continue;
            if (count[c] < p->companies[c].max_meetings &&
                count[p->n_companies + (size_t)i] < p->investors[i].max_meetings) {
                count[c]++, count[p->n_companies + (size_t)i]++;
                continue;
            }
            state[k] = KEEP_HELD_OUT, changed = 1;
            hold_out(p, &p->existing[k], c, i, at[3 * k + 2]);
        }
    }
    free(count);
    return 0;
}

/* Pinned, held and no-show meetings stay where they are: as locks of the run, or held out of
 * it (see sort_kept). A pinned cancellation is no meeting: exclude_cancelled keeps its pair
 * out. */
static int add_locks(plan_t *p)
{
    int *at = malloc((3 * p->n_existing + 1) * sizeof(int));
    int rc = at != NULL && (p->keep = calloc(p->n_existing + 1, 1)) != NULL ? 0 : TV_ENOMEM;

    for (size_t k = 0; rc == 0 && k < p->n_existing; k++) {
        at[3 * k] = side_index(p, TV_KIND_COMPANY, p->existing[k].company_id);
        at[3 * k + 1] = side_index(p, TV_KIND_INVESTOR, p->existing[k].investor_id);
        at[3 * k + 2] = slot_index(p, p->existing[k].slot_start);
    }
    if (rc == 0)
        rc = sort_kept(p, p->keep, at);
    for (size_t k = 0; rc == 0 && k < p->n_existing; k++) {
        const tv_meeting_t *m = &p->existing[k];
        uint32_t s = (uint32_t)at[3 * k + 2];

        if (p->keep[k] == KEEP_LOCK)
            rc = add_candidate(p,
                               (tv_candidate_t){(uint32_t)at[3 * k], (uint32_t)at[3 * k + 1],
                                                m->score, (tv_origin_t)m->origin, (int32_t)s,
                                                scheduler_table(p, s, m->table_no), -1, -1},
                               (int)m->status);
    }
    free(at);
    return rc;
}

typedef struct {
    plan_t *p;
    uint8_t *declined; /* n_companies x n_investors */
} requests_ctx_t;

static int on_request(void *ctx, const char *company_id, const char *investor_id, int must,
                      const char *status)
{
    requests_ctx_t *r = ctx;
    int c = side_index(r->p, TV_KIND_COMPANY, company_id);
    int i = side_index(r->p, TV_KIND_INVESTOR, investor_id);

    if (c < 0 || i < 0)
        return 0;
    if (strcmp(status, "declined") == 0)
        r->declined[(size_t)c * r->p->n_investors + (size_t)i] = 1;
    if (strcmp(status, "accepted") != 0 || find_candidate(r->p, (uint32_t)c, (uint32_t)i) >= 0 ||
        r->declined[(size_t)c * r->p->n_investors + (size_t)i])
        return 0;
    return add_candidate(r->p,
                         (tv_candidate_t){(uint32_t)c, (uint32_t)i,
                                          pair_score(r->p, (uint32_t)c, (uint32_t)i),
                                          must ? TV_ORIGIN_MUST : TV_ORIGIN_WANT, -1, -1, -1, -1},
                         -1);
}

/* The best investors among the participants for each participating company. */
static int add_recommendations(plan_t *p, const uint8_t *declined)
{
    size_t nm = tv_matcher_investors(p->m);
    uint8_t *flags = calloc(nm + 1, 1);
    tv_hit_t *hits = NULL;
    int rc = flags != NULL ? 0 : TV_ENOMEM;

    for (size_t i = 0; rc == 0 && i < p->n_investors; i++) {
        int mi = tv_matcher_find_investor(p->m, p->investor_of[i]->id);

        if (mi >= 0)
            flags[mi] = 1;
    }
    for (size_t c = 0; rc == 0 && c < p->n_companies; c++) {
        size_t k = API_RECOMMEND_FACTOR * p->companies[c].max_meetings + 1;
        int mc = tv_matcher_find_company(p->m, p->company_of[c]->id);
        tv_filter_t only = {NULL, flags};
        tv_hit_t *more = realloc(hits, k * sizeof(tv_hit_t));
        int n;

        if (more == NULL) {
            rc = TV_ENOMEM;
            break;
        }
        hits = more;
        n = mc >= 0 ? tv_matcher_for_company(p->m, (size_t)mc, k, &only, hits) : 0;
        for (int h = 0; h < n && rc == 0; h++) {
            int i = side_index(p, TV_KIND_INVESTOR, tv_matcher_investor(p->m, hits[h].index)->id);

            if (i < 0 || declined[c * p->n_investors + (size_t)i] ||
                find_candidate(p, (uint32_t)c, (uint32_t)i) >= 0)
                continue;
            rc = add_candidate(p,
                               (tv_candidate_t){(uint32_t)c, (uint32_t)i, hits[h].score,
                                                TV_ORIGIN_RECOMMENDED, -1, -1, -1, -1},
                               -1);
        }
        if (n < 0)
            rc = n;
    }
    free(flags);
    free(hits);
    return rc;
}

/* A pair closed for either side in any event (a declined request, a "no" after a meeting) is
 * not proposed again (decision 0069); an accepted request of this event still stands. */
static int on_closed_pair(void *ctx, const char *company_id, const char *investor_id)
{
    requests_ctx_t *r = ctx;
    int c = side_index(r->p, TV_KIND_COMPANY, company_id);
    int i = side_index(r->p, TV_KIND_INVESTOR, investor_id);

    if (c >= 0 && i >= 0 && find_candidate(r->p, (uint32_t)c, (uint32_t)i) < 0)
        r->declined[(size_t)c * r->p->n_investors + (size_t)i] = 1;
    return 0;
}

/* A pair whose meeting an organiser cancelled is not proposed again, as if declined. */
static void exclude_cancelled(const plan_t *p, uint8_t *declined)
{
    for (size_t k = 0; k < p->n_existing; k++) {
        const tv_meeting_t *m = &p->existing[k];
        int c = side_index(p, TV_KIND_COMPANY, m->company_id);
        int i = side_index(p, TV_KIND_INVESTOR, m->investor_id);

        if (m->status == TV_MEETING_CANCELLED && m->pinned && c >= 0 && i >= 0)
            declined[(size_t)c * p->n_investors + (size_t)i] = 1;
    }
}

/* Stable re-runs: each meeting the scheduler placed before (scheduled, not pinned) gives its
 * pair's candidate its slot and table as previous ones, a soft preference of the engine; a
 * pair no longer among the requests and recommendations (not declined) stays a candidate,
 * as a recommendation, so that a change elsewhere in the lists does not drop it. */
static int add_previous(plan_t *p, const uint8_t *declined)
{
    int rc = 0;

    for (size_t k = 0; rc == 0 && k < p->n_existing; k++) {
        const tv_meeting_t *m = &p->existing[k];
        int c = side_index(p, TV_KIND_COMPANY, m->company_id);
        int i = side_index(p, TV_KIND_INVESTOR, m->investor_id);
        int s = slot_index(p, m->slot_start), at;
        tv_candidate_t *cand;

        if (m->status != TV_MEETING_SCHEDULED || m->pinned || c < 0 || i < 0 || s < 0 ||
            declined[(size_t)c * p->n_investors + (size_t)i])
            continue;
        at = find_candidate(p, (uint32_t)c, (uint32_t)i);
        if (at < 0) {
            at = (int)p->n_candidates;
            rc = add_candidate(p,
                               (tv_candidate_t){(uint32_t)c, (uint32_t)i,
                                                pair_score(p, (uint32_t)c, (uint32_t)i),
                                                TV_ORIGIN_RECOMMENDED, -1, -1, -1, -1},
                               -1);
        }
        if (rc != 0 || p->candidates[at].locked_slot >= 0)
            continue;
        cand = &p->candidates[at];
        cand->previous_slot = s;
        cand->previous_table = m->table_no >= 1 && m->table_no <= p->event.tables &&
                                       !p->taken[(size_t)s * p->event.tables + m->table_no - 1]
                                   ? scheduler_table(p, (uint32_t)s, m->table_no)
                                   : -1;
    }
    return rc;
}

static int build_candidates(plan_t *p, tv_store_t *st)
{
    requests_ctx_t r = {p, calloc(p->n_companies * p->n_investors + 1, 1)};
    int rc = r.declined != NULL ? 0 : TV_ENOMEM;

    if (rc == 0)
        rc = tv_store_meetings(st, p->event.id, &p->existing, &p->n_existing);
    if (rc == 0)
        exclude_cancelled(p, r.declined);
    if (rc == 0)
        rc = add_locks(p);
    if (rc == 0)
        rc = tv_store_event_requests(st, p->event.id, on_request, &r);
    if (rc == 0)
        rc = tv_store_closed_pairs(st, p->event.id, on_closed_pair, &r);
    if (rc == 0)
        rc = add_recommendations(p, r.declined);
    if (rc == 0)
        rc = add_previous(p, r.declined);
    for (size_t s = 0; rc == 0 && s < p->slots.n; s++) {
        for (uint32_t t = 0; t < p->event.tables; t++)
            p->tables[s] -= p->taken[s * p->event.tables + t];
    }
    p->declined = r.declined; /* for the report's reasons */
    return rc;
}

static const char *const origin_names[] = {"must", "want", "recommended"};

/* A slot's local start as ISO 8601 with the zone's offset: "2027-01-11T09:00:00-08:00". */
static void slot_iso(const plan_t *p, const char *slot, char *buf, size_t size)
{
    int y, mo, d, h, mi;
    int64_t utc;

    if (sscanf(slot, "%d-%d-%dT%d:%d", &y, &mo, &d, &h, &mi) != 5 ||
        tv_calendar_local_to_utc(p->event.time_zone, y, mo, d, h, mi, &utc) != 0 ||
        tv_calendar_format_local(p->event.time_zone, utc, buf, size) != 0)
        snprintf(buf, size, "%s", slot);
}

/* The placed meetings as rows to store (tables numbered from 1). */
static int to_meetings(const plan_t *p, const tv_schedule_t *s, tv_meeting_t **out)
{
    tv_meeting_t *m = calloc(s->n_placed + 1, sizeof(tv_meeting_t));

    if (m == NULL)
        return TV_ENOMEM;
    for (size_t k = 0; k < s->n_placed; k++) {
        const tv_candidate_t *c = &p->candidates[s->placed[k].candidate];

        snprintf(m[k].company_id, sizeof(m[k].company_id), "%s", p->company_of[c->company]->id);
        snprintf(m[k].investor_id, sizeof(m[k].investor_id), "%s", p->investor_of[c->investor]->id);
        m[k].slot_index = s->placed[k].slot;
        snprintf(m[k].slot_start, sizeof(m[k].slot_start), "%s", p->slots.items[s->placed[k].slot]);
        m[k].table_no = real_table(p, s->placed[k].slot, s->placed[k].table);
        m[k].score = c->score;
        m[k].origin = (int)c->origin;
        m[k].status = p->kept[s->placed[k].candidate] >= 0
                          ? (tv_meeting_status_t)p->kept[s->placed[k].candidate]
                          : TV_MEETING_SCHEDULED;
    }
    *out = m;
    return 0;
}

static json_t *meetings_json(const plan_t *p, const tv_meeting_t *m, size_t n)
{
    json_t *list = json_array();
    char iso[40];

    for (size_t k = 0; k < n; k++) {
        slot_iso(p, m[k].slot_start, iso, sizeof(iso));
        json_array_append_new(
            list, json_pack("{s:s, s:i, s:i, s:s, s:s, s:f, s:s, s:s}", "slot", iso, "slot_index",
                            (int)m[k].slot_index, "table", (int)m[k].table_no, "company_id",
                            m[k].company_id, "investor_id", m[k].investor_id, "score",
                            (double)m[k].score, "origin", origin_names[m[k].origin], "status",
                            tv_meeting_status_name(m[k].status)));
    }
    return list;
}

/* The reason given for a pinned meeting held out of a run. */
#define PINNED_CONFLICT                                                                            \
    "lock conflict: a pinned meeting stays where it is, but a participant left, is not "           \
    "available then or is over max_meetings, or the table is gone; for the organiser to resolve"

static json_t *unplaced_json(const plan_t *p, const tv_schedule_t *s)
{
    json_t *list = json_array();

    for (size_t k = 0; k < s->n_unplaced; k++) {
        const tv_candidate_t *c = &p->candidates[s->unplaced[k].candidate];

        json_array_append_new(list,
                              json_pack("{s:s, s:s, s:s, s:f, s:s}", "company_id",
                                        p->company_of[c->company]->id, "investor_id",
                                        p->investor_of[c->investor]->id, "origin",
                                        origin_names[c->origin], "score", (double)c->score,
                                        "reason", tv_unplaced_reason_name(s->unplaced[k].reason)));
    }
    for (size_t k = 0; k < p->n_existing; k++) {
        const tv_meeting_t *m = &p->existing[k];

        if (p->keep[k] == KEEP_HELD_OUT && m->pinned && m->status == TV_MEETING_SCHEDULED)
            json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:f, s:s}", "company_id",
                                                  m->company_id, "investor_id", m->investor_id,
                                                  "origin", origin_names[m->origin], "score",
                                                  (double)m->score, "reason", PINNED_CONFLICT));
    }
    return list;
}

/* ---- participants short of meetings ---- */

typedef struct {
    const plan_t *p;
    uint32_t *count; /* per participant (companies, then investors): meetings it has */
} short_t;

static const tv_party_t *party_of(const plan_t *p, size_t x)
{
    return x < p->n_companies ? &p->companies[x] : &p->investors[x - p->n_companies];
}

/* Whether participant 'x' is available in some slot: in 'flags' of its own ('file' for the
 * event file's, else with other events' meetings taken out). */
static int any_slot(const plan_t *p, size_t x, int file)
{
    const uint8_t *row = party_of(p, x)->available;

    if (file)
        row = p->file_available + (row - p->available);
    for (size_t k = 0; k < p->slots.n; k++) {
        if (row[k])
            return 1;
    }
    return 0;
}

/* Whether participant 'x' has any candidate, one whose two sides share an available slot
 * ('common'), and one of those whose other side has room left ('open'). */
static void scan_candidates(const short_t *q, size_t x, int *any, int *common, int *open)
{
    const plan_t *p = q->p;

    *any = *common = *open = 0;
    for (size_t k = 0; k < p->n_candidates; k++) {
        const tv_candidate_t *c = &p->candidates[k];
        size_t other = x < p->n_companies ? p->n_companies + c->investor : c->company;
        const uint8_t *a = p->companies[c->company].available;
        const uint8_t *b = p->investors[c->investor].available;
        int shared = 0;

        if ((x < p->n_companies ? c->company : p->n_companies + c->investor) != x)
            continue;
        *any = 1;
        for (size_t t = 0; t < p->slots.n && !shared; t++)
            shared = a[t] && b[t];
        *common |= shared;
        *open |= shared && q->count[other] < party_of(p, other)->max_meetings;
    }
}

/* Whether every pair of participant 'x' with the other side was declined or cancelled by the
 * organiser (pinned). */
static int all_declined(const plan_t *p, size_t x)
{
    size_t n = x < p->n_companies ? p->n_investors : p->n_companies, seen = 0;

    for (size_t y = 0; y < n; y++) {
        seen += x < p->n_companies ? p->declined[x * p->n_investors + y]
                                   : p->declined[y * p->n_investors + (x - p->n_companies)];
    }
    return n > 0 && seen == n;
}

/* Why participant 'x' has fewer meetings than it should, from the input and the run. */
/* Why a participant is short of meetings: a code the pages translate, and the words. */
typedef struct {
    const char *code, *text;
} short_reason_t;

static const short_reason_t SHORT_UNAVAILABLE = {"unavailable", "not available in any slot"};
static const short_reason_t SHORT_BUSY = {"busy_elsewhere",
                                          "busy at another event in every slot it is available"};
static const short_reason_t SHORT_NO_ROOM = {
    "max_meetings", "max_meetings is 0 (or taken by meetings kept where they are)"};
static const short_reason_t SHORT_DECLINED = {"declined",
                                              "every pair declined or cancelled by the organiser"};
static const short_reason_t SHORT_NO_PAIR = {
    "no_pair", "no accepted request and no recommended pair among the participants"};
static const short_reason_t SHORT_NO_SLOT = {
    "no_common_slot", "no slot where it and any of its candidates are both available"};
static const short_reason_t SHORT_OTHERS_FULL = {
    "others_full", "capacity: every candidate's other side is full with meetings of higher "
                   "precedence or better score"};
static const short_reason_t SHORT_EVENT_FULL = {
    "event_full", "capacity: the event's tables or slots went to meetings of higher precedence "
                  "or better score"};

static const short_reason_t *short_reason(const short_t *q, size_t x)
{
    int any, common, open;

    if (!any_slot(q->p, x, 1))
        return &SHORT_UNAVAILABLE;
    if (!any_slot(q->p, x, 0))
        return &SHORT_BUSY;
    if (party_of(q->p, x)->max_meetings == 0)
        return &SHORT_NO_ROOM;
    scan_candidates(q, x, &any, &common, &open);
    if (!any && all_declined(q->p, x))
        return &SHORT_DECLINED;
    if (!any)
        return &SHORT_NO_PAIR;
    if (!common)
        return &SHORT_NO_SLOT;
    return open ? &SHORT_EVENT_FULL : &SHORT_OTHERS_FULL;
}

static json_t *short_entry(const short_t *q, size_t x)
{
    const plan_t *p = q->p;
    const tv_attendee_t *a =
        x < p->n_companies ? p->company_of[x] : p->investor_of[x - p->n_companies];

    const short_reason_t *why = short_reason(q, x);

    return json_pack("{s:s, s:s, s:i, s:i, s:s, s:s}", "kind",
                     x < p->n_companies ? "company" : "investor", "id", a->id, "min_meetings",
                     (int)a->min_meetings, "meetings", (int)q->count[x], "reason", why->text,
                     "code", why->code);
}

/* Every participant with no meeting, or fewer than its min_meetings, and why. Meetings held
 * out of the run (kept where they are) count. */
static json_t *short_json(const plan_t *p, const tv_schedule_t *s)
{
    size_t n = p->n_companies + p->n_investors;
    short_t q = {p, calloc(n + 1, sizeof(uint32_t))};
    json_t *list = json_array();

    for (size_t k = 0; q.count != NULL && k < s->n_placed; k++) {
        const tv_candidate_t *c = &p->candidates[s->placed[k].candidate];

        q.count[c->company]++, q.count[p->n_companies + c->investor]++;
    }
    for (size_t k = 0; q.count != NULL && k < p->n_existing; k++) {
        int c = side_index(p, TV_KIND_COMPANY, p->existing[k].company_id);
        int i = side_index(p, TV_KIND_INVESTOR, p->existing[k].investor_id);

        if (p->keep[k] != KEEP_HELD_OUT)
            continue;
        if (c >= 0)
            q.count[c]++;
        if (i >= 0)
            q.count[p->n_companies + (size_t)i]++;
    }
    for (size_t x = 0; q.count != NULL && list != NULL && x < n; x++) {
        const tv_attendee_t *a =
            x < p->n_companies ? p->company_of[x] : p->investor_of[x - p->n_companies];

        if (q.count[x] == 0 || q.count[x] < a->min_meetings)
            json_array_append_new(list, short_entry(&q, x));
    }
    if (q.count == NULL) {
        json_decref(list);
        list = NULL;
    }
    free(q.count);
    return list;
}

static json_t *report_of(const plan_t *p, const tv_schedule_t *s, const tv_meeting_t *m)
{
    return json_pack("{s:s, s:f, s:f, s:f, s:i, s:o, s:o, s:{s:i, s:f, s:i}, s:i, s:o}", "event",
                     p->event.id, "total_score", s->total_score, "upper_bound", s->upper_bound,
                     "ratio", s->upper_bound > 0 ? s->total_score / s->upper_bound : 1.0,
                     "candidates", (int)p->n_candidates, "meetings",
                     meetings_json(p, m, s->n_placed), "unplaced", unplaced_json(p, s),
                     "meetings_per_participant", "min", (int)s->min_per_party, "mean",
                     s->mean_per_party, "max", (int)s->max_per_party, "participants_without",
                     (int)s->parties_without, "short_of_meetings", short_json(p, s));
}

/* The report's text, and the text of its "short_of_meetings" (kept with the saved schedule:
 * tv_store_meetings_save) into '*short_text' (free()). TV_ENOMEM or 0. */
static int report_texts(json_t *r, char **report, char **short_text)
{
    *report = r != NULL ? json_dumps(r, JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
    *short_text =
        r != NULL ? json_dumps(json_object_get(r, "short_of_meetings"), JSON_COMPACT) : NULL;
    if (*report != NULL && *short_text != NULL)
        return 0;
    free(*report), free(*short_text);
    *report = *short_text = NULL;
    return TV_ENOMEM;
}

static void plan_dispose(plan_t *p)
{
    tv_event_dispose(&p->event);
    tv_strings_free(&p->slots);
    free(p->companies), free(p->investors), free(p->company_of), free(p->investor_of);
    free(p->available), free(p->tables), free(p->candidates), free(p->existing);
    free(p->kept), free(p->taken), free(p->keep), free(p->file_available), free(p->declined);
    free(p->company_order), free(p->investor_order), free(p->pair_index);
}

/* One run: reads the event and its meetings, selects, places and saves, unless the meetings
 * changed meanwhile (TV_ESTALE). */
static int schedule_once(tv_store_t *st, const tv_matcher_t *m, const char *event_id, int draft,
                         char **report)
{
    char *kept = NULL, *short_text = NULL;
    plan_t p;
    tv_schedule_t s = {0};
    tv_meeting_t *rows = NULL;
    int64_t version = 0;
    int rc;

    memset(&p, 0, sizeof(p));
    p.m = m;
    rc = tv_store_meetings_version(st, event_id, &version);
    if (rc == 0)
        rc = api_load_event(st, event_id, &p.event);
    if (rc == 0)
        rc = tv_event_slots(&p.event, &p.slots);
    if (rc == 0)
        rc = build_parties(&p);
    if (rc == 0 && (p.file_available = malloc(p.event.n_attendees * p.slots.n + 1)) == NULL)
        rc = TV_ENOMEM;
    if (rc == 0) {
        memcpy(p.file_available, p.available, p.event.n_attendees * p.slots.n);
        rc = mark_busy_elsewhere(&p, st);
    }
    if (rc == 0)
        rc = build_candidates(&p, st);
    if (rc == 0) {
        tv_schedule_input_t in = {p.companies,  p.n_companies,  p.investors,         p.n_investors,
                                  p.candidates, p.n_candidates, (uint32_t)p.slots.n, p.tables};

        rc = tv_schedule_run(&in, &s);
    }
    if (rc == 0)
        rc = to_meetings(&p, &s, &rows);
    if (rc == 0) {
        json_t *r = report_of(&p, &s, rows);

        rc = report_texts(r, report, &short_text);
        json_decref(r);
    }
    if (rc == 0 && !draft)
        rc = tv_store_meetings_save(st, event_id, rows, s.n_placed, version, short_text);
    if (rc == 0 && draft) /* a draft: the meetings and the report, nothing else */
        rc = tv_codec_meetings_encode(rows, s.n_placed, &kept);
    if (rc == 0 && draft)
        rc = tv_store_draft_put(st, event_id, version, kept, *report);
    if (rc != 0 && *report != NULL) {
        free(*report);
        *report = NULL;
    }
    free(kept);
    free(short_text);
    free(rows);
    tv_schedule_dispose(&s);
    plan_dispose(&p);
    return rc;
}

#define SCHEDULE_TRIES 3

int api_schedule_event(tv_store_t *st, const tv_taxonomy_t *tax, const tv_matcher_t *m,
                       const char *event_id, int draft, char **report)
{
    int rc = TV_ESTALE;

    (void)tax;
    /* A lock or a move made while the schedule was computed wins: the run starts again from
     * the meetings as they are now. */
    for (int t = 0; t < SCHEDULE_TRIES && rc == TV_ESTALE; t++)
        rc = schedule_once(st, m, event_id, draft, report);
    /* tv_store_error() still says what changed; the caller may run it again. */
    return rc == TV_ESTALE ? TV_ECONFLICT : rc;
}

int api_schedule_publish(tv_store_t *st, const char *event_id, size_t *published, char *err,
                         size_t err_size)
{
    tv_draft_t d;
    tv_meeting_t *m = NULL;
    json_t *report = NULL;
    char *text = NULL, *short_text = NULL;
    size_t n = 0;
    int rc = tv_store_draft_get(st, event_id, &d);

    if (rc != 0) {
        snprintf(err, err_size, "%s", tv_store_error(st));
        return rc;
    }
    rc = tv_codec_meetings_decode(d.meetings, &m, &n);
    if (rc == 0 && (report = json_loads(d.report, 0, NULL)) == NULL)
        rc = TV_EINVAL;
    if (rc == 0)
        rc = report_texts(report, &text, &short_text);
    if (rc != 0)
        snprintf(err, err_size, "event \"%s\": its draft cannot be read", event_id);
    if (rc == 0 &&
        (rc = tv_store_meetings_save(st, event_id, m, n, d.base_version, short_text)) != 0)
        snprintf(err, err_size, "%s",
                 rc == TV_ESTALE ? "the meetings changed since the draft was made: make the "
                                   "draft again"
                                 : tv_store_error(st));
    if (rc == 0 && (rc = tv_store_draft_delete(st, event_id)) != 0)
        snprintf(err, err_size, "%s", tv_store_error(st));
    if (rc == 0)
        *published = n;
    json_decref(report);
    free(text);
    free(short_text);
    free(m);
    tv_draft_dispose(&d);
    return rc == TV_ESTALE ? TV_ECONFLICT : rc;
}
