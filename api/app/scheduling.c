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
    size_t n_companies, n_investors;
    uint8_t *available; /* (n_companies + n_investors) x n_slots */
    uint32_t *tables;
    tv_candidate_t *candidates;
    int8_t *kept; /* per candidate: the status of a kept meeting, or -1 */
    size_t n_candidates, cap_candidates;
    uint8_t *taken; /* n_slots x tables: held by kept meetings whose participant left */
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

static int slot_index(const plan_t *p, const char *start)
{
    for (size_t s = 0; s < p->slots.n; s++) {
        if (strcmp(p->slots.items[s], start) == 0)
            return (int)s;
    }
    return -1;
}

static int side_index(const plan_t *p, tv_profile_kind_t kind, const char *id)
{
    size_t n = kind == TV_KIND_COMPANY ? p->n_companies : p->n_investors;
    const tv_attendee_t **of = kind == TV_KIND_COMPANY ? p->company_of : p->investor_of;

    for (size_t i = 0; i < n; i++) {
        if (strcmp(of[i]->id, id) == 0)
            return (int)i;
    }
    return -1;
}

/* Splits the attendees by side and turns their availability into flags. */
static int build_parties(plan_t *p)
{
    size_t n = p->event.n_attendees, ns = p->slots.n;

    p->companies = calloc(n + 1, sizeof(tv_party_t));
    p->investors = calloc(n + 1, sizeof(tv_party_t));
    p->company_of = calloc(n + 1, sizeof(*p->company_of));
    p->investor_of = calloc(n + 1, sizeof(*p->investor_of));
    p->available = malloc((n + 1) * ns);
    p->tables = malloc((ns + 1) * sizeof(uint32_t));
    p->taken = calloc(ns * p->event.tables + 1, 1);
    if (!p->companies || !p->investors || !p->company_of || !p->investor_of || !p->available ||
        !p->tables || !p->taken)
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

static int find_candidate(const plan_t *p, uint32_t c, uint32_t i)
{
    for (size_t k = 0; k < p->n_candidates; k++) {
        if (p->candidates[k].company == c && p->candidates[k].investor == i)
            return (int)k;
    }
    return -1;
}

static int add_candidate(plan_t *p, tv_candidate_t cand, int kept_status)
{
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

/* A kept meeting in slot 's' that cannot stay as it is (a side left or can no longer be there
 * then, or its table is gone: a re-imported file) stays on record until the organiser resolves
 * it: its table, if the event still has it, stays taken, and each side still attending is busy
 * then, one meeting down. Returns 1 when it is to be offered as a lock: its table exists and
 * both sides attend (a side unavailable then makes the run report it as a lock conflict). */
static int hold_kept(plan_t *p, const tv_meeting_t *m, int c, int i, int s)
{
    int table = m->table_no >= 1 && m->table_no <= p->event.tables;

    if (table && c >= 0 && i >= 0 && p->companies[c].available[s] && p->investors[i].available[s])
        return 1;
    if (table)
        p->taken[(size_t)s * p->event.tables + m->table_no - 1] = 1;
    if (c >= 0)
        hold_party(&p->companies[c], (uint32_t)s);
    if (i >= 0)
        hold_party(&p->investors[i], (uint32_t)s);
    return table && c >= 0 && i >= 0;
}

/* Locked, held and no-show meetings stay where they are. */
static int add_locks(plan_t *p)
{
    for (size_t k = 0; k < p->n_existing; k++) {
        const tv_meeting_t *m = &p->existing[k];
        int c = side_index(p, TV_KIND_COMPANY, m->company_id);
        int i = side_index(p, TV_KIND_INVESTOR, m->investor_id);
        int s = slot_index(p, m->slot_start);
        int rc;

        if (m->status != TV_MEETING_LOCKED && m->status != TV_MEETING_HELD &&
            m->status != TV_MEETING_NO_SHOW)
            continue;
        if (s < 0 || !hold_kept(p, m, c, i, s))
            continue; /* the slot is gone, or there is nothing to offer */
        rc = add_candidate(p,
                           (tv_candidate_t){(uint32_t)c, (uint32_t)i, m->score,
                                            (tv_origin_t)m->origin, s,
                                            scheduler_table(p, (uint32_t)s, m->table_no)},
                           (int)m->status);
        if (rc != 0)
            return rc;
    }
    return 0;
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
                                          must ? TV_ORIGIN_MUST : TV_ORIGIN_WANT, -1, -1},
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
                                                TV_ORIGIN_RECOMMENDED, -1, -1},
                               -1);
        }
        if (n < 0)
            rc = n;
    }
    free(flags);
    free(hits);
    return rc;
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
        rc = add_recommendations(p, r.declined);
    for (size_t s = 0; rc == 0 && s < p->slots.n; s++) {
        for (uint32_t t = 0; t < p->event.tables; t++)
            p->tables[s] -= p->taken[s * p->event.tables + t];
    }
    free(r.declined);
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
    return list;
}

static char *report_json(const plan_t *p, const tv_schedule_t *s, const tv_meeting_t *m)
{
    json_t *r =
        json_pack("{s:s, s:f, s:f, s:f, s:i, s:o, s:o, s:{s:i, s:f, s:i}, s:i}", "event",
                  p->event.id, "total_score", s->total_score, "upper_bound", s->upper_bound,
                  "ratio", s->upper_bound > 0 ? s->total_score / s->upper_bound : 1.0, "candidates",
                  (int)p->n_candidates, "meetings", meetings_json(p, m, s->n_placed), "unplaced",
                  unplaced_json(p, s), "meetings_per_participant", "min", (int)s->min_per_party,
                  "mean", s->mean_per_party, "max", (int)s->max_per_party, "participants_without",
                  (int)s->parties_without);
    char *text = r != NULL ? json_dumps(r, JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;

    json_decref(r);
    return text;
}

static void plan_dispose(plan_t *p)
{
    tv_event_dispose(&p->event);
    tv_strings_free(&p->slots);
    free(p->companies), free(p->investors), free(p->company_of), free(p->investor_of);
    free(p->available), free(p->tables), free(p->candidates), free(p->existing);
    free(p->kept), free(p->taken);
}

/* One run: reads the event and its meetings, selects, places and saves, unless the meetings
 * changed meanwhile (TV_ESTALE). */
static int schedule_once(tv_store_t *st, const tv_matcher_t *m, const char *event_id, char **report)
{
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
    if (rc == 0)
        rc = mark_busy_elsewhere(&p, st);
    if (rc == 0)
        rc = build_candidates(&p, st);
    if (rc == 0) {
        tv_schedule_input_t in = {p.companies,  p.n_companies,  p.investors,         p.n_investors,
                                  p.candidates, p.n_candidates, (uint32_t)p.slots.n, p.tables};

        rc = tv_schedule_run(&in, &s);
    }
    if (rc == 0)
        rc = to_meetings(&p, &s, &rows);
    if (rc == 0)
        rc = tv_store_meetings_save(st, event_id, rows, s.n_placed, version);
    if (rc == 0 && (*report = report_json(&p, &s, rows)) == NULL)
        rc = TV_ENOMEM;
    free(rows);
    tv_schedule_dispose(&s);
    plan_dispose(&p);
    return rc;
}

#define SCHEDULE_TRIES 3

int api_schedule_event(tv_store_t *st, const tv_taxonomy_t *tax, const tv_matcher_t *m,
                       const char *event_id, char **report)
{
    int rc = TV_ESTALE;

    (void)tax;
    /* A lock or a move made while the schedule was computed wins: the run starts again from
     * the meetings as they are now. */
    for (int t = 0; t < SCHEDULE_TRIES && rc == TV_ESTALE; t++)
        rc = schedule_once(st, m, event_id, report);
    /* tv_store_error() still says what changed; the caller may run it again. */
    return rc == TV_ESTALE ? TV_ECONFLICT : rc;
}
