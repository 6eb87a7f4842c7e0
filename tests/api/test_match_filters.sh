#!/usr/bin/env bash
# The filters and the text search of the matches routes (issue 16, decision 0051), through the
# real daemon on the fixtures: each of area, pathology, technology, stage, country and q gives
# the best k of the other side's profiles that pass it (computed apart from the daemon by
# match_filters.py from the fixtures and the unfiltered ranking), not a filtered top k; q finds
# a word of a name and of a description, by its start too, but never a word of an investor's
# thesis (not public); bad values are 400 naming the parameter; a cached unfiltered answer is
# never served for a filtered request; the pair route explains any one pair of the caller's and
# nobody else's; GET /v1/taxonomy lists the filters' terms.
. "$(dirname "$0")/../cli/lib.sh"
TAVOLO=$1
FIX=$(cd "$(dirname "$0")/../../fixtures" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
require_pg
scratch_db api_match_filters
tmp=$(mktemp -d)
daemon=""
trap 'kill -TERM $daemon 2>/dev/null; wait $daemon 2>/dev/null; rm -rf "$tmp"; drop_scratch_db' EXIT
PY=/usr/bin/python3
. "$HERE/http.sh"

"$TAVOLO" import "$FIX/companies.jsonl" "$FIX/investors.jsonl" >/dev/null 2>&1
"$TAVOLO" event import "$FIX/events/jpm-2027.json" >/dev/null 2>&1
mkdir -p "$tmp/home"
TAVOLO_HOME="$tmp/home" TAVOLO_DIGEST_TIME=off "$TAVOLO" serve --listen 127.0.0.1:0 \
    --port-file "$tmp/port" 2>"$tmp/daemon.log" &
daemon=$!
for _ in $(seq 200); do [ -s "$tmp/port" ] && break; sleep 0.05; done
base="http://127.0.0.1:$(cat "$tmp/port")"
token() { "$TAVOLO" token create "$@" 2>/dev/null; }
ADMIN=$(token --role admin)
INV=$(token --role investor --subject i-001)
CO=$(token --role company --subject c-029)

# The unfiltered ranking of every profile of the other side, the reference for the filters.
call GET "/v1/investors/i-001/matches?k=200" "$INV"
cp "$tmp/body" "$tmp/inv-full"
expect_eq "i-001's unfiltered ranking is long enough to filter" "200 True" "$code $(js 'len(d["items"]) > 40')"
call GET "/v1/companies/c-029/matches?k=200" "$CO"
cp "$tmp/body" "$tmp/co-full"
expect_eq "c-029's unfiltered ranking is long enough to filter" "200 True" "$code $(js 'len(d["items"]) > 30')"

# Words to search for: of the lowest-ranked company i-001 may meet, one of its name and one of
# its description that no other company has, and the start of the latter.
read -r CID NAME_WORD TEXT_WORD < <("$PY" - "$FIX/companies.jsonl" "$tmp/inv-full" <<'PYEOF'
import collections, json, re, sys
cos = {c["id"]: c for c in map(json.loads, open(sys.argv[1]))}
words = lambda c: set(re.findall(r"[a-z]+", (c["name"] + " " + c.get("description", "")).lower()))
count = collections.Counter(w for c in cos.values() for w in words(c))
for m in reversed(json.load(open(sys.argv[2]))["items"]):
    c = cos[m["company_id"]]
    name = [w for w in re.findall(r"[a-z]+", c["name"].lower()) if len(w) >= 5 and count[w] == 1]
    text = [w for w in re.findall(r"[a-z]+", c.get("description", "").lower())
            if len(w) >= 8 and count[w] == 1 and w not in name]
    if name and text:
        print(c["id"], name[0], text[0])
        break
PYEOF
)
expect_eq "a company with words of its own to search for ($CID: $NAME_WORD, $TEXT_WORD)" True \
    "$([ -n "$TEXT_WORD" ] && echo True)"

# filtered WHO TOKEN SIDE K QUERY...: asks WHO's matches with k=K and the filters, and checks
# the answer against the expectation; also that it is not empty and narrower than everything.
filtered() {
    local who=$1 tok=$2 side=$3 k=$4 full query
    shift 4
    full=$tmp/inv-full
    [ "$side" = investor ] && full=$tmp/co-full
    query=$(IFS='&'; echo "$*")
    call GET "/v1/${who}/matches?k=$k&$query" "$tok"
    local n
    n=$(js 'len(d["items"])')
    expect_eq "$who ?$query: 200, the best $k that pass" "200 same $n" \
        "$code $("$PY" "$HERE/match_filters.py" "$FIX" "$full" "$tmp/body" "$side" "$k" "$@")"
    [ "$n" -gt 0 ] 2>/dev/null && [ "$n" -le "$k" ] || not_ok "$who ?$query: 1 to $k items, got $n"
}

for f in area=industrial_environmental pathology=oncology technology=rna stage=preclinical \
    country=it q=lung "q=$NAME_WORD" "q=${TEXT_WORD:0:5}" "q=therap%20lung"; do
    filtered investors/i-001 "$INV" company 5 "$f"
done
filtered investors/i-001 "$INV" company 10 area=precision_medicine pathology=oncology country=IT
for f in area=industrial_environmental pathology=oncology technology=antibodies stage=phase1 \
    country=US country=IT q=ventures "q=bio%20ven"; do
    filtered companies/c-029 "$CO" investor 5 "$f"
done

# Best k among those that pass, not a filtered top k: industrial companies rank low for i-001.
call GET "/v1/investors/i-001/matches?k=5&area=industrial_environmental" "$INV"
expect_eq "area: the answer reaches below the unfiltered top 5" True \
    "$(js "not set(m['company_id'] for m in d['items']) & set(m['company_id'] for m in json.load(open('$tmp/inv-full'))['items'][:5])")"

# q: a name word, a description word (and its start) each find the company that has it.
call GET "/v1/investors/i-001/matches?k=200&q=$NAME_WORD" "$INV"
expect_eq "q: a word of a name finds its company" "200 ['$CID']" \
    "$code $(js '[m["company_id"] for m in d["items"]]')"
call GET "/v1/investors/i-001/matches?k=200&q=$TEXT_WORD" "$INV"
expect_eq "q: a word of a description finds its company" "200 ['$CID']" \
    "$code $(js '[m["company_id"] for m in d["items"]]')"
call GET "/v1/investors/i-001/matches?k=200&q=$(echo "${TEXT_WORD:0:6}" | tr a-z A-Z)" "$INV"
expect_eq "q: the start of a word, in any case, finds it too" "200 True" \
    "$code $(js "'$CID' in [m['company_id'] for m in d['items']]")"
call GET "/v1/investors/i-001/matches?k=200&q=zzyzx" "$INV"
expect_eq "q: a word nobody has is an empty list, not an error" "200 0" \
    "$code $(js 'len(d["items"])')"
thesis_word=$("$PY" -c "import json,re
inv=[json.loads(l) for l in open('$FIX/investors.jsonl')]
names=' '.join(i['name'] for i in inv).lower()
t=[w for w in re.findall(r'[a-z]{9,}', inv[0]['thesis'].lower()) if w not in names]
print(t[0])")
call GET "/v1/companies/c-029/matches?k=200&q=$thesis_word" "$CO"
expect_eq "q: a word of an investor's thesis ($thesis_word) finds nothing: it is not public" \
    "200 0" "$code $(js 'len(d["items"])')"
call GET "/v1/investors/i-001/matches?k=200&q=%27$NAME_WORD%22%3A*%20%7C" "$INV"
expect_eq "q: quotes and query syntax around a word are only separators" "200 ['$CID']" \
    "$code $(js '[m["company_id"] for m in d["items"]]')"
call GET "/v1/investors/i-001/matches?k=200&q=%3Cscript%3Ealert(1)%3C%2Fscript%3E" "$INV"
expect_eq "q: markup is words like any other, nothing found" "200 0" "$code $(js 'len(d["items"])')"
call GET "/v1/investors/i-001/matches?k=200&country=JP" "$INV"
expect_eq "country: a country no company of the list has is an empty list" "200 0" \
    "$code $(js 'len(d["items"])')"

# Filters within an event: both apply.
call GET "/v1/investors/i-001/matches?k=200&event=jpm-2027&country=IT" "$INV"
attending=$(sql "SELECT string_agg(profile_id, ' ' ORDER BY profile_id) FROM event_participants WHERE event_id = 'jpm-2027' AND kind = 'company'")
expect_eq "event and country: Italian companies of the event only" "200 True True" \
    "$code $(js "len(d['items']) > 0, all(m['company_id'] in '$attending'.split() and m['company_country'] == 'IT' for m in d['items'])")"

# Bad values: 400 naming the parameter.
bad() { # QUERY PARAMETER
    call GET "/v1/investors/i-001/matches?$1" "$INV"
    expect_eq "?$1: 400 naming $2" "400 $2" "$code $(js 'd.get("parameter")')"
}
bad area=oncology area
bad pathology=nope pathology
bad technology=onco technology
bad stage=late stage
bad country=ZZ country
bad country=ITA country
bad q=%21%21%21 q
bad q=lung%FF q
bad q=%C3 q
bad "q=a%20b%20c%20d%20e%20f%20g%20h%20i" q
bad "q=$("$PY" -c 'print("a" * 201)')" q
bad colour=blue colour

# The cache: a filtered request after the same unfiltered one is answered afresh, on the loop
# thread's fast path as on the pool.
for _ in 1 2; do call GET "/v1/investors/i-001/matches?k=5" "$INV"; done
cp "$tmp/body" "$tmp/cached"
call GET "/v1/investors/i-001/matches?k=5&q=$TEXT_WORD" "$INV"
expect_eq "a filtered request is not served the cached unfiltered answer" "200 ['$CID']" \
    "$code $(js '[m["company_id"] for m in d["items"]]')"
call GET "/v1/companies/c-029/matches?k=5" "$CO"
call GET "/v1/companies/c-029/matches?k=5&lang=en&country=US" "$CO"
expect_eq "nor with lang=en" "200 True" \
    "$code $(js 'len(d["items"]) > 0 and all(m["investor_country"] == "US" for m in d["items"])')"

# Access: a participant filters its own matches only.
call GET "/v1/investors/i-002/matches?q=lung" "$INV"
expect_status "another investor's filtered matches: 403" 403
call GET "/v1/companies/c-001/matches?country=IT" "$CO"
expect_status "another company's filtered matches: 403" 403

# The public facts of each side beside the names.
call GET "/v1/investors/i-001/matches?k=3" "$INV"
expect_eq "each match names the company's country, area and stage, the investor's kind and country" \
    "True" "$(js "all(m['company_country'] and m['company_area'] and 'company_stage' in m and m['investor_kind'] == 'vc' and m['investor_country'] == 'IT' for m in d['items'])")"

# The pair route: any one pair of the caller's, whatever its rank, as in the list.
last=$(js "d['items'][-1]['company_id']" "$tmp/inv-full")
call GET "/v1/investors/i-001/matches/$last" "$INV"
expect_eq "pair: the lowest-ranked company's explanation, as in the full list" "200 True" \
    "$code $(js "d['company_id'] == '$last' and d['investor_id'] == 'i-001' and d['score'] == [m for m in json.load(open('$tmp/inv-full'))['items'] if m['company_id'] == '$last'][0]['score'] and abs(sum(d['contributions'].values()) - d['score']) < 1e-4")"
call GET "/v1/companies/c-029/matches/i-001?lang=it" "$CO"
expect_eq "pair: a company's, in Italian" "200 c-029 i-001 True" \
    "$code $(js "d['company_id'], d['investor_id'], d['level'] in ('eccellente', 'buona', 'discreta', 'debole')")"
call GET "/v1/companies/c-029/matches/i-999" "$CO"
expect_eq "pair: an unknown investor is 404 naming it" "404 True" "$code $(js "'i-999' in d['detail']")"
call GET "/v1/companies/c-001/matches/i-001" "$CO"
expect_status "pair: another company's pair is 403" 403
call GET "/v1/investors/i-002/matches/c-029" "$CO"
expect_status "pair: a company cannot ask as an investor" 403
call GET "/v1/companies/c-029/matches/i-001?k=3" "$CO"
expect_status "pair: an unknown parameter is 400" 400
call GET "/v1/companies/c-029/matches/i-001" "$ADMIN"
expect_status "pair: an admin may ask any" 200

# Answers within an event are cached (by profile, k, language and event), and dropped when
# the event changes: a company leaving jpm-2027 leaves i-001's matches in it at once, whether
# the event file comes through this daemon or (the change feed) through the command line.
call GET "/v1/investors/i-001/matches?k=5&event=jpm-2027&lang=it" "$INV"
first=$(js 'd["items"][0]["company_id"]')
cp "$tmp/body" "$tmp/ev-1"
call GET "/v1/investors/i-001/matches?k=5&event=jpm-2027&lang=it" "$INV"
expect_eq "the same question, the same answer" "200 same" \
    "$code $(cmp -s "$tmp/body" "$tmp/ev-1" && echo same || echo different)"
"$PY" -c "
import json, sys; e = json.load(open('$FIX/events/jpm-2027.json'))
e['participants'] = [p for p in e['participants'] if p['id'] != '$first']
e['requests'] = [q for q in e['requests'] if q['company_id'] != '$first']
json.dump(e, open('$tmp/without.json', 'w'))"
call PUT /v1/events/jpm-2027 "$ADMIN" -H 'Content-Type: application/json' --data-binary "@$tmp/without.json"
expect_status "the organiser's file without i-001's best company in the event" 200
call GET "/v1/investors/i-001/matches?k=5&event=jpm-2027&lang=it" "$INV"
expect_eq "that company leaves i-001's matches in the event at once" "200 False" \
    "$code $(js "'$first' in [m['company_id'] for m in d['items']]")"
"$TAVOLO" event import "$FIX/events/jpm-2027.json" >/dev/null 2>&1
for _ in $(seq 50); do
    call GET "/v1/investors/i-001/matches?k=5&event=jpm-2027&lang=it" "$INV"
    [ "$(js "d['items'][0]['company_id']")" = "$first" ] && break
    sleep 0.1
done
expect_eq "and comes back when the command line imports the file again (change feed)" "$first" \
    "$(js "d['items'][0]['company_id']")"

# The taxonomy of the filters.
call GET "/v1/taxonomy" "$CO"
expect_eq "taxonomy: terms with Italian labels, parents, countries" \
    "200 Biotecnologie industriali e ambientali cardiovascular True" \
    "$code $(js "[a['label']['it'] for a in d['areas'] if a['id'] == 'industrial_environmental'][0], [p['parent'] for p in d['pathologies'] if p['id'] == 'cardiovascular.heart_failure'][0], 'IT' in d['countries'] and len(d['stages']) > 0 and len(d['investor_kinds']) > 0")"
call GET "/v1/taxonomy?lang=it" "$CO"
expect_status "taxonomy: labels come in both languages; a parameter is 400" 400
call GET "/v1/taxonomy" ""
expect_status "taxonomy: without a token 401" 401

finish
