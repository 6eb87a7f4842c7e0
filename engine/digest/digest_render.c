/* A digest as the values of its message templates, and the rendered subject, text and HTML. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "tavolo/calendar.h"
#include "tavolo/digest.h"
#include "tavolo/error.h"
#include "tavolo/template.h"

static const char *recipient_id(const tv_matcher_t *m, const tv_digest_t *d)
{
    return d->kind == TV_KIND_COMPANY ? tv_matcher_company(m, d->index)->id
                                      : tv_matcher_investor(m, d->index)->id;
}

static const char *recipient_name(const tv_matcher_t *m, const tv_digest_t *d)
{
    return d->kind == TV_KIND_COMPANY ? tv_matcher_company(m, d->index)->name
                                      : tv_matcher_investor(m, d->index)->name;
}

static int set_score(tv_tpl_data_t *x, const char *key, float score)
{
    char buf[32];

    snprintf(buf, sizeof(buf), "%.2f", (double)score);
    return tv_tpl_set(x, key, buf);
}

/* A fit as the templates show it: "82" for "fit 82/100"; a previous score is shown as its fit
 * on today's scale. */
static int set_fit(tv_tpl_data_t *x, const char *key, int fit)
{
    char buf[16];

    snprintf(buf, sizeof(buf), "%d", fit);
    return tv_tpl_set(x, key, buf);
}

/* A match's reasons (the sentences the matches routes give) and its failed hard constraints,
 * named without their detail, as lists "reasons" and "flags" of values "text". */
static int add_reasons_and_flags(const tv_digest_item_t *x, const char *lang, tv_tpl_data_t *item)
{
    int rc = tv_tpl_list(item, "reasons");
    tv_explanation_t none = {0};
    tv_tpl_data_t *sub = NULL;
    char flag[160];

    for (size_t k = 0; rc == 0 && k < x->n_reasons; k++) {
        rc = tv_tpl_add(item, "reasons", &sub);
        if (rc == 0)
            rc = tv_tpl_set(sub, "text", lang[0] == 'i' ? x->reasons_it[k] : x->reasons_en[k]);
    }
    if (rc == 0)
        rc = tv_tpl_list(item, "flags");
    for (int k = 0; rc == 0 && k < TV_FLAG_COUNT; k++) {
        if ((x->flags & (1u << k)) == 0)
            continue;
        tv_explain_flag_text(&none, k, lang, flag, sizeof(flag));
        rc = tv_tpl_add(item, "flags", &sub);
        if (rc == 0)
            rc = tv_tpl_set(sub, "text", flag);
    }
    return rc;
}

static int add_matches(const tv_matcher_t *m, const tv_digest_t *d, int it, tv_tpl_data_t *root)
{
    int rc = tv_tpl_list(root, "matches");

    for (size_t i = 0; rc == 0 && i < d->n_matches; i++) {
        const tv_digest_item_t *x = &d->matches[i];
        const char *name = d->kind == TV_KIND_COMPANY ? tv_matcher_investor(m, x->counterpart)->name
                                                      : tv_matcher_company(m, x->counterpart)->name;
        tv_tpl_data_t *item = NULL;

        rc = tv_tpl_add(root, "matches", &item);
        if (rc == 0)
            rc = tv_tpl_set(item, "name", name);
        if (rc == 0)
            rc = set_score(item, "score", x->score);
        if (rc == 0)
            rc = set_fit(item, "fit", x->fit);
        if (rc == 0)
            rc = tv_tpl_set(item, "level", tv_level_name(x->level, it ? "it" : "en"));
        if (rc == 0)
            rc = tv_tpl_set(item, "new", isnan(x->previous) ? "1" : "");
        if (rc == 0)
            rc = isnan(x->previous) ? tv_tpl_set(item, "previous", "")
                                    : set_fit(item, "previous", tv_matcher_fit(m, x->previous));
        if (rc == 0)
            rc = tv_tpl_set(item, "reason", it ? x->reason_it : x->reason_en);
        if (rc == 0)
            rc = add_reasons_and_flags(x, it ? "it" : "en", item);
    }
    return rc;
}

static const char *counterpart_name(const tv_matcher_t *m, const tv_digest_t *d,
                                    const tv_digest_meeting_t *x)
{
    int i = d->kind == TV_KIND_COMPANY ? tv_matcher_find_investor(m, x->investor_id)
                                       : tv_matcher_find_company(m, x->company_id);

    if (i < 0)
        return d->kind == TV_KIND_COMPANY ? x->investor_id : x->company_id;
    return d->kind == TV_KIND_COMPANY ? tv_matcher_investor(m, (size_t)i)->name
                                      : tv_matcher_company(m, (size_t)i)->name;
}

static int add_meetings(const tv_matcher_t *m, const tv_digest_t *d, const char *lang,
                        tv_tpl_data_t *root)
{
    int rc = tv_tpl_list(root, "meetings");

    for (size_t i = 0; rc == 0 && i < d->n_meetings; i++) {
        const tv_digest_meeting_t *x = d->meetings[i];
        tv_tpl_data_t *item = NULL;
        char when[64], table[16];

        if (tv_calendar_words(x->slot_start, lang, when, sizeof(when)) != 0)
            snprintf(when, sizeof(when), "%s", x->slot_start);
        snprintf(table, sizeof(table), "%d", x->table_no);
        rc = tv_tpl_add(root, "meetings", &item);
        if (rc == 0)
            rc = tv_tpl_set(item, "with", counterpart_name(m, d, x));
        if (rc == 0)
            rc = tv_tpl_set(item, "event", x->event_name != NULL ? x->event_name : x->event_id);
        if (rc == 0)
            rc = tv_tpl_set(item, "when", when);
        if (rc == 0)
            rc = tv_tpl_set(item, "time_zone", x->time_zone);
        if (rc == 0)
            rc = tv_tpl_set(item, "table", table);
    }
    return rc;
}

static int add_eligible(const tv_matcher_t *m, const tv_taxonomy_t *t, const tv_digest_t *d, int it,
                        tv_tpl_data_t *root)
{
    int rc = tv_tpl_list(root, "eligible");

    for (size_t i = 0; rc == 0 && i < d->n_eligible; i++) {
        const tv_company_t *c = tv_matcher_company(m, d->eligible[i]);
        const tv_taxo_entry_t *area =
            c->area >= 0 ? tv_taxonomy_entry(t, TV_TAXO_AREA, (size_t)c->area) : NULL;
        tv_tpl_data_t *item = NULL;

        rc = tv_tpl_add(root, "eligible", &item);
        if (rc == 0)
            rc = tv_tpl_set(item, "name", c->name);
        if (rc == 0)
            rc = tv_tpl_set(item, "area", area == NULL ? "" : it ? area->label_it : area->label_en);
        if (rc == 0)
            rc = tv_tpl_set(item, "city", c->city);
    }
    return rc;
}

/* Percent-encodes 's' as a query value into 'out' ('size' bytes, cut short if need be). */
static void pct(const char *s, char *out, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;

    for (const unsigned char *p = (const unsigned char *)s; *p != '\0' && o + 4 < size; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            out[o++] = (char)*p;
        } else {
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        }
    }
    out[o] = '\0';
}

void tv_page_url(const char *base, const char *page, const char *kind, const char *id,
                 const char *event, long long request, char *out, size_t size)
{
    char pid[400], ev[400] = "", rq[32] = "";

    pct(id, pid, sizeof(pid));
    if (event != NULL) {
        memcpy(ev, "&event=", 8);
        pct(event, ev + 7, sizeof(ev) - 7);
    }
    if (event != NULL && request >= 0)
        snprintf(rq, sizeof(rq), "&request=%lld", request);
    snprintf(out, size, "%s/%s?%s=%s%s%s", base, page, kind, pid, ev, rq);
}

/* The page 'page' of the reader's profile (tv_page_url); empty without links. */
static void page_link(const tv_matcher_t *m, const tv_digest_t *d, const tv_digest_reader_t *reader,
                      const char *page, char *out, size_t size)
{
    if (reader == NULL || reader->base == NULL) {
        out[0] = '\0';
        return;
    }
    tv_page_url(reader->base, page, d->kind == TV_KIND_COMPANY ? "company" : "investor",
                recipient_id(m, d), NULL, -1, out, size);
}

static int add_requests(const tv_matcher_t *m, const tv_digest_t *d, const char *list,
                        const tv_digest_request_t *const *rq, size_t n,
                        const tv_digest_reader_t *reader, tv_tpl_data_t *root)
{
    int rc = tv_tpl_list(root, list);

    for (size_t i = 0; rc == 0 && i < n; i++) {
        const tv_digest_request_t *x = rq[i];
        tv_digest_meeting_t as_meeting = {.company_id = x->company_id,
                                          .investor_id = x->investor_id};
        tv_tpl_data_t *item = NULL;
        char link[1600] = "";

        if (reader != NULL && reader->base != NULL)
            tv_page_url(reader->base, "requests",
                        d->kind == TV_KIND_COMPANY ? "company" : "investor", recipient_id(m, d),
                        x->event_id, (long long)x->id, link, sizeof(link));
        rc = tv_tpl_add(root, list, &item);
        if (rc == 0)
            rc = tv_tpl_set(item, "with", counterpart_name(m, d, &as_meeting));
        if (rc == 0)
            rc = tv_tpl_set(item, "event", x->event_name != NULL ? x->event_name : x->event_id);
        if (rc == 0)
            rc = tv_tpl_set(item, "must", x->must ? "1" : "");
        if (rc == 0)
            rc = tv_tpl_set(item, "new", x->is_new ? "1" : "");
        if (rc == 0)
            rc = tv_tpl_set(item, "link", link);
    }
    return rc;
}

/* The links, the pending requests and the flags that open their sections. */
static int fill_links(const tv_matcher_t *m, const tv_digest_t *d, const tv_digest_reader_t *reader,
                      tv_tpl_data_t *root)
{
    char matches[1200], requests[1200];
    int rc;

    page_link(m, d, reader, "matches", matches, sizeof(matches));
    page_link(m, d, reader, "requests", requests, sizeof(requests));
    rc = tv_tpl_set(root, "matches_link", matches);
    if (rc == 0)
        rc = tv_tpl_set(root, "requests_link", requests);
    if (rc == 0)
        rc = tv_tpl_set(root, "unsubscribe",
                        reader != NULL && reader->unsubscribe != NULL ? reader->unsubscribe : "");
    if (rc == 0)
        rc = tv_tpl_set(root, "has_received", d->n_received > 0 ? "1" : "");
    if (rc == 0)
        rc = tv_tpl_set(root, "has_sent", d->n_sent > 0 ? "1" : "");
    if (rc == 0)
        rc = add_requests(m, d, "received", d->received, d->n_received, reader, root);
    if (rc == 0)
        rc = add_requests(m, d, "sent", d->sent, d->n_sent, reader, root);
    return rc;
}

static int fill(const tv_matcher_t *m, const tv_taxonomy_t *t, const tv_digest_t *d,
                const char *date, const char *lang, const tv_digest_reader_t *reader,
                tv_tpl_data_t *root)
{
    int it = strcmp(lang, "it") == 0;
    int rc = tv_tpl_set(root, "recipient", recipient_name(m, d));

    if (rc == 0)
        rc = tv_tpl_set(root, "reader", reader != NULL ? reader->name : NULL);
    if (rc == 0)
        rc = tv_tpl_set(root, "date", date);
    if (rc == 0)
        rc = tv_tpl_set(root, "investor", d->kind == TV_KIND_INVESTOR ? "1" : "");
    if (rc == 0)
        rc = tv_tpl_set(root, "has_matches", d->n_matches > 0 ? "1" : "");
    if (rc == 0)
        rc = tv_tpl_set(root, "has_meetings", d->n_meetings > 0 ? "1" : "");
    if (rc == 0)
        rc = tv_tpl_set(root, "has_eligible", d->n_eligible > 0 ? "1" : "");
    if (rc == 0)
        rc = add_matches(m, d, it, root);
    if (rc == 0)
        rc = add_meetings(m, d, lang, root);
    if (rc == 0)
        rc = add_eligible(m, t, d, it, root);
    if (rc == 0)
        rc = fill_links(m, d, reader, root);
    return rc;
}

/* Splits the rendered text into its "Subject: " line and the body after it. */
static int split_subject(char *rendered, char **subject, char **body)
{
    char *nl = strchr(rendered, '\n');

    if (strncmp(rendered, "Subject: ", 9) != 0 || nl == NULL)
        return TV_EINVAL;
    *nl = '\0';
    for (char *p = rendered; *p != '\0'; p++) { /* a header is one line */
        if ((unsigned char)*p < 0x20)
            *p = ' ';
    }
    *subject = strdup(rendered + 9);
    *body = strdup(nl + 1);
    if (*subject == NULL || *body == NULL) {
        free(*subject);
        free(*body);
        return TV_ENOMEM;
    }
    return 0;
}

int tv_digest_render(const tv_matcher_t *m, const tv_taxonomy_t *t, const tv_digest_t *d,
                     const char *date, const char *lang, const tv_digest_reader_t *reader,
                     const char *txt, const char *html, char **subject, char **text,
                     char **html_out, char *err, size_t err_size)
{
    tv_tpl_data_t *root = NULL;
    char *plain = NULL, *page = NULL, *subj = NULL, *body = NULL;
    int rc = tv_tpl_data_create(&root);

    if (rc == 0)
        rc = fill(m, t, d, date, lang, reader, root);
    if (rc == 0)
        rc = tv_tpl_render(txt, root, 0, &plain, err, err_size);
    if (rc == 0)
        rc = tv_tpl_render(html, root, 1, &page, err, err_size);
    if (rc == 0) {
        rc = split_subject(plain, &subj, &body);
        if (rc == TV_EINVAL && err != NULL)
            snprintf(err, err_size, "the text template must start with a \"Subject: \" line");
    }
    if (rc != 0)
        goto out;
    *subject = subj;
    *text = body;
    *html_out = page;
    page = NULL;
out:
    free(plain);
    free(page);
    tv_tpl_data_destroy(root);
    return rc;
}
