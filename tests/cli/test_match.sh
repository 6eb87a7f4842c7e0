#!/usr/bin/env bash
# tavolo match end to end: the JSON contract, explanations, the event filter, errors.
. "$(dirname "$0")/lib.sh"
TAVOLO=$1
FIX=$(cd "$(dirname "$0")/../../fixtures" && pwd)
require_pg
scratch_db cli_match

"$TAVOLO" import "$FIX/companies.jsonl" "$FIX/investors.jsonl" >/dev/null 2>&1
"$TAVOLO" import --kind companies "$FIX/planted/companies.jsonl" >/dev/null 2>&1
"$TAVOLO" import --kind investors "$FIX/planted/investors.jsonl" >/dev/null 2>&1
expect_eq "profiles imported" 89 "$(sql 'SELECT count(*) FROM companies')"

json=$("$TAVOLO" match --investor p-inv-lung -k 5 --json)
expect_eq "--json exits 0" 0 $?
check=$(printf '%s' "$json" | /usr/bin/python3 -c '
import json, sys
rows = json.load(sys.stdin)
assert len(rows) == 5, len(rows)
for r in rows:
    assert {"company_id", "investor_id", "score", "contributions", "reasons"} <= set(r), r.keys()
    assert abs(sum(r["contributions"].values()) - r["score"]) < 1e-4, r
    assert r["investor_id"] == "p-inv-lung" and r["allowed"] is True
assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
print(rows[0]["company_id"], len(rows[0]["reasons"]) > 0)
')
expect_eq "the planted perfect fit ranks first, with reasons" "p-co-fit True" "$check"

text=$("$TAVOLO" match --company p-co-wants-cvc -k 3)
expect_contains "a readable table on a terminal" "Best 3 investors for p-co-wants-cvc" "$text"

# An event restricts matching to its participants.
sql "INSERT INTO events (id, name) VALUES ('jpm-test', 'Test event')" >/dev/null
sql "INSERT INTO event_participants VALUES ('jpm-test', 'company', 'c-001'),
     ('jpm-test', 'company', 'c-002'), ('jpm-test', 'investor', 'i-001')" >/dev/null
ids=$("$TAVOLO" match --investor i-001 -k 10 --event jpm-test --json |
    /usr/bin/python3 -c 'import json,sys; print(" ".join(sorted(r["company_id"] for r in json.load(sys.stdin))))')
expect_eq "only participants are matched" "c-002" "$ids"

out=$("$TAVOLO" match --investor i-001 --event no-such-event 2>&1)
expect_eq "an unknown event exits 1" 1 $?
expect_contains "and says so" 'no event "no-such-event"' "$out"

out=$("$TAVOLO" match --investor nobody 2>&1)
expect_eq "an unknown investor exits 1" 1 $?
expect_contains "and says so" 'no investor "nobody"' "$out"

out=$("$TAVOLO" match --investor i-001 --set weights.colour=1 2>&1)
expect_eq "an unknown setting exits 1" 1 $?
expect_contains "and names it" "weights.colour: unknown setting" "$out"

out=$("$TAVOLO" match --investor i-001 --set ticket.high_eur=100 2>&1)
expect_eq "a ticket range left empty by --set exits 1" 1 $?
expect_contains "and names both settings" "ticket.high_eur (100) must be above ticket.low_eur" "$out"
out=$("$TAVOLO" match --investor i-001 --set ticket.high_eur=100 --set ticket.low_eur=10 -k 1 2>&1)
expect_eq "but the same two set in either order are fine" 0 $?

out=$("$TAVOLO" match --investor i-001 --company c-001 2>&1)
expect_eq "both sides at once is a usage error" 2 $?
finish
