#!/usr/bin/env bash
# Learning from answers (issue 18, decision 0069), measured: recall@20 at a second event with
# learning on against off, on planted preferences at a larger size and on several seeds
# (tests/api/test_learning.sh, which also checks that nothing leaks), then what a taught
# investor's list costs against an untaught one's, uncached, at 20,000 x 2,000 profiles.
# Usage: bench/learning.sh TAVOLO [COMPANIES INVESTORS] [SEEDS...]
set -euo pipefail
tavolo=$(realpath "$1")
n=${2:-1000}
m=${3:-100}
shift $(($# < 3 ? $# : 3))
seeds=("$@")
[ ${#seeds[@]} -eq 0 ] && seeds=(1 2 3)
. "$(dirname "$0")/lib.sh"
bench_requires psql curl

echo "== recall@20 at the second event, $n companies x $m investors (half at the first event)"
export TV_TEST_PG_DSN=$TAVOLO_DATABASE_URL TV_TEST_REQUIRE_PG=1
for seed in "${seeds[@]}"; do
    TV_LEARNING_RESULT="$work/quality-$seed.json" bash "$root/tests/api/test_learning.sh" \
        "$tavolo" "$n" "$m" "$seed" >"$work/learning-$seed.log" 2>&1 || {
        cat "$work/learning-$seed.log"; exit 1; }
    echo "seed $seed: $(cat "$work/quality-$seed.json") ($(grep -c '^ok' "$work/learning-$seed.log") checks passed)"
done

echo "== an investor's list, uncached: 50 taught (10 declined, 10 accepted requests) and 50 not"
/usr/bin/python3 "$root/bench/gen_profiles.py" "$root/fixtures/taxonomy.json" 20000 2000 \
    "$work/companies-big.jsonl" "$work/investors-big.jsonl" 5
"$tavolo" import "$work/companies-big.jsonl" "$work/investors-big.jsonl" >/dev/null
/usr/bin/python3 -c 'import json; print(json.dumps({"id": "learn-bench", "name": "learn-bench",
    "city": "Milano", "time_zone": "Europe/Rome", "days": ["2026-10-01"], "day_start": "09:00",
    "day_end": "17:00", "slot_minutes": 30, "tables": 10,
    "participants": [{"kind": "company", "id": "sc-000000"}, {"kind": "investor", "id": "si-000000"}]}))' \
    >"$work/small.json"
"$tavolo" event import "$work/small.json" >/dev/null
psql "$TAVOLO_DATABASE_URL" -qAt -c "INSERT INTO meeting_requests (event_id, company_id,
    investor_id, from_kind, priority, status, decided_at)
    SELECT 'learn-bench', format('sc-%s', lpad(((i * 7919 + r * 104729) % 20000)::text, 6, '0')),
           format('si-%s', lpad(i::text, 6, '0')), 'company', 'want',
           CASE WHEN r < 10 THEN 'declined' ELSE 'accepted' END, now()
    FROM generate_series(0, 49) i, generate_series(0, 19) r ON CONFLICT DO NOTHING"
bench_serve
/usr/bin/python3 - "$TAVOLO_PUBLIC_URL" "$("$tavolo" token create --role admin 2>/dev/null)" <<'PYEOF'
import json, statistics, sys, time, urllib.request
base, token = sys.argv[1:3]
def timed(inv, k):
    req = urllib.request.Request(f"{base}/v1/investors/{inv}/matches?k={k}",
                                 headers={"Authorization": "Bearer " + token})
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=60) as r:
        body = json.loads(r.read())
    return (time.perf_counter() - t0) * 1000, any("taste" in x for x in body["items"])
out = {}
for name, ids in (("taught", range(0, 50)), ("untaught", range(50, 100))):
    times, tasted = [], 0
    for k in range(1, 21):          # every (investor, k) once: never from the cache
        for i in ids:
            ms, taste = timed(f"si-{i:06d}", k)
            times.append(ms)
            tasted += taste
    times.sort()
    out[name] = {"median_ms": round(statistics.median(times), 2),
                 "p99_ms": round(times[int(0.99 * len(times)) - 1], 2), "with_taste": tasted,
                 "requests": len(times)}
out["ratio_median"] = round(out["taught"]["median_ms"] / out["untaught"]["median_ms"], 2)
print(json.dumps(out))
PYEOF
