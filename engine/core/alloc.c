/* The allocator every engine allocation goes through, with a switch that makes the Nth
 * allocation fail so tests can prove each failure path cleans up. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static long fail_countdown; /* 0: never fail; n > 0: the nth call from now fails */

void tv__alloc_fail_at(long n)
{
    fail_countdown = n;
}

static int should_fail(void)
{
    if (fail_countdown <= 0)
        return 0;
    return --fail_countdown == 0;
}

void *tv__malloc(size_t n)
{
    if (should_fail())
        return NULL;
    return malloc(n == 0 ? 1 : n);
}

void *tv__calloc(size_t count, size_t size)
{
    if (should_fail())
        return NULL;
    return calloc(count == 0 ? 1 : count, size == 0 ? 1 : size);
}

void *tv__realloc(void *p, size_t n)
{
    if (should_fail())
        return NULL;
    return realloc(p, n == 0 ? 1 : n);
}

char *tv__strdup(const char *s)
{
    return tv__strndup(s, strlen(s));
}

char *tv__strndup(const char *s, size_t n)
{
    char *d = tv__malloc(n + 1);

    if (d == NULL)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

void tv__free(void *p)
{
    free(p);
}

int tv__grow(void **items, size_t *cap, size_t need, size_t item_size)
{
    size_t ncap = *cap == 0 ? 8 : *cap;
    void *p;

    if (need <= *cap)
        return 0;
    while (ncap < need)
        ncap *= 2;
    p = tv__realloc(*items, ncap * item_size);
    if (p == NULL)
        return TV_ENOMEM;
    *items = p;
    *cap = ncap;
    return 0;
}
