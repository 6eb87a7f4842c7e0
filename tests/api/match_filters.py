"""The expected answer of a filtered matches query, computed from the fixtures apart from the
daemon: the profiles of the other side that pass the filters, in the order of the unfiltered
list of all of them (k=200), cut to k. Used by test_match_filters.sh.

Usage: match_filters.py FIXTURES FULL_JSON FILTERED_JSON SIDE K NAME=VALUE...
SIDE is the other side ("company" or "investor"). Prints "same N" when FILTERED holds exactly
the expected ids in order (N of them), else what differs."""

import json
import re
import sys
import urllib.parse


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    fixtures, full_path, got_path, side, k = sys.argv[1:6]
    filters = {k: urllib.parse.unquote(v) for k, v in (a.split("=", 1) for a in sys.argv[6:])}
    tax = json.load(open(f"{fixtures}/taxonomy.json"))
    parent = {e["id"]: e.get("parent") for kind in ("pathologies", "technologies", "priorities")
              for e in tax[kind]}
    area_of = {e["id"]: e.get("area") for kind in ("technologies", "priorities") for e in tax[kind]}

    def ancestors(term):
        while term:
            yield term
            term = parent.get(term)

    def root(term):
        return list(ancestors(term))[-1]

    def under(terms, wanted):
        return any(wanted in ancestors(t) for t in terms or [])

    def words(text):
        return re.findall(r"[a-z0-9\u0080-\uffff]+", (text or "").lower())

    def passes(p):
        if side == "company":
            area_ok = p.get("area") == filters.get("area")
            stage_ok = p.get("stage") == filters.get("stage")
            country = p.get("hq_country")
            text = words(p["name"]) + words(p.get("description"))
        else:
            area_ok = any(area_of.get(root(t)) == filters.get("area")
                          for t in (p.get("technologies") or []) + (p.get("priorities") or []))
            stage_ok = filters.get("stage") in (p.get("stages") or [])
            country = p.get("country")
            text = words(p["name"])  # the thesis is not public, so not searched
        checks = {
            "area": area_ok, "stage": stage_ok,
            "country": country == filters.get("country", "").upper(),
            "pathology": under(p.get("pathologies"), filters.get("pathology")),
            "technology": under(p.get("technologies"), filters.get("technology")),
            "q": all(any(w.startswith(q) for w in text) for q in words(filters.get("q"))),
        }
        return all(checks[name] for name in filters)

    profiles = {p["id"]: p for p in load(f"{fixtures}/{'companies' if side == 'company' else 'investors'}.jsonl")}
    key = f"{side}_id"
    order = [m[key] for m in json.load(open(full_path))["items"]]
    expected = [i for i in order if passes(profiles[i])][: int(k)]
    got = [m[key] for m in json.load(open(got_path))["items"]]
    print(f"same {len(got)}" if got == expected else f"expected {expected}, got {got}")


main()
