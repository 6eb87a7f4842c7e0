"""web.agenda: the agenda page in headless Chromium (docs/web.md "Agenda and calendar feed").
Company c-029 of jpm-2027 (scheduled by the seed), signed in through a real invitation link,
sees its meetings by day in English and Italian, in the event's zone and in the viewer's
(Europe/Rome, set through CDP), each with its table, the other side and its state in words; a
name made of markup is shown as text and nothing runs. By keyboard alone it makes a calendar
feed; the feed URL, fetched with urllib and parsed with python3-icalendar, holds the same
meetings as the page; the webcal:// link names the same host and path; Revoke ends the feed
(404). Print media hides the menu and the buttons; the PDF has at least one page per day with
meetings. Screenshots at 1280 and 390 px (no sideways scroll) and of print media; no console
error or CSP violation.

Usage: test_agenda.py TAVOLO SHOTS_DIR"""

import base64
import datetime
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import webtest  # noqa: E402
from icalendar import Calendar  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

PERSON = "luca.dubois@c-029.example"
PROFILE = "company:c-029"
VIEWER_ZONE = "Europe/Rome"
HOSTILE = '"><img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
WORDS = {
    "en": {"title": "Agenda", "status": "Scheduled", "table": "Table ", "create": "Create a feed link",
           "cancelled": "Cancelled"},
    "it": {"title": "Agenda", "status": "In programma", "table": "Tavolo ", "create": "Crea un link al feed",
           "cancelled": "Annullato"},
}
DAY_WORDS = {"en": "January", "it": "gennaio"}


def sql(daemon, query):
    dsn = daemon.env["TAVOLO_DATABASE_URL"]
    return subprocess.run(["psql", dsn, "-qAt", "-c", query], check=True, capture_output=True,
                          text=True).stdout.strip()


def open_agenda(d, base):
    d.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": VIEWER_ZONE})
    d.get(base + "/agenda?company=c-029&event=jpm-2027")
    webtest.wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, ".agenda-meeting") and
                 d.find_elements(By.ID, "agenda-feed-create"), timeout=20)


def page_meetings(d):
    """[(instant in UTC, table text, other side's name)] as the page shows them."""
    out = []
    for li in d.find_elements(By.CSS_SELECTOR, ".agenda-meeting"):
        slot = li.find_element(By.CSS_SELECTOR, ".agenda-time time").get_attribute("datetime")
        out.append((datetime.datetime.fromisoformat(slot).astimezone(datetime.timezone.utc),
                    li.find_element(By.CSS_SELECTOR, ".agenda-table").text,
                    li.find_element(By.CSS_SELECTOR, ".agenda-other strong").text))
    return sorted(out)


def next_day_named(d):
    """Every meeting whose time in the viewer's zone falls on another day than the event's
    shows that day's number; there is at least one (15:00 in San Francisco is 00:00 in Rome)."""
    from zoneinfo import ZoneInfo

    seen = 0
    for li in d.find_elements(By.CSS_SELECTOR, ".agenda-meeting"):
        slot = datetime.datetime.fromisoformat(
            li.find_element(By.CSS_SELECTOR, ".agenda-time time").get_attribute("datetime"))
        there = slot.astimezone(ZoneInfo(VIEWER_ZONE))
        if there.date() != slot.date():
            seen += 1
            text = li.find_element(By.CSS_SELECTOR, ".agenda-viewer-time").text
            if not re.search(rf"\b{there.day}\b", text.split(",")[0]):
                return False
    return seen > 0


def check_render(t, d, daemon, width, lang, shots, expected):
    where = f"{lang} at {width} px"
    open_agenda(d, daemon.base)
    w = WORDS[lang]
    t.ok(f"{where}: the title", d.find_element(By.CSS_SELECTOR, "#page h1").text.startswith(w["title"]))
    shown = page_meetings(d)
    t.eq(f"{where}: every meeting of c-029, once", expected, len(shown))
    first = d.find_elements(By.CSS_SELECTOR, ".agenda-meeting")[0]
    t.ok(f"{where}: the state in words", w["status"] in first.find_element(By.CSS_SELECTOR, ".agenda-status").text)
    t.ok(f"{where}: the table", all(s[1].startswith(w["table"]) for s in shown), shown[:2])
    cancelled = [e.text for e in d.find_elements(By.CSS_SELECTOR, ".status-cancelled .agenda-status")]
    t.eq(f"{where}: the cancelled meeting is listed, said in words", [w["cancelled"]], cancelled)
    day = d.find_element(By.CSS_SELECTOR, ".agenda-day h3").text
    t.ok(f"{where}: days named in the language ({day})", DAY_WORDS[lang] in day)
    time_text = first.find_element(By.CSS_SELECTOR, ".agenda-time").text
    t.ok(f"{where}: the event's time and the viewer's, with the zone ({time_text!r})",
         re.search(r"\d\d:\d\d–\d\d:\d\d", time_text) and VIEWER_ZONE in time_text)
    t.ok(f"{where}: a viewer's time on another day names that day", next_day_named(d))
    zone_line = d.find_element(By.CSS_SELECTOR, ".agenda-zone").text
    t.ok(f"{where}: the zones named", "America/Los_Angeles" in zone_line and VIEWER_ZONE in zone_line)
    t.ok(f"{where}: the other side's people by name",
         any("Dubois" not in p.text and p.text for p in d.find_elements(By.CSS_SELECTOR, ".agenda-people")))
    sizes = d.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    t.ok(f"{where}: no sideways scroll ({sizes[0]} <= {sizes[1]})", sizes[0] <= sizes[1])
    t.eq(f"{where}: the markup in a name is text", True, any(HOSTILE == s[2] for s in shown))
    t.eq(f"{where}: and nothing of it runs or becomes an element", [None, 0],
         d.execute_script("return [window.__pwned || null, document.querySelectorAll('#page img, #page script').length]"))
    webtest.shot(d, shots, f"agenda-{lang}-{width}")
    t.eq(f"{where}: no console error or CSP violation", [], webtest.console_problems(d))
    return shown


def tab_to(d, element_id, limit=80):
    d.execute_script("document.activeElement && document.activeElement.blur()")
    for n in range(1, limit):
        ActionChains(d).send_keys(Keys.TAB).perform()
        if d.execute_script("return document.activeElement.id") == element_id:
            return n
    return None


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.headers.get("Content-Type"), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read()


def check_feed(t, d, shots, shown):
    """Keyboard: Tab to the button, Enter; the URL's calendar holds what the page shows."""
    tabs = tab_to(d, "agenda-feed-create")
    t.ok(f"Tab reaches the feed button ({tabs} presses)", tabs is not None)
    ActionChains(d).send_keys(Keys.ENTER).perform()
    field = webtest.wait(d, lambda d: d.find_elements(By.ID, "agenda-feed-url"))[0]
    url = field.get_attribute("value")
    t.ok(f"the feed URL is shown ({url})", re.fullmatch(r"http://127\.0\.0\.1:\d+/calendar/[A-Za-z0-9_-]{43}\.ics", url))
    label = d.find_element(By.CSS_SELECTOR, "label[for=agenda-feed-url]")
    t.ok("the URL's field has a label", label.text != "")
    webcal = d.find_element(By.ID, "agenda-webcal").get_attribute("href")
    t.eq("webcal:// names the same host and path", url.replace("http://", "webcal://", 1), webcal)
    dl = d.find_element(By.ID, "agenda-feed-download")
    t.ok("the .ics download link has the download attribute", dl.get_attribute("download") is not None
         and dl.get_attribute("href") == url)
    status, ctype, body = fetch(url)
    t.eq("the feed answers 200 as text/calendar", (200, "text/calendar; charset=utf-8"), (status, ctype))
    cal = Calendar.from_ical(body)
    feed = sorted((e.decoded("DTSTART").astimezone(datetime.timezone.utc),
                   str(e["LOCATION"]).split(",")[0].replace("Table ", ""), str(e["SUMMARY"]))
                  for e in cal.walk("VEVENT"))
    t.eq("the feed holds the page's meetings, at the same instants", [s[0] for s in shown], [f[0] for f in feed])
    t.ok("at the same tables, the other side named in SUMMARY",
         all(f[1] in s[1] and s[2] in f[2] for s, f in zip(shown, feed)))
    t.eq("the cancelled meeting is STATUS:CANCELLED in the feed", 1,
         sum(str(e.get("STATUS")) == "CANCELLED" for e in cal.walk("VEVENT")))
    d.execute_script("document.getElementById('page').scrollIntoView()")
    webtest.shot(d, shots, "agenda-feed-en-1280")
    t.eq("no console error after making a feed", [], webtest.console_problems(d))
    return url


def check_revoke(t, d, url):
    buttons = d.find_elements(By.CSS_SELECTOR, ".agenda-feed button")
    t.eq("the feed is listed once, with Revoke", 1, len(buttons))
    buttons[0].click()
    webtest.wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, "#agenda-feeds-status.ok"))
    t.eq("the page lists no feed after Revoke", 0, len(d.find_elements(By.CSS_SELECTOR, ".agenda-feed")))
    t.eq("a revoked feed is 404", 404, fetch(url)[0])
    t.eq("no console error after revoking", [], webtest.console_problems(d))


def check_all_events(t, d, daemon, shots):
    """Without ?event=: every event c-029 attends; bio-2027, not scheduled, says there are no
    meetings yet and when requests close. A language switch keeps the feed link shown."""
    d.get(daemon.base + "/agenda?company=c-029")
    webtest.wait(d, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".agenda-event")) == 2 and
                 d.find_elements(By.ID, "agenda-feed-create"), timeout=20)
    names = [e.text for e in d.find_elements(By.CSS_SELECTOR, ".agenda-event h2")]
    t.ok(f"every event the profile attends ({names})",
         any("J.P. Morgan" in n for n in names) and any("BIO International" in n for n in names))
    empty = d.find_elements(By.CSS_SELECTOR, ".agenda-empty")
    t.eq("one event without meetings", 1, len(empty))
    text = empty[0].text if empty else ""
    t.ok(f"it says so, and when requests close ({text!r})",
         "No meetings yet" in text and "9 Jun 2027" in text)
    d.find_element(By.ID, "agenda-feed-create").click()
    webtest.wait(d, lambda d: d.find_elements(By.ID, "agenda-feed-url"))
    url = d.find_element(By.ID, "agenda-feed-url").get_attribute("value")
    d.find_element(By.CSS_SELECTOR, ".langs button[data-lang=it]").click()
    webtest.wait(d, lambda d: "Ancora nessun incontro" in d.find_element(By.CSS_SELECTOR, ".agenda-empty").text)
    t.eq("after switching to Italian the feed link is still shown", url,
         d.find_element(By.ID, "agenda-feed-url").get_attribute("value"))
    t.ok("and the feed list reads 'tutti gli eventi'",
         "tutti gli eventi" in d.find_element(By.CSS_SELECTOR, ".agenda-feed-list").text)
    d.find_element(By.CSS_SELECTOR, ".langs button[data-lang=en]").click()
    webtest.shot(d, shots, "agenda-all-events-en-1280")
    t.eq("no console error on the page of every event", [], webtest.console_problems(d))


def check_print(t, d, shots):
    days = len(d.find_elements(By.CSS_SELECTOR, ".agenda-day"))
    d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    hidden = d.execute_script("""return ['#nav', '.bar', '#agenda-print', '.agenda-feeds'].map(
        (s) => { const e = document.querySelector(s); return !e || getComputedStyle(e).display === 'none'; })""")
    t.eq("print media hides the menu, the bar, the buttons and the feeds", [True] * 4, hidden)
    colour = d.execute_script("return getComputedStyle(document.querySelector('.agenda-time')).color")
    t.eq("times print in black", "rgb(0, 0, 0)", colour)
    webtest.shot(d, shots, "agenda-print-en-1280")
    d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    pdf = base64.b64decode(d.execute_cdp_cmd("Page.printToPDF", {"printBackground": False})["data"])
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    t.ok(f"the PDF has a page per day at least ({pages} pages, {days} days)", days > 0 and pages >= days)


def run(t, daemon, shots):
    drivers = []
    try:
        odd = sql(daemon, "SELECT investor_id FROM meetings WHERE event_id = 'jpm-2027' AND "
                          "company_id = 'c-029' ORDER BY slot_start LIMIT 1")
        sql(daemon, "UPDATE investors SET doc = jsonb_set(doc, '{name}', to_jsonb('" +
            HOSTILE.replace("'", "''") + "'::text)) WHERE id = '" + odd + "'")
        # The organiser cancels c-029's second meeting: it stays on the page, in words.
        sql(daemon, "UPDATE meetings SET status = 'cancelled', sequence = sequence + 1 WHERE id = "
                    "(SELECT id FROM meetings WHERE event_id = 'jpm-2027' AND company_id = "
                    "'c-029' ORDER BY slot_start OFFSET 1 LIMIT 1)")
        expected = int(sql(daemon, "SELECT count(*) FROM meetings WHERE event_id = 'jpm-2027' "
                                   "AND company_id = 'c-029'"))
        t.ok(f"the fixture: c-029 has meetings ({expected})", expected > 1)
        for lang in ("en", "it"):
            for width in (1280, 390):
                d = webtest.signed_in(daemon, PERSON, PROFILE, width, lang)
                drivers.append(d)
                shown = check_render(t, d, daemon, width, lang, shots, expected)
                if lang == "en" and width == 1280:
                    url = check_feed(t, d, shots, shown)
                    check_print(t, d, shots)
                    check_revoke(t, d, url)
                    check_all_events(t, d, daemon, shots)
                if lang == "it" and width == 390:
                    d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
                    webtest.shot(d, shots, "agenda-print-it-390")
                    d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
                d.quit()
                drivers.remove(d)
    finally:
        for d in drivers:
            d.quit()


def main():
    return webtest.main(__doc__, "web_agenda", run)


if __name__ == "__main__":
    sys.exit(main())
