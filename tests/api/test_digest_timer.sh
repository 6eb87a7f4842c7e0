#!/usr/bin/env bash
# api.digest_timer: the daemon's daily digest with enough recipients to interrupt it. SIGTERM
# in the middle of the job stops it between recipients and the daemon exits 0; two daemons
# started together then finish the day between them (one takes the job, the other waits):
# every recipient exactly once, every sent digest's message queued with it and written into the
# outbox once by the daemons' mail delivery.
. "$(dirname "$0")/../cli/lib.sh"
TAVOLO=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
require_pg
scratch_db api_digest_timer
work=$(mktemp -d)
pids=""
trap 'kill -TERM $pids 2>/dev/null; wait $pids 2>/dev/null; rm -rf "$work"; drop_scratch_db' EXIT
export TAVOLO_HOME=$work TAVOLO_DIGEST_TIME=00:00 TAVOLO_DIGEST_ZONE=UTC TAVOLO_MAIL_POLL_SECONDS=1
today=$(date -u +%F)

/usr/bin/python3 "$here/bench/gen_profiles.py" "$here/fixtures/taxonomy.json" 3000 1000 \
    "$work/c.jsonl" "$work/i.jsonl"
for f in c i; do
    /usr/bin/python3 -c '
import json, sys
with open(sys.argv[1]) as a, open(sys.argv[2], "w") as b:
    for k, line in enumerate(a):
        r = json.loads(line)
        r["contacts"] = [{"name": "R%d" % k, "email": "r%d@x.example" % k, "language": "it" if k % 2 else "en"}]
        b.write(json.dumps(r) + "\n")' "$work/$f.jsonl" "$work/$f-contacts.jsonl"
done
"$TAVOLO" import --kind companies "$work/c-contacts.jsonl" >/dev/null
"$TAVOLO" import --kind investors "$work/i-contacts.jsonl" >/dev/null
recipients=4000
recorded() { sql "SELECT count(*) FROM digests WHERE digest_date = '$today'"; }

# ---- SIGTERM in the middle of the job ----
"$TAVOLO" serve --listen 127.0.0.1:0 2>"$work/a.log" &
a=$!
pids=$a
for _ in $(seq 600); do [ "$(recorded)" -gt 0 ] && break; sleep 0.05; done
kill -TERM $a
wait $a
expect_eq "SIGTERM during the digest: the daemon exits 0" 0 $?
pids=""
expect_contains "and the job says it stopped" "(stopped; the next run resumes it)" "$(cat "$work/a.log")"
n=$(recorded)
expect_eq "part of the day is recorded, and the run is not finished" "True 0" \
    "$([ "$n" -gt 0 ] && [ "$n" -lt $recipients ] && echo True || echo False) $(sql "SELECT count(finished_at) FROM digest_runs")"

# ---- two daemons at once finish the day ----
"$TAVOLO" serve --listen 127.0.0.1:0 2>"$work/b.log" &
b=$!
"$TAVOLO" serve --listen 127.0.0.1:0 2>"$work/c.log" &
c=$!
pids="$b $c"
for _ in $(seq 1200); do
    [ "$(sql "SELECT count(finished_at) FROM digest_runs WHERE digest_date = '$today'")" = 1 ] && break
    sleep 0.05
done
for _ in $(seq 1200); do
    [ "$(sql "SELECT count(*) FROM mail_messages WHERE status <> 'sent'")" = 0 ] && break
    sleep 0.05
done
expect_eq "the day is finished: every recipient exactly once" "$recipients|$recipients" \
    "$(sql "SELECT count(*), count(DISTINCT (recipient_kind, recipient_id)) FROM digests WHERE digest_date = '$today'")"
sent=$(sql "SELECT count(*) FROM digests WHERE digest_date = '$today' AND status = 'sent'")
expect_eq "one message a sent digest queued, and in new/ once; none left in tmp/" "$sent $sent 0" \
    "$(sql "SELECT count(*) FROM mail_messages") $(ls "$work/outbox/new" | wc -l) $(ls "$work/outbox/tmp" | wc -l)"
expect_eq "the second daemon ran nothing twice (one resumed the job, the other waited or found it done)" 1 \
    "$(cat "$work/b.log" "$work/c.log" | grep -c -e 'another process runs it' -e 'already finished' | awk '{print ($1 >= 1)}')"
kill -TERM $b $c
wait $b
rb=$?
wait $c
expect_eq "both daemons exit 0" "0 0" "$rb $?"
pids=""
finish
