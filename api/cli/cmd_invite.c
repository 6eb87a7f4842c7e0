/* tavolo invite: sign-in links by e-mail (issue 16, decision 0049).
 *
 *   tavolo invite --profile ID   the profile's contacts and the people event files name for it
 *   tavolo invite --event ID     the people the event names and their profiles' contacts
 *
 * One message of kind "invite" per person is queued (delivered by `tavolo mail send` or the
 * daemon), each with a single-use link that expires after TAVOLO_SIGNIN_HOURS (72). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "invite.h"
#include "notify.h"

static const char usage_text[] = "usage: tavolo invite --profile ID | --event ID";

int cmd_invite(int argc, char **argv)
{
    const char *profile = NULL, *event = NULL;
    api_notify_opts_t o;
    tv_store_t *st = NULL;
    size_t queued = 0, skipped = 0;
    char err[512] = "";
    int rc;

    if (argc == 3 && strcmp(argv[1], "--profile") == 0)
        profile = argv[2];
    else if (argc == 3 && strcmp(argv[1], "--event") == 0)
        event = argv[2];
    if (profile == NULL && event == NULL) {
        cli_error("%s", usage_text);
        return CLI_USAGE;
    }
    if (api_notify_defaults(&o) != 0) {
        cli_error("TAVOLO_NOTIFY_QUIET: expected seconds from 0 to 86400");
        return CLI_FAILED;
    }
    rc = cli_open_store(&st);
    if (rc == 0) {
        rc = api_invite_run(st, &o, profile, event, &queued, &skipped, err, sizeof(err));
        if (rc != 0)
            cli_error("invite %s %s: %s", profile != NULL ? "profile" : "event",
                      profile != NULL ? profile : event, err[0] ? err : tv_store_error(st));
    }
    if (rc == 0)
        printf("queued %zu invitations, skipped %zu (unsubscribed)\n", queued, skipped);
    tv_store_close(st);
    return rc == 0 ? CLI_OK : CLI_FAILED;
}
