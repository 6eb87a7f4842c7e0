"""web.profile: the profile page in headless Chromium (docs/web.md, "Profile"), against a daemon
on the fixtures, signed in through real invitation links.

- A company (c-029, eligible) reaches its R&D field by Tab alone, types a lower figure: the
  ESIBE report turns to "not eligible" on the draft (a debounced POST .../eligibility, fewer
  requests than keystrokes) while the API still holds the stored figure; Enter saves (one PUT)
  and the API then holds the new one.
- Bad values (a negative patent count, an unknown pathology planted in a checkbox) come back as
  the API's 422 and are shown next to their fields (aria-invalid, the first one focused) and in
  a summary whose links move the focus; nothing is stored.
- A change made through the API after the page was read makes Save answer 412: the page says in
  words that the profile changed, nothing is overwritten, and "Reload" shows the new version.
- A name and description made of markup are saved, reloaded and shown as text (inputs, the
  heading, the eligibility report), and nothing runs.
- A language switch keeps the unsaved draft.
- Another company's profile page is not offered, and its record, draft eligibility and
  replacement are refused (403) to this session.
- An investor (i-013, Italian, on a phone) gets its ticket order refused next to the field,
  then saves its ticket and a stage; the API shows them.
- Screenshots at 1280 and 390 px in English and Italian; no sideways scroll at 390 px; every
  field has a label and help text; no console error or CSP violation beyond the refusals each
  step expects.

Usage: test_profile.py TAVOLO SHOTS_DIR"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import webtest  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

COMPANY = ("luca.dubois@c-029.example", "company:c-029")
INVESTOR = ("paolo.rossi@i-013.example", "investor:i-013")
HEADINGS = {("company", "en"): "Your company's profile", ("company", "it"): "Il profilo della sua azienda",
            ("investor", "en"): "Your investor profile", ("investor", "it"): "Il suo profilo di investitore"}
HOSTILE_NAME = "<script>window.pwned=1</script>Insulyn"
HOSTILE_TEXT = '"><img src=x onerror="window.pwned=2">'


class Api:
    """The daemon's API with an admin token, as another client editing meanwhile."""

    def __init__(self, daemon):
        self.daemon = daemon
        self.base = daemon.base
        self.token = daemon.cli("token", "create", "--role", "admin", "--label", "web.profile").strip()

    def call(self, method, path, body=None, headers=None):
        return self.daemon.api(method, path, self.token, body, headers)

    def get(self, path):
        return self.call("GET", path)[1]


def problems(d, allowed=()):
    """The console's errors, but for the 4xx answers this step provoked on purpose: each
    allowed entry is (path, status), matched exactly."""
    out = []
    for p in webtest.console_problems(d):
        if any(f"{path} - Failed to load resource: the server responded with a status of {code}"
               in p for path, code in allowed):
            continue
        out.append(p)
    return out


def open_profile(d, base, profile):
    kind, pid = profile.split(":")
    d.get(f"{base}/profile?{kind}={pid}")
    return webtest.wait(d, lambda d: d.execute_script(
        "return document.querySelector('#profile-form') && "
        "(document.querySelector('#elig') === null || "
        " document.querySelector('#elig .elig-verdict') !== null)"), timeout=15)


def value(d, css):
    return d.execute_script(f"return document.querySelector({json.dumps(css)}).value")


def verdict(d):
    return d.execute_script("const v = document.querySelector('#elig .elig-verdict');"
                            "return v && v.dataset.verdict")


def set_field(d, fid, text):
    el = d.find_element(By.ID, fid)
    el.send_keys(Keys.CONTROL, "a")
    el.send_keys(Keys.DELETE)
    el.send_keys(text)
    return el


def save_and_wait(d):
    """Presses Save; waits until the page answered (status, summary or conflict)."""
    d.find_element(By.ID, "profile-save").click()
    return webtest.wait(d, lambda d: d.execute_script(
        "const s = document.getElementById('profile-status');"
        "const sum = document.getElementById('profile-summary');"
        "if (sum && !sum.hidden) return 'summary';"
        "if (s && s.dataset.kind === 'ok') return 'ok';"
        "if (s && s.dataset.kind === 'error') return 'error';"
        "return null;"), timeout=10)


def check_labels(t, d, where):
    """Every control has a label and a help text it is described by; every group a legend."""
    missing = d.execute_script("""
        const bad = [];
        for (const el of document.querySelectorAll('#profile-form input, #profile-form select, #profile-form textarea')) {
          const label = el.id && document.querySelector('label[for="' + el.id + '"]');
          if (!label || !label.textContent.trim()) bad.push('no label: ' + (el.id || el.name));
          if (el.type === 'checkbox') continue;
          const help = (el.getAttribute('aria-describedby') || '').split(' ')
            .map((id) => document.getElementById(id)).filter((x) => x && x.textContent.trim());
          if (!help.length) bad.push('no help: ' + el.id);
        }
        for (const fs of document.querySelectorAll('#profile-form fieldset')) {
          const lg = fs.querySelector(':scope > legend');
          if (!lg || !lg.textContent.trim()) bad.push('no legend: ' + fs.id);
        }
        return bad;""")
    t.eq(f"{where}: every field labelled and described, every group with a legend", [], missing)


def no_sideways(t, d, where):
    sizes = d.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    t.ok(f"{where}: no sideways scroll ({sizes[0]} <= {sizes[1]})", sizes[0] <= sizes[1])


def tab_to(d, fid, limit=80):
    d.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    for n in range(1, limit):
        ActionChains(d).send_keys(Keys.TAB).perform()
        if d.execute_script("return document.activeElement.id") == fid:
            return n
    return None


def company_draft_and_save(t, daemon, api, shots):
    """Tab, type, see the draft's eligibility change before saving; Enter saves."""
    d = webtest.signed_in(daemon, *COMPANY, 1280, "en")
    where = "company, en at 1280 px"
    try:
        open_profile(d, daemon.base, COMPANY[1])
        t.eq(f"{where}: the heading", HEADINGS[("company", "en")],
             d.find_element(By.CSS_SELECTOR, "#page h1").text)
        t.eq(f"{where}: the stored R&D spend in its field", "3800000", value(d, "#f-rd_spend_eur"))
        t.eq(f"{where}: the share of R&D in Italy as a percentage", "85", value(d, "#f-rd_share_italy"))
        t.eq(f"{where}: eligible, as saved", "pass", verdict(d))
        t.ok(f"{where}: the report says so in words", "Eligible for ESIBE" in
             d.find_element(By.ID, "elig").text)
        check_labels(t, d, where)
        tabs = tab_to(d, "f-rd_spend_eur")
        t.ok(f"{where}: Tab reaches the R&D field ({tabs} presses)", tabs is not None)
        webtest.network(d)
        ActionChains(d).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL) \
            .send_keys("1500000").perform()
        webtest.wait(d, lambda d: verdict(d) == "fail")
        rd = d.find_element(By.CSS_SELECTOR, "#elig li[data-name=rd_threshold]")
        t.eq(f"{where}: the draft fails the R&D criterion", "fail", rd.get_attribute("data-result"))
        t.ok(f"{where}: in words and figures", "not met" in rd.text and "1,500,000" in rd.text, rd.text)
        t.ok(f"{where}: judged on the draft", "not saved yet" in d.find_element(By.ID, "elig").text)
        t.ok(f"{where}: the bar repeats the verdict", "not eligible" in
             d.find_element(By.ID, "elig-short").text)
        t.eq(f"{where}: the figure is written out", "= EUR 1,500,000",
             d.find_element(By.ID, "f-rd_spend_eur-hint").text)
        sent = webtest.network(d)
        posts = [r for r in sent if r["url"].endswith("/v1/companies/c-029/eligibility?lang=en")
                 and r["method"] == "POST"]
        t.ok(f"{where}: debounced: 1 or 2 eligibility requests for 7 keystrokes ({len(posts)})",
             1 <= len(posts) <= 2)
        t.eq(f"{where}: the last one carries the draft", 1500000,
             json.loads(posts[-1]["body"])["rd_spend_eur"] if posts else None)
        t.eq(f"{where}: nothing saved while typing", [], [r["method"] for r in sent
                                                          if r["method"] in ("PUT", "PATCH")])
        t.eq(f"{where}: the API still holds the stored figure", 3800000,
             api.get("/v1/companies/c-029")["rd_spend_eur"])
        webtest.shot(d, shots, "profile-company-draft-en-1280")
        ActionChains(d).send_keys(Keys.ENTER).perform()
        webtest.wait(d, lambda d: d.execute_script(
            "const s = document.getElementById('profile-status'); return s && s.dataset.kind === 'ok'"))
        puts = [r for r in webtest.network(d) if r["method"] == "PUT"]
        t.eq(f"{where}: Enter saves with one PUT", 1, len(puts))
        t.eq(f"{where}: the API now holds the new figure", 1500000,
             api.get("/v1/companies/c-029")["rd_spend_eur"])
        t.eq(f"{where}: the stored eligibility follows", False,
             api.get("/v1/companies/c-029/eligibility")["eligible"])
        t.ok(f"{where}: the page says it is saved", "Saved at" in
             d.find_element(By.ID, "profile-status").text)
        t.eq(f"{where}: the report is of the saved profile", True,
             "saved profile" in d.find_element(By.ID, "elig").text)
        check_switch_keeps_draft(t, d)
        t.eq(f"{where}: no console error or CSP violation", [], problems(d))
    finally:
        d.quit()


def check_switch_keeps_draft(t, d):
    where = "company, language switch"
    set_field(d, "f-city", "Frascati")
    d.find_element(By.CSS_SELECTOR, ".langs button[data-lang=it]").click()
    webtest.wait(d, lambda d: d.find_element(By.CSS_SELECTOR, "#page h1").text ==
                 HEADINGS[("company", "it")])
    t.eq(f"{where}: the draft is kept", "Frascati", value(d, "#f-city"))
    t.ok(f"{where}: still marked unsaved, in Italian", "non ancora salvate" in
         d.find_element(By.ID, "profile-status").text)
    webtest.wait(d, lambda d: "Idoneità ESIBE" in d.find_element(By.ID, "elig").text)
    t.ok(f"{where}: the report in Italian", "Non idonea ESIBE" in d.find_element(By.ID, "elig").text)
    webtest.wait(d, lambda d: "1.500.000 EUR" in d.find_element(By.ID, "elig").text)
    # The report is drawn again when the draft's eligibility answers: read the reason once it
    # is there, looked for again when an element is replaced meanwhile.
    rd = webtest.wait(d, lambda d: d.find_element(
        By.CSS_SELECTOR, "#elig li[data-name=rd_threshold]").text or None)
    t.ok(f"{where}: its reasons too, figures written the Italian way", "non soddisfatto" in rd and
         "sotto i 2.000.000 EUR" in rd, rd)
    d.find_element(By.CSS_SELECTOR, ".langs button[data-lang=en]").click()


def company_bad_values(t, daemon, api, shots):
    d = webtest.signed_in(daemon, *COMPANY, 1280, "en")
    where = "company, bad values"
    try:
        open_profile(d, daemon.base, COMPANY[1])
        set_field(d, "f-patents_owned", "-3")
        d.execute_script("const b = document.querySelector('#f-pathologies input[type=checkbox]');"
                         "b.value = 'oncology.nope'; b.checked = true;")
        webtest.network(d)
        t.eq(f"{where}: Save answers with the errors", "summary", save_and_wait(d))
        err = d.find_element(By.ID, "f-patents_owned-error")
        t.ok(f"{where}: next to the count, what to write", err.is_displayed() and
             "whole number from 0 to 100000" in err.text, err.text)
        t.eq(f"{where}: the count is marked invalid", "true",
             d.find_element(By.ID, "f-patents_owned").get_attribute("aria-invalid"))
        perr = d.find_element(By.ID, "f-pathologies-error")
        t.ok(f"{where}: next to the diseases, the unknown term", perr.is_displayed() and
             "not in the list" in perr.text, perr.text)
        t.eq(f"{where}: the diseases' group is marked invalid", "true",
             d.find_element(By.ID, "f-pathologies").get_attribute("aria-invalid"))
        t.eq(f"{where}: the first bad field has the focus", "f-patents_owned",
             d.execute_script("return document.activeElement.id"))
        links = d.find_elements(By.CSS_SELECTOR, "#profile-summary a")
        t.eq(f"{where}: the summary links to each field", ["#f-patents_owned", "#f-pathologies"],
             sorted("#" + a.get_attribute("href").split("#")[1] for a in links))
        t.ok(f"{where}: the summary counts them", "2 to fix" in
             d.find_element(By.ID, "profile-summary").text)
        for a in links:
            if a.get_attribute("href").endswith("#f-pathologies"):
                a.click()
        t.ok(f"{where}: its link moves the focus to the diseases",
             d.execute_script("return document.activeElement.closest('#f-pathologies') !== null"))
        webtest.shot(d, shots, "profile-company-errors-en-1280")
        stored = api.get("/v1/companies/c-029")
        t.eq(f"{where}: nothing stored", (2, ["chronic_degenerative.diabetes"]),
             (stored["patents_owned"], stored["pathologies"]))
        t.eq(f"{where}: no console error but the refusals", [], problems(d, [
            ("/v1/companies/c-029", 422), ("/v1/companies/c-029/eligibility?lang=en", 422)]))
    finally:
        d.quit()


def company_conflict(t, daemon, api, shots):
    d = webtest.signed_in(daemon, *COMPANY, 1280, "en")
    where = "company, changed meanwhile"
    try:
        open_profile(d, daemon.base, COMPANY[1])
        code, _ = api.call("PATCH", "/v1/companies/c-029", {"city": "Torino"})
        t.eq(f"{where}: the API's change is stored", 200, code)
        set_field(d, "f-city", "Napoli")
        t.eq(f"{where}: Save is refused", "summary", save_and_wait(d))
        box = d.find_element(By.ID, "profile-summary")
        t.ok(f"{where}: the page says the profile changed", "changed since you opened it" in box.text
             and "Nothing was overwritten" in box.text, box.text)
        t.eq(f"{where}: the API's change stays", "Torino", api.get("/v1/companies/c-029")["city"])
        webtest.shot(d, shots, "profile-company-conflict-en-1280")
        d.find_element(By.ID, "profile-reload").click()
        webtest.wait(d, lambda d: d.execute_script(
            "const c = document.getElementById('f-city'); return c && c.value === 'Torino'"))
        t.ok(f"{where}: Reload shows the current version", True)
        set_field(d, "f-city", "Napoli")
        t.eq(f"{where}: then Save works", "ok", save_and_wait(d))
        t.eq(f"{where}: and stores it", "Napoli", api.get("/v1/companies/c-029")["city"])
        t.eq(f"{where}: no console error but the refusal", [], problems(d, [
            ("/v1/companies/c-029", 412)]))
    finally:
        d.quit()


def company_hostile(t, daemon, api, shots):
    d = webtest.signed_in(daemon, *COMPANY, 1280, "en")
    where = "company, values made of markup"
    try:
        open_profile(d, daemon.base, COMPANY[1])
        set_field(d, "f-name", HOSTILE_NAME)
        set_field(d, "f-description", HOSTILE_TEXT)
        set_field(d, "f-city", HOSTILE_TEXT)
        t.eq(f"{where}: saved", "ok", save_and_wait(d))
        t.eq(f"{where}: stored as written", HOSTILE_NAME, api.get("/v1/companies/c-029")["name"])
        open_profile(d, daemon.base, COMPANY[1])
        t.eq(f"{where}: the name's input after a reload", HOSTILE_NAME, value(d, "#f-name"))
        t.eq(f"{where}: the description's", HOSTILE_TEXT, value(d, "#f-description"))
        t.eq(f"{where}: the heading shows it as text", HOSTILE_NAME,
             d.find_element(By.CSS_SELECTOR, ".profile-name").text)
        t.eq(f"{where}: no element made of a value", 0, len(d.find_elements(
            By.CSS_SELECTOR, "#page img, #page script, #nav img, #nav script")))
        t.eq(f"{where}: nothing ran", None, d.execute_script("return window.pwned"))
        t.eq(f"{where}: no console error", [], problems(d))
        api.call("PATCH", "/v1/companies/c-029", {"name": "Insulyn", "city": "Roma"})
    finally:
        d.quit()


def company_cannot_reach_another(t, daemon, api):
    """Signed in for c-029: another company's profile page is not offered, and its record and
    draft eligibility are refused through the API with this session."""
    d = webtest.signed_in(daemon, *COMPANY, 1280, "en")
    where = "company, another company"
    try:
        d.get(daemon.base + "/profile?company=c-036")
        webtest.wait(d, lambda d: d.execute_script(
            "const h = document.getElementById('home'); return h && !h.hidden"))
        t.eq(f"{where}: its page is not shown (the home instead)", 0,
             len(d.find_elements(By.ID, "profile-form")))
        open_profile(d, daemon.base, COMPANY[1])
        codes = d.execute_async_script("""
            const done = arguments[arguments.length - 1];
            const draft = {id: 'c-036', name: 'Brevia Bio', rd_spend_eur: 9000000};
            Promise.all([tavolo.api('GET', '/v1/companies/c-036'),
                         tavolo.api('POST', '/v1/companies/c-036/eligibility', draft),
                         tavolo.api('PUT', '/v1/companies/c-036', draft)])
              .then((rs) => done(rs.map((r) => r.status)));""")
        t.eq(f"{where}: its record, draft eligibility and replacement refused", [403, 403, 403],
             codes)
        t.eq(f"{where}: nothing changed", 1999999, api.get("/v1/companies/c-036")["rd_spend_eur"])
        t.eq(f"{where}: no console error but the refusals", [], problems(d, [
            ("/v1/companies/c-036", 403), ("/v1/companies/c-036/eligibility", 403)]))
    finally:
        d.quit()


def investor_ticket(t, daemon, api, shots):
    d = webtest.signed_in(daemon, *INVESTOR, 390, "it")
    where = "investor, it at 390 px"
    try:
        open_profile(d, daemon.base, INVESTOR[1])
        t.eq(f"{where}: the heading", HEADINGS[("investor", "it")],
             d.find_element(By.CSS_SELECTOR, "#page h1").text)
        t.eq(f"{where}: no eligibility report for an investor", 0,
             len(d.find_elements(By.ID, "elig")))
        check_labels(t, d, where)
        no_sideways(t, d, where)
        before = api.get("/v1/investors/i-013")
        set_field(d, "f-ticket_min_eur", "2.000.000")
        set_field(d, "f-ticket_max_eur", "1000000")
        t.eq(f"{where}: the ticket written out", "= 2.000.000 EUR",
             d.find_element(By.ID, "f-ticket_min_eur-hint").text)
        t.eq(f"{where}: a ticket upside down is refused", "summary", save_and_wait(d))
        err = d.find_element(By.ID, "f-ticket_max_eur-error")
        t.ok(f"{where}: next to the largest ticket, in Italian", err.is_displayed() and
             "non può essere inferiore al minimo" in err.text, err.text)
        t.eq(f"{where}: nothing stored", before["ticket_max_eur"],
             api.get("/v1/investors/i-013")["ticket_max_eur"])
        webtest.shot(d, shots, "profile-investor-errors-it-390")
        set_field(d, "f-ticket_max_eur", "9000000")
        stage = "phase2" if "phase2" not in (before.get("stages") or []) else "phase3"
        box = d.find_element(By.CSS_SELECTOR, f"#f-stages input[value={stage}]")
        d.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
        box.click()
        t.eq(f"{where}: saved", "ok", save_and_wait(d))
        after = api.get("/v1/investors/i-013")
        t.eq(f"{where}: the API shows the ticket", (2000000, 9000000),
             (after["ticket_min_eur"], after["ticket_max_eur"]))
        t.ok(f"{where}: and the stage", stage in (after.get("stages") or []), after.get("stages"))
        t.eq(f"{where}: the rest untouched", (before.get("portfolio"), before.get("thesis")),
             (after.get("portfolio"), after.get("thesis")))
        no_sideways(t, d, where)
        t.eq(f"{where}: no console error but the refusal", [], problems(d, [
            ("/v1/investors/i-013", 422)]))
    finally:
        d.quit()


def screenshots(t, daemon, shots):
    """Each profile in both languages at both widths, looked at after a fresh load."""
    for who in (COMPANY, INVESTOR):
        kind = who[1].split(":")[0]
        for width in (1280, 390):
            for lang in ("en", "it"):
                d = webtest.signed_in(daemon, *who, width, lang)
                where = f"{kind}, {lang} at {width} px"
                try:
                    open_profile(d, daemon.base, who[1])
                    t.eq(f"{where}: the heading", HEADINGS[(kind, lang)],
                         d.find_element(By.CSS_SELECTOR, "#page h1").text)
                    no_sideways(t, d, where)
                    webtest.shot(d, shots, f"profile-{kind}-{lang}-{width}")
                    t.eq(f"{where}: no console error", [], problems(d))
                finally:
                    d.quit()


def run(t, daemon, shots):
    api = Api(daemon)
    company_draft_and_save(t, daemon, api, shots)
    company_bad_values(t, daemon, api, shots)
    company_conflict(t, daemon, api, shots)
    company_hostile(t, daemon, api, shots)
    company_cannot_reach_another(t, daemon, api)
    investor_ticket(t, daemon, api, shots)
    screenshots(t, daemon, shots)


def main():
    return webtest.main(__doc__, "web_profile", run)


if __name__ == "__main__":
    sys.exit(main())
