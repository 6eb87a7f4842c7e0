#!/usr/bin/env bash
# tavolo import --kind investments (issue 19): a real export's investment rows added to the
# stored profiles, each investor's portfolio a holding per company, each company's investors
# the investor; the holes of the export (no date, an id no profile has, a repeated row) left out
# and said kind by kind with their lines; --strict, --dry-run and a second run write nothing.
. "$(dirname "$0")/lib.sh"
TAVOLO=$1
FIX=$(cd "$(dirname "$0")/../../fixtures" && pwd)
tmp=$(mktemp -d)
require_pg
scratch_db cli_import_investments
trap 'rm -rf "$tmp"; drop_scratch_db' EXIT

"$TAVOLO" import "$FIX/companies.jsonl" "$FIX/investors.jsonl" >/dev/null 2>&1
portfolio() { sql "SELECT jsonb_array_length(coalesce(doc->'portfolio', '[]')) FROM investors WHERE id = '$1'"; }
before=$(portfolio i-001)
versions=$(sql "SELECT sum(version) FROM companies")+$(sql "SELECT sum(version) FROM investors")
cat >"$tmp/investments.jsonl" <<'JSON'
{"company_id": "c-003", "investor_id": "i-001", "round_type": "series-a", "funded_at": "2021-03-01", "raised_amount_usd": 8000000}
{"company_id": "c-003", "investor_id": "i-002", "round_type": "venture", "funded_at": "2022-06-01", "raised_amount_usd": null}
{"company_id": "c-nobody", "investor_id": "i-001", "round_type": "series-a", "funded_at": "2021-03-01"}
{"company_id": "c-004", "investor_id": "i-001", "round_type": "series-b", "funded_at": null}
{"company_id": "c-003", "investor_id": "i-001", "round_type": "series-a", "funded_at": "2021-03-01", "raised_amount_usd": 8000000}
{"company_id": "c-004", "investor_id": "i-nobody", "round_type": "series-b", "funded_at": "2020-01-01"}
JSON

out=$("$TAVOLO" import --kind investments "$tmp/investments.jsonl" --strict 2>&1)
expect_eq "--strict: the holes are errors, exit 1" 1 $?
expect_contains "--strict names line 3 and company_id" "investments.jsonl:3: company_id" "$out"
expect_contains "--strict says nothing was written" "nothing written" "$out"
out=$("$TAVOLO" import --dry-run "$tmp/investments.jsonl" 2>&1)
expect_eq "--dry-run (the kind told by the file's name): exit 0" 0 $?
expect_contains "--dry-run says what it would do" "2 investments (dry run: nothing written): 2 holdings added" "$out"
expect_eq "--strict and --dry-run wrote nothing" \
    "$versions" "$(sql "SELECT sum(version) FROM companies")+$(sql "SELECT sum(version) FROM investors")"

out=$("$TAVOLO" import --kind investments "$tmp/investments.jsonl" 2>&1)
expect_eq "the import goes on past the holes: exit 0" 0 $?
expect_contains "what it did" "2 investments: 2 holdings added, 2 investors and 1 companies changed, 4 rows left out" "$out"
expect_contains "the unknown company, with its line" "1 row naming a company no row has, left out (line 3)" "$out"
expect_contains "the row without a date" "1 row without a date, left out (line 4)" "$out"
expect_contains "the repeated row" "1 row the same as an earlier row, left out (line 5)" "$out"
expect_contains "the unknown investor" "1 row naming an investor no row has, left out (line 6)" "$out"
expect_eq "i-001 holds c-003 now: its name, round, size in euros and year" \
    "$((before + 1)) Polmonix Bio series_a 6000000 2021" \
    "$(portfolio i-001) $(sql "SELECT h->>'name', h->>'round', h->>'raise_eur', h->>'year' FROM investors, jsonb_array_elements(doc->'portfolio') h WHERE id = 'i-001' AND h->>'name' = 'Polmonix Bio'" | tr '|' ' ')"
expect_eq "c-003 lists both investors" "i-001 i-002" \
    "$(sql "SELECT string_agg(x, ' ' ORDER BY x) FROM companies, jsonb_array_elements_text(doc->'investors') x WHERE id = 'c-003' AND x IN ('i-001', 'i-002')")"
versions=$(sql "SELECT sum(version) FROM companies")+$(sql "SELECT sum(version) FROM investors")
out=$("$TAVOLO" import --kind investments "$tmp/investments.jsonl" 2>&1)
expect_contains "a second run adds nothing" "0 holdings added, 0 investors and 0 companies changed" "$out"
expect_eq "and rewrites no profile" "$versions" \
    "$(sql "SELECT sum(version) FROM companies")+$(sql "SELECT sum(version) FROM investors")"
finish
