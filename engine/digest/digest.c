/* Daily digests: what is new or risen in one recipient's matches since its previous digest, its
 * coming meetings, the newly eligible companies in an investor's areas, and when the next daily
 * run is due. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "tavolo/calendar.h"
#include "tavolo/digest.h"
#include "tavolo/error.h"

/* Italian names of the forward blocks, in tv_block_t order. */
static const char *const block_it[] = {"tassonomia", "testo",     "stadio",
                                       "round",      "ticket",    "geografia",
                                       "località",   "sindacato", "portafoglio"};
_Static_assert(sizeof(block_it) / sizeof(block_it[0]) == TV_FORWARD_BLOCKS,
               "one Italian name per forward block");

const char *tv_digest_block_name_it(tv_block_t b)
{
    return (int)b >= 0 && b < TV_FORWARD_BLOCKS ? block_it[b] : NULL;
}

typedef struct {
    const char *id;
    size_t id_len;
    float score;
} seen_t;

void tv_digest_config_init(tv_digest_config_t *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->max_matches = 10;
    cfg->rise_step = 0.05f;
    cfg->days_ahead = 3;
    cfg->hour = 7;
    cfg->minute = 0;
    cfg->list_k = 50;
    snprintf(cfg->time_zone, sizeof(cfg->time_zone), "Europe/Rome");
}

const char *tv_digest_language(const tv_contact_t *c, const char *profile_language)
{
    if (c != NULL && c->language[0] != '\0')
        return strcmp(c->language, "it") == 0 ? "it" : "en";
    if (profile_language != NULL && strcmp(profile_language, "it") == 0)
        return "it";
    return "en";
}

static int compare_seen(const void *a, const void *b)
{
    const seen_t *x = a, *y = b;
    size_t n = x->id_len < y->id_len ? x->id_len : y->id_len;
    int c = memcmp(x->id, y->id, n);

    return c != 0 ? c : (x->id_len > y->id_len) - (x->id_len < y->id_len);
}

/* Splits "id\tscore\n" lines into a sorted array pointing into 'state'. */
static int parse_state(const char *state, seen_t **out, size_t *n_out)
{
    size_t n = 0, cap = 0;
    seen_t *items = NULL;

    for (const char *p = state; p != NULL && *p != '\0';) {
        const char *tab = strchr(p, '\t'), *end = strchr(p, '\n');

        if (end == NULL)
            end = p + strlen(p);
        if (tab != NULL && tab < end) {
            if (tv__grow((void **)&items, &cap, n + 1, sizeof(*items)) != 0) {
                tv__free(items);
                return TV_ENOMEM;
            }
            items[n].id = p;
            items[n].id_len = (size_t)(tab - p);
            items[n++].score = strtof(tab + 1, NULL);
        }
        p = *end == '\n' ? end + 1 : end;
    }
    if (n > 1)
        qsort(items, n, sizeof(*items), compare_seen);
    *out = items;
    *n_out = n;
    return 0;
}

static const seen_t *find_seen(const seen_t *items, size_t n, const char *id)
{
    seen_t key = {id, strlen(id), 0};

    return n == 0 ? NULL : bsearch(&key, items, n, sizeof(*items), compare_seen);
}

static const char *counterpart_id(const tv_matcher_t *m, tv_profile_kind_t kind, size_t index)
{
    return kind == TV_KIND_COMPANY ? tv_matcher_investor(m, index)->id
                                   : tv_matcher_company(m, index)->id;
}

static void append(char *buf, size_t size, const char *sep, const char *item)
{
    size_t n = strlen(buf);

    if (n < size)
        snprintf(buf + n, size - n, "%s%s", n > 0 ? sep : "", item);
}

/* "Shared focus: lung cancer, mRNA; strongest fit: taxonomy, text" in English and Italian. */
static void explain_line(const tv_taxonomy_t *t, const tv_explanation_t *e, tv_digest_item_t *it)
{
    char terms_en[200] = "", terms_it[200] = "", blocks_en[120] = "", blocks_it[120] = "";
    int used[TV_FORWARD_BLOCKS] = {0};

    for (size_t k = 0; k < e->n_terms && k < 4; k++) {
        const tv_taxo_entry_t *x = tv_taxonomy_entry(t, e->terms[k].kind, e->terms[k].index);

        append(terms_en, sizeof(terms_en), ", ", x->label_en);
        append(terms_it, sizeof(terms_it), ", ", x->label_it);
    }
    for (int k = 0; k < 2; k++) {
        int best = -1;

        for (int b = 0; b < TV_FORWARD_BLOCKS; b++) {
            if (!used[b] && e->contributions[b] >= 0.005f &&
                (best < 0 || e->contributions[b] > e->contributions[best]))
                best = b;
        }
        if (best < 0)
            break;
        used[best] = 1;
        append(blocks_en, sizeof(blocks_en), ", ", tv_block_name((tv_block_t)best));
        append(blocks_it, sizeof(blocks_it), ", ", tv_digest_block_name_it((tv_block_t)best));
    }
    snprintf(it->reason_en, sizeof(it->reason_en), "%s%s%sstrongest fit: %s",
             terms_en[0] != '\0' ? "Shared focus: " : "", terms_en, terms_en[0] != '\0' ? "; " : "",
             blocks_en[0] != '\0' ? blocks_en : "none");
    snprintf(it->reason_it, sizeof(it->reason_it), "%s%s%sconvergenza maggiore: %s",
             terms_it[0] != '\0' ? "Interessi comuni: " : "", terms_it,
             terms_it[0] != '\0' ? "; " : "", blocks_it[0] != '\0' ? blocks_it : "nessuna");
    if (terms_en[0] == '\0') { /* "strongest fit" opens the sentence */
        it->reason_en[0] = 'S';
        it->reason_it[0] = 'C';
    }
}

/* The fit, level, reasons (sentences in both languages) and flags of the explanation. */
static void fit_and_reasons(const tv_taxonomy_t *t, const tv_explanation_t *e, tv_digest_item_t *it)
{
    it->fit = e->fit;
    it->level = e->level;
    it->flags = e->flags;
    it->n_reasons = e->n_reasons;
    for (size_t k = 0; k < e->n_reasons; k++) {
        it->reasons[k] = e->reasons[k];
        tv_explain_reason_text(t, e, k, "en", it->reasons_en[k], sizeof(it->reasons_en[k]));
        tv_explain_reason_text(t, e, k, "it", it->reasons_it[k], sizeof(it->reasons_it[k]));
    }
}

/* Appends "id\tscore\n" to the growing state text. */
static int state_add(char **buf, size_t *len, size_t *cap, const char *id, float score)
{
    char line[128];
    int n = snprintf(line, sizeof(line), "%s\t%.6f\n", id, (double)score);

    if (n < 0 || (size_t)n >= sizeof(line))
        return TV_EINVAL;
    if (tv__grow((void **)buf, cap, *len + (size_t)n + 1, 1) != 0)
        return TV_ENOMEM;
    memcpy(*buf + *len, line, (size_t)n + 1);
    *len += (size_t)n;
    return 0;
}

/* Picks the new and risen matches among 'hits' and writes the next state. */
static int pick_matches(const tv_matcher_t *m, const tv_taxonomy_t *t,
                        const tv_digest_config_t *cfg, const tv_digest_input_t *in,
                        const tv_hit_t *hits, size_t n_hits, tv_digest_t *d)
{
    seen_t *seen = NULL;
    size_t n_seen = 0, len = 0, cap = 0;
    int rc = parse_state(in->prev_state, &seen, &n_seen);

    if (rc == 0 && n_hits > 0)
        d->matches = tv__calloc(n_hits, sizeof(*d->matches));
    if (rc == 0 && n_hits > 0 && d->matches == NULL)
        rc = TV_ENOMEM;
    if (rc == 0 && tv__grow((void **)&d->state, &cap, 1, 1) != 0)
        rc = TV_ENOMEM;
    if (rc == 0)
        d->state[0] = '\0';
    for (size_t i = 0; rc == 0 && i < n_hits; i++) {
        const char *id = counterpart_id(m, in->kind, hits[i].index);
        const seen_t *s = find_seen(seen, n_seen, id);
        int listed = 0;

        if (d->n_matches < cfg->max_matches &&
            (s == NULL || hits[i].score > s->score + cfg->rise_step)) {
            tv_digest_item_t *it = &d->matches[d->n_matches++];
            tv_explanation_t e;

            it->counterpart = hits[i].index;
            it->score = hits[i].score;
            it->previous = s != NULL ? s->score : NAN;
            rc = in->kind == TV_KIND_COMPANY ? tv_matcher_explain(m, in->index, hits[i].index, &e)
                                             : tv_matcher_explain(m, hits[i].index, in->index, &e);
            if (rc == 0)
                explain_line(t, &e, it);
            if (rc == 0)
                fit_and_reasons(t, &e, it);
            listed = 1;
        }
        /* A new match left out by the limit stays unknown, so it is listed on a later day. */
        if (rc == 0 && (listed || s != NULL))
            rc = state_add(&d->state, &len, &cap, id, listed ? hits[i].score : s->score);
    }
    tv__free(seen);
    return rc;
}

static int compare_meetings(const void *a, const void *b)
{
    const tv_digest_meeting_t *x = *(const tv_digest_meeting_t *const *)a;
    const tv_digest_meeting_t *y = *(const tv_digest_meeting_t *const *)b;
    int c = strcmp(x->slot_start, y->slot_start);

    return c != 0 ? c : (x->id > y->id) - (x->id < y->id);
}

static int pick_meetings(const tv_digest_input_t *in, tv_digest_t *d)
{
    if (in->n_meetings == 0)
        return 0;
    d->meetings = tv__calloc(in->n_meetings, sizeof(*d->meetings));
    if (d->meetings == NULL)
        return TV_ENOMEM;
    for (size_t i = 0; i < in->n_meetings; i++)
        d->meetings[d->n_meetings++] = &in->meetings[i];
    qsort(d->meetings, d->n_meetings, sizeof(*d->meetings), compare_meetings);
    return 0;
}

/* Flags the areas an investor invests in: those of its pathologies and of its stages' tracks;
 * all of them when it names neither. */
static void investor_areas(const tv_taxonomy_t *t, const tv_investor_t *inv, uint8_t *areas,
                           size_t n_areas)
{
    int any = 0;

    for (size_t k = 0; k < inv->pathologies.n; k++) {
        int a = tv_taxonomy_entry(t, TV_TAXO_PATHOLOGY, inv->pathologies.items[k])->area;

        if (a >= 0 && (size_t)a < n_areas)
            any = areas[a] = 1;
    }
    for (size_t k = 0; k < inv->stages.n; k++) {
        tv_track_t tr = tv_taxonomy_entry(t, TV_TAXO_STAGE, inv->stages.items[k])->track;

        for (size_t a = 0; a < n_areas; a++) {
            if (tr != TV_TRACK_NONE && tv_taxonomy_entry(t, TV_TAXO_AREA, a)->track == tr)
                any = areas[a] = 1;
        }
    }
    if (!any)
        memset(areas, 1, n_areas);
}

static int compare_company_ids(const void *a, const void *b, const tv_matcher_t *m)
{
    return strcmp(tv_matcher_company(m, *(const size_t *)a)->id,
                  tv_matcher_company(m, *(const size_t *)b)->id);
}

static int pick_eligible(const tv_matcher_t *m, const tv_taxonomy_t *t,
                         const tv_digest_config_t *cfg, const tv_digest_input_t *in, tv_digest_t *d)
{
    uint8_t areas[32] = {0};
    size_t n_areas = tv_taxonomy_count(t, TV_TAXO_AREA);

    if (in->kind != TV_KIND_INVESTOR || in->n_new_eligible == 0)
        return 0;
    if (n_areas > sizeof(areas))
        n_areas = sizeof(areas);
    investor_areas(t, tv_matcher_investor(m, in->index), areas, n_areas);
    d->eligible = tv__calloc(in->n_new_eligible, sizeof(size_t));
    if (d->eligible == NULL)
        return TV_ENOMEM;
    for (size_t i = 0; i < in->n_new_eligible; i++) {
        const tv_company_t *c = tv_matcher_company(m, in->new_eligible[i]);

        if (c->area >= 0 && (size_t)c->area < n_areas && areas[c->area])
            d->eligible[d->n_eligible++] = in->new_eligible[i];
    }
    /* Insertion sort by id: the list is short, and qsort has no context argument in C11. */
    for (size_t a = 1; a < d->n_eligible; a++) {
        for (size_t b = a;
             b > 0 && compare_company_ids(&d->eligible[b], &d->eligible[b - 1], m) < 0; b--) {
            size_t x = d->eligible[b];
            d->eligible[b] = d->eligible[b - 1];
            d->eligible[b - 1] = x;
        }
    }
    if (d->n_eligible > cfg->max_matches)
        d->n_eligible = cfg->max_matches;
    return 0;
}

/* Splits the recipient's pending requests into those it received and those its side sent. */
static int pick_requests(const tv_digest_input_t *in, tv_digest_t *d)
{
    const char *own = in->kind == TV_KIND_COMPANY ? "company" : "investor";

    if (in->n_requests == 0)
        return 0;
    d->received = tv__calloc(in->n_requests, sizeof(*d->received));
    d->sent = tv__calloc(in->n_requests, sizeof(*d->sent));
    if (d->received == NULL || d->sent == NULL)
        return TV_ENOMEM;
    for (size_t i = 0; i < in->n_requests; i++) {
        const tv_digest_request_t *r = &in->requests[i];

        if (strcmp(r->from_kind, own) == 0)
            d->sent[d->n_sent++] = r;
        else
            d->received[d->n_received++] = r;
    }
    return 0;
}

int tv_digest_build(const tv_matcher_t *m, const tv_taxonomy_t *t, const tv_digest_config_t *cfg,
                    const tv_digest_input_t *in, tv_digest_t **out)
{
    tv_digest_t *d = tv__calloc(1, sizeof(*d));
    size_t k = cfg->list_k > 0 ? cfg->list_k : 1;
    tv_hit_t *hits = NULL;
    int rc = TV_ENOMEM, n = 0;

    if (d == NULL)
        goto out;
    d->kind = in->kind;
    d->index = in->index;
    hits = tv__calloc(k + 1, sizeof(*hits));
    if (hits == NULL)
        goto out;
    n = tv_matcher_rank_learned(m, in->kind, in->index, k, NULL, in->learned, hits);
    rc = n < 0 ? n : pick_matches(m, t, cfg, in, hits, (size_t)n, d);
    if (rc == 0)
        rc = pick_meetings(in, d);
    if (rc == 0)
        rc = pick_eligible(m, t, cfg, in, d);
    if (rc == 0)
        rc = pick_requests(in, d);
    if (rc != 0)
        goto out;
    *out = d;
    d = NULL;
out:
    tv__free(hits);
    tv_digest_destroy(d);
    return rc;
}

void tv_digest_destroy(tv_digest_t *d)
{
    if (d == NULL)
        return;
    tv__free(d->matches);
    tv__free(d->meetings);
    tv__free(d->eligible);
    tv__free(d->received);
    tv__free(d->sent);
    tv__free(d->state);
    tv__free(d);
}

int tv_digest_is_empty(const tv_digest_t *d)
{
    return d->n_matches == 0 && d->n_meetings == 0 && d->n_eligible == 0 && d->n_received == 0 &&
           d->n_sent == 0;
}

/* ---- when the daily run is due ---- */

int tv_digest_local_date(const char *time_zone, int64_t utc, char *date)
{
    char local[40];
    int rc = tv_calendar_format_local(time_zone, utc, local, sizeof(local));

    if (rc == 0) {
        memcpy(date, local, 10);
        date[10] = '\0';
    }
    return rc;
}

/* Adds one day to "YYYY-MM-DD" through the proleptic calendar (noon UTC avoids any edge). */
static int next_date(const char *date, char *out)
{
    int y, mo, d;
    int64_t noon;
    int rc;

    if (sscanf(date, "%4d-%2d-%2d", &y, &mo, &d) != 3)
        return TV_EINVAL;
    rc = tv_calendar_local_to_utc("UTC", y, mo, d, 12, 0, &noon);
    if (rc == 0)
        rc = tv_digest_local_date("UTC", noon + 86400, out);
    return rc;
}

static int run_at(const tv_digest_config_t *cfg, const char *date, int64_t *out)
{
    int y, mo, d;

    if (sscanf(date, "%4d-%2d-%2d", &y, &mo, &d) != 3)
        return TV_EINVAL;
    return tv_calendar_local_to_utc(cfg->time_zone, y, mo, d, cfg->hour, cfg->minute, out);
}

int tv_digest_next_run(const tv_digest_config_t *cfg, int64_t now_utc, int64_t *out, char *date)
{
    char day[11], next[11];
    int64_t at = 0;
    int rc = tv_digest_local_date(cfg->time_zone, now_utc, day);

    if (rc == 0)
        rc = run_at(cfg, day, &at);
    /* Two steps at most: today's run may be past, tomorrow's never is. */
    for (int i = 0; rc == 0 && at <= now_utc && i < 2; i++) {
        rc = next_date(day, next);
        if (rc == 0) {
            memcpy(day, next, sizeof(day));
            rc = run_at(cfg, day, &at);
        }
    }
    if (rc == 0 && at <= now_utc)
        rc = TV_EINVAL;
    if (rc == 0) {
        *out = at;
        memcpy(date, day, sizeof(day));
    }
    return rc;
}
