#!/usr/bin/env bash
# tavolo event import of an event that exists merges (docs/events.md, decision 0041): on the
# J.P. Morgan fixture, a request answered since the first import keeps its answer, an
# investor's new unavailability lists the meetings it makes impossible (the unpinned one is
# moved by the next scheduler run, the pinned one is a conflict), a dropped participant's
# meetings are listed, --dry-run writes nothing, and a bad file writes nothing.
. "$(dirname "$0")/lib.sh"
TAVOLO=$1
FIX=$(cd "$(dirname "$0")/../../fixtures" && pwd)
require_pg
scratch_db cli_event_reimport
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; drop_scratch_db' EXIT
PY=/usr/bin/python3
EV=$FIX/events/jpm-2027.json

# Every row of the tables an import touches, with the transaction that wrote it: equal dumps
# mean that nothing was written.
dump() {
    sql "SELECT md5(string_agg(t, E'\n')) FROM (
        (SELECT 'e' || x.xmin || (x.*)::text AS t FROM events x ORDER BY id)
        UNION ALL (SELECT * FROM (SELECT 'p' || x.xmin || (x.*)::text FROM event_participants x
                   ORDER BY event_id, kind, profile_id) p)
        UNION ALL (SELECT * FROM (SELECT 'q' || x.xmin || (x.*)::text FROM meeting_requests x
                   ORDER BY id) q)
        UNION ALL (SELECT * FROM (SELECT 'm' || x.xmin || (x.*)::text FROM meetings x
                   ORDER BY id) m)) d"
}

"$TAVOLO" import "$FIX/companies.jsonl" "$FIX/investors.jsonl" >/dev/null 2>&1
"$TAVOLO" event import "$EV" >/dev/null 2>&1
expect_eq "the fixture imports" 1 "$(sql "SELECT count(*) FROM events WHERE id = 'jpm-2027'")"

# A request pending in the file is accepted since, as the API does it (tv_store_request_decide).
read -r C I < <($PY -c "
import json; e = json.load(open('$EV'))
q = next(q for q in e['requests'] if q.get('status', 'pending') == 'pending'); print(q['company_id'], q['investor_id'])")
sql "UPDATE meeting_requests SET status = 'accepted', decided_at = now() WHERE event_id = 'jpm-2027'
     AND company_id = '$C' AND investor_id = '$I' AND status = 'pending'" >/dev/null
"$TAVOLO" schedule jpm-2027 --json >/dev/null
expect_eq "the investor has two meetings or more" t \
    "$(sql "SELECT count(*) >= 2 FROM meetings WHERE event_id = 'jpm-2027' AND investor_id = '$I' AND status = 'scheduled'")"

# The organiser pins the investor's first meeting by hand (as a PATCH of it does); the
# second stays the scheduler's.
read -r MP SP < <(sql "SELECT id, slot_start FROM meetings WHERE event_id = 'jpm-2027' AND investor_id = '$I'
    AND status = 'scheduled' ORDER BY slot_start LIMIT 1" | tr '|' ' ')
read -r MU SU < <(sql "SELECT id, slot_start FROM meetings WHERE event_id = 'jpm-2027' AND investor_id = '$I'
    AND status = 'scheduled' ORDER BY slot_start OFFSET 1 LIMIT 1" | tr '|' ' ')
sql "UPDATE meetings SET pinned = true, sequence = sequence + 1 WHERE id = $MP" >/dev/null

# The new file: the investor cannot do the slots of those two meetings, a company with
# meetings (not C, not in those two) leaves with its requests, and a new request is stated.
read -r GONE GONE_N < <(sql "SELECT company_id, count(*) FROM meetings WHERE event_id = 'jpm-2027'
    AND status <> 'cancelled' AND company_id <> '$C' AND id NOT IN ($MP, $MU)
    AND company_id NOT IN (SELECT company_id FROM meetings WHERE id IN ($MP, $MU))
    GROUP BY company_id ORDER BY company_id LIMIT 1" | tr '|' ' ')
read -r NC NI < <($PY - "$EV" "$tmp/v2.json" "$I" "$SP" "$SU" "$GONE" <<'PYEOF'
import json, sys
src, out, inv, sp, su, gone = sys.argv[1:]
e = json.load(open(src))
p = next(p for p in e["participants"] if p["kind"] == "investor" and p["id"] == inv)
p["unavailable"] = sorted(set(p.get("unavailable", [])) | {sp, su})
e["participants"] = [p for p in e["participants"] if p["id"] != gone]
e["requests"] = [q for q in e["requests"] if q["company_id"] != gone]
pairs = {(q["company_id"], q["investor_id"]) for q in e["requests"]}
cos = [p["id"] for p in e["participants"] if p["kind"] == "company"]
invs = [p["id"] for p in e["participants"] if p["kind"] == "investor"]
c, i = next((c, i) for c in cos for i in invs if (c, i) not in pairs)
e["requests"].append({"company_id": c, "investor_id": i, "from": "company", "priority": "want"})
json.dump(e, open(out, "w"), indent=1)
print(c, i)
PYEOF
)

# ---- --dry-run ----
before=$(dump)
out=$("$TAVOLO" event import "$tmp/v2.json" --dry-run 2>&1)
expect_eq "a dry run exits 0" 0 $?
expect_eq "and writes nothing, byte for byte" "$before" "$(dump)"
expect_contains "it says so" "dry run: nothing written" "$out"
expect_contains "it names the investor's changed availability" "investor $I: unavailable" "$out"
expect_contains "the participant who left, with its meetings" "company $GONE ($GONE_N meetings)" "$out"
expect_contains "the answer kept" "$C $I accepted (the file says pending)" "$out"
expect_contains "the new request" "+ $NC $NI pending" "$out"
expect_contains "the unpinned meeting made impossible" \
    "#$MU $(sql "SELECT company_id FROM meetings WHERE id = $MU") $I $SU" "$out"
expect_contains "and what becomes of it" "investor unavailable: will be moved by the next scheduler run" "$out"
expect_contains "the pinned one is a conflict" "investor unavailable: pinned: a conflict for the organiser" "$out"
"$TAVOLO" event import "$tmp/v2.json" --dry-run --json >"$tmp/dry.json"
expect_eq "--dry-run --json exits 0" 0 $?
expect_eq "and still writes nothing" "$before" "$(dump)"

# ---- the import ----
"$TAVOLO" event import "$tmp/v2.json" --json >"$tmp/real.json"
expect_eq "the import exits 0" 0 $?
expect_eq "the dry run's report is the import's" True "$($PY -c "
import json; a = json.load(open('$tmp/dry.json')); b = json.load(open('$tmp/real.json'))
print(a.pop('dry_run') is True and b.pop('dry_run') is False and a == b)")"
expect_eq "the accepted request is still accepted" accepted \
    "$(sql "SELECT status FROM meeting_requests WHERE event_id = 'jpm-2027' AND company_id = '$C' AND investor_id = '$I'")"
check=$($PY - "$tmp/real.json" "$I" "$MP" "$MU" "$GONE" "$C" "$EV" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1])); inv, mp, mu, gone, c, ev = sys.argv[2:]
imp = {m["id"]: m for m in r["meetings"]["impossible"]}
p = r["participants"]
print(r["created"] is False,
      [x["fields"] for x in p["changed"] if x["id"] == inv] == [["unavailable"]],
      [x["id"] for x in p["removed"]] == [gone] and p["added"] == [],
      imp[int(mu)]["reasons"] == ["investor_unavailable"] and imp[int(mu)]["pinned"] is False
      and imp[int(mu)]["action"] == "moved_by_next_run",
      imp[int(mp)]["reasons"] == ["investor_unavailable"] and imp[int(mp)]["pinned"] is True
      and imp[int(mp)]["action"] == "conflict",
      all(m["reasons"] == ["company_removed"] and m["action"] == "cancelled_by_next_run"
          for m in imp.values() if m["company_id"] == gone),
      any(k["company_id"] == c and k["investor_id"] == inv and k["status"] == "accepted"
          and k["file_status"] == "pending" for k in r["requests"]["kept"]),
      sorted((q["company_id"], q["investor_id"]) for q in r["requests"]["removed"])
      == sorted((q["company_id"], q["investor_id"]) for q in json.load(open(ev))["requests"]
                if q["company_id"] == gone))
PYEOF
)
expect_eq "the report: the investor's change, the leaver, the impossible meetings, the kept answer" \
    "True True True True True True True True" "$check"
expect_eq "every meeting of the leaver is listed" "$GONE_N" "$($PY -c "
import json; r = json.load(open('$tmp/real.json'))
print(sum(1 for m in r['meetings']['impossible'] if m['company_id'] == '$GONE'))")"
expect_eq "the meetings themselves are untouched by the import" "scheduled scheduled+pinned" \
    "$(sql "SELECT string_agg(status || CASE WHEN pinned THEN '+pinned' ELSE '' END, ' ' ORDER BY id = $MP) FROM meetings WHERE id IN ($MP, $MU)")"
expect_eq "the participant left the event" 0 \
    "$(sql "SELECT count(*) FROM event_participants WHERE event_id = 'jpm-2027' AND profile_id = '$GONE'")"
expect_eq "the new availability is stored" t "$(sql "SELECT unavailable ? '$SU' FROM event_participants
    WHERE event_id = 'jpm-2027' AND kind = 'investor' AND profile_id = '$I'")"

# ---- the next scheduler run ----
"$TAVOLO" schedule jpm-2027 --json >"$tmp/s2.json"
expect_eq "the next run works" 0 $?
expect_eq "it moved the unpinned meeting out of the slot" t \
    "$(sql "SELECT status = 'cancelled' OR slot_start <> '$SU' FROM meetings WHERE id = $MU")"
expect_eq "the investor has no other meeting in the slots it cannot do" 0 \
    "$(sql "SELECT count(*) FROM meetings WHERE event_id = 'jpm-2027' AND investor_id = '$I'
            AND status <> 'cancelled' AND slot_start IN ('$SP', '$SU') AND id <> $MP")"
expect_eq "the pinned one stays, and the run reports it as a conflict" "scheduled+pinned $SP lock_conflict" \
    "$(sql "SELECT status || CASE WHEN pinned THEN '+pinned' ELSE '' END, slot_start FROM meetings WHERE id = $MP" | tr '|' ' ') $($PY -c "
import json; r = json.load(open('$tmp/s2.json'))
print(*['lock_conflict' for u in r['unplaced'] if u['investor_id'] == '$I' and u['reason'].startswith('lock conflict')])")"
expect_eq "the leaver's meetings are cancelled" 0 \
    "$(sql "SELECT count(*) FROM meetings WHERE event_id = 'jpm-2027' AND company_id = '$GONE' AND status = 'scheduled'")"

# ---- the same file again: nothing to say ----
out=$("$TAVOLO" event import "$tmp/v2.json" --json)
expect_eq "importing the same file again changes nothing" "0 0 0 0 0 0 0" "$($PY -c "
import json, sys; r = json.load(sys.stdin); p, q = r['participants'], r['requests']
print(len(r['event']['changed']), len(p['added']), len(p['removed']), len(p['changed']),
      len(q['added']), len(q['changed']), len(q['removed']))" <<<"$out")"

# ---- a day dropped ----
# The pinned meeting's day leaves the file: its meetings' slots are gone. The unpinned ones are
# moved by the next run, which must not trip over the pinned one still stored in the old slot
# (the slot indexes of the new days start where the dropped day's did).
day=${SP%T*}
$PY - "$tmp/v2.json" "$tmp/v3.json" "$day" <<'PYEOF'
import json, sys
src, out, day = sys.argv[1:]
e = json.load(open(src))
e["days"] = [d for d in e["days"] if d != day]
for p in e["participants"]:
    if "unavailable" in p:
        p["unavailable"] = [u for u in p["unavailable"] if not u.startswith(day)]
json.dump(e, open(out, "w"))
PYEOF
"$TAVOLO" event import "$tmp/v3.json" --json >"$tmp/v3r.json"
expect_eq "a file without the pinned meeting's day imports" 0 $?
expect_eq "every meeting of that day is listed, slot gone; the pinned one a conflict" "True True" "$($PY -c "
import json; r = json.load(open('$tmp/v3r.json')); imp = r['meetings']['impossible']
gone = [m for m in imp if 'slot_gone' in m['reasons']]
print(len(gone) == $(sql "SELECT count(*) FROM meetings WHERE event_id = 'jpm-2027' AND status <> 'cancelled' AND slot_start LIKE '$day%'"),
      any(m['id'] == $MP and m['action'] == 'conflict' for m in gone))")"
"$TAVOLO" schedule jpm-2027 --json >/dev/null
expect_eq "the next run works" 0 $?
expect_eq "and moved every unpinned meeting off the day" "0 scheduled+pinned" \
    "$(sql "SELECT count(*) FROM meetings WHERE event_id = 'jpm-2027' AND status = 'scheduled' AND NOT pinned AND slot_start LIKE '$day%'") $(sql "SELECT status || CASE WHEN pinned THEN '+pinned' ELSE '' END FROM meetings WHERE id = $MP")"

# ---- fewer tables ----
# A meeting pinned at the last table, which the new file no longer has: it stays on record, so
# the next run must not give its company or investor another meeting in its slot.
read -r MT ST TT < <(sql "SELECT id, slot_start, table_no FROM meetings WHERE event_id = 'jpm-2027'
    AND status = 'scheduled' ORDER BY table_no DESC, id LIMIT 1" | tr '|' ' ')
sql "UPDATE meetings SET pinned = true, sequence = sequence + 1 WHERE id = $MT" >/dev/null
$PY -c "
import json; e = json.load(open('$tmp/v3.json')); e['tables'] = $TT - 1; json.dump(e, open('$tmp/v4.json', 'w'))"
"$TAVOLO" event import "$tmp/v4.json" --json >"$tmp/v4r.json"
expect_eq "a file with fewer tables lists the pinned meeting at a table gone, a conflict" True "$($PY -c "
import json; r = json.load(open('$tmp/v4r.json'))
print(any(m['id'] == $MT and m['reasons'] == ['table_gone'] and m['action'] == 'conflict'
          for m in r['meetings']['impossible']))")"
"$TAVOLO" schedule jpm-2027 --json >/dev/null
expect_eq "the next run works" 0 $?
expect_eq "and leaves the pinned meeting's company and investor free in its slot" "1 scheduled+pinned" \
    "$(sql "SELECT count(*) FROM meetings m, meetings t WHERE t.id = $MT AND m.event_id = t.event_id
            AND m.status <> 'cancelled' AND m.slot_start = t.slot_start
            AND (m.company_id = t.company_id OR m.investor_id = t.investor_id)") $(sql "SELECT status || CASE WHEN pinned THEN '+pinned' ELSE '' END FROM meetings WHERE id = $MT")"

# ---- a bad file writes nothing ----
$PY -c "
import json; e = json.load(open('$tmp/v2.json'))
p = next(p for p in e['participants'] if p['id'] == '$I'); p['unavailable'].append('2027-01-11T25:00')
e['name'] = 'Renamed'; json.dump(e, open('$tmp/bad.json', 'w'))"
at=$($PY -c "
import json; e = json.load(open('$tmp/bad.json'))
i = next(k for k, p in enumerate(e['participants']) if p['id'] == '$I'); print('participants[%d].unavailable[%d]' % (i, len(e['participants'][i]['unavailable']) - 1))")
before=$(dump)
out=$("$TAVOLO" event import "$tmp/bad.json" 2>&1)
expect_eq "a file with an error fails" 1 $?
expect_contains "naming the field" "$at" "$out"
expect_eq "and writes nothing" "$before" "$(dump)"
finish
