/* The daily digest job. Exactly once per recipient and date: the digests rows (unique per
 * recipient and date), the recipients' new state and their messages (one per person: the
 * profile's contacts and the people the event files name for it, queued in mail_messages with
 * tv_store_mail_enqueue_many) are committed in one transaction per batch of recipients, so a
 * recipient is either done with its messages queued or not done at all. The mail delivery
 * worker (mail_delivery.h) takes the messages from there to the relay or the Maildir outbox. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "digest_job.h"
#include "notify_links.h"
#include "recipients.h"
#include "signals.h"
#include "tavolo/mail.h"

#define BATCH 256
#define LANGS 2
#define MAX_THREADS 16

static const char *const langs[LANGS] = {"en", "it"};

typedef struct {
    char kind; /* 'c' or 'i' */
    char *id;
    char *a, *b; /* state: last_date, matches; done: status, unused */
} keyed_t;

typedef struct {
    keyed_t *items;
    size_t n, cap;
} keyed_list_t;

/* One message of a recipient's digest, built and waiting for its digest's commit. */
typedef struct {
    char message_id[300];
    const api_recipient_t *to; /* borrowed from its pending_t's people */
    char *subject, *bytes;
} built_t;

typedef struct {
    char kind;
    char *id;
    char *status, *content, *state, *message_id;
    api_recipients_t people; /* contacts, then the people the event files name */
    int skip;                /* removed from the matcher before it was built: not recorded */
    built_t *mails;
    size_t n_mails;
} pending_t;

/* A person an event file names for a profile ('c' or 'i'), in the order the store gave. */
typedef struct {
    char kind;
    size_t seq;
    char *id, *email, *name;
    char lang[3];
} person_t;

typedef struct {
    tv_store_t *st;
    const tv_matcher_t *m;
    pthread_rwlock_t *lock;
    const tv_taxonomy_t *t;
    const digest_job_opts_t *o;
    app_notes_t *notes;
    digest_job_stats_t stats;
    char *tpl[LANGS][2]; /* text, html */
    keyed_list_t states, done;
    size_t *elig_index; /* matcher rows of the companies eligible since a date */
    char **elig_since;
    size_t n_elig, cap_elig;
    tv_digest_meeting_t *meetings;
    char **meeting_strings;
    size_t n_meetings, cap_meetings;
    person_t *people; /* sorted by kind, id, then the store's order */
    size_t n_people, cap_people;
    tv_digest_request_t *requests; /* pending, by id */
    char **request_strings;
    size_t n_requests, cap_requests;
    tv_digest_request_t **by_company, **by_investor; /* sorted by that side's id */
    app_signals_t signals[2]; /* what each side taught (decision 0069): companies, investors */
    char **unsubscribed;      /* lower case addresses, sorted */
    size_t n_unsub, cap_unsub;
    char **languages; /* "address language" chosen on the pages, sorted by address */
    size_t n_languages, cap_languages;
    unsigned char key[API_UNSUB_KEY_BYTES];
    pthread_mutex_t note_lock; /* the build threads share 'notes' */
    pending_t batch[BATCH];
    size_t n_batch;
    size_t committed;
} job_t;

/* ---- options ---- */

int digest_job_defaults(digest_job_opts_t *o, char *outbox_buf, size_t size, app_notes_t *notes)
{
    const char *v;

    memset(o, 0, sizeof(*o));
    tv_digest_config_init(&o->cfg);
    snprintf(outbox_buf, size, "%s/outbox", app_home());
    o->outbox = outbox_buf;
    o->templates = getenv("TAVOLO_TEMPLATES");
    if (o->templates == NULL || o->templates[0] == '\0')
        o->templates = TV_DEFAULT_TEMPLATES;
    o->from = getenv("TAVOLO_MAIL_FROM");
    if (o->from == NULL || o->from[0] == '\0')
        o->from = "digest@tavolo.invalid";
    v = getenv("TAVOLO_DIGEST_TIME");
    o->daily_off = v != NULL && strcmp(v, "off") == 0;
    if (v != NULL && !o->daily_off &&
        (sscanf(v, "%2d:%2d", &o->cfg.hour, &o->cfg.minute) != 2 || o->cfg.hour > 23 ||
         o->cfg.minute > 59 || o->cfg.hour < 0 || o->cfg.minute < 0)) {
        app_note(notes, "TAVOLO_DIGEST_TIME=%s: expected HH:MM or off", v);
        return TV_EINVAL;
    }
    if ((v = getenv("TAVOLO_DIGEST_ZONE")) != NULL && v[0] != '\0')
        snprintf(o->cfg.time_zone, sizeof(o->cfg.time_zone), "%s", v);
    if ((v = getenv("TAVOLO_DIGEST_MAX")) != NULL)
        o->cfg.max_matches = (uint32_t)strtoul(v, NULL, 10);
    if ((v = getenv("TAVOLO_DIGEST_STEP")) != NULL)
        o->cfg.rise_step = strtof(v, NULL);
    if ((v = getenv("TAVOLO_DIGEST_DAYS")) != NULL)
        o->cfg.days_ahead = (uint32_t)strtoul(v, NULL, 10);
    o->threads = 2;
    if ((v = getenv("TAVOLO_DIGEST_THREADS")) != NULL &&
        (sscanf(v, "%zu", &o->threads) != 1 || o->threads < 1 || o->threads > MAX_THREADS)) {
        app_note(notes, "TAVOLO_DIGEST_THREADS=%s: expected a whole number from 1 to 16", v);
        return TV_EINVAL;
    }
    return 0;
}

/* ---- small helpers ---- */

static int keyed_compare(const void *a, const void *b)
{
    const keyed_t *x = a, *y = b;

    return x->kind != y->kind ? x->kind - y->kind : strcmp(x->id, y->id);
}

static const keyed_t *keyed_find(const keyed_list_t *l, char kind, const char *id)
{
    keyed_t key = {kind, (char *)id, NULL, NULL};

    return l->n == 0 ? NULL : bsearch(&key, l->items, l->n, sizeof(*l->items), keyed_compare);
}

static void keyed_dispose(keyed_list_t *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].id);
        free(l->items[i].a);
        free(l->items[i].b);
    }
    free(l->items);
}

static char *dup0(const char *s)
{
    return strdup(s != NULL ? s : "");
}

static int keyed_add(keyed_list_t *l, const char *kind, const char *id, const char *a,
                     const char *b)
{
    keyed_t *x;

    if (l->n == l->cap) {
        size_t cap = l->cap == 0 ? 256 : l->cap * 2;
        keyed_t *items = realloc(l->items, cap * sizeof(*items));

        if (items == NULL)
            return TV_ENOMEM;
        l->items = items;
        l->cap = cap;
    }
    x = &l->items[l->n];
    x->kind = kind[0];
    x->id = dup0(id);
    x->a = dup0(a);
    x->b = dup0(b);
    if (x->id == NULL || x->a == NULL || x->b == NULL)
        return TV_ENOMEM;
    l->n++;
    return 0;
}

/* Letters, digits, '_' and '-' stay; anything else becomes %XX: safe in a Maildir file name
 * (no '/' or ':') and in a Message-ID. */
static void escape_id(const char *id, char *out, size_t size)
{
    size_t o = 0;

    for (const unsigned char *p = (const unsigned char *)id; *p != '\0' && o + 4 < size; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '_' || *p == '-')
            out[o++] = (char)*p;
        else
            o += (size_t)snprintf(out + o, size - o, "%%%02X", *p);
    }
    out[o] = '\0';
}

static int load_templates(job_t *j)
{
    const char *ext[2] = {"txt", "html"};
    int rc = 0;

    for (int l = 0; rc == 0 && l < LANGS; l++) {
        for (int k = 0; rc == 0 && k < 2; k++) {
            char path[4096];
            size_t len;

            snprintf(path, sizeof(path), "%s/digest.%s.%s", j->o->templates, langs[l], ext[k]);
            rc = app_read_file(path, &j->tpl[l][k], &len, j->notes);
        }
    }
    return rc;
}

/* ---- what every recipient needs, loaded once ---- */

static int on_state(void *ctx, const char *const *c, int n)
{
    (void)n;
    return keyed_add(&((job_t *)ctx)->states, c[0], c[1], c[2], c[3]);
}

static int on_done(void *ctx, const char *const *c, int n)
{
    (void)n;
    return keyed_add(&((job_t *)ctx)->done, c[1], c[2], c[3], c[4]);
}

static int on_eligible(void *ctx, const char *const *c, int n)
{
    job_t *j = ctx;
    int idx = tv_matcher_find_company(j->m, c[0]);

    (void)n;
    if (idx < 0 || c[1] == NULL)
        return 0;
    if (j->n_elig == j->cap_elig) {
        size_t cap = j->cap_elig == 0 ? 64 : j->cap_elig * 2;
        size_t *ix = realloc(j->elig_index, cap * sizeof(*ix));
        char **since = ix != NULL ? realloc(j->elig_since, cap * sizeof(*since)) : NULL;

        if (ix != NULL)
            j->elig_index = ix;
        if (since == NULL)
            return TV_ENOMEM;
        j->elig_since = since;
        j->cap_elig = cap;
    }
    j->elig_index[j->n_elig] = (size_t)idx;
    j->elig_since[j->n_elig] = strdup(c[1]);
    return j->elig_since[j->n_elig++] != NULL ? 0 : TV_ENOMEM;
}

static int on_meeting(void *ctx, const char *const *c, int n)
{
    job_t *j = ctx;
    tv_digest_meeting_t *x;
    char **s;

    (void)n;
    if (j->n_meetings == j->cap_meetings) {
        size_t cap = j->cap_meetings == 0 ? 64 : j->cap_meetings * 2;
        tv_digest_meeting_t *mm = realloc(j->meetings, cap * sizeof(*mm));
        char **ss = mm != NULL ? realloc(j->meeting_strings, cap * 6 * sizeof(*ss)) : NULL;

        if (mm != NULL)
            j->meetings = mm;
        if (ss == NULL)
            return TV_ENOMEM;
        j->meeting_strings = ss;
        j->cap_meetings = cap;
    }
    s = &j->meeting_strings[j->n_meetings * 6];
    for (int k = 0; k < 6; k++) {
        s[k] = dup0(c[k + 1]);
        if (s[k] == NULL)
            return TV_ENOMEM;
    }
    x = &j->meetings[j->n_meetings++];
    x->id = strtoll(c[0], NULL, 10);
    x->event_id = s[0];
    x->event_name = s[1];
    x->time_zone = s[2];
    x->company_id = s[3];
    x->investor_id = s[4];
    x->slot_start = s[5];
    x->table_no = atoi(c[7]);
    return 0;
}

/* Makes room for one more item of 'size' bytes in '*items'. */
static int grow(void **items, size_t *cap, size_t n, size_t size)
{
    if (n == *cap) {
        size_t c = *cap == 0 ? 64 : *cap * 2;
        void *x = realloc(*items, c * size);

        if (x == NULL)
            return TV_ENOMEM;
        *items = x;
        *cap = c;
    }
    return 0;
}

static int on_person(void *ctx, const char *const *c, int n)
{
    job_t *j = ctx;
    person_t *x;

    (void)n;
    if (grow((void **)&j->people, &j->cap_people, j->n_people, sizeof(*x)) != 0)
        return TV_ENOMEM;
    x = &j->people[j->n_people];
    x->kind = strcmp(c[0], "company") == 0 ? 'c' : 'i';
    x->seq = j->n_people;
    x->id = strdup(c[1]);
    x->email = strdup(c[2]);
    x->name = c[3] != NULL ? strdup(c[3]) : NULL;
    snprintf(x->lang, sizeof(x->lang), "%s", strcmp(c[4], "it") == 0 ? "it" : "en");
    j->n_people++;
    return x->id == NULL || x->email == NULL || (c[3] != NULL && x->name == NULL) ? TV_ENOMEM : 0;
}

static int person_compare(const void *a, const void *b)
{
    const person_t *x = a, *y = b;
    int c = x->kind != y->kind ? x->kind - y->kind : strcmp(x->id, y->id);

    return c != 0 ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* The first of the people named for profile 'id' of 'kind', or NULL. */
static const person_t *people_of(const job_t *j, char kind, const char *id)
{
    size_t lo = 0, hi = j->n_people;
    person_t key = {kind, 0, (char *)id, NULL, NULL, ""};

    while (lo < hi) { /* the first at or after (kind, id, seq 0) */
        size_t mid = (lo + hi) / 2;

        if (person_compare(&j->people[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < j->n_people && j->people[lo].kind == kind && strcmp(j->people[lo].id, id) == 0
               ? &j->people[lo]
               : NULL;
}

static int on_request(void *ctx, const char *const *c, int n)
{
    job_t *j = ctx;
    tv_digest_request_t *x;
    char **s;

    (void)n;
    if (grow((void **)&j->requests, &j->cap_requests, j->n_requests, sizeof(*x)) != 0)
        return TV_ENOMEM;
    s = realloc(j->request_strings, j->cap_requests * 6 * sizeof(*s));
    if (s == NULL)
        return TV_ENOMEM;
    j->request_strings = s;
    s = &j->request_strings[j->n_requests * 6];
    for (int k = 0; k < 6; k++) {
        s[k] = dup0(k < 5 ? c[k + 1] : c[7]);
        if (s[k] == NULL) {
            while (k-- > 0)
                free(s[k]);
            return TV_ENOMEM;
        }
    }
    x = &j->requests[j->n_requests++];
    x->id = strtoll(c[0], NULL, 10);
    x->event_id = s[0], x->event_name = s[1], x->company_id = s[2], x->investor_id = s[3];
    x->from_kind = s[4];
    x->must = strcmp(c[6], "must") == 0;
    x->is_new = 0; /* per recipient: the job compares s[5], the day it was made */
    return 0;
}

static int on_unsubscribed(void *ctx, const char *const *c, int n)
{
    job_t *j = ctx;

    (void)n;
    if (grow((void **)&j->unsubscribed, &j->cap_unsub, j->n_unsub, sizeof(char *)) != 0)
        return TV_ENOMEM;
    j->unsubscribed[j->n_unsub] = strdup(c[0]);
    return j->unsubscribed[j->n_unsub++] != NULL ? 0 : TV_ENOMEM;
}

static int string_compare(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int on_language(void *ctx, const char *const *c, int n)
{
    job_t *j = ctx;
    size_t len = strlen(c[0]);

    (void)n;
    if (grow((void **)&j->languages, &j->cap_languages, j->n_languages, sizeof(char *)) != 0 ||
        (j->languages[j->n_languages] = malloc(len + 4)) == NULL)
        return TV_ENOMEM;
    snprintf(j->languages[j->n_languages++], len + 4, "%s %.2s", c[0], c[1]);
    return 0;
}

/* Compares address 'a' (a char **) with the address part of "address language" 'b'. */
static int address_compare(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    size_t n = strcspn(y, " ");
    int c = strncmp(x, y, n);

    return c != 0 ? c : (x[n] != '\0');
}

/* The language 'email' chose on the pages (decision 0060), else 'fallback'. */
static const char *chosen_language(const job_t *j, const char *email, const char *fallback)
{
    char lower[320], *key = lower, **found;

    snprintf(lower, sizeof(lower), "%s", email);
    for (char *q = lower; *q != '\0'; q++)
        *q = (char)(*q >= 'A' && *q <= 'Z' ? *q + 32 : *q);
    found = j->n_languages > 0
                ? bsearch(&key, j->languages, j->n_languages, sizeof(char *), address_compare)
                : NULL;
    return found != NULL ? *found + strcspn(*found, " ") + 1 : fallback;
}

/* 1 if 'email' unsubscribed from digests (a lookup without case in the loaded list). */
static int unsubscribed(const job_t *j, const char *email)
{
    char lower[320], *key = lower;

    snprintf(lower, sizeof(lower), "%s", email);
    for (char *q = lower; *q != '\0'; q++)
        *q = (char)(*q >= 'A' && *q <= 'Z' ? *q + 32 : *q);
    return j->n_unsub > 0 &&
           bsearch(&key, j->unsubscribed, j->n_unsub, sizeof(char *), string_compare) != NULL;
}

/* Request pointers sorted by the id of one side, then by request id, for a binary search per
 * recipient. */
static int by_company_compare(const void *a, const void *b)
{
    const tv_digest_request_t *x = *(const tv_digest_request_t *const *)a;
    const tv_digest_request_t *y = *(const tv_digest_request_t *const *)b;
    int c = strcmp(x->company_id, y->company_id);

    return c != 0 ? c : (x->id > y->id) - (x->id < y->id);
}

static int by_investor_compare(const void *a, const void *b)
{
    const tv_digest_request_t *x = *(const tv_digest_request_t *const *)a;
    const tv_digest_request_t *y = *(const tv_digest_request_t *const *)b;
    int c = strcmp(x->investor_id, y->investor_id);

    return c != 0 ? c : (x->id > y->id) - (x->id < y->id);
}

static int index_requests(job_t *j)
{
    j->by_company = calloc(j->n_requests + 1, sizeof(*j->by_company));
    j->by_investor = calloc(j->n_requests + 1, sizeof(*j->by_investor));
    if (j->by_company == NULL || j->by_investor == NULL)
        return TV_ENOMEM;
    for (size_t i = 0; i < j->n_requests; i++)
        j->by_company[i] = j->by_investor[i] = &j->requests[i];
    qsort(j->by_company, j->n_requests, sizeof(*j->by_company), by_company_compare);
    qsort(j->by_investor, j->n_requests, sizeof(*j->by_investor), by_investor_compare);
    return 0;
}

/* Loads the people of the event files, the pending requests, the unsubscribed addresses, the
 * languages people chose and what each side taught the ranking. */
static int load_people(job_t *j)
{
    int rc = api_unsub_key(j->st, j->key);

    if (rc == 0)
        rc = tv_store_digest_people(j->st, on_person, j);
    if (rc == 0)
        rc = tv_store_digest_requests(j->st, on_request, j);
    if (rc == 0)
        rc = tv_store_digest_unsubscribed(j->st, on_unsubscribed, j);
    if (rc == 0)
        rc = tv_store_digest_languages(j->st, on_language, j);
    if (rc == 0 && j->n_languages > 1) /* byte order, whatever the database's collation */
        qsort(j->languages, j->n_languages, sizeof(char *), string_compare);
    if (rc == 0 && j->n_people > 1)
        qsort(j->people, j->n_people, sizeof(*j->people), person_compare);
    if (rc == 0 && j->n_unsub > 1)
        qsort(j->unsubscribed, j->n_unsub, sizeof(char *), string_compare);
    if (rc == 0)
        rc = index_requests(j);
    if (rc == 0)
        rc = app_signals_read(j->st, TV_KIND_COMPANY, NULL, &j->signals[0]);
    if (rc == 0)
        rc = app_signals_read(j->st, TV_KIND_INVESTOR, NULL, &j->signals[1]);
    return rc;
}

/* Records which companies are eligible now, then reads when each became so. */
static int load_eligibility(job_t *j)
{
    size_t n = tv_matcher_companies(j->m), k = 0;
    const char **ids = calloc(n + 1, sizeof(*ids));
    int rc = ids != NULL ? 0 : TV_ENOMEM;

    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (tv_matcher_is_live_company(j->m, i) && tv_matcher_eligible(j->m, i) == TV_CHECK_PASS)
            ids[k++] = tv_matcher_company(j->m, i)->id;
    }
    if (rc == 0)
        rc = tv_store_digest_eligible_sync(j->st, j->o->date, ids, k);
    if (rc == 0)
        rc = tv_store_digest_eligible_since(j->st, j->o->date, on_eligible, j);
    free(ids);
    return rc;
}

static int load(job_t *j)
{
    int rc = load_templates(j);

    if (rc == 0)
        rc = tv_store_digest_run_start(j->st, j->o->date);
    if (rc == 0)
        rc = load_eligibility(j);
    if (rc == 0)
        rc = tv_store_digest_states(j->st, on_state, j);
    if (rc == 0)
        rc = tv_store_digest_rows(j->st, j->o->date, on_done, j);
    if (rc == 0)
        rc = tv_store_digest_meetings(j->st, j->o->date, (int)j->o->cfg.days_ahead, on_meeting, j);
    if (rc == 0)
        rc = load_people(j);
    if (rc == 0 && j->states.n > 1)
        qsort(j->states.items, j->states.n, sizeof(keyed_t), keyed_compare);
    if (rc == 0 && j->done.n > 1)
        qsort(j->done.items, j->done.n, sizeof(keyed_t), keyed_compare);
    return rc;
}

/* ---- one recipient ---- */

static void message_id(const job_t *j, char kind, const char *id, const char *lang, char *out,
                       size_t size)
{
    char esc[200];

    escape_id(id, esc, sizeof(esc));
    snprintf(out, size, "digest-%s-%s-%s%s%s@tavolo", j->o->date, kind == 'c' ? "c" : "i", esc,
             lang[0] != '\0' ? "-" : "", lang);
}

/* A contact's part of a Message-ID: FNV-1a of the address without case, so that each contact
 * of a recipient has its own message, and the same one if the job were run again. */
static uint32_t address_hash(const char *email)
{
    uint32_t h = 2166136261u;

    for (const unsigned char *p = (const unsigned char *)email; *p != '\0'; p++) {
        h ^= (uint32_t)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
        h *= 16777619u;
    }
    return h;
}

/* Builds the message of digest 'p' for person 'to' from its rendered text, kept in p->mails
 * until the digest is recorded. It carries List-Unsubscribe and List-Unsubscribe-Post (RFC
 * 8058) to the person's signed one-click link of kind digest. */
static int build_mail(job_t *j, pending_t *p, const api_recipient_t *to, const char *unsub,
                      const char *subject, const char *text, const char *html)
{
    built_t *x = realloc(p->mails, (p->n_mails + 1) * sizeof(*x));
    char mid[300], lu[2048];
    size_t len;
    int rc;

    if (x == NULL)
        return TV_ENOMEM;
    p->mails = x;
    x = &p->mails[p->n_mails];
    memset(x, 0, sizeof(*x));
    message_id(j, p->kind, p->id, to->language, mid, sizeof(mid));
    /* "digest-DATE-c-ID-LANG@tavolo" becomes "digest-DATE-c-ID-LANG-HASH@tavolo". */
    mid[strcspn(mid, "@")] = '\0';
    snprintf(x->message_id, sizeof(x->message_id), "%s-%08x@tavolo", mid,
             (unsigned)address_hash(to->email));
    snprintf(lu, sizeof(lu), "<%s>", unsub);
    x->to = to;
    x->subject = strdup(subject);
    {
        const char *names[1] = {to->name}, *addrs[1] = {to->email};
        tv_mail_header_t hdr[2] = {{"List-Unsubscribe", lu},
                                   {"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"}};
        tv_mail_t mail = {.from_name = "tavolo",
                          .from_address = j->o->from,
                          .to_names = names,
                          .to_addresses = addrs,
                          .n_to = 1,
                          .subject = subject,
                          .date_utc = (int64_t)time(NULL),
                          .message_id = x->message_id,
                          .text = text,
                          .html = html,
                          .headers = hdr,
                          .n_headers = 2};

        rc = x->subject != NULL ? tv_mail_build(&mail, &x->bytes, &len) : TV_ENOMEM;
    }
    if (rc == 0)
        p->n_mails++;
    else
        free(x->subject), free(x->bytes);
    return rc;
}

/* Renders the digest 'd' for one person, in their language and with their unsubscribe link,
 * and builds their message. */
static int write_message(job_t *j, const tv_digest_t *d, const api_recipient_t *to, pending_t *p)
{
    char *subject = NULL, *text = NULL, *html = NULL, *unsub = NULL, err[256] = "";
    int l = strcmp(to->language, "it") == 0 ? 1 : 0;
    int rc = api_unsub_url(j->key, to->email, "digest", &unsub);
    tv_digest_reader_t reader = {to->name, api_public_url(), unsub};

    if (rc == 0)
        rc = tv_digest_render(j->m, j->t, d, j->o->date, langs[l], &reader, j->tpl[l][0],
                              j->tpl[l][1], &subject, &text, &html, err, sizeof(err));
    if (rc == TV_EINVAL) {
        pthread_mutex_lock(&j->note_lock);
        app_note(j->notes, "the %s digest templates in %s: %s", langs[l], j->o->templates, err);
        pthread_mutex_unlock(&j->note_lock);
    }
    if (rc == 0)
        rc = build_mail(j, p, to, unsub, subject, text, html);
    free(unsub);
    free(subject);
    free(text);
    free(html);
    return rc;
}

/* The recipient's pending requests, received and sent, into 'out' (freed by the caller), each
 * new when made on or after the day of its previous digest (every one without a digest). */
static int pick_requests(const job_t *j, char kind, const char *id, const keyed_t *state,
                         tv_digest_request_t **out, size_t *n_out)
{
    tv_digest_request_t *const *side = kind == 'c' ? j->by_company : j->by_investor;
    size_t lo = 0, hi = j->n_requests, n = 0;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const tv_digest_request_t *r = side[mid];

        if (strcmp(kind == 'c' ? r->company_id : r->investor_id, id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    while (lo + n < j->n_requests &&
           strcmp(kind == 'c' ? side[lo + n]->company_id : side[lo + n]->investor_id, id) == 0)
        n++;
    *out = n > 0 ? malloc(n * sizeof(**out)) : NULL;
    if (n > 0 && *out == NULL)
        return TV_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const char *made = j->request_strings[(size_t)(side[lo + i] - j->requests) * 6 + 5];

        (*out)[i] = *side[lo + i];
        (*out)[i].is_new = state == NULL || strcmp(made, state->a) >= 0;
    }
    *n_out = n;
    return 0;
}

/* Fills the digest's input: previous state, new eligible companies, meetings, requests. */
static int prepare_input(job_t *j, char kind, size_t index, const char *id, tv_digest_input_t *in,
                         size_t *elig, tv_digest_meeting_t *meet, size_t meet_cap,
                         tv_digest_request_t **requests)
{
    const keyed_t *s = keyed_find(&j->states, kind, id);

    memset(in, 0, sizeof(*in));
    in->kind = kind == 'c' ? TV_KIND_COMPANY : TV_KIND_INVESTOR;
    in->index = index;
    in->prev_state = s != NULL ? s->b : NULL;
    for (size_t i = 0; kind == 'i' && i < j->n_elig; i++) {
        if (s == NULL || strcmp(j->elig_since[i], s->a) > 0)
            elig[in->n_new_eligible++] = j->elig_index[i];
    }
    in->new_eligible = elig;
    for (size_t i = 0; i < j->n_meetings && in->n_meetings < meet_cap; i++) {
        const char *who = kind == 'c' ? j->meetings[i].company_id : j->meetings[i].investor_id;

        if (strcmp(who, id) == 0)
            meet[in->n_meetings++] = j->meetings[i];
    }
    in->meetings = meet;
    return pick_requests(j, kind, id, s, requests, &in->n_requests);
}

/* Computes one recipient's digest and builds a message for each of its people who did not
 * unsubscribe; 'p' gets what to record. */
static int build_one(job_t *j, char kind, size_t index, pending_t *p, size_t *elig)
{
    tv_digest_meeting_t meet[64];
    tv_digest_request_t *requests = NULL;
    tv_digest_input_t in;
    tv_digest_t *d = NULL;
    tv_signals_t learned = {NULL, 0};
    char mid[300];
    int rc = prepare_input(j, kind, index, p->id, &in, elig, meet, 64, &requests);

    in.requests = requests;
    if (rc == 0)
        rc = app_signals_rows(&j->signals[kind == 'c' ? 0 : 1], p->id, j->m,
                              kind == 'c' ? TV_KIND_COMPANY : TV_KIND_INVESTOR, &learned);
    in.learned = &learned;
    if (rc == 0)
        rc = tv_digest_build(j->m, j->t, &j->o->cfg, &in, &d);
    if (rc == 0)
        rc = tv_codec_digest_encode(j->m, j->t, d, j->o->date, &p->content);
    if (rc == 0)
        p->state = strdup(d->state);
    if (rc == 0 && p->state == NULL)
        rc = TV_ENOMEM;
    p->status = rc == 0 && tv_digest_is_empty(d) ? "empty" : "sent";
    for (size_t i = 0; rc == 0 && !tv_digest_is_empty(d) && i < p->people.n; i++) {
        if (!unsubscribed(j, p->people.items[i].email))
            rc = write_message(j, d, &p->people.items[i], p);
    }
    message_id(j, kind, p->id, "", mid, sizeof(mid));
    if (rc == 0)
        p->message_id = strdup(mid);
    tv_digest_destroy(d);
    free((void *)learned.items);
    free(requests);
    return rc;
}

static void pending_dispose(pending_t *p)
{
    for (size_t i = 0; i < p->n_mails; i++) {
        free(p->mails[i].subject);
        free(p->mails[i].bytes);
    }
    free(p->mails);
    api_recipients_dispose(&p->people);
    free(p->id);
    free(p->content);
    free(p->state);
    free(p->message_id);
    memset(p, 0, sizeof(*p));
}

typedef struct {
    job_t *j;
    int64_t ids[BATCH];
} record_t;

/* Inside one transaction: the batch's digest rows and states, then the messages of the digests
 * this process inserted (another process's digest came with its own messages). */
static int record_in_tx(tv_store_t *st, void *ctx)
{
    record_t *r = ctx;
    job_t *j = r->j;
    tv_digest_row_t rows[BATCH] = {{0}};
    tv_mail_row_t *mails = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;

    for (size_t i = 0; i < j->n_batch; i++) {
        const pending_t *p = &j->batch[i];

        rows[i] = (tv_digest_row_t){p->kind == 'c' ? "company" : "investor",
                                    p->id,
                                    p->status,
                                    p->content,
                                    p->state,
                                    p->message_id};
        cap += p->n_mails;
    }
    rc = tv_store_digest_record_many(st, j->o->date, rows, j->n_batch, r->ids);
    mails = rc == 0 && cap > 0 ? malloc(cap * sizeof(*mails)) : NULL;
    if (rc == 0 && cap > 0 && mails == NULL)
        rc = TV_ENOMEM;
    for (size_t i = 0; rc == 0 && i < j->n_batch; i++) {
        for (size_t k = 0; r->ids[i] != 0 && k < j->batch[i].n_mails; k++) {
            const built_t *x = &j->batch[i].mails[k];

            mails[n++] = (tv_mail_row_t){x->message_id, "digest",        NULL,       x->to->email,
                                         x->to->name,   x->to->language, x->subject, x->bytes};
        }
    }
    if (rc == 0)
        rc = tv_store_mail_enqueue_many(st, mails, n, NULL);
    free(mails);
    return rc;
}

/* ---- building a batch on several threads ---- */

static void lock_read(job_t *j)
{
    if (j->lock != NULL)
        pthread_rwlock_rdlock(j->lock);
}

static void unlock_read(job_t *j)
{
    if (j->lock != NULL)
        pthread_rwlock_unlock(j->lock);
}

typedef struct {
    job_t *j;
    size_t first, step; /* this worker builds batch[first], batch[first + step], ... */
    int rc;
} worker_t;

/* Builds the worker's share of the batch. Each recipient is found again by id under the
 * matcher's read lock, so that a profile the daemon removed meanwhile is skipped. */
static void *build_worker(void *arg)
{
    worker_t *w = arg;
    job_t *j = w->j;
    size_t *elig = calloc(j->n_elig + 1, sizeof(size_t));

    w->rc = elig != NULL ? 0 : TV_ENOMEM;
    for (size_t i = w->first; w->rc == 0 && i < j->n_batch; i += w->step) {
        pending_t *p = &j->batch[i];
        int c = p->kind == 'c', index;

        lock_read(j);
        index = c ? tv_matcher_find_company(j->m, p->id) : tv_matcher_find_investor(j->m, p->id);
        p->skip = index < 0 || !(c ? tv_matcher_is_live_company(j->m, (size_t)index)
                                   : tv_matcher_is_live_investor(j->m, (size_t)index));
        if (!p->skip)
            w->rc = build_one(j, p->kind, (size_t)index, p, elig);
        unlock_read(j);
    }
    free(elig);
    return NULL;
}

/* Drops the recipients build_worker skipped, keeping the order of the others. */
static void compact_batch(job_t *j)
{
    size_t k = 0;

    for (size_t i = 0; i < j->n_batch; i++) {
        if (j->batch[i].skip) {
            pending_dispose(&j->batch[i]);
            j->stats.recipients--;
        } else {
            j->batch[k++] = j->batch[i];
        }
    }
    j->n_batch = k;
}

/* Builds the batch's digests and messages on o->threads threads (the calling one included):
 * the matcher is read under its shared lock, and each thread writes only its own recipients. */
static int build_batch(job_t *j)
{
    worker_t w[MAX_THREADS];
    pthread_t tid[MAX_THREADS];
    int started[MAX_THREADS] = {0}, rc = 0;
    size_t n = j->o->threads < 1 ? 1 : j->o->threads > MAX_THREADS ? MAX_THREADS : j->o->threads;

    if (n > j->n_batch)
        n = j->n_batch > 0 ? j->n_batch : 1;
    for (size_t t = 0; t < n; t++)
        w[t] = (worker_t){j, t, n, 0};
    for (size_t t = 1; t < n; t++) /* a thread that cannot start is run here instead */
        started[t] = pthread_create(&tid[t], NULL, build_worker, &w[t]) == 0;
    build_worker(&w[0]);
    for (size_t t = 1; t < n; t++) {
        if (started[t])
            pthread_join(tid[t], NULL);
        else
            build_worker(&w[t]);
    }
    for (size_t t = 0; t < n && rc == 0; t++)
        rc = w[t].rc;
    if (rc == 0)
        compact_batch(j);
    return rc;
}

/* Builds the batch, then records its digests with their messages in one transaction. */
static int flush_batch(job_t *j)
{
    record_t *r = calloc(1, sizeof(*r));
    int64_t ids[BATCH];
    size_t n_ids = 0;
    int rc = r != NULL ? 0 : TV_ENOMEM;

    if (rc == 0)
        rc = build_batch(j);
    if (rc == 0 && j->n_batch > 0) {
        r->j = j;
        rc = tv_store_mail_transaction(j->st, record_in_tx, r);
    }
    for (size_t i = 0; rc == 0 && i < j->n_batch; i++) {
        const pending_t *p = &j->batch[i];

        if (r->ids[i] == 0)
            continue; /* another process recorded it, with its messages */
        ids[n_ids++] = r->ids[i];
        j->committed++;
        if (strcmp(p->status, "sent") == 0)
            j->stats.sent++, j->stats.messages += p->n_mails;
        else
            j->stats.empty++;
    }
    if (rc == 0 && j->o->crash_after > 0 && j->committed == j->o->crash_after)
        _exit(3); /* tests: a crash after a commit, before the run is over */
    if (rc == 0)
        rc = tv_store_digest_mark_written(j->st, ids, n_ids);
    for (size_t i = 0; i < j->n_batch; i++)
        pending_dispose(&j->batch[i]);
    j->n_batch = 0;
    free(r);
    return rc;
}

/* ---- the run ---- */

/* The people a profile's digest reaches: its contacts (each in its language, else the
 * profile's), then the people the event files name for it (recipients.h): one per address. */
static int gather(const job_t *j, char kind, size_t index, api_recipients_t *out)
{
    const tv_contact_t *contacts;
    const char *lang, *id;
    size_t n;
    int rc = 0;

    if (kind == 'c') {
        const tv_company_t *c = tv_matcher_company(j->m, index);
        contacts = c->contacts, n = c->contacts_n, lang = c->language, id = c->id;
    } else {
        const tv_investor_t *v = tv_matcher_investor(j->m, index);
        contacts = v->contacts, n = v->contacts_n, lang = v->language, id = v->id;
    }
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = api_recipients_add(
            out, contacts[i].email, contacts[i].name,
            chosen_language(j, contacts[i].email, tv_digest_language(&contacts[i], lang)));
    for (const person_t *x = people_of(j, kind, id);
         rc == 0 && x != NULL && x < j->people + j->n_people && x->kind == kind &&
         strcmp(x->id, id) == 0;
         x++)
        rc = api_recipients_add(out, x->email, x->name, x->lang);
    return rc;
}

/* One recipient: skipped when done (its messages were queued with it) or when nobody reads
 * it, else added to the batch, to be built by build_batch. */
static int visit(job_t *j, char kind, size_t rank)
{
    size_t index =
        kind == 'c' ? tv_matcher_company_at(j->m, rank) : tv_matcher_investor_at(j->m, rank);
    int live = kind == 'c' ? tv_matcher_is_live_company(j->m, index)
                           : tv_matcher_is_live_investor(j->m, index);
    api_recipients_t people = {0};
    pending_t *p;
    int rc = live ? gather(j, kind, index, &people) : 0;

    if (rc != 0 || people.n == 0) {
        api_recipients_dispose(&people);
        return rc;
    }
    p = &j->batch[j->n_batch];
    p->kind = kind;
    p->id = strdup(kind == 'c' ? tv_matcher_company(j->m, index)->id
                               : tv_matcher_investor(j->m, index)->id);
    p->people = people;
    j->stats.recipients++;
    if (p->id != NULL && keyed_find(&j->done, kind, p->id) != NULL) {
        j->stats.already++;
        pending_dispose(p);
        return 0;
    }
    j->n_batch++;
    return p->id != NULL ? 0 : TV_ENOMEM;
}

/* Visits every recipient in id order. The next one is found by id under the lock each time,
 * so that profiles added or removed by the daemon meanwhile neither shift nor hide anyone. */
static int walk_kind(job_t *j, char kind)
{
    char last[80] = "";
    int rc = 0;

    while (rc == 0) {
        size_t r, n;

        if (j->o->stop != NULL && atomic_load(j->o->stop)) {
            j->stats.stopped = 1;
            break;
        }
        lock_read(j);
        n = kind == 'c' ? tv_matcher_companies(j->m) : tv_matcher_investors(j->m);
        r = kind == 'c' ? tv_matcher_company_rank_after(j->m, last)
                        : tv_matcher_investor_rank_after(j->m, last);
        if (r < n) {
            size_t index =
                kind == 'c' ? tv_matcher_company_at(j->m, r) : tv_matcher_investor_at(j->m, r);

            snprintf(last, sizeof(last), "%s",
                     kind == 'c' ? tv_matcher_company(j->m, index)->id
                                 : tv_matcher_investor(j->m, index)->id);
            rc = visit(j, kind, r);
        }
        unlock_read(j);
        if (r >= n)
            break;
        /* A full batch, or the digest the crash hook of the tests waits for. */
        if (rc == 0 && (j->n_batch == BATCH ||
                        (j->o->crash_after > 0 && j->committed + j->n_batch == j->o->crash_after)))
            rc = flush_batch(j);
    }
    return rc;
}

static int walk(job_t *j)
{
    int rc = walk_kind(j, 'c');

    if (rc == 0)
        rc = walk_kind(j, 'i');
    if (rc == 0)
        rc = flush_batch(j);
    return rc;
}

static void job_dispose(job_t *j)
{
    for (int l = 0; l < LANGS; l++) {
        free(j->tpl[l][0]);
        free(j->tpl[l][1]);
    }
    keyed_dispose(&j->states);
    keyed_dispose(&j->done);
    for (size_t i = 0; i < j->n_elig; i++)
        free(j->elig_since[i]);
    free(j->elig_since);
    free(j->elig_index);
    for (size_t i = 0; i < j->n_meetings * 6; i++)
        free(j->meeting_strings[i]);
    free(j->meeting_strings);
    free(j->meetings);
    for (size_t i = 0; i < j->n_people; i++) {
        free(j->people[i].id);
        free(j->people[i].email);
        free(j->people[i].name);
    }
    free(j->people);
    for (size_t i = 0; i < j->n_requests * 6; i++)
        free(j->request_strings[i]);
    free(j->request_strings);
    app_signals_dispose(&j->signals[0]);
    app_signals_dispose(&j->signals[1]);
    free(j->requests);
    free(j->by_company);
    free(j->by_investor);
    for (size_t i = 0; i < j->n_unsub; i++)
        free(j->unsubscribed[i]);
    free(j->unsubscribed);
    for (size_t i = 0; i < j->n_languages; i++)
        free(j->languages[i]);
    free(j->languages);
    for (size_t i = 0; i < j->n_batch; i++)
        pending_dispose(&j->batch[i]);
}

int digest_job_run(tv_store_t *st, const tv_matcher_t *m, pthread_rwlock_t *lock,
                   const tv_taxonomy_t *t, const digest_job_opts_t *o, digest_job_stats_t *out,
                   app_notes_t *notes)
{
    job_t *j = calloc(1, sizeof(*j));
    int got = 0, rc = j != NULL ? 0 : TV_ENOMEM;

    if (rc == 0)
        rc = tv_store_digest_lock(st, &got);
    if (rc != 0 || !got)
        goto out;
    j->st = st, j->m = m, j->lock = lock, j->t = t, j->o = o, j->notes = notes;
    pthread_mutex_init(&j->note_lock, NULL);
    lock_read(j);
    rc = load(j);
    unlock_read(j);
    if (rc == 0)
        rc = walk(j);
    if (rc == 0 && !j->stats.stopped)
        rc = tv_store_digest_run_finish(st, o->date, (int64_t)j->stats.recipients);
    tv_store_digest_unlock(st);
out:
    if (rc == 0) {
        if (!got)
            j->stats.busy = 1;
        *out = j->stats;
    }
    if (j != NULL && j->st != NULL)
        pthread_mutex_destroy(&j->note_lock);
    if (j != NULL)
        job_dispose(j);
    free(j);
    return rc;
}
