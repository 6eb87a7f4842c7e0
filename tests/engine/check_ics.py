#!/usr/bin/python3
"""Reads tavolo's calendar export with another implementation: Debian's python3-icalendar.

Usage: check_ics.py ICS_SAMPLE (tests/engine/ics_sample.c, which prints what tv_calendar_ics
writes for meetings given as arguments). The expectations live here only: for each scenario,
every VEVENT's start and end must be the intended instants (computed here from the local
times with zoneinfo, not with libical), the VTIMEZONE must give the offsets of the system's
time zone database at every hour of the meetings' years and at every change, text must come
back as it went in, and two exports must agree on UIDs, SEQUENCE and STATUS.
"""

import bisect
import re
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from icalendar import Calendar
from icalendar.prop import vRecur

UTC = timezone.utc
STAMP = 1798761600  # 2027-01-01T00:00:00Z
failures = []


@dataclass
class Meeting:
    uid: str
    start: str  # local wall time in the event's zone, "2027-01-11T09:00"
    minutes: int
    summary: str
    fold: int = 0  # 1: the second occurrence of a repeated local time
    sequence: int = 0
    cancelled: int = 0
    description: str = ""
    location: str = ""
    attendees: list = field(default_factory=list)  # (email, name)


def check(cond, what):
    if not cond:
        failures.append(what)
    return cond


def args_of(name, zone, meetings):
    args = [name, zone]
    for m in meetings:
        people = "\n".join(f"{email} {who}" for email, who in m.attendees)
        args += [m.uid, m.start, str(m.fold), str(m.minutes), str(m.sequence),
                 str(m.cancelled), str(STAMP), m.summary, m.description, m.location, people]
    return args


def export(sample, name, zone, meetings):
    out = subprocess.run([sample] + args_of(name, zone, meetings), capture_output=True,
                         check=True)
    return out.stdout


def intended_start(zone, m):
    local = datetime.fromisoformat(m.start).replace(tzinfo=ZoneInfo(zone), fold=m.fold)
    return local.astimezone(UTC)


def cleaned(text):
    """What the engine promises to keep of a TEXT value (calendar.h)."""
    text = text.replace("\r\n", "\n")
    return "".join(" " if (ord(c) < 32 and c not in "\n\t") or ord(c) == 127 else c
                   for c in text)


def raw_event_texts(raw):
    """For each VEVENT, its parameterless properties as written (unfolded, still escaped)."""
    events = []
    for line in re.sub(rb"\r\n[ \t]", b"", raw).decode("utf-8").split("\r\n"):
        if line == "BEGIN:VEVENT":
            events.append({})
        elif events and re.match(r"[A-Z-]+:", line):
            name, value = line.split(":", 1)
            events[-1].setdefault(name, value)
    return events


def rfc_unescape(value):
    """TEXT unescaping in one pass (RFC 5545 3.3.11). python-icalendar 4.0.3 unescapes with a
    chain of replaces and reads an escaped backslash before an 'n' as a newline."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def check_lines(label, raw):
    """RFC 5545 3.1: CRLF line ends, lines of at most 75 octets, UTF-8."""
    check(raw.endswith(b"\r\n"), f"{label}: does not end with CRLF")
    for n, line in enumerate(raw.split(b"\r\n")[:-1], 1):
        check(b"\n" not in line and b"\r" not in line, f"{label}: bare CR or LF in line {n}")
        check(len(line) <= 75, f"{label}: line {n} has {len(line)} octets")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        check(False, f"{label}: not UTF-8")


def offset_changes(ref, start, end):
    """The instants in [start, end) where 'ref' changes offset, to the second."""
    changes = []
    t = start
    while t < end:
        nxt = t + timedelta(hours=1)
        if t.astimezone(ref).utcoffset() != nxt.astimezone(ref).utcoffset():
            lo, hi = t, nxt
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                mid = mid.replace(microsecond=0)
                if mid.astimezone(ref).utcoffset() == t.astimezone(ref).utcoffset():
                    lo = mid
                else:
                    hi = mid
            changes.append(hi)
        t = nxt
    return changes


class VTimezone:
    """A VTIMEZONE read here, with icalendar for the syntax and dateutil for the RRULEs.
    python-icalendar's own Timezone.to_tz() cannot read an RFC 5545 VTIMEZONE whose RRULE has
    UNTIL in UTC with a local DTSTART, as 3.3.10 requires (dateutil refuses the mix:
    collective/icalendar#708, dateutil/dateutil#1006), so this compares UNTIL in UTC itself."""

    def __init__(self, vtz, end):
        onsets = sorted(o for sub in vtz.subcomponents for o in self._onsets(sub, end))
        self.first_offset = onsets[0][2]  # in force before the first onset
        self.changes = [(utc, off_to) for utc, off_to, _ in onsets]
        self.instants = [c[0] for c in self.changes]

    @staticmethod
    def _onsets(sub, end):
        """(UTC instant, offset to, offset from) of each onset of a STANDARD or DAYLIGHT."""
        start = sub["DTSTART"].dt
        off_from, off_to = sub["TZOFFSETFROM"].td, sub["TZOFFSETTO"].td
        local = [start]
        if "RRULE" in sub:
            rule = dict(sub["RRULE"])
            until = rule.pop("UNTIL", [None])[0]
            local = []
            for occ in rrulestr(vRecur(rule).to_ical().decode(), dtstart=start):
                utc = (occ - off_from).replace(tzinfo=UTC)
                if utc > end or until is not None and (
                        utc > until if until.tzinfo else occ > until):
                    break
                local.append(occ)
        rdates = sub.get("RDATE", [])
        for r in rdates if isinstance(rdates, list) else [rdates]:
            local += [d.dt for d in r.dts]
        return [((t - off_from).replace(tzinfo=UTC), off_to, off_from) for t in local]

    def offset(self, utc):
        i = bisect.bisect_right(self.instants, utc)
        return self.changes[i - 1][1] if i > 0 else self.first_offset

    def localize(self, wall):
        """The instants whose wall time is 'wall' (naive)."""
        offsets = {c[1] for c in self.changes} | {self.first_offset}
        found = {(wall - o).replace(tzinfo=UTC) for o in offsets}
        return sorted(u for u in found if self.offset(u) == wall.replace(tzinfo=UTC) - u)


def check_vtimezone(label, cal, zone, first_year, last_year):
    """The VTIMEZONE against zoneinfo, which reads the system's database: every hour of the
    years, and each side of every change."""
    vtzs = cal.walk("VTIMEZONE")
    if not check(len(vtzs) == 1, f"{label}: {len(vtzs)} VTIMEZONEs"):
        return None
    check(str(vtzs[0]["TZID"]) == zone, f"{label}: VTIMEZONE TZID {vtzs[0]['TZID']}")
    ref = ZoneInfo("Etc/UTC" if zone == "UTC" else zone)
    start = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    tz = VTimezone(vtzs[0], end)
    bad = []
    t = start
    while t < end:
        if tz.offset(t) != t.astimezone(ref).utcoffset():
            bad.append(t)
        t += timedelta(hours=1)
    changes = offset_changes(ref, start, end)
    for c in changes:
        for u in (c - timedelta(seconds=1), c):
            if tz.offset(u) != u.astimezone(ref).utcoffset():
                bad.append(u)
    check(not bad, f"{label}: VTIMEZONE offset differs from zoneinfo at {bad[:3]}")
    return tz, len(changes)


def check_header(label, cal, name, zone):
    expect = {"VERSION": "2.0", "PRODID": "-//tavolo//agenda//EN", "CALSCALE": "GREGORIAN",
              "METHOD": "PUBLISH", "X-WR-CALNAME": name, "X-WR-TIMEZONE": zone}
    for key, value in expect.items():
        check(str(cal.get(key)) == value, f"{label}: {key} is {cal.get(key)!r}, not {value!r}")


def check_time(label, ev, key, zone, want, vtz):
    prop = ev[key]
    got = prop.dt
    if not check(got.tzinfo is not None, f"{label}: {key} is floating"):
        return
    check(got == want, f"{label}: {key} is {got.isoformat()}, intended {want.isoformat()}")
    tzid = prop.params.get("TZID")
    local = want.astimezone(ZoneInfo("Etc/UTC" if zone == "UTC" else zone))
    repeated = local.replace(fold=1 - local.fold).astimezone(UTC) != want
    if repeated:
        # Written in UTC, since readers differ on which occurrence a local time means.
        check(tzid is None and got.utcoffset() == timedelta(0),
              f"{label}: {key} in a repeated hour is not written in UTC")
        return
    check(tzid == zone, f"{label}: {key} has TZID {tzid}, not {zone}")
    # The same wall time read through the exported VTIMEZONE rather than pytz's database.
    if vtz is not None:
        through_vtz = vtz.localize(got.replace(tzinfo=None))
        check(through_vtz == [want], f"{label}: {key} through the VTIMEZONE is {through_vtz}")


def check_event(label, ev, raw_texts, zone, m, vtz):
    start = intended_start(zone, m)
    check_time(label, ev, "DTSTART", zone, start, vtz)
    check_time(label, ev, "DTEND", zone, start + timedelta(minutes=m.minutes), vtz)
    stamp = ev["DTSTAMP"].dt
    check(stamp == datetime.fromtimestamp(STAMP, UTC), f"{label}: DTSTAMP {stamp}")
    check(int(ev["SEQUENCE"]) == m.sequence, f"{label}: SEQUENCE {ev['SEQUENCE']}")
    status = "CANCELLED" if m.cancelled else "CONFIRMED"
    check(str(ev["STATUS"]) == status, f"{label}: STATUS {ev['STATUS']}, not {status}")
    for key, text in (("SUMMARY", m.summary), ("DESCRIPTION", m.description),
                      ("LOCATION", m.location)):
        if not text:
            check(key not in ev, f"{label}: {key} present without a value")
            continue
        want = cleaned(text)
        got = rfc_unescape(raw_texts.get(key, ""))
        check(got == want, f"{label}: {key} is {got!r}, not {want!r}")
        if "\\" not in want:
            got = str(ev.get(key))
            check(got == want, f"{label}: {key} reads in icalendar as {got!r}, not {want!r}")
    attendees = ev.get("ATTENDEE", [])
    attendees = attendees if isinstance(attendees, list) else [attendees]
    got = [(str(a), a.params.get("CN")) for a in attendees]
    want = [(f"mailto:{email}", name) for email, name in m.attendees]
    check(got == want, f"{label}: attendees {got}, not {want}")


def check_export(sample, label, name, zone, meetings):
    """Exports twice, checks everything, and returns the VEVENTs by UID."""
    raw = export(sample, name, zone, meetings)
    check(export(sample, name, zone, meetings) == raw, f"{label}: two exports differ")
    check_lines(label, raw)
    cal = Calendar.from_ical(raw)
    check_header(label, cal, name, zone)
    years = [intended_start(zone, m).year for m in meetings]
    last = max(years) + 2 if years else 2027
    vtz = check_vtimezone(label, cal, zone, min(years) if years else 2027, last)
    events = cal.walk("VEVENT")
    check([str(e["UID"]) for e in events] == [m.uid for m in meetings],
          f"{label}: UIDs {[str(e['UID']) for e in events]}")
    texts = raw_event_texts(raw)
    for ev, t, m in zip(events, texts, meetings):
        check_event(f"{label} {m.uid}", ev, t, zone, m, vtz[0] if vtz else None)
    return {str(e["UID"]): e for e in events}, (vtz[1] if vtz else 0)


JPM = "J.P. Morgan Healthcare Conference, San Francisco"
LA = "America/Los_Angeles"
PEOPLE = [("giulia.bianchi@adriatica.example", "Giulia Bianchi"),
          ("ceo@velarna.example", "Müller, Anna; PhD"),
          ("kim@hanriver.example", "Kim Min-jun: Partner")]


def jpm(revision):
    m = [
        Meeting("m-1001@tavolo", "2027-01-11T09:00", 30,
                "Velarna Therapeutics / Adriatica Bio Ventures, Società Benefit; è",
                description="Series B; oncology, ADC platform\nAgenda: pipeline, terms\\next",
                location="Table 12; Westin St. Francis, Sala è", attendees=PEOPLE[:2]),
        Meeting("m-1002@tavolo", "2027-01-12T14:30", 30,
                "Laguna Bio S.r.l. Società Benefit / Han River Capital",
                description="Line one\r\nLine two\x07end", attendees=PEOPLE[1:]),
        Meeting("m-1003@tavolo", "2027-01-13T11:00", 45, "Oncora / Adriatica",
                location="Table 3"),
    ]
    if revision == 2:
        m[1].cancelled, m[1].sequence = 1, 1
        m[2].start, m[2].sequence = "2027-01-13T11:30", 1
    return m


SCENARIOS = [
    # Europe/Rome across its spring change (2027-03-28, 02:00 CET -> 03:00 CEST).
    ("rome", "BioItaly Partnering; Roma, 2027", "Europe/Rome", [
        Meeting("r-1@tavolo", "2027-03-26T10:00", 30, "Before the change", attendees=PEOPLE[:1]),
        Meeting("r-2@tavolo", "2027-03-28T01:30", 90, "Across the jump: ends 04:00 CEST"),
        Meeting("r-3@tavolo", "2027-03-28T03:30", 30, "Just after the jump"),
        Meeting("r-4@tavolo", "2027-03-29T09:00", 30, "After the change", cancelled=1,
                sequence=3),
    ]),
    # America/Los_Angeles across its autumn change (2027-11-07, 02:00 PDT -> 01:00 PST).
    ("la-fall", "Partnering West", LA, [
        Meeting("f-1@tavolo", "2027-11-06T09:00", 30, "Saturday, PDT"),
        Meeting("f-2@tavolo", "2027-11-07T00:30", 60, "Ends in the repeated hour"),
        Meeting("f-3@tavolo", "2027-11-07T01:30", 20, "First 01:30 (PDT)"),
        Meeting("f-4@tavolo", "2027-11-07T01:30", 20, "Second 01:30 (PST)", fold=1),
        Meeting("f-5@tavolo", "2027-11-08T10:00", 30, "Monday, PST"),
    ]),
    ("la-spring", "Partnering West", LA, [
        Meeting("s-1@tavolo", "2027-03-13T09:00", 30, "Saturday, PST"),
        Meeting("s-2@tavolo", "2027-03-14T01:30", 60, "Across the jump"),
        Meeting("s-3@tavolo", "2027-03-15T09:00", 30, "Monday, PDT"),
    ]),
    ("seoul", "BIO Korea, Seoul", "Asia/Seoul", [
        Meeting("k-1@tavolo", "2027-05-12T10:00", 30, "Han River Capital / Velarna",
                attendees=PEOPLE[2:]),
    ]),
    ("dubai", "Arab Health Partnering", "Asia/Dubai", [
        Meeting("d-1@tavolo", "2027-03-28T10:00", 30, "No DST in Dubai"),
        Meeting("d-2@tavolo", "2027-10-31T10:00", 30, "Still +04"),
    ]),
    ("utc", "Online partnering", "UTC", [
        Meeting("u-1@tavolo", "2027-06-01T15:00", 30, "Video call"),
    ]),
    ("no-meetings", "Empty agenda", "Europe/Rome", []),
]

# More zones, for the VTIMEZONE alone: southern hemisphere DST, no DST, :30 and :45 offsets,
# Morocco's moving changes, and years past 2037, where the zone files switch to rules.
SWEEP = [(z, 2027) for z in ("America/New_York", "Europe/London", "Australia/Sydney",
                             "America/Sao_Paulo", "Asia/Kolkata", "Pacific/Chatham",
                             "Africa/Casablanca", "Australia/Lord_Howe", "America/St_Johns",
                             "Asia/Kathmandu")]
SWEEP += [("America/Los_Angeles", 2036), ("Europe/Rome", 2045), ("Asia/Seoul", 2040)]


def check_revisions(sample):
    """A re-export keeps UIDs; what changed has a higher SEQUENCE; cancelled is CANCELLED."""
    first, _ = check_export(sample, "jpm v1", JPM, LA, jpm(1))
    second, _ = check_export(sample, "jpm v2", JPM, LA, jpm(2))
    check(list(first) == list(second), "jpm: UIDs differ between exports")
    for uid in first:
        a, b = first[uid], second[uid]
        changed = any(a[k].to_ical() != b[k].to_ical() for k in ("DTSTART", "DTEND", "STATUS"))
        if changed:
            check(int(b["SEQUENCE"]) > int(a["SEQUENCE"]), f"jpm {uid}: changed, same SEQUENCE")
        else:
            check(b.to_ical() == a.to_ical(), f"jpm {uid}: unchanged but exported differently")
    check(str(second["m-1002@tavolo"]["STATUS"]) == "CANCELLED", "jpm: m-1002 not cancelled")


def main():
    sample = sys.argv[1]
    check_revisions(sample)
    for label, name, zone, meetings in SCENARIOS:
        _, changes = check_export(sample, label, name, zone, meetings)
        if label in ("rome", "la-fall", "la-spring"):
            check(changes >= 6, f"{label}: only {changes} offset changes checked")
    for zone, year in SWEEP:
        check_export(sample, f"sweep {zone} {year}", "Sweep", zone,
                     [Meeting("w-1@tavolo", f"{year}-01-04T10:00", 30, "Sweep")])
    rejected = subprocess.run([sample, "x", "Mars/Olympus_Mons"], capture_output=True)
    check(rejected.returncode == 1, "unknown zone accepted")
    for f in failures:
        print("FAIL", f)
    checked = len(SCENARIOS) + len(SWEEP) + 2
    print(f"ics: {checked} exports checked, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
