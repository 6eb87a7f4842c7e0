#!/usr/bin/env bash
# pg.mail_delivery: `tavolo mail send` against a real SMTP server (aiosmtpd on loopback): every
# message accepted once over one connection; a 4xx answer retried, and failed at the bound; a
# 5xx answer failed with the reply; a connection lost in the middle of DATA retried; a crash
# between the relay's 250 and its record repeats that one message only, with its Message-ID; no
# relay configured: the Maildir outbox.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/lib_mail.sh"
TAVOLO=$1
require_pg
scratch_db mail_delivery
work=$(mktemp -d)
trap 'stop_relay; [ -n "${KEEP:-}" ] || rm -rf "$work"; [ -n "${KEEP:-}" ] || drop_scratch_db' EXIT
export TAVOLO_HOME=$work TAVOLO_MAIL_RETRY_SECONDS=0
"$TAVOLO" migrate >/dev/null
status_of() { sql "SELECT string_agg(status || ':' || attempts, ' ' ORDER BY id) FROM mail_messages WHERE message_id LIKE '$1-%'"; }

# ---- accepted: once each, over one connection, CRLF and dot-stuffing right ----
start_relay accept --store "$work"
queue a 5
json=$("$TAVOLO" mail send --json)
expect_eq "mail send exits 0" 0 $?
expect_contains "five sent" '"sent":5,' "$json"
expect_eq "the relay took each message once" "5 5" "$(received accept a)"
expect_eq "rows sent with sent_at and the relay's reply" "5 5" \
    "$(sql "SELECT count(*) || ' ' || count(*) FILTER (WHERE sent_at IS NOT NULL AND last_reply LIKE '250 %') FROM mail_messages WHERE message_id LIKE 'a-%' AND status = 'sent'")"
check=$(/usr/bin/python3 - "$work" <<'PY'
import email, email.policy, glob, json, sys
log = [json.loads(l) for l in open(sys.argv[1] + "/accept.log")]
msgs = [email.message_from_binary_file(open(f, "rb"), policy=email.policy.default)
        for f in sorted(glob.glob(sys.argv[1] + "/*.eml"))]
bodies = [m.get_content() for m in msgs]
print(len({r["peer"] for r in log}), all(r["crlf"] for r in log),
      all(r["rcpt_tos"] == ["r%s@x.example" % r["message_id"][3:-8]] for r in log),
      all(".dot line\nCaffè" in b for b in bodies), log[0]["mail_from"])
PY
)
expect_eq "one connection for all, CRLF line ends, one recipient each, dot line and UTF-8 intact" \
    "1 True True True digest@tavolo.invalid" "$check"
json=$("$TAVOLO" mail send --json)
expect_eq "a second run sends nothing" "0 5 5" \
    "$(printf '%s' "$json" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["sent"])') $(received accept a)"
stop_relay

# ---- 4xx then 2xx; 4xx to the bound ----
start_relay tempfail --tempfail 2
queue t 2
json=$("$TAVOLO" mail send --json)
expect_eq "after 451 twice, both delivered once" "2 2" "$(received tempfail t)"
expect_eq "each sent at its second attempt" "sent:1 sent:1" "$(status_of t)"
stop_relay
start_relay tempfail2 --tempfail 1000
queue u 1
TAVOLO_MAIL_MAX_ATTEMPTS=3 "$TAVOLO" mail send >/dev/null
expect_eq "451 every time: failed after 3 attempts, with the reply" "failed:3 451 4.3.0 try again later" \
    "$(status_of u) $(sql "SELECT last_reply FROM mail_messages WHERE message_id = 'u-1@tavolo'")"
stop_relay

# ---- 5xx for one recipient ----
start_relay reject
queue b 2 bounce
queue c 1
"$TAVOLO" mail send >/dev/null
expect_eq "550 at RCPT: failed at once, with the reply; the other recipient sent" \
    "failed:1 failed:1 sent:0 1" \
    "$(status_of b) $(status_of c) $(sql "SELECT count(*) FROM mail_messages WHERE message_id = 'b-1@tavolo' AND last_reply LIKE '550 5.1.1%'")"
expect_eq "the relay took nothing for them" "0 0" "$(received reject b)"
stop_relay

# ---- the connection lost in the middle of DATA ----
start_relay drop --drop 1
queue d 3
"$TAVOLO" mail send >/dev/null
expect_eq "dropped in DATA: retried on a new connection, every message once" "3 3" "$(received drop d)"
expect_eq "the dropped one took two attempts" "sent:1 sent:0 sent:0" "$(status_of d)"
stop_relay

# ---- taken, then the connection lost before the reply: the documented repeat ----
start_relay afterdata --after-data 1
queue e 2
"$TAVOLO" mail send >/dev/null
expect_eq "the unanswered message is sent again with its Message-ID (2 copies of e-1, 1 of e-2)" \
    "3 2" "$(received afterdata e)"
stop_relay

# ---- a crash between the relay's 250 and the record ----
start_relay crash
queue k 5
TAVOLO_MAIL_CRASH_AFTER=3 "$TAVOLO" mail send >/dev/null 2>&1
expect_eq "the crash hook exits 3 with rows left in sending" "3 3" "$? $(sql "SELECT count(*) FROM mail_messages WHERE status = 'sending'")"
json=$("$TAVOLO" mail send --json)
expect_contains "the next run takes up what the dead sender left" '"recovered":3' "$json"
counts=$(/usr/bin/python3 -c '
import collections, json, sys
c = collections.Counter(json.loads(l)["message_id"] for l in open(sys.argv[1]))
print(" ".join("%s=%d" % (k[1:-8], c[k]) for k in sorted(c)))' "$work/crash.log")
expect_eq "every message delivered; only the one accepted but not recorded twice" \
    "k-1=1 k-2=1 k-3=2 k-4=1 k-5=1" "$counts"
expect_eq "all sent" "5" "$(sql "SELECT count(*) FROM mail_messages WHERE message_id LIKE 'k-%' AND status = 'sent'")"
stop_relay

# ---- no relay reachable: the run stops, nothing is lost ----
queue h 3
TAVOLO_SMTP_URL=smtp://127.0.0.1:$relay_port "$TAVOLO" mail send >/dev/null 2>"$work/halt.err"
expect_eq "a relay that refuses connections: exit 1, one attempt counted, the rest untouched" \
    "1 queued:1 queued:0 queued:0" "$? $(status_of h)"
expect_contains "and says so" "the relay smtp://127.0.0.1:$relay_port" "$(cat "$work/halt.err")"
sql "UPDATE mail_messages SET status = 'sent' WHERE message_id LIKE 'h-%'" >/dev/null

# ---- no relay configured: the Maildir outbox ----
unset TAVOLO_SMTP_URL
queue m 2
"$TAVOLO" mail send >/dev/null
expect_eq "without TAVOLO_SMTP_URL each message is a file in outbox/new, marked sent" "2 sent:0 sent:0" \
    "$(ls "$work/outbox/new" | grep -c '^m-') $(status_of m)"
expect_eq "one file per Message-ID, nothing left in tmp/" "m-1%40tavolo 0" \
    "$(ls "$work/outbox/new" | grep '^m-' | head -1) $(ls "$work/outbox/tmp" | wc -l)"

TAVOLO_MAIL_MAX_ATTEMPTS=zero "$TAVOLO" mail send >/dev/null 2>"$work/bad.err"
expect_eq "a bad setting is a usage error naming it" "2 1" \
    "$? $(grep -c TAVOLO_MAIL_MAX_ATTEMPTS "$work/bad.err")"
finish
