/* What came of each meeting (issue 18, decision 0067): POST and GET
 * /v1/events/{id}/meetings/{mid}/outcomes. Each side of a meeting records, once it has begun,
 * whether it was held, a rating from 1 to 5, whether it wants a follow-up and, later, the next
 * steps; the organisers (and admins) may record only whether it was held, to correct a
 * no-show. Every answer is a new row of an append-only history (migration 033). A side sees
 * its own answers only, never the other side's; the organisers see all. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../access.h"
#include "../query.h"
#include "../reply.h"
#include "handlers.h"
#include "notify_links.h"
#include "report.h"

static const char *const next_steps[] = {"second_meeting", "nda",        "due_diligence",
                                         "term_sheet",     "investment", "partnership",
                                         "none",           NULL};

/* The side the caller records and reads for: "company" or "investor" for the meeting's own
 * participants, "organiser" for those who run the event (admins included), else NULL after a
 * 403 (or 404/503) reply. */
static const char *caller_side(const api_req_t *r, api_resp_t *resp, tv_meeting_t **m)
{
    size_t n = 0;
    int rc;

    *m = NULL;
    if (r->store == NULL) {
        api_reply_error(resp, r, TV_EUNAVAIL, "");
        return NULL;
    }
    if (api_access_runs_event(r, r->params[0]))
        return "organiser";
    rc = r->principal.role == API_ROLE_COMPANY || r->principal.role == API_ROLE_INVESTOR
             ? tv_store_meeting_by_id(r->store, r->params[0], r->params[1], m, &n)
             : 0;
    if (rc != 0) {
        api_reply_error(resp, r, rc, tv_store_error(r->store));
        return NULL;
    }
    if (n == 1 && r->principal.role == API_ROLE_COMPANY &&
        strcmp((*m)->company_id, r->principal.subject) == 0)
        return "company";
    if (n == 1 && r->principal.role == API_ROLE_INVESTOR &&
        strcmp((*m)->investor_id, r->principal.subject) == 0)
        return "investor";
    /* another pair's meeting, or none: the same answer */
    api_reply_problem(resp, r, 403, "forbidden", NULL,
                      "only the meeting's two sides and the event's organisers record its outcome");
    return NULL;
}

typedef struct {
    char held[8], rating[4], follow_up[8], amount[24], date[11];
    tv_outcome_t o;
} answer_t;

static int bad(const api_req_t *r, api_resp_t *resp, const char *pointer, const char *detail)
{
    api_reply_problem(resp, r, 422, "invalid-field", pointer, "%s", detail);
    return -1;
}

/* 1 if 's' is a calendar date "YYYY-MM-DD". */
static int is_date(const char *s)
{
    int y, m, d;
    char end;

    return s != NULL && strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &end) == 3 &&
           s[4] == '-' && s[7] == '-' && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/* Reads {"next_step": {"kind", "amount_eur"?, "date"?}} into 'a'. */
static int read_step(const api_req_t *r, api_resp_t *resp, json_t *step, answer_t *a)
{
    const char *kind = json_string_value(json_object_get(step, "kind"));
    json_t *amount = json_object_get(step, "amount_eur"), *date = json_object_get(step, "date");
    const char *key;
    json_t *v;
    int known = 0;

    if (!json_is_object(step))
        return bad(r, resp, "/next_step", "expected {\"kind\", \"amount_eur\", \"date\"}");
    json_object_foreach(step, key, v)
    {
        if (strcmp(key, "kind") != 0 && strcmp(key, "amount_eur") != 0 && strcmp(key, "date") != 0)
            return bad(r, resp, "/next_step", "unknown member: expected kind, amount_eur, date");
    }
    for (size_t k = 0; kind != NULL && next_steps[k] != NULL; k++)
        known |= strcmp(kind, next_steps[k]) == 0;
    if (!known)
        return bad(r, resp, "/next_step/kind",
                   "expected second_meeting, nda, due_diligence, term_sheet, investment, "
                   "partnership or none");
    if (amount != NULL && (strcmp(kind, "investment") != 0 || !json_is_integer(amount) ||
                           json_integer_value(amount) <= 0))
        return bad(r, resp, "/next_step/amount_eur",
                   "an investment's amount: a whole number of euros above 0");
    if (date != NULL && !is_date(json_string_value(date)))
        return bad(r, resp, "/next_step/date", "expected a date, YYYY-MM-DD");
    a->o.next_step = kind;
    if (amount != NULL) {
        snprintf(a->amount, sizeof(a->amount), "%lld", (long long)json_integer_value(amount));
        a->o.amount_eur = a->amount;
    }
    if (date != NULL) {
        snprintf(a->date, sizeof(a->date), "%s", json_string_value(date));
        a->o.step_date = a->date;
    }
    return 0;
}

/* Reads the body into 'a' for 'side'; replies 422 naming the field and returns -1 when a value
 * is wrong, none is given, or the organisers give more than "held". */
static int read_answer(const api_req_t *r, api_resp_t *resp, json_t *o, const char *side,
                       answer_t *a)
{
    json_t *held = json_object_get(o, "held"), *rating = json_object_get(o, "rating");
    json_t *follow = json_object_get(o, "follow_up"), *step = json_object_get(o, "next_step");
    const char *key;
    json_t *v;

    json_object_foreach(o, key, v)
    {
        if (strcmp(key, "held") != 0 && strcmp(key, "rating") != 0 &&
            strcmp(key, "follow_up") != 0 && strcmp(key, "next_step") != 0)
            return bad(r, resp, "", "unknown member: expected held, rating, follow_up, next_step");
    }
    if (held == NULL && rating == NULL && follow == NULL && step == NULL)
        return bad(r, resp, "", "expected at least one of held, rating, follow_up, next_step");
    if (strcmp(side, "organiser") == 0 && (rating != NULL || follow != NULL))
        return bad(r, resp, rating != NULL ? "/rating" : "/follow_up",
                   "only the meeting's sides rate it and ask for a follow-up");
    if (strcmp(side, "organiser") == 0 && step != NULL)
        return bad(r, resp, "/next_step", "only the meeting's sides record its next steps");
    if (held != NULL && !json_is_boolean(held))
        return bad(r, resp, "/held", "expected true (held) or false (a no-show)");
    if (rating != NULL && (!json_is_integer(rating) || json_integer_value(rating) < 1 ||
                           json_integer_value(rating) > 5))
        return bad(r, resp, "/rating", "expected a whole number from 1 to 5");
    if (follow != NULL && !json_is_boolean(follow))
        return bad(r, resp, "/follow_up", "expected true or false");
    if (step != NULL && read_step(r, resp, step, a) != 0)
        return -1;
    if (held != NULL) {
        snprintf(a->held, sizeof(a->held), "%s", json_is_true(held) ? "true" : "false");
        a->o.held = a->held;
    }
    if (rating != NULL) {
        snprintf(a->rating, sizeof(a->rating), "%d", (int)json_integer_value(rating));
        a->o.rating = a->rating;
    }
    if (follow != NULL) {
        snprintf(a->follow_up, sizeof(a->follow_up), "%s", json_is_true(follow) ? "true" : "false");
        a->o.follow_up = a->follow_up;
    }
    a->o.side = side;
    return 0;
}

/* ---- the answer by side, from the history ---- */

typedef struct {
    json_t *sides;   /* side -> {held, rating, follow_up, next_steps: [...]} */
    json_t *history; /* every row */
} outcome_t;

static json_t *boolean_or_null(const char *s)
{
    return s == NULL ? json_null() : json_boolean(strcmp(s, "t") == 0 || strcmp(s, "true") == 0);
}

static int on_outcome(void *ctx, const char *const *c, int n)
{
    outcome_t *x = ctx;
    json_t *side = json_object_get(x->sides, c[1]);
    json_t *row = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)strtoll(c[0], NULL, 10),
                            "side", c[1], "recorded_by", c[2], "recorded_at", c[3]);

    (void)n;
    if (side == NULL) {
        side = json_pack("{s:n, s:n, s:n, s:[]}", "held", "rating", "follow_up", "next_steps");
        json_object_set_new(x->sides, c[1], side);
    }
    if (c[4] != NULL) {
        json_object_set_new(side, "held", boolean_or_null(c[4]));
        json_object_set_new(row, "held", boolean_or_null(c[4]));
    }
    if (c[5] != NULL) {
        json_object_set_new(side, "rating", json_integer(atoi(c[5])));
        json_object_set_new(row, "rating", json_integer(atoi(c[5])));
    }
    if (c[6] != NULL) {
        json_object_set_new(side, "follow_up", boolean_or_null(c[6]));
        json_object_set_new(row, "follow_up", boolean_or_null(c[6]));
    }
    if (c[7] != NULL) {
        json_t *step = json_pack("{s:s, s:s}", "kind", c[7], "recorded_at", c[3]);

        if (c[8] != NULL)
            json_object_set_new(step, "amount_eur", json_integer(strtoll(c[8], NULL, 10)));
        if (c[9] != NULL)
            json_object_set_new(step, "date", json_string(c[9]));
        json_array_append(json_object_get(side, "next_steps"), step);
        json_object_set_new(row, "next_step", step);
    }
    json_array_append_new(x->history, row);
    return 0;
}

/* Replies 'status' with the meeting's outcome as 'side' may see it: a side its own answers, the
 * organisers every side's. */
static void reply_outcome(const api_req_t *r, api_resp_t *resp, int status, const char *side)
{
    outcome_t x = {json_object(), json_array()};
    int rc = tv_store_outcomes(r->store, r->params[0], r->params[1],
                               strcmp(side, "organiser") == 0 ? NULL : side, on_outcome, &x);

    if (rc != 0)
        api_reply_error(resp, r, rc, tv_store_error(r->store));
    else
        api_reply_object(resp, status,
                         json_pack("{s:I, s:O, s:O}", "meeting_id",
                                   (json_int_t)strtoll(r->params[1], NULL, 10), "sides", x.sides,
                                   "history", x.history));
    json_decref(x.sides);
    json_decref(x.history);
}

int api_h_outcome_get(const api_req_t *r, api_resp_t *resp)
{
    tv_meeting_t *m = NULL;
    const char *side = caller_side(r, resp, &m);
    int state, rc = side != NULL
                        ? tv_store_meeting_state(r->store, r->params[0], r->params[1], &state)
                        : 0;

    if (rc != 0)
        api_reply_error(resp, r, rc, tv_store_error(r->store));
    else if (side != NULL)
        reply_outcome(r, resp, 200, side);
    free(m);
    return 0;
}

int api_h_outcome_add(const api_req_t *r, api_resp_t *resp)
{
    json_t *o = json_loadb(r->body, r->body_len, 0, NULL);
    tv_meeting_t *m = NULL;
    const char *side = caller_side(r, resp, &m);
    answer_t a;
    char by[340];
    int64_t id;
    int state = 0, rc;

    memset(&a, 0, sizeof(a));
    if (side == NULL)
        goto out;
    if (!json_is_object(o)) {
        api_reply_problem(resp, r, 400, "malformed-json", NULL, "the body is not a JSON object");
        goto out;
    }
    if (read_answer(r, resp, o, side, &a) != 0)
        goto out;
    rc = tv_store_meeting_state(r->store, r->params[0], r->params[1], &state);
    if (rc != 0) {
        api_reply_error(resp, r, rc, tv_store_error(r->store));
        goto out;
    }
    if (state != 1) {
        api_reply_problem(resp, r, 409, "conflict", NULL,
                          state == 2 ? "meeting %s was cancelled: it has no outcome"
                                     : "meeting %s has not begun: its outcome comes after it",
                          r->params[1]);
        goto out;
    }
    if (r->session.active)
        snprintf(by, sizeof(by), "%s", r->session.email);
    else
        snprintf(by, sizeof(by), "token:%lld", (long long)r->principal.token_id);
    a.o.recorded_by = by;
    rc = tv_store_outcome_add(r->store, r->params[0], r->params[1], &a.o, &id);
    if (rc == 0)
        api_h_matches_stale(r);
    if (rc != 0)
        api_reply_error(resp, r, rc, tv_store_error(r->store));
    else
        reply_outcome(r, resp, 201, side);
out:
    free(m);
    json_decref(o);
    return 0;
}

/* ---- the one-click links of the mail (decision 0067) ---- */

typedef struct {
    char email[320], event[65], meeting[24], side[16], answer[16], token[160];
} link_t;

/* Reads and checks the link's parameters; replies 400 naming the one at fault (an altered
 * link: "t") and returns -1 when they do not hold. */
static int read_link(const api_req_t *r, api_resp_t *resp, link_t *l)
{
    static const char *const answers[] = {"1", "2", "3", "4", "5", "no_show", NULL};
    unsigned char key[API_UNSUB_KEY_BYTES];
    int rc, known = 0;

    if (api_query_get(r->query, "e", l->email, sizeof(l->email)) != 1 ||
        strchr(l->email, '@') == NULL)
        return api_reply_bad_parameter(resp, r, "e", "the address of the link"), -1;
    if (api_query_get(r->query, "v", l->event, sizeof(l->event)) != 1 || !tv_id_valid(l->event))
        return api_reply_bad_parameter(resp, r, "v", "the event of the link"), -1;
    if (api_query_get(r->query, "m", l->meeting, sizeof(l->meeting)) != 1 ||
        strspn(l->meeting, "0123456789") != strlen(l->meeting) || l->meeting[0] == '\0')
        return api_reply_bad_parameter(resp, r, "m", "the meeting of the link"), -1;
    if (api_query_get(r->query, "s", l->side, sizeof(l->side)) != 1 ||
        (strcmp(l->side, "company") != 0 && strcmp(l->side, "investor") != 0))
        return api_reply_bad_parameter(resp, r, "s", "company or investor"), -1;
    if (api_query_get(r->query, "a", l->answer, sizeof(l->answer)) == 1)
        for (size_t k = 0; answers[k] != NULL; k++)
            known |= strcmp(l->answer, answers[k]) == 0;
    if (!known)
        return api_reply_bad_parameter(resp, r, "a", "1 to 5, or no_show"), -1;
    if (api_query_get(r->query, "t", l->token, sizeof(l->token)) != 1)
        return api_reply_bad_parameter(resp, r, "t", "the token of the link"), -1;
    rc = r->store != NULL ? api_unsub_key(r->store, key) : TV_EUNAVAIL;
    if (rc != 0)
        return api_reply_error(resp, r, rc, tv_store_error(r->store)), -1;
    rc = api_outcome_check(key, l->email, l->event, l->meeting, l->side, l->answer, l->token);
    memset(key, 0, sizeof(key));
    if (!rc)
        return api_reply_bad_parameter(resp, r, "t", "the token of this link (it was altered)"), -1;
    return 0;
}

/* "held, 4/5" / "svolto, 4/5", or the no-show, in 'lang'. */
static void answer_words(const link_t *l, int it, char *out, size_t size)
{
    if (strcmp(l->answer, "no_show") == 0)
        snprintf(out, size, "%s",
                 it ? "l'incontro non si &egrave; svolto" : "the meeting did not take place");
    else
        snprintf(out, size, it ? "svolto, utile %s su 5" : "held, worth %s out of 5", l->answer);
}

/* The page: the answer with a button (GET, which records nothing: mail scanners follow links),
 * the confirmation (POST), or why it cannot be recorded; in Italian and in English. */
static void reply_link_page(api_resp_t *resp, const api_req_t *r, const link_t *l, int status,
                            const char *it, const char *en, int button)
{
    char words_it[96], words_en[96], *inner = malloc(4096 + 6 * strlen(r->query)), *p = inner;

    if (inner == NULL) {
        api_reply_error(resp, r, TV_ENOMEM, "");
        return;
    }
    answer_words(l, 1, words_it, sizeof(words_it));
    answer_words(l, 0, words_en, sizeof(words_en));
    p = stpcpy(p, "<p style=\"margin:0 0 16px;font-size:15px\">");
    p = api_html_escape(p, l->email);
    p += sprintf(p,
                 "</p><p style=\"font-size:16px;line-height:1.5\">%s <strong>%s</strong>.</p>"
                 "<p lang=\"en\" style=\"font-size:16px;line-height:1.5\">%s <strong>%s</strong>."
                 "</p>",
                 it, words_it, en, words_en);
    if (button) {
        p = stpcpy(p, "<form method=\"post\" action=\"/v1/outcome?");
        p = api_html_escape(p, r->query);
        stpcpy(p, "\"><input type=\"hidden\" name=\"confirm\" value=\"yes\"><button "
                  "type=\"submit\" style=\"padding:10px 18px;font-size:16px;font-weight:bold;"
                  "color:#fff;background:#2f6fde;border:0;border-radius:4px\">Conferma / "
                  "Confirm</button></form>");
    }
    api_reply_page(resp, r, status, inner);
    free(inner);
}

int api_h_outcome_link_page(const api_req_t *r, api_resp_t *resp)
{
    link_t l;

    if (read_link(r, resp, &l) == 0)
        reply_link_page(resp, r, &l, 200, "Registrare, per l'incontro ", "Record, for meeting", 1);
    return 0;
}

int api_h_outcome_link(const api_req_t *r, api_resp_t *resp)
{
    char body[64] = "", confirm[8] = "", held[8];
    tv_outcome_t o = {0};
    link_t l;
    int64_t id;
    int state = 0, rc;

    if (r->body_len < sizeof(body))
        memcpy(body, r->body != NULL ? r->body : "", r->body_len);
    if (api_query_get(body, "confirm", confirm, sizeof(confirm)) != 1 ||
        strcmp(confirm, "yes") != 0) {
        api_reply_problem(resp, r, 422, "invalid-field", "/confirm",
                          "send confirm=yes as the form body (the page's button does)");
        return 0;
    }
    if (read_link(r, resp, &l) != 0)
        return 0;
    rc = tv_store_meeting_state(r->store, l.event, l.meeting, &state);
    if (rc == 0 && state != 1) { /* as the API says it: a problem, as every error */
        api_reply_problem(resp, r, 409, "conflict", NULL,
                          state == 2 ? "meeting %s was cancelled: it has no outcome"
                                     : "meeting %s has not begun: its outcome comes after it",
                          l.meeting);
        return 0;
    }
    snprintf(held, sizeof(held), "%s", strcmp(l.answer, "no_show") == 0 ? "false" : "true");
    o = (tv_outcome_t){l.side, l.email, held, strcmp(l.answer, "no_show") == 0 ? NULL : l.answer,
                       NULL,   NULL,    NULL, NULL};
    if (rc == 0)
        rc = tv_store_outcome_add(r->store, l.event, l.meeting, &o, &id);
    if (rc == 0)
        api_h_matches_stale(r);
    if (rc != 0)
        api_reply_error(resp, r, rc, tv_store_error(r->store));
    else
        reply_link_page(resp, r, &l, 200, "Registrato, grazie: per l'incontro",
                        "Recorded, thank you: for the meeting", 0);
    return 0;
}

/* ---- the report (decision 0068) ---- */

/* Answers the report of event 'event_id', or with NULL of every event (the Tour's). */
static void reply_report(const api_req_t *r, api_resp_t *resp, const char *event_id)
{
    char *report = NULL, err[512] = "";
    int rc;

    if (r->store == NULL) {
        api_reply_error(resp, r, TV_EUNAVAIL, "");
        return;
    }
    pthread_rwlock_rdlock(&r->app->lock);
    rc = api_events_report(r->store, r->app->matcher, event_id,
                           event_id != NULL ? event_id : "tour", &report, err, sizeof(err));
    pthread_rwlock_unlock(&r->app->lock);
    if (rc != 0)
        api_reply_error(resp, r, rc, err);
    else
        api_reply_json(resp, 200, report);
}

int api_h_event_report(const api_req_t *r, api_resp_t *resp)
{
    if (!api_access_runs_event(r, r->params[0]))
        api_reply_problem(resp, r, 403, "forbidden", NULL,
                          "only an admin or this event's organiser reads its report");
    else
        reply_report(r, resp, r->params[0]);
    return 0;
}

/* The report over every event together (the Tour's), for admins. */
int api_h_tour_report(const api_req_t *r, api_resp_t *resp)
{
    if (r->principal.role != API_ROLE_ADMIN)
        api_reply_problem(resp, r, 403, "forbidden", NULL, "only an admin reads the Tour's report");
    else
        reply_report(r, resp, NULL);
    return 0;
}
