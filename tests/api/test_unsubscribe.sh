#!/usr/bin/env bash
# api.unsubscribe: one-click unsubscribe (RFC 8058) through the real daemon. The link a
# message carries (tavolo notify link prints the same) shows a page on GET and changes
# nothing; POST with List-Unsubscribe=One-Click and no bearer token records the choice for
# that address and kind only; an altered link, a missing body or another address's token is
# refused; the secret that signs links is created once and never appears in the logs.
. "$(dirname "$0")/../cli/lib.sh"
TAVOLO=$1
require_pg
scratch_db api_unsubscribe
tmp=$(mktemp -d)
daemon=""
trap 'kill -TERM $daemon 2>/dev/null; wait $daemon 2>/dev/null; rm -rf "$tmp"; drop_scratch_db' EXIT
PY=/usr/bin/python3
. "$(dirname "$0")/http.sh"
"$TAVOLO" migrate >/dev/null
export TAVOLO_PUBLIC_URL=https://tavolo.example/

link=$("$TAVOLO" notify link 'Anna.Rossi+x@Example.com' request_received)
expect_contains "the link is built from TAVOLO_PUBLIC_URL" \
    "https://tavolo.example/v1/unsubscribe?e=Anna.Rossi%2Bx%40Example.com&k=request_received&t=" "$link"
expect_eq "the secret is created once" "1 $link" \
    "$(sql "SELECT count(*) FROM notify_secrets") $("$TAVOLO" notify link 'Anna.Rossi+x@Example.com' request_received)"
other=$("$TAVOLO" notify link 'bob@example.com' request_received)
path=${link#https://tavolo.example}

mkdir -p "$tmp/home"
TAVOLO_HOME="$tmp/home" "$TAVOLO" serve --listen 127.0.0.1:0 --port-file "$tmp/port" 2>"$tmp/daemon.log" &
daemon=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
base="http://127.0.0.1:$(cat "$tmp/port")"

call GET "$path" ""
expect_status "GET shows the page without a token" 200
expect_contains "the page offers a button posting the link" '<form method="post" action="/v1/unsubscribe?e=' "$(cat "$tmp/body")"
expect_contains "the page escapes the address it shows" "Anna.Rossi+x@Example.com" "$(cat "$tmp/body")"
expect_contains "the kind named in words, in both languages" "meeting requests sent to you" "$(cat "$tmp/body")"
expect_contains "Italian words too" "le richieste di incontro ricevute" "$(cat "$tmp/body")"
expect_contains "a page styled like the mail, no inline script" "border-radius" "$(cat "$tmp/body")"
expect_eq "GET changes nothing" 0 "$(sql "SELECT count(*) FROM mail_unsubscribes")"

call POST "$path" "" -H 'Content-Type: application/x-www-form-urlencoded' --data-binary ''
expect_status "POST without List-Unsubscribe=One-Click is refused" 422
bad="${path%?}0"; [ "$bad" = "$path" ] && bad="${path%?}1"
call POST "$bad" "" -H 'Content-Type: application/x-www-form-urlencoded' --data-binary 'List-Unsubscribe=One-Click'
expect_status "an altered token is refused" 400
call POST "${path/request_received/digest}" "" -H 'Content-Type: application/x-www-form-urlencoded' --data-binary 'List-Unsubscribe=One-Click'
expect_status "the token of one kind does not unsubscribe from another" 400
call POST "${path/Anna.Rossi%2Bx%40Example.com/bob%40example.com}" "" -H 'Content-Type: application/x-www-form-urlencoded' --data-binary 'List-Unsubscribe=One-Click'
expect_status "the token of one address does not unsubscribe another" 400
expect_eq "nothing recorded by refused requests" 0 "$(sql "SELECT count(*) FROM mail_unsubscribes")"

call POST "$path" "" -H 'Content-Type: application/x-www-form-urlencoded' --data-binary 'List-Unsubscribe=One-Click'
expect_status "POST with One-Click and no bearer token unsubscribes" 200
expect_eq "that address and kind only, address in lower case" "anna.rossi+x@example.com request_received" \
    "$(sql "SELECT string_agg(email || ' ' || kind, ',') FROM mail_unsubscribes")"
call POST "$path" "" -F 'List-Unsubscribe=One-Click'
expect_status "a multipart/form-data body is accepted too, and a repeat is harmless" 200
call POST "${other#https://tavolo.example}" "" -H 'Content-Type: application/x-www-form-urlencoded' --data-binary 'List-Unsubscribe=One-Click'
expect_eq "another address's own link works" 2 "$(sql "SELECT count(*) FROM mail_unsubscribes")"

secret=$(sql "SELECT secret FROM notify_secrets")
expect_eq "the secret appears in no log" 0 "$(grep -c "$secret" "$tmp/daemon.log")"
finish
