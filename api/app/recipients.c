/* The people of a profile at an event: the store's rows, copied out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "recipients.h"
#include "tavolo/error.h"

static int on_row(void *ctx, const char *const *cols, int n)
{
    api_recipients_t *r = ctx;
    api_recipient_t *grown, *p;

    if (n < 3 || cols[0] == NULL || cols[2] == NULL)
        return TV_EDB;
    grown = realloc(r->items, (r->n + 1) * sizeof(*grown));
    if (grown == NULL)
        return TV_ENOMEM;
    r->items = grown;
    p = &r->items[r->n];
    memset(p, 0, sizeof(*p));
    p->email = strdup(cols[0]);
    p->name = cols[1] != NULL ? strdup(cols[1]) : NULL;
    snprintf(p->language, sizeof(p->language), "%s", strcmp(cols[2], "it") == 0 ? "it" : "en");
    r->n++;
    return p->email == NULL || (cols[1] != NULL && p->name == NULL) ? TV_ENOMEM : 0;
}

int api_recipients_find(tv_store_t *st, const char *event_id, const char *kind, const char *id,
                        api_recipients_t *out)
{
    memset(out, 0, sizeof(*out));
    return tv_store_notify_recipients(st, event_id, kind, id, on_row, out);
}

int api_recipients_add(api_recipients_t *r, const char *email, const char *name,
                       const char *language)
{
    api_recipient_t *grown, *p;

    for (size_t i = 0; i < r->n; i++) {
        if (strcasecmp(r->items[i].email, email) == 0)
            return 0;
    }
    grown = realloc(r->items, (r->n + 1) * sizeof(*grown));
    if (grown == NULL)
        return TV_ENOMEM;
    r->items = grown;
    p = &r->items[r->n];
    memset(p, 0, sizeof(*p));
    p->email = strdup(email);
    p->name = name != NULL ? strdup(name) : NULL;
    if (p->email == NULL || (name != NULL && p->name == NULL)) {
        free(p->email);
        free(p->name);
        return TV_ENOMEM;
    }
    snprintf(p->language, sizeof(p->language), "%s",
             language != NULL && strcmp(language, "it") == 0 ? "it" : "en");
    r->n++;
    return 0;
}

void api_recipients_dispose(api_recipients_t *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->items[i].email);
        free(r->items[i].name);
    }
    free(r->items);
    memset(r, 0, sizeof(*r));
}
