#!/usr/bin/env bash
# api.outcomes: what came of each meeting (issue 18, decision 0067). An event that took place
# last month (its meetings have begun) and jpm-2027 (not yet): each side of a meeting records
# held, a rating, a follow-up and later next steps, and reads its own answers only, never the
# other side's; the organisers read every side and correct only whether it was held; wrong
# values are 422 naming their field; a meeting not begun, or cancelled, is a 409; another pair's
# participant and another event's organiser get 403; the history is append-only in PostgreSQL.
. "$(dirname "$0")/../cli/lib.sh"
TAVOLO=$1
FIX=$(cd "$(dirname "$0")/../../fixtures" && pwd)
require_pg
scratch_db api_outcomes
tmp=$(mktemp -d)
daemon=""
trap 'kill -TERM $daemon 2>/dev/null; wait $daemon 2>/dev/null; rm -rf "$tmp"; drop_scratch_db' EXIT
PY=/usr/bin/python3
. "$(dirname "$0")/http.sh"

"$TAVOLO" import "$FIX/companies.jsonl" "$FIX/investors.jsonl" >/dev/null 2>&1
"$TAVOLO" event import "$FIX/events/jpm-2027.json" >/dev/null 2>&1
"$TAVOLO" schedule jpm-2027 >/dev/null 2>&1
# An event of last month: its meetings have begun.
day=$(date -u -d '30 days ago' +%F)
"$PY" - "$tmp/past.json" "$day" <<'PYEOF'
import json, sys
people = lambda pid: [{"name": f"Person {pid}", "email": f"person.{pid}@{pid}.example"}]
parts = [{"kind": "company", "id": f"c-00{k}", "max_meetings": 3, "people": people(f"c-00{k}")} for k in range(1, 5)]
parts += [{"kind": "investor", "id": f"i-00{k}", "max_meetings": 3, "people": people(f"i-00{k}")} for k in range(1, 5)]
json.dump({"id": "past-2026", "name": "A stop of last month", "time_zone": "Europe/Rome", "days": [sys.argv[2]],
           "day_start": "09:00", "day_end": "13:00", "slot_minutes": 30, "tables": 4, "participants": parts},
          open(sys.argv[1], "w"))
PYEOF
"$TAVOLO" event import "$tmp/past.json" >/dev/null 2>&1
"$TAVOLO" schedule past-2026 >/dev/null 2>&1
IFS="|" read -r mid cid iid <<<"$(sql "SELECT id, company_id, investor_id FROM meetings WHERE event_id = 'past-2026' AND status = 'scheduled' ORDER BY id LIMIT 1")"
other=$(sql "SELECT company_id FROM meetings WHERE event_id = 'past-2026' AND company_id <> '$cid' LIMIT 1")
future=$(sql "SELECT id FROM meetings WHERE event_id = 'jpm-2027' AND status = 'scheduled' ORDER BY id LIMIT 1")
fcid=$(sql "SELECT company_id FROM meetings WHERE id = $future")
tok() { "$TAVOLO" token create "$@" 2>/dev/null; }
COMP=$(tok --role company --subject "$cid")
INV=$(tok --role investor --subject "$iid")
OTHER=$(tok --role company --subject "$other")
ORG=$(tok --role organiser --event past-2026)
JPMORG=$(tok --role organiser --event jpm-2027)
FCOMP=$(tok --role company --subject "$fcid")

# The notify job is run by hand below: the daemon's mail tick waits an hour.
export TAVOLO_PUBLIC_URL=https://tavolo.example TAVOLO_NOTIFY_QUIET=0
TAVOLO_HOME="$tmp" TAVOLO_DIGEST_TIME=off TAVOLO_MAIL_POLL_SECONDS=3600 "$TAVOLO" serve \
    --listen 127.0.0.1:0 --port-file "$tmp/port" 2>"$tmp/daemon.log" &
daemon=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
base="http://127.0.0.1:$(cat "$tmp/port")"
path=/v1/events/past-2026/meetings/$mid/outcomes
J=(-H 'Content-Type: application/json')

call POST "$path" "$COMP" "${J[@]}" --data '{"held": true, "rating": 4, "follow_up": true}'
expect_status "the company records held, a rating and a follow-up" 201
expect_eq "and reads its answer back" "True 4 True []" \
    "$(js '(d["sides"]["company"]["held"], d["sides"]["company"]["rating"], d["sides"]["company"]["follow_up"], d["sides"]["company"]["next_steps"])')"
call POST "$path" "$INV" "${J[@]}" --data '{"held": true, "rating": 2, "follow_up": false}'
expect_status "the investor records its own" 201
expect_eq "and sees its side only, never the company's rating" "['investor'] 2" \
    "$(js '(sorted(d["sides"]), d["sides"]["investor"]["rating"])')"
expect_eq "its history too" "['investor']" "$(js 'sorted({h["side"] for h in d["history"]})')"
call GET "$path" "$COMP"
expect_eq "the company reads its side only" "['company'] 1" "$(js '(sorted(d["sides"]), len(d["history"]))')"

call POST "$path" "$COMP" "${J[@]}" --data '{"next_step": {"kind": "term_sheet", "date": "2027-01-20"}}'
expect_status "later, a term sheet" 201
call POST "$path" "$COMP" "${J[@]}" --data '{"next_step": {"kind": "investment", "amount_eur": 2500000, "date": "2027-03-01"}, "rating": 5}'
expect_status "then an investment with its amount, and a new rating" 201
expect_eq "the answer is the latest of each field, every step in order" \
    "True 5 True ['term_sheet', 'investment'] 2500000" \
    "$(js '(d["sides"]["company"]["held"], d["sides"]["company"]["rating"], d["sides"]["company"]["follow_up"], [s["kind"] for s in d["sides"]["company"]["next_steps"]], d["sides"]["company"]["next_steps"][1]["amount_eur"])')"
expect_eq "its three rows, each by its token" "3 token" \
    "$(js '(len(d["history"]), {h["recorded_by"].split(":")[0] for h in d["history"]}.pop())')"

for case in '{"rating": 6}|/rating' '{"rating": "4"}|/rating' '{"held": "yes"}|/held' \
    '{"follow_up": 1}|/follow_up' '{"next_step": {"kind": "lunch"}}|/next_step/kind' \
    '{"next_step": {"kind": "nda", "amount_eur": 10}}|/next_step/amount_eur' \
    '{"next_step": {"kind": "nda", "date": "2027-13-40"}}|/next_step/date' \
    '{"mood": "good"}|' '{}|'; do
    call POST "$path" "$COMP" "${J[@]}" --data "${case%|*}"
    expect_eq "${case%|*} is refused naming its field" "422 ${case#*|}" "$code $(js 'd.get("pointer", "")')"
done
expect_eq "nothing written by the refusals" 4 "$(sql "SELECT count(*) FROM meeting_outcomes")"

call POST "$path" "$OTHER" "${J[@]}" --data '{"held": false}'
expect_status "a participant of another pair cannot record" 403
call GET "$path" "$OTHER"
expect_status "nor read" 403
call GET "/v1/events/past-2026/meetings/999999/outcomes" "$OTHER"
expect_status "a meeting that does not exist looks the same to it" 403
call GET "$path" "$JPMORG"
expect_status "another event's organiser cannot read" 403

call GET "$path" "$ORG"
expect_eq "the organiser reads both sides" "['company', 'investor'] 4 2" \
    "$(js '(sorted(d["sides"]), d["sides"]["company"]["rating"] - 1, d["sides"]["investor"]["rating"])')"
call POST "$path" "$ORG" "${J[@]}" --data '{"held": false}'
expect_status "and corrects whether it was held" 201
expect_eq "as the organiser's side" "False" "$(js 'd["sides"]["organiser"]["held"]')"
expect_eq "and the meeting is a no-show, pinned, its SEQUENCE up" "no_show true 1" \
    "$(sql "SELECT status || ' ' || pinned || ' ' || sequence FROM meetings WHERE id = $mid")"
call POST "$path" "$ORG" "${J[@]}" --data '{"rating": 3}'
expect_eq "but does not rate it" "422 /rating" "$code $(js 'd.get("pointer", "")')"
call GET "/v1/events/past-2026/meetings/999999/outcomes" "$ORG"
expect_status "a meeting the event does not have is a 404 for its organiser" 404

call POST "/v1/events/jpm-2027/meetings/$future/outcomes" "$FCOMP" "${J[@]}" --data '{"held": true}'
expect_eq "a meeting that has not begun has no outcome yet" "409 True" \
    "$code $(js '"not begun" in d["detail"]')"
cancelled=$(sql "SELECT id FROM meetings WHERE event_id = 'past-2026' AND company_id = '$cid' AND id <> $mid LIMIT 1")
if [ -n "$cancelled" ]; then
    sql "UPDATE meetings SET status = 'cancelled' WHERE id = $cancelled" >/dev/null
    call POST "/v1/events/past-2026/meetings/$cancelled/outcomes" "$COMP" "${J[@]}" --data '{"held": true}'
    expect_eq "nor a cancelled one" "409 True" "$code $(js '"cancelled" in d["detail"]')"
else
    not_ok "the company should have a second meeting to cancel"
fi

# ---- the mail (decision 0067): once a side's meetings have all ended it is asked, with
# one-click links per meeting; 3 days later it is asked again about those it left unanswered.
# A second event of last month, imported now: the daemon's mail tick (hourly) asked about the
# first when it started, this one is asked by the job run here.
"$PY" - "$tmp/past.json" "$tmp/past-b.json" "$(date -u -d '20 days ago' +%F)" <<'PYEOF'
import json, sys
e = json.load(open(sys.argv[1]))
e.update(id="past-2026-b", name="Another stop", days=[sys.argv[3]])
json.dump(e, open(sys.argv[2], "w"))
PYEOF
"$TAVOLO" event import "$tmp/past-b.json" >/dev/null 2>&1
"$TAVOLO" schedule past-2026-b >/dev/null 2>&1
"$TAVOLO" notify run past-2026-b >"$tmp/notify.out" 2>&1
sides=$(sql "SELECT count(DISTINCT (side, pid)) FROM (SELECT 'company' AS side, company_id AS pid FROM meetings WHERE event_id = 'past-2026-b' AND status <> 'cancelled' UNION ALL SELECT 'investor', investor_id FROM meetings WHERE event_id = 'past-2026-b' AND status <> 'cancelled') x")
expect_contains "the notify job asks every side whose meetings are over" "outcomes: $sides sides asked what came of their meetings, 0 asked again" \
    "$(cat "$tmp/notify.out")"
person="person.$cid@$cid.example"
# links_of ADDRESS [MEETING:ANSWER]: the meetings and answers of the one-click links of the
# newest 'outcome' message to ADDRESS, read as a mail client reads it ("MEETING:ANSWER ... |
# subject | the same links in both parts"); with MEETING:ANSWER, that link.
links_of() {
    sql "SELECT body FROM mail_messages WHERE kind = 'outcome' AND event_id = 'past-2026-b' AND recipient_email = '$1' ORDER BY id DESC LIMIT 1" >"$tmp/msg"
    "$PY" - "$tmp/msg" ${2:+"$2"} <<'PYEOF'
import email, email.policy, re, sys, urllib.parse
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
text = m.get_body(("plain",)).get_content()
html = m.get_body(("html",)).get_content()
links = re.findall(r"https://tavolo\.example/v1/outcome\?[^\s\"<]+", text)
got = [urllib.parse.parse_qs(urllib.parse.urlparse(u).query) for u in links]
pairs = sorted({f'{q["m"][0]}:{q["a"][0]}' for q in got})
same_html = sorted(set(re.findall(r"https://tavolo\.example/v1/outcome\?[^\s\"<]+", html.replace("&amp;", "&")))) == sorted(set(links))
if len(sys.argv) > 2:
    print(next(u for u, q in zip(links, got) if f'{q["m"][0]}:{q["a"][0]}' == sys.argv[2]))
else:
    print(" ".join(pairs), "|", m["Subject"], "|", same_html)
PYEOF
}
expected() { for x in $1; do for a in 1 2 3 4 5 no_show; do echo "$x:$a"; done; done | sort | tr '\n' ' ' | sed 's/ $//'; }
meetings=$(sql "SELECT string_agg(id::text, ' ' ORDER BY id) FROM meetings WHERE event_id = 'past-2026-b' AND company_id = '$cid' AND status <> 'cancelled'")
expect_eq "the company's person gets six links per meeting of its side, the same in both parts" \
    "$(expected "$meetings") | How did your meetings at Another stop go? | True" "$(links_of "$person")"
first_slot=$(sql "SELECT slot_start FROM meetings WHERE event_id = 'past-2026-b' AND company_id = '$cid' AND status <> 'cancelled' ORDER BY slot_start LIMIT 1")
expect_eq "each meeting said in words, its day and time, in both parts" "True True" \
    "$("$PY" - "$tmp/msg" "$first_slot" <<'PYEOF'
import datetime, email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
at = datetime.datetime.strptime(sys.argv[2], "%Y-%m-%dT%H:%M")
words = f"{at:%A} {at.day} {at:%B} {at.year}, {at:%H:%M}"
print(words in m.get_body(("plain",)).get_content(), words in m.get_body(("html",)).get_content())
PYEOF
)"
lmid=${meetings%% *}
link=$(links_of "$person" "$lmid:4")
query=${link#*\?}
before=$(sql "SELECT count(*) FROM meeting_outcomes")
call GET "/v1/outcome?$query" ""
expect_eq "the link opens a page asking to confirm" "200 1" "$code $(grep -c 'Conferma / Confirm' "$tmp/body")"
expect_eq "which records nothing (mail scanners follow links)" "$before" "$(sql "SELECT count(*) FROM meeting_outcomes")"
call GET "/v1/outcome?${query/a=4/a=5}" ""
expect_eq "a link altered to another answer is refused naming its token" "400 t" "$code $(js 'd["parameter"]')"
call POST "/v1/outcome?$query" "" -H 'Content-Type: application/x-www-form-urlencoded' --data 'confirm=no'
expect_status "the form must say confirm=yes" 422
call POST "/v1/outcome?$query" "" -H 'Content-Type: application/x-www-form-urlencoded' --data 'confirm=yes'
expect_eq "confirmed, it is recorded" "200 1" "$code $(grep -c 'Registrato' "$tmp/body")"
expect_eq "as the company's answer, by the person the mail went to" "company|$person|true|4" \
    "$(sql "SELECT side || '|' || recorded_by || '|' || held || '|' || rating FROM meeting_outcomes ORDER BY id DESC LIMIT 1")"
"$TAVOLO" notify run past-2026-b >"$tmp/notify.out" 2>&1
expect_eq "asked once: a second run asks nothing" 0 "$(grep -c 'sides asked' "$tmp/notify.out")"
sql "UPDATE notify_once SET told_at = told_at - interval '4 days' WHERE kind = 'outcome_ask'" >/dev/null
"$TAVOLO" notify run past-2026-b >"$tmp/notify.out" 2>&1
unanswered=$(sql "SELECT string_agg(id::text, ' ' ORDER BY id) FROM meetings m WHERE event_id = 'past-2026-b' AND company_id = '$cid' AND status <> 'cancelled' AND NOT EXISTS (SELECT 1 FROM meeting_outcomes o WHERE o.meeting_id = m.id AND o.side = 'company')")
if [ -n "$unanswered" ]; then
    expect_eq "3 days later, the meetings it left unanswered, and only those" \
        "$(expected "$unanswered") | A reminder: How did your meetings at Another stop go? | True" "$(links_of "$person")"
else
    expect_eq "3 days later, no reminder to a side that answered every meeting" 0 \
        "$(sql "SELECT count(*) FROM mail_messages WHERE kind = 'outcome' AND recipient_email = '$person' AND subject LIKE 'A reminder%'")"
fi
expect_contains "the job says it asked again" "asked again" "$(cat "$tmp/notify.out")"

out=$(sql "UPDATE meeting_outcomes SET rating = 1 WHERE side = 'company'" 2>&1)
expect_contains "the history is append-only in PostgreSQL" "append-only" "$out"
expect_eq "the rows stand" "5" "$(sql "SELECT max(rating) FROM meeting_outcomes WHERE side = 'company'")"
finish
