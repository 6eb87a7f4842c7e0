#!/usr/bin/env bash
# The README's first command: installs what is missing, builds, starts the embedded
# PostgreSQL in $TAVOLO_HOME (default ./var), imports the fixtures (profiles and the two
# events), prints the ESIBE eligibility summary, schedules the J.P. Morgan event, and runs the
# daemon on $TAVOLO_LISTEN (default 127.0.0.1:8080), printing curl commands that work against
# it. The daemon sends the daily digests at 07:00 Europe/Rome (today's at once if that time
# has passed), into $TAVOLO_HOME/outbox.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh build -DCMAKE_BUILD_TYPE=Release -DTV_BUILD_TESTS=OFF
export TAVOLO_HOME=${TAVOLO_HOME:-$PWD/var}
listen=${TAVOLO_LISTEN:-127.0.0.1:8080}
build/tavolo db start >/dev/null
build/tavolo import fixtures/companies.jsonl fixtures/investors.jsonl
build/tavolo eligibility | tail -1
for e in fixtures/events/*.json; do build/tavolo event import "$e"; done
build/tavolo schedule jpm-2027 | sed -n 1p
token=$(build/tavolo token create --role admin --label "scripts/run.sh" 2>/dev/null)
cat <<EOT

tavolo serves on http://$listen (Ctrl-C stops it). Try, in another terminal:

  curl -s http://$listen/healthz
  curl -s -H "Authorization: Bearer $token" "http://$listen/v1/investors/i-001/matches?k=3"
  curl -s -H "Authorization: Bearer $token" "http://$listen/v1/companies/c-036/eligibility"
  curl -s -H "Authorization: Bearer $token" "http://$listen/v1/events/jpm-2027/meetings"
  curl -s -H "Authorization: Bearer $token" "http://$listen/v1/digests?date=$(TZ=Europe/Rome date +%F)"

The token above is an admin token made for this run (tavolo token list shows it).
EOT
exec build/tavolo serve --listen "$listen"
