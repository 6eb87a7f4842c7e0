#!/usr/bin/python3
"""The published JSON Schemas and tavolo's validator agree: every fixture is valid under
both, and each case of schema_cases.jsonl gets the same verdict from python3-jsonschema (an
independent implementation) and from `tavolo import --dry-run`."""
import json
import os
import subprocess
import sys
import tempfile

import jsonschema

tavolo = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
fixtures = os.path.join(here, "..", "..", "fixtures")
schemas = {k: json.load(open(os.path.join(fixtures, "schema", f"{k}.schema.json")))
           for k in ("company", "investor")}
passed = failed = 0


def check(ok, what):
    global passed, failed
    print(("ok - " if ok else "not ok - ") + what)
    passed += ok
    failed += not ok


def schema_valid(kind, record):
    v = jsonschema.Draft202012Validator(schemas[kind])
    return not list(v.iter_errors(record))


def tavolo_valid(kind, record):
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        f.write(json.dumps(record) + "\n")
    try:
        r = subprocess.run([tavolo, "import", "--dry-run", "--kind", kind, f.name],
                           capture_output=True, text=True, env=dict(os.environ,
                           TAVOLO_DATABASE_URL="host=/nonexistent"))
        return r.returncode == 0
    finally:
        os.unlink(f.name)


for kind, name in (("company", "companies.jsonl"), ("investor", "investors.jsonl")):
    records = [json.loads(l) for l in open(os.path.join(fixtures, name)) if l.strip()]
    bad = [r["id"] for r in records if not schema_valid(kind, r)]
    check(not bad, f"every fixture {kind} is valid under the schema {bad}")

for line in open(os.path.join(here, "schema_cases.jsonl")):
    if not line.strip():
        continue
    case = json.loads(line)
    s = schema_valid(case["kind"], case["record"])
    t = tavolo_valid(case["kind"], case["record"])
    check(s == case["valid"] and t == case["valid"],
          f"{case['why']}: expected {case['valid']}, schema {s}, tavolo {t}")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
