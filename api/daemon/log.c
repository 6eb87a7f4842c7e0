/* One JSON object per line. Values logged are the daemon's own (routes, ids it made), and
 * messages are escaped, so every line parses. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "log.h"

static void timestamp(char *buf, size_t size)
{
    struct timeval tv;
    struct tm tm;

    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + strlen(buf), size - strlen(buf), ".%03dZ", (int)(tv.tv_usec / 1000));
}

/* Writes 's' as a JSON string body (without quotes). */
static void escape(FILE *out, const char *s)
{
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
}

void api_log_request(const char *method, const char *route, int status, double seconds,
                     const char *request_id, const char *note)
{
    char ts[40];

    timestamp(ts, sizeof(ts));
    flockfile(stderr);
    fprintf(stderr, "{\"time\":\"%s\",\"level\":\"%s\",\"method\":\"%s\",\"route\":\"", ts,
            status >= 500 ? "error" : "info", method);
    escape(stderr, route);
    fprintf(stderr, "\",\"status\":%d,\"duration_ms\":%.3f,\"request_id\":\"%s\"", status,
            seconds * 1000, request_id);
    if (note != NULL) {
        fputs(",\"note\":\"", stderr);
        escape(stderr, note);
        fputc('"', stderr);
    }
    fputs("}\n", stderr);
    funlockfile(stderr);
}

void api_log(const char *level, const char *fmt, ...)
{
    char ts[40], msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    timestamp(ts, sizeof(ts));
    flockfile(stderr);
    fprintf(stderr, "{\"time\":\"%s\",\"level\":\"%s\",\"message\":\"", ts, level);
    escape(stderr, msg);
    fputs("\"}\n", stderr);
    funlockfile(stderr);
}

double api_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
