/* Sign-in links (issue 16, decision 0049): `tavolo invite`, the organiser's invitations and
 * POST /v1/signin queue one message of kind "invite" per person, each carrying a single-use
 * link <public URL>/signin?t=TOKEN whose token the store keeps only as a hash. */
#ifndef API_INVITE_H
#define API_INVITE_H

#include <stddef.h>
#include <stdint.h>

#include "notify_job.h"
#include "tavolo/store.h"

/* A sign-in link token or session id: 43 base64url characters (32 random bytes). */
#define API_SECRET_LEN 43
#define API_SECRET_SIZE (API_SECRET_LEN + 1)

/* Makes a random secret (libsodium), writing its text to 'text' and its BLAKE2b-256 hash to
 * 'hash'. TV_EIO when libsodium cannot start. */
int api_secret_new(char text[API_SECRET_SIZE], uint8_t hash[32]);

/* The BLAKE2b-256 hash of 'text', the only form the store keeps. */
void api_secret_hash(const char *text, uint8_t hash[32]);

/* 1 if 'text' has the shape api_secret_new makes. */
int api_secret_valid(const char *text);

/* Seconds a link lives: $TAVOLO_SIGNIN_HOURS (1 to 8760) hours, else 72 hours; TV_EINVAL for
 * another value. */
int api_signin_seconds(int64_t *out);

/* Seconds a session lives without a request: $TAVOLO_SESSION_IDLE_HOURS (1 to 720) hours,
 * else 168 (7 days); TV_EINVAL for another value. */
int api_session_idle_seconds(int64_t *out);

/* Queues an invitation for every person of profile 'profile_id' or of event 'event_id' (one
 * of them non-NULL), links and messages in one transaction. '*queued' counts the messages
 * queued, '*skipped' those not (the person unsubscribed from invitations). 'err' names what
 * failed. */
int api_invite_run(tv_store_t *st, const api_notify_opts_t *o, const char *profile_id,
                   const char *event_id, size_t *queued, size_t *skipped, char *err,
                   size_t err_size);

/* Queues a fresh link for 'email' if it is a person of some profile or event file; '*sent' is
 * 1 then, else 0 (nothing written). */
int api_invite_email(tv_store_t *st, const api_notify_opts_t *o, const char *email, int *sent,
                     char *err, size_t err_size);

#endif
