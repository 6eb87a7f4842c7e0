#!/usr/bin/python3
"""The driver of bench/organiser_pages.sh, which builds the event, starts the daemon and gives
its address and an admin token (run that script, not this file). It makes an organiser of the
event and signs them in through the real invitation link (`tavolo invite --organiser`, the
link read from the Maildir outbox by scripts/signin_link.py), then:

- pages: headless Chromium (tests/web/webtest.py's browser) loads /organise?organiser=EVENT
  and /schedule?organiser=EVENT (its first day) LOADS times with the HTTP cache cleared (cold)
  and LOADS times with it kept (warm): the first contentful paint and "shown", the time from
  the navigation's start until #page[data-ready] (a MutationObserver installed before the
  page's scripts, as bench/web_pages.py does), with where it went: each API call's time
  (Resource Timing) and the page's own work after the last answer.
- moves: on the schedule page, MOVES meetings of the day shown are each opened (a click on
  its card), "Move to…" asks the server for the free places (timed too), one on the same day is
  chosen, and the time is taken from the click on "Move here" until the card is in its new
  cell (performance.now() in the page, a MutationObserver), with the PATCH, the reads after
  it and the drawing apart.
- drafts: PAGE_DRAFTS times the page's "Make a draft schedule" button (the draft discarded
  first) until the draft's summary is shown; then DRAFTS scheduler runs through the API with
  the admin token, POST /v1/events/EVENT/schedule?draft=true then GET
  /v1/events/EVENT/draft, each timed; and /schedule is loaded again as above with that draft
  waiting (the page then reads it too).

"Shown" is the moment the DOM holds the data (the page's #page[data-ready], the moved card in
its cell); "painted" the end of the first frame after it (requestAnimationFrame, then a task),
which adds the style, layout and paint of what was drawn. Prints one JSON object, each figure with its goal from issue
17 and the ratio goal/measured (of the worst run, and of the median; 1.0 or more meets the
goal)."""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOAL_PAGE_MS = 1500
GOAL_MOVE_MS = 200
GOAL_DRAFT_MS = 10000
ORGANISER = "organiser@bench.example"
SELECTOR = "#page[data-ready]"


def arguments():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    for name in ("tavolo", "base", "event", "admin-token"):
        p.add_argument("--" + name, required=True)
    p.add_argument("--daemon-pid", type=int)
    p.add_argument("--setup", default="{}", help="the setup's figures, JSON")
    p.add_argument("--loads", type=int, default=5)
    p.add_argument("--moves", type=int, default=5)
    p.add_argument("--drafts", type=int, default=3)
    p.add_argument("--page-drafts", type=int, default=1)
    p.add_argument("--skip-browser", action="store_true")
    p.add_argument("--skip-drafts", action="store_true")
    return p.parse_args()


def log(what, fig):
    print(f"organiser_pages: {what}: {json.dumps(fig)}", file=sys.stderr, flush=True)


def sign_in_link(tavolo, event):
    """A fresh single-use sign-in link of the organiser of 'event' (tests/web/webtest.py's
    sign_in_link for "organiser:EVENT"): `tavolo invite --organiser`, `tavolo mail send`, the
    link read back from the outbox as a mail client would."""
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    import signin_link

    outbox = os.path.join(os.environ["TAVOLO_HOME"], "outbox")
    folder = os.path.join(outbox, "new")
    seen = os.listdir(folder) if os.path.isdir(folder) else []
    subprocess.run([tavolo, "invite", "--organiser", ORGANISER, "--event", event, "--name",
                    "Bench Organiser", "--language", "en"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([tavolo, "mail", "send"], stdout=subprocess.DEVNULL)
    for _ in range(200):
        link = signin_link.newest_link(outbox, ORGANISER, skip=seen)
        if link:
            return link
        time.sleep(0.05)
    sys.exit(f"organiser_pages.py: no sign-in link for {ORGANISER} in {folder}")


def call(base, method, path, token, timeout=900):
    """One API call with the bearer token: (status, body bytes, seconds)."""
    u = urllib.parse.urlsplit(base)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    t0 = time.perf_counter()
    c.request(method, path, headers={"Authorization": f"Bearer {token}",
                                     "Content-Length": "0"})
    r = c.getresponse()
    body = r.read()
    seconds = time.perf_counter() - t0
    c.close()
    return r.status, body, seconds


def summary(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": round(statistics.median(values), 1), "max": round(max(values), 1)}


# ---- pages ----

OBSERVER = r"""
(() => {
  if (!%s.includes(location.pathname)) return;
  const check = () => {
    if (window.__tvShown === undefined && document.querySelector(%s)) {
      window.__tvShown = performance.now();
      obs.disconnect();
      requestAnimationFrame(() => setTimeout(() => { window.__tvPainted = performance.now(); }, 0));
    }
  };
  const obs = new MutationObserver(check);
  obs.observe(document, {subtree: true, childList: true, attributes: true});
})();
"""

# The API calls since the page's start (or since 'since'), by method-less path: their time,
# and the end of the last one; Resource Timing keeps what the page's fetch() calls did.
API_TIMINGS = r"""
const since = arguments[0] || 0;
const out = {};
let lastEnd = 0;
for (const e of performance.getEntriesByType("resource")) {
  if (e.startTime < since || !e.name.includes("/v1/")) continue;
  const path = new URL(e.name).pathname.replace(/\/v1\/events\/[^/]+/, "/v1/events/{E}")
    .replace(/\/meetings\/\d+/, "/meetings/{M}");
  (out[path] = out[path] || []).push({ms: e.duration, bytes: e.encodedBodySize,
                                      start: e.startTime - since});
  lastEnd = Math.max(lastEnd, e.responseEnd);
}
return {calls: out, last_end: lastEnd};
"""


def renderer_ms(driver):
    """The renderer's time so far (DevTools' Performance.getMetrics), in ms: its tasks in all,
    and of them layout and style; "other" is the rest of the tasks: the script (its promise
    continuations included), parsing JSON, garbage collection."""
    m = {x["name"]: x["value"] for x in
         driver.execute_cdp_cmd("Performance.getMetrics", {})["metrics"]}
    return {"tasks": m["TaskDuration"] * 1000, "layout": m["LayoutDuration"] * 1000,
            "style": m["RecalcStyleDuration"] * 1000}


def renderer_since(driver, before):
    now = renderer_ms(driver)
    d = {k: round(now[k] - before[k], 1) for k in now}
    d["other"] = round(d["tasks"] - d["layout"] - d["style"], 1)
    return d


def one_load(driver, url, cold):
    """Loads 'url' once: {fcp_ms, shown_ms, painted_ms, api: {path: ms}, after_api_ms,
    renderer: {tasks, layout, style, other}, dom_nodes}."""
    import webtest

    driver.get("about:blank")
    if cold:
        driver.execute_cdp_cmd("Network.clearBrowserCache", {})
    before = renderer_ms(driver)
    driver.get(url)
    webtest.wait(driver, lambda d: d.execute_script("return window.__tvPainted !== undefined"),
                 timeout=120)
    fcp, shown, painted, nodes = driver.execute_script("""
        const p = performance.getEntriesByType("paint").find(e => e.name === "first-contentful-paint");
        return [p ? p.startTime : null, window.__tvShown, window.__tvPainted,
                document.getElementsByTagName("*").length];""")
    api = driver.execute_script(API_TIMINGS, 0)
    return {"fcp_ms": fcp, "shown_ms": shown, "painted_ms": painted, "dom_nodes": nodes,
            "renderer": renderer_since(driver, before),
            "api": {k: round(sum(c["ms"] for c in v), 1) for k, v in api["calls"].items()},
            "api_bytes": {k: sum(c["bytes"] for c in v) for k, v in api["calls"].items()},
            "after_api_ms": round(shown - api["last_end"], 1) if api["last_end"] else None}


def measure_page(driver, url, loads):
    import webtest

    fig = {}
    for mode in ("cold", "warm"):
        runs = [one_load(driver, url, mode == "cold") for _ in range(loads)]
        fig[mode] = {"fcp_ms": summary([r["fcp_ms"] for r in runs]),
                     "shown_ms": summary([r["shown_ms"] for r in runs]),
                     "painted_ms": summary([r["painted_ms"] for r in runs]),
                     "after_api_ms": summary([r["after_api_ms"] for r in runs]),
                     "renderer_ms": {k: summary([r["renderer"][k] for r in runs])
                                     for k in runs[-1]["renderer"]},
                     "api_ms": {k: summary([r["api"].get(k) for r in runs])
                                for k in runs[-1]["api"]}}
        fig["api_bytes"] = runs[-1]["api_bytes"]
        fig["dom_nodes"] = runs[-1]["dom_nodes"]
    fig["console_problems"] = webtest.console_problems(driver)
    return fig


# ---- moves ----

# Opens the card 'arguments[0]' (an index among the day's cards) and asks for its places.
OPEN_AND_ASK = r"""
const done = arguments[arguments.length - 1];
const cards = document.querySelectorAll(".schedule-grid button.meeting.status-scheduled:not(.pinned)");
const id = cards[arguments[0] % cards.length].dataset.id;
document.querySelector(`.schedule-grid button.meeting[data-id="${id}"]`).click();
performance.clearResourceTimings();
const t0 = performance.now();
document.getElementById("schedule-move").click();
const poll = () => {
  const sel = document.getElementById("schedule-place");
  const none = document.querySelector("#schedule-panel .places p");
  const err = document.querySelector("#schedule-status:not([hidden])");
  if (sel || (none && !none.textContent.includes("…")) || err) {
    const get = performance.getEntriesByType("resource").find((e) => e.name.endsWith("/places"));
    done({id, places_ms: performance.now() - t0, places_get_ms: get ? get.duration : null,
          places_bytes: get ? get.encodedBodySize : null,
          options: sel ? Array.from(sel.options, (o) => o.value) : [],
          error: err ? err.textContent : null});
  } else {
    requestAnimationFrame(poll);
  }
};
poll();
"""

# Chooses the place 'arguments[1]' ("SLOT|TABLE") for the meeting 'arguments[0]', clicks "Move
# here" and waits for the card in its new cell: the times of the move and where they went.
MOVE = r"""
const [id, place, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
const [slot, table] = place.split("|");
const sel = document.getElementById("schedule-place");
sel.value = place;
const target = `.schedule-grid tr[data-slot="${slot}"] td[data-table="${table}"] button.meeting[data-id="${id}"]`;
performance.clearResourceTimings();
let finished = false;
const finish = (shown) => {
  if (finished) return;
  finished = true;
  obs.disconnect();
  if (shown === null) report(null, null);
  else requestAnimationFrame(() => setTimeout(() => report(shown, performance.now()), 0));
};
const report = (shown, painted) => {
  const calls = performance.getEntriesByType("resource").filter((e) => e.name.includes("/v1/"));
  const patch = calls.find((e) => e.initiatorType === "fetch" && /\/meetings\/\d+$/.test(new URL(e.name).pathname));
  const lastEnd = Math.max(0, ...calls.map((e) => e.responseEnd));
  done({move_ms: shown === null ? null : shown - t0,
        painted_ms: painted === null ? null : painted - t0,
        patch_ms: patch ? patch.duration : null,
        reads_ms: patch ? lastEnd - patch.responseEnd : null,
        draw_ms: shown === null ? null : shown - lastEnd,
        calls: calls.map((e) => [new URL(e.name).pathname, Math.round(e.duration)]),
        status: (document.getElementById("schedule-status") || {}).textContent || null});
};
const obs = new MutationObserver(() => { if (document.querySelector(target)) finish(performance.now()); });
obs.observe(document, {subtree: true, childList: true, attributes: true});
setTimeout(() => finish(null), 60000);
const t0 = performance.now();
document.getElementById("schedule-move-go").click();
"""


def measure_moves(driver, url, moves):
    """MOVES moves on the schedule page's first day, each of another meeting."""
    import webtest

    driver.get(url)
    webtest.ready(driver, timeout=120)
    day = driver.execute_script(
        "return document.querySelector('.schedule-grid tbody tr').dataset.slot.slice(0, 10)")
    driver.set_script_timeout(120)
    runs = []
    for k in range(moves):
        asked = driver.execute_async_script(OPEN_AND_ASK, 97 * k + 13)
        same_day = [o for o in asked["options"] if o.startswith(day)]
        if not same_day:
            runs.append({"id": asked["id"], "places_ms": asked["places_ms"],
                         "places_get_ms": asked["places_get_ms"], "skipped": asked["error"] or "no free place on the day shown"})
            log(f"move {k}", runs[-1])
            continue
        place = same_day[len(same_day) // 2]
        before = renderer_ms(driver)
        fig = driver.execute_async_script(MOVE, asked["id"], place)
        fig["renderer"] = renderer_since(driver, before)
        fig.update({"id": asked["id"], "to": place, "places_ms": asked["places_ms"],
                    "places_get_ms": asked["places_get_ms"],
                    "places_bytes": asked["places_bytes"], "places_offered": len(asked["options"])})
        runs.append(fig)
        log(f"move {k}", fig)
    done = [r for r in runs if r.get("move_ms") is not None]
    return {"day": day, "moves": len(done),
            "move_ms": summary([r["move_ms"] for r in done]),
            "painted_ms": summary([r["painted_ms"] for r in done]),
            "patch_ms": summary([r["patch_ms"] for r in done]),
            "reads_after_patch_ms": summary([r["reads_ms"] for r in done]),
            "draw_ms": summary([r["draw_ms"] for r in done]),
            "renderer_ms": {k: summary([r["renderer"][k] for r in done])
                            for k in ("tasks", "layout", "style", "other")},
            "places_ms": summary([r["places_ms"] for r in runs]),
            "places_get_ms": summary([r["places_get_ms"] for r in runs]),
            "runs": runs, "console_problems": webtest.console_problems(driver)}


# ---- drafts ----

# Clicks "Make a draft schedule" and waits for the draft's summary.
MAKE_DRAFT = r"""
const done = arguments[arguments.length - 1];
performance.clearResourceTimings();
let finished = false;
const finish = (ok) => {
  if (finished) return;
  finished = true;
  obs.disconnect();
  const calls = performance.getEntriesByType("resource").filter((e) => e.name.includes("/v1/"));
  const lastEnd = Math.max(0, ...calls.map((e) => e.responseEnd));
  const summary = document.getElementById("draft-summary");
  done({shown_ms: ok ? performance.now() - t0 : null,
        draw_ms: ok ? performance.now() - lastEnd : null,
        calls: calls.map((e) => [new URL(e.name).pathname + new URL(e.name).search, Math.round(e.duration)]),
        summary: summary ? summary.textContent : null,
        status: (document.getElementById("draft-status") || {}).textContent || null});
};
const obs = new MutationObserver(() => {
  if (document.getElementById("draft-summary")) finish(true);
  else if (document.querySelector("#draft-status[data-kind=error]")) finish(false);
});
obs.observe(document, {subtree: true, childList: true, attributes: true});
setTimeout(() => finish(false), 900000);
const t0 = performance.now();
document.getElementById("draft-make").click();
"""


def measure_drafts_api(args):
    runs = []
    for k in range(args.drafts):
        status, body, post_s = call(args.base, "POST",
                                    f"/v1/events/{args.event}/schedule?draft=true", args.admin_token)
        if status not in (200, 201):
            sys.exit(f"organiser_pages.py: POST .../schedule?draft=true gave {status} {body[:300]!r}")
        gstatus, gbody, get_s = call(args.base, "GET", f"/v1/events/{args.event}/draft",
                                     args.admin_token)
        if gstatus != 200:
            sys.exit(f"organiser_pages.py: GET .../draft gave {gstatus} {gbody[:300]!r}")
        d = json.loads(gbody)
        c = d.get("changes", {})
        fig = {"run_ms": round(post_s * 1000, 1), "draft_get_ms": round(get_s * 1000, 1),
               "total_ms": round((post_s + get_s) * 1000, 1), "run_bytes": len(body),
               "draft_bytes": len(gbody), "draft_meetings": d.get("meetings"),
               "added": len(c.get("added", [])), "moved": len(c.get("moved", [])),
               "cancelled": len(c.get("cancelled", []))}
        runs.append(fig)
        log(f"draft (API) {k}", fig)
    return {"runs": runs, "total_ms": summary([r["total_ms"] for r in runs]),
            "run_ms": summary([r["run_ms"] for r in runs]),
            "draft_get_ms": summary([r["draft_get_ms"] for r in runs])}


def measure_drafts_page(driver, args, url):
    import webtest

    runs = []
    driver.set_script_timeout(960)
    for k in range(args.page_drafts):
        call(args.base, "DELETE", f"/v1/events/{args.event}/draft", args.admin_token)
        driver.get(url)
        webtest.ready(driver, timeout=120)
        fig = driver.execute_async_script(MAKE_DRAFT)
        runs.append(fig)
        log(f"draft (page) {k}", fig)
    return {"runs": runs, "shown_ms": summary([r["shown_ms"] for r in runs]),
            "console_problems": webtest.console_problems(driver)}


def rss_kib(pid):
    if pid is None:
        return None
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS"))


def goal(goal_ms, fig):
    """{goal_ms, median_ms, max_ms, ratio (goal / max), ratio_median}."""
    if not fig:
        return {"goal_ms": goal_ms, "median_ms": None, "max_ms": None, "ratio": None}
    return {"goal_ms": goal_ms, "median_ms": fig["median"], "max_ms": fig["max"],
            "ratio": round(goal_ms / fig["max"], 2) if fig["max"] else None,
            "ratio_median": round(goal_ms / fig["median"], 2) if fig["median"] else None}


def main():
    args = arguments()
    sys.path.insert(0, os.path.join(ROOT, "tests", "web"))
    import webtest

    result = {"setup": json.loads(args.setup), "event": args.event, "organiser": ORGANISER,
              "loads": args.loads}
    pages = ("/organise", "/schedule")
    schedule = f"{args.base}/schedule?organiser={args.event}"
    driver = None
    try:
        if not args.skip_browser:
            driver = webtest.browser(1280, "en")
            driver.get(sign_in_link(args.tavolo, args.event))
            webtest.wait(driver, lambda d: d.execute_script(
                "return document.readyState === 'complete'"), timeout=30)
            driver.execute_cdp_cmd("Network.enable", {})
            driver.execute_cdp_cmd("Performance.enable", {})
            driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {
                "source": OBSERVER % (json.dumps(list(pages)), json.dumps(SELECTOR))})
            result["pages"] = {}
            for path in pages:
                url = f"{args.base}{path}?organiser={args.event}"
                result["pages"][path] = measure_page(driver, url, args.loads)
                log(path, result["pages"][path])
            result["moves"] = measure_moves(driver, schedule, args.moves)
            if not args.skip_drafts and args.page_drafts:
                result["draft_page"] = measure_drafts_page(driver, args, schedule)
        if not args.skip_drafts:
            result["draft_api"] = measure_drafts_api(args)
            if driver is not None:  # the page reads the draft too once there is one
                key = "/schedule, a draft waiting"
                result["pages"][key] = measure_page(driver, schedule, args.loads)
                log(key, result["pages"][key])
    finally:
        if driver is not None:
            driver.quit()
    result["daemon_rss_kib"] = rss_kib(args.daemon_pid)
    goals = {}
    for path, fig in result.get("pages", {}).items():
        for what in ("shown", "painted"):
            worst = max((fig[m][what + "_ms"] for m in ("cold", "warm")), key=lambda s: s["max"])
            goals[f"page {path} {what}"] = goal(GOAL_PAGE_MS, worst)
    if "moves" in result:
        for what in ("move", "painted"):
            goals[f"move {'shown' if what == 'move' else what}"] = goal(
                GOAL_MOVE_MS, result["moves"][what + "_ms"])
    if "draft_api" in result:
        goals["scheduler run + draft diff (API)"] = goal(GOAL_DRAFT_MS, result["draft_api"]["total_ms"])
    if "draft_page" in result:
        goals["scheduler run + draft shown (page)"] = goal(GOAL_DRAFT_MS, result["draft_page"]["shown_ms"])
    result["goals"] = goals
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
