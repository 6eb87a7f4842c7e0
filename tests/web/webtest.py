"""The browser harness of the web.* tests (docs/web.md): a daemon on a throwaway database, headless
Chromium through Debian's chromedriver (selenium 4.8), screenshots, and the browser's console
read for JavaScript errors and Content-Security-Policy violations.

Run with Debian's /usr/bin/python3, which has python3-selenium."""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

SKIP = 77
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    """A TCP port free on 127.0.0.1 now: the daemon's address must be known before it starts,
    since TAVOLO_PUBLIC_URL (links, the Origin check) names it."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

# Console entries a page may cause without being wrong: Chromium logs every 4xx answer of a
# fetch as "Failed to load resource", and a signed-out /v1/me (401, or 404 before sign-in
# exists) and a refused /v1/signin (404 before it exists, 429 rate-limited) are answers the
# page handles in words, as is an event's draft that does not exist (404: the schedule page
# offers to make one). Anything else logged at SEVERE, and any CSP report, is a failure.
EXPECTED_FAILED_LOADS = ("/v1/me ", "/v1/signin ", "/draft ")


class Results:
    """TAP-like lines, as tests/cli/lib.sh prints them."""

    def __init__(self):
        self.passed = 0
        self.failures = []

    def ok(self, what, cond, detail=""):
        if cond:
            self.passed += 1
            print(f"ok - {what}", flush=True)
        else:
            self.failures.append(what)
            print(f"not ok - {what}{': ' + str(detail) if detail else ''}", flush=True)

    def eq(self, what, expected, got):
        self.ok(what, expected == got, f"expected [{expected}], got [{got}]")

    def finish(self):
        for f in self.failures:
            print(f"FAILED: {f}")
        print(f"{self.passed} passed, {len(self.failures)} failed")
        return 0 if not self.failures and self.passed > 0 else 1


def require_pg():
    """The PostgreSQL the suite started (TV_TEST_PG_DSN); without one, skip or fail as
    tests/cli/lib.sh's require_pg does."""
    dsn = os.environ.get("TV_TEST_PG_DSN")
    if not dsn:
        if os.environ.get("TV_TEST_REQUIRE_PG"):
            print("TV_TEST_PG_DSN is not set")
            sys.exit(1)
        print("TV_TEST_PG_DSN is not set: skipping")
        sys.exit(SKIP)
    return dsn


class Daemon:
    """`tavolo serve` on a free port, over database tvt_NAME made afresh and migrated."""

    def __init__(self, tavolo, name, env=None, seed=False, mailbox=None):
        """'mailbox': the folder whose new/ holds the mail delivered (a test's SMTP server's
        store); by default the outbox, where mail goes without TAVOLO_SMTP_URL."""
        dsn = require_pg()
        self.tavolo = tavolo
        self.db = f"tvt_{name}"
        self.tmp = tempfile.mkdtemp(prefix="tv-web-")
        self.proc = None
        subprocess.run(["psql", dsn, "-qAt", "-c", f"DROP DATABASE IF EXISTS {self.db}",
                        "-c", f"CREATE DATABASE {self.db}"], check=True,
                       stdout=subprocess.DEVNULL)
        port = free_port()
        self.env = dict(os.environ, TAVOLO_DATABASE_URL=f"{dsn} dbname={self.db}",
                        TAVOLO_HOME=os.path.join(self.tmp, "home"), TAVOLO_DIGEST_TIME="off",
                        TAVOLO_PUBLIC_URL=f"http://127.0.0.1:{port}")
        self.env.update(env or {})
        os.makedirs(self.env["TAVOLO_HOME"], mode=0o755)
        self.mailbox = mailbox or os.path.join(self.env["TAVOLO_HOME"], "outbox")
        subprocess.run([tavolo, "migrate"], env=self.env, check=True, stdout=subprocess.DEVNULL)
        if seed:
            self.seed()
        port_file = os.path.join(self.tmp, "port")
        self.log = open(os.path.join(self.tmp, "daemon.log"), "w")
        self.proc = subprocess.Popen([tavolo, "serve", "--listen", f"127.0.0.1:{port}",
                                      "--port-file", port_file], env=self.env, stderr=self.log)
        for _ in range(200):
            if os.path.exists(port_file) and os.path.getsize(port_file) > 0:
                break
            if self.proc.poll() is not None:
                raise RuntimeError(f"tavolo serve exited: {self.log_text()}")
            time.sleep(0.05)
        with open(port_file) as f:
            self.base = f"http://127.0.0.1:{int(f.read())}"

    def api(self, method, path, token=None, body=None, headers=None):
        """One API request (a bearer 'token', a JSON 'body'): (status, parsed JSON or None)."""
        import urllib.error
        import urllib.request

        req = urllib.request.Request(self.base + path, method=method,
                                     data=None if body is None else json.dumps(body).encode())
        if token:
            req.add_header("Authorization", "Bearer " + token)
        if body is not None:
            req.add_header("Content-Type", "application/json")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=20) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def cli(self, *args, check=True):
        """Runs `tavolo ARGS` on the daemon's database; returns its standard output."""
        r = subprocess.run([self.tavolo, *args], env=self.env, capture_output=True, text=True)
        if check and r.returncode != 0:
            raise RuntimeError(f"tavolo {' '.join(args)}: {r.stderr.strip()}")
        return r.stdout

    def seed(self):
        """The fixtures, as scripts/run.sh loads them: profiles, both events, jpm-2027
        scheduled."""
        fixtures = os.path.join(ROOT, "fixtures")
        self.cli("import", os.path.join(fixtures, "companies.jsonl"),
                 os.path.join(fixtures, "investors.jsonl"))
        for name in sorted(os.listdir(os.path.join(fixtures, "events"))):
            self.cli("event", "import", os.path.join(fixtures, "events", name))
        self.cli("schedule", "jpm-2027")

    def sign_in_link(self, address, profile):
        """A fresh single-use sign-in link for 'address', one of the people of 'profile'
        ("company:ID" or "investor:ID": `tavolo invite --profile ID`; "organiser:EVENT_ID":
        `tavolo invite --organiser ADDRESS --event EVENT_ID`; "admin:all": `tavolo invite
        --admin ADDRESS`), delivered to the mailbox, read back as a mail client would
        (scripts/signin_link.py)."""
        sys.path.insert(0, os.path.join(ROOT, "scripts"))
        import signin_link

        outbox = self.mailbox
        folder = os.path.join(outbox, "new")
        seen = os.listdir(folder) if os.path.isdir(folder) else []
        kind, pid = profile.split(":", 1)
        if kind == "organiser":  # makes the address an organiser of event 'pid' first
            self.cli("invite", "--organiser", address, "--event", pid)
        elif kind == "admin":  # "admin:all": makes the address an admin first
            self.cli("invite", "--admin", address)
        else:
            self.cli("invite", "--profile", pid)
        self.cli("mail", "send", check=False)  # the daemon's timer may deliver it first
        for _ in range(200):
            link = signin_link.newest_link(outbox, address, skip=seen)
            if link:
                return link
            time.sleep(0.05)
        raise RuntimeError(f"no sign-in link for {address} in {folder}")

    def log_text(self):
        self.log.flush()
        with open(os.path.join(self.tmp, "daemon.log")) as f:
            return f.read()

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=20)
        self.log.close()
        dsn = os.environ["TV_TEST_PG_DSN"]
        subprocess.run(["psql", dsn, "-qAt", "-c", f"DROP DATABASE IF EXISTS {self.db}"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.tmp, ignore_errors=True)


def signed_in(daemon, email, profile, width, lang, person_language=False):
    """A browser 'width' px wide in 'lang', signed in as 'email' by following a fresh
    invitation link for 'profile' ("company:ID" or "investor:ID"). The pages speak the
    person's language (GET /v1/me), so the person is given 'lang' (PATCH /v1/me) and the page
    reloaded, unless 'person_language' asks to keep the one of their record."""
    d = browser(width, lang)
    d.get(daemon.sign_in_link(email, profile))
    wait(d, lambda d: d.execute_script(
        "return !!document.getElementById('home') && document.readyState === 'complete'"))
    if not person_language:
        status = d.execute_script(
            "return fetch('/v1/me').then(r => r.json()).then(m => fetch('/v1/me', {method: "
            "'PATCH', headers: {'Content-Type': 'application/json', 'X-CSRF-Token': "
            "m.csrf_token}, body: JSON.stringify({language: arguments[0]})})).then(r => "
            "r.status)", lang)
        if status != 200:
            raise RuntimeError(f"PATCH /v1/me {{language: {lang}}} answered {status}")
        d.refresh()
        wait(d, lambda d: d.execute_script("return document.readyState === 'complete' && "
                                           "document.documentElement.lang === arguments[0]",
                                           lang))
    return d


def browser(width, lang):
    """Headless Chromium 'width' CSS pixels wide, its language 'lang' ("en", "it"). At 390 px
    it is a phone: Chromium's mobile emulation, so the viewport meta tag counts."""
    o = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                f"--lang={lang}", "--window-size=1280,900"):
        o.add_argument(arg)
    o.add_experimental_option("prefs", {"intl.accept_languages": lang})
    if width < 600:
        o.add_experimental_option("mobileEmulation", {
            "deviceMetrics": {"width": width, "height": 844, "pixelRatio": 2}})
    o.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
    d.set_page_load_timeout(20)
    return d


def wait(driver, cond, timeout=10):
    """Waits for cond(driver) to be true; an element replaced by a reload meanwhile is
    looked for again. While the page navigates (a sign-out leads to "/"), Chromium may answer
    with an error about the document that is going away ("Node with given id does not belong
    to the document"): that too is asked again, and a condition never met still fails, at
    the timeout."""
    return WebDriverWait(driver, timeout, ignored_exceptions=(
        StaleElementReferenceException, WebDriverException)).until(lambda d: cond(d))


def ready(driver, timeout=10):
    """Waits until the page has drawn its data (app.js sets #page[data-ready])."""
    wait(driver, lambda d: d.execute_script("return !!document.querySelector('#page[data-ready]')"),
         timeout)


def strays(driver):
    """The JavaScript values shown as words in the page ("null", "undefined", "NaN",
    "[object ...]"): a value that leaked into the text. Words glued together ("nullnull")
    count."""
    text = driver.find_element(By.ID, "page").text
    return sorted({w for w in ("null", "undefined", "NaN", "[object") for word in text.split()
                   if word == w or (w != "NaN" and word.startswith(w) and word[len(w):].startswith(w))
                   or (w == "[object" and w in word)})


def shot(driver, folder, name):
    """Saves a screenshot of the whole page as FOLDER/NAME.png and returns its path."""
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{name}.png")
    height = driver.execute_script(
        "return Math.max(document.documentElement.scrollHeight, window.innerHeight)")
    if driver.execute_script("return window.innerWidth") >= 600:
        driver.set_window_size(1280, max(600, min(int(height) + 140, 3000)))
    driver.save_screenshot(path)
    return path


def console_problems(driver, allow=()):
    """The console entries since the last call that are JavaScript errors or CSP violations
    (the browser log is drained by reading it). 'allow' adds URL parts (as in
    EXPECTED_FAILED_LOADS) whose 4xx a test caused on purpose, for this call only."""
    bad = []
    for e in driver.get_log("browser"):
        msg = e.get("message", "")
        csp = "Content Security Policy" in msg or "Refused to" in msg
        expected = "Failed to load resource" in msg and any(p in msg.split("Failed")[0] + " "
                                                           for p in EXPECTED_FAILED_LOADS + tuple(allow))
        if csp or (e.get("level") == "SEVERE" and not expected):
            bad.append(msg)
    return bad


def network(driver):
    """The requests since the last call, from the performance log: a list of dicts with url,
    method, body and status (None when no response came)."""
    reqs = {}
    for e in driver.get_log("performance"):
        m = json.loads(e["message"])["message"]
        p = m.get("params", {})
        if m.get("method") == "Network.requestWillBeSent":
            r = p["request"]
            reqs[p["requestId"]] = {"url": r["url"], "method": r["method"],
                                    "body": r.get("postData"), "status": None}
        elif m.get("method") == "Network.responseReceived" and p.get("requestId") in reqs:
            reqs[p["requestId"]]["status"] = p["response"]["status"]
    return list(reqs.values())


class FakeSession:
    """A proxy in front of the daemon that plays a signed-in session until the real one
    exists (the SESSIONS work of issue 16): GET /v1/me answers 'me' (then 401 once signed out),
    POST /signout records its headers and answers 204; every other request goes to the daemon
    and comes back as it answered, headers included."""

    def __init__(self, daemon_base, me):
        import http.client
        import http.server
        import threading
        import urllib.parse

        target = urllib.parse.urlsplit(daemon_base)
        fake = self
        self.me = me
        self.signouts = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def reply(self, status, body=b"", ctype="application/json"):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def forward(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else None
                c = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("connection", "host")}
                c.request(self.command, self.path, body=body, headers=headers)
                r = c.getresponse()
                data = r.read()
                self.send_response(r.status)
                for k, v in r.getheaders():
                    if k.lower() not in ("connection", "transfer-encoding", "content-length"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                c.close()

            def do_GET(self):
                if self.path == "/v1/me":
                    if fake.me is None:
                        return self.reply(401, b'{"status": 401}', "application/problem+json")
                    return self.reply(200, json.dumps(fake.me).encode())
                self.forward()

            def do_POST(self):
                if self.path == "/signout":
                    fake.signouts.append(dict(self.headers.items()))
                    fake.me = None
                    return self.reply(204)
                self.forward()

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def main(doc, name, run, seed=True, env=None, mailbox=None):
    """The main of a browser test, `test_X.py TAVOLO SHOTS_DIR`: a daemon on database tvt_NAME
    (the fixtures loaded unless 'seed' is false; 'env' added to its environment; its mail read
    from 'mailbox', as Daemon says), then
    run(t, daemon, shots); a crash is a failure with its reason, never a pass. Returns the
    exit status."""
    if len(sys.argv) != 3:
        print(doc)
        return 2
    t = Results()
    daemon = Daemon(sys.argv[1], name, env=env, seed=seed, mailbox=mailbox)
    try:
        run(t, daemon, sys.argv[2])
    except Exception as e:  # a crash is a failure with its reason, never a pass
        traceback.print_exc()
        t.ok(f"the test ran to its end ({type(e).__name__})", False, e)
    finally:
        daemon.stop()
    print(f"screenshots in {sys.argv[2]}")
    return t.finish()
