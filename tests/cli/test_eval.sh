#!/usr/bin/env bash
# tavolo eval end to end on a small made-up data set: the JSON contract, the table, and
# errors that name the file, line and field.
. "$(dirname "$0")/lib.sh"
TAVOLO=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

cat > "$dir/companies.jsonl" <<'JSON'
{"id": "company/a", "name": "A", "categories": ["biotech"], "country": "USA", "state": "MA", "region": "Boston"}
{"id": "company/b", "name": "B", "categories": ["medical"], "country": "USA", "state": "CA", "region": "SF Bay"}
{"id": "company/n", "name": "N", "categories": ["biotech"], "country": "USA", "state": "MA", "region": "Boston"}
JSON
cat > "$dir/investors.jsonl" <<'JSON'
{"id": "investor/local", "name": "Local", "type": "unknown"}
{"id": "investor/far", "name": "Far", "type": "corporate", "country": "USA"}
JSON
cat > "$dir/investments.jsonl" <<'JSON'
{"company_id": "company/a", "investor_id": "investor/local", "round_type": "series-a", "funded_at": "2010-03-01", "raised_amount_usd": 4000000}
{"company_id": "company/b", "investor_id": "investor/far", "round_type": "series-b", "funded_at": "2010-06-01", "raised_amount_usd": 20000000}
{"company_id": "company/n", "investor_id": "investor/local", "round_type": "series-a", "funded_at": "2011-05-01", "raised_amount_usd": 5000000}
{"company_id": "company/a", "investor_id": "investor/far", "round_type": "series-b", "funded_at": "2011-09-01", "raised_amount_usd": null}
JSON

json=$("$TAVOLO" eval --data "$dir" --cutoff 2010-12-31 --k 1,5 --json)
expect_eq "--json exits 0" 0 $?
check=$(printf '%s' "$json" | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)
methods = {"tavolo", "popularity", "recent_popularity", "geography", "content", "random"}
for g in ("cold", "follow_on"):
    assert set(r["groups"][g]) == methods, r["groups"][g].keys()
    for m in methods:
        assert {"recall@1", "recall@5", "recall@10", "recall@20", "ndcg@20", "mrr", "queries"} <= set(r["groups"][g][m])
print(r["cutoff"], r["until"], r["groups"]["cold"]["tavolo"]["queries"], r["groups"]["follow_on"]["tavolo"]["queries"],
      r["groups"]["cold"]["tavolo"]["recall@1"], r["pairs"]["known_investors"])
')
expect_eq "groups, methods, metrics; the local investor first for the Boston newcomer" \
    "2010-12-31 2011-12-31 1 1 1.0 2" "$check"

busy=$("$TAVOLO" eval --data "$dir" --cutoff 2010-12-31 --min-companies 2 --json | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)
print(r["min_companies"], r["pairs"]["known_investors"], r["pairs"]["unranked_investor"])')
expect_eq "--min-companies 2: no investor backed two companies, none ranked" "2 0 2" "$busy"

text=$("$TAVOLO" eval --data "$dir" --cutoff 2010-12-31)
expect_contains "a readable table" "Cold start (no round before the cut): 1 companies" "$text"
expect_contains "the ratio line" "recall@20: tavolo is" "$text"

# The holes of a real export (no date, an id no row has, a repeated row) are left out and
# said, kind by kind with their lines; the run goes on. --strict fails on them instead.
cp "$dir/investments.jsonl" "$dir/good.jsonl"
{
    cat "$dir/good.jsonl"
    printf '%s\n' '{"company_id": "company/zzz", "investor_id": "investor/local", "round_type": "series-a", "funded_at": "2010-03-01"}' \
        '{"company_id": "company/a", "investor_id": "investor/local", "round_type": "series-a", "funded_at": null}' \
        '{"company_id": "company/a", "investor_id": "investor/nobody", "round_type": "series-a", "funded_at": "2010-03-01"}' \
        '{"company_id": "company/b", "investor_id": "investor/far", "round_type": "series-b", "funded_at": "2010-13-01"}'
    head -n 1 "$dir/good.jsonl"
    head -n 1 "$dir/good.jsonl"
} >"$dir/investments.jsonl"
out=$("$TAVOLO" eval --data "$dir" --cutoff 2010-12-31 --k 1,5 --json 2>"$dir/err")
expect_eq "holes: the run goes on (exit 0) and measures the same as without them" "0 same" \
    "$? $([ "$out" = "$json" ] && echo same || echo different)"
err=$(cat "$dir/err")
expect_contains "the rows without a date, counted, with their lines" "2 rows without a date, left out (lines 6, 8)" "$err"
expect_contains "the unknown company" "1 row naming a company no row has, left out (line 5)" "$err"
expect_contains "the unknown investor" "1 row naming an investor no row has, left out (line 7)" "$err"
expect_contains "the repeated rows" "2 rows the same as an earlier row, left out (lines 9, 10)" "$err"
err=$("$TAVOLO" eval --data "$dir" --cutoff 2010-12-31 --strict 2>&1 >/dev/null)
expect_eq "--strict: the holes are errors, exit 1" 1 $?
expect_contains "--strict names file, line 5 and company_id" "investments.jsonl:5: company_id" "$err"
expect_contains "--strict names line 8 and funded_at" "investments.jsonl:8: funded_at" "$err"
expect_contains "--strict names the repeat at line 10" "investments.jsonl:10" "$err"

# Other errors: the file, the line and the field; nothing runs.
{
    cat "$dir/good.jsonl"
    printf '%s\n' 'not json' '{"company_id": "company/a", "investor_id": "investor/local", "round_type": "series-z", "funded_at": "2010-03-01"}'
} >"$dir/investments.jsonl"
err=$("$TAVOLO" eval --data "$dir" --cutoff 2010-12-31 2>&1 >/dev/null)
expect_eq "bad data: exit 1" 1 $?
expect_contains "names file and line 5" "investments.jsonl:5" "$err"
expect_contains "names round_type at line 6" "investments.jsonl:6: round_type" "$err"
"$TAVOLO" eval --data "$dir" --cutoff 2010-02-30 >/dev/null 2>&1
expect_eq "an impossible cut date: usage error 2" 2 $?
"$TAVOLO" eval --data "$dir" --cutoff 2010-12-31 --min-companies 0 >/dev/null 2>&1
expect_eq "--min-companies 0: usage error 2" 2 $?
"$TAVOLO" eval --data "$dir/nowhere" --cutoff 2010-12-31 >/dev/null 2>&1
expect_eq "a missing folder: exit 1" 1 $?
finish
