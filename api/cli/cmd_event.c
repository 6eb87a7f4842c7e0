/* tavolo event import FILE [--dry-run] [--json], tavolo schedule EVENT_ID [--json], and
 * tavolo agenda EVENT_ID [--participant ID] (--ics FILE | --csv FILE). */
#include <jansson.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "agenda.h"
#include "scheduling.h"

typedef struct {
    const tv_event_t *e;
    tv_profile_kind_t kind;
    uint8_t *found; /* per attendee */
} exists_t;

static int on_existing(void *ctx, const char *id, const char *json, size_t len)
{
    exists_t *x = ctx;

    (void)json;
    (void)len;
    for (size_t a = 0; a < x->e->n_attendees; a++) {
        if (x->e->attendees[a].kind == x->kind && strcmp(x->e->attendees[a].id, id) == 0)
            x->found[a] = 1;
    }
    return 0;
}

/* Every participant must be a stored profile. */
static int check_profiles(tv_store_t *st, const tv_event_t *e, const char *file)
{
    exists_t x = {e, TV_KIND_COMPANY, calloc(e->n_attendees + 1, 1)};
    const char **ids = calloc(e->n_attendees + 1, sizeof(char *));
    int rc = x.found != NULL && ids != NULL ? 0 : TV_ENOMEM, missing = 0;

    for (int k = 0; k < 2 && rc == 0; k++) {
        size_t n = 0;

        x.kind = (tv_profile_kind_t)k;
        for (size_t a = 0; a < e->n_attendees; a++) {
            if (e->attendees[a].kind == x.kind)
                ids[n++] = e->attendees[a].id;
        }
        if (n > 0)
            rc = tv_store_each(st, x.kind, ids, n, on_existing, &x);
    }
    for (size_t a = 0; rc == 0 && a < e->n_attendees; a++) {
        if (!x.found[a]) {
            fprintf(stderr, "%s: participants[%zu].id: no %s \"%s\" in the database\n", file, a,
                    e->attendees[a].kind == TV_KIND_COMPANY ? "company" : "investor",
                    e->attendees[a].id);
            missing++;
        }
    }
    free(x.found);
    free(ids);
    return rc != 0 ? rc : missing > 0 ? TV_EINVAL : 0;
}

/* The ids of a report entry: "kind id" for a participant, "company investor" for a request. */
static void print_entry_head(const char *mark, json_t *x)
{
    json_t *kind = json_object_get(x, "kind");

    if (kind != NULL)
        printf("  %s %s %s", mark, json_string_value(kind),
               json_string_value(json_object_get(x, "id")));
    else
        printf("  %s %s %s", mark, json_string_value(json_object_get(x, "company_id")),
               json_string_value(json_object_get(x, "investor_id")));
}

/* "a, b, c" of an array of strings, each with '_' read as a space when 'spaced'. */
static void print_list(json_t *list, const char *sep, int spaced)
{
    for (size_t k = 0; k < json_array_size(list); k++) {
        const char *s = json_string_value(json_array_get(list, k));

        printf("%s", k ? sep : "");
        for (; s != NULL && *s; s++)
            putchar(spaced && *s == '_' ? ' ' : *s);
    }
}

static void print_participants(json_t *p)
{
    json_t *x;
    size_t k;

    printf("participants: %zu added, %zu removed, %zu changed\n",
           json_array_size(json_object_get(p, "added")),
           json_array_size(json_object_get(p, "removed")),
           json_array_size(json_object_get(p, "changed")));
    json_array_foreach(json_object_get(p, "added"), k, x)
    {
        print_entry_head("+", x);
        printf("\n");
    }
    json_array_foreach(json_object_get(p, "removed"), k, x)
    {
        print_entry_head("-", x);
        printf(" (%lld meetings)\n", (long long)json_integer_value(json_object_get(x, "meetings")));
    }
    json_array_foreach(json_object_get(p, "changed"), k, x)
    {
        print_entry_head("~", x);
        printf(": ");
        print_list(json_object_get(x, "fields"), ", ", 0);
        if (json_array_size(json_object_get(x, "unavailable_added")) > 0) {
            printf("; now unavailable ");
            print_list(json_object_get(x, "unavailable_added"), " ", 0);
        }
        if (json_array_size(json_object_get(x, "unavailable_removed")) > 0) {
            printf("; available again ");
            print_list(json_object_get(x, "unavailable_removed"), " ", 0);
        }
        printf("\n");
    }
}

static void print_requests(json_t *q)
{
    json_t *x;
    size_t k;

    printf("requests: %zu added, %zu changed, %zu kept with their API answer, %zu removed\n",
           json_array_size(json_object_get(q, "added")),
           json_array_size(json_object_get(q, "changed")),
           json_array_size(json_object_get(q, "kept")),
           json_array_size(json_object_get(q, "removed")));
    json_array_foreach(json_object_get(q, "added"), k, x)
    {
        print_entry_head("+", x);
        printf(" %s\n", json_string_value(json_object_get(x, "status")));
    }
    json_array_foreach(json_object_get(q, "changed"), k, x)
    {
        print_entry_head("~", x);
        printf(": ");
        print_list(json_object_get(x, "fields"), ", ", 0);
        printf("\n");
    }
    json_array_foreach(json_object_get(q, "kept"), k, x)
    {
        const char *file = json_string_value(json_object_get(x, "file_status"));

        print_entry_head("=", x);
        if (file != NULL)
            printf(" %s (the file says %s)\n", json_string_value(json_object_get(x, "status")),
                   file);
        else
            printf(" %s (no longer in the file)\n",
                   json_string_value(json_object_get(x, "status")));
    }
    json_array_foreach(json_object_get(q, "removed"), k, x)
    {
        print_entry_head("-", x);
        printf(" %s\n", json_string_value(json_object_get(x, "status")));
    }
}

/* What becomes of a meeting the file makes impossible. */
static const char *action_text(const char *action)
{
    if (strcmp(action, "moved_by_next_run") == 0)
        return "will be moved by the next scheduler run";
    if (strcmp(action, "cancelled_by_next_run") == 0)
        return "will be cancelled by the next scheduler run";
    if (strcmp(action, "conflict") == 0)
        return "pinned: a conflict for the organiser";
    return "an outcome: kept as it is";
}

static void print_meetings(json_t *list)
{
    json_t *x;
    size_t k;

    printf("meetings the file makes impossible: %zu\n", json_array_size(list));
    json_array_foreach(list, k, x)
    {
        printf("  #%lld %s %s %s table %lld (%s): ",
               (long long)json_integer_value(json_object_get(x, "id")),
               json_string_value(json_object_get(x, "company_id")),
               json_string_value(json_object_get(x, "investor_id")),
               json_string_value(json_object_get(x, "slot_start")),
               (long long)json_integer_value(json_object_get(x, "table")),
               json_string_value(json_object_get(x, "status")));
        print_list(json_object_get(x, "reasons"), ", ", 1);
        printf(": %s\n", action_text(json_string_value(json_object_get(x, "action"))));
    }
}

/* A readable summary of an import's report: what changed, and the meetings made impossible. */
static void print_import(const char *file, const tv_event_t *e, const char *report)
{
    json_t *r = json_loads(report, 0, NULL);
    json_t *changed = json_object_get(json_object_get(r, "event"), "changed");
    int dry = json_is_true(json_object_get(r, "dry_run"));

    printf("%s: event %s: %zu participants, %zu requests%s\n", file, e->id, e->n_attendees,
           e->n_requests, dry ? " (dry run: nothing written)" : "");
    if (json_is_true(json_object_get(r, "created"))) {
        printf("a new event\n");
        json_decref(r);
        return;
    }
    printf("event: %s", json_array_size(changed) > 0 ? "changed " : "unchanged");
    print_list(changed, ", ", 0);
    printf("\n");
    print_participants(json_object_get(r, "participants"));
    print_requests(json_object_get(r, "requests"));
    print_meetings(json_object_get(json_object_get(r, "meetings"), "impossible"));
    json_decref(r);
}

static int import_event(const char *file, int flags, int json)
{
    tv_diags_t diags = {0};
    tv_event_t e;
    tv_store_t *st = NULL;
    size_t len;
    char *text = NULL, *report = NULL;
    int rc;

    tv_event_init(&e);
    rc = cli_read_file(file, &text, &len);
    if (rc == 0)
        rc = tv_codec_event_decode(text, len, &e, &diags);
    cli_print_diags(&diags, file);
    tv_diags_dispose(&diags);
    if (rc == 0)
        rc = cli_open_store(&st);
    if (rc == 0)
        rc = check_profiles(st, &e, file);
    if (rc == 0 && (rc = tv_store_event_import(st, &e, text, flags, &report)) != 0)
        cli_error("%s: nothing written: %s", file, tv_store_error(st));
    if (rc == 0 && json)
        printf("%s\n", report);
    else if (rc == 0)
        print_import(file, &e, report);
    else
        cli_error("%s: the event was not imported", file);
    tv_event_dispose(&e);
    tv_store_close(st);
    free(report);
    free(text);
    return rc == 0 ? CLI_OK : CLI_FAILED;
}

int cmd_event(int argc, char **argv)
{
    const char *file = NULL;
    int flags = 0, json = 0, bad = argc < 3 || strcmp(argv[1], "import") != 0;

    for (int k = 2; k < argc && !bad; k++) {
        if (strcmp(argv[k], "--dry-run") == 0)
            flags |= TV_IMPORT_DRY_RUN;
        else if (strcmp(argv[k], "--json") == 0)
            json = 1;
        else if (file == NULL && (argv[k][0] != '-' || argv[k][1] == '\0'))
            file = argv[k];
        else
            bad = 1;
    }
    if (bad || file == NULL) {
        cli_error("usage: tavolo event import FILE [--dry-run] [--json]");
        return CLI_USAGE;
    }
    return import_event(file, flags, json);
}

/* A readable summary of a schedule report. */
static void print_report(const char *report)
{
    json_t *r = json_loads(report, 0, NULL), *per = json_object_get(r, "meetings_per_participant");
    double total = json_number_value(json_object_get(r, "total_score"));
    double bound = json_number_value(json_object_get(r, "upper_bound"));
    json_t *unplaced = json_object_get(r, "unplaced");

    printf("%s: %zu meetings placed, score %.2f of the selection's %.2f (%.1f%%)\n",
           json_string_value(json_object_get(r, "event")),
           json_array_size(json_object_get(r, "meetings")), total, bound,
           bound > 0 ? 100 * total / bound : 100.0);
    printf("meetings per participant: min %lld, mean %.1f, max %lld; %lld participants with none\n",
           (long long)json_integer_value(json_object_get(per, "min")),
           json_number_value(json_object_get(per, "mean")),
           (long long)json_integer_value(json_object_get(per, "max")),
           (long long)json_integer_value(json_object_get(r, "participants_without")));
    printf("%zu not placed\n", json_array_size(unplaced));
    for (size_t k = 0; k < json_array_size(unplaced); k++) {
        json_t *u = json_array_get(unplaced, k);

        printf("  %-10s %-10s %-12s %s\n", json_string_value(json_object_get(u, "company_id")),
               json_string_value(json_object_get(u, "investor_id")),
               json_string_value(json_object_get(u, "origin")),
               json_string_value(json_object_get(u, "reason")));
    }
    unplaced = json_object_get(r, "short_of_meetings");
    printf("%zu participants with no meeting or fewer than their min_meetings\n",
           json_array_size(unplaced));
    for (size_t k = 0; k < json_array_size(unplaced); k++) {
        json_t *u = json_array_get(unplaced, k);

        printf("  %s %s: %lld of min %lld meetings: %s\n",
               json_string_value(json_object_get(u, "kind")),
               json_string_value(json_object_get(u, "id")),
               (long long)json_integer_value(json_object_get(u, "meetings")),
               (long long)json_integer_value(json_object_get(u, "min_meetings")),
               json_string_value(json_object_get(u, "reason")));
    }
    json_decref(r);
}

int cmd_schedule(int argc, char **argv)
{
    int json = argc == 3 && strcmp(argv[2], "--json") == 0;
    tv_taxonomy_t *tax = NULL;
    tv_store_t *st = NULL;
    tv_matcher_t *m = NULL;
    char *report = NULL;
    int rc;

    if (argc < 2 || argc > 3 || (argc == 3 && !json) || argv[1][0] == '-') {
        cli_error("usage: tavolo schedule EVENT_ID [--json]");
        return CLI_USAGE;
    }
    rc = cli_open_matching(&tax, &st, &m);
    if (rc == 0 && (rc = api_schedule_event(st, tax, m, argv[1], 0, &report)) != 0)
        cli_error("cannot schedule %s: %s", argv[1],
                  rc == TV_ENOTFOUND || rc == TV_EDB ? tv_store_error(st) : tv_strerror(rc));
    if (rc == 0 && json)
        printf("%s\n", report);
    else if (rc == 0)
        print_report(report);
    free(report);
    tv_matcher_destroy(m);
    tv_store_close(st);
    tv_taxonomy_destroy(tax);
    return rc == 0 ? CLI_OK : CLI_FAILED;
}

int cmd_agenda(int argc, char **argv)
{
    static const struct option longopts[] = {{"participant", required_argument, NULL, 'p'},
                                             {"ics", required_argument, NULL, 'i'},
                                             {"csv", required_argument, NULL, 'c'},
                                             {NULL, 0, NULL, 0}};
    const char *participant = NULL, *ics = NULL, *csv_path = NULL;
    tv_taxonomy_t *tax = NULL;
    tv_store_t *st = NULL;
    tv_meeting_t *m = NULL;
    tv_event_t e;
    char **names = NULL;
    size_t n = 0;
    FILE *out = NULL;
    int c, rc;

    tv_event_init(&e);
    optind = 2;
    while ((c = getopt_long(argc, argv, "p:i:c:", longopts, NULL)) != -1) {
        if (c == 'p')
            participant = optarg;
        else if (c == 'i')
            ics = optarg;
        else if (c == 'c')
            csv_path = optarg;
        else
            return CLI_USAGE;
    }
    if (argc < 2 || argv[1][0] == '-' || optind != argc || (ics == NULL) == (csv_path == NULL)) {
        cli_error("usage: tavolo agenda EVENT_ID [--participant ID] (--ics FILE | --csv FILE)");
        return CLI_USAGE;
    }
    rc = cli_load_taxonomy(&tax);
    if (rc == 0)
        rc = cli_open_store(&st);
    if (rc == 0 && (rc = api_load_event(st, argv[1], &e)) != 0)
        cli_error("%s", rc == TV_ENOTFOUND ? tv_store_error(st) : tv_strerror(rc));
    if (rc == 0)
        rc = tv_store_meetings(st, argv[1], &m, &n);
    if (rc == 0)
        n = api_agenda_select(m, n, participant, ics != NULL);
    if (rc == 0)
        rc = api_agenda_names(st, tax, m, n, &names);
    if (rc == 0 && (out = fopen(ics != NULL ? ics : csv_path, "w")) == NULL) {
        cli_error("%s: cannot write", ics != NULL ? ics : csv_path);
        rc = TV_EIO;
    }
    if (rc == 0)
        rc = ics != NULL ? api_agenda_ics(&e, m, n, names, out) : api_agenda_csv(m, n, names, out);
    if (out != NULL && fclose(out) != 0 && rc == 0)
        rc = TV_EIO;
    if (rc == 0)
        printf("%zu meetings written to %s\n", n, ics != NULL ? ics : csv_path);
    for (size_t k = 0; names != NULL && k < 2 * n; k++)
        free(names[k]);
    free(names);
    free(m);
    tv_event_dispose(&e);
    tv_store_close(st);
    tv_taxonomy_destroy(tax);
    return rc == 0 ? CLI_OK : CLI_FAILED;
}
