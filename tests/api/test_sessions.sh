#!/usr/bin/env bash
# api.sessions: sign-in by e-mail link and the session cookie (issue 16, decision 0049), through
# the real daemon. `tavolo invite` queues one invite message per person in their language with
# a single-use link; following it gives 303 and the cookie with its flags; a reused, expired or
# unknown link opens no session; /v1/me lists the person's profiles; the cookie acts for one of
# them (X-Tavolo-Profile) under the API's access rules; its writes need the CSRF token and the
# public Origin; sessions are listed, revoked, signed out; POST /v1/signin answers alike for
# known and unknown addresses and 429 over the limit; organisers invite an event's people.
. "$(dirname "$0")/../cli/lib.sh"
TAVOLO=$1
FIX=$(cd "$(dirname "$0")/../../fixtures" && pwd)
require_pg
scratch_db api_sessions
tmp=$(mktemp -d)
daemon=""
trap 'kill -TERM $daemon 2>/dev/null; wait $daemon 2>/dev/null; rm -rf "$tmp"; drop_scratch_db' EXIT
PY=/usr/bin/python3
. "$(dirname "$0")/http.sh"
export TAVOLO_PUBLIC_URL=https://tavolo.example/
ORIGIN=https://tavolo.example

"$TAVOLO" import "$FIX/companies.jsonl" "$FIX/investors.jsonl" >/dev/null 2>&1
"$TAVOLO" event import "$FIX/events/jpm-2027.json" >/dev/null 2>&1
# Anna is a contact of company c-029 (in Italian) and of investor i-001: she may act for both.
sql "UPDATE companies SET doc = jsonb_set(doc, '{contacts}', '[{\"name\": \"Anna Rossi\", \"email\": \"Anna.Rossi@Example.com\", \"language\": \"it\"}]') WHERE id = 'c-029'" >/dev/null
sql "UPDATE investors SET doc = jsonb_set(doc, '{contacts}', '[{\"email\": \"anna.rossi@example.com\"}]') WHERE id = 'i-001'" >/dev/null

# message ADDRESS EXPR: a Python expression over the newest invite queued for ADDRESS, parsed
# with email ('m' the message, 'text' its plain part, 'link' the sign-in link in it).
message() {
    sql "SELECT body FROM mail_messages WHERE kind = 'invite' AND lower(recipient_email) = lower('$1') ORDER BY id DESC LIMIT 1" >"$tmp/msg"
    "$PY" - "$tmp/msg" "$2" <<'PYEOF'
import email, email.policy, re, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
text = m.get_body(("plain",)).get_content()
found = re.search(r"https://tavolo\.example/signin\?t=[A-Za-z0-9_-]+", text)
link = found.group(0) if found else ""
print(eval(sys.argv[2]))
PYEOF
}
token_of() { message "$1" 'link.split("t=", 1)[1] if link else ""'; }

out=$("$TAVOLO" invite --profile c-029 2>&1)
expect_contains "tavolo invite --profile reaches the contact and the event's person" "queued 2 invitations" "$out"
expect_eq "one invite message per person" "2" "$(sql "SELECT count(*) FROM mail_messages WHERE kind = 'invite'")"
expect_eq "the link is in the message, in Italian for Anna" "True it" \
    "$(message anna.rossi@example.com 'bool(link)') $(sql "SELECT language FROM mail_messages WHERE kind = 'invite' AND recipient_email ILIKE 'anna.rossi@example.com'")"
expect_contains "the subject in Italian" "Il suo link per accedere" "$(message anna.rossi@example.com 'm["Subject"]')"
expect_contains "List-Unsubscribe is of kind invite" "k=invite" "$(message anna.rossi@example.com 'm["List-Unsubscribe"]')"
expect_contains "the English message for the event's person" "Your link to sign in" "$(message luca.dubois@c-029.example 'm["Subject"]')"
t1=$(token_of anna.rossi@example.com)
expect_eq "only the hash of the link is stored" "0 1" \
    "$(sql "SELECT count(*) FROM signin_links WHERE encode(hash, 'escape') LIKE '%$t1%'") $(sql "SELECT count(*) FROM signin_links WHERE email = 'anna.rossi@example.com'")"
out=$("$TAVOLO" invite --profile no-such 2>&1)
expect_contains "an unknown profile is named" 'no profile "no-such"' "$out"

out=$(TAVOLO_SIGNIN_HOURS=0 "$TAVOLO" invite --profile c-029 2>&1)
expect_contains "a bad link lifetime is named" "TAVOLO_SIGNIN_HOURS" "$out"
out=$(TAVOLO_SESSION_IDLE_HOURS=7d "$TAVOLO" serve --listen 127.0.0.1:0 2>&1)
expect_contains "serve refuses a bad idle limit, naming it" "TAVOLO_SESSION_IDLE_HOURS: expected" "$out"
mkdir -p "$tmp/home"
out=$(TAVOLO_TRUSTED_PROXIES="127.0.0.1, proxy.example" "$TAVOLO" serve --listen 127.0.0.1:0 2>&1)
expect_contains "serve refuses a proxy that is not an address, naming it" \
    'TAVOLO_TRUSTED_PROXIES: "proxy.example" is not an IP address' "$out"
# The daemon sits behind a trusted proxy on 127.0.0.1 (HAProxy's `option forwardfor`).
TAVOLO_TRUSTED_PROXIES="127.0.0.1" \
TAVOLO_HOME="$tmp/home" TAVOLO_DIGEST_TIME=off "$TAVOLO" serve --listen 127.0.0.1:0 --port-file "$tmp/port" 2>"$tmp/daemon.log" &
daemon=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
base="http://127.0.0.1:$(cat "$tmp/port")"

# signin TOKEN: follows a link; $sid is the cookie's value ("" when none was set).
signin() {
    call GET "/signin?t=$1" "" -H 'Accept: text/html,application/xhtml+xml'
    sid=$(header Set-Cookie | sed -n 's/^tavolo_session=\([^;]*\);.*/\1/p')
}
signin "$t1"
expect_status "the link answers 303" 303
expect_eq "to the home page" "/" "$(header Location)"
cookie=$(header Set-Cookie)
expect_contains "the cookie is HttpOnly, SameSite=Lax, Path=/" "HttpOnly; SameSite=Lax; Path=/" "$cookie"
expect_contains "Secure since TAVOLO_PUBLIC_URL is https, Max-Age the absolute expiry" "Max-Age=2592000; Secure" "$cookie"
s1=$sid
expect_eq "a session of 43 characters, stored only as a hash" "43 0" \
    "${#s1} $(sql "SELECT count(*) FROM sessions WHERE encode(hash, 'escape') LIKE '%$s1%' OR csrf = '$s1'")"
signin "$t1"
expect_status "a used link is refused" 410
expect_eq "and opens no session" "" "$sid"
expect_contains "with a page in Italian and English" "gi&agrave; stato usato" "$(cat "$tmp/body")"
call GET "/signin?t=$t1" ""
expect_eq "a client that does not ask for HTML gets a problem" "410 urn:tavolo:problem:gone" "$code $(js 'd["type"]')"
signin "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
expect_status "an unknown link is 404" 404
"$TAVOLO" invite --profile c-029 >/dev/null 2>&1
sql "UPDATE signin_links SET expires_at = now() - interval '1 second' WHERE used_at IS NULL" >/dev/null
signin "$(token_of anna.rossi@example.com)"
expect_status "an expired link is refused" 410
expect_eq "no session from refused links" 1 "$(sql "SELECT count(*) FROM sessions")"

C=(-H "Cookie: tavolo_session=$s1")
call GET /v1/me "" "${C[@]}"
expect_status "GET /v1/me with the cookie" 200
expect_eq "the person's address and profiles, with their events" \
    "anna.rossi@example.com ['company:c-029:jpm-2027', 'investor:i-001:jpm-2027']" \
    "$(js 'd["email"], sorted(p["kind"] + ":" + p["id"] + ":" + ",".join(p["events"]) for p in d["profiles"])')"
csrf=$(js 'd["csrf_token"]')
expect_eq "a CSRF token per session" 43 "${#csrf}"
expect_eq "the person's language, from their record" it "$(js 'd["language"]')"
L=(-H 'Content-Type: application/json' -H "Origin: $ORIGIN")
call PATCH /v1/me "" "${C[@]}" "${L[@]}" --data '{"language": "en"}'
expect_status "switching language without the CSRF token is refused" 403
call PATCH /v1/me "" "${C[@]}" "${L[@]}" -H "X-CSRF-Token: $csrf" --data '{"language": "de"}'
expect_eq "a language tavolo does not speak is named" "422 /language" "$code $(js 'd["pointer"]')"
call PATCH /v1/me "" "${C[@]}" "${L[@]}" -H "X-CSRF-Token: $csrf" --data '{"language": "en"}'
expect_status "the person switches to English" 200
call GET /v1/me "" "${C[@]}"
expect_eq "and keeps it, whichever browser asks" en "$(js 'd["language"]')"

call GET /v1/companies/c-029/matches "" "${C[@]}"
expect_status "without X-Tavolo-Profile, only /v1/me" 403
call GET /v1/companies/c-029/matches "" "${C[@]}" -H "X-Tavolo-Profile: company:c-029"
expect_status "acting for one's company, its matches" 200
call GET /v1/companies/c-001 "" "${C[@]}" -H "X-Tavolo-Profile: company:c-029"
expect_status "another company's record is refused" 403
call GET /v1/companies/c-001/matches "" "${C[@]}" -H "X-Tavolo-Profile: company:c-029"
expect_status "and its matches" 403
call GET /v1/companies/c-001/matches "" "${C[@]}" -H "X-Tavolo-Profile: company:c-001"
expect_status "a profile not of this person cannot be chosen" 403
call GET /v1/investors/i-001/matches "" "${C[@]}" -H "X-Tavolo-Profile: investor:i-001"
expect_status "the person's other profile can be chosen" 200

P=(-H "X-Tavolo-Profile: company:c-029" -H 'Content-Type: application/merge-patch+json' --data '{"city": "Torino"}')
call PATCH /v1/companies/c-029 "" "${C[@]}" "${P[@]}" -H "Origin: $ORIGIN"
expect_status "a cookie write without X-CSRF-Token is refused" 403
expect_contains "naming the token" "X-CSRF-Token" "$(cat "$tmp/body")"
call PATCH /v1/companies/c-029 "" "${C[@]}" "${P[@]}" -H "X-CSRF-Token: $csrf" -H "Origin: https://evil.example"
expect_status "a cookie write from another origin is refused" 403
expect_contains "naming the origin" "Origin" "$(cat "$tmp/body")"
call PATCH /v1/companies/c-029 "" "${C[@]}" "${P[@]}" -H "X-CSRF-Token: $csrf"
expect_status "a cookie write without Origin is refused" 403
expect_eq "nothing written by refused writes" "Roma" "$(sql "SELECT doc->>'city' FROM companies WHERE id = 'c-029'")"
call PATCH /v1/companies/c-029 "" "${C[@]}" "${P[@]}" -H "X-CSRF-Token: $csrf" -H "Origin: $ORIGIN"
expect_status "with both right, the write succeeds" 200
expect_eq "and is stored" "Torino" "$(sql "SELECT doc->>'city' FROM companies WHERE id = 'c-029'")"

# The pages' other writes (issue 16): asking for a meeting and answering one. Without the token
# or from another origin they are refused and write nothing; a cross-site form answering a
# request (no body, so no 415 to hide behind) is refused by the CSRF check itself.
sql "UPDATE events SET doc = jsonb_set(doc, '{request_deadline}', '\"2099-12-31\"') WHERE id = 'jpm-2027'" >/dev/null
AS_C=(-H "X-Tavolo-Profile: company:c-029")
ASK=(-H 'Content-Type: application/json' --data '{"company_id": "c-029", "investor_id": "i-002", "priority": "want"}')
call POST /v1/events/jpm-2027/requests "" "${C[@]}" "${AS_C[@]}" "${ASK[@]}" -H "Origin: $ORIGIN"
expect_status "a cookie request for a meeting without X-CSRF-Token is refused" 403
call POST /v1/events/jpm-2027/requests "" "${C[@]}" "${AS_C[@]}" "${ASK[@]}" -H "X-CSRF-Token: $csrf" -H "Origin: https://evil.example"
expect_status "and from another origin" 403
expect_eq "neither wrote a request" 0 "$(sql "SELECT count(*) FROM meeting_requests WHERE company_id = 'c-029' AND investor_id = 'i-002'")"
INV=$("$TAVOLO" token create --role investor --subject i-002 2>/dev/null)
call POST /v1/events/jpm-2027/requests "$INV" -H 'Content-Type: application/json' --data '{"company_id": "c-029", "investor_id": "i-002", "priority": "must"}'
rid=$(js 'd["id"]')
call POST "/v1/events/jpm-2027/requests/$rid/accept" "" "${C[@]}" "${AS_C[@]}" -H "Origin: https://evil.example" -H 'Content-Type: application/x-www-form-urlencoded'
expect_status "a cross-site form POST accepting a request is refused" 403
expect_contains "naming the token" "X-CSRF-Token" "$(cat "$tmp/body")"
call POST "/v1/events/jpm-2027/requests/$rid/decline" "" "${C[@]}" "${AS_C[@]}" -H "X-CSRF-Token: $csrf" -H "Origin: https://evil.example"
expect_status "a decline from another origin with the token is refused" 403
expect_eq "the request is still pending" pending "$(sql "SELECT status FROM meeting_requests WHERE id = $rid")"
call POST "/v1/events/jpm-2027/requests/$rid/accept" "" "${C[@]}" "${AS_C[@]}" -H "X-CSRF-Token: $csrf" -H "Origin: $ORIGIN"
expect_status "with both right, the company accepts it" 200
expect_eq "accepted" accepted "$(sql "SELECT status FROM meeting_requests WHERE id = $rid")"

"$TAVOLO" invite --profile c-029 >/dev/null 2>&1
signin "$(token_of anna.rossi@example.com)"
s2=$sid
call GET /v1/me/sessions "" "${C[@]}"
expect_eq "the person's sessions, the current one marked" "2 1" "$(js 'len(d["sessions"]), sum(s["current"] for s in d["sessions"])')"
expect_eq "each with the browser it was opened with" "True" \
    "$(js 'all(s["user_agent"].startswith("curl/") for s in d["sessions"])')"
other=$(js '[s["id"] for s in d["sessions"] if not s["current"]][0]')
call DELETE "/v1/me/sessions/$other" "" "${C[@]}" -H "Origin: $ORIGIN"
expect_status "revoking a session without X-CSRF-Token is refused" 403
call DELETE "/v1/me/sessions/$other" "" "${C[@]}" -H "X-CSRF-Token: $csrf" -H "Origin: https://evil.example"
expect_status "and from another origin" 403
call POST /signout "" "${C[@]}" -H "Origin: https://evil.example"
expect_status "a cross-site sign-out is refused" 403
call GET /v1/me "" -H "Cookie: tavolo_session=$s2"
expect_status "so that session still works" 200
call GET /v1/me "" "${C[@]}"
expect_status "and so does this one" 200
call DELETE "/v1/me/sessions/$other" "" "${C[@]}" -H "X-CSRF-Token: $csrf" -H "Origin: $ORIGIN"
expect_status "revoking one's other session" 204
call GET /v1/me "" -H "Cookie: tavolo_session=$s2"
expect_status "a revoked session is refused" 401
call DELETE "/v1/me/sessions/$other" "" "${C[@]}" -H "X-CSRF-Token: $csrf" -H "Origin: $ORIGIN"
expect_status "a session already revoked is not found" 404

call POST /signout "" "${C[@]}" -H "X-CSRF-Token: $csrf" -H "Origin: $ORIGIN"
expect_status "sign-out" 204
expect_contains "clears the cookie" "tavolo_session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0" "$(header Set-Cookie)"
call GET /v1/me "" "${C[@]}"
expect_status "then the cookie is refused" 401

sql "DELETE FROM mail_messages" >/dev/null
J=(-H 'Content-Type: application/json')
# invites_after N: the number of invitations queued, once it is N or 5 s have passed (the link
# is made after the response).
invites_after() {
    local n
    for _ in $(seq 50); do
        n=$(sql "SELECT count(*) FROM mail_messages WHERE kind = 'invite'")
        [ "$n" = "$1" ] && break
        sleep 0.1
    done
    echo "$n"
}
# The answer does not wait for the link: with the mail table locked by another session for
# 3 s, a known address is still answered within 2 s (it waited for the lock before, so its
# time told that the address is known), and the link is queued once the lock goes.
psql "$TAVOLO_DATABASE_URL" -qc "BEGIN" -c "LOCK TABLE mail_messages IN EXCLUSIVE MODE" \
    -c "SELECT pg_sleep(3)" -c "COMMIT" >/dev/null &
locker=$!
sleep 0.5
call POST /v1/signin "" "${J[@]}" --max-time 2 --data '{"email": "Anna.Rossi@example.com"}'
expect_status "POST /v1/signin for a known address is answered without waiting for its link" 202
known=$(cat "$tmp/body")
wait "$locker"
expect_eq "queues a fresh link after the response" 1 "$(invites_after 1)"
call POST /v1/signin "" "${J[@]}" --data '{"email": "nobody@example.com"}'
expect_status "an unknown address gets 202 too" 202
expect_eq "the same answer" "$known" "$(cat "$tmp/body")"
sleep 0.5 # time for a link, were one made after the response
expect_eq "and nothing queued" 1 "$(sql "SELECT count(*) FROM mail_messages WHERE kind = 'invite'")"
call POST /v1/signin "" "${J[@]}" --data '{"email": "not an address"}'
expect_status "a body without an address is 422" 422
for _ in 1 2; do call POST /v1/signin "" "${J[@]}" --data '{"email": "anna.rossi@example.com"}'; done
expect_status "three requests per address are served" 202
call POST /v1/signin "" "${J[@]}" --data '{"email": "ANNA.ROSSI@example.com"}'
expect_status "the fourth within 15 minutes is refused" 429
expect_eq "with Retry-After" 1 "$([ "$(header Retry-After)" -gt 0 ] 2>/dev/null && echo 1)"
for _ in 1 2 3; do call POST /v1/signin "" "${J[@]}" --data '{"email": "nobody@example.com"}'; done
expect_status "unknown addresses are limited alike" 429

# Per client: behind the trusted proxy, the client is the address the proxy appended last to
# X-Forwarded-For, so one client's burst does not lock out everyone behind the same proxy.
for i in $(seq 20); do
    call POST /v1/signin "" "${J[@]}" -H "X-Forwarded-For: 198.51.100.9, 203.0.113.7" \
        --data "{\"email\": \"burst$i@example.com\"}"
    [ "$code" = 202 ] || break
done
expect_status "20 requests from one client behind the proxy are served" 202
call POST /v1/signin "" "${J[@]}" -H "X-Forwarded-For: 203.0.113.7" --data '{"email": "burst21@example.com"}'
expect_status "the 21st from that client is refused" 429
call POST /v1/signin "" "${J[@]}" -H "X-Forwarded-For: 203.0.113.7, 203.0.113.8" --data '{"email": "other1@example.com"}'
expect_status "another client behind the same proxy is served" 202
call POST /v1/signin "" "${J[@]}" --data '{"email": "other2@example.com"}'
expect_status "and so is the proxy's own address" 202

ORG=$("$TAVOLO" token create --role organiser --event jpm-2027 2>/dev/null)
COMP=$("$TAVOLO" token create --role company --subject c-029 2>/dev/null)
call POST /v1/events/jpm-2027/invitations "$COMP"
expect_status "a company may not invite an event's people" 403
call POST /v1/events/jpm-2027/invitations "$ORG"
expect_status "the event's organiser invites its people" 202
expect_eq "one message per person the event names, and their profiles' contacts" \
    "$(sql "SELECT count(DISTINCT e) FROM (SELECT lower(x->>'email') AS e FROM event_participants ep, jsonb_array_elements(ep.people) x WHERE ep.event_id = 'jpm-2027' UNION ALL SELECT lower(x->>'email') FROM event_participants ep JOIN companies c ON ep.kind = 'company' AND c.id = ep.profile_id, jsonb_array_elements(c.doc->'contacts') x WHERE ep.event_id = 'jpm-2027' UNION ALL SELECT lower(x->>'email') FROM event_participants ep JOIN investors i ON ep.kind = 'investor' AND i.id = ep.profile_id, jsonb_array_elements(i.doc->'contacts') x WHERE ep.event_id = 'jpm-2027') s")" \
    "$(js 'd["queued"]')"
call GET /v1/me "$COMP"
expect_eq "GET /v1/me with a bearer token names its profile" "company c-029" "$(js 'd["role"], d["profiles"][0]["id"]')"
call PATCH /v1/me "$COMP" -H 'Content-Type: application/json' --data '{"language": "it"}'
expect_status "a bearer token has no person whose language to keep: a session is needed" 401
finish
