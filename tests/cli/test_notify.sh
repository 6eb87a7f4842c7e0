#!/usr/bin/env bash
# tavolo notify (decision 0044): the people a profile's notifications reach at an event, the
# messages queued for them (read back by Python's email and python3-icalendar), exactly once.
. "$(dirname "$0")/lib.sh"
TAVOLO=$1
FIX=$(cd "$(dirname "$0")/../../fixtures" && pwd)
require_pg
scratch_db cli_notify
work=$(mktemp -d)
trap 'rm -rf "$work"; drop_scratch_db' EXIT
export TAVOLO_HOME=$work

"$TAVOLO" import "$FIX/companies.jsonl" "$FIX/investors.jsonl" >/dev/null 2>&1
"$TAVOLO" event import "$FIX/events/jpm-2027.json" >/dev/null 2>&1
# c-029 (Luca Dubois in the event file) gets contacts: Luca again under another case (the
# contact wins), and one without a language (the profile's, Italian).
/usr/bin/python3 - "$FIX/companies.jsonl" > "$work/c029.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d["id"] == "c-029":
        d["language"] = "it"
        d["contacts"] = [{"name": "Luca D.", "email": "Luca.Dubois@c-029.example", "language": "en"},
                         {"name": "Marta Neri", "email": "marta@c-029.example"}]
        print(json.dumps(d))
PY
"$TAVOLO" import --kind company "$work/c029.jsonl" >/dev/null
# A second person named for c-029 without a language, also named for c-036.
sql "UPDATE event_participants SET people = people || '[{\"name\": \"Zoe Ricci\", \"email\": \"zoe@shared.example\"}]' WHERE event_id = 'jpm-2027' AND profile_id IN ('c-029', 'c-036')"

out=$("$TAVOLO" notify recipients jpm-2027 company c-029)
expect_eq "contacts first, then the people of the file, once per address" \
    "$(printf 'Luca.Dubois@c-029.example\ten\tLuca D.\nmarta@c-029.example\tit\tMarta Neri\nzoe@shared.example\ten\tZoe Ricci')" "$out"
sql "UPDATE events SET doc = doc || '{\"language\": \"it\"}' WHERE id = 'jpm-2027'" 
sql "UPDATE event_participants SET people = jsonb_set(people, '{0,language}', '\"it\"') WHERE event_id = 'jpm-2027' AND profile_id = 'c-036'"
out=$("$TAVOLO" notify recipients jpm-2027 company c-036)
expect_eq "a person without a language reads the event's; one with, their own" \
    "$(sql "SELECT people->0->>'email' FROM event_participants WHERE event_id = 'jpm-2027' AND profile_id = 'c-036'")	it	$(sql "SELECT people->0->>'name' FROM event_participants WHERE event_id = 'jpm-2027' AND profile_id = 'c-036'")
zoe@shared.example	it	Zoe Ricci" "$out"
expect_eq "a person on two profiles is listed for each" 2 \
    "$( ("$TAVOLO" notify recipients jpm-2027 company c-029; "$TAVOLO" notify recipients jpm-2027 company c-036) | grep -c '^zoe@shared.example')"
expect_eq "a profile not at the event has its contacts only" "" \
    "$("$TAVOLO" notify recipients no-such-event company c-036)"
"$TAVOLO" notify recipients jpm-2027 person c-029 >/dev/null 2>&1
expect_eq "a kind other than company or investor is a usage error" 2 $?

finish
