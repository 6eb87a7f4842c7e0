"""Issue 17's scenario from start to end, in headless Chromium against a real daemon whose mail
goes to a real SMTP server (tests/mail/smtp_relay.py, aiosmtpd), through the pages only:

an admin of the Tour (`tavolo invite --admin`) signs in and creates an event on /events from
the form and a participants spreadsheet (CSV), its problems shown first at their line and
field; opens the new event's console and invites its participants; makes a draft schedule,
reads its changes (nothing reaches the participants), publishes it; the participants get their
notification with the calendar (METHOD:REQUEST, parsed with python3-icalendar); the admin moves
a meeting to a free place the page offers; both sides get the update (same UID, SEQUENCE up,
the new time); a participant follows the invitation it received at the SMTP server and its
agenda page shows the move. Access: an organiser of another event reaches nothing of this one,
pages or API, nor the events page. The API (an admin token) checks what each step wrote.
Screenshots of each step go to SHOTS_DIR as console-*.png.

Usage: test_console.py TAVOLO SHOTS_DIR (Debian's /usr/bin/python3)."""

import email
import email.policy
import os
import subprocess
import sys
import tempfile
import time
from zoneinfo import ZoneInfo

import icalendar
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

import webtest

sys.path.insert(0, os.path.join(webtest.ROOT, "scripts"))
import signin_link  # noqa: E402

EVENT = "ts-milano-2027"
ADMIN = ("chiara.conti@ice.example", "admin:all")
COMPANIES = ["c-001", "c-002", "c-003", "c-004", "c-005", "c-006"]
INVESTORS = ["i-001", "i-002", "i-003", "i-004", "i-005", "i-006"]
PERSON = "ada.neri@c-002.example"  # the participant who follows its invitation


def person(pid):
    return f"person.{pid}@{pid}.example"


def spreadsheet(bad=False):
    """The participants as a spreadsheet saves them: a header, one row per person; c-002 has
    two people. 'bad': an unknown kind at line 3 and a maximum that is no number at line 5."""
    rows = ["kind,id,max_meetings,name,email,language"]
    for pid in COMPANIES:
        rows.append(f"company,{pid},3,Person {pid},{person(pid)},it")
        if pid == "c-002":
            rows.append(f"company,{pid},,Ada Neri,{PERSON},en")
    for pid in INVESTORS:
        rows.append(f"investor,{pid},4,Person {pid},{person(pid)},en")
    if bad:
        rows[2] = rows[2].replace("company,", "firm,", 1)
        rows[4] = rows[4].replace(",3,", ",three,", 1)
    return "\r\n".join(rows) + "\r\n"


class Mail:
    """The messages the SMTP server took, parsed as a mail client reads them."""

    def __init__(self, folder):
        self.folder = folder

    def messages(self):
        out = []
        for name in sorted(os.listdir(self.folder)):
            with open(os.path.join(self.folder, name), "rb") as f:
                out.append(email.message_from_binary_file(f, policy=email.policy.default))
        return out

    def to(self, address):
        return [m for m in self.messages() if address in str(m["To"]).lower()]

    def wait(self, address, cond, timeout=40):
        """The first message to 'address' for which cond(message) holds, waiting for it."""
        end = time.time() + timeout
        while time.time() < end:
            for m in self.to(address):
                if cond(m):
                    return m
            time.sleep(0.25)
        return None


def calendar_of(msg):
    """The VEVENTs of the message's text/calendar part, by UID: (METHOD, {uid: vevent})."""
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            cal = icalendar.Calendar.from_ical(part.get_content())
            return str(cal.get("METHOD")), {str(e["UID"]): e for e in cal.walk("VEVENT")}
    return None, {}


def fill(d, name, value):
    field = d.find_element(By.ID, "ev-" + name)
    field.clear()
    if value:
        field.send_keys(value)


def set_date(d, name, value):
    """A date field set as a person's picker would (send_keys depends on the locale's order)."""
    d.execute_script("const f = document.getElementById(arguments[0]); f.value = arguments[1];"
                     "f.dispatchEvent(new Event('input', {bubbles: true}));", "ev-" + name, value)


def status(d, element_id, pattern, timeout=20):
    return webtest.wait(d, lambda d: d.execute_script(
        "const s = document.getElementById(arguments[0]);"
        "return s && !s.hidden && new RegExp(arguments[1]).test(s.textContent) ? s.textContent : null",
        element_id, pattern), timeout=timeout)


def create_event(t, daemon, d, admin, shots, work):
    """The events page: the list, then a new event from the form and a spreadsheet, its
    problems first."""
    d.get(daemon.base + "/events?admin=all")
    webtest.ready(d)
    listed = [r.get_attribute("data-event") for r in d.find_elements(By.CSS_SELECTOR, "#events-table tbody tr")]
    t.eq("events: the Tour's events, as the API lists them",
         [e["id"] for e in daemon.api("GET", "/v1/events", admin)[1]["items"]], listed)
    t.eq("events: the menu of an admin", ["/events", "/reports"],
         [a.get_attribute("pathname") for a in d.find_elements(By.CSS_SELECTOR, "#nav-pages a")])
    t.eq("events: no JavaScript value shown as text", [], webtest.strays(d))
    webtest.shot(d, shots, "console-events-en-1280")

    fill(d, "id", EVENT)
    fill(d, "name", "Montalcini Tour: Milano 2027")
    fill(d, "city", "Milano")
    fill(d, "time_zone", "Mars/Olympus_Mons")
    set_date(d, "first_day", "2027-03-22")
    set_date(d, "last_day", "2027-03-23")
    fill(d, "breaks", "12:30-13:30")
    fill(d, "tables", "4")
    bad_csv = os.path.join(work, "participants-bad.csv")
    good_csv = os.path.join(work, "participants.csv")
    with open(bad_csv, "w") as f:
        f.write(spreadsheet(bad=True))
    with open(good_csv, "w") as f:
        f.write(spreadsheet())
    d.find_element(By.ID, "ev-csv").send_keys(bad_csv)
    d.find_element(By.ID, "ev-check").click()
    said = status(d, "ev-status", "problems")
    problems = d.find_element(By.ID, "ev-csv-problems").text
    t.ok(f"events: the spreadsheet's problems, each with its line ({said})",
         "line 3" in problems and "kind" in problems and "line 5" in problems and "max_meetings" in problems, problems)
    webtest.shot(d, shots, "console-new-event-csv-problems-en-1280")

    d.find_element(By.ID, "ev-csv").send_keys(good_csv)
    d.find_element(By.ID, "ev-check").click()
    status(d, "ev-status", "problems")
    zone = webtest.wait(d, lambda d: d.find_element(By.ID, "ev-time_zone-error").text or None)
    t.ok(f"events: the server's refusal of the time zone sits next to its field ({zone})", "IANA" in zone, zone)
    t.ok("events: nothing was created", daemon.api("GET", f"/v1/events/{EVENT}", admin)[0] == 404)

    fill(d, "time_zone", "Europe/Rome")
    unknown_csv = os.path.join(work, "participants-unknown.csv")
    with open(unknown_csv, "w") as f:
        f.write(spreadsheet().replace("investor,i-006,", "investor,i-999,"))
    d.find_element(By.ID, "ev-csv").send_keys(unknown_csv)
    d.find_element(By.ID, "ev-check").click()
    status(d, "ev-status", "problems")
    problems = d.find_element(By.ID, "ev-csv-problems").text
    t.ok(f"events: a profile the import does not know, at its line of the spreadsheet ({problems})",
         "line 14" in problems and "i-999" in problems, problems)
    d.find_element(By.ID, "ev-csv").send_keys(good_csv)
    d.find_element(By.ID, "ev-check").click()
    said = status(d, "ev-status", "Ready")
    t.ok(f"events: checked, the spreadsheet's people counted ({said})",
         "6 companies and 6 investors, 13 people; 2 days" in said, said)
    t.ok("events: a check stores nothing", daemon.api("GET", f"/v1/events/{EVENT}", admin)[0] == 404)
    webtest.shot(d, shots, "console-new-event-checked-en-1280")
    d.find_element(By.ID, "ev-create").click()
    status(d, "ev-status", "Created")
    code, doc = daemon.api("GET", f"/v1/events/{EVENT}", admin)
    t.eq("events: created, as the form and the spreadsheet say",
         (200, ["2027-03-22", "2027-03-23"], 4, [{"start": "12:30", "end": "13:30"}], 12),
         (code, doc.get("days"), doc.get("tables"), doc.get("breaks"), len(doc.get("participants", []))))
    c002 = next(p for p in doc["participants"] if p["id"] == "c-002")
    t.eq("events: a participant's two rows are its two people",
         [person("c-002"), PERSON], [x["email"] for x in c002["people"]])
    d.find_element(By.ID, "ev-open").click()
    webtest.ready(d)
    t.eq("events: the new event's console opens", "/organise", d.execute_script("return location.pathname"))


def invite(t, daemon, d, mail, shots):
    d.find_element(By.ID, "invite-all").click()
    said = status(d, "people-status", "Invitations queued")
    queued = int(said.split("queued: ")[1].split(";")[0].replace(",", ""))
    t.ok(f"console: the participants' people invited ({said})", queued >= 13, said)
    webtest.shot(d, shots, "console-organise-en-1280")
    msg = mail.wait(PERSON, lambda m: signin_link.LINK.search(m.get_body(preferencelist=("plain",)).get_content()))
    t.ok("console: the invitation reached the SMTP server", msg is not None)
    return signin_link.LINK.search(msg.get_body(preferencelist=("plain",)).get_content()).group(0) if msg else None


def draft_and_publish(t, daemon, d, admin, mail, shots):
    d.get(daemon.base + f"/schedule?organiser={EVENT}")
    webtest.ready(d)
    d.find_element(By.ID, "draft-make").click()
    summary = webtest.wait(d, lambda d: d.find_elements(By.ID, "draft-summary"), timeout=30)[0].text
    _, draft = daemon.api("GET", f"/v1/events/{EVENT}/draft", admin)
    added = draft["changes"]["added"]
    t.eq("draft: the page says what publishing changes, as the API's draft",
         f"Publishing it adds {len(added)}, moves 0 and cancels 0 meetings.", summary)
    t.ok("draft: it places meetings", len(added) >= 6, len(added))
    t.eq("draft: nothing published yet", [], daemon.api("GET", f"/v1/events/{EVENT}/meetings", admin)[1]["items"])
    time.sleep(2)  # two mail ticks: a draft must tell nobody
    t.eq("draft: no schedule mail before publishing", [],
         [m["Subject"] for m in mail.messages() if "Milano 2027" in str(m["Subject"])
          and calendar_of(m)[0] is not None])
    webtest.shot(d, shots, "console-draft-en-1280")
    d.execute_script("window.confirm = () => true;")
    d.find_element(By.ID, "draft-publish").click()
    status(d, "draft-status", "Published", timeout=30)
    items = daemon.api("GET", f"/v1/events/{EVENT}/meetings", admin)[1]["items"]
    t.eq("publish: the draft's meetings are the event's", len(added), len(items))
    return items


def move(t, daemon, d, admin, meeting, shots):
    """Moves 'meeting' to a place the page offers (its panel's list); returns (slot, table)."""
    webtest.ready(d)
    d.find_element(By.CSS_SELECTOR, f"button.meeting[data-id='{meeting['id']}']").click()
    webtest.wait(d, lambda d: d.find_elements(By.ID, "schedule-panel"))
    d.find_element(By.ID, "schedule-move").click()
    select = Select(webtest.wait(d, lambda d: d.find_elements(By.ID, "schedule-place"))[0])
    _, places = daemon.api("GET", f"/v1/events/{EVENT}/meetings/{meeting['id']}/places", admin)
    offered = [o.get_attribute("value") for o in select.options]
    t.eq("move: the page offers the free places the server computes",
         [f"{p['slot']}|{x}" for p in places["places"] for x in p["tables"]], offered)
    target = next(v for v in offered if v.split("|")[0] != meeting["slot"][:16])
    select.select_by_value(target)
    webtest.shot(d, shots, "console-move-en-1280")
    d.find_element(By.ID, "schedule-move-go").click()
    said = status(d, "schedule-status", "^Saved|Refused")
    t.ok(f"move: saved ({said})", said.startswith("Saved"), said)
    slot, table = target.split("|")
    return slot, int(table)


def check_notified(t, mail, address, uid, before, what):
    """The schedule mail to 'address' carrying meeting 'uid' with SEQUENCE above 'before':
    returns its VEVENT, or None."""
    msg = mail.wait(address, lambda m: calendar_of(m)[0] == "REQUEST" and uid in calendar_of(m)[1]
                    and int(calendar_of(m)[1][uid].get("SEQUENCE", 0)) > before)
    t.ok(f"{what}: {address} got the calendar of meeting {uid}", msg is not None)
    return calendar_of(msg)[1][uid] if msg else None


def tour_reports(t, daemon, d, admin, shots):
    """The admin's reports: every event together, then the ESIBE-eligible companies only."""
    d.get(daemon.base + "/reports?admin=all")
    webtest.ready(d)
    _, f = daemon.api("GET", "/v1/figures", admin)
    t.ok("reports: the Tour's three events together", f"All {len(f['events'])} events" in
         d.find_element(By.ID, "reports-tour").text and len(f["events"]) == 3, f["events"])
    t.ok("reports: the Tour's meetings and companies, as the API counts them",
         f"{f['meetings']} meetings" in d.find_element(By.ID, "reports-total").text and
         f"{f['companies']} companies" in d.find_element(By.ID, "reports-total").text,
         d.find_element(By.ID, "reports-total").text)
    d.find_element(By.ID, "reports-esibe").click()
    webtest.wait(d, lambda d: "esibe=true" in d.current_url)
    webtest.ready(d)
    _, e = daemon.api("GET", "/v1/figures?esibe=true", admin)
    t.ok(f"reports: ESIBE-eligible companies only, fewer of them ({e['companies']} of {f['companies']})",
         0 < e["companies"] < f["companies"] and f"{e['companies']} companies" in
         d.find_element(By.ID, "reports-total").text, d.find_element(By.ID, "reports-total").text)
    bars = [x.text for x in d.find_elements(By.CSS_SELECTOR, "#fig-coverage svg .num")]
    t.eq("reports: the coverage of ESIBE companies by investor kind, as the API's",
         [f"{c['companies']} of {e['companies']}" for c in e["coverage"]], bars)
    t.eq("reports: no JavaScript value shown as text", [], webtest.strays(d))
    webtest.shot(d, shots, "console-reports-tour-esibe-en-1280")


def check_access(t, daemon):
    """An organiser of jpm-2027 reaches nothing of this event: API and pages."""
    d = webtest.signed_in(daemon, "marta.ferri@ice.example", "organiser:jpm-2027", 1280, "en")
    try:
        code = d.execute_script(
            "return fetch(arguments[0], {headers: {'X-Tavolo-Profile': 'organiser:jpm-2027'}}).then(r => r.status)",
            f"/v1/events/{EVENT}/overview")
        t.eq("access: another event's organiser gets 403 for this event's overview", 403, code)
        code = d.execute_script(
            "return fetch(arguments[0], {headers: {'X-Tavolo-Profile': 'organiser:jpm-2027'}}).then(r => r.status)",
            f"/v1/events/{EVENT}/meetings")
        t.eq("access: and for its meetings", 403, code)
        code = d.execute_script(
            "return fetch('/v1/events/jpm-2027', {headers: {'X-Tavolo-Profile': arguments[0]}}).then(r => r.status)",
            f"organiser:{EVENT}")
        t.eq("access: acting as this event's organiser is refused", 403, code)
        code = d.execute_script(
            "return fetch('/v1/events', {headers: {'X-Tavolo-Profile': 'admin:all'}}).then(r => r.status)")
        t.eq("access: acting as an admin is refused", 403, code)
        for path in (f"/organise?organiser={EVENT}", "/events?admin=all"):
            d.get(daemon.base + path)
            webtest.wait(d, lambda d: d.execute_script(
                "return document.readyState === 'complete' && !!document.querySelector('#home:not([hidden]), #page[data-ready]')"))
            t.ok(f"access: {path} shows nothing of it", EVENT not in d.page_source and "Milano 2027" not in d.page_source)
        t.eq("access: no console error but the refusals", [], webtest.console_problems(
            d, allow=(f"/v1/events/{EVENT}", "/v1/events/jpm-2027 ", "/v1/events ")))
    finally:
        d.quit()


def run(t, daemon, shots, mail, work):
    admin = daemon.cli("token", "create", "--role", "admin").strip()
    d = webtest.signed_in(daemon, *ADMIN, 1280, "en")
    try:
        offered = [a.get_attribute("search") for a in webtest.wait(
            d, lambda d: d.find_elements(By.CSS_SELECTOR, "#home-profiles a"))]
        t.eq("the admin's home offers every event of the Tour, then each event's console",
             ["?admin=all", "?organiser=bio-2027", "?organiser=jpm-2027"], offered)
        create_event(t, daemon, d, admin, shots, work)
        link = invite(t, daemon, d, mail, shots)
        items = draft_and_publish(t, daemon, d, admin, mail, shots)
        mine = sorted((m for m in items if m["company_id"] == "c-002"), key=lambda m: m["slot_index"])
        t.ok("publish: c-002 has meetings", bool(mine), items)
        meeting = mine[0]
        uid = f"meeting-{meeting['id']}-{EVENT}@tavolo"
        first = check_notified(t, mail, PERSON, uid, -1, "publish")
        seq = int(first.get("SEQUENCE", 0)) if first else 0
        slot, table = move(t, daemon, d, admin, meeting, shots)
        moved = daemon.api("GET", f"/v1/events/{EVENT}/meetings/{meeting['id']}", admin)[1]
        t.eq("move: the API has it there", (slot, table), (moved["slot"][:16], moved["table"]))
        for address in (PERSON, person(meeting["investor_id"])):
            ev = check_notified(t, mail, address, uid, seq, "move")
            if ev is not None:
                t.eq(f"move: {address}'s calendar has the new time", slot,
                     ev["DTSTART"].dt.astimezone(ZoneInfo("Europe/Rome")).strftime("%Y-%m-%dT%H:%M"))
        tour_reports(t, daemon, d, admin, shots)
        d.get(daemon.base + "/events?admin=all")
        webtest.ready(d)
        d.find_element(By.CSS_SELECTOR, ".langs button[data-lang='it']").click()
        webtest.wait(d, lambda d: d.find_element(By.CSS_SELECTOR, ".events-page h1").text == "Eventi")
        t.ok("events: in Italian, the new event in the list and the form's words",
             "Montalcini Tour: Milano 2027" in d.find_element(By.ID, "events-table").text and
             "Foglio dei partecipanti (CSV)" in d.find_element(By.ID, "ev-form").text)
        webtest.shot(d, shots, "console-events-it-1280")
        t.eq("no console error on the admin's way (but the refusals the test caused)", [],
             webtest.console_problems(d, allow=("/draft ", "/v1/spreadsheets/participants ",
                                                "/v1/events?dry_run=true ")))
    finally:
        d.quit()

    d = webtest.browser(390, "en")
    try:
        d.get(link)
        webtest.wait(d, lambda d: d.execute_script("return !!document.getElementById('home') && document.readyState === 'complete'"))
        d.get(daemon.base + "/agenda?company=c-002")
        webtest.ready(d)
        text = d.find_element(By.ID, "page").text
        t.ok(f"agenda: the participant's page shows the meeting at its new time {slot[11:16]}", slot[11:16] in text, text)
        webtest.shot(d, shots, "console-agenda-en-390")
    finally:
        d.quit()
    check_access(t, daemon)


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    work = tempfile.mkdtemp(prefix="tv-console-")
    store = os.path.join(work, "mail", "new")
    os.makedirs(store)
    relay = subprocess.Popen(["/usr/bin/python3", os.path.join(webtest.ROOT, "tests", "mail", "smtp_relay.py"),
                              os.path.join(work, "port"), os.path.join(work, "relay.log"), "--store", store])
    try:
        for _ in range(200):
            if os.path.exists(os.path.join(work, "port")) and os.path.getsize(os.path.join(work, "port")):
                break
            time.sleep(0.05)
        with open(os.path.join(work, "port")) as f:
            port = int(f.read())
        env = {"TAVOLO_SMTP_URL": f"smtp://127.0.0.1:{port}", "TAVOLO_MAIL_POLL_SECONDS": "1",
               "TAVOLO_NOTIFY_QUIET": "0"}
        mail = Mail(store)
        return webtest.main(__doc__, "web_console", lambda t, daemon, shots: run(t, daemon, shots, mail, work),
                            env=env, mailbox=os.path.join(work, "mail"))
    finally:
        relay.terminate()
        relay.wait()


if __name__ == "__main__":
    sys.exit(main())
