#!/usr/bin/env bash
# api.web_files: the pages' files served by `tavolo serve` (docs/web.md): the page shell on /
# and on the pages' paths, the assets under /web/ with their types, a strong ETag and 304 on
# If-None-Match, the Content-Security-Policy, nosniff and Referrer-Policy headers on each,
# 404 for an unknown or traversing /web/ path and for an unknown page, and /v1 unchanged.
. "$(dirname "$0")/../cli/lib.sh"
TAVOLO=$1
WEB=$(cd "$(dirname "$0")/../../api/web" && pwd)
require_pg
scratch_db api_web_files
"$TAVOLO" migrate >/dev/null
tmp=$(mktemp -d)
daemon=""
trap 'kill -TERM $daemon 2>/dev/null; wait $daemon 2>/dev/null; rm -rf "$tmp"; drop_scratch_db' EXIT
PY=/usr/bin/python3
. "$(dirname "$0")/http.sh"

# start_daemon [ENV...]: a daemon on a free port; sets $daemon and $base.
start_daemon() {
    rm -f "$tmp/port"
    mkdir -p "$tmp/home"
    env TAVOLO_HOME="$tmp/home" TAVOLO_DIGEST_TIME=off "$@" \
        "$TAVOLO" serve --listen 127.0.0.1:0 --port-file "$tmp/port" 2>"$tmp/daemon.log" &
    daemon=$!
    for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
    base="http://127.0.0.1:$(cat "$tmp/port" 2>/dev/null)"
}
stop_daemon() {
    kill -TERM "$daemon" 2>/dev/null
    wait "$daemon" 2>/dev/null
    daemon=""
}

CSP="default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

# page_headers WHAT: the three security headers on the last response.
page_headers() {
    expect_eq "$1: Content-Security-Policy" "$CSP" "$(header Content-Security-Policy)"
    expect_eq "$1: X-Content-Type-Options" "nosniff" "$(header X-Content-Type-Options)"
    expect_eq "$1: Referrer-Policy" "same-origin" "$(header Referrer-Policy)"
}

start_daemon

# ---- the shell on / and on every page of the contract ----
call GET / ""
expect_status "GET / answers the shell" 200
expect_eq "as HTML" "text/html; charset=utf-8" "$(header Content-Type)"
# The shell names each file with its version, "/web/app.js?v=HASH": cut them, it is the file.
unversioned() { sed 's/?v=[0-9a-f]\{16\}"/"/g' "$tmp/body" | sha256sum; }
expect_eq "the shell's bytes, from api/web/index.html, files named with their version" \
    "$(sha256sum <"$WEB/index.html")" "$(unversioned)"
cp "$tmp/body" "$tmp/shell.html"
expect_eq "the shell is revalidated every time" "no-cache" "$(header Cache-Control)"
page_headers "the shell"
expect_contains "an X-Request-Id, as every answer has" "-w" "$(header X-Request-Id)"
shell_etag=$(header ETag)
expect_contains "a strong ETag" '"' "${shell_etag:0:1}"
for p in /matches /pair /requests /agenda /profile /availability /sessions "/matches?company=c1"; do
    call GET "$p" ""
    expect_status "GET $p answers the shell" 200
    expect_eq "GET $p: the same bytes" "$(sha256sum <"$tmp/shell.html")" "$(sha256sum <"$tmp/body")"
done
page_headers "a page"
call HEAD /agenda "" -I
expect_status "HEAD of a page answers as GET would" 200
expect_eq "with the shell's length and tag" "$(wc -c <"$tmp/shell.html") $shell_etag" \
    "$(header Content-Length) $(header ETag)"

# ---- the assets ----
for f in app.js:text/javascript style.css:text/css icon.svg:image/svg+xml; do
    name=${f%%:*}
    call GET "/web/$name" ""
    expect_status "GET /web/$name" 200
    expect_eq "/web/$name: its type" "${f#*:}" "$(header Content-Type)"
    expect_eq "/web/$name: its bytes" "$(sha256sum <"$WEB/$name")" "$(sha256sum <"$tmp/body")"
    expect_eq "/web/$name: no-cache, as its URL carries no hash" "no-cache" \
        "$(header Cache-Control)"
    page_headers "/web/$name"
    etag=$(header ETag)
    call GET "/web/$name" "" -H "If-None-Match: $etag"
    expect_status "/web/$name with If-None-Match: its ETag -> 304" 304
    expect_eq "/web/$name: 304 keeps the ETag" "$etag" "$(header ETag)"
    expect_eq "/web/$name: 304 has no body" 0 "$(wc -c <"$tmp/body")"
    expect_eq "/web/$name: nor a Content-Length claiming an empty file" "" "$(header Content-Length)"
    call GET "/web/$name" "" -H 'If-None-Match: "other", '"$etag"
    expect_status "/web/$name with If-None-Match: a list holding its ETag -> 304" 304
    call GET "/web/$name" "" -H 'If-None-Match: "other"'
    expect_status "/web/$name with If-None-Match: another ETag -> 200" 200
    call GET "/web/$name" "" -H "If-None-Match: W/$etag"
    expect_status "/web/$name with If-None-Match: its weak ETag -> 304 (weak comparison)" 304
done
for name in app.js style.css icon.svg; do
    versioned=$(grep -o "/web/$name?v=[0-9a-f]*" "$tmp/shell.html" | head -n 1)
    expect_contains "the shell names $name with a version" "/web/$name?v=" "$versioned"
    call GET "$versioned" ""
    expect_eq "$versioned: the file, kept a year, immutable" \
        "200 $(sha256sum <"$WEB/$name") public, max-age=31536000, immutable" \
        "$code $(sha256sum <"$tmp/body") $(header Cache-Control)"
    call GET "/web/$name?v=0123456789abcdef" ""
    expect_eq "/web/$name with another version: the file, revalidated" "200 no-cache" \
        "$code $(header Cache-Control)"
done
expect_eq "the ETags differ between files" 1 \
    "$([ "$shell_etag" != "$(header ETag)" ] && echo 1 || echo 0)"
call GET / "" -H "If-None-Match: $shell_etag"
expect_status "the shell with If-None-Match: its ETag -> 304" 304
call GET /web/index.html ""
expect_status "the shell under /web/ too" 200

# ---- what is not served ----
for p in /web/nothing.js /web/ /web /web/app.js/x /web/../README.md /web/..%2fREADME.md \
    /web/%2e%2e/README.md /web/%2E%2E%2FREADME.md /web/.%2e/README.md /web/app%2ejs \
    "/web/..%5cREADME.md" /nothing /matches/x /Matches /v2 /index.html; do
    call GET "$p" "" --path-as-is
    expect_status "GET $p -> 404" 404
    expect_eq "GET $p: a problem document" "application/problem+json" "$(header Content-Type)"
done
call POST /web/app.js "" -H 'Content-Type: application/json' --data '{}'
expect_status "POST to an asset is no page request -> 404 problem" 404

# ---- /v1 as it was ----
call GET /healthz ""
expect_status "/healthz still answers" 200
call GET /v1/companies ""
expect_status "/v1 routes still want a token" 401
call GET /v1/nothing ""
expect_status "an unknown /v1 path is still a 404" 404
expect_eq "as a problem document" "application/problem+json" "$(header Content-Type)"
stop_daemon

# ---- TAVOLO_WEB_DIR: the files come from there, read once at start ----
mkdir -p "$tmp/web"
cp "$WEB"/* "$tmp/web/"
printf '<!doctype html><title>other</title>\n' >"$tmp/web/index.html"
start_daemon TAVOLO_WEB_DIR="$tmp/web"
call GET /agenda ""
expect_eq "TAVOLO_WEB_DIR's index.html is the shell" "<!doctype html><title>other</title>" \
    "$(cat "$tmp/body")"
rm "$tmp/web/index.html"
call GET /agenda ""
expect_status "a file removed after the start is still served from memory" 200
stop_daemon
start_daemon TAVOLO_WEB_DIR="$tmp/web"
for _ in $(seq 100); do kill -0 "$daemon" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$daemon" 2>/dev/null; then
    stop_daemon
    status=running
else
    wait "$daemon" 2>/dev/null
    status=$?
fi
expect_eq "a folder without index.html stops the start" 1 "$status"
expect_contains "naming the setting and the file" "TAVOLO_WEB_DIR" "$(cat "$tmp/daemon.log")"
expect_contains "and the file" "index.html" "$(cat "$tmp/daemon.log")"
daemon=""

finish
