/* Shared helpers of the command-line subcommands: files, taxonomy, the database. */
#ifndef API_CLI_H
#define API_CLI_H

#include <stddef.h>

#include "tavolo/codec.h"
#include "tavolo/error.h"
#include "tavolo/match.h"
#include "tavolo/store.h"
#include "tavolo/taxonomy.h"

/* Exit statuses of every subcommand. */
enum { CLI_OK = 0, CLI_FAILED = 1, CLI_USAGE = 2 };

/* Prints "tavolo: <message>" and a newline to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Reads a whole file ("-" is standard input) into a NUL-terminated buffer the caller frees. */
int cli_read_file(const char *path, char **buf, size_t *len);

/* Loads the taxonomy from $TAVOLO_TAXONOMY or the built-in default path; reports problems. */
int cli_load_taxonomy(tv_taxonomy_t **out);

/* $TAVOLO_HOME, or "./var". */
const char *cli_home(void);

/* Writes the conninfo of the database: $TAVOLO_DATABASE_URL, or the embedded cluster
 * (started if needed). */
int cli_conninfo(char *buf, size_t size);

/* Opens the database named by $TAVOLO_DATABASE_URL or, when it is unset, the embedded
 * cluster in $TAVOLO_HOME/pg (started if needed), and applies pending migrations. */
int cli_open_store(tv_store_t **out);

/* Prints each diagnostic as "file:line: field: message" to stderr. */
void cli_print_diags(const tv_diags_t *d, const char *file);

/* Loads the matching configuration: fixtures/match.json (or $TAVOLO_MATCH_CONFIG), then the
 * file 'overrides' (may be NULL), then each "name=value" of 'sets' (n_sets of them). */
int cli_load_match_config(const char *overrides, char *const *sets, size_t n_sets,
                          tv_match_config_t *out);

/* Loads every stored profile into a new matcher and builds it. */
int cli_load_matcher(tv_store_t *st, const tv_taxonomy_t *tax, const tv_match_config_t *cfg,
                     tv_matcher_t **out);

/* Subcommands: each takes its own argv (argv[0] is the subcommand's name). */
int cmd_db(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_eligibility(int argc, char **argv);
int cmd_schema(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_match(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_event(int argc, char **argv);
int cmd_schedule(int argc, char **argv);
int cmd_agenda(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_digest(int argc, char **argv);

#endif
