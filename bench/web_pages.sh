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
. "$(dirname "$0")/lib.sh"
bench_requires wrk chromium chromedriver

# The data: profiles, the event, its schedule; everything then marked as told (bench/lib.sh).
bench_event "$n" "$m"
bench_told

# The company and the investor with the most meetings: the longest agendas.
busiest() {
    psql "$TAVOLO_DATABASE_URL" -qAt -c "SELECT $1_id FROM meetings WHERE event_id = '$event'
        GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
}
company=$(busiest company)
investor=$(busiest investor)
bench_counts
company_token=$("$tavolo" token create --role company --subject "$company" 2>/dev/null)
investor_token=$("$tavolo" token create --role investor --subject "$investor" 2>/dev/null)

bench_serve

/usr/bin/python3 "$root/bench/web_pages.py" --tavolo "$tavolo" --base "$TAVOLO_PUBLIC_URL" \
    --event "$event" --company "$company" --investor "$investor" \
    --company-token "$company_token" --investor-token "$investor_token" --daemon-pid "$daemon" \
    --setup "{\"companies\": $n, \"investors\": $m, \"participants\": $n_participants, \"meetings\": $n_meetings, \"requests\": $n_requests, \"import_seconds\": $import_s, \"schedule_seconds\": $schedule_s, \"serve_seconds\": $serve_s}" \
    "$@"
