#!/usr/bin/env bash
# tavolo notify run (decision 0044): request received and answered, and schedule changes with
# iTIP calendars, queued for the people of each side in their language, read back as a mail
# client reads them (Python's email, python3-icalendar); exactly once across runs; an
# unsubscribed kind is not queued; a side whose meetings changed lately waits the quiet period.
. "$(dirname "$0")/lib.sh"
TAVOLO=$1
FIX=$(cd "$(dirname "$0")/../../fixtures" && pwd)
CHECK="$(dirname "$0")/check_notify_mail.py"
require_pg
scratch_db cli_notify_messages
work=$(mktemp -d)
trap 'rm -rf "$work"; drop_scratch_db' EXIT
export TAVOLO_HOME=$work TAVOLO_PUBLIC_URL=https://tavolo.example TAVOLO_NOTIFY_QUIET=0
RAW='Acme <b>"Bio"</b> & '"'"'Co'"'"''
RAW_SQL=${RAW//\'/\'\'}

"$TAVOLO" import "$FIX/companies.jsonl" "$FIX/investors.jsonl" >/dev/null 2>&1
"$TAVOLO" event import "$FIX/events/jpm-2027.json" >/dev/null 2>&1
# The fixture's request_deadline (2027-01-06) closes requests once the real clock passes it
# (decision 0046); this test makes and answers requests whatever the date.
sql "UPDATE events SET doc = doc - 'request_deadline' WHERE id = 'jpm-2027'" >/dev/null
# The file's own requests are told of on the first run; the rest of the test counts from here.
"$TAVOLO" notify run >/dev/null
sql "DELETE FROM mail_messages" >/dev/null
sql "UPDATE companies SET doc = jsonb_set(doc, '{name}', to_jsonb('$RAW_SQL'::text)) WHERE id = 'c-029'" >/dev/null
people() {
    sql "UPDATE event_participants SET people = '[{\"name\": \"Ivo Bianchi\", \"email\": \"ivo@$1.example\", \"language\": \"it\"}, {\"name\": \"Eve Stone\", \"email\": \"Eve@$1.example\"}]' WHERE event_id = 'jpm-2027' AND profile_id = '$1'"
}
people i-003
sql "DELETE FROM meeting_requests WHERE company_id = 'c-029' AND investor_id = 'i-003'" >/dev/null
sql "INSERT INTO meeting_requests (event_id, company_id, investor_id, from_kind, priority, message) VALUES ('jpm-2027', 'c-029', 'i-003', 'company', 'must', 'Let''s talk <now> & \"soon\"')" >/dev/null
rid=$(sql "SELECT id FROM meeting_requests WHERE company_id = 'c-029' AND investor_id = 'i-003'")

bodies() { sql "SELECT translate(encode(convert_to(body, 'UTF8'), 'base64'), E'\n', '') FROM mail_messages WHERE $1 ORDER BY recipient_email"; }

out=$("$TAVOLO" notify run)
expect_eq "one request told, to its two people" "1 requests and 0 schedules told: 2 messages queued, 0 skipped" "$out"
facts=$(bodies "kind = 'request_received'" | /usr/bin/python3 "$CHECK" "$RAW")
expect_eq "parsed: two messages" 2 "$(printf '%s\n' "$facts" | grep -c .)"
expect_contains "English, every word" "Eve@i-003.example | $RAW asks " "$facts"
expect_contains "English body" "and counts it among the meetings they must have" "$facts"
expect_contains "Italian, every word" "ivo@i-003.example | $RAW chiede a " "$facts"
expect_contains "Italian body" "Il suo messaggio: \"Let's talk <now> & \"soon\"\"" "$facts"
expect_contains "a deterministic Message-ID" "<request-$rid-pending-" "$facts"
expect_eq "a second run queues nothing" "0 requests and 0 schedules told: 0 messages queued, 0 skipped" "$("$TAVOLO" notify run)"

# The answer goes to the asking side (c-029's person, Luca Dubois, English).
sql "INSERT INTO mail_unsubscribes (email, kind) VALUES ('luca.dubois@c-029.example', 'request_received')" >/dev/null
sql "UPDATE meeting_requests SET status = 'declined' WHERE id = $rid" >/dev/null
expect_eq "the answer: one message (unsubscribed from another kind only)" \
    "1 requests and 0 schedules told: 1 messages queued, 0 skipped" "$("$TAVOLO" notify run)"
facts=$(bodies "kind = 'request_answered'" | /usr/bin/python3 "$CHECK" "$RAW")
expect_contains "declined, to the asking side" "luca.dubois@c-029.example | " "$facts"
expect_contains "the answer's words" "declined the request of $RAW for a meeting at" "$facts"
sql "INSERT INTO mail_unsubscribes (email, kind) VALUES ('luca.dubois@c-029.example', 'request_answered')" >/dev/null
sql "UPDATE meeting_requests SET status = 'accepted', notified = 'pending' WHERE id = $rid" >/dev/null
expect_eq "an unsubscribed kind is not queued" \
    "1 requests and 0 schedules told: 0 messages queued, 1 skipped" "$("$TAVOLO" notify run)"

# Schedules: a run makes meetings; each side's people get one message with METHOD:REQUEST.
"$TAVOLO" schedule jpm-2027 >/dev/null
inv=$(sql "SELECT investor_id FROM meetings WHERE event_id = 'jpm-2027' AND status <> 'cancelled' ORDER BY id LIMIT 1")
people "$inv"
TAVOLO_NOTIFY_QUIET=3600 "$TAVOLO" notify run >/dev/null
expect_eq "within the quiet period nothing is told" 0 "$(sql "SELECT count(*) FROM mail_messages WHERE kind = 'schedule'")"
"$TAVOLO" notify run >/dev/null
sides=$(sql "SELECT count(*) FROM (SELECT company_id FROM meetings WHERE event_id = 'jpm-2027' AND status <> 'cancelled' UNION SELECT investor_id FROM meetings WHERE event_id = 'jpm-2027' AND status <> 'cancelled') s")
expect_eq "every side with meetings told" 0 "$(sql "SELECT count(*) FROM meetings WHERE notified_company_seq IS DISTINCT FROM sequence OR notified_investor_seq IS DISTINCT FROM sequence")"
mid=$(sql "SELECT id FROM meetings WHERE investor_id = '$inv' AND status <> 'cancelled' ORDER BY slot_index LIMIT 1")
seq=$(sql "SELECT sequence FROM meetings WHERE id = $mid")
facts=$(bodies "kind = 'schedule' AND recipient_email = 'ivo@$inv.example'" | /usr/bin/python3 "$CHECK" "$RAW")
expect_contains "Italian schedule with an iTIP request of the stable UID and SEQUENCE" "ics REQUEST" "$facts"
expect_contains "the meeting's UID and SEQUENCE" "meeting-$mid-jpm-2027@tavolo/$seq" "$facts"
expect_contains "organised by the From address (RFC 5546)" "organizer mailto:tavolo@tavolo.example tavolo" "$facts"
expect_contains "Italian words" "sono nuovi o sono cambiati" "$facts"
expect_contains "times in the event's zone, said" "Orari locali dell'evento (America/Los_Angeles)." "$facts"
n0=$(sql "SELECT count(*) FROM mail_messages")
"$TAVOLO" notify run >/dev/null
expect_eq "a third run queues nothing" "$n0" "$(sql "SELECT count(*) FROM mail_messages")"

# Cancelled and moved in one burst: a CANCEL and a REQUEST, to each person of the side.
sql "UPDATE meetings SET status = 'cancelled', sequence = sequence + 1, updated_at = now() WHERE id = $mid" >/dev/null
"$TAVOLO" notify run >/dev/null
facts=$(bodies "kind = 'schedule' AND recipient_email = 'Eve@$inv.example' AND subject LIKE 'Meetings cancelled%'" | /usr/bin/python3 "$CHECK" "$RAW")
expect_contains "an iTIP cancel with the next SEQUENCE" "ics CANCEL meeting-$mid-jpm-2027@tavolo/$((seq + 1))" "$facts"
expect_contains "English cancel words" "Meetings cancelled at" "$facts"
expect_contains "the cancel is organised by the From address too" "organizer mailto:tavolo@tavolo.example tavolo" "$facts"
finish
