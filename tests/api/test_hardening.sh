#!/usr/bin/env bash
# api.hardening: the defects a probe of the daemon found (issue 12), each as a check that
# failed before its fix: an organiser's scope never widens by a write, concurrent changes to
# one meeting or profile are never lost (ETag and If-Match), ids that no record can have and
# long messages are 4xx (never 500 or an empty body), a deleted profile's meetings are
# cancelled, scoped tokens get 403 for what is not theirs, and an organiser's digests show
# matches within its event only.
. "$(dirname "$0")/../cli/lib.sh"
TAVOLO=$1
FIX=$(cd "$(dirname "$0")/../../fixtures" && pwd)
require_pg
scratch_db api_hardening
tmp=$(mktemp -d)
daemon=""
trap 'kill -TERM $daemon 2>/dev/null; wait $daemon 2>/dev/null; rm -rf "$tmp"; drop_scratch_db' EXIT
PY=/usr/bin/python3

"$TAVOLO" import "$FIX/companies.jsonl" "$FIX/investors.jsonl" >/dev/null 2>&1
for e in jpm-2027 bio-2027; do "$TAVOLO" event import "$FIX/events/$e.json" >/dev/null 2>&1; done
"$TAVOLO" schedule jpm-2027 >/dev/null

mkdir -p "$tmp/home"
TAVOLO_HOME="$tmp/home" TAVOLO_DIGEST_TIME=off \
    "$TAVOLO" serve --listen 127.0.0.1:0 --port-file "$tmp/port" 2>"$tmp/daemon.log" &
daemon=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
base="http://127.0.0.1:$(cat "$tmp/port")"
tok() { "$TAVOLO" token create "$@" 2>/dev/null; }
ADMIN=$(tok --role admin)
ORG=$(tok --role organiser --event jpm-2027)

# call METHOD PATH TOKEN [BODY [EXTRA-HEADER]] -> status; body in $tmp/body, headers in $tmp/head
call() {
    curl -s --max-time 20 -D "$tmp/head" -o "$tmp/body" -w '%{http_code}' -X "$1" \
        -H "Authorization: Bearer $3" ${4:+-H 'Content-Type: application/json' --data-binary "$4"} \
        ${5:+-H "$5"} "$base$2"
}
header() { grep -i "^$1:" "$tmp/head" | head -1 | cut -d' ' -f2- | tr -d '\r'; }
body_is_problem() {
    $PY -c "import json; p = json.load(open('$tmp/body')); print(p['status'], p['type'])" 2>&1
}

# ---- 2. an organiser's scope never widens by a write ----
outsider_c=$(sql "SELECT profile_id FROM event_participants WHERE event_id = 'bio-2027' AND kind = 'company' AND profile_id NOT IN (SELECT profile_id FROM event_participants WHERE event_id = 'jpm-2027') ORDER BY profile_id LIMIT 1")
outsider_i=$(sql "SELECT profile_id FROM event_participants WHERE event_id = 'bio-2027' AND kind = 'investor' AND profile_id NOT IN (SELECT profile_id FROM event_participants WHERE event_id = 'jpm-2027') ORDER BY profile_id LIMIT 1")
$PY - "$FIX/events/jpm-2027.json" "$tmp/widened.json" "$outsider_c" "$outsider_i" <<'PYEOF'
import json, sys
e = json.load(open(sys.argv[1]))
e["participants"] += [{"kind": "company", "id": sys.argv[3]}, {"kind": "investor", "id": sys.argv[4]}]
json.dump(e, open(sys.argv[2], "w"))
PYEOF
n_parts=$(sql "SELECT count(*) FROM event_participants WHERE event_id = 'jpm-2027'")
code=$(call PUT /v1/events/jpm-2027 "$ORG" "$(cat "$tmp/widened.json")")
expect_eq "an organiser may not add another event's company to its own" 403 "$code"
expect_contains "naming the participant" "/participants/$n_parts/id" "$(cat "$tmp/body")"
expect_eq "and nothing is written" "$n_parts" "$(sql "SELECT count(*) FROM event_participants WHERE event_id = 'jpm-2027'")"
expect_eq "so the company's record stays out of its reach" 403 "$(call GET "/v1/companies/$outsider_c" "$ORG")"
expect_eq "and its eligibility report" 403 "$(call GET "/v1/companies/$outsider_c/eligibility" "$ORG")"
expect_eq "and the investor's thesis" 403 "$(call GET "/v1/investors/$outsider_i" "$ORG")"
expect_eq "and it may not patch the company" 403 \
    "$(call PATCH "/v1/companies/$outsider_c" "$ORG" '{"name":"Taken over"}')"
expect_eq "the organiser still rewrites its event with its own participants" 200 \
    "$(call PUT /v1/events/jpm-2027 "$ORG" "$(cat "$FIX/events/jpm-2027.json")")"
expect_eq "an admin may bring the company in" 200 "$(call PUT /v1/events/jpm-2027 "$ADMIN" "$(cat "$tmp/widened.json")")"
expect_eq "after which the organiser sees it" 200 "$(call GET "/v1/companies/$outsider_c" "$ORG")"
expect_eq "and may keep it in its event file" 200 "$(call PUT /v1/events/jpm-2027 "$ORG" "$(cat "$tmp/widened.json")")"
new_co=$(head -1 "$FIX/companies.jsonl" | $PY -c "import json, sys; c = json.load(sys.stdin); c['id'] = 'c-org-new'; print(json.dumps(c))")
expect_eq "an organiser's new company joins its event" 201 "$(call POST /v1/companies "$ORG" "$new_co")"
expect_eq "and it reads it" 200 "$(call GET /v1/companies/c-org-new "$ORG")"

# ---- 9. scoped tokens get 403 for what is not theirs, whether it exists or not ----
expect_eq "an organiser's PATCH of a missing company is 403, as of another event's" 403 \
    "$(call PATCH /v1/companies/c-nobody "$ORG" '{"name":"x"}')"
expect_eq "and of a missing investor" 403 "$(call PATCH /v1/investors/i-nobody "$ORG" '{"name":"x"}')"
expect_eq "an admin's is 404" 404 "$(call PATCH /v1/companies/c-nobody "$ADMIN" '{"name":"x"}')"

# ---- 5. ids no record can have, long messages: 4xx with a problem body, never 500 ----
for p in /v1/events/%FF/meetings /v1/events/%FF /v1/events/%C3/requests /v1/companies/%FF \
    /v1/investors/%FF/matches /v1/companies/%FF/eligibility /v1/events/jpm-2027/meetings/%FF \
    /v1/events/jpm-2027/meetings/99999999999999999999999; do
    code=$(call GET "$p" "$ADMIN")
    expect_eq "GET $p is 404" 404 "$code"
    expect_eq "with a problem body" "404 urn:tavolo:problem:not-found" "$(body_is_problem)"
done
raw=$($PY - "$(cat "$tmp/port")" "$ADMIN" <<'PYEOF'
import json, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /v1/companies/\xff\xfe/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
          b"Authorization: Bearer " + sys.argv[2].encode() + b"\r\n\r\n")
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
head, _, body = data.partition(b"\r\n\r\n")
p = json.loads(body)
print(head.split()[1].decode(), p["status"], p["instance"])
PYEOF
)
expect_eq "a raw path that is not UTF-8 gets a problem body, its bytes escaped" \
    "404 404 /v1/companies/%FF%FE/x" "$raw"
expect_eq "PATCH of an invalid meeting id is 404" 404 \
    "$(call PATCH /v1/events/jpm-2027/meetings/%FF "$ADMIN" '{"status":"locked"}')"
expect_eq "POST to an invalid event id is 404" 404 \
    "$(call POST /v1/events/%FF/requests "$ADMIN" '{"company_id":"c-001","investor_id":"i-001","priority":"want"}')"
rq_c=$(sql "SELECT profile_id FROM event_participants WHERE event_id = 'jpm-2027' AND kind = 'company' ORDER BY profile_id LIMIT 1 OFFSET 3")
rq_i=$(sql "SELECT profile_id FROM event_participants WHERE event_id = 'jpm-2027' AND kind = 'investor' AND profile_id NOT IN (SELECT investor_id FROM meeting_requests WHERE event_id = 'jpm-2027' AND company_id = '$rq_c') ORDER BY profile_id LIMIT 1")
# The fixture's request_deadline (2027-01-06) closes requests once the real clock passes it
# (decision 0046); this test makes and answers requests whatever the date.
sql "UPDATE events SET doc = doc - 'request_deadline' WHERE id = 'jpm-2027'" >/dev/null
long=$($PY -c "print('é' * 300)")
code=$(call POST /v1/events/jpm-2027/requests "$ADMIN" "{\"company_id\":\"$rq_c\",\"investor_id\":\"$rq_i\",\"priority\":\"want\",\"from\":\"company\",\"message\":\"$long\"}")
expect_eq "a message of 300 characters is refused, not cut" 422 "$code"
expect_contains "naming the field" '"pointer":"/message"' "$(cat "$tmp/body")"
fine=$($PY -c "print('é' * 200)")
code=$(call POST /v1/events/jpm-2027/requests "$ADMIN" "{\"company_id\":\"$rq_c\",\"investor_id\":\"$rq_i\",\"priority\":\"want\",\"from\":\"company\",\"message\":\"$fine\"}")
expect_eq "a message of 200 two-byte characters is taken whole" "201 200" \
    "$code $(sql "SELECT char_length(message) FROM meeting_requests WHERE event_id = 'jpm-2027' AND company_id = '$rq_c' AND investor_id = '$rq_i'")"
expect_eq "a message that is not a string is refused" 422 \
    "$(call POST /v1/events/jpm-2027/requests "$ADMIN" "{\"company_id\":\"$rq_c\",\"investor_id\":\"$rq_i\",\"priority\":\"want\",\"from\":\"company\",\"message\":7}")"

# ---- 3. concurrent changes to one meeting are never lost ----
lost=0
for try in $(seq 12); do
    read -r mid free_table < <(sql "
        SELECT m.id, (SELECT min(t) FROM generate_series(1, 60) t WHERE NOT EXISTS (
            SELECT 1 FROM meetings o WHERE o.event_id = m.event_id AND o.slot_index = m.slot_index
            AND o.table_no = t AND o.status <> 'cancelled'))
        FROM meetings m WHERE m.event_id = 'jpm-2027' AND m.status = 'scheduled'
        ORDER BY m.id LIMIT 1 OFFSET $try" | tr '|' ' ')
    curl -s -o /dev/null -X PATCH -H "Authorization: Bearer $ORG" -H 'Content-Type: application/json' \
        --data-binary '{"status":"held"}' "$base/v1/events/jpm-2027/meetings/$mid" &
    a=$!
    curl -s -o /dev/null -X PATCH -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
        --data-binary "{\"table\":$free_table}" "$base/v1/events/jpm-2027/meetings/$mid" &
    b=$!
    wait $a $b
    [ "$(sql "SELECT status || ':' || table_no FROM meetings WHERE id = $mid")" = "held:$free_table" ] ||
        lost=$((lost + 1))
done
expect_eq "an outcome and a table change sent together both stay (12 tries)" 0 "$lost"

mid=$(sql "SELECT id FROM meetings WHERE event_id = 'jpm-2027' AND status = 'scheduled' ORDER BY id DESC LIMIT 1")
expect_eq "a meeting reads alone" 200 "$(call GET "/v1/events/jpm-2027/meetings/$mid" "$ORG")"
etag=$(header etag)
expect_contains "with an ETag" '"' "$etag"
expect_eq "and its own part to a participant" 200 \
    "$(call GET "/v1/events/jpm-2027/meetings/$mid" "$(tok --role company --subject "$(sql "SELECT company_id FROM meetings WHERE id = $mid")")")"
expect_eq "not to another participant" 403 \
    "$(call GET "/v1/events/jpm-2027/meetings/$mid" "$(tok --role company --subject "$outsider_c")")"
expect_eq "If-Match with the current ETag applies" 200 \
    "$(call PATCH "/v1/events/jpm-2027/meetings/$mid" "$ORG" '{"status":"locked"}' "If-Match: $etag")"
etag2=$(header etag)
expect_eq "and answers the new ETag" 1 "$([ -n "$etag2" ] && [ "$etag2" != "$etag" ] && echo 1)"
expect_eq "the old ETag no longer matches: 412" 412 \
    "$(call PATCH "/v1/events/jpm-2027/meetings/$mid" "$ORG" '{"pinned":false}' "If-Match: $etag")"
expect_eq "and the change is not made" scheduled:true "$(sql "SELECT status || ':' || pinned FROM meetings WHERE id = $mid")"

# ---- 8. a slot given with a UTC offset is that instant, not the same wall-clock time ----
read -r mv_id mv_slot < <(sql "SELECT id, slot_index FROM meetings WHERE event_id = 'jpm-2027' AND status = 'scheduled' ORDER BY id LIMIT 1 OFFSET 20" | tr '|' ' ')
read -r local_name free_t < <(sql "SELECT o.slot_start, (SELECT min(t) FROM generate_series(1, 60) t
        WHERE NOT EXISTS (SELECT 1 FROM meetings y WHERE y.event_id = m.event_id
        AND y.slot_index = o.slot_index AND y.table_no = t AND y.status <> 'cancelled'))
    FROM meetings o, meetings m WHERE m.id = $mv_id AND o.event_id = m.event_id
    AND o.status <> 'cancelled' AND o.slot_index <> m.slot_index
    AND NOT EXISTS (SELECT 1 FROM meetings x WHERE x.event_id = m.event_id
        AND x.slot_index = o.slot_index AND x.status <> 'cancelled'
        AND (x.company_id = m.company_id OR x.investor_id = m.investor_id))
    ORDER BY o.slot_index LIMIT 1" | tr '|' ' ')
tokyo=$($PY -c "
from datetime import datetime; from zoneinfo import ZoneInfo
t = datetime.fromisoformat('$local_name').replace(tzinfo=ZoneInfo('America/Los_Angeles'))
print(t.astimezone(ZoneInfo('Asia/Tokyo')).isoformat())")
expect_eq "a move given in Tokyo time lands on the same instant in San Francisco" "200 $local_name" \
    "$(call PATCH "/v1/events/jpm-2027/meetings/$mv_id" "$ADMIN" "{\"slot\":\"$tokyo\",\"table\":$free_t}") $(sql "SELECT slot_start FROM meetings WHERE id = $mv_id")"
wall=$(echo "$local_name" | sed 's/$/:00+09:00/')
code=$(call PATCH "/v1/events/jpm-2027/meetings/$mv_id" "$ADMIN" "{\"slot\":\"$wall\"}")
expect_eq "the local wall-clock time with another offset is no slot of the event" 422 "$code"
expect_contains "naming the field" '"pointer":"/slot"' "$(cat "$tmp/body")"
expect_eq "a slot that is not a time is 422" 422 \
    "$(call PATCH "/v1/events/jpm-2027/meetings/$mv_id" "$ADMIN" '{"slot":"soon"}')"

# Profiles: ETag on reads, If-Match on PUT, PATCH and DELETE.
pc=$(sql "SELECT profile_id FROM event_participants WHERE event_id = 'jpm-2027' AND kind = 'company' ORDER BY profile_id DESC LIMIT 1")
call GET "/v1/companies/$pc" "$ORG" >/dev/null
petag=$(header etag)
expect_contains "a profile read has an ETag" '"' "$petag"
call GET "/v1/companies/$pc" "$ADMIN" >/dev/null
expect_eq "the same ETag for every reader of the full record" "$petag" "$(header etag)"
expect_eq "a PATCH with the current ETag applies" 200 \
    "$(call PATCH "/v1/companies/$pc" "$ORG" '{"city":"Torino"}' "If-Match: $petag")"
expect_eq "a PATCH with the old one is 412" 412 \
    "$(call PATCH "/v1/companies/$pc" "$ORG" '{"city":"Milano"}' "If-Match: $petag")"
expect_eq "and changes nothing" Torino "$(sql "SELECT doc->>'city' FROM companies WHERE id = '$pc'")"
expect_eq "a DELETE with the old one is 412" 412 "$(call DELETE "/v1/companies/$pc" "$ADMIN" "" "If-Match: $petag")"
# A record changed by another process (the command line) since this daemon read it: the
# PATCH is merged over the stored record, never over the stale copy in memory.
sql "UPDATE companies SET doc = jsonb_set(doc, '{city}', '\"Napoli\"') WHERE id = '$pc'"
expect_eq "a PATCH over a record changed by another process applies" 200 \
    "$(call PATCH "/v1/companies/$pc" "$ORG" '{"founded":2019}')"
expect_eq "over the stored record: the other change stays" "Napoli 2019" \
    "$(sql "SELECT doc->>'city', doc->>'founded' FROM companies WHERE id = '$pc'" | tr '|' ' ')"
expect_eq "and the daemon reads the merged record" "Napoli 2019" \
    "$(call GET "/v1/companies/$pc" "$ORG" >/dev/null; $PY -c "import json; c = json.load(open('$tmp/body')); print(c['city'], c['founded'])")"
# Read, then changed by another process, then written with the ETag read: whether or not
# the change feed has brought the daemon the other change yet, the write is refused.
call GET "/v1/companies/$pc" "$ORG" >/dev/null
read_etag=$(header etag)
sql "UPDATE companies SET doc = jsonb_set(doc, '{city}', '\"Bari\"') WHERE id = '$pc'"
expect_eq "but with If-Match naming the copy the other process replaced, it is 412" 412 \
    "$(call PATCH "/v1/companies/$pc" "$ORG" '{"founded":2020}' "If-Match: $read_etag")"
expect_eq "and changes nothing" "Bari 2019" \
    "$(sql "SELECT doc->>'city', doc->>'founded' FROM companies WHERE id = '$pc'" | tr '|' ' ')"

# ---- 7. deleting a profile cancels its meetings and its pending requests ----
gone=$(sql "SELECT company_id FROM meetings WHERE event_id = 'jpm-2027' AND status = 'scheduled' GROUP BY company_id ORDER BY count(*) DESC, company_id LIMIT 1")
partner=$(sql "SELECT investor_id FROM meetings WHERE event_id = 'jpm-2027' AND status = 'scheduled' AND company_id = '$gone' ORDER BY id LIMIT 1")
n_meet=$(sql "SELECT count(*) FROM meetings WHERE company_id = '$gone' AND status IN ('scheduled', 'locked')")
sql "INSERT INTO meeting_requests (event_id, company_id, investor_id, from_kind, priority, status)
     SELECT 'jpm-2027', '$gone', profile_id, 'company', 'want', 'pending' FROM event_participants
     WHERE event_id = 'jpm-2027' AND kind = 'investor' ON CONFLICT DO NOTHING" >/dev/null
seq_before=$(sql "SELECT sum(sequence) FROM meetings WHERE company_id = '$gone' AND status IN ('scheduled', 'locked')")
expect_eq "an admin deletes a company with meetings" 204 "$(call DELETE "/v1/companies/$gone" "$ADMIN")"
expect_eq "its meetings are cancelled" "0 $n_meet" \
    "$(sql "SELECT count(*) FILTER (WHERE status <> 'cancelled'), count(*) FILTER (WHERE status = 'cancelled') FROM meetings WHERE company_id = '$gone'" | tr '|' ' ')"
expect_eq "each with its SEQUENCE up" "$((seq_before + n_meet))" \
    "$(sql "SELECT sum(sequence) FROM meetings WHERE company_id = '$gone'")"
expect_eq "its pending requests are cancelled" 0 \
    "$(sql "SELECT count(*) FROM meeting_requests WHERE company_id = '$gone' AND status = 'pending'")"
call GET /v1/events/jpm-2027/tables.csv "$ORG" >/dev/null
expect_eq "tables.csv no longer lists them" 0 "$(grep -c "$gone" "$tmp/body")"
call GET "/v1/events/jpm-2027/agenda.ics?participant=$partner" "$ORG" >/dev/null
cal=$($PY - "$tmp/body" "$gone" <<'PYEOF'
import sys
from icalendar import Calendar
cal = Calendar.from_ical(open(sys.argv[1], "rb").read())
ev = [c for c in cal.walk() if c.name == "VEVENT" and sys.argv[2] in str(c.get("description", "")) + str(c.get("summary", ""))]
print(len(ev) > 0 and all(str(c["status"]) == "CANCELLED" and int(c["sequence"]) > 0 for c in ev))
PYEOF
)
expect_eq "the other side's calendar shows them CANCELLED with a higher SEQUENCE" True "$cal"

# ---- 9. an organiser's digests show matches within its event only ----
"$TAVOLO" digest --date 2027-01-10 --outbox "$tmp/outbox" >/dev/null 2>&1
expect_eq "an organiser reads its event's digests" 200 "$(call GET "/v1/digests?date=2027-01-10" "$ORG")"
sql "SELECT profile_id FROM event_participants WHERE event_id = 'jpm-2027'" >"$tmp/parts"
expect_eq "with matches among the event's participants only" True "$($PY - "$tmp/body" "$tmp/parts" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1])); parts = set(open(sys.argv[2]).read().split())
ms = [m for d in r["items"] for m in d["matches"]]
print(len(r["items"]) > 0 and all(m["id"] in parts for m in ms))
PYEOF
)"
expect_eq "whose summary is a string" True "$($PY -c "import json; print(isinstance(json.load(open('$tmp/body'))['summary']['event'], str))")"
expect_eq "an admin's summary of all events names none (null)" True \
    "$(call GET "/v1/digests?date=2027-01-10" "$ADMIN" >/dev/null; $PY -c "import json; print(json.load(open('$tmp/body'))['summary']['event'] is None)")"

# ---- a token the database cannot check is the server's fault (500), not the client's (401) ----
FRESH=$(tok --role admin)
sql "ALTER TABLE tokens RENAME TO tokens_away"
expect_eq "a token check that fails in the database is 500, not 401" 500 "$(call GET /v1/events "$FRESH")"
sql "ALTER TABLE tokens_away RENAME TO tokens"
expect_eq "and the same token works once the table is back" 200 "$(call GET /v1/events "$FRESH")"

kill -0 "$daemon" 2>/dev/null
expect_eq "the daemon is still running" 0 $?
finish
