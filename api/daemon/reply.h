/* Response bodies: JSON, problem+json (RFC 9457), and the one table from TV_E* codes to HTTP
 * statuses. */
#ifndef API_REPLY_H
#define API_REPLY_H

#include <jansson.h>

#include "api.h"

/* Takes over 'json' (malloc'd, NUL-terminated) as the body. */
void api_reply_json(api_resp_t *resp, int status, char *json);

/* Sends 'obj' (taken over; NULL: out of memory) as the JSON body with 'status'. */
void api_reply_object(api_resp_t *resp, int status, json_t *obj);

/* A problem: 'slug' names its type (urn:tavolo:problem:<slug>); 'pointer' is the JSON pointer
 * of the offending field or NULL; 'detail' is printf-formatted. */
void api_reply_problem(api_resp_t *resp, const api_req_t *req, int status, const char *slug,
                       const char *pointer, const char *detail_fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* A 400 naming the query parameter at fault in a "parameter" member. */
void api_reply_bad_parameter(api_resp_t *resp, const api_req_t *req, const char *name,
                             const char *expected);

/* A 422 (or 400 for malformed JSON) listing every diagnostic with its JSON pointer. */
void api_reply_diags(api_resp_t *resp, const api_req_t *req, int rc, const tv_diags_t *diags);

/* A 422 listing every diagnostic of a text carried by the body's member at 'pointer' (a CSV),
 * each with its "line" and, when one cell is at fault, its "column". */
void api_reply_lines(api_resp_t *resp, const api_req_t *req, const char *pointer,
                     const tv_diags_t *diags);

/* Appends 's' to 'out' with &, <, >, " and ' as entities; returns the new end (at its NUL). */
char *api_html_escape(char *out, const char *s);

/* Sends a page of the links in mail (unsubscribe, outcomes): 'inner' (HTML, escaped by the
 * caller) in the messages' frame. */
void api_reply_page(api_resp_t *resp, const api_req_t *req, int status, const char *inner);

/* Maps a TV_E* code to a problem: TV_ENOTFOUND 404, TV_ECONFLICT 409, TV_EUNAVAIL 503 with
 * Retry-After, TV_ENOMEM and TV_EDB 500, ... */
void api_reply_error(api_resp_t *resp, const api_req_t *req, int rc, const char *detail);

/* Sets the Location header to 'prefix' and 'id', with any '/' of the id as %2F. */
void api_reply_location(api_resp_t *resp, const char *prefix, const char *id);

/* The strong ETag of a representation: a quoted hash of its bytes, the same in every daemon. */
#define API_ETAG_SIZE 40
void api_etag_of(const char *body, size_t len, char etag[API_ETAG_SIZE]);

/* 1 if the request's If-Match (absent, "*", or a list of tags) lets a write go ahead on a
 * record whose current ETag is 'etag'. */
int api_if_match(const api_req_t *req, const char *etag);

/* The reason phrase of an HTTP status ("Not Found"). */
const char *api_status_title(int status);

/* Frees the body. */
void api_resp_dispose(api_resp_t *resp);

/* Writes diagnostic field "wants.lead" / "portfolio[2].stage" as a JSON pointer
 * "/wants/lead" / "/portfolio/2/stage". */
void api_json_pointer(const char *field, char *buf, size_t size);

#endif
