/* Prints the message tv_mail_build writes for the parts given on the command line, for
 * tests/engine/check_mail.py, which holds the expectations:
 *
 *   mail_sample TO_NAME TO_ADDRESS SUBJECT TEXT HTML ICS_FILE METHOD [NAME VALUE]...
 *
 * An empty ICS_FILE means no calendar part; each NAME VALUE pair is an extra header. Exits 1
 * with the error code on stderr when the builder refuses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tavolo/error.h"
#include "tavolo/mail.h"

#define MAX_HEADERS 8

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = calloc((size_t)n + 1, 1);
        if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

int main(int argc, char **argv)
{
    tv_mail_header_t headers[MAX_HEADERS];
    tv_mail_t m = {0};
    char *ics = NULL, *out = NULL;
    size_t len = 0, nh = 0;
    int rc;

    if (argc < 8 || (argc - 8) % 2 != 0 || (size_t)(argc - 8) / 2 > MAX_HEADERS) {
        fprintf(stderr, "usage: mail_sample TO_NAME TO_ADDRESS SUBJECT TEXT HTML ICS METHOD "
                        "[NAME VALUE]...\n");
        return 2;
    }
    for (int i = 8; i + 1 < argc; i += 2)
        headers[nh++] = (tv_mail_header_t){argv[i], argv[i + 1]};
    if (argv[6][0] != '\0' && (ics = slurp(argv[6])) == NULL)
        return 2;
    m = (tv_mail_t){.from_name = "tavolo",
                    .from_address = "notify@tavolo.example",
                    .to_names = (const char *const *)&argv[1],
                    .to_addresses = (const char *const *)&argv[2],
                    .n_to = 1,
                    .subject = argv[3],
                    .date_utc = 1798761600,
                    .message_id = "sample-1@tavolo",
                    .text = argv[4],
                    .html = argv[5],
                    .headers = headers,
                    .n_headers = nh,
                    .ics = ics,
                    .ics_method = argv[7]};
    rc = tv_mail_build(&m, &out, &len);
    if (rc != 0) {
        fprintf(stderr, "%s\n", tv_strerror(rc));
        free(ics);
        return 1;
    }
    fwrite(out, 1, len, stdout);
    free(out);
    free(ics);
    return 0;
}
