/* Every route's handler: int h(const api_req_t *, api_resp_t *). */
#ifndef API_HANDLERS_H
#define API_HANDLERS_H

#include "../api.h"

int api_h_healthz(const api_req_t *r, api_resp_t *resp);
int api_h_metrics(const api_req_t *r, api_resp_t *resp);

int api_h_company_list(const api_req_t *r, api_resp_t *resp);
int api_h_company_create(const api_req_t *r, api_resp_t *resp);
int api_h_company_get(const api_req_t *r, api_resp_t *resp);
int api_h_company_put(const api_req_t *r, api_resp_t *resp);
int api_h_company_patch(const api_req_t *r, api_resp_t *resp);
int api_h_company_delete(const api_req_t *r, api_resp_t *resp);
int api_h_company_eligibility(const api_req_t *r, api_resp_t *resp);
/* The eligibility of a draft in the body, judged and never stored (decision 0055). */
int api_h_company_eligibility_draft(const api_req_t *r, api_resp_t *resp);
/* The vocabulary of the profiles' fields with its labels (GET /v1/taxonomy). */
int api_h_taxonomy(const api_req_t *r, api_resp_t *resp);
int api_h_company_matches(const api_req_t *r, api_resp_t *resp);

int api_h_investor_list(const api_req_t *r, api_resp_t *resp);
int api_h_investor_create(const api_req_t *r, api_resp_t *resp);
int api_h_investor_get(const api_req_t *r, api_resp_t *resp);
int api_h_investor_put(const api_req_t *r, api_resp_t *resp);
int api_h_investor_patch(const api_req_t *r, api_resp_t *resp);
int api_h_investor_delete(const api_req_t *r, api_resp_t *resp);
int api_h_investor_matches(const api_req_t *r, api_resp_t *resp);

/* Marks every kept list of matches stale at once: this daemon's own write of a request or of an
 * answer after a meeting teaches the ranking (decision 0069), before its notification returns. */
void api_h_matches_stale(const api_req_t *r);

/* GET /v1/companies/{id}/matches/{investor} and /v1/investors/{id}/matches/{company}: one
 * explained pair, whatever its rank (the pair page of issue 16). */
int api_h_company_pair(const api_req_t *r, api_resp_t *resp);
int api_h_investor_pair(const api_req_t *r, api_resp_t *resp);

/* The loop-thread variants of the matches routes: cached answers only. */
int api_h_company_matches_fast(const api_req_t *r, api_resp_t *resp);
int api_h_investor_matches_fast(const api_req_t *r, api_resp_t *resp);

int api_h_event_list(const api_req_t *r, api_resp_t *resp);
int api_h_event_create(const api_req_t *r, api_resp_t *resp);
int api_h_event_get(const api_req_t *r, api_resp_t *resp);
int api_h_event_put(const api_req_t *r, api_resp_t *resp);
int api_h_event_delete(const api_req_t *r, api_resp_t *resp);
int api_h_request_list(const api_req_t *r, api_resp_t *resp);
int api_h_request_create(const api_req_t *r, api_resp_t *resp);
int api_h_request_accept(const api_req_t *r, api_resp_t *resp);
int api_h_request_decline(const api_req_t *r, api_resp_t *resp);
int api_h_event_schedule(const api_req_t *r, api_resp_t *resp);
int api_h_meeting_list(const api_req_t *r, api_resp_t *resp);
int api_h_meeting_get(const api_req_t *r, api_resp_t *resp);
int api_h_meeting_patch(const api_req_t *r, api_resp_t *resp);
int api_h_meeting_create(const api_req_t *r, api_resp_t *resp);
int api_h_event_agenda(const api_req_t *r, api_resp_t *resp);
int api_h_event_tables(const api_req_t *r, api_resp_t *resp);
int api_h_event_overview(const api_req_t *r, api_resp_t *resp);
int api_h_event_figures(const api_req_t *r, api_resp_t *resp);
int api_h_meeting_places(const api_req_t *r, api_resp_t *resp);
int api_h_spreadsheet_participants(const api_req_t *r, api_resp_t *resp);
int api_h_tour_figures(const api_req_t *r, api_resp_t *resp);
int api_h_event_meetings_csv(const api_req_t *r, api_resp_t *resp);
int api_h_outcome_get(const api_req_t *r, api_resp_t *resp);
int api_h_outcome_add(const api_req_t *r, api_resp_t *resp);
int api_h_outcome_link_page(const api_req_t *r, api_resp_t *resp);
int api_h_outcome_link(const api_req_t *r, api_resp_t *resp);
int api_h_event_report(const api_req_t *r, api_resp_t *resp);
int api_h_tour_report(const api_req_t *r, api_resp_t *resp);
int api_h_draft_get(const api_req_t *r, api_resp_t *resp);
int api_h_event_organisers(const api_req_t *r, api_resp_t *resp);
int api_h_event_organiser_add(const api_req_t *r, api_resp_t *resp);
int api_h_draft_delete(const api_req_t *r, api_resp_t *resp);
int api_h_draft_publish(const api_req_t *r, api_resp_t *resp);
/* A participant's own unavailable slots (availability.c, decision 0053). */
int api_h_availability_get(const api_req_t *r, api_resp_t *resp);
int api_h_availability_put(const api_req_t *r, api_resp_t *resp);

int api_h_digest_list(const api_req_t *r, api_resp_t *resp);
int api_h_mail_list(const api_req_t *r, api_resp_t *resp);
int api_h_token_revoke(const api_req_t *r, api_resp_t *resp);
int api_h_unsubscribe_page(const api_req_t *r, api_resp_t *resp);
int api_h_unsubscribe(const api_req_t *r, api_resp_t *resp);

/* Sign-in links and sessions (sessions.c, decision 0049). */
int api_h_signin_link(const api_req_t *r, api_resp_t *resp);
int api_h_signout(const api_req_t *r, api_resp_t *resp);
int api_h_signin_request(const api_req_t *r, api_resp_t *resp);
int api_h_me(const api_req_t *r, api_resp_t *resp);
int api_h_me_patch(const api_req_t *r, api_resp_t *resp);
int api_h_me_sessions(const api_req_t *r, api_resp_t *resp);
int api_h_me_session_revoke(const api_req_t *r, api_resp_t *resp);
int api_h_event_invitations(const api_req_t *r, api_resp_t *resp);

/* Calendar feeds (calendar_feeds.c, decision 0054). */
int api_h_calendar_feed_create(const api_req_t *r, api_resp_t *resp);
int api_h_calendar_feed_list(const api_req_t *r, api_resp_t *resp);
int api_h_calendar_feed_revoke(const api_req_t *r, api_resp_t *resp);
int api_h_calendar_feed_ics(const api_req_t *r, api_resp_t *resp);

/* Shared by the handler files: the envelope {"items":[...], <extra>} around encoded items. */
char *api_h_items(char **items, size_t n, const char *extra);

/* Flags the participants of 'event' among the profiles of 'kind' into '*out' (calloc'd, one
 * byte a row; the matcher must be locked). TV_ENOTFOUND for an unknown event. */
int api_h_attendance(const api_req_t *r, tv_profile_kind_t kind, const char *event, uint8_t **out);

/* api_h_attendance for both sides at once, from one read of the event's participants (a
 * ranking within an event needs both: 6,000 rows at BIO-Europe size). */
int api_h_attendance_both(const api_req_t *r, const char *event, uint8_t **companies,
                          uint8_t **investors);

#endif
