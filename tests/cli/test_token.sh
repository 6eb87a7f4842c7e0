#!/usr/bin/env bash
# tavolo token end to end: a new token is printed once and stored only as its hash, usage
# errors explain themselves, list never shows a token, revoke revokes.
. "$(dirname "$0")/lib.sh"
TAVOLO=$1
FIX=$(cd "$(dirname "$0")/../../fixtures" && pwd)
tmp=$(mktemp -d)
require_pg
scratch_db cli_token
trap 'rm -rf "$tmp"; drop_scratch_db' EXIT

"$TAVOLO" token create --role investor --subject i-001 --label laptop \
    >"$tmp/out" 2>"$tmp/err"
expect_eq "create exits 0" 0 $?
expect_eq "create prints one line on stdout" 1 "$(wc -l <"$tmp/out")"
tok=$(cat "$tmp/out")
if [[ "$tok" =~ ^tv_[A-Za-z0-9_-]{43}$ ]]; then
    ok "the line is a token"
else
    not_ok "not a token: [$tok]"
fi
err=$(cat "$tmp/err")
expect_contains "stderr says which token, once" \
    "token 1 for investor i-001: shown once, store it now" "$err"
expect_contains "stderr warns about a subject not imported yet" 'no investor "i-001" yet' "$err"
expect_eq "one row stored" 1 "$(sql 'SELECT count(*) FROM tokens')"

# The token appears in no column of any table, and the hash column is its BLAKE2b-256 hash.
found=0
for t in $(sql "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"); do
    n=$(sql "SELECT count(*) FROM $t r WHERE strpos(r::text, '${tok#tv_}') > 0")
    found=$((found + n))
done
expect_eq "the token is in no table" 0 "$found"
expect_eq "the token text is in no text column of tokens" 0 "$(sql "SELECT count(*) FROM tokens
    WHERE strpos(concat_ws(' ', role, subject, event_id, label, encode(hash, 'hex')),
                 '${tok#tv_}') > 0")"
want=$(/usr/bin/python3 -c 'import hashlib, sys
print(hashlib.blake2b(sys.argv[1].encode(), digest_size=32).hexdigest())' "$tok")
expect_eq "the stored hash is BLAKE2b-256 of the token" "$want" \
    "$(sql "SELECT encode(hash, 'hex') FROM tokens WHERE id = 1")"

tok2=$("$TAVOLO" token create --role investor --subject i-001 2>/dev/null)
[ "$tok2" != "$tok" ] && ok "a second token differs" || not_ok "a second token repeats the first"

"$TAVOLO" import "$FIX/investors.jsonl" >/dev/null 2>&1
err=$("$TAVOLO" token create --role investor --subject i-001 2>&1 >/dev/null)
case "$err" in
*warning*) not_ok "no warning once the investor exists: [$err]" ;;
*) ok "no warning once the investor exists" ;;
esac
err=$("$TAVOLO" token create --role admin 2>&1 >/dev/null)
expect_contains "an admin token names nothing" "token 4 for admin: shown once" "$err"

# Usage errors: exit 2, a message that says what to do, nothing on stdout, nothing stored.
usage_case() { # DESCRIPTION EXPECTED_STATUS NEEDLE ARGS...
    local desc=$1 want=$2 needle=$3 status
    shift 3
    "$TAVOLO" token "$@" >"$tmp/out" 2>"$tmp/err"
    status=$?
    expect_eq "$desc: exit $want" "$want" "$status"
    expect_contains "$desc: message" "$needle" "$(cat "$tmp/err")"
    expect_eq "$desc: nothing on stdout" "" "$(cat "$tmp/out")"
}
rows=$(sql 'SELECT count(*) FROM tokens')
usage_case "no role" 2 "--role is required" create
usage_case "unknown role" 2 "unknown --role" create --role wizard
usage_case "investor without subject" 2 "--subject is required for --role investor" \
    create --role investor
usage_case "company without subject" 2 "--subject is required for --role company" \
    create --role company
usage_case "organiser without event" 2 "--event is required for --role organiser" \
    create --role organiser
usage_case "admin with subject" 2 "--subject is only for --role investor or company" \
    create --role admin --subject i-001
usage_case "investor with event" 2 "--event is only for --role organiser" \
    create --role investor --subject i-001 --event ev-1
usage_case "stray argument" 2 "usage: tavolo token create" create --role admin extra
usage_case "unknown event" 1 'no event "no-such-event"' \
    create --role organiser --event no-such-event
usage_case "unknown subcommand" 2 'unknown token command "frob"' frob
usage_case "revoke without id" 2 "usage:" revoke
usage_case "revoke a non-number" 2 '"abc" is not a token id' revoke abc
usage_case "revoke an unknown id" 1 "no token 999" revoke 999
expect_eq "failed creates store nothing" "$rows" "$(sql 'SELECT count(*) FROM tokens')"

sql "INSERT INTO events (id, name) VALUES ('ev-1', 'Event one')" >/dev/null
err=$("$TAVOLO" token create --role organiser --event ev-1 2>&1 >/dev/null)
expect_eq "an organiser token for an existing event" 0 $?
expect_contains "names the event" "for organiser of event ev-1: shown once" "$err"

list=$("$TAVOLO" token list)
expect_eq "list exits 0" 0 $?
expect_contains "list shows the label" "laptop" "$list"
expect_contains "list shows the subject" "i-001" "$list"
expect_contains "list shows the event" "ev-1" "$list"
case "$list" in
*"${tok#tv_}"*) not_ok "list shows the token" ;;
*) ok "list does not show the token" ;;
esac

"$TAVOLO" token revoke 1 >"$tmp/out" 2>&1
expect_eq "revoke exits 0" 0 $?
expect_contains "revoke says so" "token 1 revoked" "$(cat "$tmp/out")"
expect_eq "revoked_at is set" 1 \
    "$(sql 'SELECT count(*) FROM tokens WHERE id = 1 AND revoked_at IS NOT NULL')"
expect_eq "only that one" 1 "$(sql 'SELECT count(*) FROM tokens WHERE revoked_at IS NOT NULL')"
"$TAVOLO" token revoke 1 >/dev/null 2>&1
expect_eq "revoking again is harmless" 0 $?

json=$("$TAVOLO" token list --json)
expect_eq "list --json exits 0" 0 $?
check=$(printf '%s' "$json" | /usr/bin/python3 -c '
import json, sys
rows = json.load(sys.stdin)
keys = {"id", "role", "subject", "event_id", "label", "created_at", "last_used_at", "revoked_at"}
assert all(set(r) == keys for r in rows), rows
first = rows[0]
assert first["id"] == 1 and first["label"] == "laptop" and first["revoked_at"], first
assert all(r["revoked_at"] is None for r in rows[1:]), rows
print(len(rows), first["role"], first["subject"], first["event_id"], first["created_at"][-1])
')
expect_eq "list --json: every token, fields, revoked one marked" "5 investor i-001 None Z" "$check"
case "$json" in
*"${tok#tv_}"*) not_ok "list --json shows the token" ;;
*) ok "list --json does not show the token" ;;
esac
finish
