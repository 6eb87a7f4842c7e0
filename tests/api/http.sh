# Shared by the daemon's shell tests (after tests/cli/lib.sh): one request at a time with curl
# against $base, its answer kept in $tmp/body and $tmp/hdr. Uses $PY (/usr/bin/python3).

# call METHOD PATH TOKEN [CURL ARGS...]: one request. Sets $code (the HTTP status, or
# "curl exit N"); the body is in $tmp/body, the headers in $tmp/hdr.
call() {
    local method=$1 path=$2 token=$3 auth=()
    shift 3
    [ -n "$token" ] && auth=(-H "Authorization: Bearer $token")
    : >"$tmp/body"
    : >"$tmp/hdr"
    code=$(curl -sS --max-time 5 -X "$method" -H 'Expect:' -D "$tmp/hdr" -o "$tmp/body" \
        -w '%{http_code}' "${auth[@]}" "$@" "$base$path" 2>"$tmp/curl.err") ||
        code="curl exit $?"
}

# header NAME [FILE]: a header of the last response ("" when absent).
header() {
    grep -i "^$1:" "${2:-$tmp/hdr}" | head -n 1 | cut -d: -f2- | sed 's/^ *//' | tr -d '\r'
}

# js EXPR [FILE]: a Python expression over the last body, parsed as JSON into d (a tuple is
# printed space separated).
js() {
    "$PY" -c 'import json, sys
d = json.load(open(sys.argv[1]))
r = eval(sys.argv[2])
print(" ".join(map(str, r)) if isinstance(r, tuple) else r)' "${2:-$tmp/body}" "$1" 2>&1 | tail -n 1
}

# expect_status DESCRIPTION STATUS: the last response's status.
expect_status() {
    if [ "$code" = "$2" ]; then
        ok "$1"
    else
        not_ok "$1: expected status $2, got $code: $(head -c 300 "$tmp/body")"
    fi
}

# own_cluster: starts the embedded PostgreSQL of $TAVOLO_HOME (the test's own) and points
# TAVOLO_DATABASE_URL at it; without one, skips (77), or fails when TV_TEST_REQUIRE_PG is set.
own_cluster() {
    if ! "$TAVOLO" db start --no-fsync >/dev/null 2>"$tmp/db.err"; then
        cat "$tmp/db.err"
        if [ -z "${TV_TEST_REQUIRE_PG:-}" ]; then
            echo "cannot start PostgreSQL: skipping"
            exit 77
        fi
        not_ok "tavolo db start"
        finish
        exit 1
    fi
    export TAVOLO_DATABASE_URL
    TAVOLO_DATABASE_URL=$("$TAVOLO" db url)
}
