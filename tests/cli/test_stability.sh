#!/usr/bin/env bash
# Stable re-runs on the J.P. Morgan fixture: a re-run with unchanged input changes nothing, and
# after one participant joins, leaves or changes availability at least 90% of the meetings not
# involving it keep their slot and table; kept meetings keep their id and SEQUENCE, moved ones
# get SEQUENCE + 1. Prints the figures. Then the report's participants short of meetings.
. "$(dirname "$0")/lib.sh"
TAVOLO=$1
FIX=$(cd "$(dirname "$0")/../../fixtures" && pwd)
require_pg
scratch_db cli_stability
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; drop_scratch_db' EXIT
PY=/usr/bin/python3
EV=jpm-2027

"$TAVOLO" import "$FIX/companies.jsonl" "$FIX/investors.jsonl" >/dev/null 2>&1
"$TAVOLO" event import "$FIX/events/jpm-2027.json" >/dev/null 2>&1

# The meetings that happen: "id company investor slot table sequence", one a line.
snapshot() {
    sql "SELECT id, company_id, investor_id, slot_index, table_no, sequence FROM meetings
         WHERE event_id = '$EV' AND status <> 'cancelled' ORDER BY id" | tr '|' ' ' >"$1"
}

# compare BEFORE AFTER WHO: "kept total moved added dropped ids_seq_ok" over the meetings of
# BEFORE not involving WHO (a participant id, or -); ids_seq_ok says every kept meeting kept
# its id and SEQUENCE and every moved one has SEQUENCE + 1.
compare() {
    $PY - "$1" "$2" "$3" <<'PYEOF'
import sys
def read(path):
    rows = {}
    for line in open(path):
        i, c, v, s, t, q = line.split()
        rows[(c, v)] = (int(i), int(s), int(t), int(q))
    return rows
a, b, who = read(sys.argv[1]), read(sys.argv[2]), sys.argv[3]
mine = lambda pair: who in pair
total = [p for p in a if not mine(p)]
kept = [p for p in total if p in b and b[p][1:3] == a[p][1:3]]
moved = [p for p in total if p in b and b[p][1:3] != a[p][1:3]]
dropped = [p for p in total if p not in b]
added = [p for p in b if p not in a and not mine(p)]
ok = all(b[p][0] == a[p][0] and b[p][3] == a[p][3] for p in kept) and \
     all(b[p][0] == a[p][0] and b[p][3] == a[p][3] + 1 for p in moved)
print(len(kept), len(total), len(moved), len(added), len(dropped), ok)
PYEOF
}

# perturb NAME WHO PYTHON: re-imports the fixture changed by PYTHON (over e, the event), runs
# the scheduler again, and checks the share of the other meetings kept.
perturb() {
    "$TAVOLO" event import "$FIX/events/jpm-2027.json" >/dev/null 2>&1
    "$TAVOLO" schedule $EV --json >/dev/null
    snapshot "$tmp/before"
    $PY -c "
import json; e = json.load(open('$FIX/events/jpm-2027.json'))
$3
json.dump(e, open('$tmp/changed.json', 'w'))"
    "$TAVOLO" event import "$tmp/changed.json" >/dev/null 2>&1
    "$TAVOLO" schedule $EV --json >/dev/null
    expect_eq "$1: the scheduler runs" 0 $?
    snapshot "$tmp/after"
    read -r kept total moved added dropped seq < <(compare "$tmp/before" "$tmp/after" "$2")
    share=$($PY -c "print(f'{$kept / $total:.3f}')")
    mine=$(sql "SELECT count(*) FROM meetings WHERE event_id = '$EV' AND status <> 'cancelled' AND '$2' IN (company_id, investor_id)")
    echo "# $1 ($2): $kept of $total other meetings kept slot and table ($share); moved $moved, added $added, dropped $dropped; $2 has $mine meetings now"
    expect_eq "$1: at least 90% of the other meetings keep slot and table ($kept of $total)" True \
        "$($PY -c "print($kept / $total >= 0.9)")"
    expect_eq "$1: kept meetings keep id and SEQUENCE, moved ones get SEQUENCE + 1" True "$seq"
}

# ---- unchanged input ----
"$TAVOLO" schedule $EV --json >/dev/null
snapshot "$tmp/r1"
"$TAVOLO" schedule $EV --json >/dev/null
snapshot "$tmp/r2"
read -r kept total moved added dropped seq < <(compare "$tmp/r1" "$tmp/r2" -)
echo "# unchanged: $kept of $total kept; moved $moved, added $added, dropped $dropped"
expect_eq "a re-run of unchanged input moves, adds and drops nothing" "$total 0 0 0 True" \
    "$kept $moved $added $dropped $seq"
expect_eq "the schedule is not empty" True "$($PY -c "print($total > 100)")"

# ---- one participant joins, leaves, changes availability ----
newco=$($PY -c "
import json; e = json.load(open('$FIX/events/jpm-2027.json')); there = {p['id'] for p in e['participants']}
ids = [json.loads(l)['id'] for l in open('$FIX/companies.jsonl') if l.strip()]
print(sorted(i for i in ids if i not in there)[0])")
perturb "a company joins" "$newco" "e['participants'].append({'kind': 'company', 'id': '$newco'})"
# The investor with the most meetings leaves; its requests go with it.
busiest=$(sql "SELECT investor_id FROM meetings WHERE event_id = '$EV' AND status <> 'cancelled' GROUP BY investor_id ORDER BY count(*) DESC, investor_id LIMIT 1")
perturb "an investor leaves" "$busiest" "
e['participants'] = [p for p in e['participants'] if p['id'] != '$busiest']
e['requests'] = [q for q in e['requests'] if q['investor_id'] != '$busiest']"
# The company with the most meetings cannot come on the first day.
busiest_c=$(sql "SELECT company_id FROM meetings WHERE event_id = '$EV' AND status <> 'cancelled' GROUP BY company_id ORDER BY count(*) DESC, company_id LIMIT 1")
first_day=$(sql "SELECT string_agg(DISTINCT '\"' || slot_start || '\"', ',') FROM meetings WHERE event_id = '$EV' AND slot_start LIKE '2027-01-11T%'")
perturb "a company is away on the first day" "$busiest_c" "
p = next(p for p in e['participants'] if p['id'] == '$busiest_c')
p['unavailable'] = sorted(set(p.get('unavailable', [])) | {$first_day})"
# ---- the report names who is short of meetings, and why ----
read -r away nomax declined greedy < <(sql "SELECT (array_agg(profile_id ORDER BY profile_id))[1],
    (SELECT min(profile_id) FROM event_participants WHERE event_id = '$EV' AND kind = 'investor'),
    (array_agg(profile_id ORDER BY profile_id))[2], (array_agg(profile_id ORDER BY profile_id))[3]
    FROM event_participants WHERE event_id = '$EV' AND kind = 'company'" | tr '|' ' ')
$PY - "$FIX/events/jpm-2027.json" "$tmp/short.json" "$away" "$nomax" "$declined" "$greedy" <<'PYEOF'
import json, sys, datetime
e = json.load(open(sys.argv[1])); out, away, nomax, declined, greedy = sys.argv[2:]
hm = lambda s: datetime.datetime.strptime(s, "%H:%M")
slots = []
for day in e["days"]:
    t = hm(e["day_start"])
    while t + datetime.timedelta(minutes=e["slot_minutes"]) <= hm(e["day_end"]):
        end = t + datetime.timedelta(minutes=e["slot_minutes"])
        if not any(t < hm(b["end"]) and hm(b["start"]) < end for b in e.get("breaks", [])):
            slots.append(f"{day}T{t:%H:%M}")
        t = end
by = {p["id"]: p for p in e["participants"]}
by[away]["unavailable"] = slots
by[nomax]["max_meetings"] = 0
by[greedy]["min_meetings"] = by[greedy]["max_meetings"] = 40
e["requests"] = [q for q in e["requests"] if declined not in (q["company_id"], q["investor_id"])]
e["requests"] += [{"company_id": declined, "investor_id": p["id"], "from": "investor", "priority": "want",
                   "status": "declined"} for p in e["participants"] if p["kind"] == "investor"]
json.dump(e, open(out, "w"))
PYEOF
"$TAVOLO" event import "$tmp/short.json" >/dev/null 2>&1
expect_eq "the changed event imports" 0 $?
"$TAVOLO" schedule $EV --json >"$tmp/short-r.json"
check=$($PY - "$tmp/short-r.json" "$tmp/short.json" "$away" "$nomax" "$declined" "$greedy" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1])); e = json.load(open(sys.argv[2])); away, nomax, declined, greedy = sys.argv[3:]
count = {}
for m in r["meetings"]:
    for k in ("company_id", "investor_id"):
        count[m[k]] = count.get(m[k], 0) + 1
want = {p["id"] for p in e["participants"] if count.get(p["id"], 0) in (0,) or count.get(p["id"], 0) < p.get("min_meetings", 0)}
got = {x["id"]: x for x in r.get("short_of_meetings", [])}
reason = lambda who: got.get(who, {}).get("reason", "")
print(set(got) == want, all(got[w]["meetings"] == count.get(w, 0) for w in got),
      reason(away) == "not available in any slot", reason(nomax).startswith("max_meetings is 0"),
      reason(declined) == "every pair declined or cancelled by the organiser",
      greedy in got and got[greedy]["min_meetings"] == 40 and reason(greedy).startswith("capacity"))
PYEOF
)
expect_eq "the report lists exactly those short of meetings, with their counts and reasons" \
    "True True True True True True" "$check"
"$TAVOLO" schedule $EV >"$tmp/short.txt"
expect_contains "and the readable report says why" "company $away: 0 of min 0 meetings: not available in any slot" \
    "$(cat "$tmp/short.txt")"
finish
