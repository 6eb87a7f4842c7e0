/* tavolo/eligibility.h: the ESIBE admission criteria, each judged pass, fail or unknown. */
#ifndef TV_ELIGIBILITY_H
#define TV_ELIGIBILITY_H

#include "tavolo/profile.h"
#include "tavolo/taxonomy.h"

typedef enum { TV_CHECK_UNKNOWN = -1, TV_CHECK_FAIL = 0, TV_CHECK_PASS = 1 } tv_check_t;

typedef enum {
    TV_CRIT_RD_THRESHOLD, /* R&D spend (or grants, industrial) by area */
    TV_CRIT_NOT_COMMERCIAL,
    TV_CRIT_PATENTS, /* patents owned or licensed */
    TV_CRIT_ITALY,   /* Italian HQ and the prevailing part of R&D in Italy */
    TV_CRIT_COUNT
} tv_criterion_id_t;

typedef struct {
    const char *name; /* "rd_threshold", "not_commercial", "patents", "italy" */
    tv_check_t result;
    char reason[256]; /* names the figures used */
} tv_criterion_t;

typedef struct {
    tv_check_t eligible; /* fail if any criterion fails, else unknown if any is unknown */
    tv_criterion_t criteria[TV_CRIT_COUNT];
} tv_eligibility_t;

/* The R&D (or, for industrial companies, grant) funding an area requires each year. */
#define TV_ELIG_MEDICINE_MIN_RD_EUR INT64_C(2000000)
#define TV_ELIG_INDUSTRIAL_MIN_EUR INT64_C(800000)
/* The country of the headquarters and of the prevailing part of R&D. */
#define TV_ELIG_HOME_COUNTRY "IT"

/* Judges company 'c' against every criterion. Borrows its arguments; fills 'out'. */
void tv_eligibility_check(const tv_taxonomy_t *t, const tv_company_t *c, tv_eligibility_t *out);

/* As tv_eligibility_check, with the reasons written in 'lang' (the figures in its way of
 * writing numbers); the verdicts do not depend on it. */
void tv_eligibility_check_lang(const tv_taxonomy_t *t, const tv_company_t *c, tv_lang_t lang,
                               tv_eligibility_t *out);

/* "pass", "fail" or "unknown". */
const char *tv_check_name(tv_check_t check);

#endif
