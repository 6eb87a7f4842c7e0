"""The organisers' schedule grid (issue 17), in headless Chromium: the organiser opens
/schedule for jpm-2027 in English; the grid shows the day's meetings where the API has them
(slot rows, table columns, both names); a card opens its panel; "Move to…" offers exactly the
free places the server computes; moving to one saves it (the API and the grid agree, the card
pinned) and the company's agenda page shows it; a move that has become impossible meanwhile is
refused in words naming why; pin, held and cancel work from the panel; a draft schedule made
from the page lists the API's changes, reaches nobody until published from the page; 1280
and 390 px screenshots; no console error.

Usage: test_schedule.py TAVOLO SHOTS_DIR (Debian's /usr/bin/python3)."""

import sys

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

import webtest

ORGANISER = ("marta.ferri@ice.example", "organiser:jpm-2027")
COMPANY = ("luca.dubois@c-029.example", "company:c-029")
EVENT = "jpm-2027"


def status_text(d):
    return webtest.wait(d, lambda d: d.execute_script(
        "const s = document.getElementById('schedule-status');"
        "return s && !s.hidden && !/Saving/.test(s.textContent) ? s.textContent : null"), timeout=15)


def api_meeting(daemon, admin, mid):
    _, body = daemon.api("GET", f"/v1/events/{EVENT}/meetings/{mid}", admin)
    return body


def open_card(d, mid):
    webtest.wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, f"button.meeting[data-id='{mid}']"))
    d.find_element(By.CSS_SELECTOR, f"button.meeting[data-id='{mid}']").click()
    return webtest.wait(d, lambda d: d.find_elements(By.ID, "schedule-panel"))[0]


def check_draft(t, daemon, d, admin, shots):
    """A draft made from the page, its changes as the API has them, published from the page;
    the participants' meetings change only then."""
    _, listed = daemon.api("GET", f"/v1/events/{EVENT}/meetings", admin)
    moving = next(m for m in listed["items"] if m["company_id"] == "c-055" and m["status"] == "scheduled"
                  and not m["pinned"])
    status, _ = daemon.api("PUT", f"/v1/events/{EVENT}/availability?participant=c-055", admin,
                           {"unavailable": [moving["slot"][:16]]})
    t.eq("c-055 cannot meet at the slot of one of its meetings any more", 200, status)
    t.ok("no draft yet: the page offers to make one", "No draft" in d.find_element(By.ID, "schedule-draft").text)
    d.find_element(By.ID, "draft-make").click()
    summary = webtest.wait(d, lambda d: d.find_elements(By.ID, "draft-summary"), timeout=30)[0].text
    status, draft = daemon.api("GET", f"/v1/events/{EVENT}/draft", admin)
    c = draft["changes"]
    t.eq("the page says what publishing changes, as the API's draft",
         f"Publishing it adds {len(c['added'])}, moves {len(c['moved'])} and cancels {len(c['cancelled'])} meetings.",
         summary)
    t.ok("the meeting c-055 cannot keep is among the changes",
         any(x["company_id"] == "c-055" and x["from"]["slot"] == moving["slot"][:16]
             for x in c["moved"] + c["cancelled"]), c)
    t.eq("nothing changed for the participants yet", moving["slot"],
         daemon.api("GET", f"/v1/events/{EVENT}/meetings/{moving['id']}", admin)[1]["slot"])
    webtest.shot(d, shots, "schedule-draft-en-1280")
    d.execute_script("window.confirm = () => true;")
    d.find_element(By.ID, "draft-publish").click()
    said = webtest.wait(d, lambda d: d.execute_script(
        "const s = document.getElementById('draft-status');"
        "return s && !s.hidden && /Published/.test(s.textContent) ? s.textContent : null"), timeout=30)
    t.ok(f"published, said in words ({said})", str(draft["meetings"]) in said, said)
    t.eq("the draft is gone", 404, daemon.api("GET", f"/v1/events/{EVENT}/draft", admin)[0])
    after = daemon.api("GET", f"/v1/events/{EVENT}/meetings/{moving['id']}", admin)[1]
    t.ok("the meeting left the slot c-055 cannot do", after["slot"] != moving["slot"] or
         after["status"] == "cancelled", after)
    t.eq("no console error on the draft's way", [], webtest.console_problems(d))


def run(t, daemon, shots):
    admin = daemon.cli("token", "create", "--role", "admin").strip()
    _, overview = daemon.api("GET", f"/v1/events/{EVENT}/overview", admin)
    _, listed = daemon.api("GET", f"/v1/events/{EVENT}/meetings", admin)
    meetings = [m for m in listed["items"] if m["status"] != "cancelled"]
    day = overview["slots"][0][:10]
    mine = sorted((m for m in meetings if m["company_id"] == "c-029"), key=lambda m: m["slot_index"])
    mid = mine[0]["id"]
    d = webtest.signed_in(daemon, *ORGANISER, 1280, "en")
    try:
        d.get(daemon.base + f"/schedule?organiser={EVENT}")
        webtest.ready(d)
        on_day = [m for m in meetings if overview["slots"][m["slot_index"]].startswith(day)]
        cards = d.find_elements(By.CSS_SELECTOR, "button.meeting")
        t.eq("the first day shows its meetings, one card each", len(on_day), len(cards))
        first = on_day[0]
        cell = d.find_element(By.CSS_SELECTOR, f"tr[data-slot='{overview['slots'][first['slot_index']]}'] "
                                               f"td[data-table='{first['table']}'] button.meeting")
        t.eq("a card sits in its slot's row and its table's column", str(first["id"]), cell.get_attribute("data-id"))
        names = {f"{p['kind']}:{p['id']}": p["name"] for p in overview["participants"]}
        t.ok("with both names", names["company:" + first["company_id"]] in cell.text and
             names["investor:" + first["investor_id"]] in cell.text, cell.text)
        t.eq("the menu has the event, its schedule and exports", ["/organise", "/schedule", "/exports", "/reports"],
             [a.get_attribute("pathname") for a in d.find_elements(By.CSS_SELECTOR, "#nav-pages a")])
        webtest.shot(d, shots, "schedule-en-1280")

        panel = open_card(d, mid)
        t.ok("the card opens its panel with both names", names["company:c-029"] in panel.text, panel.text)
        d.find_element(By.ID, "schedule-move").click()
        select = Select(webtest.wait(d, lambda d: d.find_elements(By.ID, "schedule-place"))[0])
        _, places = daemon.api("GET", f"/v1/events/{EVENT}/meetings/{mid}/places", admin)
        offered = [o.get_attribute("value") for o in select.options]
        expected = [f"{p['slot']}|{table}" for p in places["places"] for table in p["tables"]]
        t.eq("Move offers exactly the free places the server computes", expected, offered)
        webtest.shot(d, shots, "schedule-move-en-1280")
        target = offered[min(3, len(offered) - 1)]
        select.select_by_value(target)
        d.find_element(By.ID, "schedule-move-go").click()
        line = status_text(d)
        t.ok(f"a status line says it was saved ({line})", line.startswith("Saved"), line)
        moved = api_meeting(daemon, admin, mid)
        slot, table = target.split("|")
        t.eq("the API has the meeting there, pinned", (slot, int(table), True),
             (overview["slots"][moved["slot_index"]], moved["table"], moved["pinned"]))
        card = d.find_element(By.CSS_SELECTOR, f"tr[data-slot='{slot}'] td[data-table='{table}'] "
                                               f"button.meeting[data-id='{mid}']")
        t.ok("the grid shows it in its new place, marked pinned", "pinned" in card.text, card.text)

        # A place offered, then taken meanwhile: the company made unavailable there.
        d.find_element(By.ID, "schedule-move").click()
        select = Select(webtest.wait(d, lambda d: d.find_elements(By.ID, "schedule-place"))[0])
        value = next(v for v in (o.get_attribute("value") for o in select.options) if v.split("|")[0] != slot)
        select.select_by_value(value)
        gone = value.split("|")[0]
        status, _ = daemon.api("PUT", f"/v1/events/{EVENT}/availability?participant=c-029", admin,
                               {"unavailable": [gone]})
        t.eq("meanwhile the company says it cannot meet then", 200, status)
        d.find_element(By.ID, "schedule-move-go").click()
        line = status_text(d)
        t.ok(f"the move is refused in words naming why ({line})",
             "Refused (error 409)" in line and "c-029 is not available" in line, line)
        t.eq("and nothing moved", slot, overview["slots"][api_meeting(daemon, admin, mid)["slot_index"]])

        d.find_element(By.CSS_SELECTOR, "#schedule-panel [data-action='unpin']").click()
        status_text(d)
        t.eq("Unpin", False, api_meeting(daemon, admin, mid)["pinned"])
        d.find_element(By.CSS_SELECTOR, "#schedule-panel [data-action='held']").click()
        status_text(d)
        t.eq("Mark held", "held", api_meeting(daemon, admin, mid)["status"])
        other = mine[1]["id"]
        open_card(d, other)
        d.execute_script("window.confirm = () => true;")
        d.find_element(By.CSS_SELECTOR, "#schedule-panel [data-action='cancel']").click()
        webtest.wait(d, lambda d: not d.find_elements(By.CSS_SELECTOR, f"button.meeting[data-id='{other}']"))
        t.eq("Cancel (confirmed) cancels it, and its card goes", "cancelled",
             api_meeting(daemon, admin, other)["status"])
        t.eq("no console error or CSP violation (but the 409 of the refused move)", [],
             webtest.console_problems(d, allow=(f"/v1/events/{EVENT}/meetings/{mid} ",)))
        check_draft(t, daemon, d, admin, shots)
    finally:
        d.quit()

    d = webtest.signed_in(daemon, *ORGANISER, 390, "it")
    try:
        d.get(daemon.base + f"/schedule?organiser={EVENT}")
        webtest.ready(d)
        t.ok("at 390 px the grid is there, in Italian", d.find_elements(By.CSS_SELECTOR, "button.meeting") and
             "Tavolo 1" in d.find_element(By.CSS_SELECTOR, ".schedule-grid thead").text)
        webtest.shot(d, shots, "schedule-it-390")
    finally:
        d.quit()

    d = webtest.signed_in(daemon, *COMPANY, 1280, "en")
    try:
        d.get(daemon.base + "/agenda?company=c-029")
        webtest.ready(d)
        hour = slot[11:16]
        t.ok(f"the company's agenda shows the moved meeting at {hour}", hour in
             d.find_element(By.ID, "page").text)
    finally:
        d.quit()


def main():
    return webtest.main(__doc__, "web_schedule", run)


if __name__ == "__main__":
    sys.exit(main())
