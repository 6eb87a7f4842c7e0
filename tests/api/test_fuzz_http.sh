#!/usr/bin/env bash
# api.fuzz_http: requests generated from api/daemon/openapi.yaml (valid and mutated bodies, parameters,
# ids, methods, media types, each with every role's token) against `tavolo serve`; fails on any
# 5xx, any answer the description does not document or whose body does not validate against
# it, and any daemon exit. This script makes a PostgreSQL of its own, loads the fixtures and both
# fixture events, makes a token of each role, and runs tests/api/fuzz_http.py, which starts the
# daemon as its child (to see at once when it dies, and to start it again) and holds every
# answer to the description.
#
# Usage: test_fuzz_http.sh PATH/TO/tavolo     (exit 0 when every check passes)
# TV_FUZZ_SEED (the printed seed), TV_FUZZ_SECONDS (default 55), TV_FUZZ_REQUESTS (default
# 20000) and TV_FUZZ_VERBOSE=1 (every failure in full) go to fuzz_http.py. The long bodies of
# failing requests, which their curl reproducers read, are kept in TV_FUZZ_SAVE (default
# fuzz_http-failures/ beside the binary).
# Bounded: the fuzzer's time budget, and a watchdog of that budget and 30 s for the setup.
if [ -z "${TV_FUZZ_INNER:-}" ]; then
    budget=${TV_FUZZ_SECONDS:-55}
    TV_FUZZ_INNER=1 exec timeout -k 5 $((${budget%%.*} + 30)) "$0" "$@"
fi
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/http.sh"
[ $# -eq 1 ] || { echo "usage: $0 PATH/TO/tavolo"; exit 2; }
TAVOLO=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
FIX=$(cd "$HERE/../../fixtures" && pwd)
PY=/usr/bin/python3
EVENT=jpm-2027 # the organiser's event; bio-2027 is another one

export TAVOLO_HOME
TAVOLO_HOME=$(mktemp -d "${TMPDIR:-/tmp}/tavolo-fuzz.XXXXXX")
chmod 755 "$TAVOLO_HOME" # PostgreSQL runs as the postgres user when we are root
tmp=$TAVOLO_HOME/test
mkdir "$tmp"
unset TAVOLO_DATABASE_URL

cleanup() {
    local rc=$?
    trap - EXIT TERM INT
    # The fuzzer stops its daemon; one left by a fuzzer that was killed is stopped here.
    if [ -s "$tmp/daemon.pid" ]; then
        kill -TERM "$(cat "$tmp/daemon.pid")" 2>/dev/null
    fi
    "$TAVOLO" db stop >/dev/null 2>&1
    rm -rf "$TAVOLO_HOME"
    exit "$rc"
}
trap cleanup EXIT
trap 'not_ok "the test ran out of time or was interrupted"; finish; exit 1' TERM INT

own_cluster

"$TAVOLO" import "$FIX/companies.jsonl" "$FIX/investors.jsonl" >/dev/null 2>"$tmp/import.err" ||
    cat "$tmp/import.err"
for e in "$FIX"/events/*.json; do
    "$TAVOLO" event import "$e" >/dev/null 2>>"$tmp/import.err" || cat "$tmp/import.err"
done
want="$(wc -l <"$FIX/companies.jsonl")|$(wc -l <"$FIX/investors.jsonl")"
want="$want|$(ls "$FIX"/events/*.json | wc -l)"
expect_eq "fixtures and both events loaded (companies|investors|events)" "$want" \
    "$(sql 'SELECT (SELECT count(*) FROM companies), (SELECT count(*) FROM investors),
                   (SELECT count(*) FROM events)')"

# The participant tokens are for the two sides of pending requests of the event, each the side
# that was asked, so that each may accept something.
read -r company investor < <("$PY" - "$FIX/events/$EVENT.json" <<'PYEOF'
import json, sys
e = json.load(open(sys.argv[1]))
pending = [r for r in e["requests"] if r.get("status", "pending") == "pending"]
co = next((r["company_id"] for r in pending if r["from"] == "investor"), None)
inv = next((r["investor_id"] for r in pending if r["from"] == "company"), None)
first = {p["kind"]: p["id"] for p in reversed(e["participants"])}
print(co or first["company"], inv or first["investor"])
PYEOF
)
token() { "$TAVOLO" token create "$@" 2>>"$tmp/token.err"; }
"$PY" -c 'import json, sys
roles = ("admin", "organiser", "investor", "company")
subjects = ("",) + tuple(sys.argv[5:8])
print(json.dumps({r: {"token": t, "subject": s}
                  for r, t, s in zip(roles, sys.argv[1:5], subjects)}))' \
    "$(token --role admin)" "$(token --role organiser --event "$EVENT")" \
    "$(token --role investor --subject "$investor")" \
    "$(token --role company --subject "$company")" \
    "$EVENT" "$investor" "$company" >"$tmp/tokens.json"
roles="admin, organiser of $EVENT, investor $investor, company $company"
expect_eq "a token of each role ($roles)" 4 "$(sql 'SELECT count(*) FROM tokens')"
[ "$failed" -eq 0 ] || { finish; exit 1; }

"$PY" "$HERE/fuzz_http.py" --tavolo "$TAVOLO" --spec "$HERE/../../api/daemon/openapi.yaml" \
    --fixtures "$FIX" --tokens "$tmp/tokens.json" --work "$tmp" \
    --save "${TV_FUZZ_SAVE:-$(dirname "$TAVOLO")/fuzz_http-failures}"
