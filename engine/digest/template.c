/* The digest templates: values, lists of items, and rendering with HTML escaping. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "tavolo/error.h"
#include "tavolo/template.h"

#define MAX_DEPTH 8

typedef struct {
    char *key;
    char *value;           /* a value, or NULL for a list */
    tv_tpl_data_t **items; /* a list */
    size_t n_items, cap_items;
} entry_t;

struct tv_tpl_data {
    entry_t *entries;
    size_t n, cap;
};

typedef struct {
    char *buf;
    size_t len, cap;
    int html;
    const char *start; /* the template, for the line rule */
    char *err;
    size_t err_size;
} out_t;

int tv_tpl_data_create(tv_tpl_data_t **out)
{
    tv_tpl_data_t *d = tv__calloc(1, sizeof(*d));

    if (d == NULL)
        return TV_ENOMEM;
    *out = d;
    return 0;
}

void tv_tpl_data_destroy(tv_tpl_data_t *d)
{
    if (d == NULL)
        return;
    for (size_t i = 0; i < d->n; i++) {
        tv__free(d->entries[i].key);
        tv__free(d->entries[i].value);
        for (size_t k = 0; k < d->entries[i].n_items; k++)
            tv_tpl_data_destroy(d->entries[i].items[k]);
        tv__free(d->entries[i].items);
    }
    tv__free(d->entries);
    tv__free(d);
}

static entry_t *find_entry(const tv_tpl_data_t *d, const char *key, size_t key_len)
{
    for (size_t i = 0; i < d->n; i++) {
        if (strlen(d->entries[i].key) == key_len && memcmp(d->entries[i].key, key, key_len) == 0)
            return &d->entries[i];
    }
    return NULL;
}

static entry_t *new_entry(tv_tpl_data_t *d, const char *key)
{
    entry_t *e;

    if (tv__grow((void **)&d->entries, &d->cap, d->n + 1, sizeof(*d->entries)) != 0)
        return NULL;
    e = &d->entries[d->n];
    memset(e, 0, sizeof(*e));
    e->key = tv__strdup(key);
    if (e->key == NULL)
        return NULL;
    d->n++;
    return e;
}

int tv_tpl_set(tv_tpl_data_t *d, const char *key, const char *value)
{
    entry_t *e = find_entry(d, key, strlen(key));
    char *copy = tv__strdup(value != NULL ? value : "");

    if (copy == NULL)
        return TV_ENOMEM;
    if (e == NULL)
        e = new_entry(d, key);
    if (e == NULL || e->items != NULL) {
        tv__free(copy);
        return e == NULL ? TV_ENOMEM : TV_EINVAL;
    }
    tv__free(e->value);
    e->value = copy;
    return 0;
}

int tv_tpl_list(tv_tpl_data_t *d, const char *key)
{
    entry_t *e = find_entry(d, key, strlen(key));

    if (e == NULL)
        e = new_entry(d, key);
    if (e == NULL)
        return TV_ENOMEM;
    return e->value != NULL ? TV_EINVAL : 0;
}

int tv_tpl_add(tv_tpl_data_t *d, const char *key, tv_tpl_data_t **item)
{
    tv_tpl_data_t *x = NULL;
    entry_t *e;
    int rc = tv_tpl_list(d, key);

    if (rc != 0)
        return rc;
    e = find_entry(d, key, strlen(key));
    if (tv__grow((void **)&e->items, &e->cap_items, e->n_items + 1, sizeof(*e->items)) != 0 ||
        tv_tpl_data_create(&x) != 0)
        return TV_ENOMEM;
    e->items[e->n_items++] = x;
    *item = x;
    return 0;
}

/* ---- rendering ---- */

static int put(out_t *o, const char *s, size_t n)
{
    if (tv__grow((void **)&o->buf, &o->cap, o->len + n + 1, 1) != 0)
        return TV_ENOMEM;
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len] = '\0';
    return 0;
}

static int put_value(out_t *o, const char *v)
{
    int rc = 0;

    if (!o->html)
        return put(o, v, strlen(v));
    for (const char *p = v; rc == 0 && *p != '\0'; p++) {
        const char *esc = *p == '&'    ? "&amp;"
                          : *p == '<'  ? "&lt;"
                          : *p == '>'  ? "&gt;"
                          : *p == '"'  ? "&quot;"
                          : *p == '\'' ? "&#39;"
                                       : NULL;

        rc = esc != NULL ? put(o, esc, strlen(esc)) : put(o, p, 1);
    }
    return rc;
}

static int fail(out_t *o, const char *what, const char *name, size_t n)
{
    if (o->err != NULL)
        snprintf(o->err, o->err_size, "%s \"%.*s\"", what, (int)n, name);
    return TV_EINVAL;
}

static const entry_t *lookup(tv_tpl_data_t *const *stack, size_t depth, const char *key, size_t n)
{
    for (size_t i = depth; i > 0; i--) {
        const entry_t *e = find_entry(stack[i - 1], key, n);

        if (e != NULL)
            return e;
    }
    return NULL;
}

/* Finds the "{{/name}}" closing the block that starts at 'p', skipping nested blocks of the
 * same name. Returns a pointer to its "{{", or NULL. */
static const char *find_close(const char *p, const char *name, size_t n)
{
    int depth = 1;

    for (const char *q = strstr(p, "{{"); q != NULL; q = strstr(q + 2, "{{")) {
        char c = q[2];

        if ((c == '#' || c == '^' || c == '/') && strncmp(q + 3, name, n) == 0 &&
            strncmp(q + 3 + n, "}}", 2) == 0) {
            depth += c == '/' ? -1 : 1;
            if (depth == 0)
                return q;
        }
    }
    return NULL;
}

static int render(out_t *o, const char *p, const char *end, tv_tpl_data_t **stack, size_t depth);

/* A block tag alone on its line takes the line's end with it, so that templates can put their
 * tags on lines of their own (Mustache's "standalone" rule). Returns 1 or 0, the bytes to skip. */
static size_t standalone(const out_t *o, const char *open, const char *after)
{
    return (open == o->start || open[-1] == '\n') && *after == '\n';
}

static int render_block(out_t *o, char kind, const entry_t *e, const char *body, const char *end,
                        tv_tpl_data_t **stack, size_t depth)
{
    int truthy = e->value != NULL ? e->value[0] != '\0' : e->n_items > 0;
    int rc = 0;

    if (kind == '^')
        return truthy ? 0 : render(o, body, end, stack, depth);
    if (e->value != NULL)
        return truthy ? render(o, body, end, stack, depth) : 0;
    if (depth == MAX_DEPTH)
        return fail(o, "blocks nested too deep at", e->key, strlen(e->key));
    for (size_t i = 0; rc == 0 && i < e->n_items; i++) {
        stack[depth] = e->items[i];
        rc = render(o, body, end, stack, depth + 1);
    }
    return rc;
}

static int render(out_t *o, const char *p, const char *end, tv_tpl_data_t **stack, size_t depth)
{
    int rc = 0;

    while (rc == 0 && p < end) {
        const char *open = strstr(p, "{{"), *close, *name;
        const entry_t *e;
        size_t n;
        char kind;

        if (open == NULL || open >= end)
            return put(o, p, (size_t)(end - p));
        rc = put(o, p, (size_t)(open - p));
        close = strstr(open + 2, "}}");
        if (rc != 0 || close == NULL || close > end)
            return rc != 0 ? rc : fail(o, "unclosed tag at", open, 8);
        kind = open[2];
        name = kind == '#' || kind == '^' || kind == '/' ? open + 3 : open + 2;
        n = (size_t)(close - name);
        if (kind == '/')
            return fail(o, "stray closing tag", name, n);
        e = lookup(stack, depth, name, n);
        if (e == NULL)
            return fail(o, "unknown name", name, n);
        if (kind != '#' && kind != '^') {
            rc = e->value != NULL ? put_value(o, e->value)
                                  : fail(o, "a list used as a value", name, n);
            p = close + 2;
            continue;
        }
        {
            char key[64];
            const char *stop;

            snprintf(key, sizeof(key), "%.*s", (int)n, name);
            stop = find_close(close + 2, key, strlen(key));
            if (stop == NULL || stop > end)
                return fail(o, "unclosed block", name, n);
            rc = render_block(o, kind, e, close + 2 + standalone(o, open, close + 2), stop, stack,
                              depth);
            p = stop + 3 + n + 2;
            p += standalone(o, stop, p);
        }
    }
    return rc;
}

int tv_tpl_render(const char *tpl, const tv_tpl_data_t *d, int html, char **out, char *err,
                  size_t err_size)
{
    out_t o = {NULL, 0, 0, html, tpl, err, err_size};
    tv_tpl_data_t *stack[MAX_DEPTH + 1];
    int rc;

    stack[0] = (tv_tpl_data_t *)d;
    rc = put(&o, "", 0);
    if (rc == 0)
        rc = render(&o, tpl, tpl + strlen(tpl), stack, 1);
    if (rc != 0) {
        tv__free(o.buf);
        return rc;
    }
    *out = o.buf; /* tv__malloc'd memory is plain malloc memory: free() releases it */
    return 0;
}
