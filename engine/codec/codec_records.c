/* Reading whole import files: JSON arrays, JSON Lines and CSV, each record validated and
 * turned into a canonical document, each problem reported with its line and field. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "codec_internal.h"
#include "csv_split.h"
#include "core/internal.h"

typedef struct {
    const tv_taxonomy_t *tax;
    const tv__record_desc_t *desc;
    tv_docs_t *docs;
    tv_diags_t *diags;
    size_t count;
    const tv__field_t **columns; /* CSV: field of each column */
    const tv__field_t **parents; /* CSV: enclosing object field, or NULL */
    size_t n_columns;
    int is_index; /* records are numbered by array index, not line */
    const tv_read_opts_t *opts;
} reader_t;

tv_format_t tv_codec_guess_format(const char *filename, const char *buf, size_t len)
{
    const char *dot = filename != NULL ? strrchr(filename, '.') : NULL;
    size_t i = 0;

    if (dot != NULL && strcasecmp(dot, ".csv") == 0)
        return TV_FORMAT_CSV;
    if (dot != NULL && (strcasecmp(dot, ".jsonl") == 0 || strcasecmp(dot, ".ndjson") == 0))
        return TV_FORMAT_JSONL;
    while (i < len && isspace((unsigned char)buf[i]))
        i++;
    return i < len && buf[i] == '[' ? TV_FORMAT_JSON : TV_FORMAT_JSONL;
}

/* Decodes one record and, if it is valid, appends its canonical form to the documents. */
static int take_record(reader_t *r, json_t *obj, size_t record, int is_index)
{
    void *rec = tv__malloc(r->desc->size);
    tv_doc_t *doc;
    int rc;

    r->count++;
    if (r->opts->progress != NULL && r->count % TV_PROGRESS_EVERY == 0)
        r->opts->progress(r->opts->progress_ctx, r->count);
    if (rec == NULL)
        return TV_ENOMEM;
    r->desc->init(rec);
    rc = tv__decode_record(r->tax, r->desc, obj, rec, r->diags, record, is_index);
    if (rc == TV_EINVAL) {
        rc = 0; /* reported; the record is left out */
        goto out;
    }
    if (rc != 0)
        goto out;
    rc = tv__grow((void **)&r->docs->items, &r->docs->cap, r->docs->n + 1, sizeof(tv_doc_t));
    if (rc != 0)
        goto out;
    doc = &r->docs->items[r->docs->n];
    doc->record = record;
    doc->id = tv__strdup(*(char **)rec); /* the id is the first field of every record */
    rc = r->desc == &tv__company_desc ? tv_codec_company_encode(r->tax, rec, &doc->json)
                                      : tv_codec_investor_encode(r->tax, rec, &doc->json);
    if (doc->id == NULL || rc != 0) {
        tv__free(doc->id);
        if (rc == 0)
            free(doc->json); /* from jansson's allocator */
        rc = TV_ENOMEM;
        goto out;
    }
    r->docs->n++;
out:
    r->desc->dispose(rec);
    tv__free(rec);
    return rc;
}

/* A number out of range stops jansson, so the file cannot be read; its record and field are
 * still named: 'path' is "[3].raise_eur" in an array of records, "raise_eur" in a file that
 * holds a single object (record 0, as take_record numbers it). */
static int array_range_failure(reader_t *r, const char *path)
{
    const char *field = path;
    size_t index = 0;
    char *end;

    if (path[0] == '[') {
        index = (size_t)strtoull(path + 1, &end, 10);
        field = *end == ']' ? end + 1 : path;
        field += *field == '.';
    }
    return tv__diag_add(r->diags, index, 1, field, TV__NUMBER_RANGE_MESSAGE);
}

static int read_json_array(reader_t *r, const char *buf, size_t len)
{
    json_error_t err;
    char path[192];
    json_t *root = tv__json_load(buf, len, JSON_ALLOW_NUL, &err, path, sizeof(path));
    int rc = 0;

    if (root == NULL) {
        if (json_error_code(&err) == json_error_numeric_overflow)
            rc = array_range_failure(r, path);
        else
            rc = tv__diag_add(r->diags, (size_t)err.line, 0, NULL, "malformed JSON: %s", err.text);
        return rc != 0 ? rc : TV_EPARSE;
    }
    if (!json_is_array(root)) {
        rc = take_record(r, root, 0, 1);
        json_decref(root);
        return rc;
    }
    for (size_t i = 0; i < json_array_size(root) && rc == 0; i++)
        rc = take_record(r, json_array_get(root, i), i, 1);
    json_decref(root);
    return rc;
}

static int blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!isspace((unsigned char)s[i]))
            return 0;
    }
    return 1;
}

static int read_json_lines(reader_t *r, const char *buf, size_t len)
{
    size_t pos = 0, line = 0;
    int rc = 0;

    while (pos < len && rc == 0) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t n = nl != NULL ? (size_t)(nl - (buf + pos)) : len - pos;
        json_error_t err;
        char path[192];
        json_t *obj;

        line++;
        if (!blank(buf + pos, n)) {
            obj = tv__json_load(buf + pos, n, JSON_ALLOW_NUL, &err, path, sizeof(path));
            if (obj == NULL) {
                r->count++;
                if (json_error_code(&err) == json_error_numeric_overflow)
                    rc = tv__diag_add(r->diags, line, 0, path, TV__NUMBER_RANGE_MESSAGE);
                else
                    rc = tv__diag_add(r->diags, line, 0, NULL, "malformed JSON at column %d: %s",
                                      err.column, err.text);
            } else {
                rc = take_record(r, obj, line, 0);
                json_decref(obj);
            }
        }
        pos += n + 1;
    }
    return rc;
}

/* ---- CSV ---- */

static const tv__field_t *field_named(const tv__record_desc_t *desc, const char *name, size_t len)
{
    for (size_t i = 0; i < desc->n_fields; i++) {
        if (strlen(desc->fields[i].name) == len && memcmp(desc->fields[i].name, name, len) == 0)
            return &desc->fields[i];
    }
    return NULL;
}

/* Checks column 'i' (named 'h') against the ones before it: a field given twice, or an
 * object ("wants", a JSON cell) beside one of its members ("wants.lead"), would leave one
 * cell silently unused. Returns 0, TV_EPARSE (reported) or TV_ENOMEM. */
static int check_column(reader_t *r, size_t i, const char *h)
{
    const tv__field_t *f = r->columns[i], *parent = r->parents[i];

    for (size_t j = 0; j < i; j++) {
        const char *what = NULL;
        int rc;

        if (r->columns[j] == f)
            what = "repeats column %zu";
        else if ((parent != NULL && r->columns[j] == parent) ||
                 (f->type == FT_OBJECT && r->parents[j] == f))
            what = "overlaps column %zu";
        if (what == NULL)
            continue;
        rc = tv__diag_add(r->diags, 1, 0, h, what, j + 1);
        return rc != 0 ? rc : TV_EPARSE;
    }
    return 0;
}

/* Maps each header cell to its field: "name", or "wants.lead" for an embedded object. */
static int read_header(reader_t *r, const tv_strings_t *cells)
{
    int rc = 0;

    r->columns = tv__calloc(cells->n, sizeof(*r->columns));
    r->parents = tv__calloc(cells->n, sizeof(*r->parents));
    if (r->columns == NULL || r->parents == NULL)
        return TV_ENOMEM;
    r->n_columns = cells->n;
    for (size_t i = 0; i < cells->n && rc == 0; i++) {
        const char *h = cells->items[i];
        const char *dot = strchr(h, '.');
        const tv__field_t *f = field_named(r->desc, h, dot != NULL ? (size_t)(dot - h) : strlen(h));
        char column[32];

        if (f != NULL && dot != NULL) {
            r->parents[i] = f->type == FT_OBJECT ? f : NULL;
            f = f->type == FT_OBJECT ? field_named(f->sub, dot + 1, strlen(dot + 1)) : NULL;
        }
        snprintf(column, sizeof(column), "column %zu", i + 1);
        if (h[0] == '\0')
            rc = tv__diag_add(r->diags, 1, 0, column, "the header gives this column no name");
        else if (f == NULL)
            rc = tv__diag_add(r->diags, 1, 0, h, "unknown column");
        if (rc != 0 || h[0] == '\0' || f == NULL)
            return rc != 0 ? rc : TV_EPARSE;
        r->columns[i] = f;
        rc = check_column(r, i, h);
    }
    return rc;
}

static int parse_int_cell(const char *s, json_int_t *out)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    while (isspace((unsigned char)*end))
        end++;
    if (errno != 0 || end == s || *end != '\0')
        return -1;
    *out = (json_int_t)v;
    return 0;
}

static json_t *split_list(const char *s)
{
    json_t *a = json_array();

    while (a != NULL && *s != '\0') {
        const char *semi = strchr(s, ';');
        size_t n = semi != NULL ? (size_t)(semi - s) : strlen(s);
        const char *b = s, *e = s + n;

        while (b < e && isspace((unsigned char)*b))
            b++;
        while (e > b && isspace((unsigned char)e[-1]))
            e--;
        if (e > b && json_array_append_new(a, json_stringn(b, (size_t)(e - b))) != 0) {
            json_decref(a);
            return NULL;
        }
        s += n + (semi != NULL);
    }
    return a;
}

/* Converts one cell by its field's type; a cell that does not convert stays a string so
 * that validation names it. */
static json_t *cell_value(const tv__field_t *f, const char *s)
{
    json_int_t i;
    char *end;
    double d;

    switch (f->type) {
    case FT_TERMS:
    case FT_IDS:
        return split_list(s);
    case FT_INT:
        return parse_int_cell(s, &i) == 0 ? json_integer(i) : json_string(s);
    case FT_RATIO: /* "nan", "inf" and "1e400" stay strings: json_real refuses what is not finite */
        d = strtod(s, &end);
        return end != s && *end == '\0' && isfinite(d) ? json_real(d) : json_string(s);
    case FT_BOOL:
        if (strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0 || strcmp(s, "1") == 0)
            return json_true();
        if (strcasecmp(s, "false") == 0 || strcasecmp(s, "no") == 0 || strcmp(s, "0") == 0)
            return json_false();
        return json_string(s);
    case FT_ARRAY:
    case FT_OBJECT: { /* JSON text, loaded as a JSON file's record would be */
        json_t *v = tv__json_load(s, strlen(s), JSON_ALLOW_NUL, NULL, NULL, 0);

        return v != NULL ? v : json_string(s);
    }
    default:
        return json_string(s);
    }
}

static int set_cell(reader_t *r, json_t *obj, size_t col, const char *s)
{
    const tv__field_t *f = r->columns[col];
    const tv__field_t *parent = r->parents[col];
    json_t *v = cell_value(f, s);

    if (v == NULL)
        return TV_ENOMEM;
    if (parent != NULL) {
        json_t *sub = json_object_get(obj, parent->name);

        if (sub == NULL) {
            sub = json_object();
            if (sub == NULL || json_object_set_new(obj, parent->name, sub) != 0) {
                json_decref(v);
                return TV_ENOMEM;
            }
        }
        obj = sub;
    }
    return json_object_set_new(obj, f->name, v) == 0 ? 0 : TV_ENOMEM;
}

static int on_csv_row(void *ctx, const tv_strings_t *cells, size_t line)
{
    reader_t *r = ctx;
    json_t *obj;
    int rc = 0;

    if (r->columns == NULL)
        return read_header(r, cells);
    if (cells->n != r->n_columns) {
        r->count++;
        return tv__diag_add(r->diags, line, 0, NULL, "row has %zu cells but the header has %zu",
                            cells->n, r->n_columns);
    }
    obj = json_object();
    if (obj == NULL)
        return TV_ENOMEM;
    for (size_t i = 0; i < cells->n && rc == 0; i++) {
        if (cells->items[i][0] != '\0')
            rc = set_cell(r, obj, i, cells->items[i]);
    }
    if (rc == 0)
        rc = take_record(r, obj, line, 0);
    json_decref(obj);
    return rc;
}

/* Reports where splitting stopped: a cell by its column's name once the header is read
 * ("wants.lead"), else as "column 3"; a quote by its line alone. */
static int split_failure(reader_t *r, const tv__csv_error_t *err)
{
    char name[128];
    size_t c = err->column - 1;

    if (err->column == 0)
        return tv__diag_add(r->diags, err->line, 0, NULL, "malformed CSV (%s)", err->what);
    if (r->columns != NULL && c < r->n_columns && r->parents[c] != NULL)
        snprintf(name, sizeof(name), "%s.%s", r->parents[c]->name, r->columns[c]->name);
    else if (r->columns != NULL && c < r->n_columns)
        snprintf(name, sizeof(name), "%s", r->columns[c]->name);
    else
        snprintf(name, sizeof(name), "column %zu", err->column);
    return tv__diag_add(r->diags, err->line, 0, name, "%s", err->what);
}

static int read_csv(reader_t *r, const char *buf, size_t len)
{
    tv__csv_error_t err = {0, 0, NULL};
    int rc = tv__csv_split(buf, len, on_csv_row, r, &err);

    if (rc == TV_EPARSE && err.line != 0) {
        int arc = split_failure(r, &err);

        if (arc != 0)
            rc = arc;
    }
    tv__free(r->columns);
    tv__free(r->parents);
    return rc;
}

/* ---- duplicates ---- */

/* A document's id and position, sorted by id then position: no global for qsort. */
typedef struct {
    const char *id;
    size_t index;
} doc_key_t;

static int compare_doc_key(const void *a, const void *b)
{
    const doc_key_t *x = a, *y = b;
    int c = strcmp(x->id, y->id);

    return c != 0 ? c : (x->index > y->index) - (x->index < y->index);
}

/* Reports every repeated id and keeps only its first occurrence. */
static int drop_duplicates(reader_t *r)
{
    tv_docs_t *d = r->docs;
    doc_key_t *order = tv__calloc(d->n, sizeof(doc_key_t));
    size_t kept = 0;
    int rc = 0;

    if (order == NULL)
        return TV_ENOMEM;
    for (size_t i = 0; i < d->n; i++)
        order[i] = (doc_key_t){d->items[i].id, i};
    qsort(order, d->n, sizeof(doc_key_t), compare_doc_key);
    for (size_t i = 1; i < d->n && rc == 0; i++) {
        tv_doc_t *first = &d->items[order[i - 1].index], *dup = &d->items[order[i].index];

        if (strcmp(first->id, dup->id) != 0)
            continue;
        rc = tv__diag_add(r->diags, dup->record, r->is_index, "id",
                          r->is_index ? "\"%s\" repeats the record at index %zu"
                                      : "\"%s\" repeats the record on line %zu",
                          dup->id, first->record);
        free(dup->json);
        dup->json = NULL;
        order[i] = order[i - 1]; /* compare the next one against the first occurrence */
    }
    for (size_t i = 0; i < d->n; i++) {
        if (d->items[i].json == NULL)
            tv__free(d->items[i].id);
        else
            d->items[kept++] = d->items[i];
    }
    d->n = kept;
    tv__free(order);
    return rc;
}

int tv_codec_read_records(const tv_taxonomy_t *t, tv_profile_kind_t kind,
                          const tv_read_opts_t *opts, const char *buf, size_t len, tv_docs_t *docs,
                          tv_diags_t *diags)
{
    tv_format_t fmt = opts->format;
    reader_t r = {0};
    int rc;

    r.tax = t;
    r.desc = kind == TV_KIND_COMPANY ? &tv__company_desc : &tv__investor_desc;
    r.docs = docs;
    r.diags = diags;
    r.opts = opts;
    if (fmt == TV_FORMAT_AUTO)
        fmt = tv_codec_guess_format(NULL, buf, len);
    r.is_index = fmt == TV_FORMAT_JSON;
    if (fmt == TV_FORMAT_JSON)
        rc = read_json_array(&r, buf, len);
    else if (fmt == TV_FORMAT_CSV)
        rc = read_csv(&r, buf, len);
    else
        rc = read_json_lines(&r, buf, len);
    if (rc == 0)
        rc = drop_duplicates(&r);
    return rc != 0 ? rc : (int)r.count;
}
