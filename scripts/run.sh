#!/usr/bin/env bash
# The README's first command: installs what is missing, builds, starts the embedded
# PostgreSQL in $TAVOLO_HOME (default ./var), imports the fixtures (profiles and the two
# events), prints the ESIBE eligibility summary, schedules the J.P. Morgan event, and runs the
# daemon on $TAVOLO_LISTEN (default 127.0.0.1:8080), printing four sign-in links for its pages
# and curl commands that work against it. The daemon sends the daily digests at 07:00 Europe/Rome (today's at once if that time
# has passed), into $TAVOLO_HOME/outbox.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh build -DCMAKE_BUILD_TYPE=Release -DTV_BUILD_TESTS=OFF
export TAVOLO_HOME=${TAVOLO_HOME:-$PWD/var}
listen=${TAVOLO_LISTEN:-127.0.0.1:8080}
export TAVOLO_PUBLIC_URL=${TAVOLO_PUBLIC_URL:-http://$listen}
build/tavolo db start >/dev/null
build/tavolo import fixtures/companies.jsonl fixtures/investors.jsonl
build/tavolo eligibility | tail -1
for e in fixtures/events/*.json; do build/tavolo event import "$e"; done
build/tavolo schedule jpm-2027 | sed -n 1p
token=$(build/tavolo token create --role admin --label "scripts/run.sh" 2>/dev/null)
# Four people get a sign-in link each (valid 72 h, once), read back from the outbox: an
# investor who reads Italian, a company's founder, an organiser of the J.P. Morgan event and an
# admin of the Tour.
build/tavolo invite --profile i-013 >/dev/null
build/tavolo invite --profile c-029 >/dev/null
build/tavolo invite --organiser marta.ferri@ice.example --event jpm-2027 --name "Marta Ferri" \
    --language it >/dev/null
build/tavolo invite --admin chiara.conti@ice.example --name "Chiara Conti" >/dev/null
build/tavolo mail send >/dev/null
investor_link=$(/usr/bin/python3 scripts/signin_link.py "$TAVOLO_HOME/outbox" paolo.rossi@i-013.example)
company_link=$(/usr/bin/python3 scripts/signin_link.py "$TAVOLO_HOME/outbox" luca.dubois@c-029.example)
organiser_link=$(/usr/bin/python3 scripts/signin_link.py "$TAVOLO_HOME/outbox" marta.ferri@ice.example)
admin_link=$(/usr/bin/python3 scripts/signin_link.py "$TAVOLO_HOME/outbox" chiara.conti@ice.example)
cat <<EOT

tavolo serves on http://$listen (Ctrl-C stops it). Open its pages in a browser, signed in
as Paolo Rossi (investor i-013, in Italian), as Luca Dubois (company c-029), as Marta Ferri
(an organiser of J.P. Morgan 2027: the event, its schedule grid, exports and reports) and as
Chiara Conti (an admin of the Tour: every event, and new events from a form and a
spreadsheet), each link once:

  $investor_link
  $company_link
  $organiser_link
  $admin_link

(http://$listen/ asks for an address and mails a new link into $TAVOLO_HOME/outbox.) Or try
the API, in another terminal:

  curl -s http://$listen/healthz
  curl -s -H "Authorization: Bearer $token" "http://$listen/v1/investors/i-001/matches?k=3"
  curl -s -H "Authorization: Bearer $token" "http://$listen/v1/companies/c-036/eligibility"
  curl -s -H "Authorization: Bearer $token" "http://$listen/v1/events/jpm-2027/meetings"
  curl -s -H "Authorization: Bearer $token" "http://$listen/v1/digests?date=$(TZ=Europe/Rome date +%F)"

The token above is an admin token made for this run (tavolo token list shows it).
EOT
exec build/tavolo serve --listen "$listen"
