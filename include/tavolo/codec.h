/* tavolo/codec.h: JSON, JSON Lines and CSV <-> profiles, with validation that names the
 * record and field at fault; also the taxonomy file and the profiles' JSON Schema. */
#ifndef TV_CODEC_H
#define TV_CODEC_H

#include <stddef.h>

#include "tavolo/eligibility.h"
#include "tavolo/event.h"
#include "tavolo/match.h"
#include "tavolo/profile.h"
#include "tavolo/report.h"
#include "tavolo/taxonomy.h"

/* One problem found in an input. */
typedef struct {
    size_t record; /* 1-based line (JSON Lines, CSV) or 0-based index (JSON array) */
    int is_index;  /* 1 when 'record' is an array index */
    char *field;   /* dotted path such as "wants.lead" or "portfolio[2].stage"; "" if none */
    char *message;
} tv_diag_t;

typedef struct {
    tv_diag_t *items;
    size_t n, cap;
} tv_diags_t;

/* A validated record in canonical JSON, ready for the store. */
typedef struct {
    char *id;
    char *json;
    size_t record; /* where it came from, as in tv_diag_t */
} tv_doc_t;

typedef struct {
    tv_doc_t *items;
    size_t n, cap;
} tv_docs_t;

typedef enum { TV_FORMAT_AUTO, TV_FORMAT_JSON, TV_FORMAT_JSONL, TV_FORMAT_CSV } tv_format_t;

/* How to read an import file. */
typedef struct {
    tv_format_t format;
    /* If not NULL, called every TV_PROGRESS_EVERY records with the count so far. */
    void (*progress)(void *ctx, size_t records);
    void *progress_ctx;
} tv_read_opts_t;

#define TV_PROGRESS_EVERY 4096

void tv_diags_dispose(tv_diags_t *d);
void tv_docs_dispose(tv_docs_t *d);

/* Formats diagnostic 'd' of file 'file' as "file:LINE: field: message" (or "file[INDEX]: ...")
 * into 'buf' of 'size' bytes. Returns what snprintf returns. */
int tv_diag_format(const tv_diag_t *d, const char *file, char *buf, size_t size);

/* Guesses the format of a file from its name ("x.csv", "x.jsonl") and, failing that, from
 * its first non-blank byte ('[' means a JSON array). */
tv_format_t tv_codec_guess_format(const char *filename, const char *buf, size_t len);

/* Parses taxonomy.json text into a new taxonomy the caller destroys. On TV_EPARSE or
 * TV_EINVAL, 'diags' (if not NULL) says what is wrong. */
int tv_codec_taxonomy_parse(const char *json, size_t len, tv_taxonomy_t **out, tv_diags_t *diags);

/* Decodes one profile from JSON text into 'out' (initialised by the callee). Returns 0, or
 * TV_EPARSE / TV_EINVAL with every problem appended to 'diags' (record numbers 0). */
int tv_codec_company_decode(const tv_taxonomy_t *t, const char *json, size_t len, tv_company_t *out,
                            tv_diags_t *diags);
int tv_codec_investor_decode(const tv_taxonomy_t *t, const char *json, size_t len,
                             tv_investor_t *out, tv_diags_t *diags);

/* Encodes a profile as canonical JSON: known fields only, in schema order, lists sorted.
 * '*out' is a NUL-terminated string the caller frees with free(). */
int tv_codec_company_encode(const tv_taxonomy_t *t, const tv_company_t *c, char **out);
int tv_codec_investor_encode(const tv_taxonomy_t *t, const tv_investor_t *inv, char **out);

/* Like the encoders above, but only the fields named in 'fields' (NULL-terminated; NULL
 * means all): the public view of a profile. */
int tv_codec_company_encode_fields(const tv_taxonomy_t *t, const tv_company_t *c,
                                   const char *const *fields, char **out);
int tv_codec_investor_encode_fields(const tv_taxonomy_t *t, const tv_investor_t *inv,
                                    const char *const *fields, char **out);

/* Applies JSON merge patch 'patch' (RFC 7396) to document 'doc'; '*out' is freed with free().
 * A patch that is not JSON is TV_EPARSE with a diagnostic. */
int tv_codec_merge_patch(const char *doc, const char *patch, size_t patch_len, char **out,
                         tv_diags_t *diags);

/* Reads every record of 'buf' as profiles of 'kind'. Valid records go to 'docs' (empty on
 * entry) in canonical form; every problem, including a repeated id, goes to 'diags'.
 * Returns the number of records read, or TV_EPARSE when the input as a whole cannot be read
 * (then 'diags' says where). Borrows every argument. */
int tv_codec_read_records(const tv_taxonomy_t *t, tv_profile_kind_t kind,
                          const tv_read_opts_t *opts, const char *buf, size_t len, tv_docs_t *docs,
                          tv_diags_t *diags);

/* Encodes the eligibility report of company 'c' as {"company_id", "name", "eligible",
 * "criteria": [{"name", "result", "reason"}]}, "eligible" being true, false or null. */
int tv_codec_eligibility_encode(const tv_company_t *c, const tv_eligibility_t *e, char **out);

/* Applies the matching configuration in JSON text 'json' on top of '*cfg'. With
 * 'require_all', every setting must be present (the defaults file). Unknown keys and values
 * out of range are TV_EINVAL with a diagnostic naming the key. */
int tv_codec_match_config_parse(const char *json, size_t len, int require_all,
                                tv_match_config_t *cfg, tv_diags_t *diags);

/* Sets one setting by its dotted name ("weights.text", "masks.eligible_only") from text
 * ("0.3", "true"). */
int tv_codec_match_config_set(tv_match_config_t *cfg, const char *name, const char *value,
                              tv_diags_t *diags);

/* Encodes match (company, investor) of matcher 'm' with its explanation 'e' as one JSON
 * object: ids, names, score, forward, reverse, contributions by block, shared terms with
 * labels in 'lang' ("it" or "en"), shared text terms, constraints, readable reasons, the fit,
 * its level, the top reasons and the flags, each side's public country, area, stage or kind
 * (ids); every sentence in 'lang'. */
int tv_codec_match_encode(const tv_matcher_t *m, const tv_taxonomy_t *t, size_t company,
                          size_t investor, const tv_explanation_t *e, const char *lang, char **out);

/* Decodes and checks an event file (see fixtures/events/): its days, slots, tables,
 * participants and requests. Every problem goes to 'diags' with its JSON path. */
int tv_codec_event_decode(const char *json, size_t len, tv_event_t *out, tv_diags_t *diags);

/* An event's participants from a spreadsheet (CSV with a header: kind, id, max_meetings,
 * min_meetings, unavailable, name, email, language; one row per person), as JSON in '*out'
 * (free()): {"participants": [the event file's participants], "lines": [{"line": the line of
 * participant k's first row, "people": [the line of each of its people]}]}. Problems are
 * appended to 'diags' by line and column (TV_EINVAL); the event file's decoder checks the
 * rest once the participants are in a file. */
int tv_codec_participants_csv(const char *csv, size_t len, char **out, tv_diags_t *diags);

/* The outcomes report (decision 0068) as JSON in '*out' (free()): "acceptance" (recommended,
 * other, by_fit_decile), "by_fit_decile" (meetings, rated, mean_rating, follow_up), "by" (dim
 * -> key -> [meetings, no-shows, follow-ups, term sheets, investments]), "recall"; each rate
 * {cases, count, rate, too_few}, null below r->min_cases. */
int tv_codec_outcome_report_encode(const tv_outcome_report_t *r, char **out);

/* Meetings as a schedule draft keeps them (migration 030): the fields tv_store_meetings_save
 * reads, as a JSON array into '*out' (free()). */
int tv_codec_meetings_encode(const tv_meeting_t *m, size_t n, char **out);

/* The meetings of tv_codec_meetings_encode's 'json' into '*out' (free()) and '*n'; TV_EINVAL
 * for another text. */
int tv_codec_meetings_decode(const char *json, tv_meeting_t **out, size_t *n);

/* Writes the JSON Schema (draft 2020-12) of 'kind' for taxonomy 't', pretty-printed, into
 * '*out', which the caller frees with free(). */
int tv_codec_schema(const tv_taxonomy_t *t, tv_profile_kind_t kind, char **out);

/* Encodes digest 'd' of date 'date' as JSON: {"recipient": {kind, id, name}, "date",
 * "matches": [{id, name, score, previous (null when new), new, explanation: {en, it}}],
 * "meetings": [{id, event_id, event_name, with_id, with_name, starts_at (local), time_zone,
 * table}], "eligible": [{id, name, area}]}. '*out' is freed with free(). */
int tv_codec_digest_encode(const tv_matcher_t *m, const tv_taxonomy_t *t, const void *digest,
                           const char *date, char **out);

#endif
