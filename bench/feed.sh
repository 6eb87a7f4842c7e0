#!/usr/bin/env bash
# Cross-process visibility: two daemons on one PostgreSQL over N synthetic companies x M
# investors. W times, a profile is changed through daemon a (PATCH, acknowledged), and daemon b
# is read in a tight loop over a kept-alive connection until it serves the new version; the
# time from a's acknowledgement to b's first answer with the change is the visibility delay.
# Writes go one at a time, half to companies and half to investors. Prints one JSON object:
# the delay's p50, p99 and max in ms, the number of writes, the sizes, and the same-process
# figure for comparison (a write's own daemon serves it when it acknowledges: 0 by design).
# Usage: bench/feed.sh TAVOLO [N M W]   (default 84 56 200: about the fixtures' size)
set -euo pipefail
tavolo=$1
n=${2:-84}
m=${3:-56}
writes=${4:-200}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
chmod 755 "$work"
export TAVOLO_HOME=$work/home
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    "$tavolo" db stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
export TAVOLO_DATABASE_URL
TAVOLO_DATABASE_URL=$("$tavolo" db start --no-fsync)

/usr/bin/python3 "$root/bench/gen_profiles.py" "$root/fixtures/taxonomy.json" "$n" "$m" \
    "$work/companies.jsonl" "$work/investors.jsonl"
"$tavolo" import --kind companies "$work/companies.jsonl" >/dev/null
"$tavolo" import --kind investors "$work/investors.jsonl" >/dev/null
token=$("$tavolo" token create --role admin 2>/dev/null)

for name in a b; do
    TAVOLO_DIGEST_TIME=off "$tavolo" serve --listen 127.0.0.1:0 --port-file "$work/$name.port" \
        2>"$work/$name.log" &
    pids+=($!)
done
for name in a b; do
    for _ in $(seq 1 900); do
        [ -s "$work/$name.port" ] &&
            curl -sf "http://127.0.0.1:$(cat "$work/$name.port")/healthz" 2>/dev/null |
            grep -q '"listening":true' && break
        sleep 0.2
    done
done

/usr/bin/python3 - "$(cat "$work/a.port")" "$(cat "$work/b.port")" "$token" \
    "$work/companies.jsonl" "$work/investors.jsonl" "$writes" "$n" "$m" <<'PY'
import http.client, json, sys, time

port_a, port_b, token, cfile, ifile = sys.argv[1:6]
writes, n, m = int(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8])
companies = [json.loads(l)["id"] for l in open(cfile)]
investors = [json.loads(l)["id"] for l in open(ifile)]
auth = {"Authorization": "Bearer " + token}
a = http.client.HTTPConnection("127.0.0.1", int(port_a), timeout=10)
b = http.client.HTTPConnection("127.0.0.1", int(port_b), timeout=10)


def request(conn, method, path, body=None):
    headers = dict(auth)
    if body is not None:
        headers["Content-Type"] = "application/merge-patch+json"
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read()
    if r.status != 200:
        sys.exit("%s %s: %d %s" % (method, path, r.status, data[:200]))
    return r.getheader("ETag")


delays = []
for k in range(writes):
    ids, kind = (companies, "companies") if k % 2 == 0 else (investors, "investors")
    path = "/v1/%s/%s" % (kind, ids[(k * 7919) % len(ids)])
    etag = request(a, "PATCH", path, json.dumps({"name": "Visibility %d" % k}))
    acked = time.perf_counter()
    while request(b, "GET", path) != etag:
        time.sleep(0.0005)
        if time.perf_counter() - acked > 10:
            sys.exit("b did not serve write %d within 10 s" % k)
    delays.append((time.perf_counter() - acked) * 1000)
delays.sort()
pick = lambda q: delays[min(len(delays) - 1, int(q * len(delays)))]
print(json.dumps({"companies": n, "investors": m, "writes": writes,
                  "visible_on_other_daemon_ms": {"p50": round(pick(0.5), 2),
                                                 "p99": round(pick(0.99), 2),
                                                 "max": round(delays[-1], 2)},
                  "visible_on_writing_daemon_ms": 0}))
PY
