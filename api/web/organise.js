/* The organisers' first page (issue 17, docs/web.md "The event at a glance"), for a session
 * acting as organiser:EVENT_ID (decision 0063): the event, its requests, meetings and mail in
 * numbers, and every participant with its meetings against its minimum and maximum, whether
 * its people were invited and signed in; filtered by kind and state and searched by name or
 * id in the page. One read: GET /v1/events/{id}/overview. */
"use strict";

(() => {
  const { h, t } = tavolo;

  tavolo.addMessages({
    en: {
      "organise.title": "Event",
      "organise.loading": "Loading the event…",
      "organise.deadline": "Requests close: {when}",
      "organise.no_deadline": "No request deadline",
      "organise.participants": "Participants",
      "organise.companies": "Companies",
      "organise.investors": "Investors",
      "organise.signed_in": "Signed in",
      "organise.invited": "Invited",
      "organise.without": "Without a meeting",
      "organise.below": "Below their minimum",
      "organise.requests": "Requests",
      "organise.asked_by": "Asked by",
      "organise.by.company": "companies",
      "organise.by.investor": "investors",
      "organise.state.pending": "Pending",
      "organise.state.accepted": "Accepted",
      "organise.state.declined": "Declined",
      "organise.state.expired": "Expired",
      "organise.meetings": "Meetings",
      "organise.meetings.scheduled": "Scheduled",
      "organise.meetings.pinned": "of which pinned",
      "organise.meetings.held": "Held",
      "organise.meetings.no_show": "No-show",
      "organise.meetings.cancelled": "Cancelled",
      "organise.mail": "Mail",
      "organise.mail.sent": "Sent",
      "organise.mail.queued": "Waiting",
      "organise.mail.failed": "Failed",
      "organise.filter.kind": "Kind",
      "organise.filter.kind.all": "All",
      "organise.filter.state": "Show",
      "organise.filter.state.all": "Everyone",
      "organise.filter.state.none": "Without a meeting",
      "organise.filter.state.below": "Below their minimum",
      "organise.filter.state.out": "Not signed in",
      "organise.search": "Search by name or id",
      "organise.shown": "{n} of {total} participants shown",
      "organise.shown_first": "{n} of {total} participants match; the first {first} are shown",
      "organise.more": "Show {n} more",
      "organise.col.name": "Participant",
      "organise.col.meetings": "Meetings",
      "organise.col.state": "State",
      "organise.col.invited": "Invited",
      "organise.col.signed_in": "Signed in",
      "organise.range": "min {min}, max {max}",
      "organise.range.nomax": "min {min}, no maximum",
      "organise.st.none": "No meeting",
      "organise.why.unavailable": "Not available in any slot.",
      "organise.why.busy_elsewhere": "At another event whenever it is available.",
      "organise.why.max_meetings": "Its maximum is 0, or taken by meetings kept where they are.",
      "organise.why.declined": "Every pair with it was declined or cancelled.",
      "organise.why.no_pair": "No accepted request and no recommended pair among the participants.",
      "organise.why.no_common_slot": "No slot free for both it and any of its candidates.",
      "organise.why.others_full": "Every candidate's other side is full with meetings that come first.",
      "organise.why.event_full": "The event's tables or slots went to meetings that come first.",
      "organise.st.below": "Below minimum",
      "organise.st.full": "Full",
      "organise.st.ok": "In range",
      "organise.yes": "Yes",
      "organise.no": "No",
      "organise.empty": "No participant matches.",
      "organise.recs": "Recommendations for {name}",
      "organise.recs_open": "Recommendations for {name}",
      "organise.recs_loading": "Ranking the event's participants…",
      "organise.recs_none": "No recommendation among the event's participants.",
      "organise.recs_fit": "Fit {fit}/100 · {level}",
      "organise.propose": "Propose a meeting",
      "organise.propose_label": "Propose a meeting of {a} with {b}, on behalf of {a}",
      "organise.proposing": "Sending the request…",
      "organise.proposed": "Proposed: {b} is asked to meet {a}, on behalf of {a}.",
      "organise.refused": "Not proposed (error {status}): {detail}",
      "organise.close": "Close",
      "organise.people": "Invitations and organisers",
      "organise.invite_all": "Invite every participant's people",
      "organise.invite_all_hint": "Each person the event file names, and each participant's contacts, gets a sign-in link by e-mail.",
      "organise.inviting": "Queuing the invitations…",
      "organise.invited_all": "Invitations queued: {queued}; {skipped} not sent (unsubscribed).",
      "organise.organisers": "Organisers of this event",
      "organise.add": "Add an organiser",
      "organise.add_email": "E-mail",
      "organise.add_name": "Name (optional)",
      "organise.add_language": "Language of their mail",
      "organise.lang.it": "Italian",
      "organise.lang.en": "English",
      "organise.adding": "Adding…",
      "organise.added": "{email} organises this event now; a sign-in link is on its way.",
      "organise.not_added": "Not added (error {status}): {detail}",
      "organise.file": "The event file",
      "organise.file_hint": "Load a new version of the event's file (JSON), or its participants from a spreadsheet (CSV: one row per person, columns kind, id, max_meetings, min_meetings, unavailable, name, email, language): first see what it would change, then import it.",
      "organise.file_choose": "Event file (JSON) or participants (CSV)",
      "organise.file_check": "Check the file",
      "organise.file_checking": "Checking…",
      "organise.file_not_json": "The file is not JSON: {detail}",
      "organise.file_problems": "The file was refused (error {status}): {n} problems, each next to its place in the file.",
      "organise.file_at": "at {pointer}",
      "organise.file_line": "line {line}",
      "organise.csv_problems": "The spreadsheet has {n} problems, each with its line.",
      "organise.file_report": "Importing it would change: participants added {added}, removed {removed}, changed {changed}; requests added {radded}, changed {rchanged}, removed {rremoved}; {impossible} meetings could no longer take place where they are.",
      "organise.file_import": "Import it",
      "organise.file_imported": "Imported. Run a draft schedule to place what changed.",
      "organise.file_failed": "Not imported (error {status}): {detail}",
      "organise.invite_failed": "The invitations were not queued (error {status}): {detail}",
    },
    it: {
      "organise.title": "Evento",
      "organise.loading": "Caricamento dell'evento…",
      "organise.deadline": "Le richieste si chiudono: {when}",
      "organise.no_deadline": "Nessuna scadenza per le richieste",
      "organise.participants": "Partecipanti",
      "organise.companies": "Aziende",
      "organise.investors": "Investitori",
      "organise.signed_in": "Hanno fatto l'accesso",
      "organise.invited": "Invitati",
      "organise.without": "Senza incontri",
      "organise.below": "Sotto il loro minimo",
      "organise.requests": "Richieste",
      "organise.asked_by": "Chieste da",
      "organise.by.company": "aziende",
      "organise.by.investor": "investitori",
      "organise.state.pending": "In attesa",
      "organise.state.accepted": "Accettate",
      "organise.state.declined": "Rifiutate",
      "organise.state.expired": "Scadute",
      "organise.meetings": "Incontri",
      "organise.meetings.scheduled": "In agenda",
      "organise.meetings.pinned": "di cui fissati a mano",
      "organise.meetings.held": "Avvenuti",
      "organise.meetings.no_show": "Assenze",
      "organise.meetings.cancelled": "Annullati",
      "organise.mail": "Posta",
      "organise.mail.sent": "Inviati",
      "organise.mail.queued": "In attesa",
      "organise.mail.failed": "Non consegnati",
      "organise.filter.kind": "Tipo",
      "organise.filter.kind.all": "Tutti",
      "organise.filter.state": "Mostra",
      "organise.filter.state.all": "Tutti",
      "organise.filter.state.none": "Senza incontri",
      "organise.filter.state.below": "Sotto il loro minimo",
      "organise.filter.state.out": "Senza accesso",
      "organise.search": "Cerca per nome o id",
      "organise.shown": "{n} di {total} partecipanti mostrati",
      "organise.shown_first": "{n} di {total} partecipanti corrispondono; sono mostrati i primi {first}",
      "organise.more": "Mostra altri {n}",
      "organise.col.name": "Partecipante",
      "organise.col.meetings": "Incontri",
      "organise.col.state": "Stato",
      "organise.col.invited": "Invitato",
      "organise.col.signed_in": "Accesso fatto",
      "organise.range": "min {min}, max {max}",
      "organise.range.nomax": "min {min}, senza massimo",
      "organise.st.none": "Nessun incontro",
      "organise.why.unavailable": "Non è disponibile in nessuna fascia.",
      "organise.why.busy_elsewhere": "È a un altro evento ogni volta che è disponibile.",
      "organise.why.max_meetings": "Il suo massimo è 0, o è occupato da incontri tenuti dove sono.",
      "organise.why.declined": "Ogni coppia con esso è stata rifiutata o annullata.",
      "organise.why.no_pair": "Nessuna richiesta accettata e nessuna coppia consigliata tra i partecipanti.",
      "organise.why.no_common_slot": "Nessuna fascia libera sia per esso sia per uno dei suoi candidati.",
      "organise.why.others_full": "L'altra parte di ogni candidato è piena di incontri che vengono prima.",
      "organise.why.event_full": "I tavoli o le fasce dell'evento sono andati a incontri che vengono prima.",
      "organise.st.below": "Sotto il minimo",
      "organise.st.full": "Al completo",
      "organise.st.ok": "Nei limiti",
      "organise.yes": "Sì",
      "organise.no": "No",
      "organise.empty": "Nessun partecipante corrisponde.",
      "organise.recs": "Raccomandazioni per {name}",
      "organise.recs_open": "Raccomandazioni per {name}",
      "organise.recs_loading": "Classifica dei partecipanti dell'evento…",
      "organise.recs_none": "Nessuna raccomandazione tra i partecipanti dell'evento.",
      "organise.recs_fit": "Affinità {fit}/100 · {level}",
      "organise.propose": "Proponi un incontro",
      "organise.propose_label": "Proponi un incontro di {a} con {b}, per conto di {a}",
      "organise.proposing": "Invio della richiesta…",
      "organise.proposed": "Proposto: a {b} è chiesto di incontrare {a}, per conto di {a}.",
      "organise.refused": "Non proposto (errore {status}): {detail}",
      "organise.close": "Chiudi",
      "organise.people": "Inviti e organizzatori",
      "organise.invite_all": "Invita le persone di tutti i partecipanti",
      "organise.invite_all_hint": "Ogni persona nominata nel file dell'evento, e i contatti di ogni partecipante, riceve per e-mail un link di accesso.",
      "organise.inviting": "Inviti in coda…",
      "organise.invited_all": "Inviti in coda: {queued}; {skipped} non inviati (disiscritti).",
      "organise.organisers": "Organizzatori di questo evento",
      "organise.add": "Aggiungi un organizzatore",
      "organise.add_email": "E-mail",
      "organise.add_name": "Nome (facoltativo)",
      "organise.add_language": "Lingua della sua posta",
      "organise.lang.it": "Italiano",
      "organise.lang.en": "Inglese",
      "organise.adding": "Aggiunta in corso…",
      "organise.added": "{email} ora organizza questo evento; un link di accesso è in arrivo.",
      "organise.not_added": "Non aggiunto (errore {status}): {detail}",
      "organise.file": "Il file dell'evento",
      "organise.file_hint": "Carichi una nuova versione del file dell'evento (JSON), oppure i suoi partecipanti da un foglio di calcolo (CSV: una riga per persona, colonne kind, id, max_meetings, min_meetings, unavailable, name, email, language): prima veda cosa cambierebbe, poi lo importi.",
      "organise.file_choose": "File dell'evento (JSON) o partecipanti (CSV)",
      "organise.file_check": "Controlla il file",
      "organise.file_checking": "Controllo in corso…",
      "organise.file_not_json": "Il file non è JSON: {detail}",
      "organise.file_problems": "Il file è stato rifiutato (errore {status}): {n} problemi, ciascuno accanto al suo punto nel file.",
      "organise.file_at": "in {pointer}",
      "organise.file_line": "riga {line}",
      "organise.csv_problems": "Il foglio ha {n} problemi, ciascuno con la sua riga.",
      "organise.file_report": "Importarlo cambierebbe: partecipanti aggiunti {added}, rimossi {removed}, modificati {changed}; richieste aggiunte {radded}, modificate {rchanged}, rimosse {rremoved}; {impossible} incontri non potrebbero più svolgersi dove sono.",
      "organise.file_import": "Importalo",
      "organise.file_imported": "Importato. Prepari una bozza dell'agenda per sistemare ciò che è cambiato.",
      "organise.file_failed": "Non importato (errore {status}): {detail}",
      "organise.invite_failed": "Gli inviti non sono stati messi in coda (errore {status}): {detail}",
    },
  });

  const SYMBOL = { none: "✗", below: "▲", full: "●", ok: "✓" };

  /* A participant's state against its limits: none, below (its minimum), full (at its
   * maximum) or ok. */
  function stateOf(p) {
    if (p.meetings === 0) return "none";
    if (p.meetings < p.min_meetings) return "below";
    if (p.max_meetings !== null && p.meetings >= p.max_meetings) return "full";
    return "ok";
  }

  /* A labelled number: <div><dt>label</dt><dd>n</dd></div>. */
  function figure(key, n, cls) {
    return h("div", { class: "figure" + (cls ? " " + cls : "") },
      h("dt", { text: t(key) }), h("dd", { text: tavolo.fmt.number(n) }));
  }

  function summary(o) {
    const ps = o.participants;
    const count = (f) => ps.filter(f).length;
    const failed = o.mail.failed;
    return h("div", { class: "glance" },
      h("section", { class: "card", "aria-labelledby": "glance-participants" },
        h("h2", { id: "glance-participants", text: t("organise.participants") + " · " + tavolo.fmt.number(ps.length) }),
        h("dl", null,
          figure("organise.companies", count((p) => p.kind === "company")),
          figure("organise.investors", count((p) => p.kind === "investor")),
          figure("organise.invited", count((p) => p.invited)),
          figure("organise.signed_in", count((p) => p.signed_in)),
          figure("organise.without", count((p) => stateOf(p) === "none"), count((p) => stateOf(p) === "none") ? "warn" : ""),
          figure("organise.below", count((p) => stateOf(p) === "below"), count((p) => stateOf(p) === "below") ? "warn" : ""))),
      h("section", { class: "card requests-card", "aria-labelledby": "glance-requests" },
        h("h2", { id: "glance-requests", text: t("organise.requests") }),
        h("table", { class: "counts" },
          h("thead", null, h("tr", null, h("th", { scope: "col", text: t("organise.asked_by") }),
            ["pending", "accepted", "declined", "expired"].map((s) => h("th", { scope: "col", text: t("organise.state." + s) })))),
          h("tbody", null, ["company", "investor"].map((side) => h("tr", null,
            h("th", { scope: "row", text: t("organise.by." + side) }),
            ["pending", "accepted", "declined", "expired"].map((s) =>
              h("td", { text: tavolo.fmt.number((o.requests[side] || {})[s] || 0) }))))))),
      h("section", { class: "card", "aria-labelledby": "glance-meetings" },
        h("h2", { id: "glance-meetings", text: t("organise.meetings") }),
        h("dl", null, ["scheduled", "pinned", "held", "no_show", "cancelled"].map((k) =>
          figure("organise.meetings." + k, o.meetings[k] || 0)))),
      h("section", { class: "card", "aria-labelledby": "glance-mail" },
        h("h2", { id: "glance-mail", text: t("organise.mail") }),
        h("dl", null,
          figure("organise.mail.sent", o.mail.sent),
          figure("organise.mail.queued", o.mail.queued),
          figure("organise.mail.failed", failed, failed ? "warn" : ""))));
  }

  /* A participant's best pairs among the event's participants (GET .../matches, which an
   * organiser's session restricts to its event), each with a button proposing the meeting on
   * the participant's behalf (POST .../requests). */
  async function recommendations(ctx, o, p, box) {
    const other = p.kind === "company" ? "investor" : "company";
    const plural = p.kind === "company" ? "companies" : "investors";
    box.hidden = false;
    box.replaceChildren(h("h2", { id: "recs-title", tabindex: "-1", text: t("organise.recs", { name: p.name }) }),
      h("p", { class: "muted", text: t("organise.recs_loading") }));
    box.firstChild.focus();
    const res = await tavolo.api("GET", "/v1/" + plural + "/" + encodeURIComponent(p.id) + "/matches?k=10&lang=" + ctx.lang);
    const items = res.ok && res.body && Array.isArray(res.body.items) ? res.body.items : null;
    const list = h("ol", { class: "recs" });
    for (const m of items || []) {
      const id = m[other + "_id"], name = m[other + "_name"] || id;
      const status = h("p", { class: "status", id: "rec-status-" + id, hidden: true });
      list.append(h("li", { "data-id": id },
        h("p", null, h("strong", { class: "name", text: name }), " ",
          h("span", { class: "fit", text: t("organise.recs_fit", { fit: m.fit, level: m.level }) })),
        (m.top_reasons || []).length ? h("ul", { class: "why" }, m.top_reasons.map((r) => h("li", { text: r.text }))) : null,
        h("button", { type: "button", class: "secondary propose", text: t("organise.propose"),
          "aria-label": t("organise.propose_label", { a: p.name, b: name }),
          onclick: async (e) => {
            e.target.disabled = true;
            tavolo.showStatus(status, "ok", "organise.proposing");
            const r = await tavolo.api("POST", "/v1/events/" + encodeURIComponent(o.event.id) + "/requests", {
              company_id: p.kind === "company" ? p.id : id, investor_id: p.kind === "company" ? id : p.id,
              from: p.kind, priority: "want" });
            if (r.ok) tavolo.showStatus(status, "ok", "organise.proposed", { a: p.name, b: name });
            else {
              tavolo.showStatus(status, "error", "organise.refused", { status: r.status, detail: (r.body && r.body.detail) || "" });
              e.target.disabled = false;
            }
          } }),
        status));
    }
    box.replaceChildren(box.firstChild,
      items === null ? h("p", { class: "status error", role: "alert", text: tavolo.problemText(res) })
        : items.length ? list : h("p", { class: "muted", text: t("organise.recs_none") }),
      h("button", { type: "button", class: "secondary", text: t("organise.close"), onclick: () => { box.hidden = true; } }));
  }

  /* The scheduler's reason for a participant short of meetings, in the page's language. */
  function whyText(why) {
    const key = "organise.why." + why.code;
    const said = t(key);
    return said !== key ? said : String(why.reason || "");
  }

  function row(p, open) {
    const st = stateOf(p);
    const range = p.max_meetings === null
      ? t("organise.range.nomax", { min: p.min_meetings })
      : t("organise.range", { min: p.min_meetings, max: p.max_meetings });
    const yesNo = (v) => h("td", { class: v ? "yes" : "no" },
      h("span", { "aria-hidden": "true", text: v ? "✓ " : "– " }), t(v ? "organise.yes" : "organise.no"));
    return h("tr", { "data-id": p.id, "data-kind": p.kind, "data-state": st },
      h("th", { scope: "row" }, h("button", { type: "button", class: "link name", text: p.name,
        "aria-label": t("organise.recs_open", { name: p.name }), onclick: () => open(p) }), " ",
        h("span", { class: "kind", text: t("kind." + p.kind) }), " ", h("span", { class: "id muted", text: p.id })),
      h("td", { class: "meetings" }, h("strong", { text: tavolo.fmt.number(p.meetings) }), " ",
        h("span", { class: "muted", text: "(" + range + ")" })),
      h("td", { class: "st st-" + st }, h("span", { "aria-hidden": "true", text: SYMBOL[st] + " " }), t("organise.st." + st),
        p.why ? h("div", { class: "why muted", text: whyText(p.why) }) : null),
      yesNo(p.invited), yesNo(p.signed_in));
  }

  const ROWS_SHOWN = 200;

  /* The participants' table, filtered as the controls say; the controls keep their values
   * across a language switch (ctx.cache). */
  function table(ctx, o) {
    const f = ctx.cache.organiseFilter || (ctx.cache.organiseFilter = { kind: "", state: "", q: "" });
    const select = (id, key, value, options) => h("label", { for: id }, t(key) + " ",
      h("select", { id, onchange: (e) => { f[value] = e.target.value; draw(); } },
        options.map(([v, label]) => h("option", { value: v, selected: f[value] === v, text: t(label) }))));
    const search = h("input", { id: "organise-q", type: "search", value: f.q, autocomplete: "off",
      oninput: (e) => { f.q = e.target.value; draw(); } });
    const count = h("p", { id: "organise-shown", class: "muted", role: "status" });
    const body = h("tbody");
    const recs = h("section", { id: "organise-recs", class: "card recs-panel", hidden: true, "aria-labelledby": "recs-title" });
    const open = (p) => recommendations(ctx, o, p, recs);
    const wrap = h("section", { class: "participants", "aria-labelledby": "participants-title" },
      h("h2", { id: "participants-title", text: t("organise.participants") }),
      h("div", { class: "filters" },
        select("organise-kind", "organise.filter.kind", "kind",
          [["", "organise.filter.kind.all"], ["company", "organise.companies"], ["investor", "organise.investors"]]),
        select("organise-state", "organise.filter.state", "state",
          [["", "organise.filter.state.all"], ["none", "organise.filter.state.none"],
            ["below", "organise.filter.state.below"], ["out", "organise.filter.state.out"]]),
        h("label", { for: "organise-q" }, t("organise.search") + " ", search)),
      count,
      recs,
      h("div", { class: "scroll" },
        h("table", { class: "participants-table" },
          h("thead", null, h("tr", null, ["name", "meetings", "state", "invited", "signed_in"].map((c) =>
            h("th", { scope: "col", text: t("organise.col." + c) })))),
          body)));

    function keep(p) {
      const q = f.q.trim().toLowerCase();
      const st = stateOf(p);
      return (!f.kind || p.kind === f.kind) &&
        (!f.state || (f.state === "out" ? !p.signed_in : f.state === "below" ? st === "below" : st === f.state)) &&
        (!q || p.name.toLowerCase().includes(q) || p.id.toLowerCase().includes(q));
    }

    /* The rows of the first ROWS_SHOWN that pass, then "Show more": 6,000 rows took Chromium
     * 3 s to lay out and paint (bench/organiser_pages.sh); the filters and the search go
     * through all of them. */
    let limit = ROWS_SHOWN;
    const more = h("button", { type: "button", id: "organise-more", class: "secondary", hidden: true,
      onclick: () => { limit += ROWS_SHOWN; draw(true); } });

    function draw(keepLimit) {
      if (!keepLimit) limit = ROWS_SHOWN;
      const shown = o.participants.filter(keep);
      body.replaceChildren(...(shown.length ? shown.slice(0, limit).map((p) => row(p, open))
        : [h("tr", null, h("td", { colspan: "5", class: "muted", text: t("organise.empty") }))]));
      count.textContent = t(shown.length > limit ? "organise.shown_first" : "organise.shown", {
        n: tavolo.fmt.number(shown.length), total: tavolo.fmt.number(o.participants.length),
        first: tavolo.fmt.number(limit) });
      more.hidden = shown.length <= limit;
      more.textContent = t("organise.more", { n: tavolo.fmt.number(Math.min(ROWS_SHOWN, shown.length - limit)) });
    }
    wrap.append(more);
    draw();
    return wrap;
  }

  /* Invitations for everyone the event names, and the event's organisers with a form to add
   * one (POST /v1/events/{id}/invitations, GET and POST .../organisers). */
  function people(ctx, o) {
    const base = "/v1/events/" + encodeURIComponent(o.event.id);
    const status = h("p", { id: "people-status", class: "status", hidden: true });
    const list = h("ul", { id: "organisers-list", class: "organisers" });
    const fill = async () => {
      const res = await tavolo.api("GET", base + "/organisers");
      const items = res.ok && res.body && Array.isArray(res.body.items) ? res.body.items : [];
      list.replaceChildren(...items.map((x) => h("li", { "data-email": x.email },
        h("strong", { text: x.name || x.email }), x.name ? " " : "", x.name ? h("span", { class: "muted", text: x.email }) : "")));
    };
    const email = h("input", { id: "add-email", type: "email", required: true, autocomplete: "off" });
    const name = h("input", { id: "add-name", type: "text", autocomplete: "off" });
    const lang = h("select", { id: "add-language" }, ["it", "en"].map((l) =>
      h("option", { value: l, selected: l === ctx.lang, text: t("organise.lang." + l) })));
    const form = h("form", { id: "add-organiser", novalidate: true,
      onsubmit: async (e) => {
        e.preventDefault();
        tavolo.showStatus(status, "ok", "organise.adding");
        const body = { email: email.value.trim(), language: lang.value };
        if (name.value.trim()) body.name = name.value.trim();
        const res = await tavolo.api("POST", base + "/organisers", body);
        if (!res.ok) {
          tavolo.showStatus(status, "error", "organise.not_added", { status: res.status, detail: (res.body && res.body.detail) || "" });
          email.setAttribute("aria-invalid", "true");
          return;
        }
        email.removeAttribute("aria-invalid");
        tavolo.showStatus(status, "ok", "organise.added", { email: body.email });
        email.value = name.value = "";
        fill();
      } },
      h("label", { for: "add-email", text: t("organise.add_email") }), email,
      h("label", { for: "add-name", text: t("organise.add_name") }), name,
      h("label", { for: "add-language", text: t("organise.add_language") }), lang,
      h("button", { type: "submit", class: "secondary", text: t("organise.add") }));
    fill();
    return h("section", { class: "card people", "aria-labelledby": "people-title" },
      h("h2", { id: "people-title", text: t("organise.people") }),
      h("p", { class: "muted", text: t("organise.invite_all_hint") }),
      h("button", { type: "button", id: "invite-all", text: t("organise.invite_all"),
        onclick: async (e) => {
          e.target.disabled = true;
          tavolo.showStatus(status, "ok", "organise.inviting");
          const res = await tavolo.api("POST", base + "/invitations");
          e.target.disabled = false;
          if (res.ok) tavolo.showStatus(status, "ok", "organise.invited_all", { queued: res.body.queued, skipped: res.body.skipped });
          else tavolo.showStatus(status, "error", "organise.invite_failed", { status: res.status, detail: (res.body && res.body.detail) || "" });
        } }),
      h("h3", { text: t("organise.organisers") }), list, form, status);
  }

  /* A new version of the event file, or of its participants from a spreadsheet (CSV: read by
   * tavolo.readParticipants and put into the stored file): checked with PUT ?dry_run=true (its
   * report, or every problem at its place in the file or its line of the spreadsheet), then
   * imported with the same PUT. */
  function eventFile(ctx, o) {
    const path = "/v1/events/" + encodeURIComponent(o.event.id);
    const status = h("p", { id: "file-status", class: "status", hidden: true });
    const out = h("div", { id: "file-result" });
    const input = h("input", { id: "file-input", type: "file", accept: ".json,application/json,.csv,text/csv" });
    const len = (x) => (Array.isArray(x) ? x.length : 0);
    let doc = null;
    const check = async () => {
      out.replaceChildren();
      const file = input.files && input.files[0];
      if (!file) return;
      let lines = null;
      tavolo.showStatus(status, "ok", "organise.file_checking");
      if (/\.csv$/i.test(file.name) || file.type === "text/csv") {
        const [read, stored] = await Promise.all([tavolo.readParticipants(file), tavolo.api("GET", path)]);
        if (read.problems) {
          tavolo.showStatus(status, "error", "organise.csv_problems", { n: read.problems.length });
          out.replaceChildren(h("ul", { class: "problems" }, read.problems.map((p) => h("li", { text: p }))));
          return;
        }
        if (!stored.ok || !stored.body) {
          tavolo.showStatus(status, "error", "organise.file_failed", { status: stored.status, detail: tavolo.problemText(stored) });
          return;
        }
        doc = Object.assign(stored.body, { participants: read.participants });
        lines = read.lines;
      } else {
        try {
          doc = JSON.parse(await file.text());
        } catch (e) {
          tavolo.showStatus(status, "error", "organise.file_not_json", { detail: String(e.message) });
          return;
        }
      }
      const res = await tavolo.api("PUT", path + "?dry_run=true", doc);
      if (!res.ok) {
        const errors = (res.body && Array.isArray(res.body.errors) && res.body.errors.length) ? res.body.errors
          : [{ pointer: (res.body && res.body.pointer) || "", detail: tavolo.problemText(res) }];
        tavolo.showStatus(status, "error", "organise.file_problems", { status: res.status, n: errors.length });
        const where = (e) => {
          const line = tavolo.spreadsheetLine(e.pointer, lines);
          return line ? t("organise.file_line", { line }) : t("organise.file_at", { pointer: e.pointer || "/" });
        };
        out.replaceChildren(h("ul", { class: "problems" }, errors.map((e) => h("li", null, h("code", { text: where(e) }), " ", e.detail))));
        return;
      }
      const r = res.body || {};
      const p = r.participants || {}, q = r.requests || {}, m = r.meetings || {};
      status.hidden = true;
      out.replaceChildren(
        h("p", { id: "file-report", text: t("organise.file_report", { added: len(p.added), removed: len(p.removed), changed: len(p.changed),
          radded: len(q.added), rchanged: len(q.changed), rremoved: len(q.removed), impossible: len(m.impossible) }) }),
        h("button", { type: "button", id: "file-import", text: t("organise.file_import"),
          onclick: async (e) => {
            e.target.disabled = true;
            const done = await tavolo.api("PUT", path, doc);
            if (done.ok) {
              tavolo.showStatus(status, "ok", "organise.file_imported");
              delete ctx.cache.overview;
            } else {
              e.target.disabled = false;
              tavolo.showStatus(status, "error", "organise.file_failed", { status: done.status, detail: (done.body && done.body.detail) || "" });
            }
          } }));
    };
    return h("section", { class: "card event-file", "aria-labelledby": "file-title" },
      h("h2", { id: "file-title", text: t("organise.file") }),
      h("p", { class: "muted", text: t("organise.file_hint") }),
      h("label", { for: "file-input", text: t("organise.file_choose") }), " ", input, " ",
      h("button", { type: "button", id: "file-check", class: "secondary", text: t("organise.file_check"), onclick: check }),
      out, status);
  }

  async function render(ctx) {
    const id = String(ctx.profile.id);
    const root = h("div", { class: "organise-page" });
    ctx.root.append(root);
    let o = ctx.cache.overview;
    if (!o || o.event.id !== id) {
      const wait = h("p", { class: "muted", text: t("organise.loading") });
      root.append(wait);
      const res = await tavolo.api("GET", "/v1/events/" + encodeURIComponent(id) + "/overview");
      wait.remove();
      if (!res.ok || !res.body || !Array.isArray(res.body.participants)) {
        root.append(h("h1", { text: t("organise.title") }),
          h("p", { class: "status error", role: "alert", "data-kind": "error", text: tavolo.problemText(res) }));
        return;
      }
      o = ctx.cache.overview = res.body;
    }
    const e = o.event;
    const deadline = e.request_deadline
      ? t("organise.deadline", { when: tavolo.fmt.dateTime(e.request_deadline, e.time_zone) + " (" + e.time_zone + ")" })
      : t("organise.no_deadline");
    root.append(
      h("h1", { text: e.name }),
      h("p", { class: "where muted", text: [e.city, e.time_zone].filter(Boolean).join(" · ") + " · " + deadline }),
      summary(o),
      people(ctx, o),
      eventFile(ctx, o),
      table(ctx, o));
  }

  tavolo.page("/organise", { title: "organise.title", kinds: ["organiser"], render });
})();
