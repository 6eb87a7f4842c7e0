/* The text search of the matches pages: the words of a search box turned into a prefix
 * full-text query over the profiles' 'search' vectors (migration 018, decision 0051). */
#include <stdio.h>
#include <string.h>

#include "store_internal.h"
#include "tavolo/error.h"

static int word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

/* 1 if 's' is well-formed UTF-8 (RFC 3629: no overlong forms, surrogates or code points
 * above U+10FFFF), which PostgreSQL requires of a text parameter. */
static int utf8_valid(const unsigned char *s)
{
    while (*s != '\0') {
        int n = *s < 0x80                  ? 0
                : *s >= 0xC2 && *s <= 0xDF ? 1
                : *s >= 0xE0 && *s <= 0xEF ? 2
                : *s >= 0xF0 && *s <= 0xF4 ? 3
                                           : -1;
        unsigned lo = 0x80, hi = 0xBF;

        if (n < 0)
            return 0;
        if (*s == 0xE0)
            lo = 0xA0;
        else if (*s == 0xED)
            hi = 0x9F;
        else if (*s == 0xF0)
            lo = 0x90;
        else if (*s == 0xF4)
            hi = 0x8F;
        s++;
        for (int k = 0; k < n; k++, s++) {
            if (*s < lo || *s > hi)
                return 0;
            lo = 0x80;
            hi = 0xBF;
        }
    }
    return 1;
}

int tv_store_search_query(const char *text, char *buf, size_t size)
{
    size_t at = 0, len = strlen(text);
    int words = 0;

    if (len > TV_SEARCH_MAX_BYTES || !utf8_valid((const unsigned char *)text))
        return TV_EINVAL;
    buf[0] = '\0';
    for (size_t i = 0; i < len;) {
        size_t start = i;

        while (i < len && word_byte((unsigned char)text[i]))
            i++;
        if (i == start) {
            i++;
            continue;
        }
        if (++words > TV_SEARCH_MAX_WORDS || at + (i - start) + 8 >= size)
            return TV_EINVAL;
        /* Letters, digits and UTF-8 bytes only: nothing here can end the quoted lexeme. */
        at += (size_t)snprintf(buf + at, size - at, "%s'%.*s':*", words > 1 ? " & " : "",
                               (int)(i - start), text + start);
    }
    return words > 0 ? words : TV_EINVAL;
}

typedef struct {
    tv_profile_kind_t kind;
    tv_store_participant_cb cb;
    void *ctx;
} search_t;

static int on_row(void *ctx, const char *const *cols, int n)
{
    search_t *s = ctx;

    (void)n;
    return s->cb(s->ctx, s->kind, cols[0]);
}

int tv_store_search(tv_store_t *st, tv_profile_kind_t kind, const char *text,
                    tv_store_participant_cb cb, void *ctx)
{
    char query[TV_SEARCH_MAX_BYTES * 2 + 16 * TV_SEARCH_MAX_WORDS];
    const char *params[1] = {query};
    search_t s = {kind, cb, ctx};
    int rc = tv_store_search_query(text, query, sizeof(query));

    if (rc < 0)
        return tv__store_set_error(st, rc, "a search needs 1 to %d words in at most %d bytes",
                                   TV_SEARCH_MAX_WORDS, TV_SEARCH_MAX_BYTES);
    return tv__store_each_row(
        st, "profile search",
        kind == TV_KIND_COMPANY
            ? "SELECT id FROM companies WHERE search @@ to_tsquery('simple', $1)"
            : "SELECT id FROM investors WHERE search @@ to_tsquery('simple', $1)",
        1, params, on_row, &s);
}
