"""The pages speak the person's language, wherever they sign in (issue 16): a person whose
event file says Italian gets Italian in an English browser; switching to English is kept for
the person, so a second browser, Italian this time, opens in English.

Usage: test_language.py TAVOLO SHOTS_DIR (Debian's /usr/bin/python3)."""

import sys

from selenium.webdriver.common.by import By

import webtest

PERSON = ("paolo.rossi@i-013.example", "investor:i-013")  # "language": "it" in jpm-2027.json


def signout_words(d):
    """The menu's sign-out button, in the page's language ("Esci", "Sign out")."""
    webtest.wait(d, lambda d: d.find_element(By.ID, "nav-signout").is_displayed())
    return d.find_element(By.ID, "nav-signout").text


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
