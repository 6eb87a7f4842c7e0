/* tavolo/mail.h: e-mail messages (RFC 5322, MIME multipart/alternative with a plain text and
 * an HTML part, and optionally an iTIP calendar), built with GMime. Pure text building: no
 * I/O. May be called from several threads at once. */
#ifndef TV_MAIL_H
#define TV_MAIL_H

#include <stddef.h>
#include <stdint.h>

/* One extra header ("List-Unsubscribe"): a name of printable ASCII without ':' or spaces,
 * a value of one line (no CR or LF), UTF-8 encoded as RFC 2047 words when needed. */
typedef struct {
    const char *name;
    const char *value;
} tv_mail_header_t;

typedef struct {
    const char *from_name;           /* or NULL */
    const char *from_address;        /* "digest@tavolo.example" */
    const char *const *to_names;     /* n_to of them; an entry may be NULL */
    const char *const *to_addresses; /* n_to of them */
    size_t n_to;
    const char *subject;             /* UTF-8, encoded as RFC 2047 words when needed */
    int64_t date_utc;                /* the Date header, shown in UTC */
    const char *message_id;          /* without angle brackets: "digest-12-en@tavolo" */
    const char *text;                /* the text/plain part, UTF-8 */
    const char *html;                /* the text/html part, UTF-8 */
    const tv_mail_header_t *headers; /* n_headers of them, after the standard ones; or NULL */
    size_t n_headers;
    /* An iCalendar object (RFC 5545, CRLF line ends) whose METHOD is 'ics_method' ("REQUEST"
     * or "CANCEL"), or NULL. It goes twice, as iTIP mail clients expect (RFC 6047): inline as
     * the last part of the multipart/alternative, "text/calendar; method=...; charset=utf-8",
     * which calendar clients act on, and as an attachment "invite.ics" (or "cancel.ics") of a
     * multipart/mixed around it, for those that only offer attachments. */
    const char *ics;
    const char *ics_method;
} tv_mail_t;

/* Writes the message to '*out' (NUL-terminated, LF line ends as Maildir stores them; free it
 * with free()) and its length to '*len'. TV_EINVAL when an address, the subject or a body is
 * missing or there is no recipient, for an extra header out of the form above, and for an
 * 'ics' without a method of REQUEST or CANCEL. */
int tv_mail_build(const tv_mail_t *m, char **out, size_t *len);

#endif
