/* tavolo/profile.h: company and investor profiles as the engine holds them.
 *
 * Profiles are plain records with public fields, filled by the codec. A field that the
 * source did not give is "unknown": TV_UNKNOWN for integers, NAN for ratios, -1 for
 * booleans and taxonomy references, NULL for strings, an empty list for lists. */
#ifndef TV_PROFILE_H
#define TV_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "tavolo/taxonomy.h"

#define TV_UNKNOWN INT64_MIN

/* Ids of profiles and events: 1 to TV_ID_MAX ASCII letters, digits and "._:/-". */
#define TV_ID_MAX 64

/* 1 if 's' is a valid id. */
int tv_id_valid(const char *s);

/* A set of taxonomy indices of one kind, sorted, without duplicates. */
typedef struct {
    uint16_t *items;
    size_t n;
} tv_terms_t;

/* What a company looks for in an investor. */
typedef struct {
    tv_terms_t investor_kinds; /* TV_TAXO_INVESTOR_KIND */
    tv_terms_t regions;        /* TV_TAXO_REGION */
    int lead;                  /* wants a lead investor: 1, 0, or -1 unknown */
} tv_wants_t;

/* Someone who receives the daily digest for a company or an investor. */
typedef struct {
    char *name;       /* or NULL */
    char *email;      /* required */
    char language[3]; /* "it", "en" or "" (the profile's language, else English) */
} tv_contact_t;

typedef struct {
    char *id;   /* external id, required */
    char *name; /* required */
    int area;   /* TV_TAXO_AREA index or -1 */
    char hq_country[3];
    int hq_region;     /* TV_TAXO_IT_REGION index or -1 */
    char *subdivision; /* state, province or region of any country ("CA"), or NULL */
    char *city;
    double rd_share_italy; /* 0..1 or NAN */
    int64_t rd_spend_eur;  /* whole euros a year, or TV_UNKNOWN */
    int64_t grants_eur;    /* whole euros a year, or TV_UNKNOWN */
    int commercial;        /* 1, 0, or -1 unknown */
    int64_t patents_owned; /* or TV_UNKNOWN */
    int64_t patents_licensed;
    tv_terms_t pathologies;
    tv_terms_t technologies;
    tv_terms_t priorities;
    int stage; /* TV_TAXO_STAGE index or -1 */
    int round; /* TV_TAXO_ROUND index or -1 */
    int64_t raise_eur;
    char *description;
    char language[3]; /* "it", "en" or "" */
    tv_wants_t wants;
    int64_t founded;        /* year or TV_UNKNOWN */
    tv_strings_t investors; /* ids of investors that already backed it */
    tv_contact_t *contacts; /* digest recipients */
    size_t contacts_n;
} tv_company_t;

typedef struct {
    char *name;
    tv_terms_t pathologies;
    tv_terms_t technologies;
    int stage;
    int round;
    int64_t year;      /* the latest year the investor put money in, or TV_UNKNOWN */
    char country[3];   /* where the holding is based, or "" */
    char *subdivision; /* its state, province or region, or NULL */
    char *city;        /* its city or metro area, or NULL */
    int64_t raise_eur; /* the size of the round the investor joined, or TV_UNKNOWN */
    char *description;
} tv_holding_t;

typedef struct {
    char *id;
    char *name;
    int kind; /* TV_TAXO_INVESTOR_KIND index or -1 */
    char country[3];
    tv_terms_t regions;
    tv_terms_t pathologies;
    tv_terms_t technologies;
    tv_terms_t priorities;
    tv_terms_t stages;
    tv_terms_t rounds;
    int64_t ticket_min_eur;
    int64_t ticket_max_eur;
    int leads;
    int64_t horizon_years;
    char *thesis;
    char language[3];
    int active;
    tv_holding_t *portfolio;
    size_t portfolio_n;
    tv_contact_t *contacts; /* digest recipients */
    size_t contacts_n;
} tv_investor_t;

typedef enum { TV_KIND_COMPANY, TV_KIND_INVESTOR } tv_profile_kind_t;

/* Sets every field of 'c' to unknown. */
void tv_company_init(tv_company_t *c);
/* Frees what 'c' owns and sets it to unknown again. */
void tv_company_dispose(tv_company_t *c);
void tv_investor_init(tv_investor_t *inv);
void tv_investor_dispose(tv_investor_t *inv);

/* Returns 1 if 'terms' holds taxonomy index 'index'. */
int tv_terms_has(const tv_terms_t *terms, size_t index);

#endif
