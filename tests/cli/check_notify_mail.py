"""Reads queued messages as a mail client would (Python's email, python3-icalendar) and prints
one line of facts per message, or fails naming what is wrong. Input: lines of base64 bodies.
Usage: check_notify_mail.py RAW_NAME < bodies; RAW_NAME is a profile name that must never
appear unescaped in an HTML part."""
import base64
import re
import email
import email.policy
import sys

import icalendar

raw_name = sys.argv[1]
for line in sys.stdin:
    if not line.strip():
        continue
    msg = email.message_from_bytes(base64.b64decode(line), policy=email.policy.default)
    facts = [str(msg["To"].addresses[0].addr_spec), str(msg["Subject"])]
    for h in ("From", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post", "Date"):
        assert msg[h], "no %s header" % h
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    lu = str(msg["List-Unsubscribe"])
    assert lu.startswith("<https://tavolo.example/v1/unsubscribe?e="), lu
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert raw_name not in html, "unescaped profile text in the HTML: " + raw_name
    assert "style=" in html, "no inline style"
    # Links lead to the pages of the web contract (docs/digests.md), never to the bearer API.
    page = re.compile(r"https://tavolo\.example/(requests|agenda)\?(company|investor)=[^\s\"&]+"
                      r"(&(amp;)?event=[^\s\"&]+)")
    assert page.search(text) and page.search(html), "no page link:\n" + text
    assert "tavolo.example/v1/events" not in text + html, "a link to the bearer API"
    facts.append(msg["Message-ID"])
    cals = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    if cals:
        inline = [p for p in cals if p.get_content_disposition() != "attachment"]
        attached = [p for p in cals if p.get_content_disposition() == "attachment"]
        assert len(inline) == 1 and len(attached) == 1, "the calendar inline and attached"
        cal = icalendar.Calendar.from_ical(inline[0].get_content())
        method = str(cal["METHOD"])
        assert inline[0].get_param("method") == method, "the part's method is the calendar's"
        evs = sorted((str(e["UID"]), int(e["SEQUENCE"])) for e in cal.walk("VEVENT"))
        facts.append("ics " + method + " " + " ".join("%s/%d" % e for e in evs))
        # RFC 5546: REQUEST and CANCEL name the ORGANIZER in every VEVENT; the message's From.
        orgs = {(str(e.get("ORGANIZER")), str(e["ORGANIZER"].params.get("CN")) if e.get("ORGANIZER") else None)
                for e in cal.walk("VEVENT")}
        assert len(orgs) == 1, "one ORGANIZER for every VEVENT: %r" % orgs
        org, cn = orgs.pop()
        assert org.lower() == "mailto:" + msg["From"].addresses[0].addr_spec.lower(), org
        if method == "CANCEL":
            assert all(str(e["STATUS"]) == "CANCELLED" for e in cal.walk("VEVENT"))
        # RFC 5546: the recipient is an ATTENDEE of each event it is invited to or told of.
        to = "mailto:" + msg["To"].addresses[0].addr_spec.lower()
        for e in cal.walk("VEVENT"):
            atts = e.get("ATTENDEE", [])
            atts = [str(a).lower() for a in (atts if isinstance(atts, list) else [atts])]
            assert atts.count(to) == 1, "%s not an ATTENDEE of %s once: %r" % (to, e["UID"], atts)
        facts.append("organizer %s %s" % (org, cn))
    facts.append("text:" + " ".join(text.split()))
    print(" | ".join(facts))
