/* Browser sessions: the cookie, the acting profile, the CSRF checks and the per-client limit.
 * Session ids are hashed like sign-in tokens (invite.c) and compared in constant time. */
#include <arpa/inet.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "invite.h"
#include "notify_links.h"
#include "session.h"
#include "tavolo/session.h"

const char *api_cookie_value(const char *header, const char *name, char *out, size_t size)
{
    size_t n = strlen(name);

    for (const char *p = header; p != NULL && *p != '\0';) {
        size_t len;

        while (*p == ' ' || *p == ';')
            p++;
        len = strcspn(p, ";");
        if (len > n && strncmp(p, name, n) == 0 && p[n] == '=') {
            if (len - n - 1 >= size)
                return NULL;
            memcpy(out, p + n + 1, len - n - 1);
            out[len - n - 1] = '\0';
            return out;
        }
        p += len;
    }
    return NULL;
}

int api_session_authenticate(tv_store_t *st, const char *cookie, api_session_t *out)
{
    uint8_t hash[TV_SESSION_HASH_BYTES];
    tv_session_t s;
    int rc;

    if (cookie == NULL || !api_secret_valid(cookie))
        return TV_ENOTFOUND;
    if (st == NULL)
        return TV_EUNAVAIL;
    api_secret_hash(cookie, hash);
    rc = tv_store_session_find(st, hash, &s);
    /* The index found the row; the comparison that decides runs in constant time. */
    if (rc == 0 && sodium_memcmp(s.hash, hash, sizeof(hash)) != 0)
        rc = TV_ENOTFOUND;
    if (rc != 0)
        return rc;
    memset(out, 0, sizeof(*out));
    out->active = 1;
    out->id = s.id;
    out->expires_in = s.expires_in;
    snprintf(out->email, sizeof(out->email), "%s", s.email);
    snprintf(out->csrf, sizeof(out->csrf), "%s", s.csrf);
    return 0;
}

/* The acting profile is checked by its id alone (tv_store_person_may_act) on every request:
 * listing all the person's profiles read every profile's contacts and every participant's
 * people, about 20 ms and more as events grow (bench/web_pages.sh). "organiser:EVENT_ID" acts
 * with the organiser role of that event, as an organiser token of it does (decision 0063);
 * "admin:all" with the admin role (decision 0065). */
int api_session_principal(const api_req_t *r, api_principal_t *principal)
{
    const char *colon = r->acting != NULL ? strchr(r->acting, ':') : NULL;
    const char *id = colon != NULL ? colon + 1 : "";
    char kind[16];
    int rc;

    if (colon == NULL || (size_t)(colon - r->acting) >= sizeof(kind) || !tv_id_valid(id))
        return TV_EINVAL;
    snprintf(kind, sizeof(kind), "%.*s", (int)(colon - r->acting), r->acting);
    if (strcmp(kind, "company") != 0 && strcmp(kind, "investor") != 0 &&
        strcmp(kind, "organiser") != 0 && strcmp(kind, "admin") != 0)
        return TV_EINVAL;
    if (r->store == NULL)
        return TV_EUNAVAIL;
    rc = tv_store_person_may_act(r->store, r->session.email, kind, id);
    if (rc != 0)
        return rc;
    memset(principal, 0, sizeof(*principal));
    principal->token_id = -1; /* no API token: revoking "one's own" token matches none */
    if (strcmp(kind, "admin") == 0) {
        principal->role = API_ROLE_ADMIN;
        return 0;
    }
    if (strcmp(kind, "organiser") == 0) {
        principal->role = API_ROLE_ORGANISER;
        snprintf(principal->event_id, sizeof(principal->event_id), "%s", id);
        return 0;
    }
    principal->role = strcmp(kind, "company") == 0 ? API_ROLE_COMPANY : API_ROLE_INVESTOR;
    snprintf(principal->subject, sizeof(principal->subject), "%s", id);
    return 0;
}

/* The origin (scheme://host[:port]) of the public URL. */
static void public_origin(char *out, size_t size)
{
    const char *url = api_public_url(), *h = strstr(url, "://");
    size_t n = h != NULL ? (size_t)(h + 3 - url) + strcspn(h + 3, "/?#") : strlen(url);

    snprintf(out, size, "%.*s", (int)n, url);
}

const char *api_session_csrf_problem(const api_req_t *r)
{
    size_t want = strlen(r->session.csrf);
    char origin[512];

    if (r->csrf == NULL || strlen(r->csrf) != want ||
        sodium_memcmp(r->csrf, r->session.csrf, want) != 0)
        return "X-CSRF-Token: missing or not this session's token (GET /v1/me gives it)";
    public_origin(origin, sizeof(origin));
    if (r->origin == NULL)
        return "Origin: a write with the session cookie must come with an Origin header";
    if (strcasecmp(r->origin, origin) != 0)
        return "Origin: not the origin of TAVOLO_PUBLIC_URL";
    return NULL;
}

void api_session_cookie(const api_req_t *r, const char *value, long max_age, char *out, size_t size)
{
    int secure = r->tls || strncasecmp(api_public_url(), "https://", 8) == 0;

    snprintf(out, size, "%s=%s; HttpOnly; SameSite=Lax; Path=/; Max-Age=%ld%s", API_SESSION_COOKIE,
             value, max_age, secure ? "; Secure" : "");
}

/* ---- the client behind a trusted proxy ---- */

#define MAX_PROXIES 16

static struct {
    size_t n;
    char addr[MAX_PROXIES][INET6_ADDRSTRLEN];
} proxies;

/* Writes the canonical text of IP address 'text' ('len' bytes) into 'out'; -1 if not one. */
static int canonical_ip(const char *text, size_t len, char out[INET6_ADDRSTRLEN])
{
    unsigned char bin[sizeof(struct in6_addr)];
    char s[INET6_ADDRSTRLEN];

    if (len == 0 || len >= sizeof(s))
        return -1;
    memcpy(s, text, len);
    s[len] = '\0';
    if (inet_pton(AF_INET, s, bin) == 1)
        return inet_ntop(AF_INET, bin, out, INET6_ADDRSTRLEN) != NULL ? 0 : -1;
    if (inet_pton(AF_INET6, s, bin) == 1)
        return inet_ntop(AF_INET6, bin, out, INET6_ADDRSTRLEN) != NULL ? 0 : -1;
    return -1;
}

int api_trusted_proxies_read(char *err, size_t size)
{
    const char *v = getenv("TAVOLO_TRUSTED_PROXIES"), *sep = ", \t";

    proxies.n = 0;
    for (const char *p = v != NULL ? v + strspn(v, sep) : ""; *p != '\0'; p += strspn(p, sep)) {
        size_t len = strcspn(p, sep);

        if (proxies.n == MAX_PROXIES) {
            snprintf(err, size, "TAVOLO_TRUSTED_PROXIES: at most %d addresses", MAX_PROXIES);
            return -1;
        }
        if (canonical_ip(p, len, proxies.addr[proxies.n]) != 0) {
            snprintf(err, size, "TAVOLO_TRUSTED_PROXIES: \"%.*s\" is not an IP address",
                     (int)(len > 64 ? 64 : len), p);
            return -1;
        }
        proxies.n++;
        p += len;
    }
    return 0;
}

void api_client_behind_proxy(char *peer, size_t size, const char *xff, size_t len)
{
    char canon[INET6_ADDRSTRLEN];
    size_t start = len, i;

    for (i = 0; i < proxies.n && strcmp(proxies.addr[i], peer) != 0; i++)
        ;
    if (i == proxies.n || xff == NULL)
        return;
    while (len > 0 && (xff[len - 1] == ' ' || xff[len - 1] == '\t'))
        len--;
    for (start = len; start > 0 && xff[start - 1] != ','; start--)
        ;
    while (start < len && (xff[start] == ' ' || xff[start] == '\t'))
        start++;
    if (canonical_ip(xff + start, len - start, canon) == 0)
        snprintf(peer, size, "%s", canon);
}

/* ---- the per-client limit: a fixed table of windows, the oldest slot reused ---- */

#define CLIENT_SLOTS 1024

typedef struct {
    char client[64];
    time_t start;
    int count;
} client_slot_t;

static client_slot_t slots[CLIENT_SLOTS];
static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t slot_of(const char *client)
{
    unsigned long h = 5381;

    for (const char *c = client; *c != '\0'; c++)
        h = h * 33 + (unsigned char)*c;
    return h % CLIENT_SLOTS;
}

int api_session_client_allow(const char *client, int *retry_after)
{
    time_t now = time(NULL);
    client_slot_t *s;
    int allow = 1;

    pthread_mutex_lock(&slots_lock);
    s = &slots[slot_of(client)];
    if (strncmp(s->client, client, sizeof(s->client) - 1) != 0 ||
        now - s->start >= API_SIGNIN_WINDOW) {
        snprintf(s->client, sizeof(s->client), "%s", client);
        s->start = now;
        s->count = 0;
    }
    if (s->count >= API_SIGNIN_PER_CLIENT) {
        allow = 0;
        *retry_after = (int)(API_SIGNIN_WINDOW - (now - s->start));
    } else {
        s->count++;
    }
    pthread_mutex_unlock(&slots_lock);
    return allow;
}
