/* Recipients: the people of a profile at an event, whom its notifications reach. */
#ifndef API_RECIPIENTS_H
#define API_RECIPIENTS_H

#include <stddef.h>

#include "tavolo/store.h"

typedef struct {
    char *email;
    char *name;       /* or NULL */
    char language[3]; /* "it" or "en" */
} api_recipient_t;

typedef struct {
    api_recipient_t *items;
    size_t n;
} api_recipients_t;

/* The people of profile 'id' of 'kind' ("company" or "investor") at event 'event_id': the
 * profile's contacts, then the people named for it in the event file (_participants.people),
 * one per address compared without case (a contact also named in the file is listed once, as
 * the contact). Language: the person's own, else the profile's (contacts) or the event's
 * (people), else "en". A person on several profiles is listed for each, and so gets each
 * profile's messages: what is told of a profile goes to its people. '*out' is zeroed first;
 * free it with api_recipients_dispose, also after an error. */
int api_recipients_find(tv_store_t *st, const char *event_id, const char *kind, const char *id,
                        api_recipients_t *out);

/* The profile-wide union the daily digest reaches (a digest is per profile, across events):
 * appends the person to 'r' unless an address equal without case is listed already, so that
 * adding a profile's contacts first, then the people named for it in every event file it takes
 * part in, lists each address once with the contact winning. 'name' may be NULL; 'language'
 * other than "it" reads as "en". Returns 0 or TV_ENOMEM ('r' unchanged). */
int api_recipients_add(api_recipients_t *r, const char *email, const char *name,
                       const char *language);

void api_recipients_dispose(api_recipients_t *r);

#endif
