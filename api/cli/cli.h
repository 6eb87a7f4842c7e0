/* Shared helpers of the command-line subcommands: files, taxonomy, the database. */
#ifndef API_CLI_H
#define API_CLI_H

#include <stddef.h>

#include "cli_report.h"
#include "loader.h"
#include "mail_delivery.h"
#include "tavolo/codec.h"
#include "tavolo/error.h"
#include "tavolo/match.h"
#include "tavolo/store.h"
#include "tavolo/taxonomy.h"

/* Exit statuses of every subcommand. */
enum { CLI_OK = 0, CLI_FAILED = 1, CLI_USAGE = 2 };

/* Reads a whole file ("-" is standard input) into a NUL-terminated buffer the caller frees;
 * prints why it cannot. */
int cli_read_file(const char *path, char **buf, size_t *len);

/* Loads the taxonomy from $TAVOLO_TAXONOMY or the built-in default path; reports problems. */
int cli_load_taxonomy(tv_taxonomy_t **out);

/* $TAVOLO_HOME, or "./var" (app_home). */
const char *cli_home(void);

/* Writes the conninfo of the database: $TAVOLO_DATABASE_URL, or the embedded cluster
 * (started if needed). */
int cli_conninfo(char *buf, size_t size);

/* Opens the database named by $TAVOLO_DATABASE_URL or, when it is unset, the embedded
 * cluster in $TAVOLO_HOME/pg (started if needed), and applies pending migrations. */
int cli_open_store(tv_store_t **out);

/* app_load_match_config (app/loader.h), printing its notes. */
int cli_load_match_config(const char *overrides, char *const *sets, size_t n_sets,
                          tv_match_config_t *out);

/* app_load_matcher (app/loader.h), printing its notes. */
int cli_load_matcher(tv_store_t *st, const tv_taxonomy_t *tax, const tv_match_config_t *cfg,
                     tv_matcher_t **out);

/* The taxonomy, the store and the matcher built with the default settings, in that order; on
 * failure those opened are in '*tax', '*st' and '*m' to be released as usual. */
int cli_open_matching(tv_taxonomy_t **tax, tv_store_t **st, tv_matcher_t **m);

/* Subcommands: each takes its own argv (argv[0] is the subcommand's name). */
int cmd_db(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_eligibility(int argc, char **argv);
int cmd_schema(int argc, char **argv);
int cmd_match(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_event(int argc, char **argv);
int cmd_schedule(int argc, char **argv);
int cmd_agenda(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_digest(int argc, char **argv);
int cmd_notify(int argc, char **argv);
int cmd_invite(int argc, char **argv);
int cmd_mail(int argc, char **argv);

/* Runs the mail delivery worker once (into 'outbox' when not NULL and no relay is set), printing
 * only its errors; writes what it did to '*s' and 1 to '*smtp' when it used a relay. Returns the
 * exit status. */
int cli_mail_deliver(const char *outbox, mail_delivery_stats_t *s, int *smtp);

#endif
