/* tavolo invite: sign-in links by e-mail (issue 16, decision 0049).
 *
 *   tavolo invite --profile ID   the profile's contacts and the people event files name for it
 *   tavolo invite --event ID     the people the event names and their profiles' contacts
 *   tavolo invite --organiser EMAIL --event ID [--name NAME] [--language it|en]
 *                                makes EMAIL an organiser of the event (decision 0063), then
 *                                invites them
 *   tavolo invite --admin EMAIL [--name NAME] [--language it|en]
 *                                makes EMAIL an admin, who signs in to run every event and
 *                                create new ones (decision 0065), then invites them
 *
 * One message of kind "invite" per person is queued (delivered by `tavolo mail send` or the
 * daemon), each with a single-use link that expires after TAVOLO_SIGNIN_HOURS (72). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "invite.h"
#include "notify.h"
#include "tavolo/session.h"

static const char usage_text[] =
    "usage: tavolo invite --profile ID | --event ID | --organiser EMAIL --event ID "
    "[--name NAME] [--language it|en] | --admin EMAIL [--name NAME] [--language it|en]";

/* Makes 'email' an organiser of 'event' (an admin when 'event' is NULL) and mails them a
 * sign-in link. */
static int invite_organiser(tv_store_t *st, const api_notify_opts_t *o, const char *email,
                            const char *event, const char *name, const char *language)
{
    const char *option = event != NULL ? "organiser" : "admin";
    char err[512] = "", lower[321];
    int sent = 0;
    int rc = event != NULL ? tv_store_organiser_add(st, event, email, name, language)
                           : tv_store_admin_add(st, email, name, language);

    snprintf(lower, sizeof(lower), "%s", email);
    for (char *c = lower; *c != '\0'; c++)
        *c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);

    if (rc != 0) {
        cli_error("invite --%s %s: %s", option, email, tv_store_error(st));
        return rc;
    }
    rc = api_invite_email(st, o, email, &sent, err, sizeof(err));
    if (rc != 0)
        cli_error("invite --%s %s: %s", option, email, err[0] ? err : tv_store_error(st));
    else
        printf("%s %s%s; queued %d invitation%s\n", lower,
               event != NULL ? "organises " : "is an admin", event != NULL ? event : "", sent,
               sent == 1 ? "" : "s (unsubscribed from invitations)");
    return rc;
}

int cmd_invite(int argc, char **argv)
{
    const char *profile = NULL, *event = NULL, *organiser = NULL, *admin = NULL, *name = NULL,
               *language = NULL;
    api_notify_opts_t o;
    tv_store_t *st = NULL;
    size_t queued = 0, skipped = 0;
    char err[512] = "";
    int rc, bad = 0;

    for (int i = 1; i < argc; i += 2) {
        const char **slot = strcmp(argv[i], "--profile") == 0     ? &profile
                            : strcmp(argv[i], "--event") == 0     ? &event
                            : strcmp(argv[i], "--organiser") == 0 ? &organiser
                            : strcmp(argv[i], "--admin") == 0     ? &admin
                            : strcmp(argv[i], "--name") == 0      ? &name
                            : strcmp(argv[i], "--language") == 0  ? &language
                                                                  : NULL;

        if (slot == NULL || i + 1 >= argc || *slot != NULL)
            bad = 1;
        else
            *slot = argv[i + 1];
    }
    if (admin != NULL) /* alone, or with a name and a language */
        bad |= profile != NULL || event != NULL || organiser != NULL;
    else
        bad |= (profile == NULL) == (event == NULL) || (organiser != NULL && event == NULL) ||
               (organiser == NULL && (name != NULL || language != NULL));
    if (bad) {
        cli_error("%s", usage_text);
        return CLI_USAGE;
    }
    if (api_notify_defaults(&o) != 0) {
        cli_error("TAVOLO_NOTIFY_QUIET: expected seconds from 0 to 86400");
        return CLI_FAILED;
    }
    rc = cli_open_store(&st);
    if (rc == 0 && (organiser != NULL || admin != NULL)) {
        rc = admin != NULL ? invite_organiser(st, &o, admin, NULL, name, language)
                           : invite_organiser(st, &o, organiser, event, name, language);
        tv_store_close(st);
        return rc == 0 ? CLI_OK : CLI_FAILED;
    }
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
