#!/usr/bin/python3
"""Writes an event file (docs/events.md) at BIO-Europe size over profiles that gen_profiles.py
wrote: every company and investor a participant with one person and an e-mail address, three
days of 30-minute slots, 600 tables, and requests both ways in every state. The person of
profile ID is person-ID@bench.example (bench/web_pages.py signs in as it).
Usage: gen_event.py COMPANIES_JSONL INVESTORS_JSONL EVENT_ID OUT [SEED]"""
import json
import random
import sys

companies_in, investors_in, event_id, out = sys.argv[1:5]
rng = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else 11)
companies = [json.loads(line)["id"] for line in open(companies_in)]
investors = [json.loads(line)["id"] for line in open(investors_in)]


def participant(kind, pid):
    p = {"kind": kind, "id": pid,
         "people": [{"name": f"Person {pid}", "email": f"person-{pid}@bench.example"}]}
    if rng.random() < 0.1:  # a few are away for a slot or two, as in the fixtures
        p["unavailable"] = [f"2027-11-0{rng.choice((2, 3, 4))}T{rng.choice(('10', '14'))}:00"]
    return p


# Requests: each company asks two investors, each investor three companies; one pair once.
pairs = {}
for c in companies:
    for i in rng.sample(investors, 2):
        pairs.setdefault((c, i), "company")
for i in investors:
    for c in rng.sample(companies, 3):
        pairs.setdefault((c, i), "investor")
states = ["pending"] * 5 + ["accepted"] * 4 + ["declined"]
requests = [{"company_id": c, "investor_id": i, "from": side,
             "priority": "must" if rng.random() < 0.3 else "want",
             "message": "We would like to meet at the event.", "status": rng.choice(states)}
            for (c, i), side in pairs.items()]

event = {
    "id": event_id, "name": "BIO-Europe 2027 (benchmark)", "city": "Vienna",
    "time_zone": "Europe/Vienna", "days": ["2027-11-02", "2027-11-03", "2027-11-04"],
    "day_start": "09:00", "day_end": "17:00", "slot_minutes": 30,
    "breaks": [{"start": "12:30", "end": "13:30"}], "tables": 600,
    "request_deadline": "2027-10-26T23:59:00+01:00", "default_max_meetings": 12,
    "participants": [participant("company", c) for c in companies]
    + [participant("investor", i) for i in investors],
    "requests": requests,
}
with open(out, "w") as f:
    json.dump(event, f)
