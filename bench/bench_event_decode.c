/* bench_event_decode: tv_codec_event_decode on a generated event file the size of BIO-Europe
 * (two companies to each investor, one person each, a tenth away for a slot, requests for
 * distinct pairs), the decoding every route and job that loads an event pays. Prints the best
 * of --repeat timings, one JSON object. Goal: well under 0.1 s at 6,000 participants and 14,000
 * requests (it took 1.55 s before the codec indexed participants and pairs).
 * Usage: bench_event_decode [--participants N] [--requests R] [--repeat K] */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tavolo/codec.h"
#include "tavolo/error.h"
#include "tavolo/event.h"

typedef struct {
    char *s;
    size_t n, cap;
} buf_t;

static void put(buf_t *b, const char *fmt, ...)
{
    va_list ap;
    int len;

    va_start(ap, fmt);
    len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    while (b->n + (size_t)len + 1 > b->cap) {
        b->cap = b->cap == 0 ? 1 << 20 : 2 * b->cap;
        b->s = realloc(b->s, b->cap);
        if (b->s == NULL) {
            fprintf(stderr, "bench_event_decode: out of memory\n");
            exit(1);
        }
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
    va_end(ap);
    b->n += (size_t)len;
}

static void put_participants(buf_t *b, size_t companies, size_t investors)
{
    for (size_t i = 0; i < companies + investors; i++) {
        int company = i < companies;
        size_t k = company ? i : i - companies;

        put(b,
            "%s{\"kind\":\"%s\",\"id\":\"%c-%06zu\",\"people\":[{\"name\":\"Person %zu\","
            "\"email\":\"person-%c-%zu@bench.example\"}]%s}",
            i == 0 ? "" : ",", company ? "company" : "investor", company ? 'c' : 'i', k, i,
            company ? 'c' : 'i', k, i % 10 == 0 ? ",\"unavailable\":[\"2027-11-03T10:00\"]" : "");
    }
}

/* Request k joins company k % companies and an investor that makes each pair distinct. */
static void put_requests(buf_t *b, size_t companies, size_t investors, size_t requests)
{
    for (size_t k = 0; k < requests; k++) {
        size_t c = k % companies, i = (k / companies + c * 7) % investors;

        put(b,
            "%s{\"company_id\":\"c-%06zu\",\"investor_id\":\"i-%06zu\",\"from\":\"%s\","
            "\"priority\":\"%s\",\"status\":\"pending\",\"message\":\"We would like to meet.\"}",
            k == 0 ? "" : ",", c, i, k % 3 == 0 ? "investor" : "company",
            k % 4 == 0 ? "must" : "want");
    }
}

static void make_event(buf_t *b, size_t participants, size_t requests)
{
    size_t investors = participants / 3, companies = participants - investors;

    put(b, "{\"id\":\"bench-2027\",\"name\":\"Bench\",\"city\":\"Vienna\",\"time_zone\":"
           "\"Europe/Vienna\",\"days\":[\"2027-11-02\",\"2027-11-03\",\"2027-11-04\"],"
           "\"day_start\":\"09:00\",\"day_end\":\"17:00\",\"slot_minutes\":30,\"breaks\":"
           "[{\"start\":\"12:30\",\"end\":\"13:30\"}],\"tables\":600,\"participants\":[");
    put_participants(b, companies, investors);
    put(b, "],\"requests\":[");
    put_requests(b, companies, investors, requests);
    put(b, "]}");
}

static double now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* One decoding of 'b', in seconds; exits when the codec refuses the file. */
static double decode_once(const buf_t *b)
{
    tv_event_t e;
    tv_diags_t diags = {0};
    double t0 = now(), t;
    int rc = tv_codec_event_decode(b->s, b->n, &e, &diags);

    t = now() - t0;
    if (rc != 0) {
        fprintf(stderr, "bench_event_decode: %s: %s: %s\n", tv_strerror(rc),
                diags.n > 0 ? diags.items[0].field : "", diags.n > 0 ? diags.items[0].message : "");
        exit(1);
    }
    tv_event_dispose(&e);
    tv_diags_dispose(&diags);
    return t;
}

int main(int argc, char **argv)
{
    size_t participants = 6000, requests = 14000, repeat = 3;
    buf_t b = {0};
    double best = 1e9;

    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--participants") == 0)
            participants = strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--requests") == 0)
            requests = strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--repeat") == 0)
            repeat = strtoul(argv[i + 1], NULL, 10);
    }
    if (participants < 3 || repeat == 0 ||
        requests > (participants - participants / 3) * (participants / 3)) {
        fprintf(stderr, "usage: bench_event_decode [--participants N>=3] [--requests R "
                        "(distinct pairs)] [--repeat K>=1]\n");
        return 2;
    }
    make_event(&b, participants, requests);
    for (size_t r = 0; r < repeat; r++) {
        double t = decode_once(&b);

        best = t < best ? t : best;
    }
    printf("{\"participants\": %zu, \"requests\": %zu, \"bytes\": %zu, \"decode_seconds\": %.4f}\n",
           participants, requests, b.n, best);
    free(b.s);
    return 0;
}
