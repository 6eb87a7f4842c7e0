#!/usr/bin/env bash
# tavolo import end to end: fixtures, idempotence, bad input writes nothing, --skip-invalid,
# CSV, JSON arrays, and the messages a user sees.
. "$(dirname "$0")/lib.sh"
TAVOLO=$1
FIX=$(cd "$(dirname "$0")/../../fixtures" && pwd)
tmp=$(mktemp -d)
require_pg
scratch_db cli_import
trap 'rm -rf "$tmp"; drop_scratch_db' EXIT

out=$("$TAVOLO" import "$FIX/companies.jsonl" "$FIX/investors.jsonl" 2>&1)
expect_eq "fixtures import exits 0" 0 $?
expect_contains "companies inserted" "84 companies: 84 inserted" "$out"
expect_eq "84 company rows" 84 "$(sql 'SELECT count(*) FROM companies')"
expect_eq "56 investor rows" 56 "$(sql 'SELECT count(*) FROM investors')"

out=$("$TAVOLO" import "$FIX/companies.jsonl" 2>&1)
expect_contains "second import changes nothing" "0 inserted, 0 updated, 84 unchanged" "$out"
expect_eq "no row was rewritten" 1 "$(sql 'SELECT max(version) FROM companies')"

# A file with one bad record: nothing from it is written, and the message names the place.
head -2 "$FIX/import/companies_sample.jsonl" > "$tmp/bad.jsonl"
echo '{"id":"c-900","name":"Nuova Bio","rd_spend_eur":"lots"}' >> "$tmp/bad.jsonl"
echo '{"id":"c-901","name":"Altra Bio"}' >> "$tmp/bad.jsonl"
out=$("$TAVOLO" import --kind companies "$tmp/bad.jsonl" 2>&1)
expect_eq "bad file exits 1" 1 $?
expect_contains "message names file, line and field" \
    "bad.jsonl:3: rd_spend_eur: expected a non-negative integer, got \"lots\"" "$out"
expect_contains "says nothing was written" "nothing written" "$out"
expect_eq "valid record of the bad file not written" 0 \
    "$(sql "SELECT count(*) FROM companies WHERE id = 'c-901'")"

echo '{"id":"c-902","name":"Terza Bio","rd_spend_eur":"lots","founded":"x","city":7}' >> "$tmp/bad.jsonl"
out=$("$TAVOLO" import --kind companies --skip-invalid "$tmp/bad.jsonl" 2>&1)
expect_eq "--skip-invalid exits 0" 0 $?
expect_contains "and counts records skipped, not problems" "2 invalid skipped" "$out"
expect_contains "--skip-invalid still reports the bad record" "bad.jsonl:3: rd_spend_eur" "$out"
expect_eq "--skip-invalid writes the valid record" 1 \
    "$(sql "SELECT count(*) FROM companies WHERE id = 'c-901'")"
expect_eq "--skip-invalid leaves the bad record out" 0 \
    "$(sql "SELECT count(*) FROM companies WHERE id = 'c-900'")"

out=$("$TAVOLO" import "$FIX/import/companies_sample.csv" 2>&1)
expect_contains "CSV of the same records changes nothing" "0 inserted, 0 updated, 8 unchanged" "$out"

printf '[{"id":"c-950","name":"Array Bio"},\n {"id":"c-951","name":"Array Due","area":"mars"}]\n' \
    > "$tmp/arr.json"
out=$("$TAVOLO" import --kind companies "$tmp/arr.json" 2>&1)
expect_contains "JSON array errors name the index" "arr.json[1]: area: unknown area \"mars\"" "$out"

printf 'id,name\nc-960,"Quote"d"\n' > "$tmp/broken.csv"
out=$("$TAVOLO" import --kind companies "$tmp/broken.csv" 2>&1)
expect_eq "malformed CSV exits 1" 1 $?
expect_contains "malformed CSV names the line" "broken.csv:2: malformed CSV" "$out"

out=$("$TAVOLO" import "$tmp/arr.json" 2>&1)
expect_contains "a file of unknown kind asks for --kind" "use --kind" "$out"

printf 'id,name,name\nc-970,A,B\n' > "$tmp/twice.csv"
out=$("$TAVOLO" import --kind companies "$tmp/twice.csv" 2>&1)
expect_eq "a repeated CSV column exits 1" 1 $?
expect_contains "a repeated CSV column is named on line 1" "twice.csv:1: name: repeats column 2" "$out"

printf 'id,name,description\nc-971,A,ab\0cd\n' > "$tmp/nul.csv"
out=$("$TAVOLO" import --kind companies "$tmp/nul.csv" 2>&1)
expect_contains "a NUL byte in a CSV cell names line and column" \
    "nul.csv:2: description: contains a NUL byte" "$out"

echo '{"id":"c-972","name":"Big","raise_eur":9223372036854775808}' > "$tmp/big.jsonl"
echo '{"id":"c-973","name":"Nul","description":"a\u0000b"}' >> "$tmp/big.jsonl"
out=$("$TAVOLO" import --kind companies "$tmp/big.jsonl" 2>&1)
expect_contains "a number out of range names its field" \
    "big.jsonl:1: raise_eur: number out of range" "$out"
expect_contains "a NUL character names its field" \
    "big.jsonl:2: description: contains a NUL character" "$out"

out=$(TAVOLO_DATABASE_URL="host=/nonexistent" "$TAVOLO" import --dry-run "$FIX/investors.jsonl" 2>&1)
expect_eq "--dry-run validates without a database" 0 $?
expect_contains "--dry-run reports the valid count" "56 investors valid (dry run)" "$out"

out=$(TAVOLO_DATABASE_URL="host=/nonexistent" "$TAVOLO" import "$FIX/investors.jsonl" 2>&1)
expect_eq "an unreachable database exits 1" 1 $?
expect_contains "and says so" "cannot connect to the database" "$out"

expect_eq "import log has a row per write" 5 "$(sql 'SELECT count(*) FROM import_runs')"
finish
