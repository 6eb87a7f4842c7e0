# Shared by the command-line tests: a scratch database and small assertions.
# Usage: . lib.sh NAME   (then $TAVOLO is the binary under test, given as $1 to the test)
set -u
passed=0
failed=0
failures=()

require_pg() {
    if [ -z "${TV_TEST_PG_DSN:-}" ]; then
        [ -n "${TV_TEST_REQUIRE_PG:-}" ] && { echo "TV_TEST_PG_DSN is not set"; exit 1; }
        echo "TV_TEST_PG_DSN is not set: skipping"; exit 77
    fi
}

# Creates database tvt_$1 and points TAVOLO_DATABASE_URL at it.
scratch_db() {
    db="tvt_$1"
    psql "$TV_TEST_PG_DSN" -qAt -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
    export TAVOLO_DATABASE_URL="$TV_TEST_PG_DSN dbname=$db"
    trap drop_scratch_db EXIT
}

# Drops the database scratch_db made; a test that sets its own EXIT trap calls it there.
drop_scratch_db() {
    psql "$TV_TEST_PG_DSN" -qAt -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
}

sql() {
    psql "$TAVOLO_DATABASE_URL" -qAt -c "$1"
}

ok() {
    passed=$((passed + 1))
    echo "ok - $1"
}

not_ok() {
    failed=$((failed + 1))
    failures+=("$1")
    echo "not ok - $1"
}

# The failed checks again, one line each: the last thing a long test prints, so that they
# survive when only the head and the tail of its output are kept (as CI does).
print_failures() {
    local f
    for f in "${failures[@]}"; do
        echo "# failed: ${f:0:300}"
    done
}

# expect_eq DESCRIPTION EXPECTED ACTUAL
expect_eq() {
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: expected [$2], got [$3]"; fi
}

# expect_contains DESCRIPTION NEEDLE HAYSTACK
expect_contains() {
    case "$3" in
    *"$2"*) ok "$1" ;;
    *) not_ok "$1: [$2] not in [$3]" ;;
    esac
}

finish() {
    print_failures
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
