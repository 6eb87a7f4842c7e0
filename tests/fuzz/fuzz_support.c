/* Fixture loading and checks shared by the fuzz harnesses and the replay driver. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tavolo/error.h"

void fuzz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "%s:%d: fuzz check failed: %s\n", file, line, what);
    abort();
}

char *fuzz_read_fixture(const char *rel, size_t *len)
{
    char path[1024];
    FILE *f;
    long n = 0;
    char *buf = NULL;

    snprintf(path, sizeof(path), "%s/%s", TV_FIXTURES_DIR, rel);
    f = fopen(path, "rb");
    FUZZ_CHECK(f != NULL, "a fixture cannot be opened");
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n + 1);
        if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    FUZZ_CHECK(buf != NULL, "a fixture cannot be read");
    buf[n] = '\0';
    if (len != NULL)
        *len = (size_t)n;
    return buf;
}

const tv_taxonomy_t *fuzz_taxonomy(void)
{
    static tv_taxonomy_t *tax;
    tv_diags_t diags = {0};
    size_t len;
    char *buf;

    if (tax != NULL)
        return tax;
    buf = fuzz_read_fixture("taxonomy.json", &len);
    FUZZ_CHECK(tv_codec_taxonomy_parse(buf, len, &tax, &diags) == 0,
               "fixtures/taxonomy.json does not parse");
    tv_diags_dispose(&diags);
    free(buf);
    return tax;
}

tv_match_config_t fuzz_match_config(void)
{
    tv_match_config_t cfg;
    tv_diags_t diags = {0};
    size_t len;
    char *buf = fuzz_read_fixture("match.json", &len);

    memset(&cfg, 0, sizeof(cfg));
    FUZZ_CHECK(tv_codec_match_config_parse(buf, len, 1, &cfg, &diags) == 0,
               "fixtures/match.json does not parse");
    tv_diags_dispose(&diags);
    free(buf);
    return cfg;
}

char *fuzz_strndup(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);

    FUZZ_CHECK(s != NULL, "out of memory copying the input");
    if (size > 0)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

int fuzz_iso_date_shape(const char *s)
{
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7 ? s[i] != '-' : !(s[i] >= '0' && s[i] <= '9'))
            return 0;
    }
    return s[10] == '\0';
}

/* The length of the UTF-8 sequence led by byte 'c' and the smallest code point it may hold. */
static size_t utf8_lead(unsigned char c, uint32_t *min)
{
    *min = c < 0xE0 ? 0x80 : c < 0xF0 ? 0x800 : 0x10000;
    return c < 0x80 ? 1 : c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
}

int fuzz_utf8_valid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;

    for (size_t i = 0; i < n;) {
        uint32_t min, cp;
        size_t len = utf8_lead(u[i], &min);

        if (len == 0 || i + len > n)
            return 0;
        cp = len == 1 ? u[i] : u[i] & (0x7F >> len);
        for (size_t k = 1; k < len; k++) {
            if ((u[i + k] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (u[i + k] & 0x3F);
        }
        if ((len > 1 && cp < min) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += len;
    }
    return 1;
}

void fuzz_check_diags(int rc, const tv_diags_t *diags)
{
    FUZZ_CHECK(rc != TV_ENOMEM, "TV_ENOMEM without an allocation failure (a misreported input)");
    FUZZ_CHECK(rc >= 0 || diags->n > 0, "a failure without a diagnostic");
    for (size_t i = 0; i < diags->n; i++) {
        FUZZ_CHECK(diags->items[i].message != NULL && diags->items[i].message[0] != '\0',
                   "a diagnostic without a message");
        FUZZ_CHECK(diags->items[i].field != NULL, "a diagnostic with a NULL field");
    }
}

void fuzz_check_api_diags(int rc, const tv_diags_t *diags)
{
    fuzz_check_diags(rc, diags);
    for (size_t i = 0; i < diags->n; i++) {
        FUZZ_CHECK(fuzz_utf8_valid(diags->items[i].field, strlen(diags->items[i].field)),
                   "a diagnostic's path is not UTF-8 (cut inside a character?)");
    }
}
