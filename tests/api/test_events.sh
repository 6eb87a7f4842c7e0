#!/usr/bin/env bash
# Events end to end: event import (and its errors), the scheduler through the command line and
# the API, re-runs that keep calendar identities, requests, meetings, conflicts, agendas.
. "$(dirname "$0")/../cli/lib.sh"
TAVOLO=$1
FIX=$(cd "$(dirname "$0")/../../fixtures" && pwd)
require_pg
scratch_db api_events
tmp=$(mktemp -d)
daemon=""
trap 'kill -TERM $daemon 2>/dev/null; wait $daemon 2>/dev/null; rm -rf "$tmp"; drop_scratch_db' EXIT
PY=/usr/bin/python3

"$TAVOLO" import "$FIX/companies.jsonl" "$FIX/investors.jsonl" >/dev/null 2>&1

# ---- event import ----
out=$("$TAVOLO" event import "$FIX/events/jpm-2027.json" 2>&1)
expect_eq "the J.P. Morgan fixture imports" 0 $?
expect_contains "and says what it holds" "event jpm-2027: 54 participants, 30 requests" "$out"
"$TAVOLO" event import "$FIX/events/bio-2027.json" >/dev/null 2>&1
expect_eq "both fixture events stored" 2 "$(sql 'SELECT count(*) FROM events')"

at=$($PY -c "
import json; e = json.load(open('$FIX/events/jpm-2027.json')); asked = {q['company_id'] for q in e['requests']}
i = next(i for i, p in enumerate(e['participants']) if p['kind'] == 'company' and p['id'] not in asked)
e['id'] = 'bad-ev'; e['participants'][i]['id'] = 'c-999'; json.dump(e, open('$tmp/bad.json', 'w')); print(i)")
out=$("$TAVOLO" event import "$tmp/bad.json" 2>&1)
expect_eq "an unknown participant fails the import" 1 $?
expect_contains "naming the participant" "participants[$at].id: no company \"c-999\"" "$out"
expect_eq "and nothing is written" 0 "$(sql "SELECT count(*) FROM events WHERE id = 'bad-ev'")"
$PY -c "import json; e=json.load(open('$FIX/events/jpm-2027.json')); e['id']='bad-tz'; e['time_zone']='Mars/Olympus'; json.dump(e, open('$tmp/badtz.json','w'))"
out=$("$TAVOLO" event import "$tmp/badtz.json" 2>&1)
expect_contains "an unknown time zone is named" 'time_zone: "Mars/Olympus" is not an IANA time zone' "$out"
# "slot_minutes": null once read as 0-minute slots: the import hung, the daemon crashed.
$PY -c "import json; e=json.load(open('$FIX/events/jpm-2027.json')); e['id']='null-slot'; e['slot_minutes']=None; json.dump(e, open('$tmp/nullslot.json','w'))"
out=$(timeout 10 "$TAVOLO" event import "$tmp/nullslot.json" 2>&1)
expect_eq "a null slot_minutes fails the import at once" 1 $?
expect_contains "naming the field" "slot_minutes: expected an integer from 5 to 240, not null" "$out"
expect_eq "and nothing is written" 0 "$(sql "SELECT count(*) FROM events WHERE id = 'null-slot'")"

# ---- the scheduler from the command line ----
"$TAVOLO" schedule jpm-2027 --json >"$tmp/r1.json"
expect_eq "schedule --json exits 0" 0 $?
check=$($PY - "$tmp/r1.json" "$FIX/events/jpm-2027.json" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1])); e = json.load(open(sys.argv[2]))
assert {"total_score", "upper_bound", "ratio", "meetings", "unplaced"} <= set(r)
parts = {(p["kind"], p["id"]): p for p in e["participants"]}
seen, tables = set(), {}
for m in r["meetings"]:
    assert m["slot"].endswith("-08:00"), m["slot"]           # January in San Francisco
    for side, key in (("company", "company_id"), ("investor", "investor_id")):
        k = (m["slot"], m[key]); assert k not in seen, k; seen.add(k)
        assert m["slot"][:16] not in parts[(side, m[key])].get("unavailable", [])
    tables[m["slot"]] = tables.get(m["slot"], 0) + 1
    assert 1 <= m["table"] <= e["tables"]
assert max(tables.values()) <= e["tables"]
count = {}
for m in r["meetings"]:
    for key in ("company_id", "investor_id"):
        count[m[key]] = count.get(m[key], 0) + 1
for (kind, pid), p in parts.items():
    assert count.get(pid, 0) <= p.get("max_meetings", e["default_max_meetings"]), pid
accepted_must = {(q["company_id"], q["investor_id"]) for q in e["requests"]
                 if q["status"] == "accepted" and q["priority"] == "must"}
placed = {(m["company_id"], m["investor_id"]) for m in r["meetings"]}
unplaced = {(u["company_id"], u["investor_id"]) for u in r["unplaced"]}
assert accepted_must <= placed | unplaced
print(len(r["meetings"]) > 100, r["ratio"] >= 0.99, r["total_score"] <= r["upper_bound"] + 1e-9)
PYEOF
)
expect_eq "the schedule keeps every invariant (slots, tables, availability, limits, musts)" \
    "True True True" "$check"
ids1=$(sql "SELECT string_agg(id::text || ':' || company_id || ':' || investor_id, ',' ORDER BY id) FROM meetings WHERE event_id = 'jpm-2027' AND status <> 'cancelled'")
"$TAVOLO" schedule jpm-2027 >"$tmp/r2.txt"
expect_contains "the readable report" "meetings placed" "$(cat "$tmp/r2.txt")"
ids2=$(sql "SELECT string_agg(id::text || ':' || company_id || ':' || investor_id, ',' ORDER BY id) FROM meetings WHERE event_id = 'jpm-2027' AND status <> 'cancelled'")
expect_eq "a re-run keeps every meeting's row (stable calendar UIDs)" "$ids1" "$ids2"
expect_eq "and an unchanged meeting keeps its SEQUENCE" 0 \
    "$(sql "SELECT max(sequence) FROM meetings WHERE event_id = 'jpm-2027' AND status = 'scheduled'")"

# ---- agendas from the command line ----
c1=$(sql "SELECT company_id FROM meetings WHERE event_id = 'jpm-2027' ORDER BY id LIMIT 1")
"$TAVOLO" agenda jpm-2027 --participant "$c1" --ics "$tmp/c1.ics" >/dev/null
ics=$($PY - "$tmp/c1.ics" <<'PYEOF'
import sys
from icalendar import Calendar
cal = Calendar.from_ical(open(sys.argv[1], "rb").read())
events = [c for c in cal.walk() if c.name == "VEVENT"]
tz = [c for c in cal.walk() if c.name == "VTIMEZONE"]
starts = [e.decoded("dtstart") for e in events]
print(len(events) > 0, len(tz) == 1, all(s.utcoffset().total_seconds() == -8 * 3600 for s in starts),
      len({str(e["uid"]) for e in events}) == len(events))
PYEOF
)
expect_eq "the participant's .ics parses, one VTIMEZONE, Pacific times, unique UIDs" \
    "True True True True" "$ics"
"$TAVOLO" agenda jpm-2027 --csv "$tmp/tables.csv" >/dev/null
expect_eq "the per-table CSV has a row per meeting" \
    "$(( $(sql "SELECT count(*) FROM meetings WHERE event_id = 'jpm-2027' AND status <> 'cancelled'") + 1 ))" \
    "$(wc -l < "$tmp/tables.csv")"
expect_eq "by table, then slot, each row its meeting's" "True True" "$("$PY" - "$tmp/tables.csv" \
    "$(sql "SELECT string_agg(table_no || '|' || slot_start || '|' || company_id || '|' || investor_id, ' ') FROM meetings WHERE event_id = 'jpm-2027' AND status <> 'cancelled'")" <<'PYEOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
keys = [(int(r["table"]), r["slot"]) for r in rows]
stored = set(sys.argv[2].split())
print(keys == sorted(keys), {f'{r["table"]}|{r["slot"]}|{r["company_id"]}|{r["investor_id"]}' for r in rows} == stored)
PYEOF
)"

# ---- the API ----
# The fixture's request_deadline (2027-01-06) closes requests once the real clock passes it
# (decision 0046); this test makes and answers requests whatever the date.
sql "UPDATE events SET doc = doc - 'request_deadline' WHERE id = 'jpm-2027'" >/dev/null
# The daily digest is due at 00:00 UTC, so it has fallen due today and never ran: the daemon
# catches it up as it starts (checked at the end).
mkdir -p "$tmp/home"
today=$(date -u +%F)
TAVOLO_HOME="$tmp/home" TAVOLO_DIGEST_TIME=00:00 TAVOLO_DIGEST_ZONE=UTC \
    "$TAVOLO" serve --listen 127.0.0.1:0 --port-file "$tmp/port" 2>"$tmp/daemon.log" &
daemon=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
base="http://127.0.0.1:$(cat "$tmp/port")"
tok() { "$TAVOLO" token create "$@" 2>/dev/null; }
ORG=$(tok --role organiser --event jpm-2027)
OTHER=$(tok --role organiser --event bio-2027)
cid=$(sql "SELECT profile_id FROM event_participants WHERE event_id = 'jpm-2027' AND kind = 'company' ORDER BY profile_id LIMIT 1")
iid=$(sql "SELECT profile_id FROM event_participants WHERE event_id = 'jpm-2027' AND kind = 'investor' AND profile_id NOT IN (SELECT investor_id FROM meeting_requests WHERE event_id = 'jpm-2027' AND company_id = '$cid') ORDER BY profile_id LIMIT 1")
COMP=$(tok --role company --subject "$cid")
INV=$(tok --role investor --subject "$iid")
call() { # METHOD PATH TOKEN [BODY] -> status; body in $tmp/body
    curl -s --max-time 10 -o "$tmp/body" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $3" \
        ${4:+-H 'Content-Type: application/json' --data-binary "$4"} "$base$2"
}
# A participant reads the event's public part and its own entry, never a peer's people or
# availability, nor requests between others (decision 0056).
expect_eq "a participant reads the event" 200 "$(call GET /v1/events/jpm-2027 "$COMP")"
expect_eq "with the event's grid and only its own entry" "jpm-2027 30 1 company:$cid" "$($PY -c "
import json; e = json.load(open('$tmp/body'))
print(e['id'], e['slot_minutes'], len(e['participants']), *[p['kind'] + ':' + p['id'] for p in e['participants']])")"
expect_eq "and nobody else's e-mail address" 0 "$($PY -c "
import json; e = json.load(open('$tmp/body'))
print(sum(1 for p in e.get('participants', []) if p['id'] != '$cid') +
      sum(1 for q in e.get('requests', []) if q['company_id'] != '$cid'))")"
expect_eq "the organiser still reads the whole file" True "$(call GET /v1/events/jpm-2027 "$ORG" >/dev/null; $PY -c "
import json; print(len(json.load(open('$tmp/body'))['participants']) > 1)")"
expect_eq "an organiser of another event may not run this one" 403 "$(call POST /v1/events/jpm-2027/schedule "$OTHER")"
expect_eq "a company asks an investor for a meeting" 201 \
    "$(call POST /v1/events/jpm-2027/requests "$COMP" "{\"company_id\":\"$cid\",\"investor_id\":\"$iid\",\"priority\":\"must\"}")"
rid=$($PY -c "import json; print(json.load(open('$tmp/body'))['id'])")
expect_eq "the same pair again is a conflict" 409 \
    "$(call POST /v1/events/jpm-2027/requests "$COMP" "{\"company_id\":\"$cid\",\"investor_id\":\"$iid\",\"priority\":\"want\"}")"
expect_eq "the asking side may not accept its own request" 403 "$(call POST "/v1/events/jpm-2027/requests/$rid/accept" "$COMP")"
expect_eq "the investor accepts" 200 "$(call POST "/v1/events/jpm-2027/requests/$rid/accept" "$INV")"
expect_eq "a decided request cannot be decided again" 409 "$(call POST "/v1/events/jpm-2027/requests/$rid/decline" "$INV")"
expect_eq "the organiser schedules" 200 "$(call POST /v1/events/jpm-2027/schedule "$ORG")"
expect_eq "the accepted must-request is placed" 1 "$($PY -c "
import json; r = json.load(open('$tmp/body'))
print(sum(1 for m in r['meetings'] if m['company_id'] == '$cid' and m['investor_id'] == '$iid' and m['origin'] == 'must'))")"
expect_eq "a participant lists meetings" 200 "$(call GET /v1/events/jpm-2027/meetings "$COMP")"
expect_eq "and sees its own only" True "$($PY -c "
import json; it = json.load(open('$tmp/body'))['items']; print(len(it) > 0 and all(m['company_id'] == '$cid' for m in it))")"
call GET /v1/events/jpm-2027/meetings "$ORG" >/dev/null
read -r mid other_slot other_table < <($PY -c "
import json; it = [m for m in json.load(open('$tmp/body'))['items'] if m['status'] != 'cancelled']
a = it[0]; b = [m for m in it if m['slot_index'] != a['slot_index']][0]
print(a['id'], b['slot'][:16], b['table'])")
code=$(call PATCH "/v1/events/jpm-2027/meetings/$mid" "$ORG" "{\"slot\":\"$other_slot\",\"table\":$other_table}")
expect_eq "moving onto a taken table is a conflict" 409 "$code"
expect_contains "that names the clash" "is taken at $other_slot" "$(cat "$tmp/body")"
expect_eq "a participant may not move meetings" 403 "$(call PATCH "/v1/events/jpm-2027/meetings/$mid" "$COMP" '{"status":"locked"}')"
expect_eq "the organiser locks it" 200 "$(call PATCH "/v1/events/jpm-2027/meetings/$mid" "$ORG" '{"status":"locked"}')"
before=$(sql "SELECT slot_index || ':' || table_no FROM meetings WHERE id = $mid")
call POST /v1/events/jpm-2027/schedule "$ORG" >/dev/null
expect_eq "a locked (pinned) meeting does not move when the scheduler runs again" "$before:scheduled:true" \
    "$(sql "SELECT slot_index || ':' || table_no || ':' || status || ':' || pinned FROM meetings WHERE id = $mid")"
# The locked meeting's company leaves the event: its meeting stays on record and keeps its table.
read -r gone_co lslot ltable < <(sql "SELECT company_id, slot_index, table_no FROM meetings WHERE id = $mid" | tr '|' ' ')
$PY -c "
import json; e = json.load(open('$FIX/events/jpm-2027.json'))
e['participants'] = [p for p in e['participants'] if p['id'] != '$gone_co']
e['requests'] = [q for q in e['requests'] if q['company_id'] != '$gone_co']
json.dump(e, open('$tmp/left.json', 'w'))"
"$TAVOLO" event import "$tmp/left.json" >/dev/null 2>&1
expect_eq "a schedule after a locked meeting's company left still works" 200 \
    "$(call POST /v1/events/jpm-2027/schedule "$ORG")"
expect_eq "and nobody else is given its table in its slot" 1 \
    "$(sql "SELECT count(*) FROM meetings WHERE event_id = 'jpm-2027' AND status <> 'cancelled' AND slot_index = $lslot AND table_no = $ltable")"
# An organiser's cancellation sticks when the scheduler runs again.
cancel=$(sql "SELECT id FROM meetings WHERE event_id = 'jpm-2027' AND status = 'scheduled' ORDER BY id LIMIT 1")
expect_eq "the organiser cancels a meeting" 200 "$(call PATCH "/v1/events/jpm-2027/meetings/$cancel" "$ORG" '{"status":"cancelled"}')"
call POST /v1/events/jpm-2027/schedule "$ORG" >/dev/null
expect_eq "and it stays cancelled after the next run" cancelled \
    "$(sql "SELECT status FROM meetings WHERE id = $cancel")"
expect_eq "a participant's agenda.ics" 200 "$(call GET /v1/events/jpm-2027/agenda.ics "$COMP")"
expect_contains "is iCalendar" "BEGIN:VCALENDAR" "$(cat "$tmp/body")"
expect_contains "naming the other side's people" "DESCRIPTION:" "$(cat "$tmp/body")"
expect_eq "without anyone's e-mail address (as the feed)" 0 "$(grep -ci "mailto:\|@[a-z0-9-]*\.example" "$tmp/body")"
expect_eq "the organiser's agenda.ics lists the attendees' addresses" 200 \
    "$(call GET "/v1/events/jpm-2027/agenda.ics?participant=$iid" "$ORG")"
expect_contains "as ATTENDEE" "mailto:" "$(cat "$tmp/body")"
expect_eq "but not another participant's" 403 "$(call GET "/v1/events/jpm-2027/agenda.ics?participant=$iid" "$COMP")"
expect_eq "the per-table CSV is the organiser's" 200 "$(call GET /v1/events/jpm-2027/tables.csv "$ORG")"
expect_eq "not a participant's" 403 "$(call GET /v1/events/jpm-2027/tables.csv "$COMP")"
expect_eq "the meetings' CSV is the organiser's" 200 "$(call GET /v1/events/jpm-2027/meetings.csv "$ORG")"
expect_eq "by slot then table, each row a meeting as stored, its end 30 minutes on" "True True True" \
    "$("$PY" - "$tmp/body" "$(sql "SELECT string_agg(id || '|' || slot_start || '|' || table_no || '|' || company_id || '|' || investor_id || '|' || status || '|' || pinned, ' ') FROM meetings WHERE event_id = 'jpm-2027' AND status <> 'cancelled'")" <<'PYEOF'
import csv, datetime, sys
rows = list(csv.DictReader(open(sys.argv[1])))
keys = [(r["start"], int(r["table"])) for r in rows]
stored = set(sys.argv[2].split())
got = {f'{r["id"]}|{r["start"]}|{r["table"]}|{r["company_id"]}|{r["investor_id"]}|{r["status"]}|{r["pinned"]}' for r in rows}
ends = all(datetime.datetime.fromisoformat(r["end"]) - datetime.datetime.fromisoformat(r["start"]) ==
           datetime.timedelta(minutes=30) for r in rows)
print(keys == sorted(keys), got == stored and len(rows) == len(stored), ends)
PYEOF
)"
expect_eq "not a participant's" 403 "$(call GET /v1/events/jpm-2027/meetings.csv "$COMP")"
expect_eq "an event the company does not attend is hidden" 403 "$(call GET /v1/events/bio-2027 "$COMP")"

# ---- the daily digest: the daemon's timer and GET /v1/digests ----
for _ in $(seq 200); do
    [ "$(sql "SELECT count(*) FROM digest_runs WHERE digest_date = '$today' AND finished_at IS NOT NULL")" = 1 ] && break
    sleep 0.1
done
# Recipients when the daemon ran (issue 15): profiles with contacts, and those the two event
# files name people for; the one whose company left the event since reads nothing now.
recipients=$($PY -c "
import json
who = set()
for kind, f in (('company', 'companies'), ('investor', 'investors')):
    for l in open('$FIX/' + f + '.jsonl'):
        if l.strip() and json.loads(l).get('contacts'):
            who.add((kind, json.loads(l)['id']))
for e in ('jpm-2027', 'bio-2027'):
    for p in json.load(open('$FIX/events/' + e + '.json'))['participants']:
        if p.get('people'):
            who.add((p['kind'], p['id']))
print(len(who))")
recipients_now=$(sql "SELECT count(*) FROM (SELECT 'company', id FROM companies WHERE doc ? 'contacts' UNION SELECT 'investor', id FROM investors WHERE doc ? 'contacts' UNION SELECT kind, profile_id FROM event_participants WHERE jsonb_array_length(people) > 0) x")
expect_eq "the daemon ran today's digest when it started, once for every recipient" "$recipients" \
    "$(sql "SELECT count(*) FROM digests WHERE digest_date = '$today'")"
expect_contains "and logged it" "daily digest of $today: $recipients recipients" "$(cat "$tmp/daemon.log")"
expect_contains "and the next one" "next daily digest: $(date -u -d tomorrow +%F) 00:00 UTC" "$(cat "$tmp/daemon.log")"
sent=$(sql "SELECT count(*) FROM digests WHERE digest_date = '$today' AND status = 'sent'")
# The digests' messages are queued with them; the daemon's mail worker writes them out.
for _ in $(seq 200); do
    [ "$(sql "SELECT count(*) FROM mail_messages WHERE status <> 'sent'")" = 0 ] && break
    sleep 0.1
done
expect_eq "every sent digest is in the outbox (one message a contact)" True "$($PY -c "
import os; n = len(os.listdir('$tmp/home/outbox/new')); print($sent > 0 and n >= $sent)")"
expect_eq "the same date by hand afterwards sends nothing again" "$recipients_now 0 0" \
    "$("$TAVOLO" digest --date "$today" --outbox "$tmp/home/outbox" --json | $PY -c "
import json, sys; r = json.load(sys.stdin); print(r['already'], r['sent'], r['empty'])")"
ADMIN=$(tok --role admin)
expect_eq "an admin lists every digest of the date" 200 "$(call GET "/v1/digests?date=$today" "$ADMIN")"
expect_eq "with a summary of the day" "$recipients $recipients $sent" "$($PY -c "
import json; r = json.load(open('$tmp/body')); s = r['summary']
print(len(r['items']), s['recipients'], s['sent'])")"
expect_eq "an organiser lists its event's digests" 200 "$(call GET "/v1/digests?date=$today" "$ORG")"
expect_eq "only of its participants, with the event's summary" \
    "$(sql "SELECT count(*) FROM digests d JOIN event_participants p ON p.kind = d.recipient_kind AND p.profile_id = d.recipient_id AND p.event_id = 'jpm-2027' WHERE d.digest_date = '$today'") jpm-2027" \
    "$($PY -c "
import json; r = json.load(open('$tmp/body')); print(len(r['items']), r['summary']['event'])")"
expect_eq "but not another event's" 403 "$(call GET "/v1/digests?date=$today&event=bio-2027" "$ORG")"
expect_eq "a company reads its own digest" 200 "$(call GET "/v1/digests?date=$today" "$COMP")"
expect_eq "and no one else's" "$(sql "SELECT count(*) FROM digests WHERE digest_date = '$today' AND recipient_kind = 'company' AND recipient_id = '$cid'") True" \
    "$($PY -c "
import json; r = json.load(open('$tmp/body'))
print(len(r['items']), 'summary' not in r and all(i['recipient']['id'] == '$cid' for i in r['items']))")"
expect_eq "a participant may not ask for an event's digests" 400 "$(call GET "/v1/digests?date=$today&event=jpm-2027" "$COMP")"
expect_eq "the date is required" 400 "$(call GET /v1/digests "$ADMIN")"
expect_eq "and must be a date" 400 "$(call GET "/v1/digests?date=2026-13-01" "$ADMIN")"
expect_contains "naming the parameter" '"parameter":"date"' "$(cat "$tmp/body")"
finish
