#!/usr/bin/env bash
# api.report: what came of an event's meetings, measured (issue 18, decision 0068). The J.P.
# Morgan fixture moved two months back (its meetings over), scheduled, and outcomes planted for
# its meetings by a rule; GET /v1/events/{id}/report agrees with the same figures counted apart
# from the daemon from the API's lists (tests/api/report_check.py): acceptance of requests for
# recommended pairs and others and by fit decile, rating and follow-up by fit decile, no-shows,
# follow-ups, term sheets and investments by area, pathology, technology, investor kind and
# country, recall at 5, 10, 20; some figures given, others "too few cases". `tavolo report`
# prints the same; only the event's organisers and admins read it.
. "$(dirname "$0")/../cli/lib.sh"
TAVOLO=$1
FIX=$(cd "$(dirname "$0")/../../fixtures" && pwd)
require_pg
scratch_db api_report
tmp=$(mktemp -d)
daemon=""
trap 'kill -TERM $daemon 2>/dev/null; wait $daemon 2>/dev/null; rm -rf "$tmp"; drop_scratch_db' EXIT
PY=/usr/bin/python3
. "$(dirname "$0")/http.sh"

"$TAVOLO" import "$FIX/companies.jsonl" "$FIX/investors.jsonl" >/dev/null 2>&1
"$PY" - "$FIX/events/jpm-2027.json" "$tmp/past.json" <<'PYEOF'
import datetime, json, sys
e = json.load(open(sys.argv[1]))
first = datetime.date.today() - datetime.timedelta(days=60)
moved = {d: (first + datetime.timedelta(days=k)).isoformat() for k, d in enumerate(e["days"])}
e.update(id="jpm-past", days=list(moved.values()))
for p in e["participants"]:
    p["unavailable"] = [moved[u[:10]] + u[10:] for u in p.get("unavailable", [])]
e.pop("request_deadline", None)
json.dump(e, open(sys.argv[2], "w"))
PYEOF
"$TAVOLO" event import "$tmp/past.json" >/dev/null 2>&1
"$TAVOLO" event import "$FIX/events/jpm-2027.json" >/dev/null 2>&1
"$TAVOLO" schedule jpm-past >/dev/null 2>&1
meetings=$(sql "SELECT count(*) FROM meetings WHERE event_id = 'jpm-past' AND status <> 'cancelled'")
expect_eq "the event of two months ago has its meetings" True "$([ "$meetings" -gt 100 ] && echo True)"
# The outcomes, by a rule over the meetings' ids: the company answers two meetings in three
# (a no-show one in seven, else a rating and a follow-up from 4 up), the investor every other
# one; term sheets and investments now and then; a no-show set by the organisers.
sql "INSERT INTO meeting_outcomes (event_id, meeting_id, side, recorded_by, held, rating, follow_up)
     SELECT event_id, id, 'company', 'test', id % 7 <> 0, CASE WHEN id % 7 <> 0 THEN 1 + id % 5 END,
            CASE WHEN id % 7 <> 0 THEN 1 + id % 5 >= 4 END
     FROM meetings WHERE event_id = 'jpm-past' AND status <> 'cancelled' AND id % 3 <> 0;
     INSERT INTO meeting_outcomes (event_id, meeting_id, side, recorded_by, held, rating, follow_up)
     SELECT event_id, id, 'investor', 'test', true, 1 + (id + 1) % 5, false
     FROM meetings WHERE event_id = 'jpm-past' AND status <> 'cancelled' AND id % 2 = 0;
     INSERT INTO meeting_outcomes (event_id, meeting_id, side, recorded_by, next_step, step_date)
     SELECT event_id, id, 'company', 'test', 'term_sheet', '2027-02-01'
     FROM meetings WHERE event_id = 'jpm-past' AND status <> 'cancelled' AND id % 11 = 0;
     INSERT INTO meeting_outcomes (event_id, meeting_id, side, recorded_by, next_step, amount_eur)
     SELECT event_id, id, 'investor', 'test', 'investment', 1500000
     FROM meetings WHERE event_id = 'jpm-past' AND status <> 'cancelled' AND id % 13 = 0;
     UPDATE meetings SET status = 'no_show' WHERE event_id = 'jpm-past' AND status = 'scheduled' AND id % 17 = 0" >/dev/null

tok() { "$TAVOLO" token create "$@" 2>/dev/null; }
ADMIN=$(tok --role admin)
ORG=$(tok --role organiser --event jpm-past)
OTHER=$(tok --role organiser --event jpm-2027)
COMP=$(tok --role company --subject c-029)
TAVOLO_HOME="$tmp" TAVOLO_DIGEST_TIME=off TAVOLO_MAIL_POLL_SECONDS=3600 "$TAVOLO" serve \
    --listen 127.0.0.1:0 --port-file "$tmp/port" 2>"$tmp/daemon.log" &
daemon=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
base="http://127.0.0.1:$(cat "$tmp/port")"

expect_eq "the report agrees with the figures counted from the API's lists" "" \
    "$("$PY" "$(dirname "$0")/report_check.py" "$base" "$ADMIN" jpm-past 2>&1)"
expect_eq "the Tour's report agrees with the figures of its events counted together" "" \
    "$("$PY" "$(dirname "$0")/report_check.py" "$base" "$ADMIN" --tour jpm-2027 jpm-past 2>&1)"
call GET /v1/report "$ORG"
expect_status "the Tour's report is an admin's" 403
"$TAVOLO" report --all >"$tmp/cli-all.json"
call GET /v1/report "$ADMIN"
expect_eq "tavolo report --all prints it" True \
    "$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1])) == json.load(open(sys.argv[2])))' "$tmp/body" "$tmp/cli-all.json")"
call GET /v1/events/jpm-past/report "$ORG"
expect_status "the event's organiser reads it" 200
cp "$tmp/body" "$tmp/api.json"
"$TAVOLO" report jpm-past >"$tmp/cli.json"
expect_eq "tavolo report prints the same" True \
    "$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1])) == json.load(open(sys.argv[2])))' "$tmp/api.json" "$tmp/cli.json")"
call GET /v1/events/jpm-past/report "$OTHER"
expect_status "another event's organiser does not" 403
call GET /v1/events/jpm-past/report "$COMP"
expect_status "nor a participant" 403
call GET /v1/events/nowhere/report "$ADMIN"
expect_status "an event that does not exist is a 404" 404
finish
