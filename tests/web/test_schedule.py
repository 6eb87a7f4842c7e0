"""The organisers' schedule grid (issue 17), in headless Chromium: the organiser opens
/schedule for jpm-2027 in English; the grid shows the day's meetings where the API has them
(slot rows, table columns, both names); a card opens its panel; "Move to…" offers exactly the
free places the server computes; moving to one saves it (the API and the grid agree, the card
pinned) and the company's agenda page shows it; a move that has become impossible meanwhile is
refused in words naming why; pin, held and cancel work from the panel; a card dragged (real
DragEvents with one DataTransfer, dispatched in the page: Chromium starts no HTML5 drag from
ActionChains) highlights exactly the server's free places on the day, drops only there and
moves the meeting with the same PATCH, while a drop elsewhere or after Escape sends nothing and
a place taken meanwhile is refused naming the meeting that took it; a draft schedule made from
the page lists the API's changes, reaches nobody until published from the page; 1280 and 390
px screenshots; no console error.

Usage: test_schedule.py TAVOLO SHOTS_DIR (Debian's /usr/bin/python3)."""

import sys

import time

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
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


def drag(d, kind, selector):
    """Dispatches DragEvent 'kind' at the element 'selector', centred on it, carrying the
    drag's one DataTransfer (made afresh at dragstart), as Chromium does during a real drag.
    Returns True when the page cancelled it (dragover: a drop target), None without the
    element."""
    return d.execute_script("""
        const [kind, selector] = arguments;
        const el = document.querySelector(selector);
        if (!el) return null;
        if (kind === 'dragstart') window.tvDrag = new DataTransfer();
        const r = el.getBoundingClientRect();
        return !el.dispatchEvent(new DragEvent(kind, {bubbles: true, cancelable: true, composed: true,
            dataTransfer: window.tvDrag, clientX: r.x + r.width / 2, clientY: r.y + r.height / 2}));""",
                            kind, selector)


def cell(slot, table):
    return f"tr[data-slot='{slot}'] td[data-table='{table}']"


def card_at(mid):
    return f"button.meeting[data-id='{mid}']"


def marked(d):
    """The cells marked while a card is dragged: (drop targets as "slot|table", others)."""
    return webtest.wait(d, lambda d: d.execute_script("""
        const key = (td) => td.closest('tr').dataset.slot + '|' + td.dataset.table;
        const on = [...document.querySelectorAll('.schedule-grid.dragging td.drop-target')].map(key);
        const off = [...document.querySelectorAll('.schedule-grid.dragging td.no-drop')].map(key);
        return on.length + off.length ? [on, off] : null;"""), timeout=15)


def grid_status(d):
    return webtest.wait(d, lambda d: d.execute_script(
        "const s = document.getElementById('grid-status');"
        "return s && !s.hidden && !/Saving|Finding/.test(s.textContent) ? s.textContent : null"), timeout=15)


def patches(d):
    """The PATCH requests the page sent since the last call (after a moment for the log)."""
    time.sleep(0.7)
    return [r for r in webtest.network(d) if r["method"] == "PATCH"]


def check_drag(t, daemon, d, admin, shots):
    """Moving by drag: the places highlighted are the server's, a drop elsewhere or after
    Escape sends nothing, a drop on a place moves the meeting, a place taken meanwhile is
    refused naming the meeting that took it."""
    _, overview = daemon.api("GET", f"/v1/events/{EVENT}/overview", admin)
    _, listed = daemon.api("GET", f"/v1/events/{EVENT}/meetings", admin)
    day = overview["slots"][0][:10]
    slots = [x for x in overview["slots"] if x.startswith(day)]
    on_day = [m for m in listed["items"] if m["status"] == "scheduled" and overview["slots"][m["slot_index"]] in slots
              and m["company_id"] not in ("c-029", "c-055")]

    def places(m):
        _, body = daemon.api("GET", f"/v1/events/{EVENT}/meetings/{m['id']}/places", admin)
        return [f"{p['slot']}|{table}" for p in body["places"] for table in p["tables"]]

    m = next(m for m in on_day if sum(p.startswith(day) for p in places(m)) >= 3)
    mid, home = m["id"], (overview["slots"][m["slot_index"]], m["table"])
    offered = [p for p in places(m) if p.startswith(day)]
    taken = {(overview["slots"][x["slot_index"]], x["table"]) for x in listed["items"] if x["status"] != "cancelled"}
    refused = [f"{s}|{n}" for s in slots for n in range(1, overview["tables"] + 1)
               if f"{s}|{n}" not in offered and (s, n) != home]
    elsewhere = next((p for p in refused if (p.split("|")[0], int(p.split("|")[1])) not in taken), refused[0])

    d.get(daemon.base + f"/schedule?organiser={EVENT}")
    webtest.ready(d)
    t.eq("the cards are draggable", "true", d.find_element(By.CSS_SELECTOR, card_at(mid)).get_attribute("draggable"))
    t.ok("at 1280 px the whole day's grid is in view sideways, every place within reach of a drag",
         d.execute_script("const s = document.querySelector('.schedule-page .scroll');"
                          "return s.scrollWidth <= s.clientWidth"))
    webtest.network(d)
    drag(d, "dragstart", card_at(mid))
    on, off = marked(d)
    t.eq("on drag start, the cells highlighted are the free places the server computes on this day",
         sorted(offered), sorted(on))
    t.eq("every other cell of the day is marked as no drop target",
         len(slots) * overview["tables"] - len(offered), len(off))
    hint = grid_status(d)
    t.ok(f"a status line says how many places and how to cancel ({hint})",
         hint.startswith(f"{len(offered)} free places shown") and "Escape cancels" in hint, hint)
    target = offered[len(offered) // 2]
    t.ok("an offered cell says \"drop here\"",
         "drop here" in d.find_element(By.CSS_SELECTOR, cell(*target.split("|"))).text)
    webtest.shot(d, shots, "schedule-drag-en-1280")
    slot, table = elsewhere.split("|")
    t.eq(f"a cell that is no free place ({elsewhere}) is no drop target: dragover is not cancelled", False,
         drag(d, "dragover", cell(slot, table)))
    drag(d, "drop", cell(slot, table))
    drag(d, "dragend", card_at(mid))
    t.eq("a drop there sends no request", [], patches(d))
    after = api_meeting(daemon, admin, mid)
    t.eq("and the meeting did not change", home, (overview["slots"][after["slot_index"]], after["table"]))
    t.ok("the marks and the drag's status line go when the drag ends",
         not d.find_elements(By.CSS_SELECTOR, "td.drop-target, td.no-drop, .schedule-grid.dragging") and
         not d.find_element(By.ID, "grid-status").is_displayed())

    # Escape during Chromium's drag ends it with a dragend and no drop, as above; the page
    # also ends a drag on Escape itself.
    drag(d, "dragstart", card_at(mid))
    marked(d)
    ActionChains(d).send_keys(Keys.ESCAPE).perform()
    webtest.wait(d, lambda d: not d.find_elements(By.CSS_SELECTOR, "td.drop-target"))
    slot, table = target.split("|")
    t.eq("Escape cancels the drag: an offered cell is no drop target any more", False,
         drag(d, "dragover", cell(slot, table)))
    drag(d, "drop", cell(slot, table))
    drag(d, "dragend", card_at(mid))
    t.eq("and a drop after Escape sends no request", [], patches(d))
    after = api_meeting(daemon, admin, mid)
    t.eq("nor moves the meeting", home, (overview["slots"][after["slot_index"]], after["table"]))

    drag(d, "dragstart", card_at(mid))
    marked(d)
    drag(d, "dragenter", cell(slot, table))
    t.eq("an offered cell is a drop target", True, drag(d, "dragover", cell(slot, table)))
    drag(d, "drop", cell(slot, table))
    drag(d, "dragend", card_at(mid))
    line = grid_status(d)
    t.ok(f"the drop is saved, said under the grid ({line})", line.startswith("Saved"), line)
    sent = patches(d)
    t.eq("with one PATCH of the meeting, as the panel's Move sends",
         [(f"/v1/events/{EVENT}/meetings/{mid}", {"slot": slot, "table": int(table)})],
         [(r["url"].split(daemon.base)[1], json_body(r["body"])) for r in sent])
    after = api_meeting(daemon, admin, mid)
    t.eq("the API has the meeting in the cell it was dropped on, pinned", (slot, int(table), True),
         (overview["slots"][after["slot_index"]], after["table"], after["pinned"]))
    t.ok("and the grid shows it there", d.find_elements(By.CSS_SELECTOR, cell(slot, table) + " " + card_at(mid)))

    # A place offered when the drag began, taken by another meeting before the drop.
    drag(d, "dragstart", card_at(mid))
    on, _ = marked(d)
    others = [x for x in on_day if x["id"] != mid and x["company_id"] != m["company_id"]
              and x["investor_id"] != m["investor_id"]]
    other, place = next((x, p) for x in others for p in places(x) if p in on)
    slot, table = place.split("|")
    status, _ = daemon.api("PATCH", f"/v1/events/{EVENT}/meetings/{other['id']}", admin,
                           {"slot": slot, "table": int(table)})
    t.eq(f"meanwhile meeting {other['id']} takes {place} through the API", 200, status)
    drag(d, "dragover", cell(slot, table))
    drag(d, "drop", cell(slot, table))
    drag(d, "dragend", card_at(mid))
    line = grid_status(d)
    t.ok(f"the drop is refused in words naming the meeting it clashes with ({line})",
         "Refused (error 409)" in line and f"table {table} is taken at" in line and
         f"by meeting {other['id']}" in line, line)
    t.eq("the meeting stayed where it was", (target.split("|")[0], int(target.split("|")[1])),
         (overview["slots"][api_meeting(daemon, admin, mid)["slot_index"]], api_meeting(daemon, admin, mid)["table"]))
    t.ok("the grid, read again, shows the meeting that took the place",
         webtest.wait(d, lambda d: d.find_elements(By.CSS_SELECTOR, cell(slot, table) + " " + card_at(other["id"]))))
    webtest.shot(d, shots, "schedule-drag-refused-en-1280")

    # The same through Chromium's own drag and drop, from mouse events (CDP), as a hand does it.
    box = lambda sel: d.execute_script("const r = document.querySelector(arguments[0]).getBoundingClientRect();"
                                       "return [r.x + r.width / 2, r.y + r.height / 2]", sel)
    mouse = lambda kind, x, y, buttons: d.execute_cdp_cmd("Input.dispatchMouseEvent", {
        "type": kind, "x": x, "y": y, "button": "left", "buttons": buttons, "clickCount": 1})
    x, y = box(card_at(mid))
    mouse("mousePressed", x, y, 1)
    for k in range(1, 6):
        mouse("mouseMoved", x + 4 * k, y + 4 * k, 1)
    on, _ = marked(d)
    place = next(p for p in on if d.execute_script("return arguments[0] < window.innerHeight", box(cell(*p.split("|")))[1]))
    slot, table = place.split("|")
    tx, ty = box(cell(slot, table))
    for k in range(1, 11):
        mouse("mouseMoved", x + (tx - x) * k / 10, y + (ty - y) * k / 10, 1)
    mouse("mouseReleased", tx, ty, 0)
    line = grid_status(d)
    after = api_meeting(daemon, admin, mid)
    t.ok(f"a mouse drag in Chromium's own drag and drop moves it too ({line})", line.startswith("Saved") and
         (overview["slots"][after["slot_index"]], after["table"]) == (slot, int(table)), (line, after))
    t.eq("no console error or CSP violation on the drags (but the 409 of the refused drop)", [],
         webtest.console_problems(d, allow=(f"/v1/events/{EVENT}/meetings/{mid} ",)))


def json_body(text):
    import json

    return json.loads(text) if text else None


def check_table_pages(t, daemon, d, admin, shots):
    """An event of 50 tables: the grid shows 40 at a time, a button per range; a meeting moved
    (through the page's panel) to table 45 brings the grid to the tables that show it."""
    _, doc = daemon.api("GET", f"/v1/events/{EVENT}", admin)
    doc["tables"] = 50
    status, _ = daemon.api("PUT", f"/v1/events/{EVENT}", admin, doc)
    t.eq("the event grows to 50 tables", 200, status)
    d.get(daemon.base + f"/schedule?organiser={EVENT}")
    webtest.ready(d)
    heads = d.find_elements(By.CSS_SELECTOR, ".schedule-grid thead th")
    t.eq("the grid shows tables 1 to 40 (and the time column)", 41, len(heads))
    pages = [b.text for b in d.find_elements(By.CSS_SELECTOR, ".table-pages button")]
    t.eq("a button per range of tables", ["Tables 1–40", "Tables 41–50"], pages)
    _, listed = daemon.api("GET", f"/v1/events/{EVENT}/meetings", admin)
    m = next(x for x in listed["items"] if x["status"] == "scheduled" and x["slot"][:10] == listed["items"][0]["slot"][:10])
    _, places = daemon.api("GET", f"/v1/events/{EVENT}/meetings/{m['id']}/places", admin)
    slot = next(p["slot"] for p in places["places"] if 45 in p["tables"])
    open_card(d, m["id"])
    d.find_element(By.ID, "schedule-move").click()
    select = Select(webtest.wait(d, lambda d: d.find_elements(By.ID, "schedule-place"))[0])
    select.select_by_value(f"{slot}|45")
    d.find_element(By.ID, "schedule-move-go").click()
    line = status_text(d)
    t.ok(f"moved to table 45 ({line})", line.startswith("Saved"), line)
    card = webtest.wait(d, lambda d: d.find_elements(
        By.CSS_SELECTOR, f"tr[data-slot='{slot}'] td[data-table='45'] button.meeting[data-id='{m['id']}']"))
    t.ok("the grid shows tables 41 to 50, the meeting at table 45", bool(card) and d.find_element(
        By.CSS_SELECTOR, ".table-pages button[aria-pressed='true']").text == "Tables 41–50")
    webtest.shot(d, shots, "schedule-tables-41-50-en-1280")


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
        t.ok("and the fit the API lists for the meeting", 0 <= first["fit"] <= 100 and
             f"fit {first['fit']}/100" in cell.text, (first.get("fit"), cell.text))
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
        check_drag(t, daemon, d, admin, shots)
        check_draft(t, daemon, d, admin, shots)
        check_table_pages(t, daemon, d, admin, shots)
    finally:
        d.quit()

    d = webtest.signed_in(daemon, *ORGANISER, 390, "it")
    try:
        d.get(daemon.base + f"/schedule?organiser={EVENT}")
        webtest.ready(d)
        t.ok("at 390 px the grid is there, in Italian", d.find_elements(By.CSS_SELECTOR, "button.meeting") and
             "Tavolo 1" in d.find_element(By.CSS_SELECTOR, ".schedule-grid thead").text)
        webtest.shot(d, shots, "schedule-it-390")
        first = d.find_element(By.CSS_SELECTOR, "button.meeting").get_attribute("data-id")
        drag(d, "dragstart", card_at(first))
        marked(d)
        hint = grid_status(d)
        t.ok(f"a drag speaks Italian too ({hint})", "posti liberi mostrati" in hint and "Esc annulla" in hint, hint)
        drag(d, "dragend", card_at(first))
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
