#!/usr/bin/env bash
# api.availability: a participant's own unavailable slots (issue 16, decision 0053) through the
# real daemon, on the J.P. Morgan fixture scheduled. GET answers the grid, the participant's
# slots and meetings; PUT replaces its slots and nothing else, in the stored file and its row; a
# bad slot is a 422 naming /unavailable/N and writes nothing; ?dry_run=true lists the meeting the
# change would move and writes nothing; the real change lists it too and the next scheduler run
# moves it; another participant's slots are 403; concurrent PUTs of two participants both land;
# an organiser's later event file wins over the participant's change, as the import reports.
. "$(dirname "$0")/../cli/lib.sh"
TAVOLO=$1
FIX=$(cd "$(dirname "$0")/../../fixtures" && pwd)
require_pg
scratch_db api_availability
tmp=$(mktemp -d)
daemon=""
trap 'kill -TERM $daemon 2>/dev/null; wait $daemon 2>/dev/null; rm -rf "$tmp"; drop_scratch_db' EXIT
PY=/usr/bin/python3
. "$(dirname "$0")/http.sh"
EV=jpm-2027

"$TAVOLO" import "$FIX/companies.jsonl" "$FIX/investors.jsonl" >/dev/null 2>&1
"$TAVOLO" event import "$FIX/events/jpm-2027.json" >/dev/null 2>&1
"$TAVOLO" event import "$FIX/events/bio-2027.json" >/dev/null 2>&1
"$TAVOLO" schedule $EV --json >/dev/null
expect_eq "the fixture is scheduled" 0 $?

mkdir -p "$tmp/home"
TAVOLO_HOME="$tmp/home" TAVOLO_DIGEST_TIME=off "$TAVOLO" serve --listen 127.0.0.1:0 \
    --port-file "$tmp/port" 2>"$tmp/daemon.log" &
daemon=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
base="http://127.0.0.1:$(cat "$tmp/port")"
tok() { "$TAVOLO" token create "$@" 2>/dev/null; }
ADMIN=$(tok --role admin)
ORG=$(tok --role organiser --event $EV)
OTHER_ORG=$(tok --role organiser --event bio-2027)
C=c-029
C2=c-055
CT=$(tok --role company --subject $C)
C2T=$(tok --role company --subject $C2)
# An investor of jpm-2027 that does not attend bio-2027.
OUT_I=$(sql "SELECT profile_id FROM event_participants WHERE event_id = '$EV' AND kind = 'investor' AND profile_id NOT IN (SELECT profile_id FROM event_participants WHERE event_id = 'bio-2027') ORDER BY profile_id LIMIT 1")
IT=$(tok --role investor --subject "$OUT_I")
json() { call "$1" "$2" "$3" -H 'Content-Type: application/json' --data-binary "$4"; }
slots_of() { # KIND ID -> the participant's slots in its row and in the stored file
    sql "SELECT (SELECT coalesce(jsonb_agg(s ORDER BY s), '[]') FROM jsonb_array_elements_text(unavailable) s) FROM event_participants WHERE event_id = '$EV' AND kind = '$1' AND profile_id = '$2'"
    sql "SELECT (SELECT coalesce(jsonb_agg(s ORDER BY s), '[]') FROM jsonb_array_elements_text(coalesce(x->'unavailable', '[]')) s) FROM events e, jsonb_array_elements(e.doc->'participants') x WHERE e.id = '$EV' AND x->>'kind' = '$1' AND x->>'id' = '$2'"
}
others() { # a digest of the stored file and rows, company c-029 aside
    sql "SELECT md5((SELECT jsonb_agg(x ORDER BY x->>'kind', x->>'id') FROM events e, jsonb_array_elements(e.doc->'participants') x WHERE e.id = '$EV' AND NOT (x->>'id' = '$C' AND x->>'kind' = 'company'))::text || (SELECT e.doc - 'participants' FROM events e WHERE e.id = '$EV')::text || (SELECT jsonb_agg(p ORDER BY kind, profile_id) FROM event_participants p WHERE event_id = '$EV' AND NOT (kind = 'company' AND profile_id = '$C'))::text)"
}
version() { sql "SELECT meetings_version FROM events WHERE id = '$EV'"; }

# ---- reading ----
call GET /v1/events/$EV/availability "$CT"
expect_status "a company reads its availability" 200
expect_eq "the event's grid: 3 days of 14 slots (the 12:30-13:30 break left out)" \
    "42 ['2027-01-11', '2027-01-12', '2027-01-13'] [{'start': '12:30', 'end': '13:30'}]" \
    "$(js 'len(d["slots"]), d["days"], d["breaks"]')"
expect_eq "each slot with its instant in the event's zone, not past" \
    "2027-01-11T09:00 2027-01-11T09:00:00-08:00 False America/Los_Angeles 30" \
    "$(js 'd["slots"][0]["start"], d["slots"][0]["at"], d["slots"][0]["past"], d["time_zone"], d["slot_minutes"]')"
expect_eq "about the caller, with no slot unavailable yet" "{'kind': 'company', 'id': 'c-029'} []" \
    "$(js 'd["participant"], d["unavailable"]')"
mine=$(sql "SELECT count(*) FROM meetings WHERE event_id = '$EV' AND company_id = '$C' AND status <> 'cancelled'")
expect_eq "its meetings, each with the other side's name" "$mine True" \
    "$(js 'len(d["meetings"]), all(m["with"]["kind"] == "investor" and m["with"]["name"] and m["with"]["name"] != m["with"]["id"] for m in d["meetings"])')"
read -r MID SLOT INV < <(sql "SELECT id, slot_start, investor_id FROM meetings WHERE event_id = '$EV' AND company_id = '$C' AND status = 'scheduled' AND NOT pinned ORDER BY slot_start LIMIT 1" | tr '|' ' ')
expect_eq "the company has a meeting to move" "yes" "$([ -n "$MID" ] && echo yes)"
call GET "/v1/events/$EV/availability?participant=$C2" "$ORG"
expect_status "the organiser reads a participant's, naming it" 200
expect_eq "with the slots its file gives" 4 "$(js 'len(d["unavailable"])')"

# ---- who may ----
call GET "/v1/events/$EV/availability?participant=$C2" "$CT"
expect_status "a company may not read another participant's availability" 403
json PUT "/v1/events/$EV/availability?participant=$C2" "$CT" '{"unavailable": []}'
expect_status "nor change it" 403
json PUT "/v1/events/$EV/availability?participant=$C2&kind=company" "$CT" '{"unavailable": []}'
expect_status "nor with the kind named" 403
call GET "/v1/events/bio-2027/availability" "$IT"
expect_status "a participant may not read an event it does not attend" 403
call GET "/v1/events/no-such/availability" "$CT"
expect_status "nor one that does not exist (the same answer)" 403
call GET "/v1/events/$EV/availability?participant=$C2" "$OTHER_ORG"
expect_status "an organiser of another event may not" 403
call GET "/v1/events/$EV/availability" "$ADMIN"
expect_status "an admin names the participant" 400
expect_contains "the parameter is named" "participant" "$(js 'd["detail"]')"
call GET "/v1/events/$EV/availability?participant=c-999" "$ADMIN"
expect_status "a profile that does not attend is 404 to an admin" 404
call GET "/v1/events/$EV/availability?participant=$C&other=1" "$ADMIN"
expect_status "an unknown parameter is 400" 400
expect_eq "the participant's slots unchanged by the refused writes" "$(printf '%s\n' '["2027-01-11T11:30", "2027-01-12T10:30", "2027-01-12T11:30", "2027-01-12T13:30"]' '["2027-01-11T11:30", "2027-01-12T10:30", "2027-01-12T11:30", "2027-01-12T13:30"]')" "$(slots_of company $C2)"

# ---- bad slots: 422 naming the entry, nothing written ----
before=$(others)
v0=$(version)
bad() { # DESCRIPTION BODY POINTER DETAIL
    json PUT /v1/events/$EV/availability "$CT" "$2"
    expect_eq "$1: 422 naming $3" "422 $3" "$code $(js 'd.get("pointer")')"
    expect_contains "$1: saying why" "$4" "$(js '[e["detail"] for e in d["errors"] if e["pointer"] == "'"$3"'"][0]')"
}
bad "a time off the grid" '{"unavailable": ["2027-01-11T09:00", "2027-01-11T09:10"]}' /unavailable/1 "slots start every 30 minutes from 09:00, the last at 16:30"
bad "a break" '{"unavailable": ["2027-01-11T12:30"]}' /unavailable/0 "12:30 is in the break 12:30-13:30"
bad "a day not of the event" '{"unavailable": ["2027-01-14T09:00"]}' /unavailable/0 "2027-01-14 is not a day of the event (2027-01-11 to 2027-01-13)"
bad "a repeat" '{"unavailable": ["2027-01-11T09:00", "2027-01-11T09:00"]}' /unavailable/1 "repeats /unavailable/0"
bad "not a string" '{"unavailable": [900]}' /unavailable/0 "expected a slot start"
bad "not a slot start's form" '{"unavailable": ["11/01/2027 09:00"]}' /unavailable/0 "YYYY-MM-DDTHH:MM"
bad "an unknown member" '{"unavailable": [], "max_meetings": 1}' /max_meetings "unknown member"
bad "no list" '{"unavailable": "2027-01-11T09:00"}' /unavailable "expected an array"
json PUT /v1/events/$EV/availability "$CT" '["2027-01-11T09:00"]'
expect_status "a body that is no object is 400" 400
json PUT "/v1/events/$EV/availability?dry_run=maybe" "$CT" '{"unavailable": []}'
expect_status "a bad dry_run is 400" 400
json PUT /v1/events/$EV/availability "$CT" '{"unavailable": ["2027-01-11T12:30", "x", "2027-01-11T09:00"]}'
expect_eq "every bad entry is named, the good one not" "['/unavailable/0', '/unavailable/1']" "$(js '[e["pointer"] for e in d["errors"]]')"
expect_eq "nothing written by the refused changes" "[]
[] $before $v0" "$(slots_of company $C) $(others) $(version)"

# ---- a past day ----
$PY - "$tmp/past.json" <<'PYEOF'
import json, sys
json.dump({"id": "past-2020", "name": "Past", "time_zone": "Europe/Rome", "days": ["2020-01-06", "2020-01-07"],
           "day_start": "09:00", "day_end": "11:00", "slot_minutes": 30, "tables": 2,
           "participants": [{"kind": "company", "id": "c-029", "unavailable": ["2020-01-06T10:00"]},
                            {"kind": "investor", "id": "i-001"}]}, open(sys.argv[1], "w"))
PYEOF
json POST /v1/events "$ADMIN" "@$tmp/past.json"
expect_status "an event of 2020 is stored" 201
call GET /v1/events/past-2020/availability "$CT"
expect_eq "its slots are past" "True" "$(js 'all(s["past"] for s in d["slots"])')"
json PUT /v1/events/past-2020/availability "$CT" '{"unavailable": ["2020-01-06T10:00", "2020-01-06T09:00"]}'
expect_eq "a past slot cannot be added: 422 naming it" "422 /unavailable/1" "$code $(js 'd.get("pointer")')"
expect_contains "saying so" "2020-01-06T09:00 has started already" "$(js 'd["detail"]')"
json PUT /v1/events/past-2020/availability "$CT" '{"unavailable": []}'
expect_eq "nor removed: left out, it stays" "200 ['2020-01-06T10:00'] False" "$code $(js 'd["unavailable"], d["changed"]')"

# ---- the dry run: what would move, nothing written ----
v0=$(version)
json PUT "/v1/events/$EV/availability?dry_run=true" "$CT" "{\"unavailable\": [\"$SLOT\"]}"
expect_status "a dry run answers 200" 200
expect_eq "it lists the meeting in that slot, with the other side and what becomes of it" \
    "True True ['$SLOT'] [$MID] ['$INV'] ['moved_by_next_run'] [False]" \
    "$(js 'd["dry_run"], d["changed"], d["added"], [m["id"] for m in d["meetings"]], [m["with"]["id"] for m in d["meetings"]], [m["action"] for m in d["meetings"]], [m["pinned"] for m in d["meetings"]]')"
expect_eq "and writes nothing" "[]
[] $before $v0" "$(slots_of company $C) $(others) $(version)"

# ---- the change ----
json PUT /v1/events/$EV/availability "$CT" "{\"unavailable\": [\"$SLOT\", \"2027-01-13T16:30\"]}"
expect_status "the change answers 200" 200
expect_eq "listing the same meeting" "False [$MID] ['$SLOT', '2027-01-13T16:30']" \
    "$(js 'd["dry_run"], [m["id"] for m in d["meetings"]], d["unavailable"]')"
expect_eq "the participant's slots, in its row and in the stored file" \
    "[\"$SLOT\", \"2027-01-13T16:30\"]
[\"$SLOT\", \"2027-01-13T16:30\"]" "$(slots_of company $C)"
expect_eq "the rest of the event untouched" "$before" "$(others)"
expect_eq "a schedule made before it is not saved over it (meetings_version up)" "$((v0 + 1))" "$(version)"
call GET /v1/events/$EV "$ORG"
expect_eq "the organiser's GET of the file shows it" "['$SLOT', '2027-01-13T16:30']" \
    "$(js '[p.get("unavailable") for p in d["participants"] if p["id"] == "'$C'"][0]')"
json PUT /v1/events/$EV/availability "$CT" "{\"unavailable\": [\"2027-01-13T16:30\", \"$SLOT\"]}"
expect_eq "the same slots again change nothing" "200 False []" "$code $(js 'd["changed"], d["meetings"]')"
expect_eq "and raise no version" "$((v0 + 1))" "$(version)"
call POST /v1/events/$EV/schedule "$ORG"
expect_status "the next scheduler run" 200
expect_eq "moves the meeting out of the slot" "no" \
    "$(sql "SELECT CASE WHEN slot_start = '$SLOT' AND status <> 'cancelled' THEN 'yes' ELSE 'no' END FROM meetings WHERE id = $MID")"
expect_eq "and puts no meeting of the company there" 0 \
    "$(sql "SELECT count(*) FROM meetings WHERE event_id = '$EV' AND company_id = '$C' AND slot_start = '$SLOT' AND status <> 'cancelled'")"

# ---- the change feed ----
psql "$TAVOLO_DATABASE_URL" -qAt -c "LISTEN tavolo" -c "SELECT pg_sleep(2)" >"$tmp/listen" 2>&1 &
listener=$!
sleep 0.5
json PUT /v1/events/$EV/availability "$CT" '{"unavailable": ["2027-01-13T09:00"]}'
wait $listener
expect_contains "a change rings the change feed (LISTEN/NOTIFY) for its event" \
    'payload "event:jpm-2027"' "$(cat "$tmp/listen")"

# ---- two participants at once ----
hours=(09 10 11 14 15)
for round in 0 1 2 3 4; do
    s1=2027-01-12T${hours[$round]}:00
    s2=2027-01-13T${hours[$round]}:30
    curl -s -o "$tmp/c1" -w '%{http_code}' -X PUT -H "Authorization: Bearer $CT" -H 'Content-Type: application/json' \
        --data-binary "{\"unavailable\": [\"$s1\"]}" "$base/v1/events/$EV/availability" >"$tmp/code1" &
    p1=$!
    curl -s -o "$tmp/c2" -w '%{http_code}' -X PUT -H "Authorization: Bearer $C2T" -H 'Content-Type: application/json' \
        --data-binary "{\"unavailable\": [\"$s2\"]}" "$base/v1/events/$EV/availability" >"$tmp/code2" &
    p2=$!
    wait $p1 $p2
    got="$(cat "$tmp/code1") $(cat "$tmp/code2") $(slots_of company $C | tr '\n' ' ')$(slots_of company $C2 | tr '\n' ' ')"
    expect_eq "round $((round + 1)): two concurrent PUTs both land, in rows and file" \
        "200 200 [\"$s1\"] [\"$s1\"] [\"$s2\"] [\"$s2\"] " "$got"
done

# ---- an organiser's later event file wins ----
json PUT "/v1/events/$EV?dry_run=true" "$ORG" "@$FIX/events/jpm-2027.json"
expect_eq "a file without the participant's slots says it would drop them" "200 ['unavailable'] ['2027-01-12T15:00']" \
    "$code $(js '[p["fields"] for p in d["participants"]["changed"] if p["id"] == "'$C'"][0], [p["unavailable_removed"] for p in d["participants"]["changed"] if p["id"] == "'$C'"][0]')"
json PUT "/v1/events/$EV" "$ORG" "@$FIX/events/jpm-2027.json"
expect_eq "and, stored, the file's slots are the participant's" "200 []
[]" "$code $(slots_of company $C)"

kill -TERM $daemon
wait $daemon 2>/dev/null
daemon=""
finish
