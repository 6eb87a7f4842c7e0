#!/usr/bin/env bash
# The organiser's hand holds: a meeting moved, cancelled or created by hand through the API is
# pinned, and no scheduler run moves or revives it until the organiser unpins it. On the J.P.
# Morgan fixture: PATCH moves, pins and unpins, the deprecated "locked" status, POST of a
# meeting by hand with its errors, and re-runs of the scheduler around all of them.
. "$(dirname "$0")/../cli/lib.sh"
TAVOLO=$1
FIX=$(cd "$(dirname "$0")/../../fixtures" && pwd)
require_pg
scratch_db api_pins
tmp=$(mktemp -d)
daemon=""
trap 'kill -TERM $daemon 2>/dev/null; wait $daemon 2>/dev/null; rm -rf "$tmp"; drop_scratch_db' EXIT
PY=/usr/bin/python3
EV=jpm-2027

"$TAVOLO" import "$FIX/companies.jsonl" "$FIX/investors.jsonl" >/dev/null 2>&1
"$TAVOLO" event import "$FIX/events/jpm-2027.json" >/dev/null 2>&1
"$TAVOLO" schedule $EV --json >/dev/null
expect_eq "the fixture is scheduled" 0 $?

mkdir -p "$tmp/home"
TAVOLO_HOME="$tmp/home" "$TAVOLO" serve --listen 127.0.0.1:0 --port-file "$tmp/port" 2>"$tmp/daemon.log" &
daemon=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
base="http://127.0.0.1:$(cat "$tmp/port")"
ORG=$("$TAVOLO" token create --role organiser --event $EV 2>/dev/null)
call() { # METHOD PATH TOKEN [BODY] -> status; body in $tmp/body, headers in $tmp/hdr
    curl -s --max-time 20 -D "$tmp/hdr" -o "$tmp/body" -w '%{http_code}' -X "$1" \
        -H "Authorization: Bearer $3" \
        ${4:+-H 'Content-Type: application/json' --data-binary "$4"} "$base$2"
}
header() { grep -i "^$1:" "$tmp/hdr" | head -n 1 | cut -d: -f2- | sed 's/^ *//' | tr -d '\r'; }
where() { sql "SELECT slot_index || ':' || table_no || ':' || status || ':' || CASE WHEN pinned THEN 't' ELSE 'f' END FROM meetings WHERE id = $1"; }
schedule() { call POST /v1/events/$EV/schedule "$ORG" >/dev/null; }

# free_place MEETING_ID: a slot and table, other than the meeting's own slot, where its company
# and investor are both free and available and the table is free: "slot_index slot table".
free_place() {
    call GET /v1/events/$EV/meetings "$ORG" >/dev/null
    $PY - "$tmp/body" "$FIX/events/jpm-2027.json" "$1" <<'PYEOF'
import json, sys
items = json.load(open(sys.argv[1]))["items"]; e = json.load(open(sys.argv[2])); mid = int(sys.argv[3])
live = [m for m in items if m["status"] != "cancelled"]
me = next(m for m in items if m["id"] == mid)
off = {p["id"]: set(p.get("unavailable", [])) for p in e["participants"]}
slots = {m["slot_index"]: m["slot"] for m in items}
for k in sorted(slots):
    if k == me["slot_index"] or slots[k][:16] in off[me["company_id"]] | off[me["investor_id"]]:
        continue
    here = [m for m in live if m["slot_index"] == k]
    if any(m["company_id"] == me["company_id"] or m["investor_id"] == me["investor_id"] for m in here):
        continue
    used = {m["table"] for m in here}
    free = [t for t in range(1, e["tables"] + 1) if t not in used]
    if free:
        print(k, slots[k][:16], free[-1]); break
PYEOF
}

# ---- a move is pinned and survives a re-run ----
mid=$(sql "SELECT id FROM meetings WHERE event_id = '$EV' AND status = 'scheduled' AND origin = 'recommended' ORDER BY id LIMIT 1")
read -r k slot table < <(free_place "$mid")
expect_eq "a move through the API" 200 \
    "$(call PATCH "/v1/events/$EV/meetings/$mid" "$ORG" "{\"slot\":\"$slot\",\"table\":$table}")"
expect_eq "pins the meeting, as its JSON shows" "True $k $table" "$($PY -c "
import json; d = json.load(open('$tmp/body')); print(d.get('pinned'), d['slot_index'], d['table'])")"
schedule
expect_eq "the next run leaves the moved meeting where the organiser put it" "$k:$table:scheduled:t" "$(where "$mid")"
schedule
expect_eq "and so does the one after" "$k:$table:scheduled:t" "$(where "$mid")"

# ---- unpinned, the scheduler may move it again ----
expect_eq "PATCH pinned false unpins" 200 "$(call PATCH "/v1/events/$EV/meetings/$mid" "$ORG" '{"pinned":false}')"
expect_eq "and says so" "False" "$($PY -c "import json; print(json.load(open('$tmp/body')).get('pinned'))")"
expect_eq "without moving it" "$k:$table:scheduled:f" "$(where "$mid")"
# Its company is now away at that slot, and so is the company of a pinned meeting: the
# unpinned one moves, the pinned one stays and is reported as a conflict.
pin2=$(sql "SELECT id FROM meetings WHERE event_id = '$EV' AND status = 'scheduled' AND id <> $mid AND slot_index <> $k ORDER BY id DESC LIMIT 1")
expect_eq "PATCH pinned true pins in place" 200 "$(call PATCH "/v1/events/$EV/meetings/$pin2" "$ORG" '{"pinned":true}')"
before2=$(where "$pin2")
expect_eq "in place" "${before2%:*}:t" "$before2"
read -r co1 sl1 co2 sl2 < <(sql "SELECT a.company_id, a.slot_start, b.company_id, b.slot_start FROM meetings a, meetings b WHERE a.id = $mid AND b.id = $pin2" | tr '|' ' ')
$PY - "$FIX/events/jpm-2027.json" "$tmp/away.json" "$co1" "$sl1" "$co2" "$sl2" <<'PYEOF'
import json, sys
e = json.load(open(sys.argv[1])); out = sys.argv[2]; args = sys.argv[3:]
for who, slot in zip(args[0::2], args[1::2]):
    p = next(p for p in e["participants"] if p["id"] == who)
    p["unavailable"] = sorted(set(p.get("unavailable", [])) | {slot})
json.dump(e, open(out, "w"))
PYEOF
"$TAVOLO" event import "$tmp/away.json" >/dev/null 2>&1
expect_eq "the event takes the new availability" 0 $?
expect_eq "the scheduler runs" 200 "$(call POST /v1/events/$EV/schedule "$ORG")"
expect_eq "the API's report lists the participants short of meetings" True "$($PY -c "
import json; r = json.load(open('$tmp/body')); print(isinstance(r.get('short_of_meetings'), list))")"
expect_eq "the unpinned meeting moved out of the slot its company cannot make" 1 \
    "$(sql "SELECT count(*) FROM meetings WHERE id = $mid AND (slot_index <> $k OR status = 'cancelled')")"
expect_eq "the pinned one did not move" "$before2" "$(where "$pin2")"
expect_eq "and the report names it as a conflict for the organiser" True "$($PY -c "
import json; r = json.load(open('$tmp/body'))
print(any(u['company_id'] == '$co2' and 'lock' in u['reason'] for u in r['unplaced']))")"
"$TAVOLO" event import "$FIX/events/jpm-2027.json" >/dev/null 2>&1

# ---- a cancellation by hand is pinned and never revived ----
cancel=$(sql "SELECT id FROM meetings WHERE event_id = '$EV' AND status = 'scheduled' AND NOT pinned ORDER BY id LIMIT 1")
expect_eq "the organiser cancels a meeting" 200 "$(call PATCH "/v1/events/$EV/meetings/$cancel" "$ORG" '{"status":"cancelled"}')"
expect_eq "which pins the cancellation" "True" "$($PY -c "import json; print(json.load(open('$tmp/body')).get('pinned'))")"
schedule
schedule
expect_eq "two runs later it is still cancelled" "cancelled:t" \
    "$(sql "SELECT status || ':' || CASE WHEN pinned THEN 't' ELSE 'f' END FROM meetings WHERE id = $cancel")"

# ---- status "locked": a deprecated alias of pinned ----
lock=$(sql "SELECT id FROM meetings WHERE event_id = '$EV' AND status = 'scheduled' AND NOT pinned ORDER BY id LIMIT 1")
expect_eq "PATCH status locked is still accepted" 200 "$(call PATCH "/v1/events/$EV/meetings/$lock" "$ORG" '{"status":"locked"}')"
expect_eq "as pinned: true; the status stays scheduled" "scheduled True" \
    "$($PY -c "import json; d = json.load(open('$tmp/body')); print(d['status'], d.get('pinned'))")"
expect_eq "no meeting has the status locked any more" 0 "$(sql "SELECT count(*) FROM meetings WHERE status = 'locked'")"

# ---- a meeting made by hand ----
# A pair with no meeting, a slot both can make, their lowest free table.
read -r hc hi hk hslot htable < <(call GET /v1/events/$EV/meetings "$ORG" >/dev/null; $PY - "$tmp/body" "$FIX/events/jpm-2027.json" <<'PYEOF'
import json, sys
items = json.load(open(sys.argv[1]))["items"]; e = json.load(open(sys.argv[2]))
live = [m for m in items if m["status"] != "cancelled"]
pairs = {(m["company_id"], m["investor_id"]) for m in items}
off = {p["id"]: set(p.get("unavailable", [])) for p in e["participants"]}
cos = [p["id"] for p in e["participants"] if p["kind"] == "company"]
invs = [p["id"] for p in e["participants"] if p["kind"] == "investor"]
slots = {m["slot_index"]: m["slot"] for m in items}
def found():
    for c in cos:
        for i in invs:
            if (c, i) in pairs:
                continue
            for k in sorted(slots):
                here = [m for m in live if m["slot_index"] == k]
                if slots[k][:16] in off[c] | off[i] or any(m["company_id"] == c or m["investor_id"] == i for m in here):
                    continue
                used = {m["table"] for m in here}
                free = [t for t in range(1, e["tables"] + 1) if t not in used]
                if free:
                    return c, i, k, slots[k], free[0]
print(*found())
PYEOF
)
COMP=$("$TAVOLO" token create --role company --subject "$hc" 2>/dev/null)
body="{\"company_id\":\"$hc\",\"investor_id\":\"$hi\",\"slot\":\"$hslot\"}"
expect_eq "a participant may not make meetings by hand" 403 "$(call POST /v1/events/$EV/meetings "$COMP" "$body")"
expect_eq "the organiser makes one" 201 "$(call POST /v1/events/$EV/meetings "$ORG" "$body")"
hid=$($PY -c "import json; print(json.load(open('$tmp/body'))['id'])")
expect_eq "with its Location" "/v1/events/$EV/meetings/$hid" "$(header Location)"
expect_eq "and its ETag" 1 "$([ -n "$(header ETag)" ] && echo 1)"
expect_eq "pinned, at the slot asked and the lowest free table" "True $hk $htable scheduled" \
    "$($PY -c "import json; d = json.load(open('$tmp/body')); print(d.get('pinned'), d['slot_index'], d['table'], d['status'])")"
etag=$(header ETag)
call GET "/v1/events/$EV/meetings/$hid" "$ORG" >/dev/null
expect_eq "the same ETag as a GET of it" "$etag" "$(header ETag)"
schedule
expect_eq "a hand-made meeting survives a re-run" "$hk:$htable:scheduled:t" "$(where "$hid")"
expect_eq "the same pair again is a conflict naming the meeting" 409 "$(call POST /v1/events/$EV/meetings "$ORG" "$body")"
expect_contains "naming it" "meeting $hid" "$(cat "$tmp/body")"

# A clash: the company of another meeting of that slot, on a free table.
read -r oid oc < <(sql "SELECT id, company_id FROM meetings WHERE event_id = '$EV' AND status <> 'cancelled' AND slot_index = $hk AND company_id <> '$hc' ORDER BY id LIMIT 1" | tr '|' ' ')
oi=$(sql "SELECT profile_id FROM event_participants WHERE event_id = '$EV' AND kind = 'investor' AND profile_id NOT IN (SELECT investor_id FROM meetings WHERE event_id = '$EV' AND (company_id = '$oc' OR slot_index = $hk)) ORDER BY profile_id LIMIT 1")
expect_eq "a meeting over the company's other meeting is a conflict" 409 \
    "$(call POST /v1/events/$EV/meetings "$ORG" "{\"company_id\":\"$oc\",\"investor_id\":\"$oi\",\"slot_index\":$hk}")"
expect_contains "naming the meeting it clashes with" "meeting $oid" "$(cat "$tmp/body")"
taken=$(sql "SELECT table_no FROM meetings WHERE id = $hid")
expect_eq "a taken table is a conflict" 409 \
    "$(call POST /v1/events/$EV/meetings "$ORG" "{\"company_id\":\"$oc\",\"investor_id\":\"$oi\",\"slot\":\"$hslot\",\"table\":$taken}")"
expect_contains "naming the meeting at that table" "meeting $hid" "$(cat "$tmp/body")"

# Bad input: 422 naming the field, and nothing written.
n0=$(sql "SELECT count(*) FROM meetings")
bad() { # DESCRIPTION BODY POINTER
    expect_eq "$1" "422 $3" "$(call POST /v1/events/$EV/meetings "$ORG" "$2") $($PY -c "
import json; print(json.load(open('$tmp/body')).get('pointer'))")"
}
outsider=$(sql "SELECT id FROM profiles WHERE kind = 'company' AND id NOT IN (SELECT profile_id FROM event_participants WHERE event_id = '$EV') ORDER BY id LIMIT 1" 2>/dev/null)
[ -n "$outsider" ] || outsider=c-nobody
bad "a company not in the event" "{\"company_id\":\"$outsider\",\"investor_id\":\"$oi\",\"slot\":\"$hslot\"}" /company_id
bad "an investor not in the event" "{\"company_id\":\"$oc\",\"investor_id\":\"i-nobody\",\"slot\":\"$hslot\"}" /investor_id
bad "a slot not in the event" "{\"company_id\":\"$oc\",\"investor_id\":\"$oi\",\"slot\":\"2027-01-11T03:00\"}" /slot
bad "a slot_index not in the event" "{\"company_id\":\"$oc\",\"investor_id\":\"$oi\",\"slot_index\":9999}" /slot_index
bad "neither slot nor slot_index" "{\"company_id\":\"$oc\",\"investor_id\":\"$oi\"}" /slot
bad "a table out of range" "{\"company_id\":\"$oc\",\"investor_id\":\"$oi\",\"slot\":\"$hslot\",\"table\":11}" /table
read -r away_id away_slot < <($PY -c "
import json; e = json.load(open('$FIX/events/jpm-2027.json'))
p = next(p for p in e['participants'] if p['kind'] == 'investor' and p.get('unavailable'))
print(p['id'], p['unavailable'][0])")
bad "an investor unavailable then" "{\"company_id\":\"$oc\",\"investor_id\":\"$away_id\",\"slot\":\"$away_slot\"}" /slot
expect_contains "naming who" "$away_id" "$(cat "$tmp/body")"
expect_eq "and nothing was written" "$n0" "$(sql "SELECT count(*) FROM meetings")"
finish
