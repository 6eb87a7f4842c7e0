#!/usr/bin/env bash
# The notify job at BIO-Europe size (issue 16): N synthetic companies and M investors
# (bench/gen_profiles.py), one event with all of them as participants, each with one person and
# an e-mail address (bench/gen_event.py), scheduled, as bench/web_pages.sh builds it; then
# `tavolo notify run` right after scheduling (TAVOLO_NOTIFY_QUIET=0), which tells every request
# and every side of its meetings. Prints the job's time, peak RSS and what it queued, then a
# second run (everything told already). A run still going after LIMIT seconds is stopped and
# reported as "> LIMIT s" (its transaction rolls back: nothing is queued).
#
# Usage: bench/notify.sh TAVOLO [N M] [--limit SECONDS] [--dump FILE]   (default 4000 2000, 600)
#   --dump FILE: the scheduled database is saved to FILE (pg_dump -Fc) when FILE does not exist,
#   and restored from it when it does, so that a second measurement skips the minutes of
#   generating, importing and scheduling. The dump holds no notification marks.
set -euo pipefail
tavolo=$(realpath "$1")
shift
n=4000
m=2000
limit=600
dump=""
if [ $# -ge 2 ] && [ "${1#--}" = "$1" ]; then
    n=$1
    m=$2
    shift 2
fi
while [ $# -gt 0 ]; do
    case $1 in
    --limit) limit=$2; shift 2 ;;
    --dump) dump=$(realpath -m "$2"); shift 2 ;;
    *) echo "notify.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
. "$(dirname "$0")/lib.sh"
export TAVOLO_PUBLIC_URL=https://tavolo.bench.example TAVOLO_NOTIFY_QUIET=0
q() { psql "$TAVOLO_DATABASE_URL" -qAt -F , -c "$1"; }

t0=$(now)
if [ -n "$dump" ] && [ -s "$dump" ]; then
    pg_restore --clean --if-exists --no-owner -d "$TAVOLO_DATABASE_URL" "$dump" 2>/dev/null || true
    echo "setup: restored $dump in $(since "$t0") s"
else
    bench_event "$n" "$m"
    echo "setup: generated, imported and scheduled in $(since "$t0") s"
    [ -n "$dump" ] && pg_dump -Fc -f "$dump" "$TAVOLO_DATABASE_URL"
fi
echo "event: $(q "SELECT (SELECT count(*) FROM event_participants WHERE event_id = '$event')
    || ' participants, ' || (SELECT count(*) FROM meetings WHERE event_id = '$event') ||
    ' meetings, ' || (SELECT count(*) FROM meeting_requests WHERE event_id = '$event') ||
    ' requests'")"

# One run of the job, stopped after 'limit' seconds: its time, peak RSS and output.
run() {
    local rc=0
    timeout --signal=TERM "$limit" /usr/bin/time -f "%e s elapsed (%U s user, %S s system in tavolo), %M KiB max RSS" \
        -o "$work/time" "$tavolo" notify run "$event" >"$work/out" 2>"$work/err" || rc=$?
    if [ $rc -eq 124 ]; then
        echo "  > $limit s: still running, stopped (its transaction rolled back)"
    else
        echo "  $(tail -n 1 "$work/time") (exit $rc)"
        sed 's/^/  /' "$work/out" "$work/err"
    fi
    echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg)"
}
echo "first run (everything to tell):"
run
echo "  queued in mail_messages: $(q "SELECT (SELECT count(*) FROM mail_messages) || ' (' ||
    coalesce((SELECT string_agg(kind || ' ' || c, ', ' ORDER BY kind) FROM (SELECT kind,
    count(*) AS c FROM mail_messages GROUP BY kind) x), '') || ')'")"
echo "second run (everything told already):"
run
