/* Tokens: revoking one through the API. Every daemon hears of it through the change feed and
 * stops taking the token at once, whatever it had cached (decision 0042). */
#include <stdlib.h>

#include "../reply.h"
#include "handlers.h"
#include "tavolo/token.h"

/* An admin revokes any token; anyone revokes the token they call with (signing out). */
int api_h_token_revoke(const api_req_t *r, api_resp_t *resp)
{
    int64_t id = strtoll(r->params[0], NULL, 10);
    int rc;

    if (r->principal.role != API_ROLE_ADMIN && r->principal.token_id != id) {
        api_reply_problem(resp, r, 403, "forbidden", NULL,
                          "only an admin may revoke another token than its own");
        return 0;
    }
    if (r->store == NULL) {
        api_reply_error(resp, r, TV_EUNAVAIL, "");
        return 0;
    }
    rc = tv_store_token_revoke(r->store, id);
    if (rc != 0)
        api_reply_error(resp, r, rc, tv_store_error(r->store));
    else
        resp->status = 204;
    return 0;
}
