#!/usr/bin/env bash
# The notify job on an event of hundreds of participants (issue 16): it reads the event once per
# run, not once per side or request (counted by PostgreSQL's scans of the events table), tells
# every side and request the people tavolo notify recipients lists, writes in batches that a
# failure later in the run rolls back entirely, and tells nobody twice.
. "$(dirname "$0")/lib.sh"
TAVOLO=$1
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
require_pg
scratch_db cli_notify_size
work=$(mktemp -d)
trap 'rm -rf "$work"; drop_scratch_db' EXIT
export TAVOLO_HOME=$work TAVOLO_NOTIFY_QUIET=0 TAVOLO_PUBLIC_URL=https://tavolo.test.example
event=size-2027

/usr/bin/python3 "$ROOT/bench/gen_profiles.py" "$ROOT/fixtures/taxonomy.json" 200 100 \
    "$work/c.jsonl" "$work/i.jsonl" >/dev/null
/usr/bin/python3 "$ROOT/bench/gen_event.py" "$work/c.jsonl" "$work/i.jsonl" "$event" \
    "$work/event.json" >/dev/null
"$TAVOLO" import --kind companies "$work/c.jsonl" >/dev/null
"$TAVOLO" import --kind investors "$work/i.jsonl" >/dev/null
"$TAVOLO" event import "$work/event.json" >/dev/null
"$TAVOLO" schedule "$event" >/dev/null
# Recipients other than the file's one person: a company with contacts of its own (one Italian)
# besides its person, and one with nobody at all (its profile asked on its own).
c1=$(sql "SELECT company_id FROM meetings GROUP BY 1 ORDER BY 1 LIMIT 1")
c2=$(sql "SELECT company_id FROM meetings GROUP BY 1 ORDER BY 1 OFFSET 1 LIMIT 1")
sql "UPDATE companies SET doc = doc || '{\"contacts\": [{\"name\": \"Ada\", \"email\":
    \"ada@$c1.example\", \"language\": \"it\"}, {\"email\": \"bo@$c1.example\"}]}' WHERE id = '$c1'"
sql "UPDATE event_participants SET people = '[]' WHERE profile_id = '$c2'"

due_requests=$(sql "SELECT count(*) FROM meeting_requests WHERE status IN ('pending', 'accepted',
    'declined')")
sides=$(sql "SELECT count(*) FROM (SELECT company_id FROM meetings GROUP BY 1 UNION ALL SELECT
    investor_id FROM meetings GROUP BY 1) s")
if [ "$due_requests" -gt 300 ] && [ "$sides" -gt 250 ]; then
    ok "an event of $sides sides with meetings and $due_requests requests to tell"
else
    not_ok "the event is too small to test: $sides sides, $due_requests requests"
fi

# A run that fails after writing batches (the schedule's templates are missing; the requests'
# messages come first, more than one batch of them) queues nothing and moves no mark.
mkdir "$work/tpl"
cp "$ROOT"/fixtures/templates/* "$work/tpl/"
rm "$work"/tpl/schedule.*
if TAVOLO_TEMPLATES=$work/tpl "$TAVOLO" notify run "$event" >"$work/out" 2>&1; then
    not_ok "a run without the schedule's templates fails"
else
    ok "a run without the schedule's templates fails"
fi
expect_eq "and leaves no message and no mark" "0 0 0" "$(sql "SELECT (SELECT count(*) FROM
    mail_messages) || ' ' || (SELECT count(*) FROM meeting_requests WHERE notified IS NOT NULL)
    || ' ' || (SELECT count(*) FROM meetings WHERE notified_company_seq IS NOT NULL OR
    notified_investor_seq IS NOT NULL)")"

# The blocks of the events table's TOAST (where the event document lives) that a run reads:
# PostgreSQL counts them per backend and publishes them when the backend ends, a moment after
# the command exits. Compared with the blocks one read of the document takes. (Not the table's
# scans: each queued message's foreign key checks its event.)
scans() {
    sql "SELECT coalesce(toast_blks_read, 0) + coalesce(toast_blks_hit, 0) FROM
        pg_statio_user_tables WHERE relname = 'events'"
}
settled() {
    local a=$1 b
    for _ in $(seq 1 50); do
        sleep 0.1
        b=$(scans)
        [ "$b" = "$a" ] && [ "$b" != "$2" ] && break
        a=$b
    done
    echo "$a"
}
before=$(scans)
sql "SELECT length(doc::text) FROM events WHERE id = '$event'" >/dev/null
one=$(($(settled "$(scans)" "$before") - before))
before=$((before + one))
out=$("$TAVOLO" notify run "$event" 2>&1)
rc=$?
expect_eq "the run succeeds" 0 "$rc"
n=$(($(settled "$(scans)" "$before") - before))
if [ "$one" -gt 0 ] && [ "$n" -le $((16 * one)) ]; then
    ok "the run read the event's document at most 16 times: $n blocks, $one for one read"
else
    not_ok "the run read $n blocks of the event's document, $one for one read (once per side?)"
fi
queued=$(sql "SELECT count(*) FROM mail_messages")
expect_contains "the job counts what it wrote" "messages queued" "$out"
expect_contains "as the table holds it" " $queued messages queued, 0 skipped" "$out"

# Every side with meetings told its schedule, once per person tavolo notify recipients lists,
# in that person's language; every request told, to the people of the side it concerns.
for side in company investor; do
    for id in $(sql "SELECT DISTINCT ${side}_id FROM meetings ORDER BY 1"); do
        "$TAVOLO" notify recipients "$event" $side "$id"
    done
done | awk -F '\t' '{print tolower($1) " " $2}' | sort >"$work/expected"
sql "SELECT lower(recipient_email) || ' ' || language FROM mail_messages WHERE kind = 'schedule'
    ORDER BY 1" | sort >"$work/actual"
expect_eq "schedules: one message per person of every side, in their language" \
    "$(wc -l <"$work/expected") 0" "$(wc -l <"$work/actual") $(diff "$work/expected" \
    "$work/actual" | grep -c '^[<>]')"
expect_contains "the company's contacts among them" "ada@$c1.example it" "$(cat "$work/actual")"
expect_eq "every due request told, but those whose side has nobody" \
    "$(sql "SELECT count(*) FROM meeting_requests WHERE status IN ('pending', 'accepted',
    'declined') AND company_id <> '$c2'")" "$(sql "SELECT count(DISTINCT q.id) FROM mail_messages
    m JOIN meeting_requests q ON q.id = split_part(m.message_id, '-', 2)::bigint WHERE m.kind
    LIKE 'request_%' AND q.company_id <> '$c2'")"
expect_eq "each request's message to the person of the side it concerns" 0 "$(sql "SELECT count(*)
    FROM mail_messages m JOIN meeting_requests q ON q.id = split_part(m.message_id, '-', 2)::bigint
    WHERE m.kind LIKE 'request_%' AND lower(m.recipient_email) NOT IN (SELECT
    lower(x->>'email') FROM event_participants ep, jsonb_array_elements(ep.people) x WHERE
    ep.event_id = q.event_id AND ep.profile_id IN (q.company_id, q.investor_id) UNION SELECT
    lower(x->>'email') FROM companies c, jsonb_array_elements(c.doc->'contacts') x WHERE c.id =
    q.company_id)")"
expect_eq "every mark moved" "0 0" "$(sql "SELECT (SELECT count(*) FROM meeting_requests WHERE
    notified IS DISTINCT FROM status) || ' ' || (SELECT count(*) FROM meetings WHERE
    notified_company_seq IS DISTINCT FROM sequence OR notified_investor_seq IS DISTINCT FROM
    sequence)")"

out=$("$TAVOLO" notify run "$event" 2>&1)
expect_contains "a second run tells nobody again" "0 requests and 0 schedules told: 0 messages" \
    "$out"
expect_eq "and queues nothing" "$queued" "$(sql "SELECT count(*) FROM mail_messages")"
finish
