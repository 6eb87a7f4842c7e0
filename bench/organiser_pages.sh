#!/usr/bin/env bash
# The organisers' console at BIO-Europe size (issue 17): N synthetic companies and M investors
# (bench/gen_profiles.py), one event with all of them as participants, each with one person
# and an e-mail address, three days of 16 slots, 600 tables, a maximum of 19 meetings each
# (bench/gen_event.py --slots-per-day 16 --max-meetings 19: about 27,500 meetings of the 28,800
# table-slots, so that some places stay free for moves), scheduled; the daemon with
# TAVOLO_PUBLIC_URL set. bench/organiser_pages.py then signs an organiser in through a real
# invitation link and measures, in headless Chromium, /organise and one day of /schedule (cold
# and warm: until #page[data-ready]), moves on the grid (the click on "Move here" until the
# card is in its new cell), and scheduler runs with their draft diff (POST .../schedule?
# draft=true and GET .../draft through the API with an admin token, and the page's own "Make a
# draft schedule" button until the draft is shown). Prints one JSON object, the issue's goals
# (1.5 s, 200 ms, 10 s) with each figure.
#
# Usage: bench/organiser_pages.sh TAVOLO [N M] [-- organiser_pages.py options]   (default 4000 2000)
#   e.g. bench/organiser_pages.sh build/tavolo 4000 2000 -- --loads 3 --moves 5
# organiser_pages.py options: --loads N (5), --moves N (5), --drafts N (3, through the API),
# --page-drafts N (1, the page's button), --skip-browser, --skip-drafts.
# Needs chromium and chromium-driver, /usr/bin/python3 with selenium.
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
for tool in chromium chromedriver; do
    command -v $tool >/dev/null || { echo "organiser_pages.sh: $tool is missing" >&2; exit 1; }
done
export TAVOLO_DATABASE_URL
TAVOLO_DATABASE_URL=$("$tavolo" db start --no-fsync)
event=bio-bench-2027
slots_per_day=16
max_meetings=19
now() { date +%s.%N; }
since() { printf "%.3f" "$(echo "$(now) - $1" | bc)"; } # JSON needs "0.42", bc writes ".42"

# The data: profiles, the event, its schedule; everything then marked as told, as
# bench/web_pages.sh does (the notify job would otherwise run through the measurement).
t0=$(now)
/usr/bin/python3 "$root/bench/gen_profiles.py" "$root/fixtures/taxonomy.json" "$n" "$m" \
    "$work/companies.jsonl" "$work/investors.jsonl"
/usr/bin/python3 "$root/bench/gen_event.py" "$work/companies.jsonl" "$work/investors.jsonl" \
    "$event" "$work/event.json" --slots-per-day $slots_per_day --max-meetings $max_meetings
"$tavolo" import --kind companies "$work/companies.jsonl" >/dev/null
"$tavolo" import --kind investors "$work/investors.jsonl" >/dev/null
"$tavolo" event import "$work/event.json" >/dev/null
import_s=$(since "$t0")
t0=$(now)
"$tavolo" schedule "$event" >/dev/null
schedule_s=$(since "$t0")
psql "$TAVOLO_DATABASE_URL" -qAt -c "UPDATE meeting_requests SET notified = status" \
    -c "UPDATE meetings SET notified_company_seq = sequence, notified_investor_seq = sequence"
counts=$(psql "$TAVOLO_DATABASE_URL" -qAt -F , -c "SELECT (SELECT count(*) FROM
    event_participants WHERE event_id = '$event'), (SELECT count(*) FROM meetings WHERE event_id
    = '$event' AND status <> 'cancelled'), (SELECT count(*) FROM meeting_requests WHERE event_id
    = '$event')")
IFS=, read -r n_participants n_meetings n_requests <<<"$counts"
admin_token=$("$tavolo" token create --role admin --label "bench/organiser_pages.sh" 2>/dev/null)

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

/usr/bin/python3 "$root/bench/organiser_pages.py" --tavolo "$tavolo" --base "$TAVOLO_PUBLIC_URL" \
    --event "$event" --admin-token "$admin_token" --daemon-pid "$daemon" \
    --setup "{\"companies\": $n, \"investors\": $m, \"slots_per_day\": $slots_per_day, \"max_meetings\": $max_meetings, \"participants\": $n_participants, \"meetings\": $n_meetings, \"requests\": $n_requests, \"import_seconds\": $import_s, \"schedule_seconds\": $schedule_s, \"serve_seconds\": $serve_s}" \
    "$@"
