#!/usr/bin/env bash
# The real daily digest end to end (issue 15): N companies and M investors, each with one
# contact (half Italian, half English), on a throwaway PostgreSQL; the daemon runs the day's
# digest at start (TAVOLO_DIGEST_TIME a minute ago, in UTC: the catch-up run) while its mail
# worker delivers the queued messages to a local aiosmtpd relay (tests/mail/smtp_relay.py).
# Half way through the delivery the daemon is killed with kill -9 and started again: the
# restart resumes the digest job (recipients done are skipped) and the delivery (rows left in
# "sending" are taken up). Prints one JSON object: messages/s from the first daemon's start to
# the last message sent (the job, the kill and the restart included), each daemon's peak
# resident memory (VmHWM), what the relay received (distinct Message-IDs, repeats: at most the
# messages whose answer the killed daemon had not recorded, docs/mail.md) and the load average.
# Usage: bench/digest_smtp.sh TAVOLO [N] [M]   (default 40000 10000)
set -euo pipefail
tavolo=$(realpath "$1")
n=${2:-40000}
m=${3:-10000}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
chmod 755 "$work"
export TAVOLO_HOME=$work/home TAVOLO_MAIL_POLL_SECONDS=1 TAVOLO_DIGEST_ZONE=UTC
mkdir -p "$TAVOLO_HOME"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    "$tavolo" db stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
export TAVOLO_DATABASE_URL
TAVOLO_DATABASE_URL=$("$tavolo" db start --no-fsync)
sql() { psql "$TAVOLO_DATABASE_URL" -qAt -c "$1"; }

/usr/bin/python3 "$root/bench/gen_profiles.py" "$root/fixtures/taxonomy.json" "$n" "$m" \
    "$work/c.jsonl" "$work/i.jsonl"
for f in c i; do
    /usr/bin/python3 -c '
import json, sys
src, dst, kind = sys.argv[1:4]
with open(src) as a, open(dst, "w") as b:
    for k, line in enumerate(a):
        r = json.loads(line)
        r["contacts"] = [{"name": "Reader %s%d" % (kind, k),
                          "email": "reader-%s%d@bench.example" % (kind, k),
                          "language": "it" if k % 2 else "en"}]
        b.write(json.dumps(r) + "\n")' "$work/$f.jsonl" "$work/$f-contacts.jsonl" "$f"
done
"$tavolo" import --kind companies "$work/c-contacts.jsonl" >/dev/null
"$tavolo" import --kind investors "$work/i-contacts.jsonl" >/dev/null

/usr/bin/python3 "$root/tests/mail/smtp_relay.py" "$work/port" "$work/relay.log" &
pids+=($!)
for _ in $(seq 200); do [ -s "$work/port" ] && break; sleep 0.05; done
export TAVOLO_SMTP_URL="smtp://127.0.0.1:$(cat "$work/port")"
received() { [ -f "$work/relay.log" ] && wc -l <"$work/relay.log" || echo 0; }
peak() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
# The day's run fell due a minute ago: the daemon runs it at start.
export TAVOLO_DIGEST_TIME
TAVOLO_DIGEST_TIME=$(date -u -d '1 minute ago' +%H:%M)
date=$(date -u -d '1 minute ago' +%F)
total=$((n + m))

t0=$(date +%s.%N)
"$tavolo" serve --listen 127.0.0.1:0 2>"$work/a.log" &
a=$!
while [ "$(received)" -lt $((total / 2)) ]; do
    kill -0 $a 2>/dev/null || { cat "$work/a.log" >&2; exit 1; }
    sleep 0.2
done
peak_a=$(peak $a)
kill -9 $a
wait $a 2>/dev/null || true
t_kill=$(date +%s.%N)
left=$(sql "SELECT count(*) FROM mail_messages WHERE status = 'sending'")
digests_at_kill=$(sql "SELECT count(*) FROM digests WHERE digest_date = '$date'")
"$tavolo" serve --listen 127.0.0.1:0 2>"$work/b.log" &
b=$!
pids+=($b)
peak_b=0
until [ "$(sql "SELECT count(*) FROM digest_runs WHERE digest_date = '$date' AND finished_at IS NOT NULL")" = 1 ] &&
    [ "$(sql "SELECT count(*) FROM mail_messages WHERE status <> 'sent'")" = 0 ]; do
    peak_b=$(peak $b)
    sleep 0.5
done
t1=$(date +%s.%N)
peak_b=$(peak $b)
job_s=$(sql "SELECT extract(epoch FROM max(created_at) - min(created_at)) FROM digests WHERE digest_date = '$date'")
/usr/bin/python3 - "$work/relay.log" "$total" "$t0" "$t_kill" "$t1" "$peak_a" "$peak_b" "$left" \
    "$digests_at_kill" "$(sql "SELECT count(*) FROM mail_messages")" "$job_s" <<'PY'
import collections, json, os, sys
log, total, t0, tk, t1, pa, pb, left, dk, queued, job_s = sys.argv[1:]
c = collections.Counter(json.loads(l)["message_id"] for l in open(log))
secs = float(t1) - float(t0)
print(json.dumps({
    "recipients": int(total), "messages_queued": int(queued), "seconds": round(secs, 1),
    "messages_per_s": round(int(queued) / secs), "killed_after_s": round(float(tk) - float(t0), 1),
    "digests_recorded_at_kill": int(dk), "left_in_sending_at_kill": int(left),
    "digest_rows_span_s": round(float(job_s or 0), 1),
    "peak_rss_mib": round(max(int(pa), int(pb)) / 1024, 1),
    "distinct_received": len(c), "repeated": sum(1 for v in c.values() if v > 1),
    "max_copies": max(c.values()), "load_average": open("/proc/loadavg").read().split()[:3],
}))
PY
