#!/usr/bin/env bash
# Languages in event files (issue 15): the event's default and each person's own, kept by the
# import and read by the recipients of notifications (tavolo notify recipients); a file
# imported again unchanged writes nothing; a language other than it or en is refused, naming
# its path, and nothing is written.
. "$(dirname "$0")/lib.sh"
TAVOLO=$1
FIX=$(cd "$(dirname "$0")/../../fixtures" && pwd)
require_pg
scratch_db cli_event_language
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; drop_scratch_db' EXIT
PY=/usr/bin/python3
EV=$FIX/events/jpm-2027.json

# What the event and its participants hold (the rows, not when they were written).
dump() {
    sql "SELECT md5(string_agg(t, E'\n')) FROM (
        (SELECT (x.*)::text AS t FROM events x ORDER BY id)
        UNION ALL (SELECT * FROM (SELECT (x.*)::text FROM event_participants x
                   ORDER BY event_id, kind, profile_id) p)) d"
}

"$TAVOLO" import "$FIX/companies.jsonl" "$FIX/investors.jsonl" >/dev/null 2>&1
"$TAVOLO" event import "$EV" >/dev/null 2>&1
expect_eq "the fixture's Italian person reads Italian" \
    "$(printf 'giulia.ricci@c-001.example\tit\tGiulia Ricci')" \
    "$("$TAVOLO" notify recipients jpm-2027 company c-001 | grep '^giulia.ricci@')"
expect_eq "a person without a language, in an event without one, reads English" \
    "$(printf 'luca.dubois@c-029.example\ten\tLuca Dubois')" \
    "$("$TAVOLO" notify recipients jpm-2027 company c-029)"
expect_eq "the person's language is stored with the person" "it" \
    "$(sql "SELECT people->0->>'language' FROM event_participants WHERE profile_id = 'c-001'")"

# The event says Italian; one person of c-030 says English.
$PY - "$EV" "$tmp/it.json" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
e["language"] = "it"
p = next(p for p in e["participants"] if p["id"] == "c-030")
p["people"][1]["language"] = "en"
json.dump(e, open(sys.argv[2], "w"))
PY
"$TAVOLO" event import "$tmp/it.json" >/dev/null 2>&1
expect_eq "people without a language read the event's; one with, their own" \
    "$(printf 'andrea.lindqvist@c-030.example\tit\tAndrea Lindqvist\nandrea.keller@c-030.example\ten\tAndrea Keller')" \
    "$("$TAVOLO" notify recipients jpm-2027 company c-030)"
before=$(dump)
out=$("$TAVOLO" event import "$tmp/it.json" --json)
expect_contains "importing the same file again changes no participant" \
    '"participants": {"added": [], "removed": [], "changed": []}' "$out"
expect_contains "nor the event" '"event": {"changed": []}' "$out"
expect_eq "and leaves the same rows" "$before" "$(dump)"

$PY - "$tmp/it.json" "$tmp/bad.json" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
e["participants"][3]["people"][1]["language"] = "fr"
json.dump(e, open(sys.argv[2], "w"))
PY
out=$("$TAVOLO" event import "$tmp/bad.json" 2>&1)
expect_eq "a language other than it or en is refused" 1 $?
expect_contains "naming its path" 'participants[3].people[1].language' "$out"
expect_eq "and nothing is written" "$before" "$(dump)"

finish
