/* A participants spreadsheet read into an event file's participants (issue 17, decision
 * 0065): POST /v1/spreadsheets/participants {"csv": TEXT}. Nothing is written: the page puts
 * the participants into the event file it sends to POST or PUT /v1/events, whose import checks
 * them in one transaction, and names a problem's line again through "lines". */
#include <jansson.h>
#include <stdlib.h>

#include "../reply.h"
#include "handlers.h"
#include "tavolo/codec.h"

int api_h_spreadsheet_participants(const api_req_t *r, api_resp_t *resp)
{
    json_t *body = json_loadb(r->body, r->body_len, 0, NULL);
    const char *csv = json_string_value(json_object_get(body, "csv"));
    tv_diags_t diags = {0};
    char *out = NULL;
    int rc;

    if (r->principal.role != API_ROLE_ADMIN && r->principal.role != API_ROLE_ORGANISER)
        api_reply_problem(resp, r, 403, "forbidden", NULL,
                          "only an admin or an organiser reads spreadsheets of participants");
    else if (body == NULL)
        api_reply_problem(resp, r, 400, "malformed-json", NULL, "the body is not JSON");
    else if (csv == NULL || json_object_size(body) != 1)
        api_reply_problem(resp, r, 422, "invalid-field", "/csv",
                          "expected {\"csv\": the spreadsheet's text}");
    else if ((rc = tv_codec_participants_csv(csv, json_string_length(json_object_get(body, "csv")),
                                             &out, &diags)) == TV_EINVAL)
        api_reply_lines(resp, r, "/csv", &diags);
    else if (rc != 0)
        api_reply_error(resp, r, rc, "reading the spreadsheet");
    else
        api_reply_json(resp, 200, out);
    tv_diags_dispose(&diags);
    json_decref(body);
    return 0;
}
