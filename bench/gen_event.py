#!/usr/bin/python3
"""Writes an event file (docs/events.md) at BIO-Europe size over profiles that gen_profiles.py
wrote: every company and investor a participant with one person and an e-mail address, three
days of 30-minute slots from 09:00 with an hour's break at 12:30, 600 tables, and requests
both ways in every state. The person of profile ID is person-ID@bench.example
(bench/web_pages.py signs in as it).
Usage: gen_event.py COMPANIES_JSONL INVESTORS_JSONL EVENT_ID OUT [SEED]
                    [--slots-per-day N] [--max-meetings N]
  --slots-per-day N: slots in a day (14 by default: 09:00 to 17:00); the day ends later
                     for more (16: 18:00, issue 17's size); at least 9
  --max-meetings N:  the event's default_max_meetings (12 by default); the scheduler also
                     takes 3 x N matched investors per company as candidates"""
import argparse
import json
import random

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
for name in ("companies_in", "investors_in", "event_id", "out"):
    ap.add_argument(name)
ap.add_argument("seed", nargs="?", type=int, default=11)
ap.add_argument("--slots-per-day", type=int, default=14, metavar="N")
ap.add_argument("--max-meetings", type=int, default=12, metavar="N")
args = ap.parse_args()
if args.slots_per_day < 9:
    ap.error("--slots-per-day: at least 9 (some participants are away at 14:00)")
companies_in, investors_in, event_id, out = (args.companies_in, args.investors_in,
                                             args.event_id, args.out)
rng = random.Random(args.seed)
companies = [json.loads(line)["id"] for line in open(companies_in)]
investors = [json.loads(line)["id"] for line in open(investors_in)]
# The day: 09:00, the slots and the hour's break at 12:30.
minutes = 9 * 60 + 30 * args.slots_per_day + 60
day_end = f"{minutes // 60:02d}:{minutes % 60:02d}"


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
    "day_start": "09:00", "day_end": day_end, "slot_minutes": 30,
    "breaks": [{"start": "12:30", "end": "13:30"}], "tables": 600,
    "request_deadline": "2027-10-26T23:59:00+01:00", "default_max_meetings": args.max_meetings,
    "participants": [participant("company", c) for c in companies]
    + [participant("investor", i) for i in investors],
    "requests": requests,
}
with open(out, "w") as f:
    json.dump(event, f)
