#!/usr/bin/python3
"""The outcomes report (GET /v1/events/{id}/report, decision 0068) against the same figures
counted here, apart from the daemon: the requests and meetings of the API, each side's answers
(GET .../outcomes), the profiles' documents, each pair's fit (the pair route) and the company's
best 20 of the event's investors by each pair's own score (the pair route). Prints one line per
difference, nothing when they agree; with --show, the report.

Usage: report_check.py BASE ADMIN_TOKEN EVENT [--show]
       report_check.py BASE ADMIN_TOKEN --tour EVENT...   (GET /v1/report: every event together)"""
import collections
import json
import sys
import urllib.request

MIN_CASES, K_RECOMMENDED, KS = 10, 20, (5, 10, 20)


def get(base, token, path):
    req = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def rate(cases, count):
    enough = cases >= MIN_CASES
    return {"cases": cases, "count": count, "rate": round(count / cases, 4) if enough else None,
            "too_few": not enough}


def main():
    base, token = sys.argv[1:3]
    tour = sys.argv[3] == "--tour"
    events = [a for a in sys.argv[4 if tour else 3:] if not a.startswith("--")]
    fits, tops, docs = {}, {}, {}

    def pair(c, i):
        if (c, i) not in fits:
            fits[(c, i)] = get(base, token, f"/v1/companies/{c}/matches/{i}")
        return fits[(c, i)]

    def fit(c, i):
        return pair(c, i)["fit"]

    def rank(event, c, i):
        # What tavolo recommended before anyone answered: the event's investors allowed for the
        # company by each pair's own score (the pair route), not its list as served now, which
        # leaves out the pairs closed since (decision 0069).
        if (event, c) not in tops:
            investors = sorted(p["id"] for p in get(base, token, f"/v1/events/{event}")["participants"]
                               if p["kind"] == "investor")
            scored = [(-pair(c, x)["score"], x) for x in investors if pair(c, x)["allowed"]]
            tops[(event, c)] = [x for _, x in sorted(scored)[:K_RECOMMENDED]]
        return tops[(event, c)].index(i) + 1 if i in tops[(event, c)] else 0

    def doc(kind, pid):
        if (kind, pid) not in docs:
            docs[(kind, pid)] = get(base, token, f"/v1/{ {'company': 'companies', 'investor': 'investors'}[kind]}/{pid}")
        return docs[(kind, pid)]

    want = {"acceptance": {}, "by_fit_decile": [], "by": collections.defaultdict(dict), "recall": []}
    acc = {"recommended": [0, 0], "other": [0, 0]}
    acc_d = [[0, 0] for _ in range(10)]
    for event, q in ((e, q) for e in events for q in get(base, token, f"/v1/events/{e}/requests")["items"]):
        if q["status"] == "pending":
            continue
        a = q["status"] == "accepted"
        side = acc["recommended" if rank(event, q["company_id"], q["investor_id"]) else "other"]
        side[0] += 1
        side[1] += a
        d = min(fit(q["company_id"], q["investor_id"]) // 10, 9)
        acc_d[d][0] += 1
        acc_d[d][1] += a
    want["acceptance"] = {k: rate(*v) for k, v in acc.items()}
    want["acceptance"]["by_fit_decile"] = [{"decile": d, "requests": rate(*acc_d[d])} for d in range(10)]

    cal = [{"meetings": 0, "rated": 0, "sum": 0.0, "follow": [0, 0]} for _ in range(10)]
    recall = {k: [0, 0] for k in KS}
    by = collections.defaultdict(lambda: collections.defaultdict(lambda: [0, 0, 0, 0, 0]))
    for event, m in ((e, m) for e in events for m in get(base, token, f"/v1/events/{e}/meetings")["items"]):
        if m["status"] == "cancelled":
            continue
        sides = get(base, token, f"/v1/events/{event}/meetings/{m['id']}/outcomes")["sides"]
        answers = [sides[s] for s in ("company", "investor") if s in sides]
        held = [a["held"] for a in answers if a["held"] is not None]
        no_show = m["status"] == "no_show" or (False in held and True not in held)
        ratings = [a["rating"] for a in answers if a["rating"] is not None]
        steps = [s["kind"] for a in answers for s in a["next_steps"]]
        followed = any(a["follow_up"] for a in answers) or any(s != "none" for s in steps)
        d = min(fit(m["company_id"], m["investor_id"]) // 10, 9)
        cal[d]["meetings"] += 1
        if ratings:
            cal[d]["rated"] += 1
            cal[d]["sum"] += (sum(ratings) * 1000 // len(ratings)) / 1000
        if answers:
            cal[d]["follow"][0] += 1
            cal[d]["follow"][1] += followed
        r = rank(event, m["company_id"], m["investor_id"])
        for k in KS:
            if followed:
                recall[k][0] += 1
                recall[k][1] += 0 < r <= k
        c, i = doc("company", m["company_id"]), doc("investor", m["investor_id"])
        dims = {"area": [c.get("area", "")], "pathology": sorted({p.split(".")[0] for p in c.get("pathologies", [])}),
                "technology": sorted({p.split(".")[0] for p in c.get("technologies", [])}),
                "investor_kind": [i.get("kind", "")], "investor_country": [i.get("country", "")]}
        for dim, keys in dims.items():
            for key in keys:
                if not key:
                    continue
                row = by[dim][key]
                row[0] += 1
                row[1] += no_show
                row[2] += followed
                row[3] += "term_sheet" in steps
                row[4] += "investment" in steps
    want["by_fit_decile"] = [{"decile": d, "meetings": x["meetings"], "rated": x["rated"],
                              "mean_rating": round(x["sum"] / x["rated"], 3) if x["rated"] >= MIN_CASES else None,
                              "too_few": x["rated"] < MIN_CASES, "follow_up": rate(*x["follow"])}
                             for d, x in enumerate(cal)]
    want["by"] = {dim: dict(rows) for dim, rows in by.items()}
    want["recall"] = [{"k": k, "meetings": rate(*recall[k])} for k in KS]

    got = get(base, token, "/v1/report" if tour else f"/v1/events/{events[0]}/report")
    if "--show" in sys.argv:
        print(json.dumps(got, indent=1))
    for r in (got["acceptance"]["recommended"], got["acceptance"]["other"],
              *(x["requests"] for x in got["acceptance"]["by_fit_decile"]),
              *(x["follow_up"] for x in got["by_fit_decile"]), *(x["meetings"] for x in got["recall"])):
        if r["rate"] is not None:
            r["rate"] = round(r["rate"], 4)
    for x in got["by_fit_decile"]:
        if x["mean_rating"] is not None:
            x["mean_rating"] = round(x["mean_rating"], 3)
    for key in ("acceptance", "by_fit_decile", "by", "recall"):
        if got[key] != want[key]:
            print(f"{key}: expected {json.dumps(want[key])[:600]}, got {json.dumps(got[key])[:600]}")
    # the check has something to check: enough cases somewhere, too few elsewhere
    rates = [x["requests"]["rate"] for x in got["acceptance"]["by_fit_decile"]] + \
        [x["mean_rating"] for x in got["by_fit_decile"]]
    if all(r is None for r in rates) or all(r is not None for r in rates):
        print("the event should give some figures and some 'too few cases'")


if __name__ == "__main__":
    main()
