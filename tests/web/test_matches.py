"""web.matches: "My matches" and the pair page in headless Chromium (docs/web.md). Signed in
through real invitation links, an investor (i-001) in Italian and a company (c-029) in English
see their ranked matches as the API ranks them (names, fits out of 100, level words and reasons
in their language); a filter and a text search narrow the list on the server, the address keeps
them across a reload, and an empty result says so; the "Request a meeting" link carries the
requests page's contract; the pair page shows both public profiles and the blocks of the score
as bars with their numbers, adding up to the score. A company whose name and description hold
markup (<script>, "><img onerror=...>) is shown as text and runs nothing. The session cannot
read another profile's matches or pair. After the investor declines one company and welcomes two,
the declined one is gone from both lists and the page says how the answers moved the rest. No
sideways scroll at 390 px; screenshots of both pages at 1280 and 390 px in both languages; no
console error or CSP violation.

Usage: test_matches.py TAVOLO SHOTS_DIR"""

import json
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import webtest  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

EVIL_NAME = '<script>window.pwned=1</script> Zorblax Bio'
EVIL_TEXT = ('"><img src=x onerror="window.pwned=2"> Zorblax develops gene therapy for heart '
             'failure.')
INVESTOR = ("francesca.dubois@i-001.example", "investor:i-001")
COMPANY = ("luca.dubois@c-029.example", "company:c-029")
LEVELS = {"it": ("eccellente", "buona", "discreta", "debole"),
          "en": ("excellent", "good", "fair", "weak")}
PLURAL = {"company": "companies", "investor": "investors"}
EMPTY = {"it": "Nessuna corrispondenza", "en": "No match passes"}


def api(daemon, token, method, path, body=None, headers=None):
    return daemon.api(method, path, token, body, headers)


def plant_evil_company(daemon, admin):
    """c-evil: Cardiogena's profile (i-001's best match) under a hostile name and description."""
    with open(os.path.join(webtest.ROOT, "fixtures", "companies.jsonl")) as f:
        base = next(json.loads(line) for line in f if '"c-002"' in line)
    base.update(id="c-evil", name=EVIL_NAME, description=EVIL_TEXT,
                contacts=[{"email": "evil@c-evil.example"}])
    return api(daemon, admin, "POST", "/v1/companies", base)[0]


def visible(d, css):
    els = d.find_elements(By.CSS_SELECTOR, css)
    return els[0] if els and els[0].is_displayed() else None


def open_matches(d, daemon, query):
    d.get(daemon.base + "/matches?" + query)
    return wait_list(d)


def wait_list(d):
    webtest.wait(d, lambda d: visible(d, '.matches-results[data-ready="1"]'))
    return d.find_elements(By.CSS_SELECTOR, ".matches-list > li")


def shown(d):
    """The list as the page shows it: (name, fit text, level text, reasons) per item."""
    return d.execute_script("""
        return [...document.querySelectorAll('.matches-list > li')].map(li => [
            li.querySelector('.match-name').textContent,
            li.querySelector('.fit strong').textContent,
            li.querySelector('.fit .level').textContent,
            [...li.querySelectorAll('.match-why li')].map(x => x.textContent)]);""")


def no_sideways(t, d, where):
    sizes = d.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    t.ok(f"{where}: no sideways scroll ({sizes[0]} <= {sizes[1]})", sizes[0] <= sizes[1])


def check_list(t, d, daemon, admin, side, own, lang, where):
    """The page's list is the API's answer, in the page's language."""
    kind, pid = own.split(":")
    status, want = api(daemon, admin, "GET", f"/v1/{PLURAL[kind]}/{pid}/matches?k=20&lang={lang}")
    got = shown(d)
    t.eq(f"{where}: the API answered", 200, status)
    other = "investor_name" if kind == "company" else "company_name"
    t.eq(f"{where}: the matches the API ranks, in its order", [m[other] for m in want["items"]],
         [g[0] for g in got])
    fit = "Affinità" if lang == "it" else "Fit"
    t.ok(f"{where}: each fit out of 100 with its level word in {lang}",
         got and all(g[1] == f"{fit} {m['fit']}/100" and m["level"] in g[2]
                     and m["level"] in LEVELS[lang] for g, m in zip(got, want["items"])), got[:2])
    t.ok(f"{where}: each with its reasons as the API words them",
         all(g[3] == [r["text"] for r in m["top_reasons"]] for g, m in zip(got, want["items"])))
    t.ok(f"{where}: the page says how many in words",
         str(len(got)) in d.find_element(By.ID, "matches-count").text)
    labels = d.execute_script("""return [...document.querySelectorAll(
        '#matches-filters select, #matches-filters input')].every(
        el => !!document.querySelector('label[for="' + el.id + '"]'));""")
    t.ok(f"{where}: every filter field has a label", labels)


def check_filter(t, d, daemon, admin, own, field, value, where):
    """Choosing a filter and submitting narrows the list as the server does, and the address
    keeps it across a reload."""
    kind, pid = own.split(":")
    before = [g[0] for g in shown(d)]
    open_filters(d)
    Select(d.find_element(By.ID, "matches-" + field)).select_by_value(value)
    d.find_element(By.ID, "matches-q").send_keys(Keys.ENTER)
    webtest.wait(d, lambda d: f"{field}={value}" in d.current_url)
    wait_list(d)
    status, want = api(daemon, admin, "GET", f"/v1/{PLURAL[kind]}/{pid}/matches?k=20&{field}={value}")
    names = [g[0] for g in shown(d)]
    other = "investor_name" if kind == "company" else "company_name"
    t.eq(f"{where}: {field}={value} shows the server's filtered list",
         [m[other] for m in want["items"]], names)
    t.ok(f"{where}: {field}={value} changes the list", names and names != before,
         (before, names))
    d.refresh()
    wait_list(d)
    t.eq(f"{where}: a reload keeps {field}={value} and its list", (value, names), (
        Select(d.find_element(By.ID, "matches-" + field)).first_selected_option.get_attribute("value"),
        [g[0] for g in shown(d)]))
    d.find_element(By.ID, "matches-clear").click()
    webtest.wait(d, lambda d: f"{field}=" not in d.current_url)
    wait_list(d)


def open_filters(d):
    """Opens the filters as a person does (on a phone they start closed): Enter on the summary."""
    if not d.execute_script("return document.querySelector('details.matches-filters').open"):
        d.find_element(By.CSS_SELECTOR, "details.matches-filters summary").send_keys(Keys.ENTER)
    webtest.wait(d, lambda d: d.find_element(By.ID, "matches-q").is_displayed())


def search(d, words):
    open_filters(d)
    box = d.find_element(By.ID, "matches-q")
    box.clear()
    box.send_keys(words, Keys.ENTER)
    webtest.wait(d, lambda d: "q=" + urllib.parse.quote_plus(words) in d.current_url)
    return wait_list(d)


def check_pair(t, d, daemon, admin, company, investor, where, evil=False):
    d.get(f"{daemon.base}/pair?company={company}&investor={investor}&event=jpm-2027")
    webtest.wait(d, lambda d: visible(d, '.pair[data-ready="1"]'))
    sides = d.find_elements(By.CSS_SELECTOR, ".pair-side h2")
    status, m = api(daemon, admin, "GET", f"/v1/companies/{company}/matches/{investor}")
    t.eq(f"{where}: both profiles side by side, named", [m["company_name"], m["investor_name"]],
         [s.text for s in sides])
    bars = d.execute_script("""return [...document.querySelectorAll('.block-bars .block-bar')].map(b =>
        [b.dataset.block, b.querySelector('.block-bar-value').textContent,
         b.querySelector('.block-bar-fill').getBoundingClientRect().width]);""")
    t.eq(f"{where}: a bar for every block", sorted(m["contributions"]), sorted(b[0] for b in bars))
    values = [float(b[1].replace(",", ".").replace("\u2212", "-")) for b in bars]
    t.ok(f"{where}: each bar's number is its block's contribution, adding up to the score",
         all(abs(v - m["contributions"][b[0]]) < 0.0006 for v, b in zip(values, bars))
         and abs(sum(values) - m["score"]) < 0.01, (values, m["score"]))
    widths, top = [b[2] for b in bars], max(abs(v) for v in values)
    slack = max(widths) * 0.0006 / top + 2  # the numbers are rounded to 3 decimals
    t.ok(f"{where}: the bars' lengths follow the numbers", all(
        abs(w - abs(v) / top * max(widths)) < slack for w, v in zip(widths, values)),
        (widths, values))
    side_by_side = d.execute_script("""const s = document.querySelectorAll('.pair-side');
        return s[0].getBoundingClientRect().top === s[1].getBoundingClientRect().top;""")
    t.eq(f"{where}: the profiles are side by side on a wide screen, stacked on a phone",
         d.execute_script("return window.innerWidth") >= 600, side_by_side)
    if evil:
        texts = d.execute_script("""return [document.querySelector('#pair-company').textContent,
            [...document.querySelectorAll('.pair-side dd')].map(x => x.textContent)]""")
        t.eq(f"{where}: the hostile name is shown as text", EVIL_NAME, texts[0])
        t.ok(f"{where}: the hostile description is shown as text", EVIL_TEXT in texts[1])
        t.eq(f"{where}: nothing ran", [None, 0], d.execute_script(
            "return [window.pwned === undefined ? null : window.pwned,"
            " document.querySelectorAll('img[src=\"x\"], #page script').length]"))


def investor_in_italian(t, daemon, admin, width, shots):
    where = f"investor i-001, it, {width} px"
    d = webtest.signed_in(daemon, *INVESTOR, width, "it")
    try:
        open_matches(d, daemon, "investor=i-001")
        t.eq(f"{where}: the title", "Le mie corrispondenze", d.find_element(By.CSS_SELECTOR, "#page h1").text)
        check_list(t, d, daemon, admin, "company", INVESTOR[1], "it", where)
        no_sideways(t, d, where)
        if width < 600:
            t.eq(f"{where}: on a phone the filters start closed and the first match shows at once",
                 [False, True], d.execute_script(
                     "return [document.querySelector('details.matches-filters').open,"
                     " document.querySelector('.matches-list > li').getBoundingClientRect().top"
                     " < window.innerHeight]"))
        webtest.shot(d, shots, f"matches-it-{width}")
        if width >= 600:
            d.find_element(By.CSS_SELECTOR, '.langs button[data-lang="en"]').click()
            webtest.wait(d, lambda d: d.find_element(By.CSS_SELECTOR, "#page h1").text == "My matches")
            wait_list(d)
            check_list(t, d, daemon, admin, "company", INVESTOR[1], "en", where + ", switched to en")
            d.find_element(By.CSS_SELECTOR, '.langs button[data-lang="it"]').click()
            webtest.wait(d, lambda d: d.find_element(By.CSS_SELECTOR, "#page h1").text == "Le mie corrispondenze")
            wait_list(d)
        check_filter(t, d, daemon, admin, INVESTOR[1], "area", "industrial_environmental", where)
        items = search(d, "zorblax")
        t.eq(f"{where}: the search finds the company by a word of its name", [EVIL_NAME],
             [g[0] for g in shown(d)])
        t.eq(f"{where}: markup in a name and a description runs nothing", [None, 0],
             d.execute_script("return [window.pwned === undefined ? null : window.pwned,"
                              " document.querySelectorAll('img[src=\"x\"], #page script').length]"))
        t.ok(f"{where}: one item", len(items) == 1)
        search(d, "cuore zorblaxnothing")
        t.ok(f"{where}: an empty result says so", EMPTY["it"] in d.find_element(By.ID, "matches-count").text)
        search(d, "failure")
        t.ok(f"{where}: a word of a description finds its company", EVIL_NAME in [g[0] for g in shown(d)])
        check_pair(t, d, daemon, admin, "c-evil", "i-001", where, evil=True)
        no_sideways(t, d, where + ", pair")
        webtest.shot(d, shots, f"pair-it-{width}")
        if width < 600:  # a phone's shot holds one screen: the chart's too
            d.execute_script("document.querySelector('.pair-chart').scrollIntoView()")
            webtest.shot(d, shots, f"pair-chart-it-{width}")
        t.eq(f"{where}: no console error or CSP violation", [], webtest.console_problems(d))
    finally:
        d.quit()


def company_in_english(t, daemon, admin, width, shots):
    where = f"company c-029, en, {width} px"
    d = webtest.signed_in(daemon, *COMPANY, width, "en")
    try:
        open_matches(d, daemon, "company=c-029")
        t.eq(f"{where}: the title", "My matches", d.find_element(By.CSS_SELECTOR, "#page h1").text)
        check_list(t, d, daemon, admin, "investor", COMPANY[1], "en", where)
        no_sideways(t, d, where)
        webtest.shot(d, shots, f"matches-en-{width}")
        check_filter(t, d, daemon, admin, COMPANY[1], "country", "US", where)
        open_matches(d, daemon, "company=c-029&event=jpm-2027")
        first = d.find_element(By.CSS_SELECTOR, ".matches-list > li")
        link = first.find_element(By.CSS_SELECTOR, "a.button-link").get_attribute("href")
        t.eq(f"{where}: the request link carries the requests page's contract",
             f"/requests?company=c-029&ask={first.get_attribute('data-id')}&event=jpm-2027",
             link.replace(daemon.base, ""))
        first.find_element(By.CSS_SELECTOR, ".match-links a").click()
        webtest.wait(d, lambda d: visible(d, '.pair[data-ready="1"]'))
        t.ok(f"{where}: the pair link opens the pair page for this company",
             "/pair?company=c-029&investor=" in d.current_url)
        chosen = urllib.parse.parse_qs(urllib.parse.urlsplit(d.current_url).query)["investor"][0]
        check_pair(t, d, daemon, admin, "c-029", chosen, where)
        no_sideways(t, d, where + ", pair")
        webtest.shot(d, shots, f"pair-en-{width}")
        d.get(daemon.base + "/pair?company=c-001&investor=i-001")
        webtest.wait(d, lambda d: visible(d, "#home h1"))
        t.eq(f"{where}: a pair of other profiles opens the profile choice, not the pair", 0,
             len(d.find_elements(By.CSS_SELECTOR, ".pair-side")))
        if width == 1280:
            check_session_scope(t, d, daemon, where)
        t.eq(f"{where}: no console error or CSP violation", [], webtest.console_problems(d))
    finally:
        d.quit()


def check_session_scope(t, d, daemon, where):
    """The page's session reads its own matches and pairs only, through the API too."""
    cookie = next(c["value"] for c in d.get_cookies() if c["name"] == "tavolo_session")
    as_me = {"Cookie": "tavolo_session=" + cookie, "X-Tavolo-Profile": "company:c-029"}
    t.eq(f"{where}: the session reads its own filtered matches", 200, api(
        daemon, None, "GET", "/v1/companies/c-029/matches?q=bio", headers=as_me)[0])
    for path in ("/v1/companies/c-001/matches?q=bio", "/v1/companies/c-001/matches/i-001",
                 "/v1/investors/i-001/matches/c-029"):
        t.eq(f"{where}: the session cannot read {path}", 403,
             api(daemon, None, "GET", path, headers=as_me)[0])
    other = dict(as_me, **{"X-Tavolo-Profile": "company:c-001"})
    t.ok(f"{where}: nor act for a company not its own", api(
        daemon, None, "GET", "/v1/companies/c-001/matches", headers=other)[0] in (401, 403))


def investor_taught(t, daemon, admin, shots):
    """i-001 at J.P. Morgan declines one company's request and accepts two others': on its page
    (Italian, a phone) the declined company is gone, the page says the answers shape the list,
    and matches the answers moved say which way; the list is still the API's, in its order."""
    where = "investor i-001 after its answers, it, 390 px"
    asked = {q["company_id"] for q in api(daemon, admin, "GET", "/v1/events/jpm-2027/requests")[1]["items"]
             if q["investor_id"] == "i-001"}
    ranked = [m["company_id"] for m in api(daemon, admin, "GET",
                                           "/v1/investors/i-001/matches?event=jpm-2027&k=20")[1]["items"]]
    fresh = [c for c in ranked if c not in asked]
    declined, welcomed = fresh[1], fresh[2:4]
    for cid, verb in ((declined, "decline"), (welcomed[0], "accept"), (welcomed[1], "accept")):
        status, q = api(daemon, admin, "POST", "/v1/events/jpm-2027/requests",
                        {"company_id": cid, "investor_id": "i-001", "priority": "want", "from": "company"})
        t.eq(f"{where}: {cid} asks for a meeting", 201, status)
        t.eq(f"{where}: i-001 answers {verb}", 200,
             api(daemon, admin, "POST", f"/v1/events/jpm-2027/requests/{q['id']}/{verb}")[0])
    name = api(daemon, admin, "GET", f"/v1/companies/{declined}")[1]["name"]
    d = webtest.signed_in(daemon, *INVESTOR, 390, "it")
    try:
        open_matches(d, daemon, "investor=i-001")
        check_list(t, d, daemon, admin, "company", INVESTOR[1], "it", where)
        t.ok(f"{where}: the company it declined is gone", name not in [g[0] for g in shown(d)])
        t.ok(f"{where}: the page says the answers shape the list",
             "Le tue risposte" in d.find_element(By.CSS_SELECTOR, ".matches-taught").text)
        notes = d.execute_script("return [...document.querySelectorAll('.match-taste')].map(x => x.textContent)")
        t.ok(f"{where}: moved matches say which way, in Italian", notes and all(
            n.startswith("Più in alto") or n.startswith("Più in basso") for n in notes), notes[:3])
        no_sideways(t, d, where)
        webtest.shot(d, shots, "matches-taught-it-390")
        t.eq(f"{where}: no console error or CSP violation", [], webtest.console_problems(d))
    finally:
        d.quit()
    theirs = api(daemon, admin, "GET", f"/v1/companies/{declined}/matches?k=200")[1]["items"]
    t.ok("the declining investor is gone from the declined company's list too",
         "i-001" not in [m["investor_id"] for m in theirs])


def run(t, daemon, shots):
    admin = daemon.cli("token", "create", "--role", "admin").strip()
    t.eq("the hostile company is created", 201, plant_evil_company(daemon, admin))
    for width in (1280, 390):
        investor_in_italian(t, daemon, admin, width, shots)
        company_in_english(t, daemon, admin, width, shots)
    investor_taught(t, daemon, admin, shots)


def main():
    return webtest.main(__doc__, "web_matches", run)


if __name__ == "__main__":
    sys.exit(main())
