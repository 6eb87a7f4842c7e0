/* The mail delivery worker (decision 0043), shared by `tavolo mail send`, `tavolo digest` and
 * the daemon's mail timer: takes the queued messages that are due, one sender at a time across
 * processes, to the SMTP relay of TAVOLO_SMTP_URL over one reused connection (or, with no relay
 * configured, into the Maildir outbox), and records what became of each. */
#ifndef API_MAIL_DELIVERY_H
#define API_MAIL_DELIVERY_H

#include <stdatomic.h>
#include <stddef.h>

#include "app.h"
#include "tavolo/store.h"

typedef struct {
    const char *smtp_url;      /* TAVOLO_SMTP_URL, or NULL: the Maildir outbox */
    const char *smtp_user;     /* TAVOLO_SMTP_USER, or NULL: no AUTH */
    const char *password_file; /* TAVOLO_SMTP_PASSWORD_FILE, read at each run, never logged */
    const char *ca_file;       /* TAVOLO_SMTP_CA_FILE: PEM certificates to trust for the relay's
                                  TLS instead of the system's, or NULL; never unverified */
    const char *from;          /* TAVOLO_MAIL_FROM: the envelope sender */
    const char *outbox;        /* the Maildir folder without a relay ($TAVOLO_HOME/outbox) */
    int max_attempts;          /* TAVOLO_MAIL_MAX_ATTEMPTS (8): a message fails at this many */
    int retry_s;               /* TAVOLO_MAIL_RETRY_SECONDS (60): the first retry's delay, then
                                  doubled at each attempt, six hours at most */
    int timeout_s;             /* TAVOLO_SMTP_TIMEOUT (60): per message, and to connect */
    int batch;                 /* rows claimed at once */
    const atomic_int *stop;    /* when set (not NULL, non-zero) the run stops after the message
                                  it is on; what it claimed and did not send is queued again */
    size_t crash_after;        /* tests only (TAVOLO_MAIL_CRASH_AFTER): _exit(3) once this many
                                  messages were accepted, before the last one is recorded */
} mail_delivery_opts_t;

typedef struct {
    int busy;         /* another process is sending: nothing was done */
    size_t recovered; /* rows a dead sender left in 'sending', queued again */
    size_t sent, retried, failed;
    int halted; /* the relay could not be reached (or refused the login): the run stopped */
} mail_delivery_stats_t;

/* Fills 'o' from the environment (see the fields); 'outbox_buf' holds the default outbox path.
 * Returns 0, or TV_EINVAL with a note naming the variable at fault. */
int mail_delivery_defaults(mail_delivery_opts_t *o, char *outbox_buf, size_t size,
                           app_notes_t *notes);

/* Delivers every queued message that is due, until none is left or o->stop is set, and
 * records each outcome: sent; a 4xx reply or a lost connection queued again with a backoff
 * (failed at o->max_attempts); a 5xx reply failed. Writes what it did to '*out'. Prints
 * nothing: a relay, password file or outbox at fault is named in 'notes' (may be NULL). */
int mail_delivery_run(tv_store_t *st, const mail_delivery_opts_t *o, mail_delivery_stats_t *out,
                      app_notes_t *notes);

#endif
