/* The store's part of mail (decision 0043): queueing messages exactly once, and the
 * recipients' choices. Delivery (claiming, recording the relay's answers) lives here too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "tavolo/error.h"

/* One statement: the row is inserted unless its Message-ID exists or its recipient
 * unsubscribed from its kind; the answer says which. */
static const char enqueue_sql[] =
    "WITH blocked AS (SELECT 1 FROM mail_unsubscribes WHERE lower(email) = lower($4) "
    "AND kind = $2), "
    "ins AS (INSERT INTO mail_messages (message_id, kind, event_id, recipient_email, "
    "recipient_name, language, subject, body) SELECT $1, $2, $3, $4, $5, $6, $7, $8 "
    "WHERE NOT EXISTS (SELECT 1 FROM blocked) ON CONFLICT (message_id) DO NOTHING RETURNING 1) "
    "SELECT CASE WHEN EXISTS (SELECT 1 FROM ins) THEN 0 "
    "WHEN EXISTS (SELECT 1 FROM blocked) THEN 2 ELSE 1 END";

/* A check the table refuses is the caller's bad row (TV_EINVAL); anything else the store's. */
static int enqueue_error(tv_store_t *st, PGresult *res, const char *message_id)
{
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    int rc;

    if (state != NULL && (strcmp(state, "23514") == 0 || strcmp(state, "23502") == 0)) {
        rc = tv__store_set_error(st, TV_EINVAL, "message %s: %s", message_id,
                                 PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
        PQclear(res);
        return rc;
    }
    return tv__store_db_error(st, res, "mail_messages");
}

int tv_store_mail_enqueue(tv_store_t *st, const tv_mail_row_t *m, tv_mail_outcome_t *outcome)
{
    const char *params[8] = {m->message_id,     m->kind,     m->event_id, m->recipient_email,
                             m->recipient_name, m->language, m->subject,  m->body};
    PGresult *res = tv__store_params(st, enqueue_sql, 8, params, NULL, NULL, 0);

    if (PQresultStatus(res) == PGRES_TUPLES_OK) {
        if (outcome != NULL)
            *outcome = (tv_mail_outcome_t)atoi(PQgetvalue(res, 0, 0));
        PQclear(res);
        return 0;
    }
    return enqueue_error(st, res, m->message_id);
}

/* enqueue_sql for many rows: v holds them with their place; the answer gives each place's
 * outcome as enqueue_sql does. */
static const char enqueue_many_head[] =
    "WITH v (ord, mid, kind, ev, email, name, lang, subj, body) AS (VALUES ";
static const char enqueue_many_tail[] =
    "), b AS (SELECT v.ord FROM v WHERE EXISTS (SELECT 1 FROM mail_unsubscribes u WHERE "
    "lower(u.email) = lower(v.email) AND u.kind = v.kind)), "
    "ins AS (INSERT INTO mail_messages (message_id, kind, event_id, recipient_email, "
    "recipient_name, language, subject, body) SELECT mid, kind, ev, email, name, lang, subj, "
    "body FROM v WHERE v.ord NOT IN (SELECT ord FROM b) ORDER BY ord ON CONFLICT (message_id) "
    "DO NOTHING RETURNING message_id) "
    "SELECT v.ord, CASE WHEN v.mid IN (SELECT message_id FROM ins) THEN 0 WHEN v.ord IN "
    "(SELECT ord FROM b) THEN 2 ELSE 1 END FROM v";

#define ENQUEUE_CHUNK 256

/* Queues rows[0..n) (n <= ENQUEUE_CHUNK) in one statement. */
static int enqueue_chunk(tv_store_t *st, const tv_mail_row_t *rows, size_t n,
                         tv_mail_outcome_t *outcomes)
{
    char *sql = malloc(sizeof(enqueue_many_head) + sizeof(enqueue_many_tail) + n * 80);
    const char **params = malloc(9 * n * sizeof(*params));
    char(*ord)[8] = malloc(n * sizeof(*ord));
    size_t len = sizeof(enqueue_many_head) - 1;
    PGresult *res;
    int rc = 0;

    if (sql == NULL || params == NULL || ord == NULL) {
        rc = TV_ENOMEM;
        goto out;
    }
    memcpy(sql, enqueue_many_head, len);
    for (size_t i = 0; i < n; i++) {
        const tv_mail_row_t *m = &rows[i];
        const char **p = &params[9 * i];
        int k = (int)(9 * i) + 1;

        snprintf(ord[i], sizeof(ord[i]), "%zu", i);
        p[0] = ord[i], p[1] = m->message_id, p[2] = m->kind, p[3] = m->event_id;
        p[4] = m->recipient_email, p[5] = m->recipient_name, p[6] = m->language;
        p[7] = m->subject, p[8] = m->body;
        len += (size_t)sprintf(sql + len, "%s($%d::int,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d)",
                               i > 0 ? "," : "", k, k + 1, k + 2, k + 3, k + 4, k + 5, k + 6, k + 7,
                               k + 8);
    }
    memcpy(sql + len, enqueue_many_tail, sizeof(enqueue_many_tail));
    res = tv__store_params(st, sql, (int)(9 * n), params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = enqueue_error(st, res, n == 1 ? rows[0].message_id : "of a batch");
        goto out;
    }
    for (int r = 0; outcomes != NULL && r < PQntuples(res); r++)
        outcomes[strtoul(PQgetvalue(res, r, 0), NULL, 10)] =
            (tv_mail_outcome_t)atoi(PQgetvalue(res, r, 1));
    PQclear(res);
out:
    free(sql);
    free(params);
    free(ord);
    return rc;
}

int tv_store_mail_enqueue_many(tv_store_t *st, const tv_mail_row_t *rows, size_t n,
                               tv_mail_outcome_t *outcomes)
{
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < n; i += ENQUEUE_CHUNK)
        rc = enqueue_chunk(st, rows + i, n - i < ENQUEUE_CHUNK ? n - i : ENQUEUE_CHUNK,
                           outcomes != NULL ? outcomes + i : NULL);
    return rc;
}

int tv_store_mail_unsubscribe(tv_store_t *st, const char *email, const char *kind)
{
    const char *params[2] = {email, kind};

    return tv__store_exec_command(st,
                                  "INSERT INTO mail_unsubscribes (email, kind) VALUES "
                                  "(lower($1), $2) ON CONFLICT DO NOTHING",
                                  2, params);
}

/* ---- delivery ---- */

#define MAIL_LOCK_KEY "7405012028" /* the digest job's is ...027 */
#define MAIL_MAX_BACKOFF_S 21600

int tv_store_mail_transaction(tv_store_t *st, int (*fn)(tv_store_t *st, void *ctx), void *ctx)
{
    int rc = tv__store_exec_command(st, "BEGIN", 0, NULL);

    if (rc == 0)
        rc = fn(st, ctx);
    if (rc == 0)
        rc = tv__store_exec_command(st, "COMMIT", 0, NULL);
    if (rc != 0)
        tv__store_rollback(st);
    return rc;
}

int tv_store_mail_lock(tv_store_t *st, int *got)
{
    int64_t v = 0;
    int rc =
        tv__store_query_int(st, "SELECT pg_try_advisory_lock(" MAIL_LOCK_KEY ")::int", 0, NULL, &v);

    if (rc == 0)
        *got = v == 1;
    return rc;
}

int tv_store_mail_unlock(tv_store_t *st)
{
    return tv__store_exec_command(st, "SELECT pg_advisory_unlock(" MAIL_LOCK_KEY ")", 0, NULL);
}

int tv_store_mail_requeue_sending(tv_store_t *st, int64_t *n)
{
    return tv__store_query_int(st,
                               "WITH r AS (UPDATE mail_messages SET status = 'queued' WHERE "
                               "status = 'sending' RETURNING 1) SELECT count(*) FROM r",
                               0, NULL, n);
}

int tv_store_mail_claim(tv_store_t *st, int limit, tv_store_row_cb cb, void *ctx)
{
    char n[16];
    const char *params[1] = {n};

    snprintf(n, sizeof(n), "%d", limit);
    return tv__store_each_row(
        st, "mail_messages",
        "WITH c AS (UPDATE mail_messages SET status = 'sending' WHERE id IN (SELECT "
        "id FROM mail_messages WHERE status = 'queued' AND next_attempt_at <= now() "
        "ORDER BY next_attempt_at, id LIMIT $1) RETURNING id, message_id, "
        "recipient_email, attempts, body) SELECT * FROM c ORDER BY id",
        1, params, cb, ctx);
}

int tv_store_mail_record(tv_store_t *st, int64_t id, tv_mail_result_t result, const char *reply,
                         int max_attempts, int retry_s)
{
    static const char *const status[] = {"sent", "retry", "failed"};
    char ids[24], maxs[16], retry[16], cap[16];
    const char *params[6] = {ids, status[result], reply, maxs, retry, cap};

    snprintf(ids, sizeof(ids), "%lld", (long long)id);
    snprintf(maxs, sizeof(maxs), "%d", max_attempts);
    snprintf(retry, sizeof(retry), "%d", retry_s);
    snprintf(cap, sizeof(cap), "%d", MAIL_MAX_BACKOFF_S);
    return tv__store_exec_command(
        st,
        "UPDATE mail_messages SET last_reply = $3, "
        "attempts = attempts + CASE WHEN $2 = 'sent' THEN 0 ELSE 1 END, "
        "sent_at = CASE WHEN $2 = 'sent' THEN now() END, "
        "status = CASE WHEN $2 = 'sent' THEN 'sent' WHEN $2 = 'failed' OR attempts + 1 >= "
        "$4::int THEN 'failed' ELSE 'queued' END, "
        "next_attempt_at = CASE WHEN $2 = 'retry' THEN now() + make_interval(secs => "
        "least($5::float8 * power(2, least(attempts, 30)), $6::float8)) ELSE next_attempt_at END "
        "WHERE id = $1::bigint AND status = 'sending'",
        6, params);
}

int tv_store_mail_list(tv_store_t *st, const tv_mail_filter_t *f, tv_store_row_cb cb, void *ctx)
{
    char after[24], limit[16];
    const char *params[4] = {f->event_id, f->status, after, limit};

    snprintf(after, sizeof(after), "%lld", (long long)f->after);
    snprintf(limit, sizeof(limit), "%d", f->limit);
    return tv__store_each_row(
        st, "mail_messages",
        "SELECT id, message_id, kind, event_id, recipient_email, status, attempts, last_reply, "
        "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
        "to_char(next_attempt_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
        "to_char(sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
        "FROM mail_messages WHERE ($1::text IS NULL OR event_id = $1) AND ($2::text IS NULL OR "
        "status = $2) AND id > $3::bigint ORDER BY id LIMIT nullif($4::int, 0)",
        4, params, cb, ctx);
}
