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

int tv_store_mail_enqueue(tv_store_t *st, const tv_mail_row_t *m, tv_mail_outcome_t *outcome)
{
    const char *params[8] = {m->message_id,     m->kind,     m->event_id, m->recipient_email,
                             m->recipient_name, m->language, m->subject,  m->body};
    PGresult *res = PQexecParams(st->conn, enqueue_sql, 8, NULL, params, NULL, NULL, 0);
    const char *state;
    int rc;

    if (PQresultStatus(res) == PGRES_TUPLES_OK) {
        if (outcome != NULL)
            *outcome = (tv_mail_outcome_t)atoi(PQgetvalue(res, 0, 0));
        PQclear(res);
        return 0;
    }
    state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (state != NULL && (strcmp(state, "23514") == 0 || strcmp(state, "23502") == 0)) {
        rc = tv__store_set_error(st, TV_EINVAL, "message %s: %s", m->message_id,
                                 PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
        PQclear(res);
        return rc;
    }
    return tv__store_db_error(st, res, "mail_messages");
}

int tv_store_mail_unsubscribe(tv_store_t *st, const char *email, const char *kind)
{
    const char *params[2] = {email, kind};

    return tv__store_exec_command(st,
                                  "INSERT INTO mail_unsubscribes (email, kind) VALUES "
                                  "(lower($1), $2) ON CONFLICT DO NOTHING",
                                  2, params);
}
