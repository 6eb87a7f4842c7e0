#!/usr/bin/env bash
# tavolo eligibility end to end, text and JSON.
. "$(dirname "$0")/lib.sh"
TAVOLO=$1
FIX=$(cd "$(dirname "$0")/../../fixtures" && pwd)
require_pg
scratch_db cli_eligibility

"$TAVOLO" import "$FIX/companies.jsonl" >/dev/null 2>&1
expect_eq "fixtures imported" 84 "$(sql 'SELECT count(*) FROM companies')"

json=$("$TAVOLO" eligibility --json)
expect_eq "--json exits 0" 0 $?
summary=$(printf '%s' "$json" | /usr/bin/python3 -c '
import json, sys
rows = json.load(sys.stdin)
assert all(set(r) >= {"company_id", "eligible", "criteria"} for r in rows)
assert all([c["name"] for c in r["criteria"]] ==
           ["rd_threshold", "not_commercial", "patents", "italy"] for r in rows)
assert all(c["result"] in ("pass", "fail", "unknown") and c["reason"]
           for r in rows for c in r["criteria"])
# The verdict follows from the criteria.
for r in rows:
    results = [c["result"] for c in r["criteria"]]
    want = False if "fail" in results else None if "unknown" in results else True
    assert r["eligible"] is want, r
print(len(rows), sum(r["eligible"] is True for r in rows), sum(r["eligible"] is False for r in rows),
      sum(r["eligible"] is None for r in rows))
')
expect_eq "JSON holds every company with a consistent verdict" 84 "${summary%% *}"

text=$("$TAVOLO" eligibility)
read -r n yes no unk <<< "$summary"
expect_contains "text summary agrees with JSON" \
    "84 companies: $yes eligible, $no not eligible, $unk unknown" "$text"

one=$("$TAVOLO" eligibility --json c-036)
expect_contains "a failed threshold carries its figures" "EUR 1,999,999 a year is below the EUR 2,000,000" "$one"

out=$("$TAVOLO" eligibility no-such-company 2>&1)
expect_eq "an unknown id exits 1" 1 $?
expect_contains "and says so" "do not exist" "$out"
finish
