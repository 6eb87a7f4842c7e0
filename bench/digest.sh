#!/usr/bin/env bash
# Digest benchmark: N companies and M investors, every one with a contact (half Italian, half
# English), on a throwaway PostgreSQL; times `tavolo digest` for one date, then a second run
# (every recipient already done). Prints the job's span (first to last digest transaction) and
# the delivery's (first to last message written), and the load average, apart from the total.
# Usage: bench/digest.sh TAVOLO [N] [M]
set -euo pipefail
TAVOLO=$(realpath "$1")
N=${2:-40000}
M=${3:-10000}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
export TAVOLO_HOME=$work
chmod 755 "$work"
cleanup() { "$TAVOLO" db stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
export TAVOLO_DATABASE_URL
TAVOLO_DATABASE_URL=$("$TAVOLO" db start --no-fsync)
/usr/bin/python3 "$here/gen_profiles.py" "$here/../fixtures/taxonomy.json" "$N" "$M" \
    "$work/c.jsonl" "$work/i.jsonl"
for f in c i; do
    /usr/bin/python3 -c '
import json, sys
src, dst = sys.argv[1:3]
with open(src) as a, open(dst, "w") as b:
    for k, line in enumerate(a):
        r = json.loads(line)
        r["contacts"] = [{"name": "Reader %d" % k, "email": "reader%d@bench.example" % k,
                          "language": "it" if k % 2 else "en"}]
        b.write(json.dumps(r) + "\n")' "$work/$f.jsonl" "$work/$f-contacts.jsonl"
done
"$TAVOLO" import --kind companies "$work/c-contacts.jsonl" >/dev/null
"$TAVOLO" import --kind investors "$work/i-contacts.jsonl" >/dev/null
echo "first run, $((N + M)) recipients:"
/usr/bin/time -f "%e s elapsed, %M KiB max RSS" "$TAVOLO" digest --date 2027-01-10 --outbox "$work/outbox"
psql "$TAVOLO_DATABASE_URL" -qAt -F ' ' -c "SELECT 'digest job: ' || round(extract(epoch FROM
    max(created_at) - min(created_at))::numeric, 1) || ' s from the first digest to the last'
    FROM digests" -c "SELECT 'delivery: ' || round(extract(epoch FROM max(sent_at) -
    min(sent_at))::numeric, 1) || ' s from the first message to the last, ' || count(*) ||
    ' messages' FROM mail_messages"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "second run (all already done):"
/usr/bin/time -f "%e s elapsed" "$TAVOLO" digest --date 2027-01-10 --outbox "$work/outbox"
echo "messages in the outbox: $(ls "$work/outbox/new" | wc -l)"
