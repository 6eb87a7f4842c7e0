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
expect_eq "profiles imported" 92 "$(sql 'SELECT count(*) FROM companies')"

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
expect_contains "with the fit and its level" "  #  fit level      score" "$text"

# Scores people read: fit, level, top reasons and flags, on one scale for every list.
check=$("$TAVOLO" match --investor p-inv-lung -k 20 --json | /usr/bin/python3 -c '
import json, sys
rows = json.load(sys.stdin)
levels = {"excellent": 90, "good": 75, "fair": 50, "weak": 0}
for r in rows:
    assert 0 <= r["fit"] <= 100 and isinstance(r["fit"], int), r["fit"]
    assert r["fit"] >= levels[r["level"]] and all(
        r["fit"] < v for k, v in levels.items() if v > levels[r["level"]]), (r["fit"], r["level"])
    assert 1 <= len(r["top_reasons"]) <= 3, r["top_reasons"]
    c = [x["contribution"] for x in r["top_reasons"]]
    assert c == sorted(c, reverse=True) and all(x["text"] for x in r["top_reasons"]), r
    assert isinstance(r["flags"], list)
fits = [r["fit"] for r in rows]
assert fits == sorted(fits, reverse=True), fits
print(rows[0]["level"], rows[0]["top_reasons"][0]["block"] != "")
')
expect_eq "fit, level and reasons on every match" "excellent True" "$check"

# An ineligible company is listed (eligibility masks nothing by default) and flagged.
flagged=$("$TAVOLO" match --investor i-001 -k 50 --json | /usr/bin/python3 -c '
import json, sys
rows = json.load(sys.stdin)
print(sum(1 for r in rows if [f["name"] for f in r["flags"]] == ["not_eligible"]
          and r["flags"][0]["text"].startswith("Not ESIBE-eligible")))
')
test "$flagged" -gt 0
expect_eq "an ineligible company is flagged by name" 0 $?

# Italian through and through: no English sentence, an Italian table.
it_json=$("$TAVOLO" match --investor p-inv-lung -k 20 --json --lang it)
english=$(printf '%s' "$it_json" | /usr/bin/python3 -c '
import json, re, sys
ENGLISH = {"the", "and", "shared", "focus", "strongest", "common", "words", "investor", "fits",
           "company", "wants", "profile", "thesis", "raise", "range", "allowed", "criteria",
           "not", "with", "of", "is", "pass", "fail", "unknown", "checked", "holds", "where"}
rows = json.load(sys.stdin)
found = set()
for r in rows:
    words = [w for w in r["shared_text"]]
    sentences = r["reasons"] + [x["text"] for x in r["top_reasons"] if x["block"] != "text"]
    sentences += [f["text"] for f in r["flags"]] + [c["detail"] for c in r["constraints"]]
    for s in sentences:
        for w in words:
            s = s.replace(w, "")
        found |= {w for w in re.findall(r"[a-z]+", s.lower()) if w in ENGLISH}
    assert r["level"] in ("eccellente", "buona", "discreta", "debole"), r["level"]
print(" ".join(sorted(found)) or "none")
')
expect_eq "no English word in --lang it sentences" "none" "$english"
text=$("$TAVOLO" match --investor p-inv-lung -k 3 --lang it)
expect_contains "an Italian table" "I 3 migliori aziende per p-inv-lung" "$text"
expect_contains "with Italian column names" "affinità       punt.  id       nome" "$text"
expect_contains "and Italian sentences" "Interessi comuni: " "$text"
english=$(printf '%s\n' "$text" | grep -c -i -w -E "shared|focus|words|best|score|name|investors")
expect_eq "no English word in the Italian table" 0 "$english"
out=$("$TAVOLO" match --investor p-inv-lung --lang fr 2>&1)
expect_eq "an unknown language is a usage error" 2 $?
expect_contains "naming the option" "--lang: expected it or en" "$out"

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
