#!/usr/bin/env bash
# api.deadline (decision 0046): the daemon enforces an event's request deadline. A request made
# after it is refused with a 409 problem naming request_deadline and its value; a pending
# request past the deadline cannot be answered (409), nor can an expired one; before the
# deadline both work as always. The deadline is moved in the database to fall before or
# after the real clock, since the daemon reads the real time; so does `tavolo notify run`
# without --now, which expires the pending requests once it has passed.
. "$(dirname "$0")/../cli/lib.sh"
TAVOLO=$1
FIX=$(cd "$(dirname "$0")/../../fixtures" && pwd)
require_pg
scratch_db api_deadline
tmp=$(mktemp -d)
daemon=""
trap 'kill -TERM $daemon 2>/dev/null; wait $daemon 2>/dev/null; rm -rf "$tmp"; drop_scratch_db' EXIT
PY=/usr/bin/python3

"$TAVOLO" import "$FIX/companies.jsonl" "$FIX/investors.jsonl" >/dev/null 2>&1
"$TAVOLO" event import "$FIX/events/jpm-2027.json" >/dev/null 2>&1
deadline() { sql "UPDATE events SET doc = jsonb_set(doc, '{request_deadline}', '\"$1\"') WHERE id = 'jpm-2027'" >/dev/null; }
mkdir -p "$tmp/home"
TAVOLO_HOME="$tmp/home" TAVOLO_MAIL_POLL_SECONDS=3600 TAVOLO_DIGEST_TIME=off \
    "$TAVOLO" serve --listen 127.0.0.1:0 --port-file "$tmp/port" 2>"$tmp/daemon.log" &
daemon=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
base="http://127.0.0.1:$(cat "$tmp/port")"
call() { # METHOD PATH TOKEN [JSON] -> status; body in $tmp/body
    curl -s --max-time 20 -o "$tmp/body" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $3" \
        ${4:+-H 'Content-Type: application/json' --data "$4"} "$base$2"
}
pairs=$(sql "SELECT c.profile_id || ' ' || i.profile_id FROM event_participants c, event_participants i
    WHERE c.event_id = 'jpm-2027' AND i.event_id = 'jpm-2027' AND c.kind = 'company'
    AND i.kind = 'investor' AND NOT EXISTS (SELECT 1 FROM meeting_requests q WHERE q.event_id = 'jpm-2027'
    AND q.company_id = c.profile_id AND q.investor_id = i.profile_id)
    ORDER BY c.profile_id, i.profile_id LIMIT 3")
read -r C1 I1 C2 I2 C3 I3 <<<"$(echo $pairs)"
ADMIN=$("$TAVOLO" token create --role admin 2>/dev/null)
ask() { call POST /v1/events/jpm-2027/requests "$ADMIN" "{\"company_id\": \"$1\", \"investor_id\": \"$2\", \"priority\": \"want\", \"from\": \"company\"}"; }

deadline 2099-12-31
expect_eq "before the deadline a request is made" 201 "$(ask "$C1" "$I1")"
r1=$($PY -c "import json; print(json.load(open('$tmp/body'))['id'])")
expect_eq "and another" 201 "$(ask "$C2" "$I2")"
r2=$($PY -c "import json; print(json.load(open('$tmp/body'))['id'])")

deadline 2020-01-06
expect_eq "after a date-only deadline a request is refused" 409 "$(ask "$C3" "$I3")"
expect_contains "naming the field and its value" "request_deadline 2020-01-06 has passed" "$(cat "$tmp/body")"
expect_eq "nothing written" 0 "$(sql "SELECT count(*) FROM meeting_requests WHERE company_id = '$C3' AND investor_id = '$I3'")"
deadline 2020-01-06T10:00:00+01:00
expect_eq "after a deadline with an offset too" 409 "$(ask "$C3" "$I3")"
expect_eq "a pending request past the deadline cannot be answered" 409 \
    "$(call POST "/v1/events/jpm-2027/requests/$r1/accept" "$ADMIN")"
expect_contains "the answer names the deadline" 'request_deadline' "$(cat "$tmp/body")"
expect_eq "still pending" pending "$(sql "SELECT status FROM meeting_requests WHERE id = $r1")"

deadline 2099-12-31
sql "UPDATE meeting_requests SET status = 'expired' WHERE id = $r2" >/dev/null
expect_eq "an expired request cannot be answered" 409 \
    "$(call POST "/v1/events/jpm-2027/requests/$r2/decline" "$ADMIN")"
expect_contains "saying it expired" 'expired' "$(cat "$tmp/body")"
expect_eq "a pending one before the deadline can" 200 \
    "$(call POST "/v1/events/jpm-2027/requests/$r1/accept" "$ADMIN")"

# The notify job with no --now reads the real clock, as the daemon's tick runs it.
sql "UPDATE meeting_requests SET status = 'pending', decided_at = NULL WHERE id = $r1" >/dev/null
"$TAVOLO" notify run jpm-2027 >/dev/null
expect_eq "before the deadline the job leaves a pending request" pending "$(sql "SELECT status FROM meeting_requests WHERE id = $r1")"
deadline 2020-01-06
"$TAVOLO" notify run jpm-2027 >/dev/null
expect_eq "past it the job expires it" expired "$(sql "SELECT status FROM meeting_requests WHERE id = $r1")"

# The request list says when requests close, for the pages (decision 0052): the deadline as
# the file gives it, the instant in UTC (a date closes at the end of that day in the event's
# zone), and whether requests are open now by the daemon's clock.
COMPANY=$("$TAVOLO" token create --role company --subject "$C1" 2>/dev/null)
lists() { call GET /v1/events/jpm-2027/requests "$1" >/dev/null; $PY -c "import json; d = json.load(open('$tmp/body')); print(d.get('request_deadline'), d.get('requests_close_at'), d.get('requests_open'))"; }
expect_eq "a date: it closes at the next midnight of Los Angeles, closed now" \
    "2020-01-06 2020-01-07T08:00:00Z False" "$(lists "$COMPANY")"
deadline 2099-12-31T23:59:00+01:00
expect_eq "a time with its offset, open now" "2099-12-31T23:59:00+01:00 2099-12-31T22:59:00Z True" "$(lists "$COMPANY")"
deadline 2099-07-01T09:30
expect_eq "a local time, read in the event's zone (summer: UTC-7)" "2099-07-01T09:30 2099-07-01T16:30:00Z True" "$(lists "$ADMIN")"
sql "UPDATE events SET doc = doc - 'request_deadline' WHERE id = 'jpm-2027'" >/dev/null
expect_eq "no deadline: open, no instant" "None None True" "$(lists "$COMPANY")"
st=$(call GET /v1/events/no-such/requests "$ADMIN")
expect_eq "an admin's unknown event: still an empty list, open" "200 0 True" \
    "$st $($PY -c "import json; d = json.load(open('$tmp/body')); print(len(d['items']), d['requests_open'])")"
finish
