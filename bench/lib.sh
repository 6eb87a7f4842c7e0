# Shared by the benches that build an event at BIO-Europe size (web_pages.sh, organiser_pages.sh,
# notify.sh): a throwaway home and embedded PostgreSQL, the generated data, the daemon. Source
# it after setting $tavolo (the binary, an absolute path); it sets $root, $work, $event and
# exports TAVOLO_HOME and TAVOLO_DATABASE_URL.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d)
chmod 755 "$work"
export TAVOLO_HOME=$work/home
mkdir -m 755 "$TAVOLO_HOME"
daemon=""
bench_cleanup() {
    [ -n "$daemon" ] && kill -TERM "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
    "$tavolo" db stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap bench_cleanup EXIT
export TAVOLO_DATABASE_URL
TAVOLO_DATABASE_URL=$("$tavolo" db start --no-fsync)
event=bio-bench-2027
now() { date +%s.%N; }
since() { printf "%.3f" "$(echo "$(now) - $1" | bc)"; } # JSON needs "0.42", bc writes ".42"

# bench_requires TOOL...: stops with a message when one is missing.
bench_requires() {
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { echo "$(basename "$0"): $tool is missing" >&2; exit 1; }
    done
}

# bench_event N M [gen_event.py options]: N synthetic companies and M investors
# (gen_profiles.py), one event with all of them (gen_event.py), imported (sets $import_s) and
# scheduled (sets $schedule_s).
bench_event() {
    local n=$1 m=$2 t0
    shift 2
    t0=$(now)
    /usr/bin/python3 "$root/bench/gen_profiles.py" "$root/fixtures/taxonomy.json" "$n" "$m" \
        "$work/companies.jsonl" "$work/investors.jsonl"
    /usr/bin/python3 "$root/bench/gen_event.py" "$work/companies.jsonl" "$work/investors.jsonl" \
        "$event" "$work/event.json" "$@"
    "$tavolo" import --kind companies "$work/companies.jsonl" >/dev/null
    "$tavolo" import --kind investors "$work/investors.jsonl" >/dev/null
    "$tavolo" event import "$work/event.json" >/dev/null
    import_s=$(since "$t0")
    t0=$(now)
    "$tavolo" schedule "$event" >/dev/null
    schedule_s=$(since "$t0")
}

# bench_told: everything marked as told (as migration 015 did for what existed before it): the
# notify job, which the daemon runs at its first mail tick, would otherwise hold a worker and a
# transaction while it tells 6,000 participants (more than 10 minutes at this size, measured
# 2026-12-05), during the measurement.
bench_told() {
    psql "$TAVOLO_DATABASE_URL" -qAt -c "UPDATE meeting_requests SET notified = status" \
        -c "UPDATE meetings SET notified_company_seq = sequence, notified_investor_seq = sequence"
}

# bench_counts: sets $n_participants, $n_meetings (not cancelled) and $n_requests of the event.
bench_counts() {
    IFS=, read -r n_participants n_meetings n_requests <<<"$(psql "$TAVOLO_DATABASE_URL" -qAt -F , -c \
        "SELECT (SELECT count(*) FROM event_participants WHERE event_id = '$event'), (SELECT
         count(*) FROM meetings WHERE event_id = '$event' AND status <> 'cancelled'), (SELECT
         count(*) FROM meeting_requests WHERE event_id = '$event')")"
}

# bench_serve: the daemon on a port known beforehand (TAVOLO_PUBLIC_URL, exported: the links
# and the Origin check name it), digests off and the mail tick hourly; sets $daemon and
# $serve_s once it answers.
bench_serve() {
    local port t0
    port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    export TAVOLO_PUBLIC_URL=http://127.0.0.1:$port
    t0=$(now)
    TAVOLO_DIGEST_TIME=off TAVOLO_MAIL_POLL_SECONDS=3600 "$tavolo" serve \
        --listen "127.0.0.1:$port" --port-file "$work/port" 2>"$work/serve.log" &
    daemon=$!
    for _ in $(seq 1 600); do
        [ -s "$work/port" ] && curl -sf "$TAVOLO_PUBLIC_URL/healthz" 2>/dev/null |
            grep -q '"listening":true' && break
        sleep 0.2
    done
    serve_s=$(since "$t0")
}
