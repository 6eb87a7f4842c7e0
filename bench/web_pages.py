#!/usr/bin/python3
"""The driver of bench/web_pages.sh, which starts the daemon and gives its address, the
profiles and their bearer tokens (run that script, not this file). It signs a company and an
investor in through real invitation links (`tavolo invite --profile ID`, the link read from
the Maildir outbox), then:

- pages: headless Chromium (tests/web/webtest.py's browser) signed in by following a link
  loads /matches and /agenda of each profile LOADS times with its HTTP cache cleared (cold)
  and LOADS times with it kept (warm), and reads the first contentful paint
  (performance.getEntriesByType("paint")) and "shown": the time from the navigation's start
  until the page holds an element matching the page's selector. A MutationObserver installed
  before any of the page's scripts (DevTools' Page.addScriptToEvaluateOnNewDocument, which the
  page's Content-Security-Policy does not govern) takes performance.now() at the first DOM
  change after which the selector matches, so no polling interval is added to the figure.
- api: every call behind those pages under wrk -t2 -c64 for SECONDS: with the session cookie
  and X-Tavolo-Profile as the pages send them, then with the profile's bearer token: req/s,
  p50, p99 and errors (socket errors plus answers other than 2xx or 3xx).

Prints one JSON object."""

import argparse
import email
import email.policy
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOAL_PAGE_MS = 1000
GOAL_P99_MS = 50


def arguments():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    for name in ("tavolo", "base", "event", "company", "investor", "company-token",
                 "investor-token"):
        p.add_argument("--" + name, required=True)
    p.add_argument("--daemon-pid", type=int)
    p.add_argument("--setup", default="{}", help="the setup's figures, JSON")
    p.add_argument("--selector", default="#page[data-ready]",
                   help="CSS selector that means the page shows its data (both pages)")
    p.add_argument("--matches-selector")
    p.add_argument("--agenda-selector")
    p.add_argument("--loads", type=int, default=5)
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--skip-browser", action="store_true")
    p.add_argument("--skip-api", action="store_true")
    return p.parse_args()


def person(pid):
    """The address bench/gen_event.py gives the one person of profile 'pid'."""
    return f"person-{pid}@bench.example"


def sign_in_link(tavolo, pid):
    """A fresh single-use sign-in link for the person of 'pid': `tavolo invite --profile`,
    delivered with `tavolo mail send`, read back from the outbox as a mail client would."""
    outbox = os.path.join(os.environ["TAVOLO_HOME"], "outbox", "new")
    seen = set(os.listdir(outbox)) if os.path.isdir(outbox) else set()
    subprocess.run([tavolo, "invite", "--profile", pid], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([tavolo, "mail", "send"], check=True, stdout=subprocess.DEVNULL)
    for name in sorted(set(os.listdir(outbox)) - seen):
        with open(os.path.join(outbox, name), "rb") as f:
            msg = email.message_from_binary_file(f, policy=email.policy.default)
        if person(pid) not in str(msg["To"]).lower():
            continue
        m = re.search(r"https?://\S+/signin\?t=[A-Za-z0-9_\-]+",
                      msg.get_body(preferencelist=("plain",)).get_content())
        if m:
            return m.group(0)
    sys.exit(f"web_pages.py: no sign-in link for {person(pid)} in {outbox}")


def get(base, path, headers, timeout=180):
    """GET without following redirects: (status, headers, body)."""
    u = urllib.parse.urlsplit(base)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    c.request("GET", path, headers=headers)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, r.getheaders(), body


def session_cookie(base, link):
    """Follows a sign-in link as a browser would and returns the session cookie's value."""
    status, headers, _ = get(base, urllib.parse.urlsplit(link).path + "?" +
                             urllib.parse.urlsplit(link).query, {"Accept": "text/html"})
    for k, v in headers:
        m = re.match(r"tavolo_session=([^;]+)", v) if k.lower() == "set-cookie" else None
        if m:
            return m.group(1)
    sys.exit(f"web_pages.py: following the sign-in link gave {status} and no cookie")


# ---- pages ----

OBSERVER = r"""
(() => {
  const sel = %s[location.pathname];
  if (!sel) return;
  const check = () => {
    if (window.__tvShown === undefined && document.querySelector(sel)) {
      window.__tvShown = performance.now();
      obs.disconnect();
    }
  };
  const obs = new MutationObserver(check);
  obs.observe(document, {subtree: true, childList: true, attributes: true});
})();
"""


def one_load(driver, url, cold):
    """Loads 'url' once; returns (first contentful paint ms, shown ms)."""
    import webtest

    driver.get("about:blank")
    if cold:
        driver.execute_cdp_cmd("Network.clearBrowserCache", {})
    driver.get(url)
    webtest.wait(driver, lambda d: d.execute_script("return window.__tvShown !== undefined"),
                 timeout=30)
    return driver.execute_script("""
        const p = performance.getEntriesByType("paint").find(e => e.name === "first-contentful-paint");
        return [p ? p.startTime : null, window.__tvShown];""")


def summary(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": round(statistics.median(values), 1), "max": round(max(values), 1)}


def measure_pages(args, selectors, who):
    """Both pages of each profile in who = [(kind, id)]: {"company /matches": {...}, ...}."""
    sys.path.insert(0, os.path.join(ROOT, "tests", "web"))
    import webtest

    out = {}
    for kind, pid in who:
        driver = webtest.browser(1280, "en")
        try:
            driver.get(sign_in_link(args.tavolo, pid))
            webtest.wait(driver, lambda d: d.execute_script(
                "return document.readyState === 'complete'"), timeout=30)
            driver.execute_cdp_cmd("Network.enable", {})
            driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                                   {"source": OBSERVER % json.dumps(selectors)})
            for path in selectors:
                url = f"{args.base}{path}?{kind}={pid}&event={args.event}"
                fig = {}
                for mode in ("cold", "warm"):
                    loads = [one_load(driver, url, mode == "cold") for _ in range(args.loads)]
                    fig[mode] = {"fcp_ms": summary([l[0] for l in loads]),
                                 "shown_ms": summary([l[1] for l in loads])}
                fig["selector"] = selectors[path]
                fig["console_problems"] = webtest.console_problems(driver)
                out[f"{kind} {path}"] = fig
                print(f"web_pages: {kind} {path}: {fig}", file=sys.stderr, flush=True)
        finally:
            driver.quit()
    return out


# ---- api ----

WRK_TIMEOUT_S = 5


def wrk(base, path, headers, seconds):
    """wrk -t2 -c64 on one route: {rps, p50_ms, p99_ms, requests, errors}. An answer slower
    than WRK_TIMEOUT_S is counted as an error (a timeout), not in the latencies."""
    cmd = ["wrk", "-t2", "-c64", f"-d{seconds}s", f"--timeout={WRK_TIMEOUT_S}s", "--latency"]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    out = subprocess.run(cmd + [base + path], check=True, capture_output=True, text=True).stdout

    def ms(label):
        v = re.search(label + r"\s+([\d.]+)(us|ms|s)\b", out)
        return round(float(v.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[v.group(2)], 2)

    errors = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50_ms": ms("50%"), "p99_ms": ms("99%"),
            "requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "errors": errors + (int(non2xx.group(1)) if non2xx else 0)}


def routes(kind, pid, event):
    plural = "companies" if kind == "company" else "investors"
    return [("GET /v1/me", "/v1/me"),
            ("GET matches", f"/v1/{plural}/{pid}/matches?k=20&event={event}&lang=it"),
            ("GET /v1/events", "/v1/events"),
            ("GET /v1/events/{E}", f"/v1/events/{event}"),
            ("GET /v1/events/{E}/meetings", f"/v1/events/{event}/meetings"),
            ("GET /v1/events/{E}/requests", f"/v1/events/{event}/requests")]


def measure_api(args, who, cookies):
    out = {}
    for kind, pid in who:
        token = args.company_token if kind == "company" else args.investor_token
        auths = {"cookie": {"Cookie": f"tavolo_session={cookies[pid]}",
                            "X-Tavolo-Profile": f"{kind}:{pid}"},
                 "bearer": {"Authorization": f"Bearer {token}"}}
        for auth, headers in auths.items():
            for label, path in routes(kind, pid, args.event):
                t0 = time.perf_counter()
                status, _, body = get(args.base, path, headers)
                fig = {"path": path, "status": status, "bytes": len(body),
                       "alone_ms": round((time.perf_counter() - t0) * 1000, 1)}
                if status == 200:
                    fig.update(wrk(args.base, path, headers, args.seconds))
                    # The requests wrk left queued in the daemon are answered before the next
                    # route is measured: /healthz waits behind them on the worker threads.
                    t0 = time.perf_counter()
                    get(args.base, "/healthz", {}, timeout=600)
                    fig["drain_ms"] = round((time.perf_counter() - t0) * 1000, 1)
                out[f"{auth} {kind} {label}"] = fig
                print(f"web_pages: {auth} {kind} {label}: {fig}", file=sys.stderr, flush=True)
    return out


def rss_kib(pid):
    if pid is None:
        return None
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS"))


def main():
    args = arguments()
    who = [("company", args.company), ("investor", args.investor)]
    selectors = {"/matches": args.matches_selector or args.selector,
                 "/agenda": args.agenda_selector or args.selector}
    result = {"setup": json.loads(args.setup), "event": args.event, "company": args.company,
              "investor": args.investor, "loads": args.loads, "wrk": f"-t2 -c64 -d{args.seconds}s --timeout={WRK_TIMEOUT_S}s"}
    cookies = {pid: session_cookie(args.base, sign_in_link(args.tavolo, pid)) for _, pid in who}
    for kind, pid in who:
        status, _, body = get(args.base, "/v1/me", {"Cookie": f"tavolo_session={cookies[pid]}"})
        profiles = json.loads(body).get("profiles", []) if status == 200 else []
        if not any(p.get("kind") == kind and p.get("id") == pid for p in profiles):
            sys.exit(f"web_pages.py: GET /v1/me for {pid} gave {status} {body[:200]!r}")
    if not args.skip_browser:
        result["pages"] = measure_pages(args, selectors, who)
    if not args.skip_api:
        result["api"] = measure_api(args, who, cookies)
    result["daemon_rss_kib"] = rss_kib(args.daemon_pid)
    pages = result.get("pages", {}).values()
    api = [v for v in result.get("api", {}).values() if v["path"]]
    result["goals"] = {
        "pages_worst_ms": max((max(p[m]["fcp_ms"]["max"], p[m]["shown_ms"]["max"])
                               for p in pages for m in ("cold", "warm")), default=None),
        "pages_goal_ms": GOAL_PAGE_MS,
        "api_cookie_worst_p99_ms": max((v["p99_ms"] for k, v in result.get("api", {}).items()
                                        if k.startswith("cookie") and "p99_ms" in v), default=None),
        "api_goal_p99_ms": GOAL_P99_MS,
        "api_not_200": sorted(k for k, v in result.get("api", {}).items() if v["status"] != 200),
        "api_errors": sum(v.get("errors", 0) for v in api),
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
