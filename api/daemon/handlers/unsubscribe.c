/* One-click unsubscribe (RFC 8058, decision 0044), without a bearer token: the signed link is
 * the credential. GET shows a page with a button and changes nothing, since mail scanners
 * follow links; POST with the body "List-Unsubscribe=One-Click" (what mail clients send, and
 * what the page's form sends) records the choice with tv_store_mail_unsubscribe. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../query.h"
#include "../reply.h"
#include "handlers.h"
#include "notify_links.h"

typedef struct {
    char email[320], kind[32], token[160];
} unsub_t;

/* Reads and checks the link's parameters; replies 400 (a bad or altered link) and returns -1
 * when they do not hold. */
static int read_link(const api_req_t *r, api_resp_t *resp, unsub_t *u)
{
    unsigned char key[API_UNSUB_KEY_BYTES];
    int rc;

    if (api_query_get(r->query, "e", u->email, sizeof(u->email)) != 1 ||
        strchr(u->email, '@') == NULL) {
        api_reply_bad_parameter(resp, r, "e", "the address of the link");
        return -1;
    }
    if (api_query_get(r->query, "k", u->kind, sizeof(u->kind)) != 1 ||
        !api_notify_kind_valid(u->kind)) {
        api_reply_bad_parameter(resp, r, "k", "a kind of message (digest, schedule, ...)");
        return -1;
    }
    if (api_query_get(r->query, "t", u->token, sizeof(u->token)) != 1) {
        api_reply_bad_parameter(resp, r, "t", "the token of the link");
        return -1;
    }
    rc = r->store != NULL ? api_unsub_key(r->store, key) : TV_EUNAVAIL;
    if (rc != 0) {
        api_reply_error(resp, r, rc, tv_store_error(r->store));
        return -1;
    }
    rc = api_unsub_check(key, u->email, u->kind, u->token);
    memset(key, 0, sizeof(key));
    if (!rc) {
        api_reply_bad_parameter(resp, r, "t",
                                "the token of this address and kind (the link was "
                                "altered)");
        return -1;
    }
    return 0;
}

static const char page_button[] =
    "\"><input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">"
    "<button type=\"submit\" style=\"padding:10px 18px;font-size:16px;font-weight:bold;"
    "color:#fff;background:#2f6fde;border:0;border-radius:4px\">"
    "Annulla l'iscrizione / Unsubscribe</button></form>";

/* The page: a question with a button (GET), or the confirmation (POST), in Italian and in
 * English, naming the address and the kind of message in words. */
static void reply_page(api_resp_t *resp, const api_req_t *r, const unsub_t *u, int done)
{
    size_t n = sizeof(page_button) + 6 * (strlen(u->email) + strlen(r->query)) + 1600;
    char *body = malloc(n), *p = body;

    if (body == NULL) {
        api_reply_error(resp, r, TV_ENOMEM, "");
        return;
    }
    p = stpcpy(p, "<p style=\"margin:0 0 16px;font-size:15px\">");
    p = api_html_escape(p, u->email);
    p = stpcpy(p, "</p>");
    p +=
        sprintf(p,
                done ? "<p style=\"font-size:16px;line-height:1.5\">Fatto: non ricever&agrave; "
                       "pi&ugrave; %s.</p><p lang=\"en\" style=\"font-size:16px;line-height:1.5\">"
                       "Done: you will no longer receive %s.</p>"
                     : "<p style=\"font-size:16px;line-height:1.5\">Non ricevere pi&ugrave; %s?</p>"
                       "<p lang=\"en\" style=\"font-size:16px;line-height:1.5\">Stop receiving "
                       "%s?</p>",
                api_notify_kind_words(u->kind, "it"), api_notify_kind_words(u->kind, "en"));
    if (!done) {
        p = stpcpy(p, "<form method=\"post\" action=\"/v1/unsubscribe?");
        p = api_html_escape(p, r->query);
        stpcpy(p, page_button);
    }
    api_reply_page(resp, r, 200, body);
    free(body);
}

int api_h_unsubscribe_page(const api_req_t *r, api_resp_t *resp)
{
    unsub_t u;

    if (read_link(r, resp, &u) == 0)
        reply_page(resp, r, &u, 0);
    return 0;
}

/* 0 if the body says List-Unsubscribe=One-Click, as a urlencoded form or as a field of a
 * multipart/form-data one (RFC 8058 allows both). */
static int one_click(const api_req_t *r, const char *body, char *one, size_t size)
{
    const char *ct = r->content_type != NULL ? r->content_type : "";

    if (strncasecmp(ct, "multipart/form-data", 19) == 0)
        return strstr(body, "name=\"List-Unsubscribe\"") != NULL &&
                       strstr(body, "One-Click") != NULL
                   ? 0
                   : -1;
    return api_query_get(body, "List-Unsubscribe", one, size) == 1 && strcmp(one, "One-Click") == 0
               ? 0
               : -1;
}

int api_h_unsubscribe(const api_req_t *r, api_resp_t *resp)
{
    char body[256] = "", one[32] = "";
    unsub_t u;
    int rc;

    if (r->body_len < sizeof(body))
        memcpy(body, r->body != NULL ? r->body : "", r->body_len);
    if (one_click(r, body, one, sizeof(one)) != 0) {
        api_reply_problem(resp, r, 422, "invalid-field", "/List-Unsubscribe",
                          "send List-Unsubscribe=One-Click (RFC 8058) as the form body");
        return 0;
    }
    if (read_link(r, resp, &u) != 0)
        return 0;
    rc = tv_store_mail_unsubscribe(r->store, u.email, u.kind);
    if (rc != 0)
        api_reply_error(resp, r, rc, tv_store_error(r->store));
    else
        reply_page(resp, r, &u, 1);
    return 0;
}
