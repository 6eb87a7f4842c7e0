#!/usr/bin/env bash
# api.mail_status: `tavolo mail status` and GET /v1/mail list the queue (never the bodies): an
# admin all of it, an organiser its event's, other roles 403; filtered by status and event, and
# paginated.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/lib_mail.sh"
TAVOLO=$1
FIX=$(cd "$(dirname "$0")/../../fixtures" && pwd)
require_pg
scratch_db mail_status
work=$(mktemp -d)
daemon=""
trap 'kill -TERM $daemon 2>/dev/null; wait $daemon 2>/dev/null; rm -rf "$work"; drop_scratch_db' EXIT
export TAVOLO_HOME=$work TAVOLO_DIGEST_TIME=off
PY=/usr/bin/python3
"$TAVOLO" import "$FIX/companies.jsonl" "$FIX/investors.jsonl" >/dev/null 2>&1
"$TAVOLO" event import "$FIX/events/jpm-2027.json" >/dev/null 2>&1
"$TAVOLO" event import "$FIX/events/bio-2027.json" >/dev/null 2>&1
# The event files' requests are told of now, so that the daemon's notify job finds nothing
# to queue and the list holds the messages below only.
"$TAVOLO" notify run >/dev/null 2>&1
sql "DELETE FROM mail_messages" >/dev/null
queue j 3 r jpm-2027
queue b 2 s bio-2027
# Not due for an hour, so that the daemon's worker leaves them queued; one failed, one sent.
sql "UPDATE mail_messages SET next_attempt_at = now() + interval '1 hour'" >/dev/null
sql "UPDATE mail_messages SET status = 'failed', attempts = 1, last_reply = '550 5.1.1 no such user' WHERE message_id = 'j-2@tavolo'" >/dev/null
sql "UPDATE mail_messages SET status = 'sent', sent_at = now(), last_reply = '250 OK' WHERE message_id = 'b-1@tavolo'" >/dev/null

# ---- the command line ----
out=$("$TAVOLO" mail status --status failed)
expect_eq "mail status --status failed: a header and the one failed message" 2 "$(printf '%s\n' "$out" | wc -l)"
expect_contains "with its reply" "550 5.1.1 no such user" "$out"
json=$("$TAVOLO" mail status --event jpm-2027 --json)
expect_eq "mail status --event --json: that event's messages, no body" "j-1@tavolo j-2@tavolo j-3@tavolo False" \
    "$(printf '%s' "$json" | $PY -c 'import json,sys; d=json.load(sys.stdin)["items"]; print(" ".join(x["message_id"] for x in d), any("body" in x for x in d))')"
"$TAVOLO" mail status --status bogus >/dev/null 2>&1
expect_eq "a bad status is a usage error" 2 $?

# ---- the API ----
"$TAVOLO" serve --listen 127.0.0.1:0 --port-file "$work/port" 2>"$work/daemon.log" &
daemon=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
base="http://127.0.0.1:$(cat "$work/port")"
tok() { "$TAVOLO" token create "$@" 2>/dev/null; }
ADMIN=$(tok --role admin)
ORG=$(tok --role organiser --event jpm-2027)
cid=$(sql "SELECT profile_id FROM event_participants WHERE event_id = 'jpm-2027' AND kind = 'company' ORDER BY profile_id LIMIT 1")
COMP=$(tok --role company --subject "$cid")
call() { curl -s --max-time 10 -o "$work/body" -w '%{http_code}' -H "Authorization: Bearer $2" "$base$1"; }
ids() { $PY -c 'import json; d=json.load(open("'"$work"'/body")); print(" ".join(x["message_id"][:3] for x in d["items"]), d["next"] is not None)'; }

expect_eq "an admin lists all" "200 j-1 j-2 j-3 b-1 b-2 False" "$(call /v1/mail "$ADMIN") $(ids)"
expect_eq "paginated: two, then the next page after them" "200 j-1 j-2 True" "$(call '/v1/mail?limit=2' "$ADMIN") $(ids)"
after=$($PY -c 'import json; print(json.load(open("'"$work"'/body"))["next"])')
expect_eq "the next page" "200 j-3 b-1 True" "$(call "/v1/mail?limit=2&after=$after" "$ADMIN") $(ids)"
expect_eq "by status" "200 b-1 False" "$(call '/v1/mail?status=sent' "$ADMIN") $(ids)"
expect_eq "an admin by event" "200 b-1 b-2 False" "$(call '/v1/mail?event=bio-2027' "$ADMIN") $(ids)"
expect_eq "an organiser sees its event's only" "200 j-1 j-2 j-3 False" "$(call /v1/mail "$ORG") $(ids)"
expect_eq "an organiser may not name another event" 403 "$(call '/v1/mail?event=bio-2027' "$ORG")"
expect_eq "a company may not list mail" 403 "$(call /v1/mail "$COMP")"
expect_eq "a bad status is a 400" 400 "$(call '/v1/mail?status=lost' "$ADMIN")"
expect_eq "an event id that is not one (bytes not UTF-8) is a 400" 400 "$(call '/v1/mail?event=%FF' "$ADMIN")"
call '/v1/mail?status=failed' "$ADMIN" >/dev/null
expect_eq "a failed message carries its attempts and reply, no body" "1 550 5.1.1 no such user False" \
    "$($PY -c 'import json; x=json.load(open("'"$work"'/body"))["items"][0]; print(x["attempts"], x["last_reply"], "body" in x)')"
finish
