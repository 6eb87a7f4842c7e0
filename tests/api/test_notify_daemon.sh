#!/usr/bin/env bash
# api.notify: the running daemon tells people, with no command run by hand. On the J.P. Morgan
# fixture, with TAVOLO_NOTIFY_QUIET=0 and a mail tick of one second (no relay: the Maildir
# outbox): a request made through the API reaches the asked side's people, its answer the
# asking side's; a schedule run through the API sends each side its agenda with an iTIP
# calendar (METHOD:REQUEST); every message is delivered, each once, and a later tick adds
# nothing. The messages are read from the outbox with Python's email and icalendar.
. "$(dirname "$0")/../cli/lib.sh"
TAVOLO=$1
FIX=$(cd "$(dirname "$0")/../../fixtures" && pwd)
require_pg
scratch_db api_notify
tmp=$(mktemp -d)
daemon=""
trap 'kill -TERM $daemon 2>/dev/null; wait $daemon 2>/dev/null; rm -rf "$tmp"; drop_scratch_db' EXIT
PY=/usr/bin/python3

"$TAVOLO" import "$FIX/companies.jsonl" "$FIX/investors.jsonl" >/dev/null 2>&1
"$TAVOLO" event import "$FIX/events/jpm-2027.json" >/dev/null 2>&1
# The fixture's request_deadline (2027-01-06) closes requests once the real clock passes it
# (decision 0046); this test makes and answers requests whatever the date.
sql "UPDATE events SET doc = doc - 'request_deadline' WHERE id = 'jpm-2027'" >/dev/null
"$TAVOLO" notify run >/dev/null 2>&1 # the file's own requests: told before the daemon starts
sql "DELETE FROM mail_messages" >/dev/null
mkdir -p "$tmp/home"
TAVOLO_HOME="$tmp/home" TAVOLO_NOTIFY_QUIET=0 TAVOLO_MAIL_POLL_SECONDS=1 TAVOLO_DIGEST_TIME=off \
    "$TAVOLO" serve --listen 127.0.0.1:0 --port-file "$tmp/port" 2>"$tmp/daemon.log" &
daemon=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
base="http://127.0.0.1:$(cat "$tmp/port")"
call() { # METHOD PATH TOKEN [JSON] -> status; body in $tmp/body
    curl -s --max-time 20 -o "$tmp/body" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $3" \
        ${4:+-H 'Content-Type: application/json' --data "$4"} "$base$2"
}

# wait_sent KIND N: until N messages of KIND are sent (10 s at most); prints the count.
wait_sent() {
    local n=0
    for _ in $(seq 100); do
        n=$(sql "SELECT count(*) FROM mail_messages WHERE kind = '$1' AND status = 'sent'")
        [ "$n" -ge "$2" ] && break
        sleep 0.1
    done
    echo "$n"
}

# outbox KIND EXPR: a Python expression over the outbox's messages of KIND (their Message-IDs
# from the table), parsed: 'msgs' is a list of email.message.Message.
outbox() {
    sql "SELECT message_id FROM mail_messages WHERE kind = '$1' ORDER BY id" >"$tmp/ids"
    "$PY" - "$tmp/home/outbox/new" "$tmp/ids" "$2" <<'EOF'
import email, email.policy, pathlib, sys
import icalendar
ids = set(open(sys.argv[2]).read().split())
msgs = []
for p in pathlib.Path(sys.argv[1]).glob("*"):
    m = email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
    if m["Message-ID"].strip("<>") in ids:
        msgs.append(m)
def calendars(m):
    return [icalendar.Calendar.from_ical(part.get_content())
            for part in m.walk() if part.get_content_type() == "text/calendar"]
print(eval(sys.argv[3]))
EOF
}

read -r C I < <(sql "SELECT c.profile_id, i.profile_id FROM event_participants c, event_participants i
    WHERE c.event_id = 'jpm-2027' AND i.event_id = 'jpm-2027' AND c.kind = 'company'
    AND i.kind = 'investor' AND NOT EXISTS (SELECT 1 FROM meeting_requests q WHERE q.event_id = 'jpm-2027'
    AND q.company_id = c.profile_id AND q.investor_id = i.profile_id)
    AND jsonb_array_length(i.people) > 0 AND jsonb_array_length(c.people) > 0
    ORDER BY c.profile_id, i.profile_id LIMIT 1" | tr '|' ' ')
COMP=$("$TAVOLO" token create --role company --subject "$C" 2>/dev/null)
INV=$("$TAVOLO" token create --role investor --subject "$I" 2>/dev/null)
ORG=$("$TAVOLO" token create --role organiser --event jpm-2027 2>/dev/null)

expect_eq "the company asks the investor for a meeting" 201 \
    "$(call POST /v1/events/jpm-2027/requests "$COMP" "{\"company_id\": \"$C\", \"investor_id\": \"$I\", \"priority\": \"want\", \"message\": \"<b>Vorremmo</b> parlarvi & presto\"}")"
rid=$($PY -c "import json; print(json.load(open('$tmp/body'))['id'])")
people() { "$TAVOLO" notify recipients jpm-2027 "$1" "$2" | cut -f1 | sort | tr '\n' ' '; }
n_inv=$(people investor "$I" | wc -w)
n_comp=$(people company "$C" | wc -w)
expect_eq "the daemon delivers the notice to each of the investor's people, with no command run" \
    "$n_inv" "$(wait_sent request_received "$n_inv")"
expect_eq "to the investor's people, escaped, with a one-click unsubscribe" "True True True" "$(outbox request_received "' '.join(map(str, (
    sorted(m['To'].addresses[0].addr_spec for m in msgs) == '$(people investor "$I")'.split(),
    all('<b>Vorremmo' not in m.get_body(('html',)).get_content() for m in msgs),
    all(m['List-Unsubscribe-Post'] == 'List-Unsubscribe=One-Click' for m in msgs))))")"

expect_eq "the investor accepts" 200 "$(call POST "/v1/events/jpm-2027/requests/$rid/accept" "$INV")"
expect_eq "each of the company's people is told" "$n_comp" "$(wait_sent request_answered "$n_comp")"

expect_eq "the organiser schedules" 200 "$(call POST /v1/events/jpm-2027/schedule "$ORG")"
sides=$(sql "SELECT count(DISTINCT company_id) + count(DISTINCT investor_id) FROM meetings
    WHERE event_id = 'jpm-2027' AND status = 'scheduled'")
sent=$(wait_sent schedule "$sides")
if [ "$sent" -ge "$sides" ]; then
    ok "every side with a meeting is sent its agenda ($sent messages for $sides sides)"
else
    not_ok "$sent schedule messages sent for $sides sides"
fi
expect_eq "each with an iTIP calendar: METHOD:REQUEST, one VEVENT per meeting, UID and SEQUENCE" "True" \
    "$(outbox schedule "all(c.get('method') == 'REQUEST' and c.walk('VEVENT') and all(e.get('uid') and e.get('sequence') is not None for e in c.walk('VEVENT')) for m in msgs for c in calendars(m)) and len(msgs) >= $sides")"
before=$(sql "SELECT count(*) FROM mail_messages")
sleep 3
expect_eq "later ticks tell nothing again" "$before" "$(sql "SELECT count(*) FROM mail_messages")"
expect_eq "no message twice in the outbox" "True" \
    "$($PY -c "import email, pathlib; ids = [email.message_from_bytes(p.read_bytes())['Message-ID'] for p in pathlib.Path('$tmp/home/outbox/new').glob('*')]; print(len(ids) == len(set(ids)) and len(ids) > 0)")"
expect_eq "every queued message is sent" 0 "$(sql "SELECT count(*) FROM mail_messages WHERE status <> 'sent'")"
finish
