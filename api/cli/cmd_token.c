/* tavolo token: creates, lists and revokes the API's bearer tokens. A new token is printed
 * once, alone on stdout; the database keeps only its hash. */
#include <getopt.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "cli.h"
#include "tavolo/token.h"

#define ID_MAX_BYTES 64 /* as api_principal_t and the tokens table hold them */

static const char usage_text[] =
    "usage: tavolo token create --role admin|organiser|investor|company [--subject ID] "
    "[--event ID] [--label TEXT]\n"
    "       tavolo token list [--json]\n"
    "       tavolo token revoke ID\n";

typedef struct {
    const char *role, *subject, *event, *label;
} create_opts_t;

static int usage(void)
{
    fputs(usage_text, stderr);
    return CLI_USAGE;
}

static int parse_create(int argc, char **argv, create_opts_t *o)
{
    static const struct option longopts[] = {{"role", required_argument, NULL, 'r'},
                                             {"subject", required_argument, NULL, 's'},
                                             {"event", required_argument, NULL, 'e'},
                                             {"label", required_argument, NULL, 'l'},
                                             {NULL, 0, NULL, 0}};
    int c;

    while ((c = getopt_long(argc, argv, "r:s:e:l:", longopts, NULL)) != -1) {
        if (c == 'r')
            o->role = optarg;
        else if (c == 's')
            o->subject = optarg;
        else if (c == 'e')
            o->event = optarg;
        else if (c == 'l')
            o->label = optarg;
        else
            return -1;
    }
    return optind == argc ? 0 : -1;
}

static int valid_id(const char *id)
{
    return id[0] != '\0' && strlen(id) <= ID_MAX_BYTES;
}

/* Checks that the role names what it must and nothing else; explains the first problem. */
static int check_create(const create_opts_t *o, api_role_t *role)
{
    int has_subject = 0;

    if (o->role == NULL || api_role_parse(o->role, role) != 0) {
        cli_error("%s (admin, organiser, investor or company)",
                  o->role == NULL ? "--role is required" : "unknown --role");
        return -1;
    }
    has_subject = *role == API_ROLE_INVESTOR || *role == API_ROLE_COMPANY;
    if (has_subject && o->subject == NULL)
        cli_error("--subject is required for --role %s", o->role);
    else if (!has_subject && o->subject != NULL)
        cli_error("--subject is only for --role investor or company");
    else if (*role == API_ROLE_ORGANISER && o->event == NULL)
        cli_error("--event is required for --role organiser");
    else if (*role != API_ROLE_ORGANISER && o->event != NULL)
        cli_error("--event is only for --role organiser");
    else if (o->subject != NULL && !valid_id(o->subject))
        cli_error("--subject must be 1 to %d characters", ID_MAX_BYTES);
    else if (o->event != NULL && !valid_id(o->event))
        cli_error("--event must be 1 to %d characters", ID_MAX_BYTES);
    else
        return 0;
    return -1;
}

static int on_profile(void *ctx, const char *id, const char *json, size_t len)
{
    (void)id;
    (void)json;
    (void)len;
    *(int *)ctx = 1;
    return 0;
}

/* Warns when the token names a profile that has not been imported yet. */
static void warn_missing_subject(tv_store_t *st, api_role_t role, const char *subject)
{
    tv_profile_kind_t kind = role == API_ROLE_COMPANY ? TV_KIND_COMPANY : TV_KIND_INVESTOR;
    const char *ids[1] = {subject};
    int found = 0;

    if (tv_store_each(st, kind, ids, 1, on_profile, &found) == 0 && !found)
        cli_error("warning: no %s \"%s\" yet; the token will act for it once it is imported",
                  api_role_name(role), subject);
}

/* Prints how the new token is scoped, on stderr so stdout holds the token alone. */
static void print_note(int64_t id, api_role_t role, const create_opts_t *o)
{
    fprintf(stderr, "token %" PRId64 " for %s%s%s%s: shown once, store it now\n", id,
            api_role_name(role), o->subject != NULL ? " " : (o->event != NULL ? " of event " : ""),
            o->subject != NULL ? o->subject : "", o->event != NULL ? o->event : "");
}

static int token_create(int argc, char **argv)
{
    create_opts_t o = {NULL, NULL, NULL, NULL};
    char token[API_AUTH_TOKEN_SIZE];
    uint8_t hash[TV_TOKEN_HASH_BYTES];
    tv_store_t *st = NULL;
    api_role_t role;
    int64_t id = 0;
    int rc;

    if (parse_create(argc, argv, &o) != 0)
        return usage();
    if (check_create(&o, &role) != 0)
        return CLI_USAGE;
    rc = cli_open_store(&st);
    if (rc == 0 && (rc = api_auth_new_token(token, sizeof(token), hash)) != 0)
        cli_error("cannot make a token: %s", tv_strerror(rc));
    if (rc == 0) {
        rc = tv_store_token_create(st, hash, api_role_name(role), o.subject, o.event, o.label, &id);
        if (rc == TV_ENOTFOUND)
            cli_error("%s", tv_store_error(st));
        else if (rc != 0)
            cli_error("cannot store the token: %s", tv_store_error(st));
    }
    if (rc == 0) {
        printf("%s\n", token);
        fflush(stdout);
        print_note(id, role, &o);
        if (o.subject != NULL)
            warn_missing_subject(st, role, o.subject);
    }
    sodium_memzero(token, sizeof(token));
    tv_store_close(st);
    return rc == 0 ? CLI_OK : CLI_FAILED;
}

/* Writes 's' as a JSON string, or null. */
static void print_json_string(const char *s)
{
    if (s == NULL) {
        fputs("null", stdout);
        return;
    }
    putchar('"');
    for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++) {
        if (*c == '"' || *c == '\\')
            printf("\\%c", *c);
        else if (*c < 0x20)
            printf("\\u%04x", *c);
        else
            putchar(*c);
    }
    putchar('"');
}

static int on_token_json(void *ctx, const tv_token_row_t *r)
{
    const char *names[] = {"role",       "subject",      "event_id",  "label",
                           "created_at", "last_used_at", "revoked_at"};
    const char *values[] = {r->role,       r->subject,      r->event_id,  r->label,
                            r->created_at, r->last_used_at, r->revoked_at};
    size_t *n = ctx;

    printf("%s\n  {\"id\": %" PRId64, (*n)++ > 0 ? "," : "", r->id);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        printf(", \"%s\": ", names[i]);
        print_json_string(values[i]);
    }
    putchar('}');
    return 0;
}

#define OR_DASH(s) ((s) != NULL ? (s) : "-")

static int on_token_text(void *ctx, const tv_token_row_t *r)
{
    (void)ctx;
    printf("%4" PRId64 "  %-9s  %-12s  %-12s  %-20s  %-20s  %-20s  %s\n", r->id, r->role,
           OR_DASH(r->subject), OR_DASH(r->event_id), r->created_at, OR_DASH(r->last_used_at),
           OR_DASH(r->revoked_at), OR_DASH(r->label));
    return 0;
}

static int token_list(int argc, char **argv)
{
    int json = argc == 2 && strcmp(argv[1], "--json") == 0;
    tv_store_t *st = NULL;
    size_t n = 0;
    int rc;

    if (argc > 2 || (argc == 2 && !json))
        return usage();
    rc = cli_open_store(&st);
    if (rc != 0)
        return CLI_FAILED;
    if (json)
        putchar('[');
    else
        printf("%4s  %-9s  %-12s  %-12s  %-20s  %-20s  %-20s  %s\n", "id", "role", "subject",
               "event", "created", "last used", "revoked", "label");
    rc = tv_store_token_list(st, json ? on_token_json : on_token_text, &n);
    if (json)
        printf("%s]\n", n > 0 ? "\n" : "");
    if (rc != 0)
        cli_error("cannot list the tokens: %s", tv_store_error(st));
    tv_store_close(st);
    return rc == 0 ? CLI_OK : CLI_FAILED;
}

static int token_revoke(int argc, char **argv)
{
    tv_store_t *st = NULL;
    char *end = NULL;
    long long id = argc == 2 ? strtoll(argv[1], &end, 10) : 0;
    int rc;

    if (argc != 2 || end == argv[1] || *end != '\0' || id <= 0) {
        if (argc == 2)
            cli_error("\"%s\" is not a token id (see tavolo token list)", argv[1]);
        return usage();
    }
    rc = cli_open_store(&st);
    if (rc != 0)
        return CLI_FAILED;
    rc = tv_store_token_revoke(st, (int64_t)id);
    if (rc == 0)
        printf("token %lld revoked\n", id);
    else if (rc == TV_ENOTFOUND)
        cli_error("%s", tv_store_error(st));
    else
        cli_error("cannot revoke token %lld: %s", id, tv_store_error(st));
    tv_store_close(st);
    return rc == 0 ? CLI_OK : CLI_FAILED;
}

int cmd_token(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        fputs(usage_text, stdout);
        return CLI_OK;
    }
    if (argc >= 2 && strcmp(argv[1], "create") == 0)
        return token_create(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "list") == 0)
        return token_list(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "revoke") == 0)
        return token_revoke(argc - 1, argv + 1);
    if (argc >= 2)
        cli_error("unknown token command \"%s\"", argv[1]);
    return usage();
}
