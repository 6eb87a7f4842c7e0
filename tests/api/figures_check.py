#!/usr/bin/python3
"""The organisers' figures (GET /v1/events/{id}/figures, GET /v1/figures, ?esibe=true) against
the same counts made here from the API's own lists: the events' files, meetings and requests,
the investors' kinds and the companies the engine judges ESIBE-eligible (GET
/v1/companies?eligible=true). Prints one line per difference; nothing when they agree.

Usage: figures_check.py BASE ADMIN_TOKEN EVENT..."""
import collections
import json
import sys
import urllib.request


def get(base, token, path):
    req = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def every(base, token, path):
    items, after = [], ""
    while True:
        page = get(base, token, f"{path}&limit=200" + (f"&after={after}" if after else ""))
        items += page["items"]
        if not page.get("next"):
            return items
        after = page["next"]


def expected(base, token, events, eligible, investors):
    """The figures of 'events', counted here; 'eligible' a set of company ids or None."""
    keep = (lambda c: True) if eligible is None else (lambda c: c in eligible)
    meetings, participants, requests = [], set(), []
    for ev in events:
        doc = get(base, token, f"/v1/events/{ev}")
        participants |= {(p["kind"], p["id"]) for p in doc["participants"]
                         if p["kind"] == "investor" or keep(p["id"])}
        meetings += [m for m in get(base, token, f"/v1/events/{ev}/meetings")["items"]
                     if m["status"] != "cancelled" and keep(m["company_id"])]
        requests += [q for q in get(base, token, f"/v1/events/{ev}/requests")["items"] if keep(q["company_id"])]
    per = collections.Counter()
    for kind, pid in participants:
        side = "company_id" if kind == "company" else "investor_id"
        per[(kind, sum(1 for m in meetings if m[side] == pid))] += 1
    kinds = collections.Counter(investors[m["investor_id"]]["kind"] for m in meetings)
    covered = collections.defaultdict(set)
    for m in meetings:
        covered[investors[m["investor_id"]]["kind"]].add(m["company_id"])
    return {
        "meetings": len(meetings),
        "companies": sum(1 for k, _ in participants if k == "company"),
        "per_participant": sorted([k, n, c] for (k, n), c in per.items()),
        "requests": {s: {"sent": sum(1 for q in requests if q["from"] == s),
                         "accepted": sum(1 for q in requests if q["from"] == s and q["status"] == "accepted")}
                     for s in ("company", "investor")},
        "by_investor_kind": sorted([k, c] for k, c in kinds.items()),
        "coverage": sorted([k, len(c)] for k, c in covered.items()),
    }


def served(f):
    return {
        "meetings": f["meetings"], "companies": f["companies"],
        "per_participant": sorted([x["kind"], x["meetings"], x["participants"]] for x in f["per_participant"]),
        "requests": f["requests"],
        "by_investor_kind": sorted([x["key"], x["meetings"]] for x in f["by_investor_kind"]),
        "coverage": sorted([x["kind"], x["companies"]] for x in f["coverage"]),
    }


def main():
    base, token, events = sys.argv[1], sys.argv[2], sys.argv[3:]
    investors = {i["id"]: i for i in every(base, token, "/v1/investors?")}
    eligible = {c["id"] for c in every(base, token, "/v1/companies?eligible=true")}
    if not eligible or len(eligible) == len(every(base, token, "/v1/companies?")):
        print("the fixtures must have eligible and ineligible companies for this check")
    cases = [(f"/v1/events/{ev}/figures{q}", [ev], only) for ev in events
             for q, only in (("", None), ("?esibe=true", eligible))]
    cases += [(f"/v1/figures{q}", events, only) for q, only in (("", None), ("?esibe=true", eligible))]
    for path, evs, only in cases:
        f = get(base, token, path)
        want, got = expected(base, token, evs, only, investors), served(f)
        for key in want:
            if want[key] != got[key]:
                print(f"{path}: {key}: expected {want[key]}, got {got[key]}")
        if f["esibe_only"] != (only is not None) or sorted(f["events"]) != sorted(evs):
            print(f"{path}: says events {f['events']} esibe_only {f['esibe_only']}")


if __name__ == "__main__":
    main()
