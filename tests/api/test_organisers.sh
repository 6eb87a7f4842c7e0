#!/usr/bin/env bash
# api.organisers: organisers sign in like participants (issue 17, decision 0063). `tavolo invite
# --organiser EMAIL --event ID` makes the address an organiser of that one event and mails a
# sign-in link in the organiser's language; /v1/me lists "organiser:EVENT" among the person's
# profiles; a session acting for it has the organiser role of that event only (its meetings,
# its overview; never another event's, never a participant's own routes), and its writes need
# the CSRF token like any cookie write; GET /v1/events/{id}/overview counts what the event has.
. "$(dirname "$0")/../cli/lib.sh"
TAVOLO=$1
FIX=$(cd "$(dirname "$0")/../../fixtures" && pwd)
require_pg
scratch_db api_organisers
tmp=$(mktemp -d)
daemon=""
trap 'kill -TERM $daemon 2>/dev/null; wait $daemon 2>/dev/null; rm -rf "$tmp"; drop_scratch_db' EXIT
PY=/usr/bin/python3
. "$(dirname "$0")/http.sh"
export TAVOLO_PUBLIC_URL=https://tavolo.example/
ORIGIN=https://tavolo.example

# link_of ADDRESS: the sign-in link of the newest invitation to ADDRESS, read as a mail client
# reads the message.
link_of() {
    sql "SELECT body FROM mail_messages WHERE kind = 'invite' AND recipient_email = '$1' ORDER BY id DESC LIMIT 1" >"$tmp/msg"
    "$PY" - "$tmp/msg" <<'PYEOF'
import email, email.policy, re, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
found = re.search(r"https://tavolo\.example/signin\?t=[A-Za-z0-9_-]+", m.get_body(("plain",)).get_content())
print(found.group(0) if found else "")
PYEOF
}

"$TAVOLO" import "$FIX/companies.jsonl" "$FIX/investors.jsonl" >/dev/null 2>&1
"$TAVOLO" event import "$FIX/events/jpm-2027.json" >/dev/null 2>&1
"$TAVOLO" event import "$FIX/events/bio-2027.json" >/dev/null 2>&1
"$TAVOLO" schedule jpm-2027 >/dev/null 2>&1

out=$("$TAVOLO" invite --organiser Marta.Ferri@ICE.example --event jpm-2027 --name "Marta Ferri" --language it 2>&1)
expect_contains "tavolo invite --organiser makes the address an organiser and invites it" \
    "marta.ferri@ice.example organises jpm-2027; queued 1 invitation" "$out"
expect_eq "kept in lower case, with name and language" "marta.ferri@ice.example|Marta Ferri|it" \
    "$(sql "SELECT email || '|' || name || '|' || language FROM event_organisers WHERE event_id = 'jpm-2027'")"
link=$(link_of marta.ferri@ice.example)
expect_eq "the invitation carries a sign-in link" 1 "$([ -n "$link" ] && echo 1)"
expect_eq "in the organiser's language" it \
    "$(sql "SELECT language FROM mail_messages WHERE kind = 'invite' AND recipient_email = 'marta.ferri@ice.example'")"
out=$("$TAVOLO" invite --organiser someone@example.com --event no-such 2>&1)
expect_contains "an unknown event is named" 'no event "no-such"' "$out"
out=$("$TAVOLO" invite --organiser "not an address" --event jpm-2027 2>&1)
expect_contains "an address that is not one is named" "is not an address" "$out"
out=$("$TAVOLO" invite --organiser someone@example.com 2>&1)
expect_contains "--organiser needs --event" "usage: tavolo invite" "$out"
out=$("$TAVOLO" invite --organiser marta.ferri@ice.example --event jpm-2027 --language fr 2>&1)
expect_contains "a language other than it or en is named" 'language: expected "it" or "en"' "$out"
# Someone else organises bio-2027.
"$TAVOLO" invite --organiser other@ice.example --event bio-2027 >/dev/null 2>&1

TAVOLO_HOME="$tmp" TAVOLO_DIGEST_TIME=off "$TAVOLO" serve --listen 127.0.0.1:0 --port-file "$tmp/port" 2>"$tmp/daemon.log" &
daemon=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
base="http://127.0.0.1:$(cat "$tmp/port")"

call GET "/signin?t=${link#*t=}" "" -H 'Accept: text/html'
expect_status "the organiser's link opens a session" 303
sid=$(header Set-Cookie | sed -n 's/^tavolo_session=\([^;]*\);.*/\1/p')
C=(-H "Cookie: tavolo_session=$sid")
call GET /v1/me "" "${C[@]}"
expect_status "GET /v1/me" 200
expect_eq "lists the event it organises, by the event's name, in Italian" \
    "organiser jpm-2027 True ['jpm-2027'] it" \
    "$(js '(d["profiles"][0]["kind"], d["profiles"][0]["id"], d["profiles"][0]["name"].startswith("J.P. Morgan"), d["profiles"][0]["events"], d["language"])')"
expect_eq "and nothing else" 1 "$(js 'len(d["profiles"])')"
csrf=$(js 'd["csrf_token"]')
O=("${C[@]}" -H "X-Tavolo-Profile: organiser:jpm-2027")

call GET /v1/events/jpm-2027/meetings "" "${O[@]}"
expect_status "acting as organiser of jpm-2027, it reads every meeting of it" 200
expect_eq "all of them" "$(sql "SELECT count(*) FROM meetings WHERE event_id = 'jpm-2027'")" "$(js 'len(d["items"])')"
call GET /v1/events/jpm-2027/overview "" "${O[@]}"
expect_status "and its overview" 200
expect_eq "every participant, with its meetings counted" \
    "$(sql "SELECT count(*) FROM event_participants WHERE event_id = 'jpm-2027'") $(sql "SELECT count(*) FROM meetings WHERE event_id = 'jpm-2027' AND status <> 'cancelled'")" \
    "$(js '(len(d["participants"]), sum(p["meetings"] for p in d["participants"]) // 2)')"
c029=$(sql "SELECT count(*) FROM meetings WHERE event_id = 'jpm-2027' AND company_id = 'c-029' AND status <> 'cancelled'")
expect_eq "one participant's row" "$c029 2 10 1 False" \
    "$(js 'next((p["meetings"], p["min_meetings"], p["max_meetings"], p["people"], p["signed_in"]) for p in d["participants"] if p["id"] == "c-029")')"
expect_eq "the requests by the side that asked" \
    "$(sql "SELECT count(*) FROM meeting_requests WHERE event_id = 'jpm-2027' AND from_kind = 'company'")" \
    "$(js 'sum(d["requests"]["company"].values())')"
expect_eq "the slots and tables of the file's frame (3 days of 09:00 to 17:00 by 30 min, a break 12:30 to 13:30)" \
    "42 2027-01-11T09:00 2027-01-11T12:00 2027-01-11T13:30 10" \
    "$(js '(len(d["slots"]), d["slots"][0], d["slots"][6], d["slots"][7], d["tables"])')"
expect_eq "the meetings by state" "$(sql "SELECT count(*) FROM meetings WHERE event_id = 'jpm-2027' AND status = 'scheduled'")" \
    "$(js 'd["meetings"]["scheduled"]')"
expect_eq "the organiser itself is no participant; the event's invitations are its mail" "True" \
    "$(js 'd["mail"]["queued"] + d["mail"]["sent"] >= 0')"

call GET /v1/events/bio-2027/meetings "" "${O[@]}"
expect_status "another event's meetings are refused" 403
call GET /v1/events/bio-2027/overview "" "${O[@]}"
expect_status "and its overview" 403
call GET /v1/events/jpm-2027/overview "" "${C[@]}" -H "X-Tavolo-Profile: organiser:bio-2027"
expect_status "acting for an event it does not organise is refused" 403
call GET /v1/companies/c-029/matches "" "${O[@]}"
expect_status "a participant's matches are (the recommendations among the event's)" 200
expect_eq "only among the event's participants" 0 \
    "$(js 'len([m for m in d["items"] if m["investor_id"] not in set("'"$(sql "SELECT string_agg(profile_id, ' ') FROM event_participants WHERE event_id = 'jpm-2027'")"'".split())])')"
call GET /v1/companies/c-004/matches "" "${O[@]}"
expect_status "a company that does not attend the event is not the organiser's" 403
call POST /v1/events/jpm-2027/requests "" "${O[@]}" -H 'Content-Type: application/json' \
    -H "Origin: $ORIGIN" --data '{"company_id": "c-029", "investor_id": "i-013", "from": "company", "priority": "want"}'
expect_status "a write without the CSRF token is refused" 403
call POST /v1/events/jpm-2027/requests "" "${O[@]}" -H 'Content-Type: application/json' \
    -H "Origin: $ORIGIN" -H "X-CSRF-Token: $csrf" \
    --data '{"company_id": "c-029", "investor_id": "i-013", "from": "company", "priority": "want"}'
expect_status "with it, the organiser asks on a company's behalf" 201

# Where a meeting could move: every place offered is taken by a PATCH; a slot not offered
# because a side is busy there is refused. The first meeting of c-029 (which has several).
mid=$(sql "SELECT id FROM meetings WHERE event_id = 'jpm-2027' AND company_id = 'c-029' AND status <> 'cancelled' ORDER BY slot_index LIMIT 1")
call GET "/v1/events/jpm-2027/meetings/$mid/places" "" "${O[@]}"
expect_status "the organiser asks where a meeting could move" 200
cp "$tmp/body" "$tmp/places.json"
expect_eq "it is the meeting asked about" "$mid" "$(js 'd["meeting"]["id"]')"
expect_eq "some places are offered" True "$(js 'len(d["places"]) > 0')"
# Neither side has another meeting in a slot offered, and no table offered is taken there.
bad=$("$PY" - "$tmp/places.json" "$(sql "SELECT string_agg(slot_index || ':' || table_no || ':' || company_id || ':' || investor_id, ' ') FROM meetings WHERE event_id = 'jpm-2027' AND status <> 'cancelled' AND id <> $mid")" \
    "$(sql "SELECT company_id || ' ' || investor_id FROM meetings WHERE id = $mid")" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
company, investor = sys.argv[3].split()
taken, busy = set(), set()
for x in sys.argv[2].split():
    s, t, c, i = x.split(":")
    taken.add((int(s), int(t)))
    if c == company or i == investor:
        busy.add(int(s))
print([p["slot"] for p in d["places"] if p["slot_index"] in busy or any((p["slot_index"], t) in taken for t in p["tables"])])
PYEOF
)
expect_eq "no place offered clashes with another meeting of the event" "[]" "$bad"
# Every offered place is accepted: the meeting moved to the first table of a few places.
for k in 0 2 5; do
    place=$(js "(d['places'][$k]['slot'], d['places'][$k]['tables'][0]) if len(d['places']) > $k else ('', 0)" "$tmp/places.json")
    read -r slot table <<<"$place"
    [ -z "$slot" ] && continue
    call PATCH "/v1/events/jpm-2027/meetings/$mid" "" "${O[@]}" -H 'Content-Type: application/json' \
        -H "Origin: $ORIGIN" -H "X-CSRF-Token: $csrf" --data "{\"slot\": \"$slot\", \"table\": $table}"
    expect_status "the move to offered place $k ($slot, table $table) is accepted" 200
    call GET "/v1/events/jpm-2027/meetings/$mid/places" "" "${O[@]}"
    cp "$tmp/body" "$tmp/places.json"
done
# A slot where c-029 has another meeting is not offered, and a move there is refused.
other=$(sql "SELECT slot_start FROM meetings WHERE event_id = 'jpm-2027' AND company_id = 'c-029' AND status <> 'cancelled' AND id <> $mid ORDER BY slot_index LIMIT 1")
expect_eq "a slot where the company meets someone else is not offered" False \
    "$(js "any(p['slot'] == '$other' for p in d['places'])" "$tmp/places.json")"
call PATCH "/v1/events/jpm-2027/meetings/$mid" "" "${O[@]}" -H 'Content-Type: application/json' \
    -H "Origin: $ORIGIN" -H "X-CSRF-Token: $csrf" --data "{\"slot\": \"$other\"}"
expect_status "and a move there is refused" 409
call GET "/v1/events/bio-2027/meetings/$mid/places" "" "${O[@]}"
expect_status "another event's meeting places are refused" 403
call GET "/v1/events/jpm-2027/meetings/999999/places" "" "${O[@]}"
expect_status "an unknown meeting is 404" 404

# Organisers add organisers: the row, the link in their language; a bad address named.
call POST /v1/events/jpm-2027/organisers "" "${O[@]}" -H 'Content-Type: application/json' \
    -H "Origin: $ORIGIN" -H "X-CSRF-Token: $csrf" --data '{"email": "Ada.Neri@ICE.example", "name": "Ada Neri", "language": "en"}'
expect_status "an organiser adds another" 202
expect_eq "who is invited" "ada.neri@ice.example 1" "$(js '(d["email"].lower(), d["queued"])')"
expect_contains "with a sign-in link" "https://tavolo.example/signin?t=" "$(link_of ada.neri@ice.example)"
call GET /v1/events/jpm-2027/organisers "" "${O[@]}"
expect_eq "both are listed, by address" "ada.neri@ice.example marta.ferri@ice.example" \
    "$(js '" ".join(x["email"] for x in d["items"])')"
call POST /v1/events/jpm-2027/organisers "" "${O[@]}" -H 'Content-Type: application/json' \
    -H "Origin: $ORIGIN" -H "X-CSRF-Token: $csrf" --data '{"email": "not an address"}'
expect_status "an address that is not one is refused" 422
expect_eq "naming the field" "/email" "$(js 'd["errors"][0]["pointer"]')"
call POST /v1/events/bio-2027/organisers "" "${O[@]}" -H 'Content-Type: application/json' \
    -H "Origin: $ORIGIN" -H "X-CSRF-Token: $csrf" --data '{"email": "x@ice.example"}'
expect_status "not for another event" 403

# A participant's session, for the checks below.
sql "UPDATE companies SET doc = jsonb_set(doc, '{contacts}', '[{\"email\": \"ceo@c-029.example\"}]') WHERE id = 'c-029'" >/dev/null
"$TAVOLO" invite --profile c-029 >/dev/null 2>&1
plink=$(link_of ceo@c-029.example)
call GET "/signin?t=${plink#*t=}" "" -H 'Accept: text/html'
psid=$(header Set-Cookie | sed -n 's/^tavolo_session=\([^;]*\);.*/\1/p')
# Drafts before publishing: c-029 says it cannot meet at the slot of its first meeting; a draft
# run moves that meeting but writes no meeting; the company still sees its old schedule; the
# draft lists the change; publishing writes it; a draft made stale by a change is refused.
fingerprint() { sql "SELECT md5(string_agg(id || ':' || slot_index || ':' || table_no || ':' || status, ',' ORDER BY id)) FROM meetings WHERE event_id = 'jpm-2027'"; }
first=$(sql "SELECT id || ' ' || slot_start FROM meetings WHERE event_id = 'jpm-2027' AND company_id = 'c-029' AND status = 'scheduled' AND NOT pinned ORDER BY slot_index LIMIT 1")
read -r fid fslot <<<"$first"
call PUT "/v1/events/jpm-2027/availability?participant=c-029" "" "${O[@]}" -H 'Content-Type: application/json' \
    -H "Origin: $ORIGIN" -H "X-CSRF-Token: $csrf" --data "{\"unavailable\": [\"$fslot\"]}"
expect_status "c-029 is made unavailable at its first meeting's slot" 200
call GET /v1/events/jpm-2027/overview "" "${O[@]}"
every_slot=$(js 'json.dumps({"unavailable": d["slots"]})')
call PUT "/v1/events/jpm-2027/availability?participant=c-041" "" "${O[@]}" -H 'Content-Type: application/json' \
    -H "Origin: $ORIGIN" -H "X-CSRF-Token: $csrf" --data "$every_slot"
expect_status "and c-041 at every slot" 200
before=$(fingerprint)
call POST "/v1/events/jpm-2027/schedule?draft=maybe" "" "${O[@]}" -H "Origin: $ORIGIN" -H "X-CSRF-Token: $csrf"
expect_status "?draft takes true or false" 400
call POST "/v1/events/jpm-2027/schedule?draft=true" "" "${O[@]}" -H "Origin: $ORIGIN" -H "X-CSRF-Token: $csrf"
expect_status "a scheduler run as a draft" 200
expect_eq "writes no meeting" "$before" "$(fingerprint)"
expect_eq "and keeps one draft" 1 "$(sql "SELECT count(*) FROM schedule_drafts WHERE event_id = 'jpm-2027'")"
call GET /v1/events/jpm-2027/meetings "" -H "Cookie: tavolo_session=$psid" -H "X-Tavolo-Profile: company:c-029"
expect_eq "the company still sees its meeting where it was" "$fid" \
    "$(js 'next((str(m["id"]) for m in d["items"] if m["slot"].startswith("'"$fslot"'")), "")')"
call GET /v1/events/jpm-2027/draft "" "${O[@]}"
expect_status "the draft is read with its changes" 200
expect_eq "the meeting in the unavailable slot is moved or cancelled by the draft" True \
    "$(js 'any(c["company_id"] == "c-029" and c["from"]["slot"] == "'"$fslot"'" for c in d["changes"]["moved"] + d["changes"]["cancelled"])')"
expect_eq "and counted for c-029" True "$(js 'sum(d["changes"]["by_participant"]["company:c-029"].values()) >= 1')"
expect_eq "with the run's report" "jpm-2027" "$(js 'd["report"]["event"]')"
drafted=$(js 'd["meetings"]')
short=$(js 'sorted((x["kind"], x["id"], x["code"]) for x in d["report"]["short_of_meetings"])')
expect_eq "the draft's report says c-041 is not available in any slot, with its code" unavailable \
    "$(js 'next(x["code"] for x in d["report"]["short_of_meetings"] if x["id"] == "c-041")')"
call GET /v1/events/jpm-2027/draft "" -H "Cookie: tavolo_session=$psid" -H "X-Tavolo-Profile: company:c-029"
expect_status "a participant cannot read the draft" 403
call POST /v1/events/jpm-2027/draft/publish "" "${O[@]}" -H "Origin: $ORIGIN" -H "X-CSRF-Token: $csrf"
expect_status "publishing" 200
expect_eq "writes the draft's meetings" "$drafted" "$(js 'd["published"]')"
expect_eq "as the schedule now" "$drafted" "$(sql "SELECT count(*) FROM meetings WHERE event_id = 'jpm-2027' AND status <> 'cancelled'")"
expect_eq "nothing is left in the unavailable slot for c-029" 0 \
    "$(sql "SELECT count(*) FROM meetings WHERE event_id = 'jpm-2027' AND company_id = 'c-029' AND slot_start = '$fslot' AND status <> 'cancelled'")"
call GET /v1/events/jpm-2027/draft "" "${O[@]}"
expect_status "and the draft is gone" 404
call GET /v1/events/jpm-2027/overview "" "${O[@]}"
expect_eq "the overview says why, as the published run's report did, for those it left short" "$short" \
    "$(js 'sorted((p["kind"], p["id"], p["why"]["code"]) for p in d["participants"] if p["why"])')"
expect_eq "with when that run was saved" True "$(js 'd["schedule_saved_at"] is not None')"
# A draft made stale: a meeting pinned after it was made.
call POST "/v1/events/jpm-2027/schedule?draft=true" "" "${O[@]}" -H "Origin: $ORIGIN" -H "X-CSRF-Token: $csrf"
pin=$(sql "SELECT id FROM meetings WHERE event_id = 'jpm-2027' AND status = 'scheduled' AND NOT pinned ORDER BY id LIMIT 1")
call PATCH "/v1/events/jpm-2027/meetings/$pin" "" "${O[@]}" -H 'Content-Type: application/json' \
    -H "Origin: $ORIGIN" -H "X-CSRF-Token: $csrf" --data '{"pinned": true}'
after=$(fingerprint)
call POST /v1/events/jpm-2027/draft/publish "" "${O[@]}" -H "Origin: $ORIGIN" -H "X-CSRF-Token: $csrf"
expect_status "a draft older than a change is not published" 409
expect_contains "saying why" "changed since the draft was made" "$(cat "$tmp/body")"
expect_eq "nothing written" "$after" "$(fingerprint)"
call DELETE /v1/events/jpm-2027/draft "" "${O[@]}" -H "Origin: $ORIGIN" -H "X-CSRF-Token: $csrf"
expect_status "the stale draft is discarded" 204
call DELETE /v1/events/jpm-2027/draft "" "${O[@]}" -H "Origin: $ORIGIN" -H "X-CSRF-Token: $csrf"
expect_status "once" 404

call GET /v1/events/jpm-2027/overview "" -H "Cookie: tavolo_session=$psid" -H "X-Tavolo-Profile: company:c-029"
expect_status "a participant's session gets 403 for the overview" 403
call GET /v1/events/jpm-2027/overview "" -H "Cookie: tavolo_session=$psid" -H "X-Tavolo-Profile: organiser:jpm-2027"
expect_status "and cannot act as an organiser" 403
call GET /v1/events/jpm-2027/overview "" "${O[@]}"
expect_eq "the overview now says c-029 is signed in" True \
    "$(js 'next(p["signed_in"] and p["invited"] for p in d["participants"] if p["id"] == "c-029")')"

# The reports' figures (decision 0065): of one event, of its ESIBE-eligible companies, of the
# Tour; each as counted from the API's own lists (tests/api/figures_check.py).
"$TAVOLO" schedule bio-2027 >/dev/null 2>&1
admin=$("$TAVOLO" token create --role admin 2>/dev/null)
expect_eq "the figures of each event, its ESIBE companies and the Tour agree with the lists" "" \
    "$("$PY" "$(dirname "$0")/figures_check.py" "$base" "$admin" jpm-2027 bio-2027 2>&1)"
call GET "/v1/figures?esibe=true" "$admin"
expect_eq "the Tour's ESIBE figures count fewer companies than all of them" True \
    "$(js 'd["companies"] > 0 and d["esibe_only"]')"
call GET /v1/figures "" "${O[@]}"
expect_status "an organiser does not see the Tour's figures" 403
call GET "/v1/events/jpm-2027/figures?esibe=maybe" "" "${O[@]}"
expect_status "esibe takes true or false" 400
call GET "/v1/events/bio-2027/figures" "" "${O[@]}"
expect_status "nor another event's figures" 403
finish
