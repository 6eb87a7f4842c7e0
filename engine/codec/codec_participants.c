/* An event's participants from a spreadsheet (issue 17, decision 0065): CSV whose header names
 * its columns, any order, `kind` and `id` required:
 *
 *   kind,id,max_meetings,min_meetings,unavailable,name,email,language
 *
 * One row per person; the rows of one participant (same kind and id) add its people, and a
 * later row may leave max_meetings, min_meetings and unavailable empty or repeat them, not
 * change them. `unavailable` lists slot starts separated by spaces or ';'. What the event
 * file's decoder checks (ids known, slots in the event, addresses, languages) it checks on
 * the event file the participants go into; 'lines' lets a caller name the line again. */
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "codec_internal.h"
#include "csv_split.h"
#include "tavolo/codec.h"
#include "tavolo/error.h"

typedef enum {
    COL_KIND,
    COL_ID,
    COL_MAX,
    COL_MIN,
    COL_UNAVAILABLE,
    COL_NAME,
    COL_EMAIL,
    COL_LANGUAGE,
    N_COLS
} column_t;

static const char *const column_names[N_COLS] = {
    "kind", "id", "max_meetings", "min_meetings", "unavailable", "name", "email", "language"};

#define MAX_PARTICIPANTS 100000

typedef struct {
    int at[N_COLS]; /* the cell index of each column, -1 when the header lacks it */
    int header_read;
    int header_bad;       /* kind or id missing, a column twice: the rows cannot be read */
    json_t *participants; /* the event file's participants */
    json_t *lines;        /* per participant: {"line", "people": [line, ...]} */
    json_t *index;        /* "kind:id" -> position in 'participants' */
    tv_diags_t *diags;
} reader_t;

static const char *cell(const reader_t *r, const tv_strings_t *cells, column_t c)
{
    return r->at[c] >= 0 && (size_t)r->at[c] < cells->n ? cells->items[r->at[c]] : "";
}

/* The header: every cell a known column, once; kind and id present. */
static int read_header(reader_t *r, const tv_strings_t *cells)
{
    int rc = 0;

    r->header_read = 1;
    for (size_t i = 0; i < cells->n && rc == 0; i++) {
        char name[32];
        size_t n = 0;
        int found = -1;

        for (const char *s = cells->items[i]; *s != '\0' && n + 1 < sizeof(name); s++) {
            if (!isspace((unsigned char)*s))
                name[n++] = (char)tolower((unsigned char)*s);
        }
        name[n] = '\0';
        for (int c = 0; c < N_COLS; c++) {
            if (strcmp(name, column_names[c]) == 0)
                found = c;
        }
        if (found < 0)
            rc = tv__diag_add(r->diags, 1, 0, cells->items[i],
                              "unknown column; the columns are kind, id, max_meetings, "
                              "min_meetings, unavailable, name, email, language");
        else if (r->at[found] >= 0)
            r->header_bad = 1;
        else
            r->at[found] = (int)i;
        if (found >= 0 && r->at[found] != (int)i)
            rc = tv__diag_add(r->diags, 1, 0, column_names[found], "column given twice");
    }
    for (int c = COL_KIND; c <= COL_ID && rc == 0; c++) {
        if (r->at[c] >= 0)
            continue;
        r->header_bad = 1;
        rc = tv__diag_add(r->diags, 1, 0, column_names[c], "required column missing");
    }
    return rc;
}

/* A whole number of meetings from 0 to 1000, or NULL with a problem added. */
static json_t *meetings_number(reader_t *r, const char *s, size_t line, column_t c)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (end == s || *end != '\0' || v < 0 || v > 1000) {
        tv__diag_add(r->diags, line, 0, column_names[c],
                     "\"%s\" is not a whole number from 0 to 1000", s);
        return NULL;
    }
    return json_integer(v);
}

/* The slot starts of an `unavailable` cell, split on spaces and ';'. */
static json_t *slot_list(const char *s)
{
    json_t *list = json_array();

    while (list != NULL && *s != '\0') {
        size_t n;

        s += strspn(s, " \t;");
        n = strcspn(s, " \t;");
        if (n > 0)
            json_array_append_new(list, json_stringn(s, n));
        s += n;
    }
    return list;
}

/* Sets member 'c' of participant 'p' from a non-empty cell, or checks that a later row of the
 * same participant says the same. */
static int set_member(reader_t *r, json_t *p, int first, const char *value, size_t line, column_t c,
                      size_t first_line)
{
    json_t *v;
    int same;

    if (value[0] == '\0')
        return 0;
    v = c == COL_UNAVAILABLE ? slot_list(value) : meetings_number(r, value, line, c);
    if (v == NULL)
        return 0; /* the problem is named */
    if (first)
        return json_object_set_new(p, column_names[c], v) == 0 ? 0 : TV_ENOMEM;
    same = json_equal(v, json_object_get(p, column_names[c]));
    json_decref(v);
    return same ? 0
                : tv__diag_add(r->diags, line, 0, column_names[c],
                               "\"%s\" differs from line %zu, this participant's first row", value,
                               first_line);
}

/* The person of a row, when it names one. */
static int add_person(reader_t *r, const tv_strings_t *cells, json_t *p, json_t *where, size_t line)
{
    const char *name = cell(r, cells, COL_NAME), *email = cell(r, cells, COL_EMAIL),
               *language = cell(r, cells, COL_LANGUAGE);
    json_t *people = json_object_get(p, "people"), *person = json_object();

    if (name[0] == '\0' && email[0] == '\0' && language[0] == '\0') {
        json_decref(person);
        return 0;
    }
    if (person == NULL)
        return TV_ENOMEM;
    if (name[0] != '\0')
        json_object_set_new(person, "name", json_string(name));
    if (email[0] != '\0')
        json_object_set_new(person, "email", json_string(email));
    if (language[0] != '\0')
        json_object_set_new(person, "language", json_string(language));
    if (people == NULL) {
        people = json_array();
        json_object_set_new(p, "people", people);
    }
    json_array_append_new(people, person);
    json_array_append_new(json_object_get(where, "people"), json_integer((json_int_t)line));
    return 0;
}

static int on_row(void *ctx, const tv_strings_t *cells, size_t line)
{
    reader_t *r = ctx;
    const char *kind, *id;
    char key[80];
    json_t *p, *where, *at;
    size_t first_line;
    int first, rc = 0;
    int empty = 1;

    for (size_t i = 0; i < cells->n; i++)
        empty &= cells->items[i][0] == '\0';
    if (empty)
        return 0;
    if (!r->header_read)
        return read_header(r, cells);
    if (r->header_bad)
        return 0;
    kind = cell(r, cells, COL_KIND);
    id = cell(r, cells, COL_ID);
    if (strcmp(kind, "company") != 0 && strcmp(kind, "investor") != 0)
        return tv__diag_add(r->diags, line, 0, "kind", "\"%s\": expected company or investor",
                            kind);
    if (!tv_id_valid(id))
        return tv__diag_add(r->diags, line, 0, "id",
                            "\"%s\" is not an id: 1 to 64 letters, digits and ._:/-", id);
    snprintf(key, sizeof(key), "%s:%s", kind, id);
    at = json_object_get(r->index, key);
    first = at == NULL;
    if (first && json_array_size(r->participants) >= MAX_PARTICIPANTS)
        return tv__diag_add(r->diags, line, 0, NULL, "more than %d participants", MAX_PARTICIPANTS);
    if (first) {
        json_object_set_new(r->index, key,
                            json_integer((json_int_t)json_array_size(r->participants)));
        json_array_append_new(r->participants, json_pack("{s:s, s:s}", "kind", kind, "id", id));
        json_array_append_new(r->lines,
                              json_pack("{s:I, s:[]}", "line", (json_int_t)line, "people"));
        at = json_object_get(r->index, key);
    }
    p = json_array_get(r->participants, (size_t)json_integer_value(at));
    where = json_array_get(r->lines, (size_t)json_integer_value(at));
    if (p == NULL || where == NULL)
        return TV_ENOMEM;
    first_line = (size_t)json_integer_value(json_object_get(where, "line"));
    for (column_t c = COL_MAX; c <= COL_UNAVAILABLE && rc == 0; c++)
        rc = set_member(r, p, first, cell(r, cells, c), line, c, first_line);
    return rc == 0 ? add_person(r, cells, p, where, line) : rc;
}

int tv_codec_participants_csv(const char *csv, size_t len, char **out, tv_diags_t *diags)
{
    reader_t r = {.participants = json_array(),
                  .lines = json_array(),
                  .index = json_object(),
                  .diags = diags};
    tv__csv_error_t err = {0, 0, NULL};
    size_t before = diags->n;
    int rc = r.participants != NULL && r.lines != NULL && r.index != NULL ? 0 : TV_ENOMEM;

    *out = NULL;
    for (int c = 0; c < N_COLS; c++)
        r.at[c] = -1;
    if (rc == 0)
        rc = tv__csv_split(csv, len, on_row, &r, &err);
    if (rc == TV_EPARSE && err.line != 0)
        rc = tv__diag_add(diags, err.line, 0, NULL, "malformed CSV (%s)", err.what) == 0
                 ? TV_EINVAL
                 : TV_ENOMEM;
    if (rc == 0 && !r.header_read)
        rc = tv__diag_add(diags, 1, 0, NULL, "no header: the first row names the columns") == 0
                 ? TV_EINVAL
                 : TV_ENOMEM;
    if (rc == 0 && diags->n > before)
        rc = TV_EINVAL;
    if (rc == 0) {
        json_t *doc = json_pack("{s:O, s:O}", "participants", r.participants, "lines", r.lines);

        *out = doc != NULL ? json_dumps(doc, JSON_COMPACT) : NULL;
        rc = *out != NULL ? 0 : TV_ENOMEM;
        json_decref(doc);
    }
    json_decref(r.participants);
    json_decref(r.lines);
    json_decref(r.index);
    return rc;
}
