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
slots_per_day=16
max_meetings=19
. "$(dirname "$0")/lib.sh"
bench_requires chromium chromedriver

# The data: profiles, the event, its schedule; everything then marked as told (bench/lib.sh).
bench_event "$n" "$m" --slots-per-day $slots_per_day --max-meetings $max_meetings
bench_told
bench_counts
admin_token=$("$tavolo" token create --role admin --label "bench/organiser_pages.sh" 2>/dev/null)
bench_serve

/usr/bin/python3 "$root/bench/organiser_pages.py" --tavolo "$tavolo" --base "$TAVOLO_PUBLIC_URL" \
    --event "$event" --admin-token "$admin_token" --daemon-pid "$daemon" \
    --setup "{\"companies\": $n, \"investors\": $m, \"slots_per_day\": $slots_per_day, \"max_meetings\": $max_meetings, \"participants\": $n_participants, \"meetings\": $n_meetings, \"requests\": $n_requests, \"import_seconds\": $import_s, \"schedule_seconds\": $schedule_s, \"serve_seconds\": $serve_s}" \
    "$@"
