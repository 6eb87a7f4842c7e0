#!/usr/bin/env bash
# pg.mail_tls: TLS and AUTH against a real relay (aiosmtpd, tests/mail/smtp_relay.py) with a
# certificate this test makes (openssl), trusted through TAVOLO_SMTP_CA_FILE and verified.
# STARTTLS with AUTH delivers and the relay saw the user; a wrong password is the relay's 535,
# recorded, with nothing sent and the password in no output and no row; without the CA the
# certificate is refused; a relay that offers no STARTTLS is refused on a URL that is not a
# loopback address (relay.localhost reaches 127.0.0.1, but only 127.x.x.x, [::1] and localhost
# may be plain); smtps:// is TLS from the first byte.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/lib_mail.sh"
TAVOLO=$1
require_pg
scratch_db mail_tls
work=$(mktemp -d)
trap 'stop_relay; [ -n "${KEEP:-}" ] || rm -rf "$work"; [ -n "${KEEP:-}" ] || drop_scratch_db' EXIT
export TAVOLO_HOME=$work TAVOLO_MAIL_RETRY_SECONDS=0
"$TAVOLO" migrate >/dev/null
status_of() { sql "SELECT string_agg(status || ':' || attempts, ' ' ORDER BY id) FROM mail_messages WHERE message_id LIKE '$1-%'"; }
PASS='s3cret-Pw:with spaces'
WRONG='wr0ng-Pw-never-logged'

# A test CA and the relay's certificate for relay.localhost, signed by it.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=tavolo test CA" \
    -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=relay.localhost" \
    -keyout "$work/relay.key" -out "$work/relay.csr" 2>/dev/null
printf 'subjectAltName=DNS:relay.localhost,DNS:127.0.0.1.localhost\n' >"$work/san.ext"
openssl x509 -req -in "$work/relay.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
    -CAcreateserial -days 2 -extfile "$work/san.ext" -out "$work/relay.pem" 2>/dev/null
expect_eq "the test's certificate is made" 0 $?
printf '%s\n' "$PASS" >"$work/password"
printf '%s\n' "$WRONG" >"$work/wrong"
export TAVOLO_SMTP_USER=tv-sender TAVOLO_SMTP_CA_FILE=$work/ca.pem

# ---- STARTTLS required by the relay, AUTH with the right password ----
start_relay starttls --cert "$work/relay.pem" --key "$work/relay.key" --auth "tv-sender:$PASS"
export TAVOLO_SMTP_URL="smtp://relay.localhost:$relay_port"
queue s 2
json=$(TAVOLO_SMTP_PASSWORD_FILE=$work/password "$TAVOLO" mail send --json)
expect_contains "both sent" '"sent":2,' "$json"
expect_eq "the relay took each once, over TLS, from the authenticated user" \
    "2 2 tv-sender True" \
    "$(received starttls s) $(/usr/bin/python3 -c 'import json,sys; l=[json.loads(x) for x in open(sys.argv[1])]; print(" ".join(sorted({x["auth"] for x in l})), all(x["tls"] for x in l))' "$work/starttls.log")"

# ---- a wrong password: the relay's 535 recorded, nothing sent, the password nowhere ----
queue w 1
out=$(TAVOLO_SMTP_PASSWORD_FILE=$work/wrong "$TAVOLO" mail send --json 2>&1)
expect_eq "nothing more reached the relay" "0 0" "$(received starttls w)"
expect_eq "the message is not sent; its attempt counts" "queued:1" "$(status_of w)"
expect_contains "the relay's refusal is recorded" "535" \
    "$(sql "SELECT last_reply FROM mail_messages WHERE message_id = 'w-1@tavolo'")"
expect_contains "and reported" "535" "$out"
status=$("$TAVOLO" mail status --json 2>&1; "$TAVOLO" mail status 2>&1)
rows=$(sql "SELECT string_agg(m::text, ' ') FROM mail_messages m")
for secret in "$WRONG" "$PASS"; do
    case "$out $status $rows $(cat "$work"/starttls.err 2>/dev/null)" in
    *"$secret"*) not_ok "a password in the output, the status or the rows" ;;
    *) ok "no password in the output, the status or the rows" ;;
    esac
done
stop_relay

# ---- the certificate is verified: without the CA, nothing is sent ----
start_relay noca --cert "$work/relay.pem" --key "$work/relay.key" --auth "tv-sender:$PASS"
export TAVOLO_SMTP_URL="smtp://relay.localhost:$relay_port"
out=$(TAVOLO_SMTP_CA_FILE= TAVOLO_SMTP_PASSWORD_FILE=$work/password "$TAVOLO" mail send --json 2>&1)
expect_eq "an untrusted certificate: nothing sent" "0 0 queued:2" \
    "$(received noca w) $(sql "SELECT status || ':' || attempts FROM mail_messages WHERE message_id = 'w-1@tavolo'")"
out=$(TAVOLO_SMTP_CA_FILE=$work/missing.pem "$TAVOLO" mail send 2>&1)
expect_eq "a CA file that cannot be read is a usage error" 2 $?
expect_contains "naming the setting" "TAVOLO_SMTP_CA_FILE" "$out"
stop_relay

# ---- a relay without STARTTLS: plain only on a loopback address ----
start_relay plain
for host in relay.localhost 127.0.0.1.localhost; do
    TAVOLO_SMTP_URL="smtp://$host:$relay_port" "$TAVOLO" mail send >/dev/null 2>&1
    expect_eq "smtp://$host (not a loopback address) without STARTTLS is refused" "0 0" \
        "$(received plain w)"
done
out=$(TAVOLO_SMTP_URL="smtp://tv-sender:$WRONG@relay.localhost:$relay_port" TAVOLO_SMTP_USER= \
    "$TAVOLO" mail send 2>&1)
expect_contains "a refusal names the relay" "relay.localhost:$relay_port" "$out"
case "$out" in
*"$WRONG"*) not_ok "but never a password written in its URL: $out" ;;
*) ok "but never a password written in its URL" ;;
esac
expect_contains "the refusal is recorded" "STARTTLS" \
    "$(sql "SELECT last_reply FROM mail_messages WHERE message_id = 'w-1@tavolo'")"
TAVOLO_SMTP_URL="smtp://127.0.0.1:$relay_port" TAVOLO_SMTP_USER= "$TAVOLO" mail send >/dev/null 2>&1
expect_eq "smtp://127.0.0.1 may be plain" "1 1" "$(received plain w)"
stop_relay

# ---- smtps://: TLS from the first byte, with AUTH ----
start_relay smtps --smtps --cert "$work/relay.pem" --key "$work/relay.key" --auth "tv-sender:$PASS"
queue i 1
TAVOLO_SMTP_URL="smtps://relay.localhost:$relay_port" TAVOLO_SMTP_PASSWORD_FILE=$work/password \
    "$TAVOLO" mail send >/dev/null
expect_eq "smtps: delivered once, over TLS, from the authenticated user" "1 1 tv-sender True" \
    "$(received smtps i) $(/usr/bin/python3 -c 'import json,sys; x=json.loads(open(sys.argv[1]).readline()); print(x["auth"], x["tls"])' "$work/smtps.log")"
stop_relay
finish
