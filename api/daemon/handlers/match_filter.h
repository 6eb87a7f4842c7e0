/* The filters of a matches query (issue 16, decision 0051): taxonomy terms, a country and a
 * text search on the other side, read from the query string and turned into row flags. */
#ifndef API_MATCH_FILTER_H
#define API_MATCH_FILTER_H

#include <stdint.h>

#include "tavolo/store.h"

#include "../api.h"

typedef struct {
    int any;                                /* 1 if any filter is given */
    int area, pathology, technology, stage; /* taxonomy indices, or -1 for any */
    char country[3];                        /* ISO 3166-1 alpha-2, or "" for any */
    char q[TV_SEARCH_MAX_BYTES + 1];        /* the search box's text, or "" for none */
} api_match_filter_t;

/* 1 if 'query' names any filter parameter, so that no cached answer fits it. */
int api_match_filter_present(const char *query);

/* Reads area, pathology, technology, stage, country and q into 'f'. Returns 0, or -1 after a
 * 400 naming the parameter: an id the taxonomy does not know, a country it does not list, a q
 * that is no search (no word, too many words, too long). */
int api_match_filter_parse(const api_req_t *r, api_resp_t *resp, api_match_filter_t *f);

/* Clears the flag of each row of 'other' (the side being ranked; 'flags' has one per row)
 * that fails 'f'. The matcher must be read-locked; q asks the store. */
int api_match_filter_apply(const api_req_t *r, tv_profile_kind_t other, const api_match_filter_t *f,
                           uint8_t *flags);

#endif
