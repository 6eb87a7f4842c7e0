#!/usr/bin/env bash
# api.calendar_feed: calendar feeds (issue 16, decision 0054) through the real daemon. A
# signed-in person makes a feed of the profile they act for (cookie, CSRF token and Origin),
# lists and revokes it; GET /calendar/TOKEN.ics answers the profile's meetings as iCalendar
# (parsed with python3-icalendar: the meetings, their times in the event's zone, the other
# side's name in SUMMARY, text escaped per RFC 5545, no e-mail address), with an ETag; a
# revoked, unknown or malformed token is 404; another person can neither list nor revoke the
# feed; a write without the CSRF token or with a bearer token makes none. The participant's
# meeting list names the other side and its people.
. "$(dirname "$0")/../cli/lib.sh"
TAVOLO=$1
FIX=$(cd "$(dirname "$0")/../../fixtures" && pwd)
require_pg
scratch_db api_calendar_feed
tmp=$(mktemp -d)
daemon=""
trap 'kill -TERM $daemon 2>/dev/null; wait $daemon 2>/dev/null; rm -rf "$tmp"; drop_scratch_db' EXIT
PY=/usr/bin/python3
. "$(dirname "$0")/http.sh"
export TAVOLO_PUBLIC_URL=https://tavolo.example/
ORIGIN=https://tavolo.example

"$TAVOLO" import "$FIX/companies.jsonl" "$FIX/investors.jsonl" >/dev/null 2>&1
"$TAVOLO" event import "$FIX/events/jpm-2027.json" >/dev/null 2>&1
"$TAVOLO" event import "$FIX/events/bio-2027.json" >/dev/null 2>&1
"$TAVOLO" schedule jpm-2027 >/dev/null 2>&1
# Anna is a contact of company c-029 (and of investor i-001); Luca is the person jpm-2027 names
# for c-029. The investor of c-029's first meeting gets a name that iCalendar must escape.
sql "UPDATE companies SET doc = jsonb_set(doc, '{contacts}', '[{\"name\": \"Anna Rossi\", \"email\": \"anna.rossi@example.com\"}]') WHERE id = 'c-029'" >/dev/null
sql "UPDATE investors SET doc = jsonb_set(doc, '{contacts}', '[{\"email\": \"anna.rossi@example.com\"}]') WHERE id = 'i-001'" >/dev/null
odd=$(sql "SELECT investor_id FROM meetings WHERE event_id = 'jpm-2027' AND company_id = 'c-029' ORDER BY slot_start LIMIT 1")
sql "UPDATE investors SET doc = jsonb_set(doc, '{name}', to_jsonb(E'Odd, Fund; Back\\\\slash\\nLine'::text)) WHERE id = '$odd'" >/dev/null
expect_eq "the fixture: c-029 has meetings in jpm-2027" 1 \
    "$(sql "SELECT (count(*) > 1)::int FROM meetings WHERE event_id = 'jpm-2027' AND company_id = 'c-029'")"

mkdir -p "$tmp/home"
TAVOLO_HOME="$tmp/home" TAVOLO_DIGEST_TIME=off "$TAVOLO" serve --listen 127.0.0.1:0 --port-file "$tmp/port" 2>"$tmp/daemon.log" &
daemon=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
base="http://127.0.0.1:$(cat "$tmp/port")"

# session ADDRESS PROFILE: signs ADDRESS in through a fresh link; sets $cookie and $csrf.
session() {
    sql "DELETE FROM mail_messages" >/dev/null
    "$TAVOLO" invite --profile "$2" >/dev/null 2>&1
    sql "SELECT body FROM mail_messages WHERE kind = 'invite' AND lower(recipient_email) = lower('$1') ORDER BY id DESC LIMIT 1" >"$tmp/msg"
    local t
    t=$("$PY" -c 'import email, email.policy, re, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
print(re.search(r"/signin\?t=([A-Za-z0-9_-]+)", m.get_body(("plain",)).get_content()).group(1))' "$tmp/msg")
    call GET "/signin?t=$t" ""
    cookie=$(header Set-Cookie | sed -n 's/^tavolo_session=\([^;]*\);.*/\1/p')
    call GET /v1/me "" -H "Cookie: tavolo_session=$cookie"
    csrf=$(js 'd["csrf_token"]')
}
session anna.rossi@example.com c-029
A=(-H "Cookie: tavolo_session=$cookie" -H "X-Tavolo-Profile: company:c-029")
W=(-H "X-CSRF-Token: $csrf" -H "Origin: $ORIGIN" -H 'Content-Type: application/json')
anna_csrf=$csrf

call GET /v1/events/jpm-2027/meetings "" "${A[@]}"
expect_status "the participant's meetings" 200
"$PY" - "$tmp/body" "$odd" >"$tmp/with" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
w = [m["with"] for m in d["items"] if m["investor_id"] == sys.argv[2]][0]
print(w["kind"], w["id"] == sys.argv[2], w["name"] == "Odd, Fund; Back\\slash\nLine",
      all(isinstance(p, str) for p in w["people"]), "@" in json.dumps(d))
PYEOF
expect_eq "each names its other side and that side's people, no address" "investor True True True False" "$(cat "$tmp/with")"
cp "$tmp/body" "$tmp/meetings.json"

call POST /v1/me/calendar-feeds "" "${A[@]}" -H "Origin: $ORIGIN" -H 'Content-Type: application/json' --data '{"event": "jpm-2027"}'
expect_status "a feed without the CSRF token is refused" 403
expect_eq "and none is made" 0 "$(sql "SELECT count(*) FROM calendar_feeds")"
COMP=$("$TAVOLO" token create --role company --subject c-029 2>/dev/null)
call POST /v1/me/calendar-feeds "$COMP" -H 'Content-Type: application/json' --data '{}'
expect_status "a bearer token makes no feed: feeds belong to people" 403
call POST /v1/me/calendar-feeds "" "${A[@]}" "${W[@]}" --data '{"event": "no-such"}'
expect_eq "an event the profile does not attend is named" "422 /event" "$code $(js 'd.get("pointer")')"
call POST /v1/me/calendar-feeds "" "${A[@]}" "${W[@]}" --data '{"event": 7'
expect_status "a body that is not JSON" 400

call POST /v1/me/calendar-feeds "" "${A[@]}" "${W[@]}" --data '{"event": "jpm-2027"}'
expect_status "a feed of c-029 in jpm-2027" 201
url=$(js 'd["url"]')
feed_id=$(js 'd["id"]')
token=$(echo "$url" | sed -n 's|^https://tavolo.example/calendar/\([A-Za-z0-9_-]*\)\.ics$|\1|p')
expect_eq "its URL names a 43-character token under the public URL" 43 "${#token}"
expect_eq "and its webcal:// twin the same host and path" "webcal://tavolo.example/calendar/$token.ics" "$(js 'd["webcal"]')"
expect_eq "the token is stored only as a hash" "0 1" \
    "$(sql "SELECT count(*) FROM calendar_feeds WHERE encode(hash, 'escape') LIKE '%$token%'") $(sql "SELECT count(*) FROM calendar_feeds WHERE hash = decode('$("$PY" -c 'import hashlib, sys; print(hashlib.blake2b(sys.argv[1].encode(), digest_size=32).hexdigest())' "$token")', 'hex')")"
expect_eq "with Location" "/v1/me/calendar-feeds/$feed_id" "$(header Location)"

call GET /v1/me/calendar-feeds "" "${A[@]}"
expect_eq "the person's feeds are listed, without the token" "1 jpm-2027 company c-029 False" \
    "$(js 'len(d["feeds"]), d["feeds"][0]["event"], d["feeds"][0]["kind"], d["feeds"][0]["profile_id"], "url" in json.dumps(d)')"

call GET "/calendar/$token.ics" ""
expect_status "the feed answers with no header but its token" 200
expect_eq "as iCalendar in UTF-8" "text/calendar; charset=utf-8" "$(header Content-Type)"
etag=$(header ETag)
expect_eq "with a strong ETag" 1 "$(case "$etag" in \"*\") echo 1 ;; esac)"
cp "$tmp/body" "$tmp/feed.ics"
"$PY" - "$tmp/feed.ics" "$tmp/meetings.json" "$odd" >"$tmp/check" <<'PYEOF'
import datetime, json, sys
from icalendar import Calendar
raw = open(sys.argv[1], "rb").read()
cal = Calendar.from_ical(raw)
meetings = json.load(open(sys.argv[2]))["items"]
events = [c for c in cal.walk("VEVENT")]
out = []
out.append(len(events) == len(meetings) and len(events) > 0)
by_uid = {str(e["UID"]): e for e in events}
ok = True
for m in meetings:
    e = by_uid.get("meeting-%d-jpm-2027@tavolo" % m["id"])
    start = datetime.datetime.fromisoformat(m["slot"])
    ok = ok and e is not None and e.decoded("DTSTART") == start
    ok = ok and str(e["DTSTART"].params.get("TZID")) == "America/Los_Angeles"
    ok = ok and m["with"]["name"] in str(e["SUMMARY"]) and "DTSTAMP" in e and "SEQUENCE" in e
out.append(ok)
odd = [e for e in events if "Odd" in str(e["SUMMARY"])][0]
out.append(str(odd["SUMMARY"]).endswith(" / Odd, Fund; Back\\slash\nLine"))
unfolded = raw.replace(b"\r\n ", b"")
out.append(b"Odd\\, Fund\\; Back\\\\slash\\nLine" in unfolded)
out.append(b"mailto:" not in raw and b"@c-029.example" not in raw and b"@example.com" not in raw)
out.append(b"BEGIN:VTIMEZONE" in raw and b"X-WR-CALNAME:J.P. Morgan" in raw)
print(*out)
PYEOF
expect_eq "the meetings, at their times in the event's zone, the other side in SUMMARY" "True True" "$(cut -d' ' -f1-2 "$tmp/check")"
expect_eq "a name with , ; \\ and a newline round-trips, escaped per RFC 5545" "True True" "$(cut -d' ' -f3-4 "$tmp/check")"
expect_eq "no e-mail address; the zone's VTIMEZONE and the event's name" "True True" "$(cut -d' ' -f5-6 "$tmp/check")"
call GET "/calendar/$token.ics" ""
expect_eq "the same bytes and ETag when nothing changed" "200 $etag" "$code $(header ETag)"
cmp -s "$tmp/body" "$tmp/feed.ics" && ok "the same bytes" || not_ok "the same bytes"

call POST /v1/me/calendar-feeds "" "${A[@]}" "${W[@]}" --data '{}'
all_url=$(js 'd["url"]')
call GET "${all_url#https://tavolo.example}" ""
"$PY" - "$tmp/body" "$tmp/meetings.json" >"$tmp/check" <<'PYEOF'
import datetime, json, sys
from icalendar import Calendar
cal = Calendar.from_ical(open(sys.argv[1], "rb").read())
meetings = json.load(open(sys.argv[2]))["items"]
starts = sorted(e.decoded("DTSTART").astimezone(datetime.timezone.utc) for e in cal.walk("VEVENT"))
want = sorted(datetime.datetime.fromisoformat(m["slot"]).astimezone(datetime.timezone.utc) for m in meetings)
print(starts == want, str(cal["X-WR-CALNAME"]))
PYEOF
expect_eq "a feed of every event the profile attends (two): the same instants, in UTC" \
    "True tavolo: $(sql "SELECT doc->>'name' FROM companies WHERE id = 'c-029'")" "$(cat "$tmp/check")"

session luca.dubois@c-029.example c-029
L=(-H "Cookie: tavolo_session=$cookie")
call GET /v1/me/calendar-feeds "" "${L[@]}"
expect_eq "another person of the same company does not see Anna's feeds" "200 0" "$code $(js 'len(d["feeds"])')"
call DELETE "/v1/me/calendar-feeds/$feed_id" "" "${L[@]}" -H "X-CSRF-Token: $csrf" -H "Origin: $ORIGIN"
expect_status "nor revoke them" 404
call POST /v1/me/calendar-feeds "" "${L[@]}" -H "X-Tavolo-Profile: investor:i-001" -H "X-CSRF-Token: $csrf" -H "Origin: $ORIGIN" -H 'Content-Type: application/json' --data '{}'
expect_status "nor make a feed of a profile that is not theirs" 403
expect_eq "so no feed is Luca's" 0 "$(sql "SELECT count(*) FROM calendar_feeds WHERE email = 'luca.dubois@c-029.example'")"
call GET "/calendar/$token.ics" ""
expect_status "which still answer" 200

call DELETE "/v1/me/calendar-feeds/$feed_id" "" "${A[@]}" -H "X-CSRF-Token: $anna_csrf" -H "Origin: $ORIGIN"
expect_status "Anna revokes her feed" 204
call GET "/calendar/$token.ics" ""
expect_eq "a revoked feed is 404, a problem" "404 urn:tavolo:problem:not-found" "$code $(js 'd["type"]')"
call DELETE "/v1/me/calendar-feeds/$feed_id" "" "${A[@]}" -H "X-CSRF-Token: $anna_csrf" -H "Origin: $ORIGIN"
expect_status "revoking it again is 404" 404
call GET "/calendar/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics" ""
expect_status "an unknown token is 404" 404
call GET "/calendar/$token" ""
expect_status "a token without .ics is 404" 404
call GET "/calendar/..%2Fv1%2Fme.ics" ""
expect_status "a malformed one too" 404

sql "UPDATE companies SET doc = jsonb_set(doc, '{contacts}', '[]') WHERE id = 'c-029'" >/dev/null
call GET "${all_url#https://tavolo.example}" ""
expect_status "a person who may no longer act for the profile has no feed of it" 404
expect_eq "nothing in the log names a token" 0 "$(grep -cF -e "$token" "$tmp/daemon.log")"
finish
