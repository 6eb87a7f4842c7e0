/* The pages' files: a fixed table read at start, served with their type, a strong ETag (the
 * hash of api_etag_of), If-None-Match and the security headers of docs/web.md. */
#include <dirent.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tavolo/error.h>

#include "log.h"
#include "reply.h"
#include "web.h"

#define MAX_FILES 64
#define MAX_FILE_BYTES (1u << 20) /* the pages' files are small; more is a mistake */
#define NAME_SIZE 64

/* Every page response carries these (decision 0050): the HTML has no inline script or
 * style, so nothing but the origin's own files may run or style the page. */
static const char csp[] = "default-src 'self'; script-src 'self'; style-src 'self'; "
                          "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
                          "base-uri 'none'; form-action 'self'";

/* The pages of docs/digests.md's contract, and those to come: each answers the shell, whose
 * script decides what to show. */
static const char *const pages[] = {
    "/",         "/matches",  "/pair",     "/requests", "/agenda",  "/profile", "/availability",
    "/sessions", "/organise", "/schedule", "/exports",  "/reports", "/events", NULL};

#define VERSION_LEN 16 /* hex digits of a file's hash in its versioned URL, "?v=..." */

typedef struct {
    char name[NAME_SIZE];
    const char *type;
    char *body;
    size_t len;
    char etag[API_ETAG_SIZE];
    char version[VERSION_LEN + 1]; /* the start of the hash inside the ETag's quotes */
} web_file_t;

static web_file_t files[MAX_FILES];
static size_t n_files;
static const web_file_t *shell;

/* The Content-Type of a file name, or NULL for one that is not served. */
static const char *type_of(const char *name)
{
    static const char *const types[][2] = {{".html", "text/html; charset=utf-8"},
                                           {".js", "text/javascript"},
                                           {".css", "text/css"},
                                           {".svg", "image/svg+xml"}};
    size_t n = strlen(name);

    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        size_t e = strlen(types[i][0]);

        if (n > e && strcmp(name + n - e, types[i][0]) == 0)
            return types[i][1];
    }
    return NULL;
}

/* 1 if 'name' may be served: letters, digits, '-', '_' and '.', not starting with '.'. */
static int name_ok(const char *name)
{
    if (name[0] == '.' || strlen(name) >= NAME_SIZE)
        return 0;
    return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
           strlen(name);
}

/* Reads 'dir'/'name' into 'f'. Returns 0 or TV_EIO with 'err' set. */
static int read_file(const char *dir, const char *name, web_file_t *f, char *err, size_t err_size)
{
    char path[4096];
    FILE *in;
    long size;
    int rc = TV_EIO;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    in = fopen(path, "rb");
    if (in == NULL || fseek(in, 0, SEEK_END) != 0 || (size = ftell(in)) < 0 ||
        fseek(in, 0, SEEK_SET) != 0) {
        snprintf(err, err_size, "TAVOLO_WEB_DIR %s: cannot read %s: %s", dir, name,
                 strerror(errno));
        goto done;
    }
    if ((unsigned long)size > MAX_FILE_BYTES) {
        snprintf(err, err_size, "TAVOLO_WEB_DIR %s: %s has %ld bytes; the limit is %u", dir, name,
                 size, MAX_FILE_BYTES);
        goto done;
    }
    f->body = malloc((size_t)size + 1);
    if (f->body == NULL || fread(f->body, 1, (size_t)size, in) != (size_t)size) {
        snprintf(err, err_size, "TAVOLO_WEB_DIR %s: cannot read %s", dir, name);
        goto done;
    }
    snprintf(f->name, sizeof(f->name), "%s", name);
    f->type = type_of(name);
    f->len = (size_t)size;
    api_etag_of(f->body, f->len, f->etag);
    snprintf(f->version, sizeof(f->version), "%s", f->etag + 1);
    rc = 0;
done:
    if (in != NULL)
        fclose(in);
    if (rc != 0) {
        free(f->body);
        f->body = NULL;
    }
    return rc;
}

/* Reads every servable file of 'dir'. */
static int read_dir(const char *dir, char *err, size_t err_size)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int rc = 0;

    if (d == NULL) {
        snprintf(err, err_size, "TAVOLO_WEB_DIR %s: cannot open the folder: %s", dir,
                 strerror(errno));
        return TV_EIO;
    }
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (!name_ok(e->d_name) || type_of(e->d_name) == NULL)
            continue;
        if (n_files == MAX_FILES) {
            snprintf(err, err_size, "TAVOLO_WEB_DIR %s: more than %d files", dir, MAX_FILES);
            rc = TV_EINVAL;
            break;
        }
        rc = read_file(dir, e->d_name, &files[n_files], err, err_size);
        if (rc == 0)
            n_files++;
    }
    closedir(d);
    return rc;
}

static const web_file_t *find_file(const char *name, size_t len)
{
    for (size_t i = 0; i < n_files; i++) {
        if (strlen(files[i].name) == len && memcmp(files[i].name, name, len) == 0)
            return &files[i];
    }
    return NULL;
}

/* Rewrites the shell so that it names each file with its version ("/web/app.js" becomes
 * "/web/app.js?v=HASH"): such a URL is cached for a year, and a new file is a new URL. Only
 * quoted references to files that exist are rewritten. Returns 0 or TV_ENOMEM. */
static int version_links(web_file_t *f)
{
    static const char prefix[] = "\"/web/";
    char *out = NULL, *p = f->body, *q;
    size_t len = 0;
    FILE *mem = open_memstream(&out, &len);

    if (mem == NULL)
        return TV_ENOMEM;
    f->body[f->len] = '\0';
    while ((q = strstr(p, prefix)) != NULL) {
        char *name = q + sizeof(prefix) - 1;
        size_t n = strcspn(name, "\"?#");
        const web_file_t *target = name[n] == '"' ? find_file(name, n) : NULL;

        fwrite(p, 1, (size_t)(name + n - p), mem);
        if (target != NULL)
            fprintf(mem, "?v=%s", target->version);
        p = name + n;
    }
    fputs(p, mem);
    if (fclose(mem) != 0 || out == NULL) {
        free(out);
        return TV_ENOMEM;
    }
    free(f->body);
    f->body = out;
    f->len = len;
    api_etag_of(f->body, f->len, f->etag);
    snprintf(f->version, sizeof(f->version), "%s", f->etag + 1);
    return 0;
}

int api_web_load(char *err, size_t err_size)
{
    const char *dir = getenv("TAVOLO_WEB_DIR");
    int rc;

    if (dir == NULL || dir[0] == '\0')
        dir = TV_DEFAULT_WEB_DIR;
    api_web_unload();
    rc = read_dir(dir, err, err_size);
    for (size_t i = 0; rc == 0 && i < n_files; i++) {
        if (strcmp(files[i].name, "index.html") == 0)
            shell = &files[i];
    }
    if (rc == 0 && shell == NULL) {
        snprintf(err, err_size, "TAVOLO_WEB_DIR %s: no index.html, the page shell", dir);
        rc = TV_ENOTFOUND;
    }
    if (rc == 0 && (rc = version_links((web_file_t *)shell)) != 0)
        snprintf(err, err_size, "TAVOLO_WEB_DIR %s: out of memory", dir);
    if (rc != 0)
        api_web_unload();
    return rc;
}

void api_web_unload(void)
{
    for (size_t i = 0; i < n_files; i++)
        free(files[i].body);
    memset(files, 0, sizeof(files));
    n_files = 0;
    shell = NULL;
}

/* ---- answering ---- */

/* The file a path names, or NULL: a page gets the shell, "/web/NAME" the file NAME. The path
 * is compared as sent, undecoded: names are plain, so "%2e%2e" or "../" names nothing. */
static const web_file_t *find(const char *path, size_t len)
{
    static const char prefix[] = "/web/";

    for (size_t i = 0; pages[i] != NULL; i++) {
        if (strlen(pages[i]) == len && memcmp(pages[i], path, len) == 0)
            return shell;
    }
    if (len <= sizeof(prefix) - 1 || memcmp(path, prefix, sizeof(prefix) - 1) != 0)
        return NULL;
    return find_file(path + sizeof(prefix) - 1, len - (sizeof(prefix) - 1));
}

/* 1 if the query of 'req' is exactly "v=" and the version of 'f': its URL of the shell. */
static int current_version(h2o_req_t *req, const web_file_t *f)
{
    size_t at = req->query_at;

    return at != SIZE_MAX && req->path.len - at == 3 + VERSION_LEN &&
           memcmp(req->path.base + at, "?v=", 3) == 0 &&
           memcmp(req->path.base + at + 3, f->version, VERSION_LEN) == 0;
}

/* 1 if If-None-Match 'v' (a list of entity tags, or "*") holds 'etag', compared weakly as
 * RFC 9110 section 13.1.2 asks. */
static int none_match(h2o_iovec_t v, const char *etag)
{
    size_t n = strlen(etag), i = 0;

    while (i < v.len) {
        size_t start, end;

        while (i < v.len && (v.base[i] == ' ' || v.base[i] == '\t' || v.base[i] == ','))
            i++;
        start = i;
        while (i < v.len && v.base[i] != ',')
            i++;
        end = i;
        while (end > start && (v.base[end - 1] == ' ' || v.base[end - 1] == '\t'))
            end--;
        if (end - start == 1 && v.base[start] == '*')
            return 1;
        if (end - start > 2 && memcmp(v.base + start, "W/", 2) == 0)
            start += 2;
        if (end - start == n && memcmp(v.base + start, etag, n) == 0)
            return 1;
    }
    return 0;
}

static void add(h2o_req_t *req, const h2o_token_t *token, const char *value)
{
    h2o_add_header(&req->pool, &req->res.headers, token, NULL, value, strlen(value));
}

static void add_named(h2o_req_t *req, const char *name, const char *value)
{
    h2o_add_header_by_str(&req->pool, &req->res.headers, name, strlen(name), 0, NULL, value,
                          strlen(value));
}

/* A request id as the router's ("pid-n"), in a series of its own ("pid-wn"): every answer
 * carries X-Request-Id, and the log line names it. */
static void request_id(char *id, size_t size)
{
    static atomic_ulong next_id;

    snprintf(id, size, "%lx-w%lx", (unsigned long)getpid(),
             (unsigned long)atomic_fetch_add(&next_id, 1));
}

int api_web_on_req(h2o_req_t *req)
{
    size_t len = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    const web_file_t *f;
    double started = api_seconds();
    char id[40];
    ssize_t inm;
    int not_modified, head = h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"));

    if (shell == NULL ||
        (!head && !h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET"))))
        return 0;
    f = find(req->path.base, len);
    if (f == NULL)
        return 0;
    inm = h2o_find_header(&req->headers, H2O_TOKEN_IF_NONE_MATCH, -1);
    not_modified = inm >= 0 && none_match(req->headers.entries[inm].value, f->etag);
    req->res.status = not_modified ? 304 : 200;
    req->res.reason = not_modified ? "Not Modified" : "OK";
    if (!not_modified)
        add(req, H2O_TOKEN_CONTENT_TYPE, f->type);
    add(req, H2O_TOKEN_ETAG, f->etag);
    /* A file asked for by its versioned URL never changes under it; any other URL (the
     * shell's pages, a file without or with an old version) is revalidated: a 304 is cheap. */
    add(req, H2O_TOKEN_CACHE_CONTROL,
        f != shell && current_version(req, f) ? "public, max-age=31536000, immutable" : "no-cache");
    add_named(req, "content-security-policy", csp);
    add_named(req, "x-content-type-options", "nosniff");
    add_named(req, "referrer-policy", "same-origin");
    request_id(id, sizeof(id));
    add_named(req, "x-request-id", h2o_strdup(&req->pool, id, SIZE_MAX).base);
    /* A 304 has no body and no Content-Length: "0" would claim the file is empty (RFC 9110
     * section 8.6); libh2o neither chunks nor closes a 304 of unknown length. */
    req->res.content_length = not_modified ? SIZE_MAX : f->len;
    h2o_send_inline(req, not_modified ? "" : f->body, not_modified ? 0 : f->len);
    api_log_request(head ? "HEAD" : "GET", f == shell ? "(page)" : "/web/{file}", req->res.status,
                    api_seconds() - started, id, NULL);
    return 1;
}
