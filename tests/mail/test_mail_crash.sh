#!/usr/bin/env bash
# api.mail_crash: kill -9 of the daemon while it sends a batch to a real SMTP server (aiosmtpd),
# then a restart: every message reaches the server, and none twice but possibly the one whose
# answer the dead daemon had not recorded (docs/mail.md, "What may repeat").
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/lib_mail.sh"
TAVOLO=$1
require_pg
scratch_db mail_crash
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; stop_relay; rm -rf "$work"; drop_scratch_db' EXIT
export TAVOLO_HOME=$work TAVOLO_DIGEST_TIME=off TAVOLO_MAIL_POLL_SECONDS=1
"$TAVOLO" migrate >/dev/null
n=3000
queue z $n
start_relay relay
log_lines() { [ -f "$work/relay.log" ] && wc -l <"$work/relay.log" || echo 0; }

"$TAVOLO" serve --listen 127.0.0.1:0 2>"$work/a.log" &
pid=$!
# Half way through a batch of 100, so that the dead daemon leaves claimed rows behind.
for _ in $(seq 600); do [ "$(log_lines)" -ge 550 ] && break; sleep 0.02; done
kill -9 $pid
wait $pid 2>/dev/null
pid=""
before=$(log_lines)
left=$(sql "SELECT count(*) FROM mail_messages WHERE status = 'sending'")
expect_eq "killed in the middle: some delivered, some not, a claimed batch left in sending" "True True" \
    "$([ "$before" -gt 0 ] && [ "$before" -lt $n ] && echo True || echo False) $([ "$left" -gt 0 ] && echo True || echo False)"

"$TAVOLO" serve --listen 127.0.0.1:0 2>"$work/b.log" &
pid=$!
for _ in $(seq 1500); do
    [ "$(sql "SELECT count(*) FROM mail_messages WHERE status <> 'sent'")" = 0 ] && break
    sleep 0.05
done
kill -TERM $pid
wait $pid
expect_eq "the restarted daemon exits 0 on SIGTERM" 0 $?
pid=""
expect_eq "every message sent after the restart" "$n" "$(sql "SELECT count(*) FROM mail_messages WHERE status = 'sent'")"
expect_contains "the restarted daemon took up what the dead one left in sending" "$left taken up from a stopped sender" "$(cat "$work/b.log")"
check=$(/usr/bin/python3 -c '
import collections, json, sys
c = collections.Counter(json.loads(l)["message_id"] for l in open(sys.argv[1]))
print(len(c), sum(1 for v in c.values() if v > 1) <= 1, max(c.values()) <= 2)' "$work/relay.log")
expect_eq "each of the $n messages reached the server, at most one of them twice" "$n True True" "$check"
finish
