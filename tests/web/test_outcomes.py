"""What came of a meeting, from the agenda page (issue 18, decision 0067), in headless Chromium:
a company's person on a phone, in Italian, opens "Com'è andata?" under a meeting of last month,
says it took place, rates it 4, wants a follow-up and records a term sheet; the page shows the
answer in words and the API (an admin token) has it, as the company's side only; a meeting
still to come offers no such form. Screenshots to SHOTS_DIR as outcomes-*.png.

Usage: test_outcomes.py TAVOLO SHOTS_DIR (Debian's /usr/bin/python3)."""

import datetime
import sys

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

import webtest

COMPANY = ("luca.dubois@c-029.example", "company:c-029")
EVENT = "past-2026"


def past_event(daemon, admin):
    """An event of last month with c-029 and three investors, scheduled through the API."""
    day = (datetime.date.today() - datetime.timedelta(days=30)).isoformat()
    person = lambda pid: [{"name": f"Person {pid}", "email": f"person.{pid}@{pid}.example"}]  # noqa: E731
    parts = [{"kind": "company", "id": "c-029", "max_meetings": 3,
              "people": [{"name": "Luca Dubois", "email": COMPANY[0]}]}]
    parts += [{"kind": "investor", "id": i, "max_meetings": 3, "people": person(i)} for i in ("i-001", "i-002", "i-003")]
    doc = {"id": EVENT, "name": "Tappa di Milano", "time_zone": "Europe/Rome", "days": [day], "day_start": "09:00",
           "day_end": "12:00", "slot_minutes": 30, "tables": 3, "participants": parts}
    status, _ = daemon.api("POST", "/v1/events", admin, doc)
    if status != 201:
        raise RuntimeError(f"POST /v1/events: {status}")
    status, report = daemon.api("POST", f"/v1/events/{EVENT}/schedule", admin)
    if status != 200:
        raise RuntimeError(f"schedule: {status} {report}")


def run(t, daemon, shots):
    admin = daemon.cli("token", "create", "--role", "admin").strip()
    past_event(daemon, admin)
    _, listed = daemon.api("GET", f"/v1/events/{EVENT}/meetings", admin)
    mine = sorted((m for m in listed["items"] if m["company_id"] == "c-029"), key=lambda m: m["slot"])
    t.ok("c-029 has meetings at the past event", bool(mine), listed)
    m = mine[0]
    d = webtest.signed_in(daemon, *COMPANY, 390, "it")
    try:
        d.get(daemon.base + "/agenda?company=c-029")
        webtest.ready(d)
        key = f"outcome-{m['id']}"
        t.ok("a meeting of last month offers 'Com'è andata?'", d.find_element(By.ID, key + "-open").text == "Com'è andata?")
        _, jpm = daemon.api("GET", "/v1/events/jpm-2027/meetings", admin)
        future = next(x for x in jpm["items"] if x["company_id"] == "c-029" and x["status"] == "scheduled")
        t.eq("a meeting still to come does not", [], d.find_elements(By.ID, f"outcome-{future['id']}-open"))
        d.find_element(By.ID, key + "-open").click()
        said = webtest.wait(d, lambda d: d.find_element(By.ID, key + "-answer").text or None)
        t.ok(f"nothing said yet, in words ({said})", "Non ha ancora detto" in said, said)
        d.find_element(By.CSS_SELECTOR, f"input[name='{key}-held'][value='true']").click()
        d.find_element(By.CSS_SELECTOR, f"input[name='{key}-rating'][value='4']").click()
        d.find_element(By.ID, key + "-follow").click()
        Select(d.find_element(By.ID, key + "-step")).select_by_value("term_sheet")
        d.execute_script("document.getElementById(arguments[0]).value = '2027-01-20'", key + "-date")
        webtest.shot(d, shots, "outcomes-form-it-390")
        d.find_element(By.ID, key + "-save").click()
        line = webtest.wait(d, lambda d: d.find_element(By.ID, key + "-status").text or None)
        t.ok(f"saved, and who sees it said ({line})", line.startswith("Salvato") and "mai l'altra parte" in line, line)
        answer = d.find_element(By.ID, key + "-answer").text
        t.ok(f"the answer in words ({answer})", all(w in answer for w in ("Svolto", "4/5", "seguito richiesto", "Term sheet")), answer)
        webtest.shot(d, shots, "outcomes-saved-it-390")
        _, o = daemon.api("GET", f"/v1/events/{EVENT}/meetings/{m['id']}/outcomes", admin)
        c = o["sides"].get("company", {})
        t.eq("the API has the company's answer", (True, 4, True, ["term_sheet"], "2027-01-20"),
             (c.get("held"), c.get("rating"), c.get("follow_up"), [s["kind"] for s in c.get("next_steps", [])],
              (c.get("next_steps") or [{}])[0].get("date")))
        t.eq("recorded by the person who signed in", COMPANY[0], o["history"][-1]["recorded_by"])
        t.eq("the company's side only", ["company"], sorted(o["sides"]))
        t.eq("no console error", [], webtest.console_problems(d))
    finally:
        d.quit()
    _, o = daemon.api("GET", f"/v1/events/{EVENT}/meetings/{m['id']}/outcomes", admin)
    d = webtest.signed_in(daemon, "marta.ferri@ice.example", f"organiser:{EVENT}", 1280, "en")
    try:
        d.get(daemon.base + f"/schedule?organiser={EVENT}")
        webtest.ready(d)
        d.find_element(By.CSS_SELECTOR, f"button.meeting[data-id='{m['id']}']").click()
        row = webtest.wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, "#schedule-outcomes li[data-side='company']"))[0].text
        t.ok(f"the organiser reads the company's answer in the meeting's panel ({row})",
             all(w in row for w in ("The company", "held", "4/5", "follow-up wanted", "term sheet (2027-01-20)")), row)
        t.eq("and only the sides that answered", ["company"],
             [li.get_attribute("data-side") for li in d.find_elements(By.CSS_SELECTOR, "#schedule-outcomes li[data-side]")])
        webtest.shot(d, shots, "outcomes-organiser-en-1280")
        d.find_element(By.CSS_SELECTOR, "#schedule-panel [data-action='no_show']").click()
        webtest.wait(d, lambda d: d.execute_script(
            "const s = document.getElementById('schedule-status');"
            "return s && !s.hidden && /Saved/.test(s.textContent)"), timeout=15)
        _, o = daemon.api("GET", f"/v1/events/{EVENT}/meetings/{m['id']}/outcomes", admin)
        _, meeting = daemon.api("GET", f"/v1/events/{EVENT}/meetings/{m['id']}", admin)
        t.eq("Mark no-show on a meeting that took place is the organisers' outcome, with who and when",
             (False, "marta.ferri@ice.example", "no_show"),
             (o["sides"].get("organiser", {}).get("held"), o["history"][-1]["recorded_by"], meeting["status"]))
        d.get(daemon.base + f"/reports?organiser={EVENT}")
        webtest.ready(d)
        _, report = daemon.api("GET", f"/v1/events/{EVENT}/report", admin)
        bars = [x.text for x in d.find_elements(By.CSS_SELECTOR, "#fig-acceptance svg .num")]
        t.eq("the reports page says what came of the meetings, in words: few cases here",
             [f"too few cases ({report['acceptance'][k]['cases']})" for k in ("recommended", "other")], bars)
        t.ok("the follow-ups by investor kind count the company's answer",
             "1 of" in d.find_element(By.ID, "fig-outcomes-kind").text, d.find_element(By.ID, "fig-outcomes-kind").text)
        t.eq("the reports page shows no JavaScript value as text", [], webtest.strays(d))
        webtest.shot(d, shots, "outcomes-reports-en-1280")
        t.eq("no console error", [], webtest.console_problems(d))
    finally:
        d.quit()


def main():
    return webtest.main(__doc__, "web_outcomes", run)


if __name__ == "__main__":
    sys.exit(main())
