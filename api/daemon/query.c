/* Query string parsing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"

static int hexval(int c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

static int decode(const char *s, size_t n, char *buf, size_t size)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];

        if (o + 1 >= size)
            return -1;
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (i + 2 >= n || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0)
                return -1;
            c = hexval(s[i + 1]) * 16 + hexval(s[i + 2]);
            i += 2;
        }
        buf[o++] = (char)c;
    }
    buf[o] = '\0';
    return 1;
}

int api_query_get(const char *query, const char *name, char *buf, size_t size)
{
    size_t len = strlen(name);
    const char *p = query;

    while (p != NULL && *p != '\0') {
        const char *end = strchr(p, '&');
        size_t n = end != NULL ? (size_t)(end - p) : strlen(p);

        if (n > len && strncmp(p, name, len) == 0 && p[len] == '=')
            return decode(p + len + 1, n - len - 1, buf, size);
        if (n == len && strncmp(p, name, len) == 0)
            return decode("", 0, buf, size);
        p = end != NULL ? end + 1 : NULL;
    }
    return 0;
}

int api_query_int(const char *query, const char *name, long min, long max, long fallback, long *out)
{
    char buf[32], *end;
    int found = api_query_get(query, name, buf, sizeof(buf));
    long v;

    if (found == 0) {
        *out = fallback;
        return 0;
    }
    if (found < 0)
        return -1;
    errno = 0;
    v = strtol(buf, &end, 10);
    if (errno != 0 || end == buf || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int api_query_check(const char *query, const char *const *allowed, char *bad, size_t size)
{
    const char *p = query;

    while (p != NULL && *p != '\0') {
        const char *end = strchr(p, '&');
        size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
        size_t name_len = strcspn(p, "=&");
        int known = 0, seen = 0;

        if (name_len > n)
            name_len = n;
        for (size_t i = 0; allowed != NULL && allowed[i] != NULL && !known; i++)
            known = strlen(allowed[i]) == name_len && strncmp(allowed[i], p, name_len) == 0;
        for (const char *q = query; known && q < p;) { /* seen before? */
            const char *qe = strchr(q, '&');

            if (strcspn(q, "=&") == name_len && strncmp(q, p, name_len) == 0)
                seen = 1;
            q = qe != NULL ? qe + 1 : p;
        }
        if (n > 0 && (!known || seen)) {
            snprintf(bad, size, "%.*s", (int)(name_len < 60 ? name_len : 60), p);
            return -1;
        }
        p = end != NULL ? end + 1 : NULL;
    }
    return 0;
}
