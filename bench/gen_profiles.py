#!/usr/bin/python3
"""Writes N synthetic companies and M synthetic investors as JSON Lines, valid for tavolo,
built from the taxonomy's own terms and synonyms, for benchmarks at scale.
Usage: gen_profiles.py TAXONOMY N M COMPANIES_OUT INVESTORS_OUT [SEED]"""
import json
import random
import sys

tax_path, n, m, companies_out, investors_out = sys.argv[1:6]
rng = random.Random(int(sys.argv[6]) if len(sys.argv) > 6 else 7)
tax = json.load(open(tax_path))
ids = {k: [e["id"] for e in tax[k]] for k in ("pathologies", "technologies", "priorities",
                                              "rounds", "investor_kinds", "regions", "it_regions")}
stages = {t: [e["id"] for e in tax["stages"] if e["track"] == t] for t in ("medicine", "industrial")}
synonyms = {}
for kind in ("pathologies", "technologies", "priorities"):
    for e in tax[kind]:
        synonyms[e["id"]] = e["synonyms"]["en"] + [e["label"]["en"].lower()]
filler = ["preclinical data", "a first patent family", "a lead candidate", "in vivo efficacy",
          "a scalable process", "strong partners", "an experienced team", "clinical proof"]


def text(terms):
    words = [rng.choice(synonyms[t]) for t in terms if synonyms.get(t)]
    return ("We develop " + ", ".join(words) + " with " + rng.choice(filler) + " and "
            + rng.choice(filler) + ".")


def company(i):
    medicine = rng.random() < 0.65
    paths = rng.sample(ids["pathologies"], 2) if medicine else []
    techs = rng.sample(ids["technologies"], 2)
    prios = [] if medicine else rng.sample(ids["priorities"], 2)
    return {"id": f"sc-{i:06d}", "name": f"Synthetic Company {i}",
            "area": "precision_medicine" if medicine else "industrial_environmental",
            "hq_country": "IT", "hq_region": rng.choice(ids["it_regions"]), "city": "Milano",
            "rd_share_italy": round(rng.uniform(0.3, 1), 2),
            "rd_spend_eur": rng.randrange(100000, 9000000), "grants_eur": rng.randrange(0, 2000000),
            "commercial": rng.random() < 0.1, "patents_owned": rng.randrange(0, 10),
            "patents_licensed": rng.randrange(0, 3), "pathologies": paths, "technologies": techs,
            "priorities": prios, "stage": rng.choice(stages["medicine" if medicine else "industrial"]),
            "round": rng.choice(ids["rounds"]), "raise_eur": rng.randrange(500000, 60000000),
            "description": text(paths + techs + prios), "language": "en",
            "wants": {"investor_kinds": rng.sample(ids["investor_kinds"], 2),
                      "regions": rng.sample(ids["regions"], 1), "lead": rng.random() < 0.5},
            "founded": rng.randrange(2005, 2025)}


def investor(i):
    paths = rng.sample(ids["pathologies"], 3)
    techs = rng.sample(ids["technologies"], 3)
    low = rng.choice([250000, 1000000, 3000000, 10000000])
    return {"id": f"si-{i:06d}", "name": f"Synthetic Investor {i}",
            "kind": rng.choice(ids["investor_kinds"]), "country": rng.choice(["IT", "DE", "US", "FR", "AE", "JP"]),
            "regions": rng.sample(ids["regions"], 2), "pathologies": paths, "technologies": techs,
            "priorities": rng.sample(ids["priorities"], 1),
            "stages": rng.sample(stages["medicine"], 2) + rng.sample(stages["industrial"], 1),
            "rounds": rng.sample(ids["rounds"], 2), "ticket_min_eur": low,
            "ticket_max_eur": low * rng.choice([3, 5, 10]), "leads": rng.random() < 0.5,
            "thesis": text(paths + techs), "language": "en", "active": rng.random() < 0.95}


with open(companies_out, "w") as f:
    for i in range(int(n)):
        f.write(json.dumps(company(i)) + "\n")
with open(investors_out, "w") as f:
    for i in range(int(m)):
        f.write(json.dumps(investor(i)) + "\n")
