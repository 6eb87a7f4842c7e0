/* Links in notifications: the public URL, and one-click unsubscribe links (RFC 8058) signed
 * with a secret kept in PostgreSQL, so that nobody can unsubscribe another person. */
#ifndef API_NOTIFY_LINKS_H
#define API_NOTIFY_LINKS_H

#include <stddef.h>

#include "tavolo/store.h"

#define API_UNSUB_KEY_BYTES 32

/* $TAVOLO_PUBLIC_URL without a trailing '/', else "http://127.0.0.1:8080". */
const char *api_public_url(void);

/* 1 if 'kind' is a kind of message one can unsubscribe from (those of mail_messages). */
int api_notify_kind_valid(const char *kind);

/* How a page names messages of 'kind' to a reader of 'lang' ("it" or "en"): "the daily
 * digest", "il riepilogo quotidiano". NULL for an unknown kind. */
const char *api_notify_kind_words(const char *kind, const char *lang);

/* The unsubscribe secret, created once in the store (random, from libsodium) and read back
 * after; never logged. */
int api_unsub_key(tv_store_t *st, unsigned char key[API_UNSUB_KEY_BYTES]);

/* Writes '*out' (free()): "<public URL>/v1/unsubscribe?e=<address>&k=<kind>&t=<token>", the
 * token being crypto_auth (HMAC-SHA-512-256) of the address (lower case) and kind. */
int api_unsub_url(const unsigned char key[API_UNSUB_KEY_BYTES], const char *email, const char *kind,
                  char **out);

/* 1 if 'token' (64 hex digits) signs 'email' and 'kind', in constant time; else 0. */
int api_unsub_check(const unsigned char key[API_UNSUB_KEY_BYTES], const char *email,
                    const char *kind, const char *token);

/* Writes '*out' (free()): the one-click link by which 'email', a person of side 'side'
 * ("company" or "investor") of meeting 'meeting_id' of event 'event_id', answers 'answer' ("1"
 * to "5": it was held, with that rating; "no_show"): "<public URL>/v1/outcome?e=&v=&m=&s=&a=&t=",
 * the token signing all of them as an unsubscribe link signs its kind (issue 18, decision
 * 0067). */
int api_outcome_url(const unsigned char key[API_UNSUB_KEY_BYTES], const char *email,
                    const char *event_id, const char *meeting_id, const char *side,
                    const char *answer, char **out);

/* 1 if 'token' signs that outcome link, in constant time; else 0. */
int api_outcome_check(const unsigned char key[API_UNSUB_KEY_BYTES], const char *email,
                      const char *event_id, const char *meeting_id, const char *side,
                      const char *answer, const char *token);

#endif
