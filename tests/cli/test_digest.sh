#!/usr/bin/env bash
# tavolo digest end to end: exactly once per recipient and date (a second run, a crash between
# recipients), each digest's messages queued with it and delivered by the mail worker into the
# Maildir outbox, what counts as new or risen, language, HTML escaping, and the messages read
# back by Python's email parser.
. "$(dirname "$0")/lib.sh"
TAVOLO=$1
FIX=$(cd "$(dirname "$0")/../../fixtures" && pwd)
require_pg
scratch_db cli_digest
work=$(mktemp -d)
trap 'rm -rf "$work"; drop_scratch_db' EXIT
export TAVOLO_HOME=$work

"$TAVOLO" import "$FIX/companies.jsonl" "$FIX/investors.jsonl" >/dev/null 2>&1
"$TAVOLO" event import "$FIX/events/jpm-2027.json" >/dev/null 2>&1
"$TAVOLO" schedule jpm-2027 >/dev/null 2>&1
# A company whose name and city would be markup, with an English and an Italian reader.
cat > "$work/companies-xss.jsonl" <<'JSON'
{"id": "c-xss", "name": "<script>alert(1)</script> & \"Bio\"", "area": "precision_medicine", "hq_country": "IT", "city": "<b>Pisa</b>", "pathologies": ["oncology.lung"], "stage": "preclinical", "description": "RNA therapeutics for lung cancer", "contacts": [{"name": "Ada <Admin>", "email": "ada@xss.example", "language": "en"}, {"name": "Bruno", "email": "bruno@xss.example", "language": "it"}]}
JSON
"$TAVOLO" import "$work/companies-xss.jsonl" >/dev/null
# Recipients: profiles with contacts, and those the event files name people for (issue 15).
recipients=$(sql "SELECT count(*) FROM (SELECT 'company', id FROM companies WHERE doc ? 'contacts' UNION SELECT 'investor', id FROM investors WHERE doc ? 'contacts' UNION SELECT kind, profile_id FROM event_participants WHERE jsonb_array_length(people) > 0) x")

# A crash between recipients: the run stops after 5 digests, before any delivery.
out=$(TAVOLO_DIGEST_CRASH_AFTER=5 "$TAVOLO" digest --date 2027-01-10 --outbox "$work/outbox" 2>&1)
expect_eq "the crash hook stops the run with status 3" 3 $?
expect_eq "five digests committed before the crash" 5 "$(sql "SELECT count(*) FROM digests WHERE digest_date = '2027-01-10'")"
expect_eq "each sent digest committed has its messages queued with it, one per contact" "0 0" \
    "$(sql "SELECT count(*) FROM digests d WHERE d.status = 'sent' AND NOT EXISTS (SELECT 1 FROM mail_messages m WHERE m.message_id LIKE split_part(d.message_id, '@', 1) || '-%')") $(sql "SELECT count(*) FROM mail_messages WHERE status <> 'queued'")"

json=$("$TAVOLO" digest --date 2027-01-10 --outbox "$work/outbox" --json)
expect_eq "the resumed run exits 0" 0 $?
expect_eq "every recipient has exactly one digest" "$recipients $recipients" \
    "$(sql "SELECT count(*) || ' ' || count(DISTINCT (recipient_kind, recipient_id)) FROM digests WHERE digest_date = '2027-01-10'")"
check=$(printf '%s' "$json" | /usr/bin/python3 -c '
import json, sys
s = json.load(sys.stdin)
print(s["already"], s["resumed"], s["sent"] + s["empty"] + s["already"] == s["recipients"])')
expect_eq "the resumed run skips the 5 done (their messages were queued with them)" "5 0 True" "$check"
expect_eq "and the worker delivers every queued message into outbox/new, once" \
    "$(sql "SELECT count(*) FROM mail_messages") $(sql "SELECT count(*) FROM mail_messages WHERE status = 'sent'")" \
    "$(ls "$work/outbox/new" | wc -l) $(ls "$work/outbox/new" | wc -l)"
expect_eq "tmp/ is empty after the resumed run" 0 "$(ls "$work/outbox/tmp" | wc -l)"
messages=$(ls "$work/outbox/new" | wc -l)

# Idempotence: a second run sends nothing and writes nothing.
json=$("$TAVOLO" digest --date 2027-01-10 --outbox "$work/outbox" --json)
expect_eq "a second run sends nothing" "0 0 $recipients" \
    "$(printf '%s' "$json" | /usr/bin/python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["sent"], s["messages"], s["already"])')"
expect_eq "a second run writes no message" "$messages" "$(ls "$work/outbox/new" | wc -l)"
expect_eq "still one digest per recipient" "$recipients" "$(sql "SELECT count(*) FROM digests WHERE digest_date = '2027-01-10'")"

# The next day: nothing changed, so no match listed the day before is listed again (those left
# out by the limit of 10 are still new and come now).
"$TAVOLO" digest --date 2027-01-11 --outbox "$work/outbox2" >/dev/null
expect_eq "the next day repeats no match" 0 \
    "$(sql "SELECT count(*) FROM digests a JOIN digests b USING (recipient_kind, recipient_id), jsonb_array_elements(a.content->'matches') x, jsonb_array_elements(b.content->'matches') y WHERE a.digest_date = '2027-01-10' AND b.digest_date = '2027-01-11' AND x->>'id' = y->>'id'")"
expect_eq "the next day still lists matches left out by the limit" 1 \
    "$(sql "SELECT (sum(jsonb_array_length(content->'matches')) > 0)::int FROM digests WHERE digest_date = '2027-01-11'")"
expect_eq "a recipient with nothing new gets an empty digest and no message" \
    "$(sql "SELECT count(*) FROM digests WHERE digest_date = '2027-01-11' AND status = 'empty'")" \
    "$(sql "SELECT count(*) FROM digests WHERE digest_date = '2027-01-11' AND status = 'empty' AND content->'meetings' = '[]'")"

# A risen match: lower c-xss's remembered score of its best investor below the step.
best=$(sql "SELECT content->'matches'->0->>'id' FROM digests WHERE recipient_id = 'c-xss' AND digest_date = '2027-01-10'")
sql "UPDATE digest_state SET matches = regexp_replace(matches, '(^|\n)$best\t[^\n]*', E'\\\\1$best\t0.000001') WHERE recipient_id = 'c-xss'" >/dev/null
"$TAVOLO" digest --date 2027-01-12 --outbox "$work/outbox3" >/dev/null
expect_eq "a match whose score rose by more than the step is listed again, not as new" "$best false true" \
    "$(sql "SELECT (m->>'id') || ' ' || (m->>'new') || ' ' || ((m->>'previous')::float < 0.001) FROM digests, jsonb_array_elements(content->'matches') m WHERE recipient_id = 'c-xss' AND digest_date = '2027-01-12'")"

# Every message parses, with the right headers and two parts; the markup is escaped.
check=$(/usr/bin/python3 - "$work/outbox/new" <<'PY'
import email, email.policy, os, sys
d = sys.argv[1]
bad = []
names = sorted(os.listdir(d))
for n in names:
    with open(os.path.join(d, n), "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    for h in ("From", "To", "Subject", "Date", "Message-ID"):
        if not msg[h]:
            bad.append(f"{n}: no {h}")
    if msg.get_content_type() != "multipart/alternative":
        bad.append(f"{n}: {msg.get_content_type()}")
    parts = [p.get_content_type() for p in msg.iter_parts()]
    if parts != ["text/plain", "text/html"]:
        bad.append(f"{n}: parts {parts}")
    lang = str(msg["Message-ID"]).rsplit("-", 2)[1]
    subject = str(msg["Subject"])
    if (lang == "it") != ("abbinamenti" in subject):
        bad.append(f"{n}: subject {subject!r} not in {lang}")
html = {}
for n in names:
    if n.startswith("digest-2027-01-10-c-c-xss-"):
        with open(os.path.join(d, n), "rb") as f:
            msg = email.message_from_binary_file(f, policy=email.policy.default)
        body = msg.get_body(("html",)).get_content()
        text = msg.get_body(("plain",)).get_content()
        html[str(msg["Message-ID"]).rsplit("-", 2)[1]] = (str(msg["To"]), body, text)
en_to, en_html, en_text = html["en"]
it_to, it_html, _ = html["it"]
if "<script>" in en_html or "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Bio&quot;" not in en_html:
    bad.append("company name not escaped in HTML")
if "<script>alert(1)</script>" not in en_text:
    bad.append("plain text should carry the name as is")
if "ada@xss.example" not in en_to or "bruno" in en_to or "bruno@xss.example" not in it_to:
    bad.append(f"contacts not split by language: {en_to!r} {it_to!r}")
if "Buongiorno" not in it_html or "Hello" not in en_html:
    bad.append("language of the bodies")
print(len(names) > 0, bad)
PY
)
expect_eq "every message parses into text and HTML with From, To, Subject, Date, Message-ID" "True []" "$check"

# Two runs at once: one takes the job, the other finds it busy; never two digests.
"$TAVOLO" digest --date 2027-01-13 --outbox "$work/outbox4" >/dev/null 2>&1 &
"$TAVOLO" digest --date 2027-01-13 --outbox "$work/outbox4" >/dev/null 2>&1
wait
"$TAVOLO" digest --date 2027-01-13 --outbox "$work/outbox4" >/dev/null 2>&1
expect_eq "concurrent runs: one digest per recipient" "$recipients" \
    "$(sql "SELECT count(DISTINCT (recipient_kind, recipient_id)) FROM digests WHERE digest_date = '2027-01-13' HAVING count(*) = count(DISTINCT (recipient_kind, recipient_id))")"

"$TAVOLO" digest --date 2027-13-40 >/dev/null 2>&1
expect_eq "a bad date is a usage error" 2 $?

finish
