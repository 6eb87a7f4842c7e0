/* tavolo/mail.h: e-mail messages (RFC 5322, MIME multipart/alternative with a plain text and
 * an HTML part), built with GMime. Pure text building: no I/O. May be called from several
 * threads at once. */
#ifndef TV_MAIL_H
#define TV_MAIL_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *from_name;           /* or NULL */
    const char *from_address;        /* "digest@tavolo.example" */
    const char *const *to_names;     /* n_to of them; an entry may be NULL */
    const char *const *to_addresses; /* n_to of them */
    size_t n_to;
    const char *subject;    /* UTF-8, encoded as RFC 2047 words when needed */
    int64_t date_utc;       /* the Date header, shown in UTC */
    const char *message_id; /* without angle brackets: "digest-12-en@tavolo" */
    const char *text;       /* the text/plain part, UTF-8 */
    const char *html;       /* the text/html part, UTF-8 */
} tv_mail_t;

/* Writes the message to '*out' (NUL-terminated, LF line ends as Maildir stores them; free it
 * with free()) and its length to '*len'. TV_EINVAL when an address, the subject or a body is
 * missing or there is no recipient. */
int tv_mail_build(const tv_mail_t *m, char **out, size_t *len);

#endif
