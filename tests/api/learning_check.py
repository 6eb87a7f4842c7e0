#!/usr/bin/python3
"""Learning from answers, checked on planted preferences (issue 18, decision 0069).

Each investor has a hidden aversion: one family of technologies (RNA, gene and cell therapy,
immunotherapy, synthetic biology) that its stated thesis does not say it avoids. At a first
event the companies tavolo recommended to it ask it for meetings; it declines most of those
in the family it avoids (accepting a few, then rating the meeting low with no follow-up) and
accepts the others (rating them well, with a follow-up). At a second event, with companies
it has never seen, a meeting is good when the company is among the investor's best 40 by its
stated thesis and not in the family it avoids. Recall at 20 of the good meetings: the
investor's list with learning on against the same with learning off.

  plan BASE TOKEN EVENT COMPANIES_JSONL OUT_DIR [SEED]
      reads each investor's best 20 of EVENT from BASE (nothing learned yet), and writes
      OUT_DIR/requests.sql (the requests and their answers), OUT_DIR/outcomes.sql (the
      answers after the meetings, to run once the event is scheduled) and OUT_DIR/plan.json.
  measure BASE_ON BASE_OFF TOKEN EVENT OUT_DIR FIRST_EVENT
      prints {"learned", "unlearned", "investors", "good"} (micro-averaged recall at 20) and
      one line per leak on stderr: a company's list, or the list of an investor that taught
      nothing, that differs between the two daemons; a closed pair that came back.
"""
import json
import random
import sys
import urllib.request

FAMILIES = ("rna", "gene_cell", "immunotherapy", "synthetic_biology")
TOP, GOOD_AMONG = 20, 40


def get(base, token, path):
    req = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def participants(base, token, event, kind):
    return sorted(p["id"] for p in get(base, token, f"/v1/events/{event}")["participants"]
                  if p["kind"] == kind)


def listed(base, token, side, pid, k, event=None):
    path = f"/v1/{side}/{pid}/matches?k={k}" + (f"&event={event}" if event else "")
    items = get(base, token, path)["items"]
    key = "investor_id" if side == "companies" else "company_id"
    return [(x[key], x["score"], x.get("taste", 0)) for x in items]


def families(company):
    return {t.split(".")[0] for t in company["technologies"]}


def sql_text(s):
    return "'" + s.replace("'", "''") + "'"


def plan(base, token, event, companies_path, out, seed):
    rng = random.Random(seed)
    companies = {c["id"]: c for c in map(json.loads, open(companies_path))}
    avoids, judged, requests, outcomes = {}, [], [], []
    for inv in participants(base, token, event, "investor"):
        avoids[inv] = rng.choice(FAMILIES)
        for cid, _, _ in listed(base, token, "investors", inv, TOP, event):
            liked = avoids[inv] not in families(companies[cid])
            accepted = liked or rng.random() < 0.25
            judged.append({"company": cid, "investor": inv, "liked": liked, "accepted": accepted})
            requests.append(f"({sql_text(event)}, {sql_text(cid)}, {sql_text(inv)}, 'company', "
                            f"'want', '{'accepted' if accepted else 'declined'}', now())")
            if accepted:  # the investor's answer after the meeting; the company's, by chance
                rating = rng.choice((4, 5)) if liked else rng.choice((1, 2))
                outcomes.append((cid, inv, "investor", rating, liked))
                outcomes.append((cid, inv, "company", rng.randint(1, 5), rng.random() < 0.5))
    with open(f"{out}/requests.sql", "w") as f:
        f.write("INSERT INTO meeting_requests (event_id, company_id, investor_id, from_kind, "
                "priority, status, decided_at) VALUES\n" + ",\n".join(requests) + ";\n")
    with open(f"{out}/outcomes.sql", "w") as f:
        rows = ",\n".join(f"({sql_text(c)}, {sql_text(i)}, '{s}', {r}, {str(u).lower()})"
                          for c, i, s, r, u in outcomes)
        f.write("INSERT INTO meeting_outcomes (event_id, meeting_id, side, recorded_by, held, "
                "rating, follow_up) SELECT m.event_id, m.id, a.side, 'planted', true, a.rating, "
                f"a.follow_up FROM meetings m JOIN (VALUES\n{rows}) AS a (company_id, investor_id, "
                "side, rating, follow_up) ON m.company_id = a.company_id AND m.investor_id = "
                f"a.investor_id WHERE m.event_id = {sql_text(event)} AND m.status <> 'cancelled';\n")
    json.dump({"avoids": avoids, "judged": judged}, open(f"{out}/plan.json", "w"), indent=1)


def recall(lists, good):
    hits = sum(len({c for c, _, _ in lists[i][:TOP]} & good[i]) for i in good)
    return round(hits / max(1, sum(min(len(g), TOP) for g in good.values())), 4)


def measure(on, off, token, event, out, first):
    p = json.load(open(f"{out}/plan.json"))
    avoids, leaks = p["avoids"], []
    met = {(m["company_id"], m["investor_id"])
           for m in get(on, token, f"/v1/events/{first}/meetings")["items"]
           if m["status"] != "cancelled"}
    companies = {}
    investors = participants(on, token, event, "investor")
    for cid in participants(on, token, event, "company"):
        companies[cid] = get(on, token, f"/v1/companies/{cid}")
    taught = [i for i in investors if i in avoids]
    good, learned, unlearned = {}, {}, {}
    for inv in taught:
        stated = listed(off, token, "investors", inv, GOOD_AMONG, event)
        good[inv] = {c for c, _, _ in stated if avoids[inv] not in families(companies[c])}
        unlearned[inv] = stated[:TOP]
        learned[inv] = listed(on, token, "investors", inv, TOP, event)
    # Nothing leaks: companies' lists and the lists of investors that taught nothing are the
    # same whether the taught investors' theses move or not.
    for cid in sorted(set(companies) | {j["company"] for j in p["judged"]}):
        if listed(on, token, "companies", cid, 50) != listed(off, token, "companies", cid, 50):
            leaks.append(f"company {cid}: its list depends on what investors taught")
    for inv in (i for i in investors if i not in avoids):
        if listed(on, token, "investors", inv, 50) != listed(off, token, "investors", inv, 50):
            leaks.append(f"investor {inv} taught nothing, yet its list depends on others'")
    # Closed pairs never come back: a declined request for both sides, a low rating for the
    # investor only.
    for j in p["judged"]:
        if j["liked"] or (j["accepted"] and (j["company"], j["investor"]) not in met):
            continue
        own = {c for c, _, _ in listed(on, token, "investors", j["investor"], 200)}
        theirs = {i for i, _, _ in listed(on, token, "companies", j["company"], 200)}
        if j["company"] in own:
            leaks.append(f"{j['investor']} said no to {j['company']}, which came back in its list")
        if not j["accepted"] and j["investor"] in theirs:
            leaks.append(f"{j['investor']} declined {j['company']}, yet is back in the company's list")
    for line in leaks:
        print(line, file=sys.stderr)
    print(json.dumps({"learned": recall(learned, good), "unlearned": recall(unlearned, good),
                      "investors": len(taught), "good": sum(len(g) for g in good.values())}))


if __name__ == "__main__":
    if sys.argv[1] == "plan":
        plan(*sys.argv[2:7], int(sys.argv[7]) if len(sys.argv) > 7 else 18)
    else:
        measure(*sys.argv[2:8])
