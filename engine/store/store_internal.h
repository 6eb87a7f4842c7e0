/* Private to the store's files (store.c, store_*.c): the connection and the helpers every
 * statement uses. */
#ifndef TV_STORE_INTERNAL_H
#define TV_STORE_INTERNAL_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "tavolo/store.h"

/* Statements prepared on this connection (tv__store_params), found by the address of their
 * text and checked against a copy of it. */
#define TV_STORE_PREPARED_MAX 128

struct tv_store {
    PGconn *conn;
    char error[512];
    size_t n_prepared;
    const char *prepared_at[TV_STORE_PREPARED_MAX]; /* the caller's pointer */
    char *prepared_sql[TV_STORE_PREPARED_MAX];      /* a copy of its text when prepared */
};

/* Records a formatted error message and returns 'rc'. */
int tv__store_set_error(tv_store_t *st, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records the error of a failed result (frees it) and returns TV_EUNAVAIL when the
 * connection is gone, else TV_EDB. */
int tv__store_db_error(tv_store_t *st, PGresult *res, const char *what);

/* PQexecParams with the statement prepared once per connection: parsing and planning the
 * short lookups behind every request cost more than running them (up to 2 ms for the person's
 * language; decision 0062). A text not seen before on this connection is prepared under the
 * next name; once TV_STORE_PREPARED_MAX are, or when preparing fails, the statement runs
 * unprepared. 'binary': results in binary format. The same pointer with different text (a buffer
 * reused) runs unprepared too. */
PGresult *tv__store_params(tv_store_t *st, const char *sql, int n, const char *const *params,
                           const int *lengths, const int *formats, int binary);

/* Runs a parameterised statement whose rows, if any, are ignored. */
int tv__store_exec_command(tv_store_t *st, const char *sql, int n, const char *const *params);

/* Runs a parameterised query returning one integer (NULL reads as 0). */
int tv__store_query_int(tv_store_t *st, const char *sql, int n, const char *const *params,
                        int64_t *out);

/* Runs a parameterised query and calls 'cb' with the columns of each row (at most 16; NULL for
 * SQL NULL); a non-zero return stops and is returned. 'what' names the query in errors
 * (NULL: the SQL itself). */
int tv__store_each_row(tv_store_t *st, const char *what, const char *sql, int n,
                       const char *const *params, tv_store_row_cb cb, void *ctx);

/* Rolls back the open transaction, ignoring errors. */
void tv__store_rollback(tv_store_t *st);

/* The migrations, in version order: generated from migrations/NNN_name.sql by
 * cmake/embed_migrations.cmake. */
typedef struct {
    int version;
    const char *name;
    const char *sql;
} tv__migration_t;

extern const tv__migration_t tv__migrations[];
extern const size_t tv__migration_count;

#endif
