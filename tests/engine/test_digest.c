/* Tests engine/digest/digest.c, digest_render.c and template.c: what counts as new or risen, the
 * limit, meetings and newly eligible companies, languages, the templates and their escaping,
 * and the daily run's time across the DST changes of Europe/Rome. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support.h"
#include "tavolo/calendar.h"
#include "tavolo/codec.h"
#include "tavolo/digest.h"
#include "tavolo/template.h"

static tv_taxonomy_t *tax;
static tv_matcher_t *matcher;
static tv_digest_config_t dcfg;

static int setup(void **state)
{
    tv_match_config_t cfg;

    (void)state;
    tax = tvt_taxonomy();
    cfg = tvt_match_config();
    assert_int_equal(tv_matcher_create(tax, &cfg, &matcher), 0);
    tvt_add_fixture(matcher, tax, "companies.jsonl", TV_KIND_COMPANY);
    tvt_add_fixture(matcher, tax, "investors.jsonl", TV_KIND_INVESTOR);
    assert_int_equal(tv_matcher_build(matcher), 0);
    tv_digest_config_init(&dcfg);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tv_matcher_destroy(matcher);
    tv_taxonomy_destroy(tax);
    return 0;
}

static tv_digest_t *build(tv_profile_kind_t kind, const char *id, const char *prev)
{
    tv_digest_input_t in = {0};
    tv_digest_t *d = NULL;
    int index = kind == TV_KIND_COMPANY ? tv_matcher_find_company(matcher, id)
                                        : tv_matcher_find_investor(matcher, id);

    assert_true(index >= 0);
    in.kind = kind;
    in.index = (size_t)index;
    in.prev_state = prev;
    assert_int_equal(tv_digest_build(matcher, tax, &dcfg, &in, &d), 0);
    return d;
}

static void test_digest_first_lists_the_best_n_as_new(void **state)
{
    tv_digest_t *d = build(TV_KIND_COMPANY, "c-001", NULL);
    tv_hit_t hits[10];
    int n = tv_matcher_for_company(matcher, (size_t)tv_matcher_find_company(matcher, "c-001"), 10,
                                   NULL, hits);

    (void)state;
    assert_int_equal(d->n_matches, 10);
    assert_int_equal(n, 10);
    for (size_t i = 0; i < d->n_matches; i++) {
        assert_int_equal(d->matches[i].counterpart, hits[i].index); /* best first */
        assert_true(isnan(d->matches[i].previous));
        assert_true(strlen(d->matches[i].reason_en) > 10);
        assert_true(strlen(d->matches[i].reason_it) > 10);
    }
    /* Only what was listed is remembered: ten lines. */
    size_t lines = 0;
    for (const char *p = d->state; *p != '\0'; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 10);
    tv_digest_destroy(d);
}

/* Every forward block has its own Italian name, in tv_block_t order (locality was once
 * called "sindacato" and the syndicate had no name at all). */
static void test_digest_italian_block_names(void **state)
{
    (void)state;
    for (int b = 0; b < TV_FORWARD_BLOCKS; b++) {
        const char *name = tv_digest_block_name_it((tv_block_t)b);

        assert_non_null(name);
        for (int o = 0; o < b; o++)
            assert_string_not_equal(name, tv_digest_block_name_it((tv_block_t)o));
    }
    assert_string_equal(tv_digest_block_name_it(TV_BLOCK_LOCALITY), "località");
    assert_string_equal(tv_digest_block_name_it(TV_BLOCK_SYNDICATE), "sindacato");
    assert_null(tv_digest_block_name_it(TV_BLOCK_KIND));
}

static void test_digest_repeats_nothing_unchanged_and_lists_the_rest(void **state)
{
    tv_digest_t *first = build(TV_KIND_COMPANY, "c-001", NULL);
    tv_digest_t *second = build(TV_KIND_COMPANY, "c-001", first->state);

    (void)state;
    for (size_t i = 0; i < second->n_matches; i++) {
        for (size_t k = 0; k < first->n_matches; k++)
            assert_int_not_equal(second->matches[i].counterpart, first->matches[k].counterpart);
        assert_true(isnan(second->matches[i].previous));
    }
    assert_true(second->n_matches > 0); /* those the limit left out */
    tv_digest_destroy(first);
    tv_digest_destroy(second);
}

/* A remembered score lower than now by more than the step is "risen"; by less, not. */
static void test_digest_risen_by_more_than_the_step(void **state)
{
    tv_digest_t *first = build(TV_KIND_INVESTOR, "i-001", NULL);
    const char *top = tv_matcher_company(matcher, first->matches[0].counterpart)->id;
    const char *second_id = tv_matcher_company(matcher, first->matches[1].counterpart)->id;
    char prev[4096];
    tv_digest_t *d;
    size_t n = 0;

    (void)state;
    for (size_t i = 0; i < first->n_matches; i++) {
        const tv_digest_item_t *x = &first->matches[i];
        float s = x->score;

        if (i == 0)
            s -= dcfg.rise_step + 0.01f; /* risen by more than the step */
        else if (i == 1)
            s -= dcfg.rise_step - 0.01f; /* risen, but not enough */
        n += (size_t)snprintf(prev + n, sizeof(prev) - n, "%s\t%.6f\n",
                              tv_matcher_company(matcher, x->counterpart)->id, (double)s);
    }
    d = build(TV_KIND_INVESTOR, "i-001", prev);
    assert_true(d->n_matches >= 1);
    assert_string_equal(tv_matcher_company(matcher, d->matches[0].counterpart)->id, top);
    assert_false(isnan(d->matches[0].previous));
    assert_float_equal(d->matches[0].previous, first->matches[0].score - dcfg.rise_step - 0.01f,
                       1e-5);
    for (size_t i = 1; i < d->n_matches; i++)
        assert_string_not_equal(tv_matcher_company(matcher, d->matches[i].counterpart)->id,
                                second_id);
    /* The one not listed keeps its old score, so a slow rise adds up. */
    assert_non_null(strstr(d->state, second_id));
    tv_digest_destroy(first);
    tv_digest_destroy(d);
}

static void test_digest_limit_and_empty(void **state)
{
    tv_digest_config_t saved = dcfg;
    tv_digest_t *d;

    (void)state;
    dcfg.max_matches = 3;
    d = build(TV_KIND_COMPANY, "c-002", NULL);
    assert_int_equal(d->n_matches, 3);
    assert_false(tv_digest_is_empty(d));
    tv_digest_destroy(d);
    dcfg.max_matches = 0;
    d = build(TV_KIND_COMPANY, "c-002", NULL);
    assert_true(tv_digest_is_empty(d));
    tv_digest_destroy(d);
    dcfg = saved;
}

static void test_digest_meetings_sorted_and_eligible_in_areas(void **state)
{
    tv_digest_meeting_t meet[2] = {
        {2, "e", "Event", "c-001", "i-001", "2027-01-12T09:00", "America/Los_Angeles", 3},
        {1, "e", "Event", "c-002", "i-001", "2027-01-11T10:00", "America/Los_Angeles", 1}};
    size_t elig[2];
    int inv = tv_matcher_find_investor(matcher, "i-001");
    tv_digest_input_t in = {0};
    tv_digest_t *d = NULL;
    size_t n_elig = 0;

    (void)state;
    /* One company in each area: the investor's areas keep only the matching one(s). */
    for (size_t i = 0; i < tv_matcher_companies(matcher) && n_elig < 2; i++) {
        int area = tv_matcher_company(matcher, i)->area;

        if (area >= 0 && (n_elig == 0 || tv_matcher_company(matcher, elig[0])->area != area))
            elig[n_elig++] = i;
    }
    assert_int_equal(n_elig, 2);
    in.kind = TV_KIND_INVESTOR;
    in.index = (size_t)inv;
    in.meetings = meet;
    in.n_meetings = 2;
    in.new_eligible = elig;
    in.n_new_eligible = 2;
    assert_int_equal(tv_digest_build(matcher, tax, &dcfg, &in, &d), 0);
    assert_int_equal(d->n_meetings, 2);
    assert_int_equal(d->meetings[0]->id, 1);
    assert_int_equal(d->n_eligible, 1); /* i-001 invests in precision medicine only */
    assert_int_equal(tv_matcher_company(matcher, d->eligible[0])->area,
                     tv_taxonomy_find(tax, TV_TAXO_AREA, "precision_medicine"));
    /* Each meeting's local date and time in words, in the reader's language. */
    {
        static const char *const tpl = "Subject: s\n{{#meetings}}{{when}};{{/meetings}}";
        char *subject, *text, *page, err[128];

        assert_int_equal(tv_digest_render(matcher, tax, d, "2027-01-10", "it", NULL, tpl, tpl,
                                          &subject, &text, &page, err, sizeof(err)),
                         0);
        assert_non_null(
            strstr(text, "lunedì 11 gennaio 2027, 10:00;martedì 12 gennaio 2027, 09:00;"));
        free(subject), free(text), free(page);
        assert_int_equal(tv_digest_render(matcher, tax, d, "2027-01-10", "en", NULL, tpl, tpl,
                                          &subject, &text, &page, err, sizeof(err)),
                         0);
        assert_non_null(
            strstr(text, "Monday 11 January 2027, 10:00;Tuesday 12 January 2027, 09:00;"));
        free(subject), free(text), free(page);
    }
    tv_digest_destroy(d);
}

static void test_digest_language_selection(void **state)
{
    tv_contact_t it = {NULL, "a@b.example", "it"}, none = {NULL, "a@b.example", ""};

    (void)state;
    assert_string_equal(tv_digest_language(&it, "en"), "it");
    assert_string_equal(tv_digest_language(&none, "it"), "it");
    assert_string_equal(tv_digest_language(&none, "en"), "en");
    assert_string_equal(tv_digest_language(&none, ""), "en");
}

static void test_digest_render_escapes_html_and_picks_language(void **state)
{
    const char *txt = "Subject: {{date}} {{recipient}}\n{{#matches}}\n- {{name}} {{reason}}\n"
                      "{{/matches}}\n";
    const char *html = "<p>{{recipient}}</p>{{#matches}}<li>{{name}}: {{reason}}</li>{{/matches}}";
    tv_digest_t *d = build(TV_KIND_INVESTOR, "i-001", NULL);
    char *subject, *text, *page, err[128];
    char *evil;

    (void)state;
    /* The matcher's name of the recipient, made hostile for this test. */
    tv_investor_t *inv = (tv_investor_t *)tv_matcher_investor(matcher, d->index);
    char *saved = inv->name;
    evil = strdup("<script>alert(1)</script> & 'x'");
    inv->name = evil;
    assert_int_equal(tv_digest_render(matcher, tax, d, "2027-01-10", "it", NULL, txt, html,
                                      &subject, &text, &page, err, sizeof(err)),
                     0);
    inv->name = saved;
    free(evil);
    assert_string_equal(subject, "2027-01-10 <script>alert(1)</script> & 'x'");
    assert_non_null(strstr(page, "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#39;x&#39;</p>"));
    assert_null(strstr(page, "<script>"));
    assert_non_null(strstr(text, "Interessi comuni") != NULL ? text : strstr(text, "convergenza"));
    assert_null(strstr(text, "strongest fit"));
    free(subject);
    free(text);
    free(page);
    tv_digest_destroy(d);
}

/* Each listed match carries the fit, level and reasons the matches routes give, and the
 * fixtures' templates show "fit 82/100 (good)" and "affinità 82/100 (buona)", not the score. */
static void test_digest_shows_fit_and_level_in_both_languages(void **state)
{
    static const char *const langs[] = {"en", "it"};
    tv_digest_t *d = build(TV_KIND_INVESTOR, "i-001", NULL);
    size_t self = d->index, flagged = 0;

    (void)state;
    assert_true(d->n_matches > 0);
    for (size_t i = 0; i < d->n_matches; i++) {
        tv_explanation_t e;

        assert_int_equal(tv_matcher_explain(matcher, d->matches[i].counterpart, self, &e), 0);
        assert_int_equal(d->matches[i].fit, e.fit);
        assert_int_equal(d->matches[i].level, e.level);
        assert_int_equal(d->matches[i].n_reasons, e.n_reasons);
        assert_true(d->matches[i].n_reasons > 0 && strlen(d->matches[i].reasons_it[0]) > 10);
    }
    for (int l = 0; l < 2; l++) {
        char path[64], *txt, *html, *subject, *text, *page, err[128], line[160];

        snprintf(path, sizeof(path), "templates/digest.%s.txt", langs[l]);
        txt = tvt_read_fixture(path, NULL);
        snprintf(path, sizeof(path), "templates/digest.%s.html", langs[l]);
        html = tvt_read_fixture(path, NULL);
        assert_int_equal(tv_digest_render(matcher, tax, d, "2027-01-10", langs[l], NULL, txt, html,
                                          &subject, &text, &page, err, sizeof(err)),
                         0);
        snprintf(line, sizeof(line), "%s %d/100 (%s)", l ? "affinità" : "fit", d->matches[0].fit,
                 tv_level_name(d->matches[0].level, langs[l]));
        if (strstr(text, line) == NULL || strstr(page, line) == NULL)
            fail_msg("\"%s\" missing from the %s digest:\n%s", line, langs[l], text);
        assert_null(strstr(text, l ? "punteggio" : "score"));
        /* The reasons are the API's sentences, not the blocks' names. */
        for (size_t k = 0; k < d->matches[0].n_reasons; k++) {
            const char *why = l ? d->matches[0].reasons_it[k] : d->matches[0].reasons_en[k];

            if (strstr(text, why) == NULL)
                fail_msg("reason \"%s\" missing from the %s digest:\n%s", why, langs[l], text);
        }
        assert_null(strstr(text, l ? "convergenza maggiore" : "strongest fit"));
        /* A failed hard constraint is flagged beside the match, in words. */
        for (size_t i = 0; i < d->n_matches; i++)
            for (int k = 0; k < TV_FLAG_COUNT; k++)
                if ((d->matches[i].flags & (1u << k)) != 0) {
                    tv_explanation_t none = {0};
                    char flag[160];

                    tv_explain_flag_text(&none, k, langs[l], flag, sizeof(flag));
                    flagged++;
                    if (strstr(text, flag) == NULL)
                        fail_msg("flag \"%s\" missing from the %s digest", flag, langs[l]);
                }
        free(txt), free(html), free(subject), free(text), free(page);
    }
    assert_true(flagged > 0); /* i-001's list has a company that is not ESIBE-eligible */
    tv_digest_destroy(d);
}

/* A digest with nothing but pending requests is not empty; they split into received and sent,
 * and the fixtures' templates show both, every word in the reader's language, with the request
 * and page links under the public URL (values percent-encoded in the link, escaped in HTML) and
 * the unsubscribe link. */
static void test_digest_lists_pending_requests_with_links(void **state)
{
    static const char *const langs[] = {"en", "it"};
    static const char *const words[2][3] = {
        {"Requests waiting for your answer", "Your requests still waiting", "Receive no more"},
        {"Richieste in attesa di una sua risposta", "Sue richieste ancora senza risposta",
         "Non ricevere più il riepilogo"}};
    tv_digest_request_t rq[2] = {{7, "ev 1", "Forum <A>", "c-002", "i-001", "company", 1, 1},
                                 {9, "ev 1", "Forum <A>", "c-002", "i-002", "investor", 0, 0}};
    tv_digest_reader_t links = {"Ada <Lovelace>", "https://t.example",
                                "https://t.example/v1/unsubscribe?e=a&k=digest"};
    int c = tv_matcher_find_company(matcher, "c-002");
    tv_digest_config_t saved = dcfg;
    tv_digest_input_t in = {0};
    tv_digest_t *d = NULL;

    (void)state;
    dcfg.max_matches = 0;
    in.kind = TV_KIND_COMPANY;
    in.index = (size_t)c;
    in.requests = rq;
    in.n_requests = 2;
    assert_int_equal(tv_digest_build(matcher, tax, &dcfg, &in, &d), 0);
    dcfg = saved;
    assert_false(tv_digest_is_empty(d));
    assert_int_equal(d->n_sent, 1);
    assert_int_equal(d->sent[0]->id, 7);
    assert_int_equal(d->n_received, 1);
    assert_int_equal(d->received[0]->id, 9);
    for (int l = 0; l < 2; l++) {
        char path[64], *txt, *html, *subject, *text, *page, err[128];

        snprintf(path, sizeof(path), "templates/digest.%s.txt", langs[l]);
        txt = tvt_read_fixture(path, NULL);
        snprintf(path, sizeof(path), "templates/digest.%s.html", langs[l]);
        html = tvt_read_fixture(path, NULL);
        assert_int_equal(tv_digest_render(matcher, tax, d, "2027-01-10", langs[l], &links, txt,
                                          html, &subject, &text, &page, err, sizeof(err)),
                         0);
        assert_non_null(strstr(page, "https://t.example/requests?company=c-002&amp;event=ev%201"
                                     "&amp;request=9"));
        assert_non_null(strstr(text, "https://t.example/requests?company=c-002&event=ev%201"
                                     "&request=7"));
        assert_non_null(strstr(page, "href=\"https://t.example/matches?company=c-002\""));
        assert_non_null(strstr(page, "Forum &lt;A&gt;"));
        assert_null(strstr(page, "Forum <A>"));
        assert_non_null(strstr(page, "https://t.example/v1/unsubscribe?e=a&amp;k=digest"));
        assert_non_null(strstr(
            text, tv_matcher_investor(matcher, (size_t)tv_matcher_find_investor(matcher, "i-002"))
                      ->name));
        for (int w = 0; w < 3; w++) {
            if (strstr(page, words[l][w]) == NULL)
                fail_msg("\"%s\" missing from the %s digest:\n%s", words[l][w], langs[l], page);
        }
        assert_null(strstr(page, "<style"));
        /* The reader greeted by name; the profile named in the subject. */
        assert_non_null(strstr(text, l ? "Buongiorno Ada <Lovelace>," : "Hello Ada <Lovelace>,"));
        assert_non_null(strstr(page, "Ada &lt;Lovelace&gt;,"));
        assert_non_null(strstr(subject, tv_matcher_company(matcher, (size_t)c)->name));
        free(txt), free(html), free(subject), free(text), free(page);
    }
    tv_digest_destroy(d);
}

static char *render(const char *tpl, const tv_tpl_data_t *d, int html, int expect)
{
    char *out = NULL, err[128] = "";

    assert_int_equal(tv_tpl_render(tpl, d, html, &out, err, sizeof(err)), expect);
    return out;
}

static void test_template_sections_lines_and_errors(void **state)
{
    tv_tpl_data_t *d = NULL, *item = NULL;
    char *out;

    (void)state;
    assert_int_equal(tv_tpl_data_create(&d), 0);
    assert_int_equal(tv_tpl_set(d, "title", "A&B"), 0);
    assert_int_equal(tv_tpl_list(d, "none"), 0);
    for (int i = 0; i < 2; i++) {
        char v[8];

        snprintf(v, sizeof(v), "<%d>", i);
        assert_int_equal(tv_tpl_add(d, "items", &item), 0);
        assert_int_equal(tv_tpl_set(item, "v", v), 0);
    }
    out = render("{{title}}\n{{#items}}\n- {{v}} of {{title}}\n{{/items}}\n{{^none}}\nnone\n"
                 "{{/none}}\nend",
                 d, 0, 0);
    assert_string_equal(out, "A&B\n- <0> of A&B\n- <1> of A&B\nnone\nend");
    free(out);
    out = render("{{title}}{{#items}}[{{v}}]{{/items}}{{#none}}x{{/none}}", d, 1, 0);
    assert_string_equal(out, "A&amp;B[&lt;0&gt;][&lt;1&gt;]");
    free(out);
    assert_null(render("{{missing}}", d, 0, TV_EINVAL));
    assert_null(render("{{#items}}open", d, 0, TV_EINVAL));
    assert_null(render("{{title", d, 0, TV_EINVAL));
    assert_null(render("{{/items}}", d, 0, TV_EINVAL));
    tv_tpl_data_destroy(d);
}

/* 07:00 Europe/Rome: 06:00Z in winter (CET), 05:00Z in summer (CEST); the days of the change
 * are 23 and 25 hours long. */
static void test_digest_next_run_across_dst_in_rome(void **state)
{
    int64_t now, next, expect;
    char date[11];

    (void)state;
    /* 2027-03-27 08:00 CET: today's run has passed; the next is on the day clocks go forward. */
    assert_int_equal(tv_calendar_local_to_utc("UTC", 2027, 3, 27, 7, 0, &now), 0);
    assert_int_equal(tv_digest_next_run(&dcfg, now, &next, date), 0);
    assert_int_equal(tv_calendar_local_to_utc("UTC", 2027, 3, 28, 5, 0, &expect), 0);
    assert_int_equal(next, expect);
    assert_string_equal(date, "2027-03-28");
    /* From the run of 2027-03-27 (06:00Z) to the next over the change: 23 hours. */
    assert_int_equal(tv_calendar_local_to_utc("UTC", 2027, 3, 27, 6, 0, &now), 0);
    assert_int_equal(tv_digest_next_run(&dcfg, now, &next, date), 0);
    assert_int_equal(next - now, 23 * 3600);
    /* Clocks go back on 2027-10-31: 07:00 CET is 06:00Z, 25 hours after the day before's. */
    assert_int_equal(tv_calendar_local_to_utc("UTC", 2027, 10, 30, 5, 0, &now), 0);
    assert_int_equal(tv_digest_next_run(&dcfg, now, &next, date), 0);
    assert_int_equal(next, now + 25 * 3600);
    assert_string_equal(date, "2027-10-31");
    /* One second before the run: that run, not the next day's. */
    assert_int_equal(tv_digest_next_run(&dcfg, next - 1, &now, date), 0);
    assert_int_equal(now, next);
    /* A time in the skipped hour reads after the jump: 02:30 on 2027-03-28 is 03:30 CEST. */
    tv_digest_config_t c = dcfg;
    c.hour = 2;
    c.minute = 30;
    assert_int_equal(tv_calendar_local_to_utc("UTC", 2027, 3, 27, 12, 0, &now), 0);
    assert_int_equal(tv_digest_next_run(&c, now, &next, date), 0);
    assert_int_equal(tv_calendar_local_to_utc("UTC", 2027, 3, 28, 1, 30, &expect), 0);
    assert_int_equal(next, expect);
    /* A time in the repeated hour is its first occurrence: 02:30 CEST on 2027-10-31. */
    assert_int_equal(tv_calendar_local_to_utc("UTC", 2027, 10, 30, 12, 0, &now), 0);
    assert_int_equal(tv_digest_next_run(&c, now, &next, date), 0);
    assert_int_equal(tv_calendar_local_to_utc("UTC", 2027, 10, 31, 0, 30, &expect), 0);
    assert_int_equal(next, expect);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_digest_first_lists_the_best_n_as_new),
        cmocka_unit_test(test_digest_italian_block_names),
        cmocka_unit_test(test_digest_repeats_nothing_unchanged_and_lists_the_rest),
        cmocka_unit_test(test_digest_risen_by_more_than_the_step),
        cmocka_unit_test(test_digest_limit_and_empty),
        cmocka_unit_test(test_digest_meetings_sorted_and_eligible_in_areas),
        cmocka_unit_test(test_digest_language_selection),
        cmocka_unit_test(test_digest_render_escapes_html_and_picks_language),
        cmocka_unit_test(test_digest_shows_fit_and_level_in_both_languages),
        cmocka_unit_test(test_digest_lists_pending_requests_with_links),
        cmocka_unit_test(test_template_sections_lines_and_errors),
        cmocka_unit_test(test_digest_next_run_across_dst_in_rome),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
