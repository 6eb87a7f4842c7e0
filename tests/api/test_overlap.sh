#!/usr/bin/env bash
# No person in two places: a company or an investor never has two meetings that overlap in
# time, across events. A side event in J.P. Morgan week, with 20-minute slots against jpm's 30,
# shares a company and an investor with jpm: its scheduler, a PATCH of its meetings and a plain
# SQL insert all keep them out of their jpm meetings.
. "$(dirname "$0")/../cli/lib.sh"
TAVOLO=$1
FIX=$(cd "$(dirname "$0")/../../fixtures" && pwd)
require_pg
scratch_db api_overlap
tmp=$(mktemp -d)
daemon=""
trap 'kill -TERM $daemon 2>/dev/null; wait $daemon 2>/dev/null; rm -rf "$tmp"; drop_scratch_db' EXIT
PY=/usr/bin/python3

"$TAVOLO" import "$FIX/companies.jsonl" "$FIX/investors.jsonl" >/dev/null 2>&1
"$TAVOLO" event import "$FIX/events/jpm-2027.json" >/dev/null 2>&1
"$TAVOLO" schedule jpm-2027 --json >/dev/null
expect_eq "the extension is there" 1 "$(sql "SELECT count(*) FROM pg_extension WHERE extname = 'btree_gist'")"

# A time T on jpm's first day when a company C and an investor I (not meeting each other) are
# both in a jpm meeting, and both free in the two jpm slots after it.
busy="SELECT company_id AS who, slot_start FROM meetings WHERE event_id = 'jpm-2027' AND status <> 'cancelled'
      UNION ALL SELECT investor_id, slot_start FROM meetings WHERE event_id = 'jpm-2027' AND status <> 'cancelled'"
read -r T C I < <(sql "
WITH b AS ($busy)
SELECT a.slot_start, a.company_id, x.investor_id FROM meetings a JOIN meetings x
  ON x.event_id = a.event_id AND x.slot_start = a.slot_start AND x.company_id <> a.company_id
     AND x.investor_id <> a.investor_id
WHERE a.event_id = 'jpm-2027' AND a.status <> 'cancelled' AND x.status <> 'cancelled'
  AND a.slot_start LIKE '2027-01-11T%' AND a.slot_start < '2027-01-11T12:00'
  AND NOT EXISTS (SELECT 1 FROM b WHERE b.who IN (a.company_id, x.investor_id)
      AND b.slot_start IN (to_char(a.slot_start::timestamp + interval '30 min', 'YYYY-MM-DD\"T\"HH24:MI'),
                           to_char(a.slot_start::timestamp + interval '60 min', 'YYYY-MM-DD\"T\"HH24:MI')))
ORDER BY a.slot_start, a.company_id, x.investor_id LIMIT 1" | tr '|' ' ')
expect_eq "the fixture has such a company and investor" 1 "$([ -n "$C" ] && [ -n "$I" ] && echo 1)"

# The side event runs from T-10 to T+70 in 20-minute slots: the first two overlap C's and I's
# jpm meetings at T, the last two do not.
$PY - "$T" "$C" "$I" "$tmp/side.json" <<'PYEOF'
import json, sys, datetime
t, c, i, out = sys.argv[1:]
t = datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M")
hm = lambda d: d.strftime("%H:%M")
json.dump({"id": "side-2027", "name": "A side event", "city": "San Francisco",
           "time_zone": "America/Los_Angeles", "days": [t.strftime("%Y-%m-%d")],
           "day_start": hm(t - datetime.timedelta(minutes=10)),
           "day_end": hm(t + datetime.timedelta(minutes=70)), "slot_minutes": 20, "tables": 3,
           "default_max_meetings": 4,
           "participants": [{"kind": "company", "id": c}, {"kind": "investor", "id": i}],
           "requests": [{"company_id": c, "investor_id": i, "from": "company",
                         "priority": "must", "status": "accepted"}]}, open(out, "w"))
PYEOF
"$TAVOLO" event import "$tmp/side.json" >/dev/null
expect_eq "the side event imports" 0 $?
first=$(sql "SELECT to_char('$T'::timestamp - interval '10 min', 'YYYY-MM-DD\"T\"HH24:MI')")
clashes="SELECT count(*) FROM meetings s JOIN meetings j ON j.event_id = 'jpm-2027'
    AND (j.company_id = s.company_id OR j.investor_id = s.investor_id)
    AND j.status <> 'cancelled' AND s.status <> 'cancelled'
    AND j.slot_start::timestamp < s.slot_start::timestamp + interval '20 min'
    AND s.slot_start::timestamp < j.slot_start::timestamp + interval '30 min'
    WHERE s.event_id = 'side-2027'"

# ---- the scheduler ----
"$TAVOLO" schedule side-2027 --json >"$tmp/side-r.json"
expect_eq "the side event schedules" 0 $?
expect_eq "the must-meeting is placed" 1 \
    "$(sql "SELECT count(*) FROM meetings WHERE event_id = 'side-2027' AND status <> 'cancelled'")"
expect_eq "never over a jpm meeting of the same company or investor" 0 "$(sql "$clashes")"

# ---- a move through the API ----
mkdir -p "$tmp/home"
TAVOLO_HOME="$tmp/home" "$TAVOLO" serve --listen 127.0.0.1:0 --port-file "$tmp/port" 2>"$tmp/daemon.log" &
daemon=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
base="http://127.0.0.1:$(cat "$tmp/port")"
ORG=$("$TAVOLO" token create --role organiser --event side-2027 2>/dev/null)
call() { # METHOD PATH TOKEN [BODY] -> status; body in $tmp/body
    curl -s --max-time 10 -o "$tmp/body" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $3" \
        ${4:+-H 'Content-Type: application/json' --data-binary "$4"} "$base$2"
}
mid=$(sql "SELECT id FROM meetings WHERE event_id = 'side-2027' AND status <> 'cancelled' LIMIT 1")
jpm_c=$(sql "SELECT id FROM meetings WHERE event_id = 'jpm-2027' AND company_id = '$C' AND slot_start = '$T' AND status <> 'cancelled'")
jpm_i=$(sql "SELECT id FROM meetings WHERE event_id = 'jpm-2027' AND investor_id = '$I' AND slot_start = '$T' AND status <> 'cancelled'")
expect_eq "moving onto a time the company meets at jpm is a conflict" 409 \
    "$(call PATCH "/v1/events/side-2027/meetings/$mid" "$ORG" "{\"slot\":\"$first\",\"table\":1}")"
body=$(cat "$tmp/body")
case "$body" in
*"meeting $jpm_c "*"jpm-2027"* | *"meeting $jpm_i "*"jpm-2027"*) ok "naming the jpm meeting" ;;
*) not_ok "naming the jpm meeting ($jpm_c or $jpm_i): $body" ;;
esac
expect_eq "and nothing moved" 0 "$(sql "$clashes")"
expect_eq "the schedule runs again through the API" 200 "$(call POST /v1/events/side-2027/schedule "$ORG")"
expect_eq "still clear of jpm" 0 "$(sql "$clashes")"

# ---- PostgreSQL itself ----
out=$(psql "$TAVOLO_DATABASE_URL" -qAt -c "INSERT INTO meetings (event_id, company_id, investor_id,
    slot_index, slot_start, table_no, score, origin) VALUES ('side-2027', '$C', 'i-nobody', 0,
    '$first', 2, 0, 'want')" 2>&1)
expect_contains "a plain SQL insert over a jpm meeting is refused" "meetings_company_no_overlap" "$out"
out=$(psql "$TAVOLO_DATABASE_URL" -qAt -c "INSERT INTO meetings (event_id, company_id, investor_id,
    slot_index, slot_start, table_no, score, origin) VALUES ('side-2027', 'c-nobody', '$I', 0,
    '$first', 2, 0, 'want')" 2>&1)
expect_contains "for the investor too" "meetings_investor_no_overlap" "$out"
out=$(psql "$TAVOLO_DATABASE_URL" -qAt -c "INSERT INTO meetings (event_id, company_id, investor_id,
    slot_index, slot_start, table_no, score, origin, status) VALUES ('side-2027', '$C', 'i-nobody', 0,
    '$first', 2, 0, 'want', 'cancelled') RETURNING 1" 2>&1)
expect_eq "a cancelled meeting takes no time" 1 "$out"
finish
