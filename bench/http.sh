#!/usr/bin/env bash
# The daemon under wrk, against a minimal libh2o server returning the same body (bench/
# h2o_fixed.c), in one run; then how long a profile write takes to show in matches with
# N companies x M investors loaded. Prints one JSON object.
# Usage: bench/http.sh TAVOLO H2O_FIXED [N M]   (default 50000 20000)
set -euo pipefail
tavolo=$1
fixed=$2
n=${3:-50000}
m=${4:-20000}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
chmod 755 "$work"
export TAVOLO_HOME=$work/home
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    "$tavolo" db stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
export TAVOLO_DATABASE_URL
TAVOLO_DATABASE_URL=$("$tavolo" db start --no-fsync)

# Starts the daemon and waits until it serves; sets $port.
serve() {
    rm -f "$work/port"
    TAVOLO_DIGEST_TIME=off "$tavolo" serve --listen 127.0.0.1:0 --port-file "$work/port" 2>>"$work/serve.log" &
    pids+=($!)
    for _ in $(seq 1 600); do
        [ -s "$work/port" ] && curl -sf -o /dev/null "http://127.0.0.1:$(cat "$work/port")/healthz" && break
        sleep 0.2
    done
    port=$(cat "$work/port")
}

stop_last() {
    kill -TERM "${pids[-1]}"
    wait "${pids[-1]}" || true
    unset 'pids[-1]'
}

# wrk -t1 -c64 -d5s; prints "requests_per_second p99_ms errors".
measure() {
    wrk -t1 -c64 -d5s --latency "$@" | /usr/bin/python3 -c '
import re, sys
out = sys.stdin.read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
scale = {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
errors = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
print(rps, float(p99.group(1)) * scale, errors + (int(non2xx.group(1)) if non2xx else 0))'
}

# 1. Throughput on the fixtures: the daemon, then the baseline with the same body.
"$tavolo" import "$root/fixtures/companies.jsonl" "$root/fixtures/investors.jsonl" >/dev/null
token=$("$tavolo" token create --role admin 2>/dev/null)
serve
url="http://127.0.0.1:$port/v1/investors/i-001/matches?k=20"
curl -sf -o "$work/body.json" -H "Authorization: Bearer $token" "$url"
read -r d_rps d_p99 d_err < <(measure -H "Authorization: Bearer $token" "$url")
stop_last
"$fixed" "$work/body.json" "$work/fixed.port" &
pids+=($!)
for _ in $(seq 1 50); do [ -s "$work/fixed.port" ] && break; sleep 0.1; done
read -r b_rps b_p99 b_err < <(measure "http://127.0.0.1:$(cat "$work/fixed.port")/")
stop_last

# 2. Write visibility at scale: PUT a company, then GET its matches; 20 times.
/usr/bin/python3 "$root/bench/gen_profiles.py" "$root/fixtures/taxonomy.json" "$n" "$m" \
    "$work/companies.jsonl" "$work/investors.jsonl"
"$tavolo" import --kind companies "$work/companies.jsonl" >/dev/null
"$tavolo" import --kind investors "$work/investors.jsonl" >/dev/null
start=$(date +%s.%N)
serve
load_seconds=$(echo "$(date +%s.%N) - $start" | bc)
/usr/bin/python3 - "$work/companies.jsonl" "$port" "$token" <<'PY' > "$work/writes.json"
import json, sys, time, urllib.request
companies, port, token = sys.argv[1], sys.argv[2], sys.argv[3]
rows = [json.loads(l) for i, l in enumerate(open(companies)) if i % 997 == 0][:20]
base = f"http://127.0.0.1:{port}"
head = {"Authorization": "Bearer " + token}
samples = []
for i, c in enumerate(rows):
    c["raise_eur"] += 1000 + i
    c["stage"] = "phase2" if c["area"] == "precision_medicine" else "pilot"
    t0 = time.perf_counter()
    req = urllib.request.Request(f"{base}/v1/companies/{c['id']}", data=json.dumps(c).encode(),
                                 method="PUT", headers=dict(head, **{"Content-Type": "application/json"}))
    urllib.request.urlopen(req).read()
    # visible: the company's own matches reflect the new raise in their constraints
    got = urllib.request.urlopen(urllib.request.Request(f"{base}/v1/companies/{c['id']}/matches?k=1",
                                                        headers=head)).read()
    assert str(c["raise_eur"]) in got.decode(), "write not visible"
    samples.append((time.perf_counter() - t0) * 1000)
samples.sort()
print(json.dumps({"writes": len(samples), "median_ms": samples[len(samples) // 2],
                  "max_ms": samples[-1]}))
PY
stop_last
/usr/bin/python3 - "$d_rps" "$d_p99" "$d_err" "$b_rps" "$b_p99" "$b_err" "$n" "$m" "$load_seconds" "$work/writes.json" <<'PY'
import json, sys
d_rps, d_p99, d_err, b_rps, b_p99, b_err = map(float, sys.argv[1:7])
w = json.load(open(sys.argv[10]))
print(json.dumps({"daemon_rps": d_rps, "daemon_p99_ms": d_p99, "daemon_errors": int(d_err),
                  "baseline_rps": b_rps, "baseline_p99_ms": b_p99, "baseline_errors": int(b_err),
                  "ratio": d_rps / b_rps, "companies": int(sys.argv[7]), "investors": int(sys.argv[8]),
                  "load_seconds": float(sys.argv[9]), "write_visible_median_ms": w["median_ms"],
                  "write_visible_max_ms": w["max_ms"], "writes": w["writes"]}))
PY
