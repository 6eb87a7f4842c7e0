#!/usr/bin/env bash
# api.learning: what each side's answers teach the ranking (issue 18, decision 0069), on planted
# preferences (tests/api/learning_check.py): investors with a hidden aversion answer the requests
# and meetings of a first event; at a second event, among companies none of them has seen, the
# lists with learning on must find more of the good meetings (recall at 20) than with learning
# off (--set learning.share=0), while no company's list and no list of an investor that taught
# nothing depends on it, and a pair closed by a "no" never comes back.
# Usage: test_learning.sh TAVOLO [COMPANIES INVESTORS SEED]   (bench/learning.sh runs it larger)
. "$(dirname "$0")/../cli/lib.sh"
TAVOLO=$1
N_COMPANIES=${2:-240}
N_INVESTORS=${3:-40}
SEED=${4:-18}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
require_pg
scratch_db api_learning
tmp=$(mktemp -d)
on="" off=""
trap 'kill -TERM $on $off 2>/dev/null; wait $on $off 2>/dev/null; rm -rf "$tmp"; drop_scratch_db' EXIT
PY=/usr/bin/python3
CHECK="$(dirname "$0")/learning_check.py"

"$PY" "$ROOT/bench/gen_profiles.py" "$ROOT/fixtures/taxonomy.json" "$N_COMPANIES" "$N_INVESTORS" \
    "$tmp/companies.jsonl" "$tmp/investors.jsonl" "$SEED"
"$TAVOLO" import "$tmp/companies.jsonl" "$tmp/investors.jsonl" >/dev/null 2>&1
# The first event two months ago with half the companies and all but the last 5 investors (who
# teach nothing); the second in a month with the other half and every investor.
"$PY" - "$tmp" "$N_COMPANIES" "$N_INVESTORS" <<'PYEOF'
import datetime, json, sys
out, nc, ni = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
today = datetime.date.today()
def event(eid, first, companies, investors):
    days = [(first + datetime.timedelta(days=k)).isoformat() for k in range(2)]
    people = lambda pid: [{"name": f"Person of {pid}", "email": f"{pid}@example.org"}]
    return {"id": eid, "name": eid, "city": "Milano", "time_zone": "Europe/Rome", "days": days,
            "day_start": "09:00", "day_end": "17:00", "slot_minutes": 30, "tables": 60,
            "default_max_meetings": 12,
            "participants": [{"kind": "company", "id": c, "people": people(c)} for c in companies]
            + [{"kind": "investor", "id": i, "max_meetings": 28, "people": people(i)}
               for i in investors]}
companies = [f"sc-{k:06d}" for k in range(nc)]
investors = [f"si-{k:06d}" for k in range(ni)]
json.dump(event("learn-first", today - datetime.timedelta(days=60), companies[: nc // 2],
                investors[:-5]), open(f"{out}/first.json", "w"))
json.dump(event("learn-second", today + datetime.timedelta(days=30), companies[nc // 2:],
                investors), open(f"{out}/second.json", "w"))
PYEOF
"$TAVOLO" event import "$tmp/first.json" >/dev/null 2>&1
"$TAVOLO" event import "$tmp/second.json" >/dev/null 2>&1
ADMIN=$("$TAVOLO" token create --role admin 2>/dev/null)

# start NAME [SERVE ARGS...]: a daemon on a free port; sets ${NAME}_base.
start() {
    local name=$1
    shift
    TAVOLO_HOME="$tmp" TAVOLO_DIGEST_TIME=off TAVOLO_MAIL_POLL_SECONDS=3600 "$TAVOLO" serve \
        --listen 127.0.0.1:0 --port-file "$tmp/$name.port" "$@" 2>"$tmp/$name.log" &
    eval "$name=$!"
    for _ in $(seq 200); do [ -s "$tmp/$name.port" ] && break; sleep 0.05; done
    eval "${name}_base=http://127.0.0.1:$(cat "$tmp/$name.port")"
}
start on
start off --set learning.share=0

# The first event: requests answered by the hidden aversions, the meetings placed, the answers
# after them.
"$PY" "$CHECK" plan "$on_base" "$ADMIN" learn-first "$tmp/companies.jsonl" "$tmp" "$SEED"
# Each daemon keeps answers; what another process commits must reach them (the change feed):
# an investor's list read before the answers, then after them.
read -r inv gone <<<"$("$PY" -c 'import json, sys
p = json.load(open(sys.argv[1]))
j = next(j for j in p["judged"] if not j["accepted"])
print(j["investor"], j["company"])' "$tmp/plan.json")"
listed() { curl -sS -H "Authorization: Bearer $ADMIN" "$1/v1/investors/$inv/matches?k=50" |
    "$PY" -c 'import json, sys; print(" ".join(x["company_id"] for x in json.load(sys.stdin)["items"]))'; }
expect_eq "before the answers, $inv's list (kept by the daemon) has $gone" yes \
    "$(listed "$on_base" | tr ' ' '\n' | grep -qx "$gone" && echo yes)"
psql "$TAVOLO_DATABASE_URL" -qAt -f "$tmp/requests.sql" >/dev/null
for _ in $(seq 50); do listed "$on_base" | tr ' ' '\n' | grep -qx "$gone" || break; sleep 0.1; done
expect_eq "answers another process committed reach the kept list within 5 s: $gone is gone" no \
    "$(listed "$on_base" | tr ' ' '\n' | grep -qx "$gone" && echo yes || echo no)"
"$TAVOLO" schedule learn-first >/dev/null 2>&1
psql "$TAVOLO_DATABASE_URL" -qAt -f "$tmp/outcomes.sql" >/dev/null
declined=$(sql "SELECT count(*) FROM meeting_requests WHERE status = 'declined'")
low=$(sql "SELECT count(*) FROM meeting_outcomes WHERE side = 'investor' AND rating <= 2")
expect_eq "the first event has declined requests and low ratings to learn from" "yes yes" \
    "$([ "$declined" -gt 20 ] && echo yes) $([ "$low" -gt 5 ] && echo yes)"

# The second event, through both daemons (each hears of the answers by its change feed).
sleep 1
"$PY" "$CHECK" measure "$on_base" "$off_base" "$ADMIN" learn-second "$tmp" learn-first \
    >"$tmp/measure.json" 2>"$tmp/leaks.txt"
echo "# $(cat "$tmp/measure.json") (declined $declined, rated low $low)"
expect_eq "nothing leaks and no closed pair comes back" "" "$(head -c 2000 "$tmp/leaks.txt")"
expect_eq "learning finds more of the good meetings at the next event (recall@20 up by 8% or more)" \
    True "$("$PY" -c 'import json, sys; m = json.load(open(sys.argv[1])); print(m["learned"] >= 1.08 * m["unlearned"] and m["investors"] >= 20)' "$tmp/measure.json")"
cp "$tmp/measure.json" "${TV_LEARNING_RESULT:-/dev/null}" 2>/dev/null

# tavolo match ranks the same way: an investor's list without the company it declined, its
# items with what its answers added.
"$TAVOLO" match --investor "$inv" -k 200 --json >"$tmp/match.json"
expect_eq "tavolo match: $inv's list without $gone, its items with taste" "False True"     "$("$PY" -c 'import json, sys
items = json.load(open(sys.argv[1]))
print(any(x["company_id"] == sys.argv[2] for x in items), all("taste" in x for x in items[:20]))' "$tmp/match.json" "$gone")"

# The daily digest ranks the same way: no digest lists a counterpart closed for its recipient.
"$TAVOLO" digest --date "$(date +%F)" --outbox "$tmp/outbox" >/dev/null 2>&1
expect_eq "the digests list matches, none of them a pair closed for its recipient" "yes 0" \
    "$([ "$(sql "SELECT count(*) FROM digests, jsonb_array_elements(content->'matches')")" -gt 100 ] && echo yes) $(sql "
    SELECT count(*) FROM digests d, jsonb_array_elements(d.content->'matches') x, pair_judgments j
    WHERE j.closes IS NOT NULL AND (j.closes = 'pair' OR j.side = d.recipient_kind)
    AND ((d.recipient_kind = 'investor' AND j.investor_id = d.recipient_id AND j.company_id = x->>'id')
      OR (d.recipient_kind = 'company' AND j.company_id = d.recipient_id AND j.investor_id = x->>'id'))")"

# A closed pair is not scheduled again: a third event with the first one's participants, in two
# months, gets meetings, none of them for a pair declined at the first or rated 2 or less there.
sed -e 's/"learn-first"/"learn-third"/g' "$tmp/first.json" | "$PY" -c '
import datetime, json, sys
e = json.load(sys.stdin)
first = datetime.date.today() + datetime.timedelta(days=60)
e["days"] = [(first + datetime.timedelta(days=k)).isoformat() for k in range(2)]
json.dump(e, sys.stdout)' >"$tmp/third.json"
"$TAVOLO" event import "$tmp/third.json" >/dev/null 2>&1
"$TAVOLO" schedule learn-third >/dev/null 2>&1
expect_eq "the third event has its meetings, none for a pair declined or rated low at the first" \
    "yes 0" "$([ "$(sql "SELECT count(*) FROM meetings WHERE event_id = 'learn-third'")" -gt 100 ] && echo yes) $(sql "
    SELECT count(*) FROM meetings m WHERE m.event_id = 'learn-third' AND m.status <> 'cancelled'
    AND EXISTS (SELECT 1 FROM pair_judgments j WHERE j.company_id = m.company_id
                AND j.investor_id = m.investor_id AND j.closes IS NOT NULL)")"
expect_eq "and the first event had such pairs among its participants" yes \
    "$([ "$(sql "SELECT count(*) FROM pair_judgments WHERE closes IS NOT NULL")" -gt 20 ] && echo yes)"
finish
