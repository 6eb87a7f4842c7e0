#!/usr/bin/python3
"""Reads what tv_mail_build writes with another implementation: Python's email package, as a
mail client would, and python3-icalendar for the calendar parts.

Usage: check_mail.py MAIL_SAMPLE (tests/engine/mail_sample.c). Checks: the extra headers
(List-Unsubscribe, List-Unsubscribe-Post of RFC 8058) come back as given; a message with an
.ics carries it twice, inline in the multipart/alternative as text/calendar with the iTIP
method (what calendar clients act on) and as an attachment, both parsed by icalendar with the
METHOD, UID and SEQUENCE given; a message without one is multipart/alternative as before;
headers that would break the message (a newline in a value, a bad name, an unknown method)
are refused.
"""

import email
import email.policy
import os
import subprocess
import sys
import tempfile

from icalendar import Calendar, Event

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
    return cond


def build(sample, args):
    return subprocess.run([sample] + args, capture_output=True)


def ics_text(method, uid, sequence):
    cal = Calendar()
    cal.add("prodid", "-//check_mail//EN")
    cal.add("version", "2.0")
    cal.add("method", method)
    ev = Event()
    ev.add("uid", uid)
    ev.add("sequence", sequence)
    ev.add("summary", "Velarna Therapeutics / Adriatica Bio Ventures")
    cal.add_component(ev)
    return cal.to_ical()


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def check_headers(sample):
    url = "https://tavolo.example/v1/unsubscribe?t=abc"
    subject = "Richiesta d'incontro: «Società & C.»"
    r = build(sample, ["Anna Rossi", "anna@example.com", subject, "testo è", "<p>è</p>", "", "",
                       "List-Unsubscribe", "<" + url + ">",
                       "List-Unsubscribe-Post", "List-Unsubscribe=One-Click"])
    if not check(r.returncode == 0, "plain message: %s" % r.stderr.decode()):
        return
    msg = parse(r.stdout)
    check(msg["List-Unsubscribe"] == "<" + url + ">", "List-Unsubscribe %r" %
          msg["List-Unsubscribe"])
    check(msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click",
          "List-Unsubscribe-Post %r" % msg["List-Unsubscribe-Post"])
    check(str(msg["Subject"]) == subject, "subject %r" % str(msg["Subject"]))
    check(msg.get_content_type() == "multipart/alternative", "type %s" % msg.get_content_type())
    check(msg.get_body(("plain",)).get_content().strip() == "testo è", "text part")
    check(msg.get_body(("html",)).get_content().strip() == "<p>è</p>", "html part")


def check_ics(sample, method):
    with tempfile.NamedTemporaryFile(suffix=".ics", delete=False) as f:
        f.write(ics_text(method, "meeting-42@tavolo", 3))
        path = f.name
    try:
        r = build(sample, ["Anna", "anna@example.com", "Agenda", "t", "<p>h</p>", path, method])
    finally:
        os.unlink(path)
    if not check(r.returncode == 0, "%s message: %s" % (method, r.stderr.decode())):
        return
    msg = parse(r.stdout)
    check(msg.get_content_type() == "multipart/mixed", "%s: type %s" %
          (method, msg.get_content_type()))
    cals = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    if not check(len(cals) == 2, "%s: %d calendar parts" % (method, len(cals))):
        return
    inline, attached = cals
    check(inline.get_content_disposition() in (None, "inline"), "%s: inline part" % method)
    check(attached.get_content_disposition() == "attachment", "%s: attachment" % method)
    check((attached.get_filename() or "").endswith(".ics"), "%s: file name" % method)
    for part in cals:
        check(part.get_param("method") == method, "%s: method param %r" %
              (method, part.get_param("method")))
        check(part.get_content_charset() == "utf-8", "%s: charset" % method)
        cal = Calendar.from_ical(part.get_content())
        check(str(cal["METHOD"]) == method, "%s: METHOD %s" % (method, cal.get("METHOD")))
        ev = cal.walk("VEVENT")[0]
        check(str(ev["UID"]) == "meeting-42@tavolo", "%s: UID" % method)
        check(int(ev["SEQUENCE"]) == 3, "%s: SEQUENCE" % method)
    alt = [p for p in msg.walk() if p.get_content_type() == "multipart/alternative"]
    check(len(alt) == 1 and any(p.get_content_type() == "text/calendar"
                                for p in alt[0].iter_parts()),
          "%s: the calendar is offered in the alternative" % method)


def check_refused(sample):
    base = ["Anna", "anna@example.com", "s", "t", "<p>h</p>", "", ""]
    for name, value in (("X-Bad", "a\r\nBcc: x@example.com"), ("Bad Name", "v"),
                        ("", "v"), ("X-Bad", "a\nb")):
        r = build(sample, base + [name, value])
        check(r.returncode == 1, "header %r %r accepted" % (name, value))
    with tempfile.NamedTemporaryFile(suffix=".ics", delete=False) as f:
        f.write(ics_text("REQUEST", "u@tavolo", 0))
        path = f.name
    try:
        for method in ("", "PUBLISH\r\nX: y", "request"):
            r = build(sample, base[:5] + [path, method])
            check(r.returncode == 1, "method %r accepted" % method)
    finally:
        os.unlink(path)


def main():
    sample = sys.argv[1]
    check_headers(sample)
    for method in ("REQUEST", "CANCEL"):
        check_ics(sample, method)
    check_refused(sample)
    for f in failures:
        print("FAIL:", f)
    print("check_mail: %d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
