#!/usr/bin/env bash
# Mail delivery end to end: N queued messages of digest size (12 KB, text) delivered by the
# daemon's mail worker to a local aiosmtpd relay (tests/mail/smtp_relay.py), with a kill -9 of
# the daemon half way through and a restart. Prints one JSON object: messages/s from the first
# daemon's start to the last message sent (the restart included), the daemons' peak resident
# memory (VmHWM), and what the relay received: distinct Message-IDs and repeats (at most one,
# the message whose answer the killed daemon had not recorded; docs/mail.md).
# Usage: bench/mail.sh TAVOLO [N]   (default 50000)
set -euo pipefail
tavolo=$1
n=${2:-50000}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
chmod 755 "$work"
export TAVOLO_HOME=$work/home TAVOLO_DIGEST_TIME=off TAVOLO_MAIL_POLL_SECONDS=1
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
"$tavolo" migrate >/dev/null

# A digest-sized body: headers, then 170 lines of 72 characters.
sql "INSERT INTO mail_messages (message_id, kind, recipient_email, language, subject, body)
     SELECT 'bench-' || g || '@tavolo', 'digest', 'r' || g || '@bench.example', 'en', 'Digest',
     'From: tavolo <digest@tavolo.invalid>' || E'\n' || 'To: <r' || g || '@bench.example>'
     || E'\n' || 'Subject: Your matches' || E'\n' || 'Message-ID: <bench-' || g || '@tavolo>'
     || E'\n' || 'MIME-Version: 1.0' || E'\n' || 'Content-Type: text/plain; charset=utf-8'
     || E'\n\n' || repeat(repeat('abcdefgh ', 8) || E'\n', 170)
     FROM generate_series(1, $n) g" >/dev/null

/usr/bin/python3 "$root/tests/mail/smtp_relay.py" "$work/port" "$work/relay.log" &
pids+=($!)
for _ in $(seq 200); do [ -s "$work/port" ] && break; sleep 0.05; done
export TAVOLO_SMTP_URL="smtp://127.0.0.1:$(cat "$work/port")"
received() { [ -f "$work/relay.log" ] && wc -l <"$work/relay.log" || echo 0; }
peak() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }

t0=$(date +%s.%N)
"$tavolo" serve --listen 127.0.0.1:0 2>"$work/a.log" &
a=$!
while [ "$(received)" -lt $((n / 2)) ]; do sleep 0.2; done
peak_a=$(peak $a)
kill -9 $a
wait $a 2>/dev/null || true
left=$(sql "SELECT count(*) FROM mail_messages WHERE status = 'sending'")
"$tavolo" serve --listen 127.0.0.1:0 2>"$work/b.log" &
b=$!
pids+=($b)
peak_b=0
while [ "$(sql "SELECT count(*) FROM mail_messages WHERE status <> 'sent'")" != 0 ]; do
    peak_b=$(peak $b)
    sleep 0.5
done
t1=$(date +%s.%N)
peak_b=$(peak $b)
/usr/bin/python3 - "$work/relay.log" "$n" "$t0" "$t1" "$peak_a" "$peak_b" "$left" <<'PY'
import collections, json, sys
log, n, t0, t1, pa, pb, left = sys.argv[1:]
c = collections.Counter(json.loads(l)["message_id"] for l in open(log))
secs = float(t1) - float(t0)
print(json.dumps({
    "messages": int(n), "seconds": round(secs, 1), "messages_per_s": round(int(n) / secs),
    "peak_rss_mib": round(max(int(pa), int(pb)) / 1024, 1),
    "left_in_sending_at_kill": int(left),
    "distinct_received": len(c), "repeated": sum(1 for v in c.values() if v > 1),
    "max_copies": max(c.values()),
}))
PY
