"""web.availability: the availability page (docs/web.md "Availability") in headless Chromium, signed
in through a real invitation link as company c-029's person on the J.P. Morgan fixture (scheduled).
The grid shows every slot of the event's days as a toggle button that says its state in words,
the break as such, the viewer's own time beside the event's, and the meetings by the other side's
name (a name holding markup shown as text, never run). A company marks the slot of one of its
meetings unavailable, saves, is told which meeting would move (the dry run), confirms, and the
API then shows the slot unavailable; Tab and Space alone toggle a slot; the page is drawn in
English and Italian at 1280 and 390 px (one day at a time on the phone, chosen with day buttons,
no sideways scroll), screenshots in the folder given; no console error or CSP violation. The
session may not read another participant's availability.

Usage: test_availability.py TAVOLO SHOTS_DIR"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import webtest  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

EVENT = "jpm-2027"
COMPANY = "c-029"
PERSON = "luca.dubois@c-029.example"
HOSTILE = '"><img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
WORDS = {"en": {"title": "Availability", "available": "Available", "break": "Break 12:30–13:30"},
         "it": {"title": "Disponibilità", "available": "Disponibile", "break": "Pausa 12:30–13:30"}}


def http(daemon, method, path, token=None, body=None, headers=None):
    return daemon.api(method, path, token, body, headers)


def open_page(d, daemon):
    d.get(f"{daemon.base}/availability?company={COMPANY}&event={EVENT}")
    return webtest.wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, "#avail-grid button.slot"))


def slot(d, start):
    return d.find_element(By.CSS_SELECTOR, f'button.slot[data-start="{start}"]')


def check_grid(t, d, lang, width, meeting, shots):
    where = f"{lang} at {width} px"
    t.eq(f"{where}: the title", WORDS[lang]["title"], d.find_element(By.CSS_SELECTOR, "#page h1").text)
    buttons = d.find_elements(By.CSS_SELECTOR, "#avail-grid button.slot")
    t.eq(f"{where}: a button for each of the 42 slots", 42, len(buttons))
    t.ok(f"{where}: each a toggle that says its state in words",
         all(b.get_attribute("aria-pressed") in ("true", "false") for b in buttons) and
         WORDS[lang]["available"] in d.find_element(By.ID, "avail-grid").text)
    breaks = d.find_elements(By.CSS_SELECTOR, "#avail-grid .break-cell")
    t.eq(f"{where}: the break shown as such, in each day shown",
         [WORDS[lang]["break"]] * (3 if width >= 600 else 1),
         [b.text for b in breaks if b.is_displayed()])
    viewer = d.execute_script("return Intl.DateTimeFormat().resolvedOptions().timeZone")
    first = d.find_element(By.CSS_SELECTOR, "#avail-grid tbody th").text
    t.ok(f"{where}: the event's time with the viewer's ({viewer}) beside",
         first.startswith("09:00") and (viewer == "America/Los_Angeles" or "\n" in first), first)
    cell = slot(d, meeting["slot"])
    t.ok(f"{where}: the meeting's slot names the other side", meeting["with"]["name"] in cell.text,
         cell.text)
    t.eq(f"{where}: a name holding markup is text, not run", None,
         d.execute_script("return window.__pwned || null"))
    t.eq(f"{where}: and makes no element", 0,
         len(d.find_elements(By.CSS_SELECTOR, "#avail-grid img, #avail-grid script")))
    sizes = d.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    t.ok(f"{where}: no sideways scroll ({sizes[0]} <= {sizes[1]})", sizes[0] <= sizes[1])
    if width < 600:
        days = d.find_elements(By.CSS_SELECTOR, ".avail-days button")
        t.eq(f"{where}: one day button a day", 3, len(days))
        shown = [b for b in buttons if b.is_displayed()]
        t.eq(f"{where}: one day's slots shown", 14, len(shown))
        days[1].click()
        webtest.wait(d, lambda d: d.find_element(By.ID, "avail-day-1").get_attribute(
            "aria-pressed") == "true")
        shown = [b.get_attribute("data-start")[:10] for b in
                 d.find_elements(By.CSS_SELECTOR, "#avail-grid button.slot") if b.is_displayed()]
        t.eq(f"{where}: the second day button shows the second day", ["2027-01-12"] * 14, shown)
        t.eq(f"{where}: and keeps the focus", "avail-day-1",
             d.execute_script("return document.activeElement.id"))
        d.execute_script("document.getElementById('avail-grid').scrollIntoView()")
        webtest.shot(d, shots, f"availability-day2-{lang}-{width}")
        d.find_element(By.ID, "avail-day-0").click()
        d.execute_script("window.scrollTo(0, 0)")
    webtest.shot(d, shots, f"availability-{lang}-{width}")
    t.eq(f"{where}: no console error or CSP violation", [], webtest.console_problems(d))


def check_keyboard(t, d):
    """Tab from the top until a slot has the focus, then Space toggles it, twice."""
    d.execute_script("document.activeElement && document.activeElement.blur()")
    start = None
    for _ in range(60):
        ActionChains(d).send_keys(Keys.TAB).perform()
        start = d.execute_script("const a = document.activeElement;"
                                 "return a.classList.contains('slot') ? a.dataset.start : null")
        if start:
            break
    t.ok("keyboard: Tab reaches a slot", start is not None)
    if not start:
        return
    ActionChains(d).send_keys(Keys.SPACE).perform()
    webtest.wait(d, lambda d: slot(d, start).get_attribute("aria-pressed") == "true")
    t.eq("keyboard: Space marks it unavailable, in words", "Unavailable",
         slot(d, start).find_element(By.CSS_SELECTOR, ".state").text)
    t.eq("keyboard: the focus stays on it", start,
         d.execute_script("return document.activeElement.dataset.start || null"))
    t.ok("keyboard: the page counts one unsaved change",
         "1" in d.find_element(By.ID, "avail-unsaved").text)
    ActionChains(d).send_keys(Keys.SPACE).perform()
    webtest.wait(d, lambda d: slot(d, start).get_attribute("aria-pressed") == "false")
    t.ok("keyboard: Space again makes it available", True)


def check_save(t, d, daemon, admin, meeting, shots):
    """Mark the meeting's slot, save, read the meeting that would move, confirm."""
    cell = slot(d, meeting["slot"])
    cell.click()
    webtest.wait(d, lambda d: slot(d, meeting["slot"]).get_attribute("aria-pressed") == "true")
    t.ok("the slot warns that its meeting will move",
         "will move" in slot(d, meeting["slot"]).text, slot(d, meeting["slot"]).text)
    webtest.network(d)
    d.find_element(By.ID, "avail-save").click()
    panel = webtest.wait(d, lambda d: d.find_elements(By.ID, "avail-confirm-panel"))[0]
    sent = [r for r in webtest.network(d) if "/availability" in r["url"] and r["method"] == "PUT"]
    t.eq("Save sends a dry run first", [True], ["dry_run=true" in r["url"] for r in sent])
    t.ok("the page lists the meeting that would move, by the other side's name",
         meeting["with"]["name"] in panel.text and "will be moved" in panel.text, panel.text)
    status, now = http(daemon, "GET", f"/v1/events/{EVENT}/availability?participant={COMPANY}",
                       admin)
    t.eq("nothing is written before the confirmation", [], now["unavailable"])
    t.eq("the focus goes to the question", "avail-confirm-title",
         d.execute_script("return document.activeElement.id"))
    webtest.shot(d, shots, "availability-confirm-en-1280")
    d.find_element(By.ID, "avail-confirm").click()
    line = webtest.wait(d, lambda d: d.execute_script(
        "const s = document.getElementById('avail-status');"
        "return s && !s.hidden && /Saved/.test(s.textContent) ? s.textContent : null"))
    t.ok("a status line says what was saved and what will move",
         "slots: 1." in line and "move 1 meeting." in line, line)
    status, now = http(daemon, "GET", f"/v1/events/{EVENT}/availability?participant={COMPANY}",
                       admin)
    t.eq("the API then shows the slot unavailable", [meeting["slot"]], now["unavailable"])
    webtest.shot(d, shots, "availability-saved-en-1280")
    t.eq("no console error or CSP violation while saving", [], webtest.console_problems(d))


def check_others_refused(t, d, daemon):
    """The session's cookie, acting for c-029, may not read another participant's slots."""
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in d.get_cookies())
    headers = {"Cookie": cookie, "X-Tavolo-Profile": f"company:{COMPANY}"}
    status, _ = http(daemon, "GET", f"/v1/events/{EVENT}/availability", headers=headers)
    t.eq("the session reads its own availability", 200, status)
    status, body = http(daemon, "GET", f"/v1/events/{EVENT}/availability?participant=c-055",
                        headers=headers)
    t.eq("but not another participant's (403)", 403, status)


def run(t, daemon, shots):
    admin = daemon.cli("token", "create", "--role", "admin").strip()
    status, data = http(daemon, "GET", f"/v1/events/{EVENT}/availability?participant={COMPANY}",
                        admin)
    t.eq("the fixture: the company's availability", 200, status)
    meeting = next(m for m in data["meetings"] if not m["pinned"])
    other = meeting["with"]["id"]
    status, _ = http(daemon, "PATCH", f"/v1/investors/{other}", admin, {"name": HOSTILE})
    t.eq("the other side's name is made hostile", 200, status)
    meeting["with"]["name"] = HOSTILE
    for width in (1280, 390):
        for lang in ("en", "it"):
            d = webtest.signed_in(daemon, PERSON, f"company:{COMPANY}", width, lang)
            try:
                open_page(d, daemon)
                check_grid(t, d, lang, width, meeting, shots)
                if width == 1280 and lang == "en":
                    check_keyboard(t, d)
                    check_others_refused(t, d, daemon)
                    check_save(t, d, daemon, admin, meeting, shots)
            finally:
                d.quit()


def main():
    return webtest.main(__doc__, "web_availability", run)


if __name__ == "__main__":
    sys.exit(main())
