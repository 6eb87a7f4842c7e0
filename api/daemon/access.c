/* Access rules, one place for all of them. */
#include <stdio.h>
#include <string.h>

#include "access.h"

static const char *const company_public[] = {
    "id",        "name",        "area",         "hq_country", "hq_region", "subdivision",
    "city",      "pathologies", "technologies", "priorities", "stage",     "round",
    "raise_eur", "description", "language",     "founded",    NULL};

static const char *const investor_public[] = {
    "id",           "name",       "kind",   "country", "regions",        "pathologies",
    "technologies", "priorities", "stages", "rounds",  "ticket_min_eur", "ticket_max_eur",
    "leads",        "language",   NULL};

const char *const *api_access_public_fields(tv_profile_kind_t kind)
{
    return kind == TV_KIND_COMPANY ? company_public : investor_public;
}

static int is_self(const api_req_t *r, tv_profile_kind_t kind, const char *id)
{
    api_role_t own = kind == TV_KIND_COMPANY ? API_ROLE_COMPANY : API_ROLE_INVESTOR;

    return r->principal.role == own && strcmp(r->principal.subject, id) == 0;
}

/* The other side of a company is investors, and the reverse. */
static int is_other_side(const api_req_t *r, tv_profile_kind_t kind)
{
    return (r->principal.role == API_ROLE_INVESTOR && kind == TV_KIND_COMPANY) ||
           (r->principal.role == API_ROLE_COMPANY && kind == TV_KIND_INVESTOR);
}

static int attends(const api_req_t *r, tv_profile_kind_t kind, const char *id)
{
    if (r->store == NULL)
        return TV_EUNAVAIL;
    return tv_store_is_participant(r->store, r->principal.event_id, kind, id);
}

int api_access_view(const api_req_t *r, tv_profile_kind_t kind, const char *id)
{
    int in;

    switch (r->principal.role) {
    case API_ROLE_ADMIN:
        return API_VIEW_FULL;
    case API_ROLE_ORGANISER:
        in = attends(r, kind, id);
        return in < 0 ? in : in ? API_VIEW_FULL : API_VIEW_NONE;
    default:
        if (is_self(r, kind, id))
            return API_VIEW_FULL;
        return is_other_side(r, kind) ? API_VIEW_PUBLIC : API_VIEW_NONE;
    }
}

api_view_t api_access_list(const api_req_t *r, tv_profile_kind_t kind)
{
    if (r->principal.role == API_ROLE_ADMIN || r->principal.role == API_ROLE_ORGANISER)
        return API_VIEW_FULL;
    return is_other_side(r, kind) ? API_VIEW_PUBLIC : API_VIEW_NONE;
}

int api_access_write(const api_req_t *r, tv_profile_kind_t kind, const char *id, int exists)
{
    switch (r->principal.role) {
    case API_ROLE_ADMIN:
        return 1;
    case API_ROLE_ORGANISER: /* loads new attendees, edits its participants */
        return exists ? attends(r, kind, id) : 1;
    default:
        return is_self(r, kind, id);
    }
}

int api_access_matches(const api_req_t *r, tv_profile_kind_t kind, const char *id, char *event,
                       size_t size)
{
    event[0] = '\0';
    switch (r->principal.role) {
    case API_ROLE_ADMIN:
        return 1;
    case API_ROLE_ORGANISER:
        snprintf(event, size, "%s", r->principal.event_id);
        return attends(r, kind, id);
    default:
        return is_self(r, kind, id);
    }
}

int api_access_runs_event(const api_req_t *r, const char *event_id)
{
    return r->principal.role == API_ROLE_ADMIN || (r->principal.role == API_ROLE_ORGANISER &&
                                                   strcmp(r->principal.event_id, event_id) == 0);
}
