"""The organisers' event page (issue 17, decision 0063), in headless Chromium: an organiser
invited with `tavolo invite --organiser` follows the link and lands on /organise for the event,
in Italian; the figures and the participants' table are the API's overview; the filters and the
search narrow the table; the participants' pages are not theirs (the menu does not offer them,
their addresses lead back to /organise); a participant's session cannot open the organiser's
page; every page at 1280 and 390 px, no console error.

Usage: test_organise.py TAVOLO SHOTS_DIR (Debian's /usr/bin/python3)."""

import subprocess
import sys

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

import webtest

ORGANISER = ("marta.ferri@ice.example", "organiser:jpm-2027")
COMPANY = ("luca.dubois@c-029.example", "company:c-029")


def rows(d):
    return d.find_elements(By.CSS_SELECTOR, ".participants-table tbody tr[data-id]")


def check_page(t, daemon, d, width, shots):
    where = f"{width} px"
    webtest.ready(d)
    t.eq(f"{where}: the link leads to the event's page", "/organise", d.execute_script("return location.pathname"))
    admin = daemon.cli("token", "create", "--role", "admin").strip()
    status, o = daemon.api("GET", "/v1/events/jpm-2027/overview", admin)
    t.eq(f"{where}: the API's overview", 200, status)
    t.eq(f"{where}: the heading is the event's name", o["event"]["name"], d.find_element(By.CSS_SELECTOR, ".organise-page h1").text)
    t.eq(f"{where}: one row per participant", len(o["participants"]), len(rows(d)))
    none = [p["id"] for p in o["participants"] if p["meetings"] == 0]
    t.eq(f"{where}: the overview has c-041 without a meeting", ["c-041"], none)
    c041 = next(p for p in o["participants"] if p["id"] == "c-041")
    t.eq(f"{where}: and why, as the last run said", "no_common_slot", (c041["why"] or {}).get("code"))
    why = d.find_element(By.CSS_SELECTOR, ".participants-table tr[data-id='c-041'] .why").text
    t.eq(f"{where}: its row says why, in Italian", "Nessuna fascia libera sia per esso sia per uno dei suoi candidati.", why)
    figures = {x.find_element(By.TAG_NAME, "dt").text.replace("▲ ", ""): x.find_element(By.TAG_NAME, "dd").text
               for x in d.find_elements(By.CSS_SELECTOR, ".glance .figure")}
    t.eq(f"{where}: the participants without a meeting, counted in Italian", str(len(none)), figures.get("Senza incontri"))
    t.eq(f"{where}: the scheduled meetings", str(o["meetings"]["scheduled"]), figures.get("In agenda"))
    accepted = d.find_element(By.CSS_SELECTOR, "table.counts tbody tr:first-child td:nth-of-type(2)").text
    t.eq(f"{where}: the requests companies asked, accepted", str(o["requests"]["company"]["accepted"]), accepted)
    c029 = next(p for p in o["participants"] if p["id"] == "c-029")
    row = d.find_element(By.CSS_SELECTOR, ".participants-table tr[data-id='c-029']")
    t.ok(f"{where}: a row says the meetings against the limits, in words",
         str(c029["meetings"]) in row.text and f"min {c029['min_meetings']}" in row.text, row.text)
    webtest.shot(d, shots, f"organise-it-{width}")

    Select(d.find_element(By.ID, "organise-state")).select_by_value("none")
    states = {r.get_attribute("data-state") for r in rows(d)}
    t.eq(f"{where}: 'Senza incontri' keeps those without a meeting", sorted(none), sorted(r.get_attribute("data-id") for r in rows(d)))
    t.ok(f"{where}: and only them", states <= {"none"}, states)
    t.ok(f"{where}: the count says so", f"{len(none)} di {len(o['participants'])}" in
         d.find_element(By.ID, "organise-shown").text, d.find_element(By.ID, "organise-shown").text)
    Select(d.find_element(By.ID, "organise-state")).select_by_value("")
    box = d.find_element(By.ID, "organise-q")
    box.send_keys("c-029")
    t.eq(f"{where}: the search by id finds the one participant", ["c-029"], [r.get_attribute("data-id") for r in rows(d)])
    box.clear()
    box.send_keys(c029["name"][:5].upper())
    t.ok(f"{where}: the search by name, without case", "c-029" in [r.get_attribute("data-id") for r in rows(d)])
    box.clear()
    box.send_keys("nobody-at-all")
    t.ok(f"{where}: no match is said in words", "Nessun partecipante corrisponde" in
         d.find_element(By.CSS_SELECTOR, ".participants-table tbody").text)
    box.clear()
    box.send_keys(" ")  # an input event with an empty query brings every row back
    t.eq(f"{where}: cleared, every row is back", len(o["participants"]), len(rows(d)))

    nav = [a.get_attribute("pathname") for a in d.find_elements(By.CSS_SELECTOR, "#nav-pages a")]
    t.eq(f"{where}: the menu offers the organiser's pages only", ["/organise", "/schedule", "/exports", "/reports"], nav)
    d.get(daemon.base + "/matches?organiser=jpm-2027")
    webtest.ready(d)
    t.eq(f"{where}: a participant's page leads back to the event's", "/organise",
         d.execute_script("return location.pathname"))
    t.eq(f"{where}: no console error or CSP violation", [], webtest.console_problems(d))


def check_recommendations(t, daemon, d, shots):
    """A participant's name opens its recommendations among the event's participants, as the
    API ranks them; a meeting proposed on its behalf becomes a request from its side; a pair
    asked already is refused in words."""
    admin = daemon.cli("token", "create", "--role", "admin").strip()
    _, ranked = daemon.api("GET", "/v1/companies/c-029/matches?k=10&event=jpm-2027&lang=it", admin)
    _, reqs = daemon.api("GET", "/v1/events/jpm-2027/requests", admin)
    asked = {q["investor_id"] for q in reqs["items"] if q["company_id"] == "c-029"}
    free = [m["investor_id"] for m in ranked["items"] if m["investor_id"] not in asked]
    d.find_element(By.CSS_SELECTOR, ".participants-table tr[data-id='c-029'] button.name").click()
    items = webtest.wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, "#organise-recs ol.recs > li"), timeout=15)
    t.eq("recommendations: c-029's best pairs among the event's, as the API ranks them",
         [m["investor_id"] for m in ranked["items"]], [li.get_attribute("data-id") for li in items])
    first = ranked["items"][0]
    t.ok("recommendations: with the fit and the reasons in Italian", f"Affinità {first['fit']}/100" in items[0].text,
         items[0].text)
    webtest.shot(d, shots, "organise-recs-it-1280")
    target, taken = free[0], free[1]
    status, _ = daemon.api("POST", "/v1/events/jpm-2027/requests", admin,
                           {"company_id": "c-029", "investor_id": taken, "from": "investor", "priority": "want"})
    t.eq("recommendations: meanwhile another pair is asked through the API", 201, status)
    d.find_element(By.CSS_SELECTOR, f"#organise-recs li[data-id='{target}'] button.propose").click()
    said = webtest.wait(d, lambda d: d.find_element(By.ID, f"rec-status-{target}").text
                        if "Proposto" in d.find_element(By.ID, f"rec-status-{target}").text else None)
    t.ok(f"recommendations: proposed, in words ({said})", "per conto di" in said, said)
    _, reqs = daemon.api("GET", "/v1/events/jpm-2027/requests", admin)
    made = [q for q in reqs["items"] if q["company_id"] == "c-029" and q["investor_id"] == target]
    t.eq("recommendations: a request from the company's side, pending", [("company", "pending")],
         [(q["from"], q["status"]) for q in made])
    d.find_element(By.CSS_SELECTOR, f"#organise-recs li[data-id='{taken}'] button.propose").click()
    said = webtest.wait(d, lambda d: d.find_element(By.ID, f"rec-status-{taken}").text
                        if "Non proposto" in d.find_element(By.ID, f"rec-status-{taken}").text else None)
    t.ok(f"recommendations: a pair asked already is refused in words ({said})", "409" in said, said)
    t.eq("recommendations: no console error (but that 409)", [],
         webtest.console_problems(d, allow=("/v1/events/jpm-2027/requests ",)))


def check_people(t, daemon, d, shots):
    """Invitations for everyone the event names, and an organiser added from the page."""
    d.get(daemon.base + "/organise?organiser=jpm-2027")
    webtest.ready(d)
    status = lambda d: d.find_element(By.ID, "people-status").text  # noqa: E731
    d.find_element(By.ID, "invite-all").click()
    said = webtest.wait(d, lambda d: status(d) if "Inviti in coda:" in status(d) else None, timeout=20)
    queued = int(said.split("Inviti in coda: ")[1].split(";")[0].replace(".", ""))
    t.ok(f"people: every participant's people invited, the count said ({said})", queued > 50, said)
    d.find_element(By.ID, "add-email").send_keys("not an address")
    d.find_element(By.CSS_SELECTOR, "#add-organiser button[type=submit]").click()
    said = webtest.wait(d, lambda d: status(d) if "Non aggiunto" in status(d) else None)
    t.ok(f"people: a bad address is refused in words ({said})", "422" in said, said)
    t.eq("people: the field marked", "true", d.find_element(By.ID, "add-email").get_attribute("aria-invalid"))
    d.find_element(By.ID, "add-email").clear()
    d.find_element(By.ID, "add-email").send_keys("ada.neri@ice.example")
    d.find_element(By.ID, "add-name").send_keys("Ada Neri")
    d.find_element(By.CSS_SELECTOR, "#add-organiser button[type=submit]").click()
    webtest.wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, "#organisers-list li[data-email='ada.neri@ice.example']"))
    t.ok("people: the organiser added is listed, and the line says a link is on its way",
         "ada.neri@ice.example" in status(d) and "link di accesso" in status(d), status(d))
    admin = daemon.cli("token", "create", "--role", "admin").strip()
    _, org = daemon.api("GET", "/v1/events/jpm-2027/organisers", admin)
    t.eq("people: the API lists both organisers", ["ada.neri@ice.example", ORGANISER[0]],
         [x["email"] for x in org["items"]])
    webtest.shot(d, shots, "organise-people-it-1280")
    t.eq("people: no console error (but the 422)", [],
         webtest.console_problems(d, allow=("/v1/events/jpm-2027/organisers ",)))


def check_event_file(t, daemon, d, shots):
    """A new version of the event file from the page: a bad one refused with each problem at
    its place in the file; a good one (a participant left) checked first, then imported."""
    import json
    import os
    import tempfile

    with open(os.path.join(webtest.ROOT, "fixtures", "events", "jpm-2027.json")) as f:
        doc = json.load(f)
    gone = next(i for i, p in enumerate(doc["participants"]) if p["id"] == "i-011")
    bad = json.loads(json.dumps(doc))
    bad["participants"][3]["kind"] = "alien"
    bad["participants"][5]["max_meetings"] = -1
    good = json.loads(json.dumps(doc))
    del good["participants"][gone]
    folder = tempfile.mkdtemp()
    paths = {}
    for name, content in (("bad", bad), ("good", good)):
        paths[name] = os.path.join(folder, name + ".json")
        with open(paths[name], "w") as f:
            json.dump(content, f)
    d.get(daemon.base + "/organise?organiser=jpm-2027")
    webtest.ready(d)
    d.find_element(By.ID, "file-input").send_keys(paths["bad"])
    d.find_element(By.ID, "file-check").click()
    items = webtest.wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, "#file-result .problems li"))
    text = " | ".join(i.text for i in items)
    t.ok(f"event file: a bad file's problems, each at its place ({text})",
         "/participants/3/kind" in text and "/participants/5/max_meetings" in text, text)
    d.find_element(By.ID, "file-input").send_keys(paths["good"])
    d.find_element(By.ID, "file-check").click()
    report = webtest.wait(d, lambda d: d.find_elements(By.ID, "file-report"))[0].text
    t.ok(f"event file: the check says what importing would change ({report})",
         "rimossi 1" in report, report)
    admin = daemon.cli("token", "create", "--role", "admin").strip()
    _, o = daemon.api("GET", "/v1/events/jpm-2027/overview", admin)
    t.ok("event file: nothing imported by the check", any(p["id"] == "i-011" for p in o["participants"]))
    webtest.shot(d, shots, "organise-file-it-1280")
    d.find_element(By.ID, "file-import").click()
    webtest.wait(d, lambda d: "Importato" in d.find_element(By.ID, "file-status").text)
    _, o = daemon.api("GET", "/v1/events/jpm-2027/overview", admin)
    t.ok("event file: imported, the participant is gone", not any(p["id"] == "i-011" for p in o["participants"]))
    t.eq("event file: no console error (but the 422)", [],
         webtest.console_problems(d, allow=("/v1/events/jpm-2027?dry_run=true ",)))
    check_spreadsheet(t, daemon, d, admin, folder)


def spreadsheet_of(participants):
    """The event's participants as a spreadsheet: a header, one row per person (a participant
    without people one row without them)."""
    import csv
    import io

    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["kind", "id", "max_meetings", "min_meetings", "unavailable", "name", "email", "language"])
    for p in participants:
        head = [p["kind"], p["id"], p.get("max_meetings", ""), p.get("min_meetings", ""), ";".join(p.get("unavailable", []))]
        for k, person in enumerate(p.get("people") or [{}]):
            w.writerow((head if k == 0 else [p["kind"], p["id"], "", "", ""]) +
                       [person.get("name", ""), person.get("email", ""), person.get("language", "")])
    return out.getvalue()


def check_spreadsheet(t, daemon, d, admin, folder):
    """The participants replaced from a spreadsheet: a company the event does not have is
    refused at its line (an organiser's file never brings a profile in); a person added to
    c-029 is checked, then imported."""
    import os

    _, doc = daemon.api("GET", "/v1/events/jpm-2027", admin)
    parts = doc["participants"]
    c029 = next(p for p in parts if p["id"] == "c-029")
    c029.setdefault("people", []).append({"name": "Nora Villa", "email": "nora.villa@c-029.example", "language": "it"})
    good = spreadsheet_of(parts)
    outsider = spreadsheet_of(parts + [{"kind": "company", "id": "c-084", "people": [{"name": "X", "email": "x@c-084.example"}]}])
    paths = {}
    for name, text in (("outsider", outsider), ("people", good)):
        paths[name] = os.path.join(folder, name + ".csv")
        with open(paths[name], "w") as f:
            f.write(text)
    last_line = len(outsider.strip().splitlines())
    d.find_element(By.ID, "file-input").send_keys(paths["outsider"])
    d.find_element(By.ID, "file-check").click()
    text = webtest.wait(d, lambda d: " | ".join(i.text for i in d.find_elements(By.CSS_SELECTOR, "#file-result .problems li")) or None)
    t.ok(f"spreadsheet: a company the event does not have, refused at its line ({text})",
         f"riga {last_line}" in text and "c-084" in text, text)
    d.find_element(By.ID, "file-input").send_keys(paths["people"])
    d.find_element(By.ID, "file-check").click()
    report = webtest.wait(d, lambda d: d.find_elements(By.ID, "file-report"))[0].text
    t.ok(f"spreadsheet: the check says one participant changes ({report})", "modificati 1" in report, report)
    d.find_element(By.ID, "file-import").click()
    webtest.wait(d, lambda d: "Importato" in d.find_element(By.ID, "file-status").text)
    _, doc = daemon.api("GET", "/v1/events/jpm-2027", admin)
    t.ok("spreadsheet: imported, c-029 has its new person",
         "nora.villa@c-029.example" in [x["email"] for p in doc["participants"] if p["id"] == "c-029" for x in p["people"]])
    t.eq("spreadsheet: no console error (but the 403)", [],
         webtest.console_problems(d, allow=("/v1/events/jpm-2027?dry_run=true ",)))


def check_reports(t, daemon, d, shots):
    """The reports page: every figure of GET .../figures drawn as an SVG bar chart, its numbers
    beside the bars and in a table, and a CSV of the same rows."""
    admin = daemon.cli("token", "create", "--role", "admin").strip()
    _, f = daemon.api("GET", "/v1/events/jpm-2027/figures", admin)
    d.get(daemon.base + "/reports?organiser=jpm-2027")
    webtest.ready(d)
    t.ok("reports: the total in words", f"{f['meetings']} incontri" in d.find_element(By.ID, "reports-total").text)
    per = [r for r in f["per_participant"] if r["kind"] == "company"]
    card = d.find_element(By.ID, "fig-per-company")
    t.eq("reports: one bar per number of meetings", len(per), len(card.find_elements(By.CSS_SELECTOR, "svg rect.bar")))
    t.eq("reports: the numbers beside the bars are the API's", [str(r["participants"]) for r in per],
         [x.text for x in card.find_elements(By.CSS_SELECTOR, "svg text.num")])
    t.eq("reports: and in the table", [str(r["participants"]) for r in per],
         [x.text for x in card.find_elements(By.CSS_SELECTOR, "table.numbers td")])
    csv = d.execute_script("return decodeURIComponent(document.querySelector('#fig-per-company a.csv').href.split(',')[1])")
    t.eq("reports: the CSV holds the same rows", ["%d" % r["participants"] for r in per],
         [line.split(",")[1].strip('"') for line in csv.strip().split("\n")[1:]])
    cov = d.find_element(By.ID, "fig-coverage")
    t.eq("reports: coverage, per investor kind, of the companies", len(f["coverage"]),
         len(cov.find_elements(By.CSS_SELECTOR, "svg rect.bar")))
    labels = [x.text for x in d.find_elements(By.CSS_SELECTOR, "#fig-pathology table.numbers th[scope=row]")]
    t.ok(f"reports: pathologies by their Italian labels ({labels[:3]})", labels and "oncology" not in labels, labels)
    t.eq("reports: eight figures of the meetings", 8, len(d.find_elements(By.CSS_SELECTOR, ".reports-page > .figure-card")))
    t.eq("reports: and six of what came of them", 6, len(d.find_elements(By.CSS_SELECTOR, "#reports-outcomes .figure-card")))
    webtest.shot(d, shots, "reports-it-1280")
    t.eq("reports: no JavaScript value shown as text", [], webtest.strays(d))
    t.eq("reports: no console error", [], webtest.console_problems(d))


def check_exports(t, daemon, d, shots):
    """The exports page: one handout per participant with meetings, its rows the participant's
    meetings, a printed page each; the tables file downloaded through the API."""
    admin = daemon.cli("token", "create", "--role", "admin").strip()
    _, listed = daemon.api("GET", "/v1/events/jpm-2027/meetings", admin)
    live = [m for m in listed["items"] if m["status"] != "cancelled"]
    with_meetings = {m["company_id"] for m in live} | {m["investor_id"] for m in live}
    d.get(daemon.base + "/exports?organiser=jpm-2027")
    webtest.ready(d)
    handouts = d.find_elements(By.CSS_SELECTOR, ".handout")
    t.eq("exports: one handout per participant with meetings", sorted(with_meetings),
         sorted(h.get_attribute("data-id") for h in handouts))
    rows = d.find_elements(By.CSS_SELECTOR, ".handout[data-id='c-029'] tbody tr")
    t.eq("exports: c-029's handout lists its meetings", len([m for m in live if m["company_id"] == "c-029"]), len(rows))
    webtest.shot(d, shots, "exports-it-1280")
    webtest.network(d)  # drains the log: the next read sees the download only
    d.find_element(By.ID, "exports-tables").click()
    webtest.wait(d, lambda d: d.execute_script(
        "return performance.getEntriesByType('resource').some(e => e.name.endsWith('/tables.csv') && e.responseEnd > 0)"))
    got = [r for r in webtest.network(d) if r["url"].endswith("/tables.csv")]
    t.eq("exports: the tables file is fetched through the API", [200], [r["status"] for r in got])
    t.eq("exports: and no failure is said", True, d.find_element(By.ID, "exports-status").get_attribute("hidden") is not None)
    d.find_element(By.ID, "ics-c-029").click()
    webtest.wait(d, lambda d: d.execute_script(
        "return performance.getEntriesByType('resource').some(e => e.name.endsWith('participant=c-029') && e.responseEnd > 0)"))
    got = [r for r in webtest.network(d) if r["url"].endswith("/agenda.ics?participant=c-029")]
    t.eq("exports: one participant's agenda fetched as .ics through the API", [200], [r["status"] for r in got])
    d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    breaks = d.execute_script("return [...document.querySelectorAll('.handout')].map(s => getComputedStyle(s).breakAfter)")
    t.eq("exports: printed, each handout ends its page (the last one aside)",
         ["page"] * (len(breaks) - 1) + ["auto"], breaks)
    hidden = d.execute_script("return getComputedStyle(document.getElementById('nav')).display")
    t.eq("exports: the menu is not printed", "none", hidden)
    t.eq("exports: nor a handout's .ics button", "none",
         d.execute_script("return getComputedStyle(document.getElementById('ics-c-029')).display"))
    d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    t.eq("exports: no console error", [], webtest.console_problems(d))


def run(t, daemon, shots):
    # c-041's meetings cancelled: one participant without a meeting, below its minimum of 2.
    subprocess.run(["psql", daemon.env["TAVOLO_DATABASE_URL"], "-qc",
                    "UPDATE meetings SET status = 'cancelled' WHERE event_id = 'jpm-2027' AND "
                    "company_id = 'c-041'"], check=True)
    # and the last run's report saying why (api.organisers checks a real run writes it)
    subprocess.run(["psql", daemon.env["TAVOLO_DATABASE_URL"], "-qc",
                    "UPDATE schedule_runs SET short_of_meetings = '[{\"kind\": \"company\", "
                    "\"id\": \"c-041\", \"min_meetings\": 2, \"meetings\": 0, \"code\": "
                    "\"no_common_slot\", \"reason\": \"no slot where it and any of its candidates "
                    "are both available\"}]' WHERE event_id = 'jpm-2027'"], check=True)
    for width in (1280, 390):
        d = webtest.signed_in(daemon, *ORGANISER, width, "it")
        try:
            check_page(t, daemon, d, width, shots)
            if width == 1280:
                d.get(daemon.base + "/organise?organiser=jpm-2027")
                webtest.ready(d)
                check_recommendations(t, daemon, d, shots)
                check_exports(t, daemon, d, shots)
                check_reports(t, daemon, d, shots)
                check_people(t, daemon, d, shots)
                check_event_file(t, daemon, d, shots)
        finally:
            d.quit()
    d = webtest.signed_in(daemon, *COMPANY, 1280, "en")
    try:
        d.get(daemon.base + "/organise?company=c-029")
        webtest.ready(d)
        t.eq("a participant on /organise is taken to its own matches", "/matches",
             d.execute_script("return location.pathname"))
        status = d.execute_script(
            "return fetch('/v1/events/jpm-2027/overview', {headers: {'X-Tavolo-Profile': "
            "'organiser:jpm-2027'}}).then(r => r.status)")
        t.eq("and its session cannot act as the event's organiser", 403, status)
    finally:
        d.quit()


def main():
    return webtest.main(__doc__, "web_organise", run)


if __name__ == "__main__":
    sys.exit(main())
