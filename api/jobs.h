/* What a worker thread keeps: its own PostgreSQL connection, reopened when lost, and the
 * token cache shared by all workers. */
#ifndef API_JOBS_H
#define API_JOBS_H

#include "api.h"

/* This thread's connection, (re)opened on demand; NULL while the database is unreachable. */
tv_store_t *api_jobs_store(api_app_t *app);

/* Authenticates an Authorization header, from a cache of recent answers (entries live
 * API_TOKEN_CACHE_SECONDS, so a revocation takes effect within that time; it holds 2,048,
 * 8 to a set) or the store. */
int api_jobs_authenticate(tv_store_t *st, const char *authorization, api_principal_t *out);

/* The cache alone: 0 on a hit, TV_ENOTFOUND otherwise. Never waits on the database. */
int api_jobs_authenticate_cached(const char *authorization, api_principal_t *out);

#define API_TOKEN_CACHE_SECONDS 30

#endif
