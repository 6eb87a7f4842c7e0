/* The embedded PostgreSQL: a private cluster in a folder, on a unix socket, no TCP. */
#ifndef API_PGEMBED_H
#define API_PGEMBED_H

#include <stddef.h>

typedef struct {
    int fast; /* fsync off: for throwaway test clusters only */
} pgembed_opts_t;

/* Creates (initdb) and starts the cluster in 'home'/pg unless it runs, creates the database
 * "tavolo", and writes its libpq conninfo to 'conninfo'. As root, runs PostgreSQL as the
 * "postgres" user. Returns 0 or a negative TV_E* code after printing why. */
int pgembed_start(const char *home, const pgembed_opts_t *opts, char *conninfo, size_t size);

/* Stops the cluster if it runs. */
int pgembed_stop(const char *home);

/* Returns 1 if the cluster runs, 0 if not. */
int pgembed_running(const char *home);

/* Writes the conninfo of the cluster (whether or not it runs). */
int pgembed_conninfo(const char *home, char *conninfo, size_t size);

#endif
