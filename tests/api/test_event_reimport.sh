#!/usr/bin/env bash
# PUT /v1/events/{id} of an event that exists merges (docs/events.md, decision 0041), on the
# J.P. Morgan fixture: a request accepted through the API stays accepted when the file is put
# again with the investor's availability changed, the answer lists the meetings that change
# makes impossible (the unpinned one is moved by the next run, the pinned one is a conflict),
# ?dry_run=true answers the same report and writes nothing, a bad file writes nothing, and a
# file whose new slot length would put a person in two places is a 409 naming the clash.
. "$(dirname "$0")/../cli/lib.sh"
TAVOLO=$1
FIX=$(cd "$(dirname "$0")/../../fixtures" && pwd)
require_pg
scratch_db api_event_reimport
tmp=$(mktemp -d)
daemon=""
trap 'kill -TERM $daemon 2>/dev/null; wait $daemon 2>/dev/null; rm -rf "$tmp"; drop_scratch_db' EXIT
PY=/usr/bin/python3
# The fixture without its request_deadline (2027-01-06), which closes requests once the real
# clock passes it (decision 0046): this test answers a request whatever the date.
EV=$tmp/jpm-2027.json
$PY -c "import json, sys; e = json.load(open(sys.argv[1])); e.pop('request_deadline'); json.dump(e, open(sys.argv[2], 'w'))" "$FIX/events/jpm-2027.json" "$EV"

# Every row of the tables an import touches, with the transaction that wrote it.
dump() {
    sql "SELECT md5(string_agg(t, E'\n')) FROM (
        (SELECT 'e' || x.xmin || (x.*)::text AS t FROM events x ORDER BY id)
        UNION ALL (SELECT * FROM (SELECT 'p' || x.xmin || (x.*)::text FROM event_participants x
                   ORDER BY event_id, kind, profile_id) p)
        UNION ALL (SELECT * FROM (SELECT 'q' || x.xmin || (x.*)::text FROM meeting_requests x
                   ORDER BY id) q)
        UNION ALL (SELECT * FROM (SELECT 'm' || x.xmin || (x.*)::text FROM meetings x
                   ORDER BY id) m)) d"
}

"$TAVOLO" import "$FIX/companies.jsonl" "$FIX/investors.jsonl" >/dev/null 2>&1
mkdir -p "$tmp/home"
# The daemon's mail tick (the notify job moves its marks on requests and meetings) runs once at
# start and then not for an hour, so that "nothing is written" compares the import alone.
TAVOLO_HOME="$tmp/home" TAVOLO_MAIL_POLL_SECONDS=3600 "$TAVOLO" serve --listen 127.0.0.1:0 \
    --port-file "$tmp/port" 2>"$tmp/daemon.log" &
daemon=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
base="http://127.0.0.1:$(cat "$tmp/port")"
call() { # METHOD PATH TOKEN [BODY FILE] -> status; body in $tmp/body
    curl -s --max-time 20 -o "$tmp/body" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $3" \
        ${4:+-H 'Content-Type: application/json' --data-binary "@$4"} "$base$2"
}
ADMIN=$("$TAVOLO" token create --role admin 2>/dev/null)

# ---- creating ----
expect_eq "a dry run of a new event answers 200" 200 "$(call POST "/v1/events?dry_run=true" "$ADMIN" "$EV")"
expect_eq "saying it would be created, with its participants" "True True 54" "$($PY -c "
import json; r = json.load(open('$tmp/body'))
print(r['created'], r['dry_run'], len(r['participants']['added']))")"
expect_eq "and creates nothing" 0 "$(sql "SELECT count(*) FROM events")"
expect_eq "the event is created" 201 "$(call POST /v1/events "$ADMIN" "$EV")"
expect_eq "the answer is the report, with the event's id" "jpm-2027 True False 30" "$($PY -c "
import json; r = json.load(open('$tmp/body'))
print(r['id'], r['created'], r['dry_run'], len(r['requests']['added']))")"
expect_eq "dry_run takes true or false only" 400 "$(call PUT "/v1/events/jpm-2027?dry_run=yes" "$ADMIN" "$EV")"
ORG=$("$TAVOLO" token create --role organiser --event jpm-2027 2>/dev/null)

# ---- a request accepted through the API ----
read -r C I rid < <(sql "SELECT company_id, investor_id, id FROM meeting_requests WHERE event_id = 'jpm-2027'
    AND status = 'pending' AND from_kind = 'company' ORDER BY id LIMIT 1" | tr '|' ' ')
INV=$("$TAVOLO" token create --role investor --subject "$I" 2>/dev/null)
expect_eq "the investor accepts a request through the API" 200 \
    "$(call POST "/v1/events/jpm-2027/requests/$rid/accept" "$INV")"
expect_eq "the organiser schedules" 200 "$(call POST /v1/events/jpm-2027/schedule "$ORG")"
read -r MP SP < <(sql "SELECT id, slot_start FROM meetings WHERE event_id = 'jpm-2027' AND investor_id = '$I'
    AND status = 'scheduled' ORDER BY slot_start LIMIT 1" | tr '|' ' ')
read -r MU SU < <(sql "SELECT id, slot_start FROM meetings WHERE event_id = 'jpm-2027' AND investor_id = '$I'
    AND status = 'scheduled' ORDER BY slot_start OFFSET 1 LIMIT 1" | tr '|' ' ')
expect_eq "the investor has two meetings" 1 "$([ -n "$MP" ] && [ -n "$MU" ] && echo 1)"
expect_eq "the organiser locks the first" 200 \
    "$(echo '{"pinned":true}' >"$tmp/lock.json"; call PATCH "/v1/events/jpm-2027/meetings/$MP" "$ORG" "$tmp/lock.json")"

# ---- the file again, the investor unavailable in the slots of both meetings ----
$PY - "$EV" "$tmp/v2.json" "$I" "$SP" "$SU" <<'PYEOF'
import json, sys
src, out, inv, sp, su = sys.argv[1:]
e = json.load(open(src))
p = next(p for p in e["participants"] if p["kind"] == "investor" and p["id"] == inv)
p["unavailable"] = sorted(set(p.get("unavailable", [])) | {sp, su})
json.dump(e, open(out, "w"))
PYEOF
before=$(dump)
expect_eq "a dry run answers 200" 200 "$(call PUT "/v1/events/jpm-2027?dry_run=true" "$ORG" "$tmp/v2.json")"
cp "$tmp/body" "$tmp/dry.json"
expect_eq "and writes nothing, byte for byte" "$before" "$(dump)"
expect_eq "the organiser puts the file" 200 "$(call PUT /v1/events/jpm-2027 "$ORG" "$tmp/v2.json")"
cp "$tmp/body" "$tmp/real.json"
expect_eq "the dry run's report is the import's" True "$($PY -c "
import json; a = json.load(open('$tmp/dry.json')); b = json.load(open('$tmp/real.json'))
print(a.pop('dry_run') is True and b.pop('dry_run') is False and a == b)")"
call GET /v1/events/jpm-2027/requests "$ORG" >/dev/null
expect_eq "the request accepted through the API is still accepted" accepted "$($PY -c "
import json; print(next(q['status'] for q in json.load(open('$tmp/body'))['items'] if q['id'] == $rid))")"
check=$($PY - "$tmp/real.json" "$I" "$MP" "$MU" "$C" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1])); inv, mp, mu, c = sys.argv[2:]
imp = {m["id"]: m for m in r["meetings"]["impossible"]}
p, q = r["participants"], r["requests"]
print([x["fields"] for x in p["changed"]] == [["unavailable"]] and p["added"] == p["removed"] == [],
      sorted(imp) == sorted([int(mp), int(mu)]),
      imp[int(mu)]["pinned"] is False and imp[int(mu)]["action"] == "moved_by_next_run"
      and imp[int(mu)]["reasons"] == ["investor_unavailable"],
      imp[int(mp)]["pinned"] is True and imp[int(mp)]["action"] == "conflict"
      and imp[int(mp)]["status"] == "scheduled",
      [(k["company_id"], k["investor_id"], k["status"], k["file_status"]) for k in q["kept"]]
      == [(c, inv, "accepted", "pending")],
      q["added"] == q["removed"] == q["changed"] == [])
PYEOF
)
expect_eq "the report: one participant changed, both meetings listed, the answer kept" \
    "True True True True True True" "$check"
expect_eq "the next run" 200 "$(call POST /v1/events/jpm-2027/schedule "$ORG")"
expect_eq "moves the unpinned meeting out of the slot" t \
    "$(sql "SELECT status = 'cancelled' OR slot_start <> '$SU' FROM meetings WHERE id = $MU")"
expect_eq "keeps the pinned one and reports it as a conflict" "scheduled+pinned lock_conflict" "$(sql "SELECT status || CASE WHEN pinned THEN '+pinned' ELSE '' END FROM meetings WHERE id = $MP") $($PY -c "
import json; r = json.load(open('$tmp/body'))
print(*['lock_conflict' for u in r['unplaced'] if u['investor_id'] == '$I' and u['reason'].startswith('lock conflict')])")"

# ---- a bad file writes nothing ----
$PY -c "
import json; e = json.load(open('$tmp/v2.json')); e['name'] = 'Renamed'; e['tables'] = 0
json.dump(e, open('$tmp/bad.json', 'w'))"
before=$(dump)
expect_eq "a file with an error is refused" 422 "$(call PUT /v1/events/jpm-2027 "$ORG" "$tmp/bad.json")"
expect_contains "naming the field" '"pointer":"/tables"' "$(cat "$tmp/body")"
expect_eq "and nothing is written" "$before" "$(dump)"
expect_eq "nor by a dry run of it" 422 "$(call PUT "/v1/events/jpm-2027?dry_run=true" "$ORG" "$tmp/bad.json")"

# ---- a longer slot that would put a person in two places ----
# A side event holds company X's meeting in the half hour before X's first jpm meeting at T; a
# file that makes the side event's slot an hour long runs it into the jpm meeting.
read -r T X < <(sql "SELECT m.slot_start, m.company_id FROM meetings m WHERE m.event_id = 'jpm-2027'
    AND m.status <> 'cancelled' AND m.slot_start LIKE '2027-01-11T1%' AND m.slot_start >= '2027-01-11T10:00'
    AND NOT EXISTS (SELECT 1 FROM meetings o WHERE o.event_id = 'jpm-2027' AND o.status <> 'cancelled'
        AND o.company_id = m.company_id
        AND o.slot_start = to_char(m.slot_start::timestamp - interval '30 min', 'YYYY-MM-DD\"T\"HH24:MI'))
    ORDER BY m.slot_start, m.company_id LIMIT 1" | tr '|' ' ')
Y=$(sql "SELECT profile_id FROM event_participants p WHERE event_id = 'jpm-2027' AND kind = 'investor'
    AND NOT EXISTS (SELECT 1 FROM meetings o WHERE o.investor_id = p.profile_id AND o.status <> 'cancelled'
        AND o.slot_start IN ('$T', to_char('$T'::timestamp - interval '30 min', 'YYYY-MM-DD\"T\"HH24:MI')))
    ORDER BY profile_id LIMIT 1")
$PY - "$T" "$X" "$Y" "$tmp/side.json" "$tmp/side60.json" <<'PYEOF'
import json, sys, datetime
t, x, y, out, out60 = sys.argv[1:]
t = datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M")
hm = lambda d: d.strftime("%H:%M")
e = {"id": "side-2027", "name": "A side event", "time_zone": "America/Los_Angeles",
     "days": [t.strftime("%Y-%m-%d")], "day_start": hm(t - datetime.timedelta(minutes=30)),
     "day_end": hm(t), "slot_minutes": 30, "tables": 1, "default_max_meetings": 1,
     "participants": [{"kind": "company", "id": x}, {"kind": "investor", "id": y}],
     "requests": [{"company_id": x, "investor_id": y, "from": "company", "priority": "must",
                   "status": "accepted"}]}
json.dump(e, open(out, "w"))
e["slot_minutes"] = 60
e["day_end"] = hm(t + datetime.timedelta(minutes=30))
json.dump(e, open(out60, "w"))
PYEOF
expect_eq "the side event is created" 201 "$(call POST /v1/events "$ADMIN" "$tmp/side.json")"
expect_eq "and scheduled" 200 "$(call POST /v1/events/side-2027/schedule "$ADMIN")"
side=$(sql "SELECT id FROM meetings WHERE event_id = 'side-2027' AND status <> 'cancelled'")
jpm=$(sql "SELECT id FROM meetings WHERE event_id = 'jpm-2027' AND company_id = '$X' AND slot_start = '$T' AND status <> 'cancelled'")
expect_eq "its meeting is in place" 1 "$([ -n "$side" ] && [ -n "$jpm" ] && echo 1)"
before=$(dump)
expect_eq "an hour-long slot is a conflict, not a server error" 409 \
    "$(call PUT /v1/events/side-2027 "$ADMIN" "$tmp/side60.json")"
expect_contains "naming the other meeting" "meeting $jpm of event jpm-2027" "$(cat "$tmp/body")"
expect_contains "and the one that would overlap it" "meeting $side " "$(cat "$tmp/body")"
expect_eq "and nothing is written" "$before" "$(dump)"
expect_eq "a dry run says the same" 409 "$(call PUT "/v1/events/side-2027?dry_run=true" "$ADMIN" "$tmp/side60.json")"
finish
