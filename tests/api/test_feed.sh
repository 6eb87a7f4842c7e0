#!/usr/bin/env bash
# api.feed: two `tavolo serve` on one PostgreSQL of their own behind HAProxy (round robin,
# loopback only), learning of every write through LISTEN/NOTIFY (decision 0042). Writes made
# by the command line, by SQL, through one daemon or through the load balancer are read
# through the other within 1 s; a token revoked through one daemon is refused by the other at
# once, though both had it cached; the daily digest run by both at once is sent exactly once;
# notifications that mean nothing, a removal of a profile nobody knew and a burst of 10,000
# writes leave both daemons up and equal to a fresh load; after PostgreSQL restarts, both
# connect again, catch up, and no acknowledged write is lost.
#
# Usage: test_feed.sh PATH/TO/tavolo     (exit 0 when every check passes)
# Bounded: every curl has --max-time, every wait a limit, and the whole run a watchdog.
if [ -z "${TV_API_TEST_INNER:-}" ]; then
    TV_API_TEST_INNER=1 exec timeout -k 5 170 "$0" "$@"
fi
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/http.sh"
[ $# -eq 1 ] || { echo "usage: $0 PATH/TO/tavolo"; exit 2; }
TAVOLO=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
FIX=$(cd "$HERE/../../fixtures" && pwd)
PY=/usr/bin/python3
VISIBLE=1.0 # seconds a write may take to show on the other daemon

export TAVOLO_HOME
TAVOLO_HOME=$(mktemp -d "${TMPDIR:-/tmp}/tavolo-feed.XXXXXX")
chmod 755 "$TAVOLO_HOME" # PostgreSQL runs as the postgres user when we are root
tmp=$TAVOLO_HOME/test
mkdir "$tmp"
unset TAVOLO_DATABASE_URL TAVOLO_AUTH_CACHE_SECONDS TAVOLO_AUTH_GRACE_SECONDS
declare -A pid=() url=()

cleanup() {
    local rc=$?
    trap - EXIT TERM INT
    for name in "${!pid[@]}"; do
        kill -KILL "${pid[$name]}" 2>/dev/null
        wait "${pid[$name]}" 2>/dev/null
    done
    if [ "$failed" -gt 0 ]; then
        for log in "$tmp"/*.log; do
            echo "# last lines of $(basename "$log"):"
            tail -n 8 "$log" | sed 's/^/#   /'
        done
        print_failures
    fi
    "$TAVOLO" db stop >/dev/null 2>&1
    rm -rf "$TAVOLO_HOME"
    exit "$rc"
}
trap cleanup EXIT
trap 'not_ok "the test ran out of time or was interrupted"; finish; exit 1' TERM INT

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_daemon NAME [ENV=VALUE...]: a daemon on a free port; waits for its feed to listen.
start_daemon() {
    local name=$1
    shift
    rm -f "$tmp/$name.port"
    env TAVOLO_DIGEST_TIME=off "$@" "$TAVOLO" serve --listen 127.0.0.1:0 \
        --port-file "$tmp/$name.port" >/dev/null 2>>"$tmp/$name.log" &
    pid[$name]=$!
    for _ in $(seq 100); do
        grep -q '^[0-9][0-9]*$' "$tmp/$name.port" 2>/dev/null && break
        sleep 0.1
    done
    url[$name]=http://127.0.0.1:$(cat "$tmp/$name.port" 2>/dev/null)
    wait_listening "$name"
}

# wait_listening NAME: until /healthz of NAME says its feed listens (10 s at most).
wait_listening() {
    base=${url[$1]}
    for _ in $(seq 100); do
        call GET /healthz "" && [ "$code" = 200 ] && [ "$(js 'd["feed"]["listening"]')" = True ] &&
            return 0
        sleep 0.1
    done
    not_ok "$1's change feed listens"
    return 1
}

stop_daemon() {
    kill -TERM "${pid[$1]}" 2>/dev/null
    wait "${pid[$1]}" 2>/dev/null
    unset "pid[$1]"
}

# visible DESCRIPTION NAME METHOD PATH TOKEN STATUS [PYTHON EXPR]: polls NAME until PATH
# answers STATUS (and EXPR over the body is True), at most $VISIBLE s; reports how long.
visible() {
    local what=$1 name=$2 method=$3 path=$4 token=$5 want=$6 expr=${7:-True} t0 took
    t0=$EPOCHREALTIME
    base=${url[$name]}
    while :; do
        call "$method" "$path" "$token"
        took=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }')
        if [ "$code" = "$want" ] && [ "$(js "$expr")" = True ]; then
            ok "$what (after $took s)"
            return 0
        fi
        if awk -v t="$took" -v l="$VISIBLE" 'BEGIN { exit !(t > l) }'; then
            not_ok "$what: after $took s still $code $(head -c 200 "$tmp/body")"
            return 1
        fi
        sleep 0.01
    done
}

# state NAME: one line per stored profile as NAME serves it (every page of both lists).
state() {
    "$PY" "$HERE/feed_state.py" "${url[$1]}" "$ADMIN"
}

# converged DESCRIPTION LIMIT NAME...: until each NAME's state equals a fresh daemon's.
converged() {
    local what=$1 limit=$2 t0 fresh name same
    shift 2
    start_daemon fresh
    fresh=$(state fresh)
    stop_daemon fresh
    t0=$SECONDS
    for name in "$@"; do
        while :; do
            same=0
            [ "$(state "$name")" = "$fresh" ] && same=1
            [ $same = 1 ] || [ $((SECONDS - t0)) -ge "$limit" ] && break
            sleep 0.2
        done
        if [ $same = 1 ]; then
            ok "$what: $name equals a fresh load ($(echo "$fresh" | wc -l) profiles)"
        else
            not_ok "$what: $name differs from a fresh load after $limit s"
            diff <(state "$name") <(echo "$fresh") | head -n 6
        fi
    done
}

# ---- a cluster of our own, the fixtures, tokens, two daemons and HAProxy ----

own_cluster
"$TAVOLO" import "$FIX/companies.jsonl" "$FIX/investors.jsonl" >/dev/null 2>&1
expect_eq "fixtures imported (companies|investors)" "84|56" \
    "$(sql 'SELECT (SELECT count(*) FROM companies), (SELECT count(*) FROM investors)')"
token() { "$TAVOLO" token create "$@" 2>"$tmp/token.err"; }
token_id() { sed -n 's/^token \([0-9]*\) .*/\1/p' "$tmp/token.err"; }
ADMIN=$(token --role admin)
INV=$(token --role investor --subject i-001)
REV=$(token --role investor --subject i-001)
rev_id=$(token_id)

# Both daemons run the daily digest due today at once, on one outbox.
start_daemon a TAVOLO_DIGEST_TIME=00:00 TAVOLO_DIGEST_ZONE=UTC
start_daemon b TAVOLO_DIGEST_TIME=00:00 TAVOLO_DIGEST_ZONE=UTC

lb_port=$(free_port)
cat >"$tmp/haproxy.cfg" <<EOF
global
    maxconn 256
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend tavolo
    bind 127.0.0.1:$lb_port
    default_backend daemons
backend daemons
    balance roundrobin
    http-response set-header X-Served-By %s
    server a ${url[a]#http://}
    server b ${url[b]#http://}
EOF
haproxy -f "$tmp/haproxy.cfg" -db >>"$tmp/haproxy.log" 2>&1 &
pid[haproxy]=$!
url[lb]=http://127.0.0.1:$lb_port
base=${url[lb]}
for _ in $(seq 50); do
    call GET /healthz "" && [ "$code" = 200 ] && break
    sleep 0.1
done
served=""
for _ in 1 2 3 4; do
    call GET /healthz ""
    served="$served$(header X-Served-By)"
done
# alternating TEXT: "abab..." or "baba...", as round robin gives.
alternating() { [[ "$1" =~ ^(ab)+$|^(ba)+$ ]] && echo yes || echo "no: $1"; }
expect_eq "HAProxy takes turns between the two daemons" "yes" "$(alternating "$served")"

# ---- writes from anywhere are read everywhere ----

"$PY" -c 'import json, sys
r = json.loads(open(sys.argv[1]).readline())
r["id"], r["name"] = "c-901", "Nuova Biotech"
print(json.dumps(r))' "$FIX/companies.jsonl" >"$tmp/new.jsonl"
"$TAVOLO" import --kind companies "$tmp/new.jsonl" >/dev/null 2>&1
visible "a company imported by the command line is served by a" a GET /v1/companies/c-901 "$ADMIN" 200
visible "... and by b" b GET /v1/companies/c-901 "$ADMIN" 200
visible "... and counted by b's /healthz" b GET /healthz "" 200 'd["companies"] == 85'
# An event file naming the new company, imported by the command line and scheduled by b: the
# daemon schedules with the company it never loaded.
"$PY" -c 'import json, sys
print(json.dumps({"id": "side-2027", "name": "Side event", "time_zone": "Europe/Rome",
    "days": ["2027-03-01"], "day_start": "09:00", "day_end": "11:00", "slot_minutes": 30,
    "tables": 2, "participants": [{"kind": "company", "id": "c-901"},
    {"kind": "company", "id": "c-002"}, {"kind": "investor", "id": "i-001"},
    {"kind": "investor", "id": "i-003"}]}))' >"$tmp/side.json"
"$TAVOLO" event import "$tmp/side.json" >/dev/null 2>&1
base=${url[b]}
call POST /v1/events/side-2027/schedule "$ADMIN"
expect_status "b schedules the side event" 200
expect_eq "with the company the command line imported" "True" \
    "$(js 'any(m["company_id"] == "c-901" for m in d["meetings"])')"

base=${url[a]}
call PATCH /v1/companies/c-002 "$ADMIN" -H 'Content-Type: application/merge-patch+json' \
    --data '{"name": "Renamed through a"}'
expect_status "PATCH through a" 200
etag=$(header ETag)
visible "b serves a's write at the same version" b GET /v1/companies/c-002 "$ADMIN" 200 \
    "d['name'] == 'Renamed through a'"
expect_eq "b's ETag is a's" "$etag" "$(header ETag)"
base=${url[a]}; call GET /v1/companies/c-002/matches "$ADMIN"; cp "$tmp/body" "$tmp/matches.a"
base=${url[b]}; call GET /v1/companies/c-002/matches "$ADMIN"
expect_eq "b ranks c-002's matches as a does" "$(cat "$tmp/matches.a")" "$(cat "$tmp/body")"

base=${url[lb]}
call PATCH /v1/investors/i-002 "$ADMIN" -H 'Content-Type: application/merge-patch+json' \
    --data '{"name": "Renamed through the balancer"}'
expect_status "PATCH through the load balancer" 200
sleep "$VISIBLE"
seen=""
for _ in 1 2 3 4 5 6; do
    call GET /v1/investors/i-002 "$ADMIN"
    [ "$(js "d['name']")" = "Renamed through the balancer" ] && seen="$seen$(header X-Served-By)"
done
expect_eq "six reads through the balancer, both daemons, all see the write" "yes" \
    "$(alternating "$seen")"
[ ${#seen} = 6 ] || not_ok "only ${#seen} of 6 reads saw the write"

base=${url[b]}
call DELETE /v1/companies/c-901 "$ADMIN"
expect_status "DELETE through b" 204
visible "a no longer serves the company b deleted" a GET /v1/companies/c-901 "$ADMIN" 404

# ---- a token revoked through one daemon is refused by the other at once ----

for name in a b; do
    base=${url[$name]}
    call GET /v1/investors/i-001/matches "$REV"
    expect_status "the token to revoke works on $name (and is cached there)" 200
done
base=${url[a]}
call DELETE "/v1/tokens/$rev_id" "$INV"
expect_status "an investor cannot revoke another token" 403
call DELETE "/v1/tokens/$rev_id" "$ADMIN"
expect_status "an admin revokes it through a" 204
visible "b refuses the revoked token, though it cached it for 30 s" b \
    GET /v1/investors/i-001/matches "$REV" 401
base=${url[b]}
call GET /v1/investors/i-001/matches "$INV"
expect_status "b still takes the investor's other token" 200
call DELETE /v1/tokens/999999 "$ADMIN"
expect_status "revoking a token that does not exist" 404

# ---- the digest both daemons ran at once went out once ----

today=$(date -u +%F)
for _ in $(seq 100); do
    [ "$(sql "SELECT count(*) FROM digest_runs WHERE digest_date = '$today' AND finished_at IS NOT NULL")" = 1 ] && break
    sleep 0.1
done
expect_eq "today's digest run, taken by both daemons at once, finished" "1" \
    "$(sql "SELECT count(*) FROM digest_runs WHERE digest_date = '$today' AND finished_at IS NOT NULL")"
sent=$(sql "SELECT count(*) FROM digests WHERE digest_date = '$today' AND status = 'sent'")
# The messages are queued with the digests and delivered by the daemons' mail timers, later.
for _ in $(seq 150); do
    [ "$(sql "SELECT count(*) FROM mail_messages WHERE status IN ('queued', 'sending')")" = 0 ] && break
    sleep 0.1
done
# One message per language of a recipient's contacts: a message written twice would show as
# one Message-ID in two files.
read -r files ids <<<"$("$PY" - "$TAVOLO_HOME/outbox" <<'EOF'
import email, pathlib, sys
ids = [email.message_from_bytes(p.read_bytes())["Message-ID"]
       for d in ("new", "cur") for p in (pathlib.Path(sys.argv[1]) / d).glob("*")]
print(len(ids), len(set(ids)))
EOF
)"
if [ "$sent" -gt 0 ] && [ "$files" -ge "$sent" ] && [ "$files" = "$ids" ]; then
    ok "the $sent sent digests are $files messages in the outbox, none twice"
else
    not_ok "sent digests $sent, messages in the outbox $files, distinct Message-IDs $ids"
fi

# ---- bad notifications, a burst, a fresh load to compare with ----

sql "NOTIFY tavolo, 'garbage'; NOTIFY tavolo, 'token:12abc'; NOTIFY tavolo, '$(head -c 7900 /dev/zero | tr '\0' x)'" >/dev/null
sql "INSERT INTO profile_removals (kind, id) VALUES ('company', 'c-ghost'); NOTIFY tavolo, 'profiles'" >/dev/null
for name in a b; do
    visible "$name counts the notifications that mean nothing and stays up" "$name" \
        GET /healthz "" 200 'd["feed"]["malformed"] >= 3'
done

"$PY" - "$tmp/burst.sql" <<'EOF'
import sys
with open(sys.argv[1], "w") as f:
    for n in range(10000):
        f.write("UPDATE companies SET doc = jsonb_set(doc, '{name}', '\"Burst %d\"') "
                "WHERE id = (SELECT id FROM companies ORDER BY id OFFSET %d LIMIT 1);\n" % (n, n % 80))
    f.write("INSERT INTO companies (id, doc) SELECT 'c-b' || n, jsonb_set(jsonb_set(doc, '{id}', "
            "to_jsonb('c-b' || n)), '{name}', to_jsonb('Burst company ' || n)) FROM companies, "
            "generate_series(1, 300) n WHERE id = 'c-003';\n")
    f.write("DELETE FROM companies WHERE id IN ('c-004', 'c-005');\n")
EOF
t0=$SECONDS
psql "$TAVOLO_DATABASE_URL" -q -f "$tmp/burst.sql" >/dev/null 2>"$tmp/burst.err"
expect_eq "10,000 single-row writes, each its own transaction, committed" "" "$(cat "$tmp/burst.err")"
echo "# the burst took $((SECONDS - t0)) s"
converged "after the burst" 20 a b

# ---- PostgreSQL restarts while both serve ----

base=${url[lb]}
acked=0
for n in 1 2 3 4 5; do
    call PATCH /v1/companies/c-010 "$ADMIN" -H 'Content-Type: application/merge-patch+json' \
        --data "{\"description\": \"Acknowledged write $n before the restart.\"}"
    [ "$code" = 200 ] && acked=$n
done
expect_eq "five writes acknowledged before the restart" "5" "$acked"
"$TAVOLO" db stop >/dev/null 2>&1
for name in a b; do
    visible "$name sees its feed lost" "$name" GET /healthz "" 200 '
d["feed"]["listening"] == False'
done
"$TAVOLO" db start --no-fsync >/dev/null 2>&1
"$PY" -c 'import json, sys
r = json.loads(open(sys.argv[1]).readline())
r["id"], r["name"] = "c-902", "Scritta al riavvio"
print(json.dumps(r))' "$FIX/companies.jsonl" >"$tmp/new2.jsonl"
"$TAVOLO" import --kind companies "$tmp/new2.jsonl" >/dev/null 2>&1
for name in a b; do
    wait_listening "$name" && ok "$name listens again after the restart"
    VISIBLE=3 visible "$name catches up with a write made as it reconnected" "$name" \
        GET /v1/companies/c-902 "$ADMIN" 200
    visible "$name still has the last acknowledged write" "$name" GET /v1/companies/c-010 \
        "$ADMIN" 200 "d['description'] == 'Acknowledged write 5 before the restart.'"
done
base=${url[b]}
call PATCH /v1/companies/c-011 "$ADMIN" -H 'Content-Type: application/merge-patch+json' \
    --data '{"name": "After the restart"}'
expect_status "a write through b after the restart" 200
visible "a serves it" a GET /v1/companies/c-011 "$ADMIN" 200 "d['name'] == 'After the restart'"
converged "after the restart" 10 a b

for name in a b; do
    kill -0 "${pid[$name]}" 2>/dev/null && ok "$name is still up" || not_ok "$name died"
done
finish
