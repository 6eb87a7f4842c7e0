#!/usr/bin/env bash
# Stable re-runs on the J.P. Morgan fixture: a re-run with unchanged input changes nothing, and
# after one participant joins, leaves or changes availability at least 90% of the meetings not
# involving it keep their slot and table; kept meetings keep their id and SEQUENCE, moved ones
# get SEQUENCE + 1. Prints the figures.
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
finish
