/* Reading a side's signals and turning them into matcher rows (see signals.h). */
#include <stdlib.h>
#include <string.h>

#include "signals.h"
#include "tavolo/error.h"

static int grow(app_signals_t *s)
{
    size_t cap = s->cap ? 2 * s->cap : 16;
    char **owners = realloc(s->owners, cap * sizeof(char *));
    char **others = owners != NULL ? realloc(s->others, cap * sizeof(char *)) : NULL;
    int8_t *judged = others != NULL ? realloc(s->judged, cap) : NULL;
    uint8_t *hidden = judged != NULL ? realloc(s->hidden, cap) : NULL;

    s->owners = owners != NULL ? owners : s->owners;
    s->others = others != NULL ? others : s->others;
    s->judged = judged != NULL ? judged : s->judged;
    if (hidden == NULL)
        return TV_ENOMEM;
    s->hidden = hidden;
    s->cap = cap;
    return 0;
}

static int on_signal(void *ctx, const char *own_id, const char *other_id, int judged, int hidden)
{
    app_signals_t *s = ctx;

    if (s->n == s->cap && grow(s) != 0)
        return TV_ENOMEM;
    s->owners[s->n] = strdup(own_id);
    s->others[s->n] = strdup(other_id);
    if (s->owners[s->n] == NULL || s->others[s->n] == NULL) {
        free(s->owners[s->n]);
        free(s->others[s->n]);
        return TV_ENOMEM;
    }
    s->judged[s->n] = (int8_t)(judged > 0 ? 1 : judged < 0 ? -1 : 0);
    s->hidden[s->n++] = (uint8_t)(hidden != 0);
    return 0;
}

int app_signals_read(tv_store_t *st, tv_profile_kind_t kind, const char *id, app_signals_t *out)
{
    int rc;

    memset(out, 0, sizeof(*out));
    rc = tv_store_signals(st, kind, id, on_signal, out);
    if (rc != 0)
        app_signals_dispose(out);
    return rc;
}

/* The first signal of owner 'id' or after it. */
static size_t first_of(const app_signals_t *s, const char *id)
{
    size_t lo = 0, hi = s->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (strcmp(s->owners[mid], id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int app_signals_rows(const app_signals_t *s, const char *id, const tv_matcher_t *m,
                     tv_profile_kind_t kind, tv_signals_t *out)
{
    size_t from = first_of(s, id), to = from, n = 0;
    tv_signal_t *items;

    while (to < s->n && strcmp(s->owners[to], id) == 0)
        to++;
    items = calloc(to - from + 1, sizeof(tv_signal_t));
    if (items == NULL)
        return TV_ENOMEM;
    for (size_t k = from; k < to; k++) {
        int at = kind == TV_KIND_COMPANY ? tv_matcher_find_investor(m, s->others[k])
                                         : tv_matcher_find_company(m, s->others[k]);

        if (at >= 0)
            items[n++] = (tv_signal_t){(uint32_t)at, s->judged[k], s->hidden[k]};
    }
    out->items = items;
    out->n = n;
    return 0;
}

void app_signals_dispose(app_signals_t *s)
{
    for (size_t k = 0; k < s->n; k++) {
        free(s->owners[k]);
        free(s->others[k]);
    }
    free(s->owners);
    free(s->others);
    free(s->judged);
    free(s->hidden);
    memset(s, 0, sizeof(*s));
}
