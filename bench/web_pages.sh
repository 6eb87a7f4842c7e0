#!/usr/bin/env bash
# The participant pages at BIO-Europe size (issue 16): N synthetic companies and M investors
# (bench/gen_profiles.py), one event with all of them as participants, each with one person
# and an e-mail address (bench/gen_event.py), scheduled; the daemon with TAVOLO_PUBLIC_URL
# set. bench/web_pages.py then signs a company and an investor in through real invitation
# links and measures, in headless Chromium, /matches and /agenda (first contentful paint and
# the time until SELECTOR is in the page, cold and warm), and under wrk -t2 -c64 every API
# call behind those pages, with the session cookie and with a bearer token. The company and
# the investor measured are those with the most meetings. Prints one JSON object.
#
# Usage: bench/web_pages.sh TAVOLO [N M] [-- web_pages.py options]   (default 4000 2000)
#   e.g. bench/web_pages.sh build/tavolo 4000 2000 -- --seconds 10
# web_pages.py options: --selector CSS (what "the data shown" waits for on both pages; default
# '#page[data-ready]', which app.js sets once a page's render has shown its data),
# --matches-selector, --agenda-selector, --loads N (5),
# --seconds S (wrk's duration, 10), --skip-browser, --skip-api.
# Needs wrk, chromium and chromium-driver, /usr/bin/python3 with selenium.
set -euo pipefail
tavolo=$(realpath "$1")
shift
n=4000
m=2000
if [ $# -ge 2 ] && [ "$1" != "--" ]; then
    n=$1
    m=$2
    shift 2
fi
[ "${1:-}" = "--" ] && shift
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
chmod 755 "$work"
export TAVOLO_HOME=$work/home
mkdir -m 755 "$TAVOLO_HOME"
daemon=""
cleanup() {
    [ -n "$daemon" ] && kill -TERM "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
    "$tavolo" db stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
for tool in wrk chromium chromedriver; do
    command -v $tool >/dev/null || { echo "web_pages.sh: $tool is missing" >&2; exit 1; }
done
export TAVOLO_DATABASE_URL
TAVOLO_DATABASE_URL=$("$tavolo" db start --no-fsync)
event=bio-bench-2027
now() { date +%s.%N; }
since() { printf "%.3f" "$(echo "$(now) - $1" | bc)"; } # JSON needs "0.42", bc writes ".42"

# The data: profiles, the event, its schedule. Everything is then marked as told (as migration
# 015 did for what existed before it): the notify job, which the daemon runs at its first mail
# tick, would otherwise hold a worker and a transaction while it tells 6,000 participants
# (more than 10 minutes at this size, measured 2026-12-05), during the measurement.
t0=$(now)
/usr/bin/python3 "$root/bench/gen_profiles.py" "$root/fixtures/taxonomy.json" "$n" "$m" \
    "$work/companies.jsonl" "$work/investors.jsonl"
/usr/bin/python3 "$root/bench/gen_event.py" "$work/companies.jsonl" "$work/investors.jsonl" \
    "$event" "$work/event.json"
"$tavolo" import --kind companies "$work/companies.jsonl" >/dev/null
"$tavolo" import --kind investors "$work/investors.jsonl" >/dev/null
"$tavolo" event import "$work/event.json" >/dev/null
import_s=$(since "$t0")
t0=$(now)
"$tavolo" schedule "$event" >/dev/null
schedule_s=$(since "$t0")
psql "$TAVOLO_DATABASE_URL" -qAt -c "UPDATE meeting_requests SET notified = status" \
    -c "UPDATE meetings SET notified_company_seq = sequence, notified_investor_seq = sequence"

# The company and the investor with the most meetings: the longest agendas.
busiest() {
    psql "$TAVOLO_DATABASE_URL" -qAt -c "SELECT $1_id FROM meetings WHERE event_id = '$event'
        GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
}
company=$(busiest company)
investor=$(busiest investor)
counts=$(psql "$TAVOLO_DATABASE_URL" -qAt -F , -c "SELECT (SELECT count(*) FROM
    event_participants WHERE event_id = '$event'), (SELECT count(*) FROM meetings WHERE event_id
    = '$event' AND status <> 'cancelled'), (SELECT count(*) FROM meeting_requests WHERE event_id
    = '$event')")
IFS=, read -r n_participants n_meetings n_requests <<<"$counts"
company_token=$("$tavolo" token create --role company --subject "$company" 2>/dev/null)
investor_token=$("$tavolo" token create --role investor --subject "$investor" 2>/dev/null)

# The daemon on a port known beforehand: TAVOLO_PUBLIC_URL (links, the Origin check) names it.
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

/usr/bin/python3 "$root/bench/web_pages.py" --tavolo "$tavolo" --base "$TAVOLO_PUBLIC_URL" \
    --event "$event" --company "$company" --investor "$investor" \
    --company-token "$company_token" --investor-token "$investor_token" --daemon-pid "$daemon" \
    --setup "{\"companies\": $n, \"investors\": $m, \"participants\": $n_participants, \"meetings\": $n_meetings, \"requests\": $n_requests, \"import_seconds\": $import_s, \"schedule_seconds\": $schedule_s, \"serve_seconds\": $serve_s}" \
    "$@"
