/* Response bodies and the mapping from TV_E* codes to HTTP statuses. jansson is used here
 * for the HTTP envelopes (problems); engine records are encoded by the codec. */
#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "reply.h"

#define RETRY_AFTER_SECONDS 5

void api_reply_json(api_resp_t *resp, int status, char *json)
{
    free(resp->body);
    resp->status = status;
    resp->content_type = "application/json";
    resp->body = json;
    resp->body_len = json != NULL ? strlen(json) : 0;
}

void api_reply_object(api_resp_t *resp, int status, json_t *obj)
{
    api_reply_json(resp, status, obj != NULL ? json_dumps(obj, JSON_COMPACT) : NULL);
    json_decref(obj);
}

const char *api_status_title(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 303:
        return "See Other";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 412:
        return "Precondition Failed";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Content";
    case 429:
        return "Too Many Requests";
    case 503:
        return "Service Unavailable";
    default:
        return "Internal Server Error";
    }
}

/* Sends 'problem' (taken over) as the body. */
static void send_problem(api_resp_t *resp, int status, json_t *problem)
{
    char *text = json_dumps(problem, JSON_COMPACT);

    json_decref(problem);
    free(resp->body);
    resp->status = status;
    resp->content_type = "application/problem+json";
    resp->body = text;
    resp->body_len = text != NULL ? strlen(text) : 0;
    if (status == 401)
        resp->www_authenticate = 1;
    if (status == 503)
        resp->retry_after = RETRY_AFTER_SECONDS;
}

/* A JSON string of 's'; text that is not valid UTF-8 (a raw path, a detail cut short) is
 * kept readable with its bytes above 0x7F written as %XX, as a URI would. */
static json_t *text_of(const char *s)
{
    json_t *v = json_string(s);
    char *escaped, *o;

    if (v != NULL)
        return v;
    escaped = malloc(3 * strlen(s) + 1);
    if (escaped == NULL)
        return json_string("");
    o = escaped;
    for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++)
        o += *c < 0x80 ? sprintf(o, "%c", *c) : sprintf(o, "%%%02X", *c);
    v = json_string(escaped);
    free(escaped);
    return v;
}

static json_t *problem_new(const api_req_t *req, int status, const char *slug, const char *detail)
{
    char type[96];

    snprintf(type, sizeof(type), "urn:tavolo:problem:%s", slug);
    return json_pack("{s:s, s:s, s:i, s:o, s:o}", "type", type, "title", api_status_title(status),
                     "status", status, "detail", text_of(detail), "instance",
                     text_of(req != NULL && req->path != NULL ? req->path : ""));
}

void api_reply_problem(api_resp_t *resp, const api_req_t *req, int status, const char *slug,
                       const char *pointer, const char *detail_fmt, ...)
{
    char detail[512];
    json_t *p;
    va_list ap;

    va_start(ap, detail_fmt);
    vsnprintf(detail, sizeof(detail), detail_fmt, ap);
    va_end(ap);
    p = problem_new(req, status, slug, detail);
    if (pointer != NULL) {
        json_object_set_new(p, "pointer", text_of(pointer));
        json_object_set_new(
            p, "errors",
            json_pack("[{s:o, s:o}]", "pointer", text_of(pointer), "detail", text_of(detail)));
    }
    send_problem(resp, status, p);
}

void api_reply_bad_parameter(api_resp_t *resp, const api_req_t *req, const char *name,
                             const char *expected)
{
    char detail[256];
    json_t *p;

    snprintf(detail, sizeof(detail), "query parameter %s: expected %s", name, expected);
    p = problem_new(req, 400, "invalid-parameter", detail);
    json_object_set_new(p, "parameter", json_string(name));
    send_problem(resp, 400, p);
}

void api_json_pointer(const char *field, char *buf, size_t size)
{
    size_t o = 0;

    if (size == 0)
        return;
    for (const char *c = field; *c != '\0' && o + 3 < size; c++) {
        if (c == field || *c == '.' || *c == '[')
            buf[o++] = '/';
        if (*c == '.' || *c == '[' || *c == ']')
            continue;
        if (*c == '~' || *c == '/') { /* RFC 6901 escapes */
            buf[o++] = '~';
            buf[o++] = *c == '~' ? '0' : '1';
            continue;
        }
        buf[o++] = *c;
    }
    buf[o] = '\0';
}

void api_reply_diags(api_resp_t *resp, const api_req_t *req, int rc, const tv_diags_t *diags)
{
    int status = rc == TV_EPARSE ? 400 : 422;
    json_t *p, *errors = json_array();
    char pointer[256] = "";

    for (size_t i = 0; i < diags->n; i++) {
        char one[256] = "";

        if (diags->items[i].field[0] != '\0')
            api_json_pointer(diags->items[i].field, one, sizeof(one));
        if (i == 0)
            memcpy(pointer, one, sizeof(pointer));
        /* "" points at the whole document */
        json_array_append_new(errors, json_pack("{s:o, s:o}", "pointer", text_of(one), "detail",
                                                text_of(diags->items[i].message)));
    }
    p = problem_new(req, status, status == 400 ? "malformed-json" : "invalid-field",
                    diags->n > 0 ? diags->items[0].message : "invalid body");
    if (pointer[0] != '\0')
        json_object_set_new(p, "pointer", text_of(pointer));
    json_object_set_new(p, "errors", errors);
    send_problem(resp, status, p);
}

void api_reply_lines(api_resp_t *resp, const api_req_t *req, const char *pointer,
                     const tv_diags_t *diags)
{
    json_t *p, *errors = json_array();
    char first[512] = "invalid text";

    for (size_t i = 0; i < diags->n; i++) {
        const tv_diag_t *d = &diags->items[i];
        char detail[512];
        json_t *e;

        if (d->field[0] != '\0')
            snprintf(detail, sizeof(detail), "line %zu, %s: %s", d->record, d->field, d->message);
        else
            snprintf(detail, sizeof(detail), "line %zu: %s", d->record, d->message);
        if (i == 0)
            memcpy(first, detail, sizeof(first));
        e = json_pack("{s:s, s:o, s:I}", "pointer", pointer, "detail", text_of(detail), "line",
                      (json_int_t)d->record);
        if (e != NULL && d->field[0] != '\0')
            json_object_set_new(e, "column", text_of(d->field));
        json_array_append_new(errors, e);
    }
    p = problem_new(req, 422, "invalid-field", first);
    json_object_set_new(p, "pointer", text_of(pointer));
    json_object_set_new(p, "errors", errors);
    send_problem(resp, 422, p);
}

void api_reply_error(api_resp_t *resp, const api_req_t *req, int rc, const char *detail)
{
    switch (rc) {
    case TV_ENOTFOUND:
        api_reply_problem(resp, req, 404, "not-found", NULL, "%s", detail);
        break;
    case TV_ECONFLICT:
        api_reply_problem(resp, req, 409, "conflict", NULL, "%s", detail);
        break;
    case TV_ESTALE:
        api_reply_problem(resp, req, 412, "precondition-failed", NULL, "%s", detail);
        break;
    case TV_EUNAVAIL:
        api_reply_problem(resp, req, 503, "unavailable", NULL,
                          "the database cannot be reached; retry later");
        break;
    case TV_EINVAL:
        api_reply_problem(resp, req, 422, "invalid-field", NULL, "%s", detail);
        break;
    default:
        /* The detail may quote SQL: it goes to the log, not to the client. */
        api_log("error", "request %s: %s: %s", req != NULL ? req->request_id : "-", tv_strerror(rc),
                detail);
        api_reply_problem(resp, req, 500, "internal", NULL,
                          "internal error (%s); the daemon's log has the details, request %s",
                          tv_strerror(rc), req != NULL ? req->request_id : "-");
        break;
    }
}

void api_reply_location(api_resp_t *resp, const char *prefix, const char *id)
{
    size_t o = (size_t)snprintf(resp->location, sizeof(resp->location), "%s", prefix);

    /* An id may hold '/', which a path segment must carry as %2F. */
    for (const char *c = id; *c != '\0' && o + 4 < sizeof(resp->location); c++) {
        if (*c == '/')
            o += (size_t)snprintf(resp->location + o, sizeof(resp->location) - o, "%%2F");
        else
            resp->location[o++] = *c;
    }
    resp->location[o] = '\0';
}

void api_etag_of(const char *body, size_t len, char etag[API_ETAG_SIZE])
{
    unsigned char digest[16];
    char hex[2 * sizeof(digest) + 1];

    crypto_generichash(digest, sizeof(digest), (const unsigned char *)body, len, NULL, 0);
    sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
    snprintf(etag, API_ETAG_SIZE, "\"%s\"", hex);
}

int api_if_match(const api_req_t *req, const char *etag)
{
    const char *h = req->if_match;

    if (h == NULL || strcmp(h, "*") == 0)
        return 1;
    /* A list of strong tags; a weak one never matches (RFC 9110, 13.1.1). */
    for (const char *at = strstr(h, etag); at != NULL; at = strstr(at + 1, etag)) {
        if (at == h || at[-1] == ' ' || at[-1] == ',')
            return 1;
    }
    return 0;
}

void api_resp_dispose(api_resp_t *resp)
{
    free(resp->body);
    resp->body = NULL;
    resp->body_len = 0;
    free(resp->after_arg); /* work left to run was handed over, and this set to NULL */
    resp->after_arg = NULL;
    resp->after = NULL;
}

char *api_html_escape(char *out, const char *s)
{
    for (; *s != '\0'; s++) {
        const char *e = *s == '&'    ? "&amp;"
                        : *s == '<'  ? "&lt;"
                        : *s == '>'  ? "&gt;"
                        : *s == '"'  ? "&quot;"
                        : *s == '\'' ? "&#39;"
                                     : NULL;

        if (e != NULL)
            out = stpcpy(out, e);
        else
            *out++ = *s;
    }
    *out = '\0';
    return out;
}

/* A page of the links in mail, styled as the messages are (decision 0044): inline styles, no
 * script. */
static const char page_head[] =
    "<!DOCTYPE html>\n<html lang=\"it\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
    "content=\"width=device-width\"><title>tavolo</title></head>"
    "<body style=\"margin:0;padding:24px 12px;background:#f4f5f7;font-family:Helvetica,Arial,"
    "sans-serif;color:#1f2933\"><main style=\"max-width:560px;margin:0 auto;background:#fff;"
    "border:1px solid #d9dde3;border-radius:6px;padding:24px\">"
    "<p style=\"margin:0 0 16px;font-weight:bold;color:#2f6fde\">tavolo</p>";

void api_reply_page(api_resp_t *resp, const api_req_t *req, int status, const char *inner)
{
    static const char tail[] = "</main></body></html>\n";
    size_t n = sizeof(page_head) + strlen(inner) + sizeof(tail);
    char *body = malloc(n);

    if (body == NULL) {
        api_reply_error(resp, req, TV_ENOMEM, "");
        return;
    }
    snprintf(body, n, "%s%s%s", page_head, inner, tail);
    resp->status = status;
    resp->content_type = "text/html; charset=utf-8";
    resp->body = body;
    resp->body_len = strlen(body);
}
