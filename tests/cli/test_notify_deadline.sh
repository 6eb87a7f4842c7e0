#!/usr/bin/env bash
# tavolo notify run --now (decision 0046): the request deadline and the day-before messages.
# On the J.P. Morgan fixture with a date-only deadline (2027-01-06 in Los Angeles, so requests
# close at 2027-01-07T08:00:00Z): the "expiring" notice goes to the asked side's people once,
# a day before the deadline (not two days before, not after it), in their language; at the
# deadline every pending request expires, once; a reminder goes once the day before a side's
# first meeting, not before; a person of two sides gets one message of each kind. Messages are
# read as a mail client reads them (Python's email).
. "$(dirname "$0")/lib.sh"
TAVOLO=$1
FIX=$(cd "$(dirname "$0")/../../fixtures" && pwd)
CHECK="$(dirname "$0")/check_notify_mail.py"
require_pg
scratch_db cli_notify_deadline
work=$(mktemp -d)
trap 'rm -rf "$work"; drop_scratch_db' EXIT
export TAVOLO_HOME=$work TAVOLO_PUBLIC_URL=https://tavolo.example TAVOLO_NOTIFY_QUIET=0
RAW='Acme <b>"Bio"</b> & '"'"'Co'"'"''
RAW_SQL=${RAW//\'/\'\'}
EV="event_id = 'jpm-2027'"

"$TAVOLO" import "$FIX/companies.jsonl" "$FIX/investors.jsonl" >/dev/null 2>&1
"$TAVOLO" event import "$FIX/events/jpm-2027.json" >/dev/null 2>&1
sql "UPDATE events SET doc = jsonb_set(doc, '{request_deadline}', '\"2027-01-06\"') WHERE id = 'jpm-2027'" >/dev/null
sql "UPDATE companies SET doc = jsonb_set(doc, '{name}', to_jsonb('$RAW_SQL'::text)) WHERE id = 'c-029'" >/dev/null
sql "UPDATE event_participants SET people = '[{\"name\": \"Ivo <b>&\", \"email\": \"ivo@i-003.example\", \"language\": \"it\"}, {\"name\": \"Eve Stone\", \"email\": \"Eve@i-003.example\"}]' WHERE $EV AND profile_id = 'i-003'" >/dev/null
sql "DELETE FROM meeting_requests WHERE company_id = 'c-029' OR investor_id = 'i-003'" >/dev/null
sql "INSERT INTO meeting_requests (event_id, company_id, investor_id, from_kind, priority, message) VALUES ('jpm-2027', 'c-029', 'i-003', 'company', 'must', 'Let''s talk <now> & \"soon\"')" >/dev/null
rid=$(sql "SELECT id FROM meeting_requests WHERE company_id = 'c-029' AND investor_id = 'i-003'")

expect_eq "--now must be a time" 2 "$("$TAVOLO" notify run --now tomorrow >/dev/null 2>&1; echo $?)"
expect_contains "--now names itself" "--now" "$("$TAVOLO" notify run --now tomorrow 2>&1)"
"$TAVOLO" notify run --now 2027-01-05T07:00:00Z >/dev/null
n_exp() { sql "SELECT count(*) FROM mail_messages WHERE kind = 'request_expiring' ${1:-}"; }
expect_eq "two days before the deadline: no expiring notice" 0 "$(n_exp)"
expect_eq "two days before the deadline: nothing expired" 0 "$(sql "SELECT count(*) FROM meeting_requests WHERE status = 'expired'")"
# Eve also represents another asked investor: one message to her, listing both sides' requests.
other=$(sql "SELECT investor_id FROM meeting_requests WHERE $EV AND status = 'pending' AND from_kind = 'company' AND investor_id <> 'i-003' ORDER BY investor_id LIMIT 1")
other_asker=$(sql "SELECT c.doc->>'name' FROM meeting_requests q JOIN companies c ON c.id = q.company_id WHERE q.$EV AND q.investor_id = '$other' AND q.status = 'pending' ORDER BY q.id LIMIT 1")
sql "UPDATE event_participants SET people = '[{\"name\": \"Eve Stone\", \"email\": \"eve@i-003.example\"}]' WHERE $EV AND profile_id = '$other'" >/dev/null
pending=$(sql "SELECT count(*) FROM meeting_requests WHERE $EV AND status = 'pending'")
asked=$(sql "SELECT count(DISTINCT (CASE from_kind WHEN 'company' THEN investor_id ELSE company_id END)) FROM meeting_requests WHERE $EV AND status = 'pending'")

out=$("$TAVOLO" notify run --now 2027-01-06T12:00:00Z)
expect_contains "a day before: each asked side told" "$asked sides told their requests expire" "$out"
expect_eq "to i-003's two people" 2 "$(n_exp "AND recipient_email LIKE '%@i-003.example'")"
expect_eq "never to the asking side" 0 "$(n_exp "AND recipient_email LIKE '%@c-029.example'")"
sql "SELECT translate(encode(convert_to(body, 'UTF8'), 'base64'), E'\n', '') FROM mail_messages WHERE kind = 'request_expiring' AND recipient_email LIKE '%@i-003.example' ORDER BY recipient_email" >"$work/exp"
facts=$(/usr/bin/python3 "$CHECK" "$RAW" <"$work/exp")
expect_eq "parsed: two messages" 2 "$(printf '%s\n' "$facts" | grep -c .)"
expect_contains "English subject" "Eve@i-003.example | Requests waiting for an answer: the deadline of J.P. Morgan" "$facts"
expect_contains "English body with the deadline in the event's zone" "until the end of 2027-01-06 (America/Los_Angeles)" "$facts"
expect_contains "English: the request listed" "$RAW (a meeting they must have), to " "$facts"
expect_contains "Italian subject" "ivo@i-003.example | Richieste in attesa di risposta: la scadenza di J.P. Morgan" "$facts"
expect_contains "Italian body" "fino alla fine del giorno 2027-01-06 (America/Los_Angeles)" "$facts"
expect_contains "a deterministic Message-ID" "<expiring-" "$facts"
expect_eq "one message to a person of two asked sides" 1 "$(n_exp "AND lower(recipient_email) = 'eve@i-003.example'")"
expect_contains "listing the other side's requests too" "$other_asker" "$(printf '%s\n' "$facts" | grep '^Eve@')"
expect_eq "the recipient's own name escaped in the HTML" "ok" "$(/usr/bin/python3 -c "
import base64, email, email.policy, sys
for line in open(sys.argv[1]):
    m = email.message_from_bytes(base64.b64decode(line), policy=email.policy.default)
    h = m.get_body(('html',)).get_content()
    if str(m['To'].addresses[0].addr_spec).startswith('ivo'):
        assert 'Ivo <b>&' not in h and 'Ivo &lt;b&gt;&amp;' in h, h
print('ok')" "$work/exp")"
n1=$(n_exp)
"$TAVOLO" notify run --now 2027-01-06T20:00:00Z >/dev/null
expect_eq "told once: a later run the same day queues no notice" "$n1" "$(n_exp)"

# A side asked after its notice went is not told again; one never told before the deadline is
# not told after it.
"$TAVOLO" notify run --now 2027-01-07T07:59:00Z >/dev/null
expect_eq "at 23:59 local, still the deadline's day: nothing expired" 0 "$(sql "SELECT count(*) FROM meeting_requests WHERE status = 'expired'")"
expect_eq "and nobody told twice" "$n1" "$(n_exp)"
sql "INSERT INTO meeting_requests (event_id, company_id, investor_id, from_kind, priority, notified) VALUES ('jpm-2027', 'c-029', 'i-001', 'company', 'want', 'pending')" >/dev/null
out=$("$TAVOLO" notify run --now 2027-01-07T08:00:00Z)
expect_contains "at the end of the day every pending request expires" "$((pending + 1)) requests expired" "$out"
expect_eq "expired" "expired" "$(sql "SELECT status FROM meeting_requests WHERE id = $rid")"
expect_eq "no notice after the deadline" "$n1" "$(n_exp)"
at=$(sql "SELECT decided_at FROM meeting_requests WHERE id = $rid")
out=$("$TAVOLO" notify run --now 2027-01-08T08:00:00Z)
expect_eq "expires once: the next run has nothing to expire" 0 "$(printf '%s\n' "$out" | grep -c 'requests expired')"
expect_eq "expired once: its time unchanged" "$at" "$(sql "SELECT decided_at FROM meeting_requests WHERE id = $rid")"
# The asking side learns its request expired unanswered: once, in its language.
exp_told() { sql "SELECT count(*) FROM mail_messages WHERE kind = 'request_answered' AND message_id LIKE 'request-$rid-expired-%' ${1:-}"; }
expect_eq "the asking side told of the expiry (c-029's people)" \
    "$(sql "SELECT count(*) FROM mail_messages WHERE kind = 'request_answered' AND recipient_email LIKE '%@c-029.example' AND message_id LIKE 'request-$rid-expired-%'")" \
    "$(exp_told)"
expect_eq "told at all" 1 "$([ "$(exp_told)" -ge 1 ] && echo 1 || echo 0)"
facts=$(sql "SELECT translate(encode(convert_to(body, 'UTF8'), 'base64'), E'\n', '') FROM mail_messages WHERE message_id LIKE 'request-$rid-expired-%' ORDER BY recipient_email" | /usr/bin/python3 "$CHECK" "$RAW")
expect_contains "in words: no answer before the deadline" "got no answer from Lindenhof Bioventures before the request deadline of" "$facts"
expect_eq "told once" "$(exp_told)" "$("$TAVOLO" notify run --now 2027-01-08T09:00:00Z >/dev/null; exp_told)"
expect_eq "no pending request left" 0 "$(sql "SELECT count(*) FROM meeting_requests WHERE $EV AND status = 'pending'")"

# Reminders: the day before a side's first meeting, in the event's time zone.
"$TAVOLO" schedule jpm-2027 >/dev/null
"$TAVOLO" notify run --now 2027-01-08T08:00:00Z >/dev/null
inv=$(sql "SELECT investor_id FROM meetings WHERE $EV AND status <> 'cancelled' GROUP BY investor_id ORDER BY min(slot_start) DESC, investor_id LIMIT 1")
day=$(sql "SELECT min(left(slot_start, 10)) FROM meetings WHERE $EV AND investor_id = '$inv' AND status <> 'cancelled'")
sql "UPDATE event_participants SET people = '[{\"name\": \"Ivo <b>&\", \"email\": \"ivo@$inv.example\", \"language\": \"it\"}, {\"name\": \"Eve Stone\", \"email\": \"Eve@$inv.example\"}]' WHERE $EV AND profile_id = '$inv'" >/dev/null
sql "UPDATE companies SET doc = jsonb_set(doc, '{name}', to_jsonb('$RAW_SQL'::text)) WHERE id IN (SELECT company_id FROM meetings WHERE $EV AND investor_id = '$inv')" >/dev/null
# Eve also represents another investor whose first meeting is the same day: one reminder.
inv2=$(sql "SELECT investor_id FROM meetings WHERE $EV AND status <> 'cancelled' AND investor_id <> '$inv' GROUP BY investor_id HAVING min(left(slot_start, 10)) = '$day' ORDER BY investor_id LIMIT 1")
sql "UPDATE event_participants SET people = '[{\"name\": \"Eve Stone\", \"email\": \"Eve@$inv.example\"}]' WHERE $EV AND profile_id = '$inv2'" >/dev/null
first2=$(sql "SELECT right(min(slot_start), 5) || ', table ' || (array_agg(table_no ORDER BY slot_start))[1] FROM meetings WHERE $EV AND investor_id = '$inv2' AND status <> 'cancelled'")
before=$(date -u -d "$day - 2 days 20:00" +%Y-%m-%dT%H:%M:%SZ)
eve=$(date -u -d "$day - 1 day 20:00" +%Y-%m-%dT%H:%M:%SZ)
n_rem() { sql "SELECT count(*) FROM mail_messages WHERE kind = 'reminder' AND recipient_email LIKE '%@$inv.example'"; }
"$TAVOLO" notify run --now "$before" >/dev/null
expect_eq "two days before the first meeting: no reminder" 0 "$(n_rem)"
out=$("$TAVOLO" notify run --now "$eve")
expect_contains "the day before: reminders told" "reminders told" "$out"
expect_eq "the day before: one reminder to each of the side's people" 2 "$(n_rem)"
sql "SELECT translate(encode(convert_to(body, 'UTF8'), 'base64'), E'\n', '') FROM mail_messages WHERE kind = 'reminder' AND recipient_email LIKE '%@$inv.example' ORDER BY recipient_email" >"$work/rem"
facts=$(/usr/bin/python3 "$CHECK" "$RAW" <"$work/rem")
first=$(sql "SELECT right(min(slot_start), 5) || ', table ' || (array_agg(table_no ORDER BY slot_start))[1] FROM meetings WHERE $EV AND investor_id = '$inv' AND status <> 'cancelled'")
tavolo_it=$(sql "SELECT right(min(slot_start), 5) || ', tavolo ' || (array_agg(table_no ORDER BY slot_start))[1] FROM meetings WHERE $EV AND investor_id = '$inv' AND status <> 'cancelled'")
# The day in words, in each reader's language.
read -r day_en day_it <<<"$(/usr/bin/python3 -c 'import datetime, sys
d = datetime.date.fromisoformat(sys.argv[1])
it_days = ["lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"]
it_months = ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
             "settembre", "ottobre", "novembre", "dicembre"]
print(f"{d:%A}_{d.day}_{d:%B}_{d.year}", f"{it_days[d.weekday()]}_{d.day}_{it_months[d.month - 1]}_{d.year}")' "$day")"
day_en=${day_en//_/ }
day_it=${day_it//_/ }
expect_contains "English subject" "Eve@$inv.example | Tomorrow, $day_en: your meetings at J.P. Morgan" "$facts"
expect_contains "English: the first meeting with its time and table" "$first" "$facts"
expect_contains "Italian subject" "ivo@$inv.example | Domani, $day_it: i suoi incontri a J.P. Morgan" "$facts"
expect_contains "Italian: the first meeting with its time and table" "$tavolo_it" "$facts"
expect_contains "a deterministic Message-ID" "<reminder-" "$facts"
expect_eq "one reminder to a person of two sides" 1 "$(sql "SELECT count(*) FROM mail_messages WHERE kind = 'reminder' AND lower(recipient_email) = 'eve@$inv.example'")"
expect_contains "with the other side's first meeting too" "$first2" "$(printf '%s\n' "$facts" | grep '^Eve@')"
n2=$(sql "SELECT count(*) FROM mail_messages WHERE kind = 'reminder'")
"$TAVOLO" notify run --now "$eve" >/dev/null
"$TAVOLO" notify run --now "$(date -u -d "$day 20:00" +%Y-%m-%dT%H:%M:%SZ)" >/dev/null
expect_eq "once: no second reminder, the same day or the next" "$n2" "$(sql "SELECT count(*) FROM mail_messages WHERE kind = 'reminder'")"
finish
