"""web.signin: the sign-in page in headless Chromium (docs/web.md). It renders in English and
Italian at 1280 and 390 px (screenshots in the folder given), a phone needs no sideways scroll,
the form works by keyboard alone (Tab to the field, type, Enter), a submitted address sends
POST /v1/signin {"email": ...} and the page answers in words (the confirmation on 202, else an
error naming the status; never nothing), a bad address is refused before any request, the
language switch is kept across visits, and no console error or CSP violation happens (the
console check is shown to catch a planted inline script first). Signed in (a fake /v1/me in
front of the daemon until sessions exist), the home shows hostile values as text, links to the
profiles' pages and signs out with the CSRF header.

Usage: test_signin.py TAVOLO SHOTS_DIR"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import webtest  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

TITLES = {"en": "Sign in", "it": "Accedi"}
LABELS = {"en": "E-mail address", "it": "Indirizzo e-mail"}
SENT = {"en": "Check your mail", "it": "Controlli la posta"}
FAILED = {"en": "error {}", "it": "errore {}"}
ADDRESS = "anna.rossi@example.com"


def visible(d, css):
    els = d.find_elements(By.CSS_SELECTOR, css)
    return els[0] if els and els[0].is_displayed() else None


def open_signin(d, base):
    d.get(base + "/")
    return webtest.wait(d, lambda d: visible(d, "#signin h1"))


def check_render(t, d, base, width, lang, shots):
    """The sign-in page in 'lang', in a browser of that language, 'width' px wide."""
    h1 = open_signin(d, base)
    where = f"{lang} at {width} px"
    t.eq(f"{where}: the title", TITLES[lang], h1.text)
    t.eq(f"{where}: <html lang>", lang, d.find_element(By.TAG_NAME, "html").get_attribute("lang"))
    label = d.find_element(By.CSS_SELECTOR, "label[for=email]")
    t.eq(f"{where}: the field's label", LABELS[lang], label.text)
    pressed = d.find_element(By.CSS_SELECTOR, f".langs button[data-lang={lang}]")
    t.eq(f"{where}: the language button says it is chosen", "true",
         pressed.get_attribute("aria-pressed"))
    sizes = d.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    t.ok(f"{where}: no sideways scroll ({sizes[0]} <= {sizes[1]})", sizes[0] <= sizes[1])
    field = d.find_element(By.ID, "email").rect
    t.ok(f"{where}: the field fits the screen", field["x"] >= 0 and
         field["x"] + field["width"] <= sizes[1], field)
    button = d.find_element(By.ID, "signin-submit").rect
    t.ok(f"{where}: the button is at least 44 px tall", button["height"] >= 44, button)
    webtest.shot(d, shots, f"signin-{lang}-{width}")


def tab_to_field(d):
    """Presses Tab from the top of the page until the e-mail field has the focus."""
    d.execute_script("document.activeElement && document.activeElement.blur()")
    for n in range(1, 10):
        ActionChains(d).send_keys(Keys.TAB).perform()
        if d.execute_script("return document.activeElement.id") == "email":
            return n
    return None


def check_keyboard_submit(t, d, base, width, lang, shots):
    """Tab to the field, type, Enter: the request goes out and the page says what happened."""
    open_signin(d, base)
    webtest.network(d)
    where = f"{lang} at {width} px"
    address = ADDRESS.replace("@", f"+{lang}{width}@")  # one each: under the per-address limit
    tabs = tab_to_field(d)
    t.ok(f"{where}: Tab reaches the e-mail field ({tabs} presses)", tabs is not None)
    ActionChains(d).send_keys(address).send_keys(Keys.ENTER).perform()
    status = webtest.wait(d, lambda d: d.execute_script(
        "const s = document.getElementById('signin-status');"
        "return !s.hidden && s.dataset.kind && s.textContent !== '' &&"
        " !/Sending|Invio/.test(s.textContent) ? s : null"))
    sent = [r for r in webtest.network(d) if r["url"].endswith("/v1/signin")]
    t.eq(f"{where}: one POST /v1/signin", ["POST"], [r["method"] for r in sent])
    if not sent:
        return None
    t.eq(f"{where}: its body is the address as JSON", {"email": address},
         json.loads(sent[0]["body"] or "null"))
    code = sent[0]["status"]
    text = status.text
    t.eq(f"{where}: /v1/signin accepts it", 202, code)
    if code == 202:
        t.ok(f"{where}: 202 -> the page says to check the mail", SENT[lang] in text, text)
        t.ok(f"{where}: naming the address", address in text, text)
        t.eq(f"{where}: as a confirmation", "ok", status.get_attribute("data-kind"))
    else:
        t.ok(f"{where}: {code} -> the page says so in words", FAILED[lang].format(code) in text
             or (code == 429 and text != ""), text)
        t.eq(f"{where}: as an error", "error", status.get_attribute("data-kind"))
    webtest.shot(d, shots, f"signin-sent-{lang}-{width}")
    return code


def check_bad_address(t, d, base):
    open_signin(d, base)
    webtest.network(d)
    field = d.find_element(By.ID, "email")
    field.send_keys("not an address", Keys.ENTER)
    status = webtest.wait(d, lambda d: visible(d, "#signin-status"))
    t.ok("a bad address: the page says what to write", "name@example.com" in status.text,
         status.text)
    t.eq("a bad address: the field is marked invalid", "true", field.get_attribute("aria-invalid"))
    t.eq("a bad address: no request", [], [r["url"] for r in webtest.network(d)
                                          if r["url"].endswith("/v1/signin")])


def check_switch(t, d, base, code):
    """From English to Italian with the switch, the status line included; kept on reload."""
    d.find_element(By.CSS_SELECTOR, ".langs button[data-lang=it]").click()
    t.eq("the switch: the title in Italian", TITLES["it"], d.find_element(
        By.CSS_SELECTOR, "#signin h1").text)
    status = d.find_element(By.ID, "signin-status").text
    want = SENT["it"] if code == 202 else FAILED["it"].format(code)
    t.ok("the switch: the status line in Italian too", want in status or code == 429, status)
    t.eq("the switch: kept in localStorage", "it",
         d.execute_script("return localStorage.getItem('tavolo.lang')"))
    d.refresh()
    h1 = webtest.wait(d, lambda d: visible(d, "#signin h1"))
    t.eq("the switch: an English browser still gets Italian after a reload", TITLES["it"], h1.text)
    d.execute_script("localStorage.removeItem('tavolo.lang')")


def check_console_catches(t, d, base):
    """The console check is not blind: an inline script planted in the page is refused by the
    CSP and the check reports it."""
    open_signin(d, base)
    webtest.console_problems(d)
    d.execute_script("const s = document.createElement('script');"
                     "s.textContent = 'window.planted = 1'; document.head.appendChild(s);")
    problems = webtest.wait(d, lambda d: webtest.console_problems(d) or None, timeout=5)
    t.ok("the console check reports a planted inline script (CSP)",
         any("Content Security Policy" in p for p in problems), problems)
    t.eq("and the CSP kept it from running", None, d.execute_script("return window.planted"))


# A person whose values try to become markup: shown as text, never run.
HOSTILE_EMAIL = "<img src=x onerror=window.pwned=1>@example.com"
ME = {"email": HOSTILE_EMAIL, "csrf_token": "csrf-123",
      "profiles": [{"kind": "company", "id": "c/1?x", "name": '"><script>window.pwned=2</script>'},
                   {"kind": "investor", "id": "inv-2", "name": "Fondo Uno"}]}
HOME = {"en": "Your page", "it": "La sua pagina"}


def check_home(t, daemon, width, lang, shots):
    """Signed in (a fake /v1/me: see webtest.FakeSession): the home shows the e-mail and the
    profiles as text, links to the profiles' pages, and signs out with the CSRF header."""
    fake = webtest.FakeSession(daemon.base, dict(ME))
    d = webtest.browser(width, lang)
    where = f"home, {lang} at {width} px"
    try:
        d.get(fake.base + "/")
        h1 = webtest.wait(d, lambda d: visible(d, "#home h1"))
        t.eq(f"{where}: the title", HOME[lang], h1.text)
        t.eq(f"{where}: the e-mail, as text", HOSTILE_EMAIL, d.find_element(By.ID, "home-email").text)
        links = d.find_elements(By.CSS_SELECTOR, "#home-profiles a")
        t.eq(f"{where}: the profiles' pages, ids encoded",
             ["/matches?company=c%2F1%3Fx", "/matches?investor=inv-2"],
             [a.get_attribute("href").replace(fake.base, "") for a in links])
        t.ok(f"{where}: a profile's name, as text", links and ME["profiles"][0]["name"] in
             links[0].text, [a.text for a in links])
        t.eq(f"{where}: no element made of a value", 0, len(d.find_elements(
            By.CSS_SELECTOR, "#home img, #home script")))
        t.eq(f"{where}: nothing ran", None, d.execute_script("return window.pwned"))
        sizes = d.execute_script("return [document.documentElement.scrollWidth, innerWidth]")
        t.ok(f"{where}: no sideways scroll ({sizes[0]} <= {sizes[1]})", sizes[0] <= sizes[1])
        webtest.shot(d, shots, f"home-{lang}-{width}")
        d.find_element(By.ID, "signout").click()
        webtest.wait(d, lambda d: visible(d, "#signin h1"))
        t.eq(f"{where}: sign-out posts the CSRF token", ["csrf-123"],
             [h.get("X-CSRF-Token") for h in fake.signouts])
        t.eq(f"{where}: no console error or CSP violation", [], webtest.console_problems(d))
    finally:
        d.quit()
        fake.stop()


def run(t, daemon, shots):
    check_home(t, daemon, 1280, "en", shots)
    check_home(t, daemon, 390, "it", shots)
    for width in (1280, 390):
        for lang in ("en", "it"):
            d = webtest.browser(width, lang)
            try:
                check_render(t, d, daemon.base, width, lang, shots)
                code = check_keyboard_submit(t, d, daemon.base, width, lang, shots)
                if width == 1280 and lang == "en":
                    if code is not None:
                        check_switch(t, d, daemon.base, code)
                    check_bad_address(t, d, daemon.base)
                problems = webtest.console_problems(d)
                t.eq(f"{lang} at {width} px: no console error or CSP violation", [], problems)
                if width == 1280 and lang == "en":
                    check_console_catches(t, d, daemon.base)
            finally:
                d.quit()


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    t = webtest.Results()
    daemon = webtest.Daemon(sys.argv[1], "web_signin")
    try:
        run(t, daemon, sys.argv[2])
    except Exception as e:  # a crash is a failure with its reason, never a pass
        t.ok(f"the test ran to its end ({type(e).__name__})", False, e)
    finally:
        daemon.stop()
    print(f"screenshots in {sys.argv[2]}")
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
