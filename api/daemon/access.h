/* Who may see and change what (DESIGN.md, "Interfaces and conventions"): admin everything;
 * an organiser the profiles and matches of its event's participants; an investor or a company
 * its own record and matches in full and the public part of the other side, never a peer. */
#ifndef API_ACCESS_H
#define API_ACCESS_H

#include "api.h"

typedef enum { API_VIEW_NONE, API_VIEW_PUBLIC, API_VIEW_FULL } api_view_t;

/* How much of profile (kind, id) the caller sees, or a negative TV_E* code when attendance
 * cannot be checked (database down). */
int api_access_view(const api_req_t *r, tv_profile_kind_t kind, const char *id);

/* What the caller sees of the items of a list of 'kind' (organisers: participants only,
 * which the handler filters). */
api_view_t api_access_list(const api_req_t *r, tv_profile_kind_t kind);

/* 1 if the caller may create (id not yet stored) or change profile (kind, id); negative
 * TV_E* when attendance cannot be checked. */
int api_access_write(const api_req_t *r, tv_profile_kind_t kind, const char *id, int exists);

/* 1 if the caller may read the matches of (kind, id); writes into 'event' the event the
 * matches must be restricted to ("" for none): an organiser's own. */
int api_access_matches(const api_req_t *r, tv_profile_kind_t kind, const char *id, char *event,
                       size_t size);

/* 1 if the caller runs event 'event_id': an admin, or that event's organiser. */
int api_access_runs_event(const api_req_t *r, const char *event_id);

/* The fields of the public view of a profile, NULL-terminated. */
const char *const *api_access_public_fields(tv_profile_kind_t kind);

#endif
