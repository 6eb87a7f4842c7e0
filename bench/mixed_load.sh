#!/usr/bin/env bash
# A mixed read/write load on the daemon for a fixed time: wrk with 64 connections sends 80%
# matches reads, 10% profile reads and 10% profile merge patches (each one a PostgreSQL
# transaction and a matcher patch), over N synthetic companies x M investors. Prints one JSON
# object: requests/s, p50/p99 latency, errors (socket errors and non-2xx answers), the
# daemon's resident memory before and after the load and after 5 s of rest, and whether it
# still answers /healthz.
# Usage: bench/mixed_load.sh TAVOLO [SECONDS N M]   (default 60 5000 2000); needs wrk.
set -euo pipefail
tavolo=$1
seconds=${2:-60}
n=${3:-5000}
m=${4:-2000}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
chmod 755 "$work"
export TAVOLO_HOME=$work/home
daemon=""
cleanup() {
    [ -n "$daemon" ] && kill -TERM "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
    "$tavolo" db stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
command -v wrk >/dev/null || { echo "mixed_load.sh: wrk is missing (apt-get install wrk)" >&2; exit 1; }
export TAVOLO_DATABASE_URL
TAVOLO_DATABASE_URL=$("$tavolo" db start --no-fsync)

/usr/bin/python3 "$root/bench/gen_profiles.py" "$root/fixtures/taxonomy.json" "$n" "$m" \
    "$work/companies.jsonl" "$work/investors.jsonl"
"$tavolo" import --kind companies "$work/companies.jsonl" >/dev/null
"$tavolo" import --kind investors "$work/investors.jsonl" >/dev/null
token=$("$tavolo" token create --role admin 2>/dev/null)

TAVOLO_DIGEST_TIME=off "$tavolo" serve --listen 127.0.0.1:0 --port-file "$work/port" \
    2>"$work/serve.log" &
daemon=$!
for _ in $(seq 1 600); do
    [ -s "$work/port" ] && curl -sf -o /dev/null "http://127.0.0.1:$(cat "$work/port")/healthz" && break
    sleep 0.2
done
base="http://127.0.0.1:$(cat "$work/port")"
rss() { awk '/^VmRSS/ {print $2}' "/proc/$daemon/status"; }

# The request mix, with ids taken from the data.
/usr/bin/python3 - "$work/companies.jsonl" "$work/investors.jsonl" "$token" >"$work/mix.lua" <<'PY'
import json, sys
cs = [json.loads(l)["id"] for i, l in enumerate(open(sys.argv[1])) if i % 7 == 0][:500]
iv = [json.loads(l)["id"] for i, l in enumerate(open(sys.argv[2])) if i % 3 == 0][:500]
print("local companies = {%s}" % ",".join(json.dumps(c) for c in cs))
print("local investors = {%s}" % ",".join(json.dumps(i) for i in iv))
print('local auth = "Bearer %s"' % sys.argv[3])
print(r'''
local cities = {"Milano", "Torino", "Napoli", "Bologna", "Padova", "Pisa"}
request = function()
  local r = math.random(100)
  local h = {["Authorization"] = auth}
  if r <= 80 then
    return wrk.format("GET", "/v1/investors/" .. investors[math.random(#investors)] .. "/matches?k=10", h)
  elseif r <= 90 then
    return wrk.format("GET", "/v1/companies/" .. companies[math.random(#companies)], h)
  end
  h["Content-Type"] = "application/merge-patch+json"
  local body = '{"city":"' .. cities[math.random(#cities)] .. '","raise_eur":' .. (1000000 + math.random(9000000)) .. '}'
  return wrk.format("PATCH", "/v1/companies/" .. companies[math.random(#companies)], h, body)
end''')
PY

# Warm the caches, then measure.
wrk -t1 -c16 -d3s -s "$work/mix.lua" "$base" >/dev/null
rss_before=$(rss)
wrk -t1 -c64 -d"${seconds}s" --latency -s "$work/mix.lua" "$base" >"$work/wrk.txt"
rss_after=$(rss)
sleep 5
rss_rest=$(rss)
healthy=false
curl -sf -o /dev/null "$base/healthz" && healthy=true
writes=$(psql "$TAVOLO_DATABASE_URL" -qAt -c "SELECT coalesce(sum(version - 1), 0) FROM companies")

/usr/bin/python3 - "$work/wrk.txt" "$seconds" "$n" "$m" "$rss_before" "$rss_after" "$rss_rest" \
    "$healthy" "$writes" <<'PY'
import json, re, sys
out = open(sys.argv[1]).read()
def ms(label):
    v = re.search(label + r"\s+([\d.]+)(us|ms|s)\b", out)
    return round(float(v.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[v.group(2)], 3)
errors = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
total = int(re.search(r"(\d+) requests in", out).group(1))
print(json.dumps({
    "seconds": int(sys.argv[2]), "companies": int(sys.argv[3]), "investors": int(sys.argv[4]),
    "connections": 64, "mix": "80% matches, 10% profile reads, 10% merge patches",
    "requests": total, "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
    "p50_ms": ms("50%"), "p99_ms": ms("99%"),
    "errors": errors + (int(non2xx.group(1)) if non2xx else 0),
    "writes_committed": int(sys.argv[9]),
    "rss_kib_before": int(sys.argv[5]), "rss_kib_after": int(sys.argv[6]),
    "rss_kib_after_rest": int(sys.argv[7]), "healthy_after": sys.argv[8] == "true"}))
PY
