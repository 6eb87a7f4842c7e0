/* tavolo event import FILE, tavolo schedule EVENT_ID [--json], and
 * tavolo agenda EVENT_ID [--participant ID] (--ics FILE | --csv FILE). */
#include <csv.h>
#include <jansson.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "scheduling.h"
#include "tavolo/calendar.h"

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

static int import_event(const char *file)
{
    tv_diags_t diags = {0};
    tv_event_t e;
    tv_store_t *st = NULL;
    int64_t utc;
    size_t len;
    char *text = NULL;
    int rc;

    tv_event_init(&e);
    rc = cli_read_file(file, &text, &len);
    if (rc == 0)
        rc = tv_codec_event_decode(text, len, &e, &diags);
    cli_print_diags(&diags, file);
    tv_diags_dispose(&diags);
    if (rc == 0 && tv_calendar_local_to_utc(e.time_zone, 2027, 1, 1, 0, 0, &utc) != 0) {
        fprintf(stderr, "%s: time_zone: \"%s\" is not an IANA time zone\n", file, e.time_zone);
        rc = TV_EINVAL;
    }
    if (rc == 0)
        rc = cli_open_store(&st);
    if (rc == 0)
        rc = check_profiles(st, &e, file);
    if (rc == 0 && (rc = tv_store_event_put(st, &e, text)) != 0)
        cli_error("%s: nothing written: %s", file, tv_store_error(st));
    if (rc == 0)
        printf("%s: event %s: %zu participants, %zu requests\n", file, e.id, e.n_attendees,
               e.n_requests);
    else
        cli_error("%s: the event was not imported", file);
    tv_event_dispose(&e);
    tv_store_close(st);
    free(text);
    return rc == 0 ? CLI_OK : CLI_FAILED;
}

int cmd_event(int argc, char **argv)
{
    if (argc != 3 || strcmp(argv[1], "import") != 0) {
        cli_error("usage: tavolo event import FILE");
        return CLI_USAGE;
    }
    return import_event(argv[2]);
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
    json_decref(r);
}

int cmd_schedule(int argc, char **argv)
{
    int json = argc == 3 && strcmp(argv[2], "--json") == 0;
    tv_match_config_t cfg;
    tv_taxonomy_t *tax = NULL;
    tv_store_t *st = NULL;
    tv_matcher_t *m = NULL;
    char *report = NULL;
    int rc;

    if (argc < 2 || argc > 3 || (argc == 3 && !json) || argv[1][0] == '-') {
        cli_error("usage: tavolo schedule EVENT_ID [--json]");
        return CLI_USAGE;
    }
    rc = cli_load_taxonomy(&tax);
    if (rc == 0)
        rc = cli_load_match_config(NULL, NULL, 0, &cfg);
    if (rc == 0)
        rc = cli_open_store(&st);
    if (rc == 0)
        rc = cli_load_matcher(st, tax, &cfg, &m);
    if (rc == 0 && (rc = api_schedule_event(st, tax, m, argv[1], &report)) != 0)
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

typedef struct {
    const tv_taxonomy_t *tax;
    tv_profile_kind_t kind;
    char **names; /* per meeting: company name, investor name */
    const tv_meeting_t *m;
    size_t n;
} names_t;

static int on_profile(void *ctx, const char *id, const char *json, size_t len)
{
    names_t *x = ctx;
    tv_diags_t d = {0};
    tv_company_t c;
    tv_investor_t inv;
    const char *name;
    int rc = x->kind == TV_KIND_COMPANY ? tv_codec_company_decode(x->tax, json, len, &c, &d)
                                        : tv_codec_investor_decode(x->tax, json, len, &inv, &d);

    tv_diags_dispose(&d);
    if (rc != 0)
        return 0;
    name = x->kind == TV_KIND_COMPANY ? c.name : inv.name;
    for (size_t k = 0; k < x->n; k++) {
        const char *mid = x->kind == TV_KIND_COMPANY ? x->m[k].company_id : x->m[k].investor_id;

        if (strcmp(mid, id) == 0 && x->names[2 * k + x->kind] == NULL)
            x->names[2 * k + x->kind] = strdup(name);
    }
    if (x->kind == TV_KIND_COMPANY)
        tv_company_dispose(&c);
    else
        tv_investor_dispose(&inv);
    return 0;
}

/* The names of both sides of every meeting (ids when a profile is gone). */
static int load_names(tv_store_t *st, const tv_taxonomy_t *tax, const tv_meeting_t *m, size_t n,
                      char ***out)
{
    names_t x = {tax, TV_KIND_COMPANY, calloc(2 * n + 2, sizeof(char *)), m, n};
    const char **ids = calloc(n + 1, sizeof(char *));
    int rc = x.names != NULL && ids != NULL ? 0 : TV_ENOMEM;

    for (int k = 0; k < 2 && rc == 0; k++) {
        x.kind = (tv_profile_kind_t)k;
        for (size_t i = 0; i < n; i++)
            ids[i] = k == 0 ? m[i].company_id : m[i].investor_id;
        if (n > 0)
            rc = tv_store_each(st, x.kind, ids, n, on_profile, &x);
    }
    for (size_t i = 0; rc == 0 && i < 2 * n; i++) {
        if (x.names[i] == NULL)
            x.names[i] = strdup(i % 2 == 0 ? m[i / 2].company_id : m[i / 2].investor_id);
    }
    free(ids);
    *out = x.names;
    return rc;
}

static const tv_attendee_t *attendee(const tv_event_t *e, tv_profile_kind_t kind, const char *id)
{
    for (size_t a = 0; a < e->n_attendees; a++) {
        if (e->attendees[a].kind == kind && strcmp(e->attendees[a].id, id) == 0)
            return &e->attendees[a];
    }
    return NULL;
}

/* Fills the e-mails and names of both parties' people (up to 'max'). */
static size_t people_of(const tv_event_t *e, const tv_meeting_t *m, const char **emails,
                        const char **names, size_t max)
{
    const tv_attendee_t *sides[2] = {attendee(e, TV_KIND_COMPANY, m->company_id),
                                     attendee(e, TV_KIND_INVESTOR, m->investor_id)};
    size_t n = 0;

    for (int s = 0; s < 2; s++) {
        for (size_t p = 0; sides[s] != NULL && p < sides[s]->n_people && n + 1 < max; p++) {
            emails[n] = sides[s]->people[p].email;
            names[n++] = sides[s]->people[p].name;
        }
    }
    emails[n] = names[n] = NULL;
    return n;
}

static int write_ics(const tv_event_t *e, const tv_meeting_t *m, size_t n, char **names, FILE *out)
{
    tv_cal_meeting_t *cal = calloc(n + 1, sizeof(*cal));
    char(*uid)[96] = calloc(n + 1, sizeof(*uid)), (*summary)[300] = calloc(n + 1, sizeof(*summary));
    char(*where)[160] = calloc(n + 1, sizeof(*where));
    const char *(*emails)[16] = calloc(n + 1, sizeof(*emails));
    const char *(*people)[16] = calloc(n + 1, sizeof(*people));
    tv_cal_event_t ev = {e->name, e->time_zone};
    char *text = NULL;
    int rc = cal && uid && summary && where && emails && people ? 0 : TV_ENOMEM;

    for (size_t k = 0; rc == 0 && k < n; k++) {
        int y, mo, d, h, mi;

        if (sscanf(m[k].slot_start, "%d-%d-%dT%d:%d", &y, &mo, &d, &h, &mi) != 5 ||
            tv_calendar_local_to_utc(e->time_zone, y, mo, d, h, mi, &cal[k].start_utc) != 0) {
            rc = TV_EINVAL;
            break;
        }
        snprintf(uid[k], sizeof(uid[k]), "meeting-%lld-%s@tavolo", (long long)m[k].id, e->id);
        snprintf(summary[k], sizeof(summary[k]), "%s / %s", names[2 * k], names[2 * k + 1]);
        snprintf(where[k], sizeof(where[k]), "Table %u%s%s", m[k].table_no, e->city ? ", " : "",
                 e->city ? e->city : "");
        people_of(e, &m[k], emails[k], people[k], 16);
        cal[k] = (tv_cal_meeting_t){uid[k],
                                    cal[k].start_utc,
                                    cal[k].start_utc + 60 * e->slot_minutes,
                                    m[k].sequence,
                                    m[k].status == TV_MEETING_CANCELLED,
                                    summary[k],
                                    e->name,
                                    where[k],
                                    emails[k],
                                    people[k],
                                    m[k].updated_utc};
    }
    if (rc == 0)
        rc = tv_calendar_ics(&ev, cal, n, &text);
    if (rc == 0)
        fputs(text, out);
    free(text), free(cal), free(uid), free(summary), free(where), free(emails), free(people);
    return rc;
}

/* One row per meeting, by table then slot, for printing at the venue. */
static int write_csv(const tv_meeting_t *m, size_t n, char **names, FILE *out)
{
    static const char *const header[] = {"table",       "slot",     "company_id", "company",
                                         "investor_id", "investor", "status"};
    size_t *order = malloc((n + 1) * sizeof(size_t));

    if (order == NULL)
        return TV_ENOMEM;
    for (size_t k = 0; k < n; k++)
        order[k] = k;
    for (size_t a = 1; a < n; a++) { /* few hundred rows: insertion sort by (table, slot) */
        for (size_t b = a; b > 0; b--) {
            const tv_meeting_t *x = &m[order[b - 1]], *y = &m[order[b]];

            if (x->table_no < y->table_no ||
                (x->table_no == y->table_no && x->slot_index <= y->slot_index))
                break;
            size_t t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
    }
    for (size_t c = 0; c < 7; c++) {
        csv_fwrite(out, header[c], strlen(header[c]));
        fputc(c < 6 ? ',' : '\n', out);
    }
    for (size_t r = 0; r < n; r++) {
        const tv_meeting_t *x = &m[order[r]];
        char table[16];
        const char *cells[7] = {table,
                                x->slot_start,
                                x->company_id,
                                names[2 * order[r]],
                                x->investor_id,
                                names[2 * order[r] + 1],
                                tv_meeting_status_name(x->status)};

        snprintf(table, sizeof(table), "%u", x->table_no);
        for (size_t c = 0; c < 7; c++) {
            csv_fwrite(out, cells[c], strlen(cells[c]));
            fputc(c < 6 ? ',' : '\n', out);
        }
    }
    free(order);
    return 0;
}

/* Keeps the meetings of 'participant' (NULL: all) that are not cancelled, or for calendars
 * also the cancelled ones (they tell calendars to drop the meeting). */
static size_t select_meetings(tv_meeting_t *m, size_t n, const char *participant, int cancelled)
{
    size_t kept = 0;

    for (size_t k = 0; k < n; k++) {
        if (participant != NULL && strcmp(m[k].company_id, participant) != 0 &&
            strcmp(m[k].investor_id, participant) != 0)
            continue;
        if (m[k].status == TV_MEETING_CANCELLED && !cancelled)
            continue;
        m[kept++] = m[k];
    }
    return kept;
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
        n = select_meetings(m, n, participant, ics != NULL);
    if (rc == 0)
        rc = load_names(st, tax, m, n, &names);
    if (rc == 0 && (out = fopen(ics != NULL ? ics : csv_path, "w")) == NULL) {
        cli_error("%s: cannot write", ics != NULL ? ics : csv_path);
        rc = TV_EIO;
    }
    if (rc == 0)
        rc = ics != NULL ? write_ics(&e, m, n, names, out) : write_csv(m, n, names, out);
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
