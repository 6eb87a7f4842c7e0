#!/usr/bin/env bash
# tavolo digest reaches the people of the event files (issue 15): a person named for a profile
# (not a contact) gets the profile's digest in their language, once per address across the
# files (the contact winning), one per profile they are on; an unsubscribed address gets none;
# each message carries List-Unsubscribe and List-Unsubscribe-Post (RFC 8058) to its signed
# one-click link, lists the reader's pending requests (received and sent) with links under
# TAVOLO_PUBLIC_URL, and escapes the profile's values in its inline-styled HTML. The messages
# are read back from the outbox by Python's email parser.
. "$(dirname "$0")/lib.sh"
TAVOLO=$1
FIX=$(cd "$(dirname "$0")/../../fixtures" && pwd)
require_pg
scratch_db cli_digest_people
work=$(mktemp -d)
trap 'rm -rf "$work"; drop_scratch_db' EXIT
export TAVOLO_HOME=$work TAVOLO_PUBLIC_URL=https://tavolo.example/
unset TAVOLO_SMTP_URL

# c-030 (no contacts) gets a name that would be markup.
/usr/bin/python3 - "$FIX/companies.jsonl" "$work/companies.jsonl" <<'PY'
import json, sys
with open(sys.argv[1]) as a, open(sys.argv[2], "w") as b:
    for line in a:
        d = json.loads(line)
        if d["id"] == "c-030":
            d["name"] = "<b>& Bio"
        b.write(json.dumps(d) + "\n")
PY
"$TAVOLO" import "$work/companies.jsonl" "$FIX/investors.jsonl" >/dev/null 2>&1
"$TAVOLO" event import "$FIX/events/jpm-2027.json" >/dev/null 2>&1
# A second event where c-030 and c-036 take part too.
/usr/bin/python3 - "$FIX/events/jpm-2027.json" "$work/second.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["id"], d["name"], d["requests"] = "second-2027", "Second Forum", []
d["participants"] = [p for p in d["participants"] if p["id"] in ("c-030", "c-036", "i-008")]
json.dump(d, open(sys.argv[2], "w"))
PY
"$TAVOLO" event import "$work/second.json" >/dev/null 2>&1
expect_eq "the second event is stored" 1 "$(sql "SELECT count(*) FROM events WHERE id = 'second-2027'")"

# The people as CODEC stores them (with a language): Ivo (Italian) named twice for c-030, in
# another case the second time and again in the second event; Eve (no language: English),
# unsubscribed from digests; Multi named for c-030 and c-036; Elena, c-013's contact (Italian),
# named again in the file in English.
sql "UPDATE event_participants SET people = '[{\"name\": \"Ivo Bianchi\", \"email\": \"Ivo@c-030.example\", \"language\": \"it\"}, {\"name\": \"Eve Stone\", \"email\": \"eve@c-030.example\"}, {\"name\": \"Ivo again\", \"email\": \"IVO@C-030.example\", \"language\": \"en\"}, {\"name\": \"Multi\", \"email\": \"multi@both.example\"}]' WHERE profile_id = 'c-030'" >/dev/null
sql "UPDATE event_participants SET people = '[{\"name\": \"Ivo B.\", \"email\": \"ivo@c-030.example\", \"language\": \"en\"}]' WHERE event_id = 'second-2027' AND profile_id = 'c-030'" >/dev/null
sql "UPDATE event_participants SET people = people || '[{\"name\": \"Multi\", \"email\": \"multi@both.example\"}]' WHERE event_id = 'jpm-2027' AND profile_id = 'c-036'" >/dev/null
sql "UPDATE event_participants SET people = people || '[{\"name\": \"Elena G.\", \"email\": \"ELENA.GRECO@c-013.example\", \"language\": \"en\"}]' WHERE event_id = 'jpm-2027' AND profile_id = 'c-013'" >/dev/null
sql "INSERT INTO mail_unsubscribes (email, kind) VALUES ('eve@c-030.example', 'digest')" >/dev/null
# The language a person chose on the pages (person_prefs, decision 0060) wins over the records':
# Multi (English by the file) chose Italian; Liam, c-016's contact in English, chose Italian.
sql "INSERT INTO person_prefs (email, language) VALUES ('multi@both.example', 'it'), ('liam.foster@c-016.example', 'it')" >/dev/null
# c-030 has a pending request it sent (the file's, to i-008); it receives one from i-003.
sql "INSERT INTO meeting_requests (event_id, company_id, investor_id, from_kind, priority, status) VALUES ('jpm-2027', 'c-030', 'i-003', 'investor', 'must', 'pending')" >/dev/null
received=$(sql "SELECT id FROM meeting_requests WHERE company_id = 'c-030' AND investor_id = 'i-003'")
sent=$(sql "SELECT id FROM meeting_requests WHERE company_id = 'c-030' AND investor_id = 'i-008' AND status = 'pending'")
expect_eq "c-030 has one pending request each way" "company investor" \
    "$(sql "SELECT string_agg(from_kind, ' ' ORDER BY from_kind) FROM meeting_requests WHERE company_id = 'c-030' AND status = 'pending' AND id IN ($received, $sent)")"
link=$("$TAVOLO" notify link Ivo@c-030.example digest)

"$TAVOLO" digest --date 2027-01-10 --outbox "$work/outbox" >/dev/null
expect_eq "the digest run exits 0" 0 $?

check=$(/usr/bin/python3 - "$work/outbox/new" "$link" "$received" "$sent" <<'PY'
import email, email.policy, os, re, sys
d, link, received, sent = sys.argv[1:5]
msgs = []
for n in sorted(os.listdir(d)):
    with open(os.path.join(d, n), "rb") as f:
        msgs.append(email.message_from_binary_file(f, policy=email.policy.default))
def to(addr):
    return [m for m in msgs if addr.lower() in str(m["To"]).lower()]
bad = []
ivo = to("ivo@c-030.example")
if len(ivo) != 1:
    bad.append(f"Ivo gets {len(ivo)} messages, not 1")
else:
    m = ivo[0]
    html = m.get_body(("html",)).get_content()
    text = m.get_body(("plain",)).get_content()
    if "abbinamenti" not in str(m["Subject"]) or "Buongiorno" not in text:
        bad.append("Ivo's digest is not in Italian: " + str(m["Subject"]))
    if m["List-Unsubscribe"] != "<" + link + ">":
        bad.append(f"List-Unsubscribe {m['List-Unsubscribe']!r}, not <{link}>")
    if m["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click":
        bad.append(f"List-Unsubscribe-Post {m['List-Unsubscribe-Post']!r}")
    if "<b>&" in html or "&lt;b&gt;&amp; Bio" not in html:
        bad.append("the profile name is not escaped in the HTML")
    if "<b>& Bio" not in text:
        bad.append("the plain text should carry the name as is")
    for want in (f"https://tavolo.example/requests?company=c-030&amp;event=jpm-2027&amp;request={received}",
                 f"https://tavolo.example/requests?company=c-030&amp;event=jpm-2027&amp;request={sent}",
                 "https://tavolo.example/matches?company=c-030", "le chiede un incontro",
                 "Sue richieste ancora senza risposta", 'href="' + link.replace("&", "&amp;") + '"'):
        if want not in html:
            bad.append(f"HTML lacks {want!r}")
    if f"request={received}" not in text or "Accetta o rifiuta" not in text:
        bad.append("the text lacks the received request and its link")
    if "<style" in html or "<img" in html or 'style="' not in html:
        bad.append("the HTML is not styled inline only")
if to("eve@c-030.example"):
    bad.append("an unsubscribed address got a digest")
multi = sorted(re.sub(r"^<digest-2027-01-10-c-(c-\d+)-.*", r"\1", str(m["Message-ID"])) for m in to("multi@both.example"))
if multi != ["c-030", "c-036"]:
    bad.append(f"a person on two profiles gets {multi}")
if any("abbinamenti" not in str(m["Subject"]) for m in to("multi@both.example")):
    bad.append("the language a person of the file chose is not kept")
liam = to("liam.foster@c-016.example")
if len(liam) != 1 or "abbinamenti" not in str(liam[0]["Subject"]):
    bad.append("the language a contact chose is not kept")
elena = to("elena.greco@c-013.example")
if len(elena) != 1 or "abbinamenti" not in str(elena[0]["Subject"]):
    bad.append("the contact does not win over the file's person with the same address")
for m in msgs:
    if not str(m["List-Unsubscribe"]).startswith("<https://tavolo.example/v1/unsubscribe?") or \
            "k=digest" not in str(m["List-Unsubscribe"]):
        bad.append(f"{m['Message-ID']}: List-Unsubscribe {m['List-Unsubscribe']!r}")
        break
print(len(msgs) > 0, bad)
PY
)
expect_eq "the people of the event files get the digest, once, in their language, with links" "True []" "$check"
expect_eq "the unsubscribed address has no queued digest" 0 \
    "$(sql "SELECT count(*) FROM mail_messages WHERE lower(recipient_email) = 'eve@c-030.example'")"
expect_eq "one queued message per address and profile" 0 \
    "$(sql "SELECT count(*) FROM (SELECT lower(recipient_email), regexp_replace(message_id, '-(it|en)-[0-9a-f]+@tavolo$', '') FROM mail_messages GROUP BY 1, 2 HAVING count(*) > 1) x")"

out=$(TAVOLO_DIGEST_THREADS=0 "$TAVOLO" digest --date 2027-01-11 --outbox "$work/outbox" 2>&1)
expect_eq "TAVOLO_DIGEST_THREADS=0 is a usage error" 2 $?
expect_contains "naming the variable" "TAVOLO_DIGEST_THREADS=0" "$out"

finish
