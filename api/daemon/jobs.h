/* What a worker thread keeps: its own PostgreSQL connection, reopened when lost, and the
 * token cache shared by all workers. */
#ifndef API_JOBS_H
#define API_JOBS_H

#include "api.h"

/* This thread's connection, (re)opened on demand; NULL while the database is unreachable. */
tv_store_t *api_jobs_store(api_app_t *app);

/* Sets how long a token's answer is used without asking the database ('cache_seconds') and
 * how much longer it is still taken while the database cannot answer ('grace_seconds').
 * Called before the first request; the defaults are API_TOKEN_CACHE_SECONDS and
 * API_TOKEN_GRACE_SECONDS. */
void api_jobs_configure(unsigned cache_seconds, unsigned grace_seconds);

/* Authenticates an Authorization header, from a cache of answers (2,048 entries, 8 to a set)
 * or the store 'st' (NULL while the database is down). An entry the database confirmed less
 * than the cache time ago is used as it is. An older one is checked again: the database's
 * answer wins at once (an unknown or revoked token is dropped: TV_ENOTFOUND), and when the
 * database cannot answer (no store, or TV_EUNAVAIL) the entry is still taken until cache +
 * grace seconds after its last confirmation. So a revocation takes effect within the cache
 * time while the database is up, and a token in use when an outage begins (confirmed within
 * the cache time before it) keeps working for at least the grace into the outage. A
 * connection found dead by the check (PostgreSQL restarted) is not taken for an outage: a
 * new connection is tried first. */
int api_jobs_authenticate(tv_store_t *st, const char *authorization, api_principal_t *out);

/* What the change feed reports about tokens: token 'token_id' was revoked or changed (its
 * entries are dropped), or, with -1, tokens may have changed unheard (every entry is asked
 * about again on its next use, and keeps its grace for an outage). An answer the database
 * gave before the call is not cached after it. */
void api_jobs_token_changed(int64_t token_id);

/* The cache alone, for the loop thread: 0 when an entry younger than the cache time holds
 * the header, TV_ENOTFOUND otherwise. Never waits on the database. */
int api_jobs_authenticate_cached(const char *authorization, api_principal_t *out);

#define API_TOKEN_CACHE_SECONDS 30
#define API_TOKEN_GRACE_SECONDS 60

#endif
