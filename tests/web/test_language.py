"""The pages speak the person's language, wherever they sign in (issue 16): a person whose
event file says Italian gets Italian in an English browser; switching to English is kept for
the person, so a second browser, Italian this time, opens in English, and the mail tavolo
sends them (an invitation, a notification) is in English from then on.

Usage: test_language.py TAVOLO SHOTS_DIR (Debian's /usr/bin/python3)."""

import email
import email.policy
import os
import sys
import time

from selenium.webdriver.common.by import By

import webtest

PERSON = ("paolo.rossi@i-013.example", "investor:i-013")  # "language": "it" in jpm-2027.json


def signout_words(d):
    """The menu's sign-out button, in the page's language ("Esci", "Sign out")."""
    webtest.wait(d, lambda d: d.find_element(By.ID, "nav-signout").is_displayed())
    return d.find_element(By.ID, "nav-signout").text


def subjects_to(daemon, address, skip):
    """The subjects of the messages to 'address' in the outbox, those named in 'skip' aside."""
    folder = os.path.join(daemon.env["TAVOLO_HOME"], "outbox", "new")
    out = []
    for name in sorted(set(os.listdir(folder)) - set(skip)):
        with open(os.path.join(folder, name), "rb") as f:
            msg = email.message_from_binary_file(f, policy=email.policy.default)
        if address in str(msg["To"]).lower():
            out.append(str(msg["Subject"]))
    return out


def mail_language(t, daemon):
    """Once the person chose English on the pages, their invitation and the notification of a
    request they receive come in English, though their event file says Italian."""
    folder = os.path.join(daemon.env["TAVOLO_HOME"], "outbox", "new")
    seen = os.listdir(folder)
    admin = daemon.cli("token", "create", "--role", "admin").strip()
    daemon.cli("invite", "--profile", "i-013")
    # c-029 has asked i-013 for nothing in jpm-2027.json.
    status, body = daemon.api("POST", "/v1/events/jpm-2027/requests", admin,
                              {"company_id": "c-029", "investor_id": "i-013",
                               "from": "company", "priority": "want"})
    t.eq(f"a request to i-013 is made ({body!r:.200})", 201, status)
    daemon.cli("notify", "run", "jpm-2027")
    daemon.cli("mail", "send", check=False)  # the daemon's timer may deliver them first
    subjects = []
    for _ in range(200):
        subjects = subjects_to(daemon, PERSON[0], seen)
        if len(subjects) >= 2:
            break
        time.sleep(0.05)
    t.ok(f"the invitation is in English ({subjects})",
         "Your link to sign in to tavolo" in subjects)
    t.ok(f"the request's notification is in English ({subjects})",
         any(" asks " in s and " for a meeting at " in s for s in subjects))
    t.eq("no message to them is in Italian", [],
         [s for s in subjects if "accedere" in s or " chiede " in s])


def run(t, daemon, shots):
    first = webtest.signed_in(daemon, *PERSON, 1280, "en", person_language=True)
    try:
        t.eq("an English browser opens in the person's Italian", "Esci", signout_words(first))
        webtest.shot(first, shots, "language-person-it")
        first.find_element(By.CSS_SELECTOR, ".langs button[data-lang='en']").click()
        webtest.wait(first, lambda d: d.find_element(By.ID, "nav-signout").text == "Sign out")
        kept = webtest.wait(first, lambda d: d.execute_script(
            "return fetch('/v1/me').then(r => r.json()).then(m => m.language)") == "en")
        t.ok("switching to English is kept for the person", kept)
        t.eq("no console error or CSP violation", [], webtest.console_problems(first))
    finally:
        first.quit()
    mail_language(t, daemon)
    second = webtest.signed_in(daemon, *PERSON, 390, "it", person_language=True)
    try:
        t.eq("a second, Italian browser opens in the person's English", "Sign out",
             signout_words(second))
        webtest.shot(second, shots, "language-person-en-390")
        second.find_element(By.ID, "nav-signout").click()
        webtest.wait(second, lambda d: d.find_element(By.ID, "signin").is_displayed())
        t.eq("the menu signs the person out", 401, second.execute_script(
            "return fetch('/v1/me').then(r => r.status)"))
    finally:
        second.quit()


def main():
    return webtest.main(__doc__, "web_language", run)


if __name__ == "__main__":
    sys.exit(main())
