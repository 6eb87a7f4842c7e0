"""Attacks on the pages, in headless Chromium against a real daemon (issue 16): a cross-site
form POST (from another site, and from the same site on another port) writes nothing and
signs nobody out; a used or expired sign-in link opens no session; a person's session cannot
reach another participant's page or data; the session cookie's flags as docs/sessions.md
states them.

Usage: test_attacks.py TAVOLO SHOTS_DIR (Debian's /usr/bin/python3)."""

import http.server
import subprocess
import sys
import threading

from selenium.webdriver.common.by import By

import webtest

COMPANY = ("luca.dubois@c-029.example", "company:c-029")
OTHER_COMPANY = "c-036"


def psql(daemon, query):
    r = subprocess.run(["psql", daemon.env["TAVOLO_DATABASE_URL"], "-qAt", "-c", query],
                       capture_output=True, text=True, check=True)
    return r.stdout.strip()


class Attacker:
    """A site of its own (host 'host', a port of its own) serving one page that posts to
    'target' as soon as it loads, as a hostile page would: with 'body', an HTML form sending
    it as text/plain ('body' + '="}': valid JSON when 'body' ends inside a string); without,
    a bodiless no-cors fetch() with the browser's cookies, which needs no CORS preflight."""

    def __init__(self, host, target, body=None):
        if body is not None:
            page = ("<!doctype html><title>win a prize</title>"
                    f'<form id="f" method="POST" action="{target}" enctype="text/plain">'
                    f"<input type=\"hidden\" name='{body}' value='\"}}'></form>"
                    "<script>document.getElementById('f').submit()</script>")
        else:
            page = ("<!doctype html><title>win a prize</title><script>"
                    f"fetch('{target}', {{method: 'POST', mode: 'no-cors', "
                    "credentials: 'include'}).finally(() => { document.title = 'sent'; })"
                    "</script>")
        page = page.encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://{host}:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def signed_in_status(d):
    return d.execute_script(
        "return fetch('/v1/me', {credentials: 'same-origin'}).then(r => r.status)")


def attack(d, daemon, host, path, body):
    """The statuses of the attacker page's POSTs to 'path'."""
    evil = Attacker(host, daemon.base + path, body)
    webtest.network(d)  # forget earlier requests
    try:
        d.get(evil.url)
        if body is None:
            webtest.wait(d, lambda d: d.title == "sent")
        else:
            webtest.wait(d, lambda d: d.current_url.startswith(daemon.base))
    finally:
        evil.stop()
    return [r["status"] for r in webtest.network(d)
            if r["method"] == "POST" and r["url"] == daemon.base + path]


def check_cross_site(t, daemon, d, investor):
    """A hostile page posts a meeting request and a sign-out with the victim's browser: a
    form's types are refused before anything (415: the API takes JSON only, which no form
    can send); a bodiless fetch from another site comes without the cookie (SameSite=Lax,
    401), and from the same site on another port with it but without the CSRF token (403)."""
    body = ('{"company_id": "c-029", "investor_id": "%s", "priority": "must", "x": "' % investor)
    requests = "SELECT count(*) FROM meeting_requests WHERE event_id = 'jpm-2027'"
    before = psql(daemon, requests)
    cases = (("localhost", "another site", body, 415), ("127.0.0.1", "the same site", body, 415),
             ("localhost", "another site", None, 401), ("127.0.0.1", "the same site", None, 403))
    for host, why, form, status in cases:
        for path in ("/v1/events/jpm-2027/requests", "/signout"):
            how = "a form" if form is not None else "a fetch"
            got = attack(d, daemon, host, path, form)
            t.eq(f"{how} POST to {path} from {why} is refused", [status], got)
            d.get(daemon.base + "/")
            t.eq(f"and writes nothing ({how}, {path}, {why})", before, psql(daemon, requests))
            t.eq(f"and the person is still signed in ({how}, {path}, {why})", 200,
                 signed_in_status(d))


def check_other_participant(t, daemon, d, shots):
    """Signed in for c-029 only: c-036's page shows the profile choice, never c-036's data, and
    the API refuses it whichever profile the page claims."""
    d.get(daemon.base + f"/matches?company={OTHER_COMPANY}")
    webtest.wait(d, lambda d: d.find_element(By.ID, "home").is_displayed())
    t.ok("another company's page shows the person's own profile choice",
         d.find_element(By.ID, "page").is_displayed() is False)
    t.ok("and no link to it",
         all(OTHER_COMPANY not in (a.get_attribute("href") or "")
             for a in d.find_elements(By.CSS_SELECTOR, "#home-profiles a")))
    webtest.shot(d, shots, "attack-other-company")
    for header in (f"company:{OTHER_COMPANY}", "company:c-029"):
        for path in (f"/v1/companies/{OTHER_COMPANY}", f"/v1/companies/{OTHER_COMPANY}/matches"):
            status = d.execute_script(
                "return fetch(arguments[0], {headers: {'X-Tavolo-Profile': arguments[1]}})"
                ".then(r => r.status)", path, header)
            t.eq(f"{path} acting as {header} is refused", 403, status)
    people = d.execute_script(
        "return fetch('/v1/events/jpm-2027', {headers: {'X-Tavolo-Profile': 'company:c-029'}})"
        ".then(r => r.json()).then(e => e.participants.map(p => p.id))")
    t.eq("the event's file shows the company's own entry only", ["c-029"], people)


def check_links(t, daemon, shots):
    """A link works once; a used link and an expired one open no session."""
    link = daemon.sign_in_link(*COMPANY)
    first = webtest.browser(1280, "en")
    second = webtest.browser(390, "it")
    try:
        first.get(link)
        webtest.wait(first, lambda d: d.find_element(By.ID, "page").is_displayed())
        t.eq("the link signs in once", 200, signed_in_status(first))
        second.get(link)
        webtest.shot(second, shots, "attack-used-link")
        t.ok("a used link says so, in words", "usato" in second.page_source or
             "used" in second.page_source, second.page_source[:300])
        second.get(daemon.base + "/")
        t.eq("and opens no session", 401, signed_in_status(second))
        expired = daemon.sign_in_link(*COMPANY)
        psql(daemon, "UPDATE signin_links SET expires_at = now() - interval '1 second' "
                     "WHERE used_at IS NULL")
        second.get(expired)
        second.get(daemon.base + "/")
        t.eq("an expired link opens no session", 401, signed_in_status(second))
        webtest.wait(second, lambda d: d.find_element(By.ID, "signin").is_displayed())
    finally:
        first.quit()
        second.quit()


def check_cookie(t, d):
    cookies = {c["name"]: c for c in d.get_cookies()}
    c = cookies.get("tavolo_session", {})
    t.eq("the session cookie is HttpOnly, SameSite=Lax, for the whole site",
         (True, "Lax", "/"), (c.get("httpOnly"), c.get("sameSite"), c.get("path")))
    t.eq("not Secure over plain http to a plain-http public URL", False, c.get("secure"))
    t.ok("and out of the page script's reach",
         "tavolo_session" not in d.execute_script("return document.cookie"))


def run(t, daemon, shots):
    investor = psql(daemon, "SELECT profile_id FROM event_participants WHERE event_id = "
                            "'jpm-2027' AND kind = 'investor' AND profile_id NOT IN (SELECT "
                            "investor_id FROM meeting_requests WHERE company_id = 'c-029') "
                            "ORDER BY profile_id LIMIT 1")
    d = webtest.signed_in(daemon, *COMPANY, 1280, "en")
    try:
        check_cookie(t, d)
        check_cross_site(t, daemon, d, investor)
        check_other_participant(t, daemon, d, shots)
    finally:
        d.quit()
    check_links(t, daemon, shots)


def main():
    return webtest.main(__doc__, "web_attacks", run)


if __name__ == "__main__":
    sys.exit(main())
