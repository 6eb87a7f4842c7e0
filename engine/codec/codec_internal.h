/* The field tables behind the profile codec, shared by decoding, encoding, CSV conversion
 * and JSON Schema generation so they cannot disagree. Only codec files include this. */
#ifndef TV_CODEC_INTERNAL_H
#define TV_CODEC_INTERNAL_H

#include <jansson.h>

#include "tavolo/codec.h"

typedef enum {
    FT_ID,       /* char *, an external id */
    FT_STRING,   /* char *, at most 'max' characters */
    FT_TERM,     /* int, a taxonomy index of kind 'taxo' */
    FT_TERMS,    /* tv_terms_t of kind 'taxo' */
    FT_INT,      /* int64_t within [min, max] */
    FT_RATIO,    /* double within [0, 1] */
    FT_BOOL,     /* int 0/1, -1 unknown */
    FT_COUNTRY,  /* char[3], ISO 3166-1 alpha-2 */
    FT_LANGUAGE, /* char[3], "it" or "en" */
    FT_OBJECT,   /* an embedded struct described by 'sub' */
    FT_ARRAY,    /* a heap array of structs described by 'sub', count at 'count_offset' */
    FT_IDS,      /* tv_strings_t of external ids, at most 'max' */
    FT_EMAIL     /* char *, an e-mail address (local@domain.tld), at most 'max' characters */
} tv__field_type_t;

typedef struct tv__record_desc tv__record_desc_t;

typedef struct {
    const char *name;
    tv__field_type_t type;
    int taxo; /* tv_taxo_kind_t for FT_TERM and FT_TERMS */
    size_t offset;
    int required;
    int64_t min, max; /* FT_INT range; FT_STRING/FT_ID maximum length in characters */
    const tv__record_desc_t *sub;
    size_t count_offset;
    const char *doc;
} tv__field_t;

struct tv__record_desc {
    const char *title;
    const tv__field_t *fields;
    size_t n_fields;
    size_t size;
    void (*init)(void *rec);
    void (*dispose)(void *rec);
};

extern const tv__record_desc_t tv__company_desc;
extern const tv__record_desc_t tv__investor_desc;

/* Appends a diagnostic; 'field' may be NULL. Returns 0 or TV_ENOMEM. */
int tv__diag_add(tv_diags_t *d, size_t record, int is_index, const char *field, const char *fmt,
                 ...);

/* The message of a JSON number too large for jansson (an int64 or a double): valid JSON, but
 * outside the range of every field, so it is reported on the field, not as malformed. */
#define TV__NUMBER_RANGE_MESSAGE "number out of range"

/* Loads JSON text with jansson 'flags' (JSON_REJECT_DUPLICATES is always added). On failure
 * returns NULL with 'err' set; when that failure is a number out of range
 * (json_error_numeric_overflow), 'path' (if not NULL, 'size' bytes) receives the dotted path
 * of the value, such as "portfolio[1].raise_eur" ("[3].name" in a top-level array). */
json_t *tv__json_load(const char *text, size_t len, size_t flags, json_error_t *err, char *path,
                      size_t size);

/* The length of the longest prefix of UTF-8 text s[0, n) that ends on a character boundary:
 * 'n' itself unless the last sequence is cut short. For text cut to fit a buffer. */
size_t tv__utf8_prefix(const char *s, size_t n);

/* Builds the JSON object of one CSV row: 'header' names the columns ("wants.lead" for a
 * nested field), list cells are split on ';'. Cells that do not convert stay strings so
 * that decoding reports them. */
int tv__csv_row_to_json(const tv__record_desc_t *desc, const tv_strings_t *header,
                        const tv_strings_t *cells, json_t **out);

/* Decodes JSON object 'obj' into 'rec' (already initialised). Appends problems to 'diags'
 * with record number 'record'; returns 0 or TV_EINVAL or TV_ENOMEM. */
int tv__decode_record(const tv_taxonomy_t *t, const tv__record_desc_t *desc, json_t *obj, void *rec,
                      tv_diags_t *diags, size_t record, int is_index);

/* 1 if 's' is an e-mail address as every record states them: local@label.label..., the
 * pattern of the JSON Schema (EMAIL_PATTERN in codec_schema.c); profiles' contacts and event
 * files' people alike, so an address the codec takes is one a calendar and a mail can carry. */
int tv__email_valid(const char *s);

#endif
