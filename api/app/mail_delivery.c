/* The mail delivery worker (see mail_delivery.h): claims due rows in batches under the
 * sender's advisory lock, hands each to libcurl's SMTP client (one easy handle, so one
 * connection, for the whole run) or writes it into the Maildir outbox, and records each
 * outcome in its own statement right after the relay's answer, so that a crash repeats at most
 * the one message whose answer was not yet recorded. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mail_delivery.h"

#define DEFAULT_MAX_ATTEMPTS 8
#define DEFAULT_RETRY_S 60
#define DEFAULT_TIMEOUT_S 60
#define DEFAULT_BATCH 100
/* A Maildir batch is flushed with one syncfs, which costs the same for 100 messages or 1000. */
#define MAILDIR_BATCH 1000

typedef struct {
    int64_t id;
    char *message_id, *recipient, *body;
} row_t;

typedef struct {
    row_t *rows;
    size_t n, cap;
} rows_t;

/* One run's way out: an SMTP session (curl != NULL) or the Maildir outbox. */
typedef struct {
    CURL *curl;
    char from[320];
    char password[256];
    const char *body; /* the message being read by libcurl, LF line ends */
    size_t len, pos;
    int cr_sent;          /* a CR was sent for the LF at 'pos': send the LF next */
    char reply[512];      /* the server's last line */
    char fail_reply[512]; /* its last 4xx or 5xx line (libcurl says QUIT after it) */
    char errbuf[CURL_ERROR_SIZE];
    char tmp[4096], new_[4096];
} sender_t;

/* ---- settings ---- */

static int env_int(const char *name, int fallback, int min, int *out, app_notes_t *notes)
{
    const char *v = getenv(name);
    char *end;
    long x;

    *out = fallback;
    if (v == NULL || v[0] == '\0')
        return 0;
    errno = 0;
    x = strtol(v, &end, 10);
    if (errno != 0 || *end != '\0' || x < min || x > 1000000) {
        app_note(notes, "%s=%s: expected a whole number from %d to 1000000", name, v, min);
        return TV_EINVAL;
    }
    *out = (int)x;
    return 0;
}

static const char *env_str(const char *name)
{
    const char *v = getenv(name);

    return v != NULL && v[0] != '\0' ? v : NULL;
}

int mail_delivery_defaults(mail_delivery_opts_t *o, char *outbox_buf, size_t size,
                           app_notes_t *notes)
{
    int rc;

    memset(o, 0, sizeof(*o));
    snprintf(outbox_buf, size, "%s/outbox", app_home());
    o->outbox = outbox_buf;
    o->smtp_url = env_str("TAVOLO_SMTP_URL");
    o->smtp_user = env_str("TAVOLO_SMTP_USER");
    o->password_file = env_str("TAVOLO_SMTP_PASSWORD_FILE");
    o->ca_file = env_str("TAVOLO_SMTP_CA_FILE");
    o->from = env_str("TAVOLO_MAIL_FROM");
    if (o->from == NULL)
        o->from = "digest@tavolo.invalid";
    o->batch = o->smtp_url != NULL ? DEFAULT_BATCH : MAILDIR_BATCH;
    rc = env_int("TAVOLO_MAIL_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS, 1, &o->max_attempts, notes);
    if (rc == 0)
        rc = env_int("TAVOLO_MAIL_RETRY_SECONDS", DEFAULT_RETRY_S, 0, &o->retry_s, notes);
    if (rc == 0)
        rc = env_int("TAVOLO_SMTP_TIMEOUT", DEFAULT_TIMEOUT_S, 1, &o->timeout_s, notes);
    if (rc == 0 && o->smtp_url != NULL && strncmp(o->smtp_url, "smtp://", 7) != 0 &&
        strncmp(o->smtp_url, "smtps://", 8) != 0) {
        /* Only the scheme: the rest may hold a password. */
        app_note(notes, "TAVOLO_SMTP_URL=%.*s...: expected smtp://HOST:PORT or smtps://HOST:PORT",
                 (int)strcspn(o->smtp_url, ":@/"), o->smtp_url);
        rc = TV_EINVAL;
    }
    if (rc == 0 && o->password_file != NULL && o->smtp_user == NULL) {
        app_note(notes, "TAVOLO_SMTP_PASSWORD_FILE is set without TAVOLO_SMTP_USER");
        rc = TV_EINVAL;
    }
    if (rc == 0 && o->ca_file != NULL && access(o->ca_file, R_OK) != 0) {
        app_note(notes, "TAVOLO_SMTP_CA_FILE=%s: %s", o->ca_file, strerror(errno));
        rc = TV_EINVAL;
    }
    return rc;
}

/* ---- the claimed rows ---- */

static char *dup0(const char *s)
{
    return strdup(s != NULL ? s : "");
}

static void rows_clear(rows_t *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->rows[i].message_id);
        free(r->rows[i].recipient);
        free(r->rows[i].body);
    }
    r->n = 0;
}

/* One claimed row: (id, message_id, recipient_email, attempts, body). */
static int on_claimed(void *ctx, const char *const *c, int n)
{
    rows_t *r = ctx;
    row_t *x;

    (void)n;
    if (r->n == r->cap) {
        size_t cap = r->cap == 0 ? DEFAULT_BATCH : r->cap * 2;
        row_t *rows = realloc(r->rows, cap * sizeof(*rows));

        if (rows == NULL)
            return TV_ENOMEM;
        r->rows = rows;
        r->cap = cap;
    }
    x = &r->rows[r->n++];
    x->id = strtoll(c[0], NULL, 10);
    x->message_id = dup0(c[1]);
    x->recipient = dup0(c[2]);
    x->body = dup0(c[4]);
    return x->message_id != NULL && x->recipient != NULL && x->body != NULL ? 0 : TV_ENOMEM;
}

/* ---- the Maildir outbox ---- */

/* Letters, digits, '-', '_' and '.' stay; anything else becomes %XX: a file name without '/'
 * or ':' that the Message-ID decides, so a message written again after a crash replaces its
 * own file instead of adding one. */
static void file_name(const char *message_id, char *out, size_t size)
{
    size_t o = 0;

    for (const unsigned char *p = (const unsigned char *)message_id; *p != '\0' && o + 4 < size;
         p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '_' || *p == '-' || (*p == '.' && o > 0))
            out[o++] = (char)*p;
        else
            o += (size_t)snprintf(out + o, size - o, "%%%02X", *p);
    }
    out[o] = '\0';
}

static int maildir_open(sender_t *s, const char *outbox, app_notes_t *notes)
{
    const char *subs[] = {"", "/tmp", "/new", "/cur"};
    char path[4096];

    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof(path), "%s%s", outbox, subs[i]);
        if (mkdir(path, 0755) != 0 && errno != EEXIST) {
            app_note(notes, "%s: %s", path, strerror(errno));
            return TV_EIO;
        }
    }
    snprintf(s->tmp, sizeof(s->tmp), "%s/tmp", outbox);
    snprintf(s->new_, sizeof(s->new_), "%s/new", outbox);
    return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t k = write(fd, data, len);

        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return TV_EIO;
        data += k;
        len -= (size_t)k;
    }
    return 0;
}

/* Writes the message into tmp/ (not yet flushed: maildir_flush does that for a batch). */
static int maildir_write(sender_t *s, const row_t *r)
{
    char name[600], path[4700];
    int fd, rc;

    file_name(r->message_id, name, sizeof(name));
    snprintf(path, sizeof(path), "%s/%s", s->tmp, name);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    rc = fd >= 0 ? write_all(fd, r->body, strlen(r->body)) : TV_EIO;
    if (fd >= 0 && close(fd) != 0)
        rc = TV_EIO;
    return rc;
}

/* Flushes what the batch wrote into tmp/ with one syncfs (not an fsync a message), then
 * moves each written message into new/ (the Maildir way: a reader never sees half a message)
 * and flushes new/. */
static int maildir_flush(sender_t *s, const rows_t *rows, const int *written)
{
    int dir = open(s->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

    if (dir < 0 || syncfs(dir) != 0)
        rc = TV_EIO;
    if (dir >= 0)
        close(dir);
    for (size_t i = 0; rc == 0 && i < rows->n; i++) {
        char name[600], from[4700], to[4700];

        if (!written[i])
            continue;
        file_name(rows->rows[i].message_id, name, sizeof(name));
        snprintf(from, sizeof(from), "%s/%s", s->tmp, name);
        snprintf(to, sizeof(to), "%s/%s", s->new_, name);
        if (rename(from, to) != 0)
            rc = TV_EIO;
    }
    dir = rc == 0 ? open(s->new_, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (rc == 0 && (dir < 0 || fsync(dir) != 0))
        rc = TV_EIO;
    if (dir >= 0)
        close(dir);
    return rc;
}

/* ---- SMTP through libcurl ---- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* Hands libcurl the message with CRLF line ends (the queue keeps LF); libcurl adds the dot
 * stuffing and the final ".". */
static size_t on_read(char *buf, size_t size, size_t nitems, void *ctx)
{
    sender_t *s = ctx;
    size_t room = size * nitems, o = 0;

    while (o < room && s->pos < s->len) {
        char c = s->body[s->pos];

        if (c == '\n' && !s->cr_sent && (s->pos == 0 || s->body[s->pos - 1] != '\r')) {
            buf[o++] = '\r';
            s->cr_sent = 1;
            continue;
        }
        buf[o++] = c;
        s->cr_sent = 0;
        s->pos++;
    }
    return o;
}

/* Keeps the server's last reply line (what it said of the message). Only what the server sent
 * is looked at: the client's own lines, AUTH among them, are never kept. */
static int on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *ctx)
{
    sender_t *s = ctx;
    size_t n = size < sizeof(s->reply) - 1 ? size : sizeof(s->reply) - 1;

    (void)h;
    if (type != CURLINFO_HEADER_IN)
        return 0;
    while (n > 0 && (data[n - 1] == '\n' || data[n - 1] == '\r'))
        n--;
    memcpy(s->reply, data, n);
    s->reply[n] = '\0';
    if (n > 0 && (data[0] == '4' || data[0] == '5'))
        memcpy(s->fail_reply, s->reply, n + 1);
    return 0;
}

/* 1 when the URL's host, as libcurl reads it, is a loopback address where a plain connection is
 * allowed: an IPv4 address in 127.0.0.0/8, [::1] or "localhost". Any other name is not, even one
 * that resolves to loopback ("relay.localhost"), nor a name that only starts like an address
 * ("127.0.0.1.example.com"), so that a plain connection is never made to a name DNS decides. */
static int is_loopback(const char *url)
{
    CURLU *u = curl_url();
    char *host = NULL;
    unsigned char a[16];
    int yes = 0;

    if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        size_t n = strlen(host);

        if (inet_pton(AF_INET, host, a) == 1)
            yes = a[0] == 127;
        else if (n > 2 && host[0] == '[' && host[n - 1] == ']')
            yes = strcmp(host, "[::1]") == 0 || strcmp(host, "[0:0:0:0:0:0:0:1]") == 0;
        else
            yes = strcasecmp(host, "localhost") == 0;
    }
    curl_free(host);
    curl_url_cleanup(u);
    return yes;
}

/* 'url' for a message: without the password it may hold (smtp://user:password@host), which is
 * never written anywhere. */
static void url_for_notes(const char *url, char *out, size_t size)
{
    CURLU *u = curl_url();
    char *clean = NULL;

    if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_URL, &clean, 0) == CURLUE_OK)
        snprintf(out, size, "%s", clean);
    else
        snprintf(out, size, "(TAVOLO_SMTP_URL)");
    curl_free(clean);
    curl_url_cleanup(u);
}

/* Reads the first line of the password file into s->password. */
static int read_password(sender_t *s, const char *path, app_notes_t *notes)
{
    FILE *f = fopen(path, "r");
    int rc = f != NULL && fgets(s->password, sizeof(s->password), f) != NULL ? 0 : TV_EIO;

    if (f != NULL)
        fclose(f);
    if (rc != 0)
        app_note(notes, "TAVOLO_SMTP_PASSWORD_FILE=%s: cannot read a password", path);
    s->password[strcspn(s->password, "\r\n")] = '\0';
    return rc;
}

static int smtp_open(sender_t *s, const mail_delivery_opts_t *o, app_notes_t *notes)
{
    CURL *c;

    pthread_once(&curl_once, curl_init_once);
    if (o->password_file != NULL && read_password(s, o->password_file, notes) != 0)
        return TV_EIO;
    c = s->curl = curl_easy_init();
    if (c == NULL)
        return TV_ENOMEM;
    snprintf(s->from, sizeof(s->from), strchr(o->from, '<') != NULL ? "%s" : "<%s>", o->from);
    curl_easy_setopt(c, CURLOPT_URL, o->smtp_url);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, s->from);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(c, CURLOPT_READDATA, s);
    curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
    curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_debug);
    curl_easy_setopt(c, CURLOPT_DEBUGDATA, s);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, s->errbuf);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)o->timeout_s);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)o->timeout_s);
    /* STARTTLS is required, except on a loopback relay; smtps:// is TLS from the start. */
    curl_easy_setopt(c, CURLOPT_USE_SSL,
                     is_loopback(o->smtp_url) && strncmp(o->smtp_url, "smtp://", 7) == 0
                         ? (long)CURLUSESSL_NONE
                         : (long)CURLUSESSL_ALL);
    if (o->smtp_user != NULL) {
        curl_easy_setopt(c, CURLOPT_USERNAME, o->smtp_user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, s->password);
    }
    /* The relay's certificate is always verified (libcurl's default): against this file when
     * given, as with a relay of one's own CA, else against the system's. */
    if (o->ca_file != NULL)
        curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
    return 0;
}

/* What a failed transfer means: the reply's code decides (4xx temporary, 5xx permanent); with
 * none (a lost or refused connection, a timeout) the message is tried again, and a relay that
 * cannot be reached or refuses the login stops the run ('*halt'). */
static tv_mail_result_t smtp_classify(sender_t *s, CURLcode res, int *halt)
{
    long code = 0;

    curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
    *halt = res == CURLE_COULDNT_CONNECT || res == CURLE_COULDNT_RESOLVE_HOST ||
            res == CURLE_LOGIN_DENIED || res == CURLE_USE_SSL_FAILED ||
            res == CURLE_SSL_CONNECT_ERROR || res == CURLE_PEER_FAILED_VERIFICATION ||
            res == CURLE_SSL_CACERT_BADFILE || res == CURLE_SSL_CERTPROBLEM;
    if (!*halt && code >= 500 && code < 600) {
        if (s->fail_reply[0] != '\0')
            memcpy(s->reply, s->fail_reply, sizeof(s->reply));
        return TV_MAIL_RESULT_FAILED;
    }
    if (code >= 400 && code < 600 && s->fail_reply[0] != '\0')
        memcpy(s->reply, s->fail_reply, sizeof(s->reply));
    else if (code < 400 || code >= 600) /* no 4xx/5xx at hand: say what libcurl saw */
        snprintf(s->reply, sizeof(s->reply), "%s",
                 s->errbuf[0] != '\0' ? s->errbuf : curl_easy_strerror(res));
    return TV_MAIL_RESULT_RETRY;
}

static tv_mail_result_t smtp_deliver(sender_t *s, const row_t *r, int *halt)
{
    struct curl_slist *rcpt = NULL, *one;
    char to[400];
    CURLcode res;

    snprintf(to, sizeof(to), "<%s>", r->recipient);
    one = curl_slist_append(rcpt, to);
    if (one == NULL) {
        snprintf(s->reply, sizeof(s->reply), "out of memory");
        return TV_MAIL_RESULT_RETRY;
    }
    s->body = r->body;
    s->len = strlen(r->body);
    s->pos = 0;
    s->cr_sent = 0;
    s->reply[0] = s->fail_reply[0] = s->errbuf[0] = '\0';
    curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, one);
    curl_easy_setopt(s->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)-1);
    res = curl_easy_perform(s->curl);
    curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, NULL);
    curl_slist_free_all(one);
    *halt = 0;
    return res == CURLE_OK ? TV_MAIL_RESULT_SENT : smtp_classify(s, res, halt);
}

static void sender_close(sender_t *s)
{
    if (s->curl != NULL)
        curl_easy_cleanup(s->curl); /* says QUIT on the open connection */
    explicit_bzero(s->password, sizeof(s->password));
}

/* ---- the run ---- */

typedef struct {
    const rows_t *rows;
    const int *written;
    const mail_delivery_opts_t *o;
} batch_records_t;

static int record_batch(tv_store_t *st, void *ctx)
{
    const batch_records_t *b = ctx;
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < b->rows->n; i++)
        rc = tv_store_mail_record(
            st, b->rows->rows[i].id, b->written[i] ? TV_MAIL_RESULT_SENT : TV_MAIL_RESULT_RETRY,
            b->written[i] ? "written to the outbox" : "cannot write to the outbox",
            b->o->max_attempts, b->o->retry_s);
    return rc;
}

/* The Maildir takes a claimed batch at once: every message written, one flush for all, then
 * every outcome recorded in one transaction. A crash before that commits writes the same
 * files again at the next run (their names come from the Message-IDs): none appears twice. */
static int maildir_deliver_rows(tv_store_t *st, const mail_delivery_opts_t *o, sender_t *s,
                                const rows_t *rows, mail_delivery_stats_t *stats)
{
    int *written = calloc(rows->n + 1, sizeof(int));
    batch_records_t b = {rows, written, o};
    int rc = written != NULL ? 0 : TV_ENOMEM;

    for (size_t i = 0; rc == 0 && i < rows->n; i++)
        written[i] = maildir_write(s, &rows->rows[i]) == 0;
    if (rc == 0 && maildir_flush(s, rows, written) != 0)
        memset(written, 0, rows->n * sizeof(int)); /* none counts as delivered: all retried */
    if (rc == 0)
        rc = tv_store_mail_transaction(st, record_batch, &b);
    for (size_t i = 0; rc == 0 && i < rows->n; i++) {
        stats->sent += written[i] != 0;
        stats->retried += written[i] == 0;
    }
    free(written);
    return rc;
}

/* Delivers the claimed rows one by one to the relay, recording each outcome as soon as it is
 * known. */
static int deliver_rows(tv_store_t *st, const mail_delivery_opts_t *o, sender_t *s,
                        const rows_t *rows, mail_delivery_stats_t *stats)
{
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < rows->n && !stats->halted; i++) {
        const row_t *r = &rows->rows[i];
        tv_mail_result_t res;
        int halt = 0;

        if (o->stop != NULL && atomic_load(o->stop))
            break;
        res = smtp_deliver(s, r, &halt);
        if (res == TV_MAIL_RESULT_SENT && o->crash_after > 0 && stats->sent + 1 == o->crash_after)
            _exit(3); /* tests: accepted by the relay, not yet recorded */
        rc = tv_store_mail_record(st, r->id, res, s->reply[0] != '\0' ? s->reply : NULL,
                                  o->max_attempts, o->retry_s);
        stats->sent += res == TV_MAIL_RESULT_SENT;
        stats->retried += res == TV_MAIL_RESULT_RETRY;
        stats->failed += res == TV_MAIL_RESULT_FAILED;
        stats->halted = halt;
    }
    return rc;
}

/* Claims and delivers batches until none is due, the run is asked to stop, or it halts. */
static int drain(tv_store_t *st, const mail_delivery_opts_t *o, sender_t *s,
                 mail_delivery_stats_t *stats)
{
    rows_t rows = {0};
    int rc = 0;

    while (rc == 0 && !stats->halted && (o->stop == NULL || !atomic_load(o->stop))) {
        rows_clear(&rows);
        rc = tv_store_mail_claim(st, o->batch > 0 ? o->batch : DEFAULT_BATCH, on_claimed, &rows);
        if (rc != 0 || rows.n == 0)
            break;
        rc = s->curl != NULL ? deliver_rows(st, o, s, &rows, stats)
                             : maildir_deliver_rows(st, o, s, &rows, stats);
    }
    rows_clear(&rows);
    free(rows.rows);
    return rc;
}

int mail_delivery_run(tv_store_t *st, const mail_delivery_opts_t *o, mail_delivery_stats_t *out,
                      app_notes_t *notes)
{
    mail_delivery_stats_t stats = {0};
    sender_t *s = calloc(1, sizeof(*s));
    char url[1024];
    int64_t n = 0;
    int got = 0, rc = s != NULL ? 0 : TV_ENOMEM;

    if (rc == 0)
        rc = tv_store_mail_lock(st, &got);
    if (rc != 0 || !got)
        goto out;
    rc = tv_store_mail_requeue_sending(st, &n);
    stats.recovered = (size_t)n;
    if (rc == 0)
        rc = o->smtp_url != NULL ? smtp_open(s, o, notes) : maildir_open(s, o->outbox, notes);
    if (rc == 0)
        rc = drain(st, o, s, &stats);
    if (stats.halted) {
        url_for_notes(o->smtp_url, url, sizeof(url));
        app_note(notes, "the relay %s: %s", url, s->reply);
    }
    /* What was claimed and not delivered (a stop, a halt, an error) is queued again. */
    tv_store_mail_requeue_sending(st, &n);
    tv_store_mail_unlock(st);
out:
    if (s != NULL)
        sender_close(s);
    free(s);
    stats.busy = rc == 0 && !got;
    if (rc == 0)
        *out = stats;
    return rc;
}
