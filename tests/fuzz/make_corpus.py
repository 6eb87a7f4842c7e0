#!/usr/bin/python3
"""Writes the seed corpora of the fuzz harnesses (tests/fuzz/corpus/<parser>/) from the
fixtures: small inputs (a few records, a cut-down event and taxonomy) that reach each parser's
main paths. Run it again after a fixture's format changes; libFuzzer grows its own corpus in
build-fuzz/corpus/ from these."""
import json
import os
import re
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIX = os.path.join(ROOT, "fixtures")


def lines(rel, n):
    with open(os.path.join(FIX, rel), encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip()][:n]


def write(parser, name, text):
    d = os.path.join(HERE, "corpus", parser)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "w", encoding="utf-8", newline="") as f:
        f.write(text)


def profile():
    for i, line in enumerate(lines("companies.jsonl", 3) + lines("planted/companies.jsonl", 5)):
        write("profile", f"company-{i}.json", line)
    for i, line in enumerate(lines("investors.jsonl", 2) + lines("planted/investors.jsonl", 4)):
        write("profile", f"investor-{i}.json", line)
    write("profile", "patch-name.json", '{"name": "Nuovo nome", "wants": {"lead": null}}')


def records():
    csv = lines("import/companies_sample.csv", 3)
    write("records", "companies.csv", "\n".join(csv) + "\n")
    write("records", "companies.jsonl", "\n".join(lines("import/companies_sample.jsonl", 2)) + "\n")
    inv = [json.loads(x) for x in lines("planted/investors.jsonl", 2)]
    write("records", "investors.json", json.dumps(inv, ensure_ascii=False))
    write("records", "investors.csv",
          "id,name,kind,country,ticket_min_eur,ticket_max_eur,pathologies,leads\n"
          "i-900,Fondo Prova,vc,IT,1000000,5000000,oncology;rna,true\n"
          "i-900,Doppio,vc,IT,,,,\n")


def csv():
    write("csv", "sample.csv", "\n".join(lines("import/companies_sample.csv", 2)) + "\n")
    write("csv", "quotes.csv", 'a,"b ""c""",d\r\n"two\nlines",x,\n,,\n')
    write("csv", "bom.csv", "\ufeffid,name\nc-1,\"Uno\"\n")
    write("csv", "unbalanced.csv", 'id,name\nc-1,"open\n')


def event():
    for name in ("bio-2027", "jpm-2027"):
        with open(os.path.join(FIX, "events", name + ".json"), encoding="utf-8") as f:
            e = json.load(f)
        reqs = e["requests"][:2]
        keep = {(r["company_id"], r["investor_id"]) for r in reqs}
        ids = {c for c, _ in keep} | {i for _, i in keep}
        people = [p for p in e["participants"] if p["id"] in ids]
        for p in e["participants"]:
            if "unavailable" in p and p not in people:
                people.append(p)
                break
        e["participants"], e["requests"] = people, reqs
        write("event", name + ".json", json.dumps(e, ensure_ascii=False, indent=1))


def time():
    cases = {
        "local.txt": "America/Los_Angeles\n2027-01-11T10:00",
        "seconds.txt": "America/Los_Angeles\n2027-01-11T10:30:00",
        "offset.txt": "America/Los_Angeles\n2027-01-11T10:00:00-08:00",
        "other-offset.txt": "America/Los_Angeles\n2027-01-11T19:00:00+01:00",
        "zulu.txt": "Etc/UTC\n1970-01-01T00:00Z",
        "gap.txt": "America/Los_Angeles\n2027-03-14T02:30",
        "overlap.txt": "Europe/Rome\n2027-10-31T02:30:00",
        "half-hour.txt": "Asia/Kolkata\n2027-01-11T10:00:59+05:30",
        "unknown-zone.txt": "Mars/Olympus\n2027-01-11T10:00",
    }
    for name, text in cases.items():
        write("time", name, text)


def match_config():
    with open(os.path.join(FIX, "match.json"), encoding="utf-8") as f:
        text = f.read()
    write("match_config", "match.json", text)
    write("match_config", "weights.json", '{"weights": {"text": 0.5, "lead": 0}, "lists": {"k": 10}}')
    write("match_config", "set-weight.txt", "weights.text=0.25")
    write("match_config", "set-mask.txt", "masks.eligible_only=true")
    write("match_config", "set-width.txt", "text_width=512")


def taxonomy():
    with open(os.path.join(FIX, "taxonomy.json"), encoding="utf-8") as f:
        t = json.load(f)
    cut = {"version": t["version"]}
    for kind, entries in t.items():
        if not isinstance(entries, list) or not entries or not isinstance(entries[0], dict):
            continue
        tops = [e for e in entries if "parent" not in e]
        if kind == "stages":
            kept = [e for e in tops if e.get("track") == "medicine"][:2]
            kept += [e for e in tops if e.get("track") == "industrial"][:1]
        else:
            kept = tops[:2]
        kept += [e for e in entries if e.get("parent") == kept[0]["id"]][:2]
        for e in kept:
            e["synonyms"] = {lang: s[:1] for lang, s in e.get("synonyms", {}).items()}
        cut[kind] = kept
    countries = {c for e in cut.get("regions", []) for c in e.get("countries", [])}
    cut["countries"] = sorted(countries | set(t["countries"][:6]) | {"IT", "US"})
    cut["stopwords"] = {lang: words[:3] for lang, words in t["stopwords"].items()}
    write("taxonomy", "cut.json", json.dumps(cut, ensure_ascii=False, indent=1))


def query():
    cases = {
        "list.txt": "limit\nlimit=20&after=p-co-fit&area=precision_medicine",
        "filter.txt": "pathology\npathology=oncology&technology=rna&eligible=true",
        "escapes.txt": "after\nafter=c%2D001+x&limit=5",
        "matches.txt": "k\nk=5&event=jpm-2027&lang=it",
        "digest.txt": "date\ndate=2027-01-11&event=jpm-2027",
        "agenda.txt": "participant\nparticipant=c-001",
        "repeat.txt": "limit\nlimit=2&limit=3",
    }
    for name, text in cases.items():
        write("query", name, text)


def keys(value, out):
    """Collects the object keys and the id-like strings of a JSON value into 'out'."""
    if isinstance(value, dict):
        for k, v in value.items():
            out.add(k)
            keys(v, out)
    elif isinstance(value, list):
        for v in value:
            keys(v, out)
    elif isinstance(value, str) and re.fullmatch(r"[a-z0-9_.:-]{1,24}", value):
        out.add(value)  # ids and enumerated values, not names


def dict_entry(text):
    """One libFuzzer dictionary line: the text in double quotes, with \\ and " escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"\n'


def dictionary():
    """tests/fuzz/json.dict: JSON's tokens and the fixtures' keys and short values (quoted),
    so that mutations of the JSON parsers' inputs form members the decoders know."""
    words = set()
    for rel in ("companies.jsonl", "investors.jsonl", "planted/companies.jsonl",
                "planted/investors.jsonl"):
        for line in lines(rel, 1000):
            keys(json.loads(line), words)
    for rel in ("match.json", "taxonomy.json", "events/jpm-2027.json"):
        with open(os.path.join(FIX, rel), encoding="utf-8") as f:
            keys(json.load(f), words)
    tokens = ["{", "}", "[", "]", ":", ",", "true", "false", "null", "0", "-1", "0.5", "1e400",
              "9223372036854775808", "\\u0000", "\\ud800", '\\"', "{}", "[]"]
    with open(os.path.join(HERE, "json.dict"), "w", encoding="utf-8") as f:
        f.write("# JSON tokens and the fixtures' keys and short values (make_corpus.py).\n")
        for t in tokens:
            f.write(dict_entry(t))
        for w in sorted(words):
            if w.isprintable() and w.isascii():
                f.write(dict_entry(json.dumps(w)))


def routes():
    with open(os.path.join(ROOT, "api", "router.c"), encoding="utf-8") as f:
        return re.findall(r'^\s*\{"([A-Z]+)", "(/[^"]*)"', f.read(), re.M)


def path():
    fill = {"{id}": "p-co-fit", "{rid}": "12", "{mid}": "7"}
    for i, (_, pattern) in enumerate(routes()):
        p = re.sub(r"\{[a-z]+\}", lambda m: fill[m.group(0)], pattern)
        write("path", f"route-{i:02d}.txt", p)
    write("path", "escaped.txt", "/v1/companies/p%2Dco%2dfit/matches")
    write("path", "nul.txt", "/v1/investors/p-inv%00lung")


def request():
    company = lines("planted/companies.jsonl", 1)[0]
    investor = lines("planted/investors.jsonl", 1)[0]
    cases = {
        "get-company.txt": "GET /v1/companies/p-co-fit",
        "list.txt": "GET /v1/companies?limit=2&after=p-co-fit",
        "matches.txt": "GET /v1/investors/p-inv-lung/matches?k=3&lang=en",
        "eligibility.txt": "GET /v1/companies/p-co-fit/eligibility",
        "unknown.txt": "GET /v1/companies/nope",
        "escaped.txt": "GET /v1/companies/p%2Dco%2Dfit/matches?k=2",
        "put-company.txt": "PUT /v1/companies/p-co-fit\n" + company,
        "post-investor.txt": "POST /v1/investors\n" + investor,
        "patch.txt": 'PATCH /v1/companies/p-co-fit\n{"name": "Nuovo"}',
        "bad-json.txt": 'POST /v1/companies\n{"id":',
        "digest.txt": "GET /v1/digests?date=2027-01-11",
        "method.txt": "DELETE /v1/companies",
        "healthz.txt": "GET /healthz",
    }
    for name, text in cases.items():
        write("request", name, text)


if __name__ == "__main__":
    shutil.rmtree(os.path.join(HERE, "corpus"), ignore_errors=True)
    for make in (profile, records, csv, event, time, match_config, taxonomy, query, path, request,
                 dictionary):
        make()
