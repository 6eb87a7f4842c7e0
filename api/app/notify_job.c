/* The notify job's shared parts (see notify_job.h): building, rendering and queueing one
 * message. Moved from notify.c unchanged so that notify_deadline.c builds its messages alike. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "notify_job.h"
#include "tavolo/error.h"
#include "tavolo/mail.h"

unsigned long long api__notify_fnv(const char *s, unsigned long long h)
{
    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

unsigned long long api__notify_address_tag(const char *email)
{
    unsigned long long h = API_FNV0;

    for (; *email != '\0'; email++) {
        char c = *email >= 'A' && *email <= 'Z' ? (char)(*email + 32) : *email;

        h = (h ^ (unsigned char)c) * 1099511628211ULL;
    }
    return h;
}

/* Renders template 'name' in 'lang' as text (whose first line is the subject) and HTML. */
int api__notify_render(job_t *j, const char *name, const char *lang, const tv_tpl_data_t *d,
                       rendered_t *out)
{
    char path[4096], msg[256] = "", *nl;
    const char *tpl;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    for (int k = 0; k < 2 && rc == 0; k++) {
        snprintf(path, sizeof(path), "%s/%s.%s.%s", j->o->templates, name, lang,
                 k ? "html" : "txt");
        if ((tpl = api__notify_template(j, path)) == NULL)
            rc = api__notify_fail(j, TV_EIO, path, "cannot read");
        else if ((rc = tv_tpl_render(tpl, d, k, k ? &out->html : &out->text, msg, sizeof(msg))) !=
                 0)
            api__notify_fail(j, rc, path, msg);
    }
    if (rc != 0)
        return rc;
    nl = strchr(out->text, '\n');
    out->subject = nl != NULL ? strndup(out->text, (size_t)(nl - out->text)) : strdup(out->text);
    if (out->subject == NULL)
        return TV_ENOMEM;
    memmove(out->text, nl != NULL ? nl + 1 : "", strlen(nl != NULL ? nl + 1 : "") + 1);
    for (char *p = out->subject; *p != '\0'; p++)
        if (*p == '\r' || *p == '\t')
            *p = ' ';
    return 0;
}

void api__notify_rendered_dispose(rendered_t *r)
{
    free(r->subject), free(r->text), free(r->html);
    memset(r, 0, sizeof(*r));
}

/* Builds one message to 'p' and queues it (written in a batch, see notify_batch.c); an
 * unsubscribed kind or a Message-ID queued already counts as skipped. */
int api__notify_queue(job_t *j, const char *kind, const char *event_id, const api_recipient_t *p,
                      const rendered_t *r, const char *unsub, const char *message_id,
                      const char *ics, const char *method)
{
    char lu[2048];
    tv_mail_header_t hdr[2] = {{"List-Unsubscribe", lu},
                               {"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"}};
    const char *names[1] = {p->name}, *addrs[1] = {p->email};
    tv_mail_t m = {"tavolo",   j->o->from, names,   addrs, 1, r->subject, (int64_t)time(NULL),
                   message_id, r->text,    r->html, hdr,   2, ics,        method};
    tv_mail_row_t row = {message_id, kind,        event_id,   p->email,
                         p->name,    p->language, r->subject, NULL};
    char *body = NULL;
    size_t len = 0;
    int rc;

    snprintf(lu, sizeof(lu), "<%s>", unsub);
    rc = tv_mail_build(&m, &body, &len);
    if (rc != 0)
        return api__notify_fail(j, rc, message_id, "the message cannot be built");
    row.body = body;
    rc = api__notify_add_mail(j, &row);
    free(body);
    return rc;
}
