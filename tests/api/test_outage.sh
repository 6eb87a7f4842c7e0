#!/usr/bin/env bash
# api.outage: `tavolo serve` while its PostgreSQL goes away, over real HTTP, against a
# PostgreSQL of its own. (a) a token the database confirmed keeps serving reads from memory
# for the grace after its cache entry goes stale, then 503; writes answer 503 throughout;
# (b) a token revoked while the database was up is refused at its first request once the
# database is back, even right after a restart that killed the daemon's connection; (c)
# writes in flight when it stops (fast, then immediate), one waiting inside PostgreSQL and one
# in the daemon's write queue, answer 503 with Retry-After, not 500, and nothing lands; (d)
# SIGTERM with one idle keep-alive connection exits at once; (e) a client address over --max-client-connections has its extra
# connection closed at once, counted in /metrics, while its others work; bad settings are
# refused naming the setting.
#
# Usage: test_outage.sh PATH/TO/tavolo     (exit 0 when every check passes)
# Bounded: every curl has --max-time, every wait a limit, and the whole run a 100 s watchdog.
if [ -z "${TV_API_TEST_INNER:-}" ]; then
    TV_API_TEST_INNER=1 exec timeout -k 5 100 "$0" "$@"
fi
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/http.sh"
[ $# -eq 1 ] || { echo "usage: $0 PATH/TO/tavolo"; exit 2; }
TAVOLO=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
FIX=$(cd "$(dirname "$0")/../../fixtures" && pwd)
PY=/usr/bin/python3
TTL=2   # --auth-cache: a token's answer is used without asking the database this long
GRACE=6 # --auth-grace: and, while the database cannot answer, this much longer

export TAVOLO_HOME
TAVOLO_HOME=$(mktemp -d "${TMPDIR:-/tmp}/tavolo-outage.XXXXXX")
chmod 755 "$TAVOLO_HOME" # PostgreSQL runs as the postgres user when we are root
tmp=$TAVOLO_HOME/test
mkdir "$tmp"
unset TAVOLO_DATABASE_URL TAVOLO_AUTH_CACHE_SECONDS TAVOLO_AUTH_GRACE_SECONDS
unset TAVOLO_MAX_CLIENT_CONNECTIONS
daemon_pid=""
locker_pid=""

cleanup() {
    local rc=$?
    trap - EXIT TERM INT
    if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
        kill -KILL "$daemon_pid" 2>/dev/null
    fi
    [ -n "$locker_pid" ] && kill "$locker_pid" 2>/dev/null
    if [ "$failed" -gt 0 ] && [ -s "$tmp/daemon.log" ]; then
        echo "# last lines of the daemon's log:"
        tail -n 15 "$tmp/daemon.log" | sed 's/^/#   /'
        print_failures
    fi
    "$TAVOLO" db stop >/dev/null 2>&1
    rm -rf "$TAVOLO_HOME"
    exit "$rc"
}
trap cleanup EXIT
trap 'not_ok "the test ran out of time or was interrupted"; finish; exit 1' TERM INT

# ---- helpers ----

now() { echo "$EPOCHREALTIME"; }
# since T: seconds from T to now, one decimal.
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
# sleep_until T OFFSET: sleeps until OFFSET seconds after T (at once if that is past).
sleep_until() {
    local left
    left=$(awk -v a="$1" -v o="$2" -v b="$EPOCHREALTIME" 'BEGIN { l = a + o - b; printf "%.3f", (l > 0 ? l : 0) }')
    sleep "$left"
}

db_stop() { "$TAVOLO" db stop >/dev/null 2>&1; }
db_start() { "$TAVOLO" db start --no-fsync >/dev/null 2>"$tmp/db.err"; }

# pg_ctl_immediate: stops the cluster as a crash would (no shutdown checkpoint, backends
# killed with SIGQUIT), as `tavolo db stop` never does.
pg_ctl_immediate() {
    local bin data=$TAVOLO_HOME/pg/data
    bin=${TAVOLO_PG_BINDIR:-$(pg_config --bindir)}
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$bin/pg_ctl" stop -D "$data" -m immediate -w -s >/dev/null 2>&1
    else
        "$bin/pg_ctl" stop -D "$data" -m immediate -w -s >/dev/null 2>&1
    fi
}

# start_daemon [ENV=VALUE...] -- [SERVE ARGS...]: one worker thread unless ENV says
# otherwise, so that which connection a request uses is known; waits for /healthz.
start_daemon() {
    local envs=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
    [ $# -gt 0 ] && shift
    rm -f "$tmp/port"
    env TAVOLO_DIGEST_TIME=off UV_THREADPOOL_SIZE=1 "${envs[@]}" "$TAVOLO" serve \
        --listen 127.0.0.1:0 --port-file "$tmp/port" "$@" >"$tmp/daemon.out" 2>>"$tmp/daemon.log" &
    daemon_pid=$!
    for _ in $(seq 100); do
        grep -q '^[0-9][0-9]*$' "$tmp/port" 2>/dev/null && break
        kill -0 "$daemon_pid" 2>/dev/null || break
        sleep 0.1
    done
    port=$(cat "$tmp/port" 2>/dev/null)
    base=http://127.0.0.1:$port
    for _ in $(seq 50); do
        call GET /healthz "" && [ "$code" = 200 ] && break
        sleep 0.1
    done
    expect_status "the daemon answers /healthz ($*)" 200
}

# term_daemon LIMIT: SIGTERM, then waits at most LIMIT seconds (then SIGKILL). Sets
# $term_status and $term_took.
term_daemon() {
    local t0 killer
    t0=$(now)
    kill -TERM "$daemon_pid"
    ( sleep "$1"; kill -KILL "$daemon_pid" 2>/dev/null ) >/dev/null 2>&1 &
    killer=$!
    wait "$daemon_pid"
    term_status=$?
    term_took=$(since "$t0")
    kill "$killer" 2>/dev/null
    wait "$killer" 2>/dev/null
    daemon_pid=""
}

# ---- a cluster of our own, the fixtures, tokens ----

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
MATCHES=/v1/investors/i-001/matches

# ---- settings: bad values are refused, naming the setting ----

# bad_setting DESCRIPTION NAME [ENV=VALUE...] -- [SERVE ARGS...]: serve must refuse at once
# (status 2), its message naming NAME and what it expected.
bad_setting() {
    local desc=$1 name=$2 envs=() status
    shift 2
    while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
    [ $# -gt 0 ] && shift
    env "${envs[@]}" TAVOLO_DIGEST_TIME=off timeout 10 "$TAVOLO" serve --listen 127.0.0.1:0 "$@" \
        >/dev/null 2>"$tmp/bad.err"
    status=$?
    expect_eq "$desc: refused at once (2), naming $name and what it expects" "2 yes" \
        "$status $(grep -q -- "$name.*expected" "$tmp/bad.err" && echo yes)"
}
bad_setting "--auth-grace soon" --auth-grace -- --auth-grace soon
bad_setting "--max-client-connections -1" --max-client-connections -- --max-client-connections -1
bad_setting "TAVOLO_AUTH_CACHE_SECONDS=-1" TAVOLO_AUTH_CACHE_SECONDS TAVOLO_AUTH_CACHE_SECONDS=-1 --
bad_setting "TAVOLO_MAX_CLIENT_CONNECTIONS=many" TAVOLO_MAX_CLIENT_CONNECTIONS \
    TAVOLO_MAX_CLIENT_CONNECTIONS=many --

# ---- (a) reads go on through an outage for the grace, then stop ----

start_daemon -- --auth-cache "$TTL" --auth-grace "$GRACE"
call GET /v1/companies/c-003 "$ADMIN"
expect_status "an admin reads c-003" 200
c003_name=$(js 'd["name"]')
call GET "$MATCHES?k=5" "$INV"
t_confirmed=$(now) # the database confirmed INV during this request, at most now
expect_status "a read that the database confirms the token of" 200
cp "$tmp/body" "$tmp/matches-before.json"
db_stop
expect_eq "PostgreSQL stopped" stopped "$("$TAVOLO" db status 2>/dev/null)"
sleep_until "$t_confirmed" $((TTL + 1))
age=$(since "$t_confirmed")
call GET "$MATCHES?k=5" "$INV"
expect_eq "outage, ${age} s after the token's confirmation (past the ${TTL} s cache): the read from memory still answers, the same" \
    "200 same" "$code $(cmp -s "$tmp/body" "$tmp/matches-before.json" && echo same || echo different)"
call PUT /v1/companies/c-003 "$ADMIN" -H 'Content-Type: application/json' \
    --data-binary '{"id": "c-003", "name": "Written in the outage"}'
expect_eq "a write in the outage: 503 unavailable with Retry-After" "503 urn:tavolo:problem:unavailable yes" \
    "$code $(js 'd["type"]') $([[ "$(header retry-after)" =~ ^[1-9][0-9]*$ ]] && echo yes)"
call GET /v1/companies/c-002 "$REV"
expect_eq "a token never confirmed cannot be checked in the outage: 503" 503 "$code"
sleep_until "$t_confirmed" $((TTL + GRACE + 1))
age=$(since "$t_confirmed")
call GET "$MATCHES?k=5" "$INV"
expect_eq "outage, ${age} s after the confirmation (past cache + grace, $((TTL + GRACE)) s): 503 with Retry-After" \
    "503 yes" "$code $([ -n "$(header retry-after)" ] && echo yes)"
db_start
for _ in $(seq 30); do
    call GET "$MATCHES?k=5" "$INV"
    [ "$code" = 200 ] && break
    sleep 0.2
done
expect_status "PostgreSQL back: the token is confirmed again and reads answer" 200
expect_eq "the write refused in the outage did not land" "$c003_name" \
    "$(sql "SELECT doc->>'name' FROM companies WHERE id = 'c-003'")"

# ---- (b) revocation wins once the database is back ----

call GET "$MATCHES?k=5" "$REV"
t_confirmed=$(now)
expect_status "a second investor token, confirmed by the database" 200
"$TAVOLO" token revoke "$rev_id" >/dev/null 2>&1
expect_eq "then revoked while PostgreSQL is up" 1 \
    "$(sql "SELECT count(*) FROM tokens WHERE id = $rev_id AND revoked_at IS NOT NULL")"
# A restart kills the daemon's connection; the daemon learns it only by using it.
db_stop
db_start
sleep_until "$t_confirmed" $((TTL + 1))
age=$(since "$t_confirmed")
call GET "$MATCHES?k=5" "$REV"
expect_eq "PostgreSQL restarted, ${age} s after the confirmation (within cache + grace): the revoked token is refused, 401" \
    401 "$code"
call GET "$MATCHES?k=5" "$REV"
expect_eq "and stays refused" 401 "$code"
call GET "$MATCHES?k=5" "$INV"
expect_status "a valid token still reads" 200

# ---- (d) SIGTERM with an idle keep-alive connection ----

# HTTP/2 connections would escape what follows (libh2o keeps them under their own idle
# timeout): the daemon speaks HTTP/1.1 only and declines an h2c upgrade.
h2=$(curl -s --max-time 5 --http2 -o /dev/null -w '%{http_version} %{http_code}' "$base/healthz")
expect_eq "an h2c upgrade is declined: the answer comes over HTTP/1.1" "1.1 200" "$h2"

"$PY" - "$port" >"$tmp/idle.out" 2>&1 <<'EOF' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
got = b""
while b"\r\n\r\n" not in got:
    got += s.recv(4096)
head, body = got.split(b"\r\n\r\n", 1)
length = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
while len(body) < length:
    body += s.recv(4096)
print("answered", head.split(b" ")[1].decode(), flush=True)
s.settimeout(15)
t0 = time.time()
try:
    more = s.recv(4096)
    print("closed by the server" if more == b"" else "more data", round(time.time() - t0, 1), flush=True)
except OSError as e:
    print("error", type(e).__name__, round(time.time() - t0, 1), flush=True)
EOF
idle_pid=$!
for _ in $(seq 40); do
    grep -q answered "$tmp/idle.out" 2>/dev/null && break
    sleep 0.05
done
expect_contains "an idle keep-alive connection after one answer" "answered 200" "$(cat "$tmp/idle.out")"
term_daemon 12
expect_eq "SIGTERM with one idle keep-alive connection: exit 0 within 2 s (took ${term_took} s)" \
    "0 True" "$term_status $("$PY" -c "print($term_took < 2)")"
wait "$idle_pid"
expect_contains "the idle connection was closed by the daemon" "closed by the server" \
    "$(cat "$tmp/idle.out")"

# ---- (c) writes in flight when PostgreSQL stops: 503, not 500 ----

# Two workers: one PATCH waits on a table lock inside PostgreSQL, the other in the daemon
# (its writes run one at a time) on a connection that sits idle meanwhile. An immediate stop
# leaves that idle connection looking alive to libpq until it is used.
start_daemon UV_THREADPOOL_SIZE=2 --

# patch_in_flight N ID: PATCH of company ID in the background, as write N.
patch_in_flight() {
    curl -sS --max-time 10 -X PATCH -H "Authorization: Bearer $ADMIN" \
        -H 'Content-Type: application/merge-patch+json' --data-binary '{"name": "In flight"}' \
        -D "$tmp/w$1.hdr" -o "$tmp/w$1.body" -w '%{http_code}' "$base/v1/companies/$2" \
        >"$tmp/w$1.code" 2>/dev/null &
}

# write_answer N: the status, problem type and whether Retry-After is a number, of write N.
write_answer() {
    echo "$(cat "$tmp/w$1.code") $(js 'd.get("type")' "$tmp/w$1.body")" \
        "$([[ "$(header retry-after "$tmp/w$1.hdr")" =~ ^[1-9][0-9]*$ ]] && echo yes)"
}

# writes_in_flight HOW: PostgreSQL is stopped by HOW (db_stop: fast; pg_ctl_immediate) while
# two PATCHes are in flight; checks their answers, the daemon, and that nothing landed.
writes_in_flight() {
    local how=$1 w1 w2 n=0
    psql "$TAVOLO_DATABASE_URL" -qAt -c "BEGIN" -c "LOCK TABLE companies IN ACCESS EXCLUSIVE MODE" \
        -c "SELECT pg_sleep(30)" -c "COMMIT" >/dev/null 2>&1 &
    locker_pid=$!
    for _ in $(seq 40); do
        [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)'")" = 1 ] && break
        sleep 0.05
    done
    patch_in_flight 1 c-003
    w1=$!
    for _ in $(seq 40); do
        n=$(sql "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
        [ "$n" -ge 1 ] && break
        sleep 0.05
    done
    patch_in_flight 2 c-004
    w2=$!
    sleep 0.3
    expect_eq "$how: one PATCH waits on the lock inside PostgreSQL, one in the daemon" 1 "$n"
    "$how"
    wait "$w1" "$w2"
    wait "$locker_pid" 2>/dev/null
    locker_pid=""
    expect_eq "$how while the PATCH waiting in PostgreSQL is in flight: 503 unavailable with Retry-After" \
        "503 urn:tavolo:problem:unavailable yes" "$(write_answer 1)"
    expect_eq "$how while the PATCH waiting in the daemon is in flight: 503 unavailable with Retry-After" \
        "503 urn:tavolo:problem:unavailable yes" "$(write_answer 2)"
    code=""
    kill -0 "$daemon_pid" 2>/dev/null && call GET /healthz ""
    expect_eq "$how: the daemon still runs, and says the database is down" "200 down" \
        "$code $(js 'd["database"]')"
    db_start
    expect_eq "$how: nothing landed" "$c003_name|$c004_name" \
        "$(sql "SELECT string_agg(doc->>'name', '|' ORDER BY id) FROM companies WHERE id IN ('c-003', 'c-004')")"
    for _ in $(seq 30); do
        call GET /v1/companies/c-003 "$ADMIN"
        [ "$code" = 200 ] && break
        sleep 0.2
    done
    expect_eq "$how: nor in memory" "200 $c003_name" "$code $(js 'd["name"]')"
}
c004_name=$(sql "SELECT doc->>'name' FROM companies WHERE id = 'c-004'")
writes_in_flight db_stop
writes_in_flight pg_ctl_immediate
term_daemon 12

# ---- (e) connections per client address ----

start_daemon TAVOLO_MAX_CLIENT_CONNECTIONS=3 --
cap_result=$("$PY" - "$port" <<'EOF'
import socket, sys, time
port = int(sys.argv[1])

def get(s):
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
    got = b""
    try:
        while b"\r\n\r\n" not in got:
            more = s.recv(4096)
            if not more:
                break
            got += more
    except OSError:
        pass
    return got.split(b" ")[1].decode() if got.startswith(b"HTTP/1.1 ") else "none"

def closed(s):
    s.settimeout(2)
    try:
        return "closed" if s.recv(4096) == b"" else "open"
    except socket.timeout:
        return "open"
    except OSError:
        return "closed"

first = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(3)]
time.sleep(0.2)
fourth = socket.create_connection(("127.0.0.1", port), timeout=5)
print("fourth", closed(fourth))
print("first three", ",".join(get(s) for s in first))
first[0].close()
time.sleep(0.2)
again = socket.create_connection(("127.0.0.1", port), timeout=5)
print("after one closed", get(again))
EOF
)
echo "$cap_result" | sed 's/^/# /'
expect_contains "a 4th simultaneous connection from one address is closed at once" "fourth closed" "$cap_result"
expect_contains "while the first three work" "first three 200,200,200" "$cap_result"
expect_contains "and once one closes, a new one is taken" "after one closed 200" "$cap_result"
sleep 0.2
call GET /metrics ""
expect_contains "/metrics counts the refused connection" "tavolo_connections_refused_total 1" \
    "$(cat "$tmp/body")"
term_daemon 12
expect_eq "SIGTERM: exit 0 (took ${term_took} s)" 0 "$term_status"

finish
