/* Browser sessions as a principal (decision 0049): the tavolo_session cookie, the profile a
 * session acts for (X-Tavolo-Profile), the CSRF defence of its writes, the cookie's text and
 * the in-memory limit on sign-in requests per client. No HTTP types here. */
#ifndef API_SESSION_H
#define API_SESSION_H

#include <stddef.h>

#include "api.h"

#define API_SESSION_COOKIE "tavolo_session"

/* The value of cookie 'name' in a Cookie header 'header' (NULL: none) copied into 'out';
 * NULL when absent or longer than 'size' - 1. */
const char *api_cookie_value(const char *header, const char *name, char *out, size_t size);

/* Finds the live session whose id is 'cookie' and fills r->session. TV_ENOTFOUND for an
 * unknown, expired or revoked one (or a value of the wrong shape), the store's code otherwise. */
int api_session_authenticate(tv_store_t *st, const char *cookie, api_session_t *out);

/* Sets 'principal' to the profile r->acting ("company:ID" or "investor:ID") names, as the
 * company or investor role with that subject. TV_EINVAL for a header of another shape,
 * TV_ENOTFOUND when the profile is not one of the session's person's. */
int api_session_principal(const api_req_t *r, api_principal_t *principal);

/* The CSRF defence of a write authenticated by the cookie: NULL when X-CSRF-Token equals the
 * session's token (constant time) and Origin is the public URL's origin; else what is wrong. */
const char *api_session_csrf_problem(const api_req_t *r);

/* Writes the Set-Cookie value that opens (max_age > 0) or clears (0) a session. 'Secure' when
 * the public URL is https or the request came over TLS. */
void api_session_cookie(const api_req_t *r, const char *value, long max_age, char *out,
                        size_t size);

/* Reads TAVOLO_TRUSTED_PROXIES once: the addresses of the proxies in front of the daemon
 * (IPv4 or IPv6, separated by commas or spaces; unset or empty: none). Returns 0, or -1 with
 * the message naming the first value that is not an IP address in 'err'. */
int api_trusted_proxies_read(char *err, size_t size);

/* The client of a request from 'peer' (its numeric address, rewritten in place): when 'peer'
 * is a trusted proxy and 'xff' (X-Forwarded-For, 'len' bytes, NULL when absent) ends with an
 * IP address, that address, the one the proxy appended; otherwise 'peer' unchanged. */
void api_client_behind_proxy(char *peer, size_t size, const char *xff, size_t len);

/* 1 if 'client' may ask for one more sign-in link now (at most API_SIGNIN_PER_CLIENT each
 * API_SIGNIN_WINDOW seconds, in this daemon's memory); else 0 and '*retry_after' seconds. */
int api_session_client_allow(const char *client, int *retry_after);

#define API_SIGNIN_PER_ADDRESS 3
#define API_SIGNIN_PER_CLIENT 20
#define API_SIGNIN_WINDOW 900

#endif
