#!/usr/bin/env bash
# api.daemon: `tavolo serve` end to end, over real HTTP (curl), against its own throwaway
# PostgreSQL. Every route of api_routes with its success status and body shape; every error
# status (400 400 401 403 404 405 409 413 415 422 503) with its problem document; who may see
# and change what, for each role; read-after-write through the matches; clients that give up
# mid-request; PostgreSQL going away and coming back; SIGTERM with requests in flight; the
# JSON log. Where api/daemon/openapi.yaml describes the same thing, the daemon is held to it (checks
# named "openapi: ...").
#
# Usage: test_daemon.sh PATH/TO/tavolo     (exit 0 when every check passes)
# TV_API_TEST_KEEP_LOG=FILE keeps a copy of the daemon's stderr.
# Bounded: every curl has --max-time, every wait a limit, and the whole run a 150 s watchdog
# (20-30 s alone; a loaded 2-core machine under ASan needs more).
if [ -z "${TV_API_TEST_INNER:-}" ]; then
    TV_API_TEST_INNER=1 exec timeout -k 5 150 "$0" "$@"
fi
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/http.sh"
[ $# -eq 1 ] || { echo "usage: $0 PATH/TO/tavolo"; exit 2; }
TAVOLO=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
FIX=$(cd "$(dirname "$0")/../../fixtures" && pwd)
PY=/usr/bin/python3
T0=$(date +%s.%N)
MAX_BODY=4096
WORKERS=4 # libuv's thread pool, where requests run, each worker with its own connection

export TAVOLO_HOME
TAVOLO_HOME=$(mktemp -d "${TMPDIR:-/tmp}/tavolo-api.XXXXXX")
chmod 755 "$TAVOLO_HOME" # PostgreSQL runs as the postgres user when we are root
tmp=$TAVOLO_HOME/test
mkdir "$tmp"
unset TAVOLO_DATABASE_URL
daemon_pid=""
locker_pid=""

cleanup() {
    local rc=$?
    trap - EXIT TERM INT
    if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
        kill -TERM "$daemon_pid" 2>/dev/null
        for _ in $(seq 30); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$daemon_pid" 2>/dev/null
    fi
    [ -n "$locker_pid" ] && kill "$locker_pid" 2>/dev/null
    if [ "$failed" -gt 0 ] && [ -s "$tmp/daemon.log" ]; then
        echo "# last lines of the daemon's log:"
        tail -n 15 "$tmp/daemon.log" | sed 's/^/#   /'
        print_failures
    fi
    [ -n "${TV_API_TEST_KEEP_LOG:-}" ] && cp "$tmp/daemon.log" "$TV_API_TEST_KEEP_LOG" 2>/dev/null
    "$TAVOLO" db stop >/dev/null 2>&1
    rm -rf "$TAVOLO_HOME"
    exit "$rc"
}
trap cleanup EXIT
trap 'not_ok "the test ran out of time or was interrupted"; finish; exit 1' TERM INT

# ---- helpers ----

# send METHOD PATH TOKEN JSON [CONTENT-TYPE]: a request with a body.
send() {
    call "$1" "$2" "$3" -H "Content-Type: ${5:-application/json}" --data-binary "$4"
}

# expect_problem DESCRIPTION STATUS SLUG: status, and an RFC 9457 document as openapi's
# Problem: media type, type urn:tavolo:problem:SLUG, the status member, title, detail, and
# instance equal to the request's path.
expect_problem() {
    local desc=$1 want=$2 slug=$3 path=${last_path%%\?*}
    expect_status "$desc" "$want"
    expect_eq "$desc: problem document" \
        "application/problem+json urn:tavolo:problem:$slug $want True $path" \
        "$(header content-type) $(js 'd["type"], d["status"], all(isinstance(d.get(k), str) and d[k] for k in ("title", "detail")), d["instance"]')"
}

# expect_openapi DESCRIPTION STATUS SLUG: one check of status and problem type, for what
# api/daemon/openapi.yaml promises where the daemon may differ (reported as "openapi: ...").
expect_openapi() {
    expect_status_type "openapi: $1" "$2" "$3"
}

# expect_status_type DESCRIPTION STATUS SLUG: one check of status and problem type.
expect_status_type() {
    expect_eq "$1" "$2 urn:tavolo:problem:$3" \
        "$code $(js 'd.get("type") if isinstance(d, dict) else type(d).__name__')"
}

# req and reqj: call and send, remembering the path for expect_problem.
req() { # METHOD PATH TOKEN [CURL ARGS...]
    last_path=$2
    call "$@"
}
reqj() { # METHOD PATH TOKEN JSON [CONTENT-TYPE]
    last_path=$2
    send "$@"
}

ids_of() { # FIELD: the FIELD of every item of the last body, space separated
    js "' '.join(sorted(i['$1'] for i in d['items']))"
}

# ---- a cluster of our own, the fixtures, an event, tokens ----

own_cluster
"$TAVOLO" import "$FIX/companies.jsonl" "$FIX/investors.jsonl" >/dev/null 2>&1
"$TAVOLO" import --kind companies "$FIX/planted/companies.jsonl" >/dev/null 2>&1
"$TAVOLO" import --kind investors "$FIX/planted/investors.jsonl" >/dev/null 2>&1
expect_eq "fixtures imported (companies|investors)" "92|63" \
    "$(sql 'SELECT (SELECT count(*) FROM companies), (SELECT count(*) FROM investors)')"

# ev-test: the organiser's event. ev-other: someone else's. ev-del: for the deletion check.
EV_COMPANIES="c-001 c-002 p-co-fit"
EV_INVESTORS="i-001 p-inv-lung"
sql "INSERT INTO events (id, name) VALUES ('ev-test', 'Test'), ('ev-other', 'Other'),
     ('ev-del', 'Deletion')" >/dev/null
sql "INSERT INTO event_participants VALUES
     ('ev-test', 'company', 'c-001'), ('ev-test', 'company', 'c-002'),
     ('ev-test', 'company', 'p-co-fit'), ('ev-test', 'investor', 'i-001'),
     ('ev-test', 'investor', 'p-inv-lung'),
     ('ev-other', 'company', 'c-010'), ('ev-other', 'investor', 'i-010')" >/dev/null

token() { "$TAVOLO" token create "$@" 2>"$tmp/token.err"; }
ADMIN=$(token --role admin)
ORG=$(token --role organiser --event ev-test)
INV=$(token --role investor --subject i-001)
CO=$(token --role company --subject c-001)
# Used for the first time just before PostgreSQL goes away, so they are surely cached then.
ADMIN2=$(token --role admin)
INV2=$(token --role investor --subject i-001)
LATE=$(token --role company --subject c-002) # first used while PostgreSQL is down
REVOKED=$(token --role investor --subject i-002)
revoked_id=$(sed -n 's/^token \([0-9]*\) .*/\1/p' "$tmp/token.err")
"$TAVOLO" token revoke "$revoked_id" >/dev/null 2>&1
expect_eq "tokens made and one revoked" "8 1" \
    "$(sql 'SELECT count(*), count(revoked_at) FROM tokens' | tr '|' ' ')"

# ---- the daemon ----

TAVOLO_DIGEST_TIME=off UV_THREADPOOL_SIZE=$WORKERS "$TAVOLO" serve --listen 127.0.0.1:0 --port-file "$tmp/port" \
    --max-body "$MAX_BODY" >"$tmp/daemon.out" 2>"$tmp/daemon.log" &
daemon_pid=$!
for _ in $(seq 100); do
    grep -q '^[0-9][0-9]*$' "$tmp/port" 2>/dev/null && break
    kill -0 "$daemon_pid" 2>/dev/null || break
    sleep 0.1
done
port=$(cat "$tmp/port" 2>/dev/null)
if ! [[ "$port" =~ ^[0-9]+$ ]]; then
    not_ok "the daemon wrote no port file: $(tail -n 5 "$tmp/daemon.log")"
    finish
    exit 1
fi
base=http://127.0.0.1:$port
for _ in $(seq 50); do
    call GET /healthz "" && [ "$code" = 200 ] && break
    sleep 0.1
done
expect_status "the daemon answers /healthz on 127.0.0.1:$port" 200

# ---- GET /healthz, GET /metrics (no token) ----

req GET /healthz ""
expect_eq "GET /healthz: the Health document" \
    "application/json True ok up 92 63" \
    "$(header content-type) $(js 'sorted(d) == ["companies", "database", "feed", "investors", "status"], d["status"], d["database"], d["companies"], d["investors"]')"
rid=$(header x-request-id)
[ -n "$rid" ] && ok "the response has an X-Request-Id ($rid)" || not_ok "no X-Request-Id"

req GET /metrics ""
expect_status "GET /metrics" 200
expect_eq "GET /metrics: Prometheus text 0.0.4" "text/plain; version=0.0.4" "$(header content-type)"
expect_contains "GET /metrics counts requests by route" \
    'tavolo_http_requests_total{route="/healthz",method="GET",status="200"}' "$(cat "$tmp/body")"
expect_contains "GET /metrics holds the profile gauge" "tavolo_profiles" "$(cat "$tmp/body")"

# ---- 401: no token, malformed, unknown, revoked ----

req GET /v1/companies/c-001 ""
expect_problem "no token: 401" 401 unauthorized
expect_eq "401 asks for a bearer token, and has an X-Request-Id" "Bearer True" \
    "$(header www-authenticate) $([ -n "$(header x-request-id)" ] && echo True)"
req GET /v1/companies/c-001 "not-a-token"
expect_problem "a malformed token: 401" 401 unauthorized
req GET /v1/companies/c-001 "tv_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
expect_problem "a well-formed unknown token: 401" 401 unauthorized
# The daemon caches a token's answer for API_TOKEN_CACHE_SECONDS (30 s, api/daemon/jobs.h), so a
# token revoked after use keeps working until its entry expires. This token was revoked before it
# was ever used, so no cached answer can hide the revocation.
req GET /v1/investors/i-002 "$REVOKED"
expect_problem "a revoked token (never used before its revocation): 401" 401 unauthorized
expect_eq "401 for a revoked token asks for a bearer token" Bearer "$(header www-authenticate)"
req GET /v1/companies ""
expect_problem "a list without a token: 401" 401 unauthorized
call GET /v1/investors/i-001 "" -H "Authorization: bearer $INV"
expect_status "the scheme name in any case (bearer)" 200

# ---- 404 path, 405 with Allow, 413, 415 ----

req GET /v1/nothing "$ADMIN"
expect_problem "an unknown path: 404" 404 not-found
req GET /v1/companies/c-001/nothing "$ADMIN"
expect_problem "an unknown subpath of a record: 404" 404 not-found
req DELETE /v1/companies "$ADMIN"
expect_problem "DELETE /v1/companies: 405" 405 method-not-allowed
expect_eq "405 names the allowed methods in Allow" "GET, POST" "$(header allow)"
req POST /v1/investors/i-001 "$ADMIN" -H 'Content-Type: application/json' -d '{}'
expect_problem "POST /v1/investors/{id}: 405" 405 method-not-allowed
expect_eq "405 Allow on a record" "GET, PUT, PATCH, DELETE" "$(header allow)"
req PUT /v1/companies/c-001/matches "$ADMIN" -H 'Content-Type: application/json' -d '{}'
expect_eq "PUT on matches: 405, Allow: GET" "405 GET" "$code $(header allow)"
req POST /healthz ""
expect_eq "POST /healthz: 405, Allow: GET" "405 GET" "$code $(header allow)"

# A body over --max-body is refused before anything else; one of exactly --max-body is not.
pad() { "$PY" -c 'import json, sys
n, doc = int(sys.argv[1]), json.loads(sys.argv[2])
doc["description"] = ""
doc["description"] = "x" * (n - len(json.dumps(doc)))
print(json.dumps(doc), end="")' "$@"; }
reqj POST /v1/companies "$ADMIN" "$(pad $((MAX_BODY + 1)) '{"id": "t-big", "name": "Big"}')"
expect_problem "a body of --max-body + 1 bytes: 413" 413 payload-too-large
reqj POST /v1/companies "" "$(pad $((MAX_BODY + 1)) '{"id": "t-big", "name": "Big"}')"
expect_eq "413 comes before the token check" 413 "$code"
reqj POST /v1/companies "$ADMIN" "$(pad "$MAX_BODY" '{"id": "t-edge", "name": "Edge"}')"
expect_status "a body of exactly --max-body bytes is accepted (201)" 201

reqj POST /v1/companies "$ADMIN" '{"id": "t-ct", "name": "X"}' text/plain
expect_problem "POST as text/plain: 415" 415 unsupported-media-type
req POST /v1/companies "$ADMIN" -H 'Content-Type:' --data-binary '{"id": "t-ct", "name": "X"}'
expect_problem "POST without a Content-Type: 415" 415 unsupported-media-type
reqj POST /v1/companies "$ADMIN" '{"id": "t-ct", "name": "X"}' application/merge-patch+json
expect_problem "POST as merge-patch: 415 (only PATCH takes it)" 415 unsupported-media-type
reqj PUT /v1/investors/i-003 "$ADMIN" '{"id": "i-003", "name": "X"}' application/x-www-form-urlencoded
expect_problem "PUT as a form: 415" 415 unsupported-media-type
reqj PATCH /v1/companies/c-003 "$ADMIN" '{"city": "Siena"}' text/plain
expect_problem "PATCH as text/plain: 415" 415 unsupported-media-type
# openapi: "Any other media type gets 415". The daemon compares only a prefix
# ("application/json"), so JSON Patch (RFC 6902) and made-up types pass as JSON.
reqj PATCH /v1/companies/c-003 "$ADMIN" '[{"op": "replace", "path": "/city", "value": "Siena"}]' \
    application/json-patch+json
expect_openapi "PATCH as application/json-patch+json: 415" 415 unsupported-media-type
reqj POST /v1/companies "$ADMIN" '{"id": "t-ct", "name": "X"}' application/jsonx
expect_openapi "POST as application/jsonx: 415" 415 unsupported-media-type

# ---- companies as admin: every route ----

PUBLIC_CO="{'id','name','area','hq_country','hq_region','city','pathologies','technologies','priorities','stage','round','raise_eur','description','language','founded'}"
PUBLIC_INV="{'id','name','kind','country','regions','pathologies','technologies','priorities','stages','rounds','ticket_min_eur','ticket_max_eur','leads','language'}"

req GET /v1/companies/c-001 "$ADMIN"
expect_status "GET /v1/companies/{id} as admin" 200
expect_eq "the admin reads a company in full" "c-001 6500000 True" \
    "$(js 'd["id"], d["rd_spend_eur"], "wants" in d')"

all_co=$(sql "SELECT string_agg(id, ' ' ORDER BY id COLLATE \"C\") FROM companies")
req GET "/v1/companies?limit=50" "$ADMIN"
expect_eq "GET /v1/companies: a page of 50 and a cursor" "200 50 True" \
    "$code $(js 'len(d["items"]), set(d) == {"items", "next"} and d["next"] == d["items"][-1]["id"]')"
page1=$(js "' '.join(i['id'] for i in d['items'])")
next=$(js 'd["next"]')
req GET "/v1/companies?limit=200&after=$next" "$ADMIN"
expect_eq "the last page has next null" "200 None" "$code $(js 'd["next"]')"
page2=$(js "' '.join(i['id'] for i in d['items'])")
expect_eq "the pages hold every company once, in bytewise id order" "$all_co" "$page1 $page2"
req GET "/v1/companies?pathology=oncology&limit=200" "$ADMIN"
expect_eq "?pathology=oncology keeps oncology and its finer terms only" "200 True True" \
    "$code $(js 'len(d["items"]) > 0, all(any(p.split(".")[0] == "oncology" for p in i.get("pathologies", [])) for i in d["items"])')"
req GET "/v1/companies?pathology=oncologia" "$ADMIN"
expect_problem "an unknown taxonomy id in a filter: 400" 400 invalid-parameter
expect_eq "400 names the parameter" pathology "$(js 'd["parameter"]')"
req GET "/v1/companies?limit=0" "$ADMIN"
expect_problem "limit=0: 400" 400 invalid-parameter
expect_eq "400 names the parameter" limit "$(js 'd["parameter"]')"
req GET "/v1/companies?eligible=maybe" "$ADMIN"
expect_eq "eligible=maybe: 400 naming eligible" "400 eligible" "$code $(js 'd["parameter"]')"
# openapi: "An unknown query parameter, a repeated one, or a value out of range gets 400".
req GET "/v1/companies?colour=red" "$ADMIN"
expect_openapi "an unknown query parameter: 400" 400 invalid-parameter
req GET "/v1/companies?limit=1&limit=2" "$ADMIN"
expect_openapi "a repeated query parameter: 400" 400 invalid-parameter
# openapi ("Order of checks"): token 401 comes before query parameters 400.
req GET "/v1/companies?colour=red" ""
expect_openapi "an unknown query parameter without a token: 401 first" 401 unauthorized

CO_NEW='{"id": "t-co-new", "name": "Nuova Bio", "area": "precision_medicine", "hq_country": "IT",
 "rd_spend_eur": 2500000, "pathologies": ["oncology.breast", "oncology.breast"],
 "stage": "preclinical", "wants": {"lead": true}}'
reqj POST /v1/companies "$ADMIN" "$CO_NEW"
expect_status "POST /v1/companies: 201" 201
expect_eq "201 has a Location" /v1/companies/t-co-new "$(header location)"
expect_eq "the body is the record as stored (canonical: no duplicates)" "t-co-new ['oncology.breast']" \
    "$(js 'd["id"], d["pathologies"]')"
expect_eq "the POST landed in PostgreSQL" 1 "$(sql "SELECT count(*) FROM companies WHERE id = 't-co-new'")"
reqj POST /v1/companies "$ADMIN" "$CO_NEW"
expect_problem "POST of an existing id: 409" 409 conflict
reqj POST /v1/companies "$ADMIN" '{"id": "c-001", "name": "Velarna again"}'
expect_problem "POST of a fixture's id: 409" 409 conflict
req GET /v1/companies/c-001 "$ADMIN"
expect_eq "a 409 changes nothing" "Velarna Therapeutics" "$(js 'd["name"]')"

reqj POST /v1/companies "$ADMIN" '{"id": '
expect_problem "malformed JSON: 400" 400 malformed-json
expect_eq "malformed-json lists the problem in errors" True "$(js 'len(d["errors"]) >= 1')"
# openapi's ProblemError requires "pointer" ("" for the whole document).
expect_eq "openapi: every errors item of malformed-json has a pointer" True \
    "$(js 'all("pointer" in e for e in d["errors"])')"
reqj PATCH /v1/companies/c-003 "$ADMIN" '{"city": ' application/merge-patch+json
expect_problem "a malformed PATCH: 400" 400 malformed-json

reqj POST /v1/companies "$ADMIN" '{"id": "t-bad", "name": "Bad", "rd_spend_eur": "lots"}'
expect_problem "rd_spend_eur \"lots\": 422" 422 invalid-field
expect_eq "422 points at /rd_spend_eur, in pointer and errors" "/rd_spend_eur /rd_spend_eur" \
    "$(js 'd["pointer"], d["errors"][0]["pointer"]')"
reqj POST /v1/companies "$ADMIN" \
    '{"id": "t-bad", "name": "Bad", "hq_country": "XX", "pathologies": ["foo"], "wants": {"lead": 1}}'
expect_eq "422 lists every problem with its pointer" "422 /hq_country /pathologies/0 /wants/lead" \
    "$code $(js '" ".join(sorted(e["pointer"] for e in d["errors"]))')"
req GET /v1/companies/t-bad "$ADMIN"
expect_status "a 422 stores nothing" 404
reqj PUT /v1/companies/c-003 "$ADMIN" '{"id": "c-004", "name": "Mismatch"}'
expect_problem "PUT whose body id differs from the path: 422" 422 invalid-field
expect_eq "and points at /id" /id "$(js 'd["pointer"]')"

reqj PUT /v1/companies/t-co-put "$ADMIN" '{"id": "t-co-put", "name": "Put Bio"}'
expect_eq "PUT of a new id: 201 with Location" "201 /v1/companies/t-co-put" "$code $(header location)"
reqj PUT /v1/companies/t-co-put "$ADMIN" '{"id": "t-co-put", "name": "Put Bio 2", "city": "Torino"}'
expect_eq "PUT of an existing id: 200, the record as stored" "200 Put Bio 2 Torino" \
    "$code $(js 'd["name"], d["city"]')"
reqj PUT /v1/companies/t-co-put "$ADMIN" '{"id": "t-co-put", "name": "Put Bio 3"}' \
    'application/json; charset=utf-8'
expect_eq "PUT replaces the whole record (city gone); charset parameter accepted" "200 Put Bio 3 False" \
    "$code $(js 'd["name"], "city" in d')"
reqj PATCH /v1/companies/t-co-put "$ADMIN" '{"city": "Bari", "founded": 2021}' application/merge-patch+json
expect_eq "PATCH (merge-patch+json): 200, merged" "200 Put Bio 3 Bari 2021" \
    "$code $(js 'd["name"], d["city"], d["founded"]')"
reqj PATCH /v1/companies/t-co-put "$ADMIN" '{"city": null}'
expect_eq "PATCH as application/json, null removes a field" "200 False" "$code $(js '"city" in d')"
expect_eq "the PATCH is in PostgreSQL" "Put Bio 3|2021|" \
    "$(sql "SELECT doc->>'name', doc->>'founded', doc->>'city' FROM companies WHERE id = 't-co-put'")"
reqj PATCH /v1/companies/t-nobody "$ADMIN" '{"city": "Bari"}'
expect_problem "PATCH of an unknown id: 404" 404 not-found
reqj PATCH /v1/companies/t-co-put "$ADMIN" '{"rd_spend_eur": -1}'
expect_eq "PATCH making the record invalid: 422 at /rd_spend_eur" "422 /rd_spend_eur" "$code $(js 'd["pointer"]')"

req GET /v1/companies/c-002/eligibility "$ADMIN"
expect_eq "GET /v1/companies/{id}/eligibility: 200, the Eligibility document" \
    "200 c-002 True 4 True" \
    "$code $(js 'd["company_id"], set(d) == {"company_id", "name", "eligible", "criteria"}, len(d["criteria"]), [c["name"] for c in d["criteria"]] == ["rd_threshold", "not_commercial", "patents", "italy"]')"
req GET /v1/companies/t-nobody/eligibility "$ADMIN"
expect_problem "eligibility of an unknown company: 404" 404 not-found

# match_shape: the MatchList document, every Match complete, contributions summing to the
# score, best first (by score and so by fit, 0 to 100, with its level and reasons), and every
# item about the subject (FIELD == ID).
match_shape() { # FIELD ID K
    js "set(d) == {'items', 'k', 'event'} and d['k'] == $3 and 0 < len(d['items']) <= $3 and all(set(m) == {'company_id', 'company_name', 'investor_id', 'investor_name', 'score', 'forward', 'reverse', 'activity', 'contributions', 'shared_terms', 'shared_text', 'constraints', 'allowed', 'reasons', 'fit', 'level', 'top_reasons', 'flags', 'company_country', 'company_area', 'company_stage', 'investor_kind', 'investor_country'} and m['$1'] == '$2' and m['allowed'] is True and abs(sum(m['contributions'].values()) - m['score']) < 1e-4 and 0 <= m['fit'] <= 100 and m['level'] in ('excellent', 'good', 'fair', 'weak') and 1 <= len(m['top_reasons']) <= 3 for m in d['items']) and [m['score'] for m in d['items']] == sorted((m['score'] for m in d['items']), reverse=True) and [m['fit'] for m in d['items']] == sorted((m['fit'] for m in d['items']), reverse=True)"
}
req GET "/v1/companies/c-002/matches?k=5" "$ADMIN"
expect_eq "GET /v1/companies/{id}/matches: 200, a MatchList of the company" "200 True None" \
    "$code $(match_shape company_id c-002 5) $(js 'd["event"]')"
req GET "/v1/investors/p-inv-lung/matches" "$ADMIN"
expect_eq "GET /v1/investors/{id}/matches: 200, k defaults to 20" "200 True" \
    "$code $(match_shape investor_id p-inv-lung 20)"
expect_eq "the planted perfect fit ranks first" p-co-fit "$(js 'd["items"][0]["company_id"]')"
req GET "/v1/investors/p-inv-lung/matches?k=201" "$ADMIN"
expect_problem "k=201: 400" 400 invalid-parameter
expect_eq "400 names k" k "$(js 'd["parameter"]')"
req GET "/v1/investors/p-inv-lung/matches?event=ev-test&k=50" "$ADMIN"
expect_eq "?event= restricts an admin's matches to the participants" "200 ev-test c-001 c-002 p-co-fit" \
    "$code $(js 'd["event"]') $(ids_of company_id)"
req GET /v1/investors/nobody/matches "$ADMIN"
expect_problem "matches of an unknown investor: 404" 404 not-found
req GET /v1/companies/nobody/matches "$ADMIN"
expect_problem "matches of an unknown company: 404" 404 not-found
# openapi (Event parameter): "An unknown event is a 400."
req GET "/v1/investors/p-inv-lung/matches?event=no-such-event" "$ADMIN"
expect_openapi "matches in an unknown event: 400" 400 invalid-parameter
# openapi (Lang parameter): it or en.
req GET "/v1/investors/p-inv-lung/matches?lang=xx" "$ADMIN"
expect_openapi "lang=xx: 400" 400 invalid-parameter

# ---- investors as admin ----

INV_NEW='{"id": "t-inv-new", "name": "Nuovo Fondo", "kind": "vc", "country": "IT",
 "ticket_min_eur": 1000000, "ticket_max_eur": 5000000, "thesis": "Oncologia.",
 "portfolio": [{"name": "Held Bio", "stage": "preclinical"}]}'
reqj POST /v1/investors "$ADMIN" "$INV_NEW"
expect_eq "POST /v1/investors: 201 with Location" "201 /v1/investors/t-inv-new" "$code $(header location)"
reqj POST /v1/investors "$ADMIN" "$INV_NEW"
expect_problem "POST of an existing investor: 409" 409 conflict
reqj POST /v1/investors "$ADMIN" '{"id": "t-inv-bad", "name": "B", "ticket_min_eur": 9, "ticket_max_eur": 1}'
expect_eq "ticket max below min: 422 with a pointer" "422 True" \
    "$code $(js 'd["pointer"].startswith("/ticket_")')"
req GET /v1/investors/t-inv-new "$ADMIN"
expect_eq "GET /v1/investors/{id}: 200 in full" "200 Oncologia. 1" \
    "$code $(js 'd["thesis"], len(d["portfolio"])')"
reqj PUT /v1/investors/t-inv-new "$ADMIN" '{"id": "t-inv-new", "name": "Nuovo Fondo II", "kind": "cvc"}'
expect_eq "PUT /v1/investors/{id}: 200" "200 cvc False" "$code $(js 'd["kind"], "portfolio" in d')"
expect_eq "the PUT emptied the portfolio rows" 0 \
    "$(sql "SELECT count(*) FROM portfolio_entries WHERE investor_id = 't-inv-new'")"
reqj PATCH /v1/investors/t-inv-new "$ADMIN" '{"leads": true, "horizon_years": 7}' application/merge-patch+json
expect_eq "PATCH /v1/investors/{id}: 200" "200 True 7 Nuovo Fondo II" \
    "$code $(js 'd["leads"], d["horizon_years"], d["name"]')"
reqj PUT /v1/investors/t-inv-new "$ADMIN" '{"id": "t-inv-other", "name": "X"}'
expect_eq "PUT /v1/investors with another id in the body: 422 at /id" "422 /id" "$code $(js 'd["pointer"]')"
req GET "/v1/investors?limit=200" "$ADMIN"
expect_eq "GET /v1/investors: 200, every investor, in full" "200 64 None True" \
    "$code $(js 'len(d["items"]), d["next"], any("thesis" in i for i in d["items"])')"
req GET "/v1/investors?kind=cvc&limit=200" "$ADMIN"
expect_eq "?kind=cvc keeps CVCs only" "200 True" \
    "$code $(js 'len(d["items"]) > 0 and all(i["kind"] == "cvc" for i in d["items"])')"
req GET "/v1/investors?kind=bank" "$ADMIN"
expect_eq "?kind=bank: 400 naming kind" "400 kind" "$code $(js 'd["parameter"]')"
req DELETE /v1/investors/t-inv-new "$ADMIN"
expect_eq "DELETE /v1/investors/{id}: 204, no body" "204 0" "$code $(wc -c <"$tmp/body")"
req GET /v1/investors/t-inv-new "$ADMIN"
expect_problem "a deleted investor: 404" 404 not-found
expect_eq "and gone from PostgreSQL" 0 "$(sql "SELECT count(*) FROM investors WHERE id = 't-inv-new'")"
req DELETE /v1/investors/t-inv-new "$ADMIN"
expect_problem "DELETE of an unknown investor: 404" 404 not-found
req GET /v1/investors/nobody "$ADMIN"
expect_problem "GET of an unknown investor: 404" 404 not-found

# ---- an investor's token (i-001) ----

req GET /v1/investors/i-001 "$INV"
expect_eq "investor: own record, in full (thesis, portfolio)" "200 True True" \
    "$code $(js '"thesis" in d, "portfolio" in d')"
cp "$tmp/body" "$tmp/i-001.json"
req GET /v1/investors/i-002 "$INV"
expect_problem "investor: another investor: 403" 403 forbidden
req GET /v1/investors/nobody "$INV"
expect_problem "investor: an unknown peer is 403 as well, not 404" 403 forbidden
req GET /v1/companies/c-001 "$INV"
expect_eq "investor: a company, public fields only (no rd_spend_eur, no wants)" "200 True False False" \
    "$code $(js "set(d) <= $PUBLIC_CO and d['id'] == 'c-001', 'rd_spend_eur' in d, 'wants' in d")"
req GET "/v1/investors/i-001/matches?k=10" "$INV"
expect_eq "investor: own matches: 200" "200 True" "$code $(match_shape investor_id i-001 10)"
req GET /v1/investors/i-002/matches "$INV"
expect_problem "investor: another investor's matches: 403" 403 forbidden
req GET /v1/companies/c-001/matches "$INV"
expect_problem "investor: a company's matches: 403" 403 forbidden
req GET "/v1/companies?limit=200" "$INV"
expect_eq "investor: the company list, public fields only" "200 True False" \
    "$code $(js "len(d['items']) > 80 and all(set(i) <= $PUBLIC_CO for i in d['items']), any('rd_spend_eur' in i or 'wants' in i for i in d['items'])")"
# openapi: "Lists never answer 403: they hold only what the caller may see" (listInvestors:
# "its own record for an investor").
req GET "/v1/investors?limit=200" "$INV"
expect_eq "openapi: investor: the investor list holds itself only, in full" "200 i-001 True" \
    "$code $(ids_of id) $(js 'all("thesis" in i for i in d["items"])')"
"$PY" -c 'import json, sys
d = json.load(open(sys.argv[1])); d["horizon_years"] = 12
print(json.dumps(d))' "$tmp/i-001.json" >"$tmp/i-001-put.json"
reqj PUT /v1/investors/i-001 "$INV" "$(cat "$tmp/i-001-put.json")"
expect_eq "investor: PUT own record: 200" "200 12" "$code $(js 'd["horizon_years"]')"
reqj PUT /v1/investors/i-002 "$INV" '{"id": "i-002", "name": "Taken over"}'
expect_problem "investor: PUT another investor: 403" 403 forbidden
expect_eq "and nothing was written" 0 "$(sql "SELECT count(*) FROM investors WHERE doc->>'name' = 'Taken over'")"
reqj PATCH /v1/investors/i-002 "$INV" '{"thesis": "mine now"}'
expect_problem "investor: PATCH another investor: 403" 403 forbidden
reqj PUT /v1/companies/c-001 "$INV" '{"id": "c-001", "name": "Taken over"}'
expect_problem "investor: PUT a company: 403" 403 forbidden
reqj POST /v1/investors "$INV" '{"id": "t-inv-sock", "name": "Sock puppet"}'
expect_problem "investor: POST another investor: 403" 403 forbidden
reqj POST /v1/investors "$INV" '{"id": "i-001", "name": "Me again"}'
expect_problem "investor: POST its own existing id: 409" 409 conflict
req DELETE /v1/investors/i-001 "$INV"
expect_problem "investor: DELETE own record: 403 (admin only)" 403 forbidden
req DELETE /v1/companies/c-050 "$INV"
expect_problem "investor: DELETE a company: 403" 403 forbidden
# openapi (getCompanyEligibility): "The reasons quote private figures ... an investor gets
# 403": they hold the R&D spend that the public view hides.
req GET /v1/companies/c-001/eligibility "$INV"
expect_openapi "investor: a company's eligibility: 403" 403 forbidden
# openapi: "Outside what its role allows, a request gets 403 (whether or not the record
# exists: a scoped token never learns more from a 404)".
reqj PATCH /v1/investors/i-999 "$INV" '{"thesis": "x"}'
expect_openapi "investor: PATCH of a peer that does not exist: 403, not 404" 403 forbidden
# openapi ("Order of checks"): role 403 before query parameters 400.
req GET "/v1/investors/i-002/matches?k=0" "$INV"
expect_openapi "investor: another's matches with a bad k: 403 first" 403 forbidden

# ---- a company's token (c-001) ----

req GET /v1/companies/c-001 "$CO"
expect_eq "company: own record, in full (rd_spend_eur, wants)" "200 True True" \
    "$code $(js '"rd_spend_eur" in d, "wants" in d')"
cp "$tmp/body" "$tmp/c-001.json"
req GET /v1/companies/c-002 "$CO"
expect_problem "company: another company: 403" 403 forbidden
req GET /v1/investors/i-001 "$CO"
expect_eq "company: an investor, public fields only (no thesis, no portfolio)" "200 True False False" \
    "$code $(js "set(d) <= $PUBLIC_INV and d['id'] == 'i-001', 'thesis' in d, 'portfolio' in d")"
req GET "/v1/companies/c-001/matches?k=10" "$CO"
expect_eq "company: own matches: 200" "200 True" "$code $(match_shape company_id c-001 10)"
req GET /v1/companies/c-002/matches "$CO"
expect_problem "company: another company's matches: 403" 403 forbidden
req GET /v1/investors/i-001/matches "$CO"
expect_problem "company: an investor's matches: 403" 403 forbidden
req GET "/v1/investors?limit=200" "$CO"
expect_eq "company: the investor list, public fields only" "200 True False" \
    "$code $(js "len(d['items']) > 50 and all(set(i) <= $PUBLIC_INV for i in d['items']), any('thesis' in i or 'portfolio' in i for i in d['items'])")"
req GET "/v1/companies?limit=200" "$CO"
expect_eq "openapi: company: the company list holds itself only, in full" "200 c-001 True" \
    "$code $(ids_of id) $(js 'all("rd_spend_eur" in i for i in d["items"])')"
req GET /v1/companies/c-001/eligibility "$CO"
expect_eq "company: own eligibility: 200" "200 c-001" "$code $(js 'd["company_id"]')"
req GET /v1/companies/c-002/eligibility "$CO"
expect_problem "company: another company's eligibility: 403" 403 forbidden
"$PY" -c 'import json, sys
d = json.load(open(sys.argv[1])); d["city"] = "Monza"
print(json.dumps(d))' "$tmp/c-001.json" >"$tmp/c-001-put.json"
reqj PUT /v1/companies/c-001 "$CO" "$(cat "$tmp/c-001-put.json")"
expect_eq "company: PUT own record: 200" "200 Monza" "$code $(js 'd["city"]')"
reqj PUT /v1/companies/c-002 "$CO" '{"id": "c-002", "name": "Taken over"}'
expect_problem "company: PUT another company: 403" 403 forbidden
reqj PATCH /v1/investors/i-001 "$CO" '{"leads": false}'
expect_problem "company: PATCH an investor: 403" 403 forbidden
req DELETE /v1/companies/c-001 "$CO"
expect_problem "company: DELETE own record: 403 (admin only)" 403 forbidden
expect_eq "the denied writes changed nothing" "Cardiogena|Adriatica Bio Ventures|true" \
    "$(sql "SELECT (SELECT doc->>'name' FROM companies WHERE id = 'c-002'),
                   (SELECT doc->>'name' FROM investors WHERE id = 'i-001'),
                   (SELECT doc->>'leads' FROM investors WHERE id = 'i-001')")"

# ---- an organiser's token (ev-test) ----

req GET /v1/companies/c-002 "$ORG"
expect_eq "organiser: a participant company, in full" "200 True" "$code $(js '"rd_spend_eur" in d')"
req GET /v1/investors/p-inv-lung "$ORG"
expect_eq "organiser: a participant investor, in full" "200 True" "$code $(js '"thesis" in d')"
req GET /v1/companies/c-010 "$ORG"
expect_problem "organiser: a company of another event: 403" 403 forbidden
req GET /v1/investors/i-002 "$ORG"
expect_problem "organiser: a non-participant investor: 403" 403 forbidden
req GET /v1/companies/c-002/eligibility "$ORG"
expect_status "organiser: a participant's eligibility: 200" 200
req GET /v1/companies/c-010/eligibility "$ORG"
expect_problem "organiser: a non-participant's eligibility: 403" 403 forbidden
req GET "/v1/investors/p-inv-lung/matches?k=50" "$ORG"
expect_eq "organiser: a participant investor's matches, ranked within the event" \
    "200 True ev-test True" \
    "$code $(match_shape investor_id p-inv-lung 50) $(js 'd["event"]') $(js "set(m['company_id'] for m in d['items']) <= set('$EV_COMPANIES'.split())")"
req GET "/v1/companies/c-002/matches?k=50" "$ORG"
expect_eq "organiser: a participant company's matches, participants only" "200 ev-test True" \
    "$code $(js 'd["event"]') $(js "len(d['items']) > 0 and set(m['investor_id'] for m in d['items']) <= set('$EV_INVESTORS'.split())")"
req GET "/v1/investors/p-inv-lung/matches?event=ev-test" "$ORG"
expect_status "organiser: ?event= its own event: 200" 200
req GET "/v1/investors/p-inv-lung/matches?event=ev-other" "$ORG"
expect_problem "organiser: ?event= another event: 403" 403 forbidden
req GET /v1/investors/i-010/matches "$ORG"
expect_problem "organiser: a non-participant's matches: 403" 403 forbidden
req GET /v1/companies/c-010/matches "$ORG"
expect_problem "organiser: a non-participant company's matches: 403" 403 forbidden
req GET "/v1/companies?limit=200" "$ORG"
expect_eq "organiser: the company list holds the participants only, in full" "200 $EV_COMPANIES True" \
    "$code $(ids_of id) $(js 'all("rd_spend_eur" in i for i in d["items"])')"
req GET "/v1/investors?limit=200" "$ORG"
expect_eq "organiser: the investor list holds the participants only" "200 $EV_INVESTORS" "$code $(ids_of id)"
reqj PATCH /v1/companies/c-002 "$ORG" '{"city": "Venezia"}' application/merge-patch+json
expect_eq "organiser: PATCH a participant: 200" "200 Venezia" "$code $(js 'd["city"]')"
reqj PATCH /v1/companies/c-010 "$ORG" '{"city": "Venezia"}' application/merge-patch+json
expect_problem "organiser: PATCH a non-participant: 403" 403 forbidden
req DELETE /v1/companies/c-002 "$ORG"
expect_problem "organiser: DELETE a participant: 403 (admin only)" 403 forbidden
reqj POST /v1/companies "$ORG" '{"id": "t-org-new", "name": "Joins the event"}'
expect_status "organiser: POST a new company: 201" 201
# openapi (createCompany): "the new company joins the organiser's event".
req GET /v1/companies/t-org-new "$ORG"
expect_status "openapi: organiser: the company it created joined its event (GET 200)" 200
expect_eq "and attends ev-test in PostgreSQL" 1 \
    "$(sql "SELECT count(*) FROM event_participants WHERE event_id = 'ev-test' AND profile_id = 't-org-new'")"

# ---- read after write: PUT, PATCH and DELETE reach the matches at once ----

score_of() { # COMPANY: its score in the last matches body, or "none"
    js "next((m['score'] for m in d['items'] if m['company_id'] == '$1'), 'none')"
}
reqj POST /v1/companies "$ADMIN" '{"id": "t-co-rw", "name": "Bioplastiche Test", "hq_country": "IT",
  "area": "industrial_environmental", "stage": "lab",
  "description": "Produciamo bioplastiche compostabili da scarti agricoli per imballaggi.", "language": "it"}'
expect_status "read-after-write: a new, unrelated company" 201
req GET "/v1/investors/p-inv-lung/matches?k=200" "$ADMIN"
before=$(score_of t-co-rw)
reqj PUT /v1/companies/t-co-rw "$ADMIN" '{"id": "t-co-rw", "name": "Bioplastiche Test",
  "area": "precision_medicine", "hq_country": "IT", "hq_region": "lombardia",
  "pathologies": ["oncology.lung"], "technologies": ["rna.rnai"], "stage": "preclinical",
  "round": "series_a", "raise_eur": 9000000, "language": "en",
  "description": "RNA interference therapeutics for lung cancer: siRNA candidates against NSCLC resistance.",
  "wants": {"investor_kinds": ["vc"], "regions": ["italy"], "lead": true}}'
expect_status "read-after-write: PUT it to fit p-inv-lung" 200
req GET "/v1/investors/p-inv-lung/matches?k=200" "$ADMIN"
after_put=$(score_of t-co-rw)
expect_eq "the PUT shows in p-inv-lung's matches at once (top 3, score up)" "True True" \
    "$(js "next(n for n, m in enumerate(d['items']) if m['company_id'] == 't-co-rw') < 3" 2>&1) $("$PY" -c "print('$before' == 'none' or float('$after_put') > float('$before'))" 2>&1)"
reqj PATCH /v1/companies/t-co-rw "$ADMIN" '{"stage": "phase2", "round": "series_c"}' application/merge-patch+json
expect_status "read-after-write: PATCH its stage and round away" 200
req GET "/v1/investors/p-inv-lung/matches?k=200" "$ADMIN"
after_patch=$(score_of t-co-rw)
expect_eq "the PATCH shows in the matches at once (score down)" True \
    "$("$PY" -c "print('$after_patch' == 'none' or float('$after_patch') < float('$after_put'))" 2>&1)"
req GET "/v1/companies/t-co-rw/matches?k=5" "$ADMIN"
expect_status "the company's own matches after the PATCH" 200
sql "INSERT INTO event_participants VALUES ('ev-del', 'company', 't-co-rw')" >/dev/null
req DELETE /v1/companies/t-co-rw "$ADMIN"
expect_eq "DELETE /v1/companies/{id}: 204, no body" "204 0" "$code $(wc -c <"$tmp/body")"
req GET "/v1/investors/p-inv-lung/matches?k=200" "$ADMIN"
expect_eq "the deleted company is gone from the matches at once" none "$(score_of t-co-rw)"
req GET /v1/companies/t-co-rw "$ADMIN"
expect_problem "GET of the deleted company: 404" 404 not-found
req GET /v1/companies/t-co-rw/matches "$ADMIN"
expect_problem "matches of the deleted company: 404" 404 not-found
expect_eq "the row is gone from PostgreSQL" 0 "$(sql "SELECT count(*) FROM companies WHERE id = 't-co-rw'")"
req DELETE /v1/companies/t-co-rw "$ADMIN"
expect_problem "DELETE again: 404" 404 not-found
# openapi (deleteCompany): "Deletes the company, its event attendance and its matches."
expect_eq "openapi: DELETE removes the company's event attendance" 0 \
    "$(sql "SELECT count(*) FROM event_participants WHERE profile_id = 't-co-rw'")"

# An id cannot hold a NUL byte, so a path that decodes to one names no record.
req GET /v1/companies/c-001%00zzz "$ADMIN"
expect_status_type "GET /v1/companies/c-001%00zzz: 404 (not c-001)" 404 not-found

# Ids with a slash travel as one percent-encoded segment.
reqj PUT /v1/companies/t%2Fslash "$ADMIN" '{"id": "t/slash", "name": "Slash"}'
expect_status "PUT /v1/companies/t%2Fslash creates t/slash" 201
req GET /v1/companies/t%2Fslash "$ADMIN"
expect_eq "GET /v1/companies/t%2Fslash" "200 t/slash" "$code $(js 'd["id"]')"
reqj PUT /v1/companies/t%2Fslash2 "$ADMIN" '{"id": "t/slash2", "name": "Slash"}'
# openapi (Location header): "The URL path of the new record, its id percent-encoded."
expect_eq "openapi: Location percent-encodes the id" /v1/companies/t%2Fslash2 "$(header location)"

# openapi ("Order of checks"): "HEAD and OPTIONS get 405 too".
code=$(curl -s --max-time 5 -I -D "$tmp/hdr" -o /dev/null -w '%{http_code}' "$base/healthz")
expect_eq "openapi: HEAD /healthz: 405, Allow: GET" "405 GET" "$code $(header allow)"
req OPTIONS /v1/investors ""
expect_eq "openapi: OPTIONS /v1/investors: 405, Allow: GET, POST" "405 GET, POST" "$code $(header allow)"

# ---- two PATCHes at once ----

# lock_row TABLE ID SECONDS: psql holds the row's lock for SECONDS; writes to it wait
# inside the daemon meanwhile. Returns once the lock is held.
lock_row() {
    psql "$TAVOLO_DATABASE_URL" -qAt -c "BEGIN" -c "SELECT 1 FROM $1 WHERE id = '$2' FOR UPDATE" \
        -c "SELECT pg_sleep($3)" -c "COMMIT" >/dev/null 2>&1 &
    locker_pid=$!
    for _ in $(seq 40); do
        [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep($3)'")" = 1 ] && break
        sleep 0.05
    done
}
waiting_on_locks() { # N: waits (at most 2 s) until N statements wait on a lock; prints the count
    local n=0
    for _ in $(seq 40); do
        n=$(sql "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
        [ "$n" -ge "$1" ] && break
        sleep 0.05
    done
    echo "$n"
}
# RFC 7396 patches of different fields, applied one after the other, keep both changes. Here
# both reach the daemon while the row is locked, so both are merged before either is stored.
lock_row companies t-co-put 1
patches=()
for patch in '{"city": "Lecce"}' '{"founded": 1999}'; do
    curl -s --max-time 5 -o /dev/null -H "Authorization: Bearer $ADMIN" \
        -H 'Content-Type: application/merge-patch+json' -X PATCH --data-binary "$patch" \
        "$base/v1/companies/t-co-put" &
    patches+=($!)
done
# The daemon runs its writes one at a time (api.h, write_lock): one PATCH waits on the row
# inside PostgreSQL, the other in the daemon's write queue.
expect_eq "one PATCH waits on the locked row, the other behind it in the daemon" 1 \
    "$(waiting_on_locks 1)"
wait "$locker_pid" "${patches[@]}"
locker_pid=""
req GET /v1/companies/t-co-put "$ADMIN"
expect_eq "two concurrent PATCHes of different fields both land (no lost update)" \
    "Lecce|1999 Lecce 1999" \
    "$(sql "SELECT doc->>'city', doc->>'founded' FROM companies WHERE id = 't-co-put'") $(js 'd.get("city"), d.get("founded")')"

# ---- clients that give up mid-request ----

req GET "/v1/investors/i-001/matches?k=200" "$INV"
cp "$tmp/body" "$tmp/before-storm.json"
storm=()
for n in $(seq 100); do
    curl -s -o /dev/null --max-time 0.005 -H "Authorization: Bearer $INV" \
        "$base/v1/investors/i-001/matches?k=200" &
    storm+=($!)
    curl -s -o /dev/null --max-time 0.005 -H "Authorization: Bearer $ADMIN" \
        -H 'Content-Type: application/json' -d "{\"id\": \"t-storm-$n\", \"name\": \"Storm $n\"}" \
        "$base/v1/investors" &
    storm+=($!)
done
wait "${storm[@]}"
req GET /healthz ""
expect_eq "after 200 abandoned requests the daemon still answers /healthz" "200 ok" "$code $(js 'd["status"]')"
req GET "/v1/investors/i-001/matches?k=200" "$INV"
expect_eq "and the same matches request gives the same answer" "200 same" \
    "$code $(cmp -s "$tmp/body" "$tmp/before-storm.json" && echo same || echo different)"
# Every abandoned POST either landed in full (PostgreSQL and memory) or not at all.
for _ in $(seq 30); do
    in_db=$(sql "SELECT string_agg(id, ' ' ORDER BY id COLLATE \"C\") FROM investors WHERE id LIKE 't-storm-%'")
    req GET "/v1/investors?after=t-storm-&limit=200" "$ADMIN"
    in_memory=$(js "' '.join(i['id'] for i in d['items'] if i['id'].startswith('t-storm-'))")
    [ "$in_db" = "$in_memory" ] && break
    sleep 0.1
done
expect_eq "abandoned POSTs: PostgreSQL and memory agree" "$in_db" "$in_memory"
sleep 0.2 # the daemon flushes its log every 100 ms
echo "# $(echo "$in_db" | wc -w) of the 100 abandoned POSTs landed; the log noted" \
    "$(grep -c 'client left' "$tmp/daemon.log") clients that left before their response"

# ---- PostgreSQL restarts between two requests ----

# After the storm every worker thread holds a connection. A quick restart kills them all
# while they still look fine (libpq notices only when one is used); the daemon should not
# let that show: PostgreSQL answers, so /healthz should say "up" at once.
"$TAVOLO" db stop >/dev/null 2>&1
"$TAVOLO" db start --no-fsync >/dev/null 2>&1
req GET /healthz ""
expect_eq "right after a PostgreSQL restart /healthz says up (a dead pooled connection is not the database)" \
    "200 up" "$code $(js 'd["database"]')"
# Each worker finds its connection dead once, then reconnects: go on until all have.
down=0
[ "$(js 'd["database"]')" = down ] && down=1
for n in $(seq 40); do
    [ "$down" -ge "$WORKERS" ] && break
    req GET /healthz ""
    [ "$(js 'd["database"]')" = down ] && down=$((down + 1))
done
echo "# after the restart /healthz said \"down\" $down times in $((n)) requests"

# ---- PostgreSQL goes away, and comes back ----

reqj POST /v1/companies "$ADMIN2" '{"id": "t-outage", "name": "Before the outage"}'
expect_status "a company to write during the outage" 201
req GET "/v1/investors/i-001/matches?k=10" "$INV2"
cp "$tmp/body" "$tmp/before-outage.json"
expect_status "a read that caches its token" 200
"$TAVOLO" db stop >/dev/null 2>&1
expect_eq "PostgreSQL stopped" stopped "$("$TAVOLO" db status 2>/dev/null)"
OUTAGE_PUT='{"id": "t-outage", "name": "Written after the outage"}'
reqj PUT /v1/companies/t-outage "$ADMIN2" "$OUTAGE_PUT"
expect_problem "a PUT while PostgreSQL is down: 503" 503 unavailable
retry=$(header retry-after)
[[ "$retry" =~ ^[1-9][0-9]*$ ]] && ok "503 has Retry-After in seconds ($retry)" ||
    not_ok "503 without a usable Retry-After: [$retry]"
req GET "/v1/investors/i-001/matches?k=10" "$INV2"
expect_eq "a read from memory with a cached token: 200, the same answer" "200 same" \
    "$code $(cmp -s "$tmp/body" "$tmp/before-outage.json" && echo same || echo different)"
req GET /healthz ""
expect_eq "/healthz says the database is down" "200 down" "$code $(js 'd["database"]')"
req GET /v1/companies/c-002 "$LATE"
expect_problem "a token never seen before cannot be checked: 503" 503 unavailable
expect_eq "with Retry-After" True "$([ -n "$(header retry-after)" ] && echo True)"
req GET /v1/companies/c-002 ""
expect_problem "no token is still 401" 401 unauthorized
req GET /v1/companies/t-outage "$ADMIN2"
expect_eq "the failed write did not reach memory" "200 Before the outage" "$code $(js 'd["name"]')"
req DELETE /v1/companies/t-outage "$ADMIN2"
expect_problem "a DELETE while PostgreSQL is down: 503" 503 unavailable
"$TAVOLO" db start --no-fsync >/dev/null 2>&1
expect_eq "the write made during the outage did not land" "Before the outage" \
    "$(sql "SELECT doc->>'name' FROM companies WHERE id = 't-outage'")"
for _ in $(seq 25); do
    reqj PUT /v1/companies/t-outage "$ADMIN2" "$OUTAGE_PUT"
    [ "$code" = 200 ] && break
    sleep 0.2
done
expect_status "after PostgreSQL is back the same PUT succeeds, no daemon restart" 200
expect_eq "and it landed" "Written after the outage" \
    "$(sql "SELECT doc->>'name' FROM companies WHERE id = 't-outage'")"
# The first request on a worker whose connection died with the old server may still fail
# (see the restart check above): poll.
for _ in $(seq 25); do
    req GET /healthz ""
    [ "$(js 'd["database"]')" = up ] && break
    sleep 0.2
done
expect_eq "/healthz says the database is up again" "200 up" "$code $(js 'd["database"]')"
req GET /v1/companies/c-002 "$LATE"
expect_eq "the token first seen during the outage now works" "200 c-002" "$code $(js 'd["id"]')"

# ---- SIGTERM with requests in flight ----

# A row lock held by psql keeps three PUTs waiting inside the daemon, surely in flight.
lock_row companies t-outage 1.5
term=()
for n in 1 2 3; do
    curl -s --max-time 8 -o "$tmp/term.$n" -w '%{http_code}' -H "Authorization: Bearer $ADMIN" \
        -H 'Content-Type: application/json' -d "{\"id\": \"t-outage\", \"name\": \"Term $n\"}" \
        -X PUT "$base/v1/companies/t-outage" >"$tmp/term.$n.code" 2>/dev/null &
    term+=($!)
done
expect_eq "one PUT waits on the row lock, two behind it in the daemon's write queue" 1 \
    "$(waiting_on_locks 1)"
t_term=$(date +%s.%N)
kill -TERM "$daemon_pid"
sleep 0.2
code=$(curl -s --max-time 2 -o /dev/null -w '%{http_code}' "$base/healthz")
expect_eq "while draining, new connections are refused" 000 "$code"
( sleep 6; kill -KILL "$daemon_pid" 2>/dev/null ) >/dev/null 2>&1 &
killer=$!
wait "$daemon_pid"
status=$?
took=$("$PY" -c "import sys, time; print(round(time.time() - float(sys.argv[1]), 2))" "$t_term")
kill "$killer" 2>/dev/null
daemon_pid=""
expect_eq "SIGTERM: the daemon exits with status 0" 0 "$status"
expect_eq "within 5 s (took ${took} s)" True "$("$PY" -c "print($took < 5)")"
wait "$locker_pid" "${term[@]}" 2>/dev/null
locker_pid=""
expect_eq "the requests in flight were answered in full" "200 200 200" \
    "$(cat "$tmp/term.1.code") $(cat "$tmp/term.2.code") $(cat "$tmp/term.3.code")"
expect_contains "and their last write landed" "Term " \
    "$(sql "SELECT doc->>'name' FROM companies WHERE id = 't-outage'")"
expect_contains "the log says it finished 3 requests" "finishing 3 requests" "$(cat "$tmp/daemon.log")"
curl -s --max-time 2 -o /dev/null "$base/healthz"
expect_eq "after exit /healthz no longer answers (curl: connection refused)" 7 "$?"

# ---- the log: one JSON object a line ----

log_check=$("$PY" -c '
import json, sys
bad, requests, ids = [], 0, set()
for n, line in enumerate(open(sys.argv[1], encoding="utf-8", errors="replace"), 1):
    try:
        d = json.loads(line)
    except ValueError:
        bad.append("line %d is not JSON: %s" % (n, line.strip()[:120]))
        continue
    if not isinstance(d, dict) or not isinstance(d.get("time"), str) or d.get("level") not in ("debug", "info", "warn", "warning", "error"):
        bad.append("line %d lacks time or level: %s" % (n, line.strip()[:120]))
        continue
    if "route" in d or "status" in d:
        requests += 1
        ids.add(d.get("request_id"))
        if not (isinstance(d.get("route"), str) and isinstance(d.get("status"), int)
                and isinstance(d.get("duration_ms"), (int, float)) and d["duration_ms"] >= 0
                and isinstance(d.get("request_id"), str) and d["request_id"]):
            bad.append("line %d: a request without route, status, duration_ms or request_id: %s" % (n, line.strip()[:120]))
print("%d %s %s" % (requests, sys.argv[2] in ids, "; ".join(bad[:3]) or "clean"))
' "$tmp/daemon.log" "$rid")
requests=${log_check%% *}
expect_eq "every log line is a JSON object with time and level; requests with route, status, duration_ms, request_id" \
    "clean" "${log_check#* * }"
expect_eq "the log has a line per request (>= 300), with the X-Request-Id the client saw" "True True" \
    "$([ "${requests:-0}" -ge 300 ] && echo True || echo "False($requests)") $(echo "$log_check" | cut -d' ' -f2)"

echo "# ran in $("$PY" -c "import sys, time; print(round(time.time() - float(sys.argv[1]), 1))" "$T0") s"
finish
