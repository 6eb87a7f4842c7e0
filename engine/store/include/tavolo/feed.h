/* tavolo/feed.h: the change feed, how every process learns of every committed write
 * (decision 0042). Each write's transaction sends a notification on channel "tavolo" whose
 * payload only says what kind of thing changed ("profiles", "token:ID", "event:ID"); what
 * changed is read back by snapshot: a reader remembers the snapshot its state reflects and
 * asks for the profiles written or removed by the transactions that snapshot did not see. */
#ifndef TV_FEED_H
#define TV_FEED_H

#include <stddef.h>

#include "tavolo/profile.h"
#include "tavolo/store.h"

/* Starts a read-only transaction at one snapshot of the database, whose text (the
 * pg_snapshot) goes to '*snapshot' (malloc'd). Every read until tv_store_snapshot_end sees
 * exactly what that snapshot sees. */
int tv_store_snapshot_begin(tv_store_t *st, char **snapshot);
int tv_store_snapshot_end(tv_store_t *st);

/* Called for each profile changed since a snapshot: 'json' is its stored document, or NULL
 * (and 'len' 0) when it was removed. A non-zero return stops the walk and is returned. */
typedef int (*tv_store_change_cb)(void *ctx, tv_profile_kind_t kind, const char *id,
                                  const char *json, size_t len);

/* Calls 'cb' for every profile that transactions invisible to snapshot 'since' wrote or
 * removed, as of a new snapshot whose text goes to '*now' (malloc'd): the next call passes it
 * as 'since'. A profile written several times comes once, as it is now. TV_EDB for a
 * malformed 'since'. */
int tv_store_changes(tv_store_t *st, const char *since, tv_store_change_cb cb, void *ctx,
                     char **now);

/* A connection that listens on channel "tavolo", driven without ever blocking: the caller
 * waits on tv_listener_socket() for what tv_listener_step() asks and calls it again. */
typedef struct tv_listener tv_listener_t;

enum {
    TV_LISTENER_READ = 1,     /* wait until the socket is readable */
    TV_LISTENER_WRITE = 2,    /* wait until the socket is writable */
    TV_LISTENER_LISTENING = 4 /* LISTEN is in force: every later commit will be heard */
};

/* Starts connecting to 'conninfo' without waiting. TV_ENOMEM, or TV_EUNAVAIL with the reason
 * in tv_listener_error when libpq refuses at once. */
int tv_listener_open(const char *conninfo, tv_listener_t **out);

/* Reads and writes what the socket allows, queues the notifications received, and returns
 * the TV_LISTENER_* flags of what to wait for next (with TV_LISTENER_LISTENING once LISTEN
 * has been confirmed), or TV_EUNAVAIL when the connection failed or was lost: then close it
 * and open another. The socket may change while connecting: ask tv_listener_socket after
 * each step. */
int tv_listener_step(tv_listener_t *l);

/* The connection's socket, or -1. */
int tv_listener_socket(const tv_listener_t *l);

/* Pops the oldest queued notification's payload (malloc'd, the caller frees), or NULL. */
char *tv_listener_next(tv_listener_t *l);

/* Why the connection failed. */
const char *tv_listener_error(const tv_listener_t *l);

/* Closes the connection and frees 'l'. NULL is a no-op. */
void tv_listener_close(tv_listener_t *l);

#endif
