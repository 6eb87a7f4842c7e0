/* The requests page (issue 16, docs/web.md "Requests"): for the chosen profile, each event it
 * attends with its request deadline in words (the event's zone and the viewer's), the
 * requests received and sent with the other side's public name, and Accept / Decline on the
 * received pending ones. With ?ask=ID&event=E (the matches page's links) it opens a form that
 * asks that other side for a meeting. Every value is written with textContent (tavolo.h);
 * every state has a symbol and words, never colour alone. */
"use strict";

(() => {
  const { h, t } = tavolo;
  const MESSAGE_MAX = 200; /* characters (code points), as the API counts them */
  const OTHER = { company: "investor", investor: "company" };
  const SYMBOLS = { pending: "\u25F7", accepted: "\u2713", declined: "\u2717", expired: "\u231B", cancelled: "\u2298" };

  tavolo.addMessages({
    en: {
      "requests.title": "Requests",
      "requests.loading": "Loading your requests…",
      "requests.no_events": "Your profile takes part in no event yet: meetings are asked for at an event.",
      "requests.from_matches": "Meetings are asked for from your matches: choose someone there and follow “Ask for a meeting”.",
      "requests.to_matches": "Go to my matches",
      "requests.received": "Received",
      "requests.sent": "Sent",
      "requests.none_received": "No request received yet.",
      "requests.none_sent": "No request sent yet.",
      "requests.from": "From",
      "requests.to": "To",
      "requests.unknown_name": "{id} (name not available)",
      "requests.priority.must": "Must meet",
      "requests.priority.want": "Would like to meet",
      "requests.priority.label": "Priority:",
      "requests.message.label": "Message:",
      "requests.no_message": "No message.",
      "requests.state.label": "State:",
      "requests.state.pending.received": "Pending: waiting for your answer",
      "requests.state.pending.sent": "Pending: waiting for their answer",
      "requests.state.accepted": "Accepted: the scheduler will place this meeting",
      "requests.state.declined": "Declined",
      "requests.state.expired": "Expired: not answered before the deadline",
      "requests.state.cancelled": "Cancelled",
      "requests.asked": "Asked: {when}",
      "requests.decided.accepted": "accepted: {when}",
      "requests.decided.declined": "declined: {when}",
      "requests.decided.expired": "expired: {when}",
      "requests.decided.cancelled": "cancelled: {when}",
      "requests.accept": "Accept",
      "requests.decline": "Decline",
      "requests.accept_label": "Accept the request from {name}",
      "requests.decline_label": "Decline the request from {name}",
      "requests.answering": "Sending your answer…",
      "requests.answered.accepted": "Accepted. {name} will be told by e-mail.",
      "requests.answered.declined": "Declined. {name} will be told by e-mail.",
      "requests.too_late": "Requests are closed for this event: this one can no longer be answered.",
      "requests.closed_answer": "This request can no longer be answered: requests for this event are closed (error 409).",
      "requests.forbidden": "You may not do this for this profile (error 403): {detail}",
      "requests.signed_out": "Your session has ended: sign in again from the home page.",
      "requests.when.at": "on {date} at {time}",
      "requests.when.end": "at the end of {date}",
      "requests.deadline.open": "Requests close {when}, {place} time ({zone}), {rel}.",
      "requests.deadline.closed": "Requests closed {when}, {place} time ({zone}): meetings can no longer be asked for or answered at this event.",
      "requests.deadline.yours": "In your time ({zone}): {date}, {time}.",
      "requests.deadline.none": "This event has no request deadline: requests stay open.",
      "requests.ask.title": "Ask for a meeting",
      "requests.ask.with": "With",
      "requests.ask.event": "Event",
      "requests.ask.choose_event": "Choose the event",
      "requests.ask.priority": "Priority",
      "requests.ask.must_hint": "The scheduler places every “must meet” before any “would like to meet”.",
      "requests.ask.message": "Message (optional)",
      "requests.ask.count": "{n} of {max} characters",
      "requests.ask.over": "{n} of {max} characters: {over} too many",
      "requests.ask.send": "Send the request",
      "requests.ask.sending": "Sending…",
      "requests.ask.sent": "Your request was sent to {name}. They are told by e-mail; their answer will show below.",
      "requests.ask.unknown": "No {kind} “{id}” is known: the link may be wrong. Choose someone from your matches.",
      "requests.ask.not_other": "You can ask only the other side for a meeting (error {status}).",
      "requests.ask.no_event": "You do not take part in the event “{event}”.",
      "requests.ask.pick_event": "Choose the event for this meeting.",
      "requests.ask.exists": "A request between you and {name} exists already at this event: see it below ({state}).",
      "requests.ask.closed": "Requests for this event are closed: no new request can be sent.",
      "requests.ask.already": "A request between you and {name} exists already at this event (error 409): see the list below.",
      "requests.ask.too_long": "Shorten the message to at most {max} characters (it has {n}).",
      "requests.ask.not_participant": "{name} does not take part in this event.",
      "requests.ask.bad_priority": "Choose “must meet” or “would like to meet”.",
      "requests.ask.closed_now": "Requests for this event closed before your request arrived (error 409): it was not sent.",
    },
    it: {
      "requests.title": "Richieste",
      "requests.loading": "Caricamento delle richieste…",
      "requests.no_events": "Il suo profilo non partecipa ancora a nessun evento: gli incontri si chiedono per un evento.",
      "requests.from_matches": "Gli incontri si chiedono dalle sue corrispondenze: scelga lì con chi e segua “Chiedi un incontro”.",
      "requests.to_matches": "Vai alle mie corrispondenze",
      "requests.received": "Ricevute",
      "requests.sent": "Inviate",
      "requests.none_received": "Nessuna richiesta ricevuta finora.",
      "requests.none_sent": "Nessuna richiesta inviata finora.",
      "requests.from": "Da",
      "requests.to": "A",
      "requests.unknown_name": "{id} (nome non disponibile)",
      "requests.priority.must": "Incontro indispensabile",
      "requests.priority.want": "Incontro gradito",
      "requests.priority.label": "Priorità:",
      "requests.message.label": "Messaggio:",
      "requests.no_message": "Nessun messaggio.",
      "requests.state.label": "Stato:",
      "requests.state.pending.received": "In attesa della sua risposta",
      "requests.state.pending.sent": "In attesa della loro risposta",
      "requests.state.accepted": "Accettata: l'incontro sarà messo in agenda",
      "requests.state.declined": "Rifiutata",
      "requests.state.expired": "Scaduta: senza risposta entro il termine",
      "requests.state.cancelled": "Annullata",
      "requests.asked": "Chiesta: {when}",
      "requests.decided.accepted": "accettata: {when}",
      "requests.decided.declined": "rifiutata: {when}",
      "requests.decided.expired": "scaduta: {when}",
      "requests.decided.cancelled": "annullata: {when}",
      "requests.accept": "Accetta",
      "requests.decline": "Rifiuta",
      "requests.accept_label": "Accetta la richiesta di {name}",
      "requests.decline_label": "Rifiuta la richiesta di {name}",
      "requests.answering": "Invio della risposta…",
      "requests.answered.accepted": "Accettata. {name} riceverà un'e-mail.",
      "requests.answered.declined": "Rifiutata. {name} riceverà un'e-mail.",
      "requests.too_late": "Le richieste per questo evento sono chiuse: a questa non si può più rispondere.",
      "requests.closed_answer": "A questa richiesta non si può più rispondere: le richieste per questo evento sono chiuse (errore 409).",
      "requests.forbidden": "Non può farlo per questo profilo (errore 403): {detail}",
      "requests.signed_out": "La sessione è terminata: acceda di nuovo dalla pagina iniziale.",
      "requests.when.at": "{date} alle {time}",
      "requests.when.end": "alla fine di {date}",
      "requests.deadline.open": "Le richieste si chiudono {when}, ora di {place} ({zone}), {rel}.",
      "requests.deadline.closed": "Le richieste si sono chiuse {when}, ora di {place} ({zone}): per questo evento non si possono più chiedere né accettare incontri.",
      "requests.deadline.yours": "Nella sua ora ({zone}): {date}, {time}.",
      "requests.deadline.none": "Questo evento non ha un termine per le richieste: restano aperte.",
      "requests.ask.title": "Chiedi un incontro",
      "requests.ask.with": "Con",
      "requests.ask.event": "Evento",
      "requests.ask.choose_event": "Scelga l'evento",
      "requests.ask.priority": "Priorità",
      "requests.ask.must_hint": "In agenda ogni incontro “indispensabile” viene prima di ogni “gradito”.",
      "requests.ask.message": "Messaggio (facoltativo)",
      "requests.ask.count": "{n} di {max} caratteri",
      "requests.ask.over": "{n} di {max} caratteri: {over} di troppo",
      "requests.ask.send": "Invia la richiesta",
      "requests.ask.sending": "Invio…",
      "requests.ask.sent": "La sua richiesta è stata inviata a {name}, che riceverà un'e-mail; la risposta apparirà qui sotto.",
      "requests.ask.unknown": "Nessun profilo “{id}” ({kind}) è noto: il link potrebbe essere sbagliato. Scelga tra le sue corrispondenze.",
      "requests.ask.not_other": "Si può chiedere un incontro solo all'altra parte (errore {status}).",
      "requests.ask.no_event": "Lei non partecipa all'evento “{event}”.",
      "requests.ask.pick_event": "Scelga l'evento di questo incontro.",
      "requests.ask.exists": "Esiste già una richiesta tra lei e {name} per questo evento: la trova qui sotto ({state}).",
      "requests.ask.closed": "Le richieste per questo evento sono chiuse: non si possono inviare nuove richieste.",
      "requests.ask.already": "Esiste già una richiesta tra lei e {name} per questo evento (errore 409): la trova qui sotto.",
      "requests.ask.too_long": "Accorci il messaggio ad al massimo {max} caratteri (ne ha {n}).",
      "requests.ask.not_participant": "{name} non partecipa a questo evento.",
      "requests.ask.bad_priority": "Scelga “indispensabile” o “gradito”.",
      "requests.ask.closed_now": "Le richieste per questo evento si sono chiuse prima che la sua arrivasse (errore 409): non è stata inviata.",
    },
  });

  /* ---- data: the events, their requests, the other sides' names (each fetched once) ---- */

  function store(ctx) {
    if (!ctx.cache.requests) ctx.cache.requests = { rowStatus: {}, draft: null, sent: null };
    return ctx.cache.requests;
  }

  function profilePath(kind, id) {
    return "/v1/" + (kind === "company" ? "companies" : "investors") + "/" + encodeURIComponent(id);
  }

  /* The public name of profile kind:id, or null when it cannot be read; one fetch per
   * profile, shared by every row and render. */
  function fetchName(s, kind, id) {
    const key = kind + ":" + id;
    if (!s.names.has(key)) {
      s.names.set(key, tavolo.api("GET", profilePath(kind, id)).then((res) => ({
        status: res.status,
        name: res.ok && res.body && res.body.name ? String(res.body.name) : null,
      })));
    }
    return s.names.get(key);
  }

  async function load(ctx, s) {
    const res = await tavolo.api("GET", "/v1/events");
    if (!res.ok) return res;
    s.events = Array.isArray(res.body && res.body.items) ? res.body.items : [];
    s.lists = {};
    s.names = new Map();
    const lists = await Promise.all(s.events.map((e) =>
      tavolo.api("GET", "/v1/events/" + encodeURIComponent(e.id) + "/requests")));
    for (let i = 0; i < lists.length; i++) {
      if (!lists[i].ok) return lists[i];
      s.lists[s.events[i].id] = lists[i].body;
    }
    const other = OTHER[ctx.profile.kind];
    const ids = new Set();
    for (const l of Object.values(s.lists)) {
      for (const q of l.items || []) ids.add(q[other + "_id"]);
    }
    if (ctx.params.get("ask")) ids.add(ctx.params.get("ask"));
    await Promise.all([...ids].map((id) => fetchName(s, other, id)));
    s.loaded = true;
    return null;
  }

  /* ---- words ---- */

  function isDate(text) {
    return /^\d{4}-\d{2}-\d{2}$/.test(String(text || ""));
  }

  /* "in 32 days", "in 5 hours", "in 3 minutes", in the reader's language. */
  function relative(ms) {
    const rtf = new Intl.RelativeTimeFormat(tavolo.locale(), { numeric: "auto" });
    const minutes = Math.round(ms / 60000);
    if (Math.abs(minutes) >= 2 * 24 * 60) return rtf.format(Math.round(minutes / 1440), "day");
    if (Math.abs(minutes) >= 120) return rtf.format(Math.round(minutes / 60), "hour");
    return rtf.format(minutes, "minute");
  }

  /* The deadline's lines for event 'e' and its request list 'l' (decision 0052: the daemon
   * gives the instant and whether requests are open). */
  function deadlineLines(e, l) {
    const at = l && l.requests_close_at;
    if (!at) return h("div", { class: "deadline open", "data-open": "true" }, h("p", { text: t("requests.deadline.none") }));
    const tz = e.time_zone || "UTC";
    /* A date closes at the end of that day: the day of the minute before the instant. */
    const when = isDate(l.request_deadline)
      ? t("requests.when.end", { date: tavolo.fmt.date(new Date(Date.parse(at) - 60000).toISOString(), tz) })
      : t("requests.when.at", { date: tavolo.fmt.date(at, tz), time: tavolo.fmt.time(at, tz) });
    const vars = { when, place: e.city || e.name || e.id, zone: tz, rel: relative(Date.parse(at) - Date.now()) };
    const open = l.requests_open !== false;
    const box = h("div", { class: "deadline " + (open ? "open" : "closed"), "data-open": String(open) },
      h("p", { class: "deadline-event", text: t(open ? "requests.deadline.open" : "requests.deadline.closed", vars) }));
    const mine = tavolo.viewerZone();
    if (mine !== tz) {
      box.append(h("p", { class: "deadline-yours muted", text: t("requests.deadline.yours",
        { zone: mine, date: tavolo.fmt.date(at, mine), time: tavolo.fmt.time(at, mine) }) }));
    }
    return box;
  }

  function nameOf(id, found) {
    return found && found.name ? found.name : t("requests.unknown_name", { id });
  }

  function stateWords(q, received) {
    if (q.status === "pending") return t(received ? "requests.state.pending.received" : "requests.state.pending.sent");
    return t("requests.state." + q.status);
  }

  /* ---- the inbox ---- */

  /* When a request was asked and, once it was, answered (or expired), in the viewer's zone. */
  function whenLine(q) {
    const stamp = (key, iso) => {
      const at = h("time", { datetime: iso, text: tavolo.fmt.dateTime(iso) });
      const [before, after] = t(key, { when: "\u0000" }).split("\u0000");
      return [before, at, after || ""];
    };
    const line = h("p", { class: "when muted" });
    if (q.created_at) line.append(...stamp("requests.asked", q.created_at));
    if (q.decided_at && q.status !== "pending") line.append(" · ", ...stamp("requests.decided." + q.status, q.decided_at));
    return line;
  }

  /* One request's row; rebuilt in place after an answer. */
  function requestRow(ctx, s, e, q) {
    const other = OTHER[ctx.profile.kind];
    const received = q.from !== ctx.profile.kind;
    const name = s.nameText.get(other + ":" + q[other + "_id"]);
    const open = s.lists[e.id].requests_open !== false;
    const status = h("p", { id: "request-status-" + q.id, class: "status", tabindex: "-1", hidden: true });
    const li = h("li", { class: "request", id: "request-" + q.id, "data-id": q.id, "data-state": q.status },
      h("p", { class: "who" }, h("span", { class: "muted", text: t(received ? "requests.from" : "requests.to") + " " }),
        h("strong", { class: "name", text: name })),
      h("p", { class: "priority priority-" + q.priority },
        h("span", { class: "muted", text: t("requests.priority.label") + " " }), t("requests.priority." + q.priority)),
      q.message
        ? h("blockquote", { class: "message" }, h("span", { class: "visually-hidden", text: t("requests.message.label") + " " }), h("span", { class: "text", text: q.message }))
        : h("p", { class: "message muted", text: t("requests.no_message") }),
      h("p", { class: "state state-" + q.status },
        h("span", { class: "visually-hidden", text: t("requests.state.label") + " " }),
        h("span", { class: "symbol", "aria-hidden": "true", text: SYMBOLS[q.status] || "?" }),
        h("span", { class: "words", text: stateWords(q, received) })),
      whenLine(q));
    if (received && q.status === "pending" && open && !s.locked.has(q.id)) li.append(answerButtons(ctx, s, e, q, name));
    else if (received && q.status === "pending") li.append(h("p", { class: "muted", text: t("requests.too_late") }));
    li.append(status);
    const kept = s.rowStatus[q.id];
    if (kept) tavolo.showStatus(status, kept.kind, kept.key, kept.vars);
    return li;
  }

  function answerButtons(ctx, s, e, q, name) {
    const box = h("div", { class: "answer" });
    for (const verb of ["accept", "decline"]) {
      box.append(h("button", {
        type: "button", class: verb === "accept" ? "accept" : "decline secondary",
        "aria-label": t("requests." + verb + "_label", { name }), text: t("requests." + verb),
        onclick: () => answer(ctx, s, e, q, verb, name, box),
      }));
    }
    return box;
  }

  /* The words for a refused answer or request that every form shares. */
  function refusal(res) {
    if (res.status === 403) return ["requests.forbidden", { detail: (res.body && res.body.detail) || "" }];
    if (res.status === 401) return ["requests.signed_out", {}];
    return null;
  }

  /* Accept or decline: one click, the row updated in place with a status line saying what
   * happened; a refusal is said in words next to the row. */
  async function answer(ctx, s, e, q, verb, name, box) {
    for (const b of box.querySelectorAll("button")) b.disabled = true;
    const status = document.getElementById("request-status-" + q.id);
    tavolo.showStatus(status, "ok", "requests.answering");
    const res = await tavolo.api("POST", "/v1/events/" + encodeURIComponent(e.id) + "/requests/" + encodeURIComponent(q.id) + "/" + verb);
    if (res.ok) {
      q.status = res.body && res.body.status ? String(res.body.status) : verb === "accept" ? "accepted" : "declined";
      q.decided_at = res.body && res.body.decided_at ? String(res.body.decided_at) : null;
      s.rowStatus[q.id] = { kind: "ok", key: "requests.answered." + q.status, vars: { name } };
    } else if (res.status === 409 || res.status === 403 || res.status === 401) {
      s.locked.add(q.id); /* no use in clicking again */
      const r = refusal(res);
      s.rowStatus[q.id] = r ? { kind: "error", key: r[0], vars: r[1] } : { kind: "error", key: "requests.closed_answer", vars: {} };
    } else {
      s.rowStatus[q.id] = res.status === 0
        ? { kind: "error", key: "network", vars: {} }
        : { kind: "error", key: "error.status", vars: { status: res.status, detail: (res.body && res.body.detail) || "" } };
    }
    const old = document.getElementById("request-" + q.id);
    const row = requestRow(ctx, s, e, q);
    old.replaceWith(row);
    document.getElementById("request-status-" + q.id).focus();
  }

  /* Received first with the pending ones on top, then sent; newest first within each. */
  function inbox(ctx, s, e) {
    const items = (s.lists[e.id].items || []).slice().sort((a, b) => b.id - a.id);
    const received = items.filter((q) => q.from !== ctx.profile.kind);
    received.sort((a, b) => (a.status === "pending" ? 0 : 1) - (b.status === "pending" ? 0 : 1));
    const sent = items.filter((q) => q.from === ctx.profile.kind);
    const part = (key, none, list, which) => [
      h("h3", { text: t(key) + " (" + tavolo.fmt.number(list.length) + ")" }),
      list.length
        ? h("ul", { class: "requests " + which }, list.map((q) => requestRow(ctx, s, e, q)))
        : h("p", { class: "muted empty", text: t(none) }),
    ];
    return h("section", { class: "card event-requests", id: "event-" + e.id, "aria-labelledby": "event-title-" + e.id },
      h("h2", { id: "event-title-" + e.id, text: String(e.name || e.id) }),
      e.city ? h("p", { class: "muted", text: String(e.city) }) : null,
      deadlineLines(e, s.lists[e.id]),
      part("requests.received", "requests.none_received", received, "received"),
      part("requests.sent", "requests.none_sent", sent, "sent"));
  }

  /* ---- asking ---- */

  function count(text) {
    return [...text].length;
  }

  function updateCount(area, counter) {
    const n = count(area.value);
    const over = n - MESSAGE_MAX;
    counter.textContent = over > 0
      ? t("requests.ask.over", { n: tavolo.fmt.number(n), max: MESSAGE_MAX, over: tavolo.fmt.number(over) })
      : t("requests.ask.count", { n: tavolo.fmt.number(n), max: MESSAGE_MAX });
    counter.classList.toggle("over", over > 0);
  }

  /* Shows 'key' next to the field whose error line is 'id' (and marks the field invalid). */
  function fieldError(id, field, key, vars) {
    tavolo.showStatus(id, "error", key, vars);
    if (field) field.setAttribute("aria-invalid", "true");
  }

  function clearErrors(form) {
    for (const el of form.querySelectorAll(".field-error")) tavolo.clearStatus(el);
    for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  }

  /* The event the form asks for: ?event=, else the only one; null when the person must
   * choose. */
  function askEvent(ctx, s) {
    const id = ctx.params.get("event") || "";
    if (id) return s.events.find((e) => e.id === id) || { missing: id };
    return s.events.length === 1 ? s.events[0] : null;
  }

  /* What stops a request before the form, as [key, vars], or null. */
  function askBlocked(ctx, s, e, other, id, found) {
    if (!found.name && found.status === 404) return ["requests.ask.unknown", { kind: t("kind." + other).toLowerCase(), id }];
    if (!found.name) return ["requests.ask.not_other", { status: found.status }];
    if (e && e.missing) return ["requests.ask.no_event", { event: e.missing }];
    if (!e) return null;
    const q = (s.lists[e.id].items || []).find((x) => x[other + "_id"] === id);
    if (q) return ["requests.ask.exists", { name: found.name, state: stateWords(q, q.from !== ctx.profile.kind) }];
    if (s.lists[e.id].requests_open === false) return ["requests.ask.closed", {}];
    return null;
  }

  function askSection(ctx, s) {
    const other = OTHER[ctx.profile.kind];
    const id = ctx.params.get("ask");
    const section = h("section", { class: "card ask", id: "ask", "aria-labelledby": "ask-title" },
      h("h2", { id: "ask-title", text: t("requests.ask.title") }));
    const found = s.nameFound.get(other + ":" + id) || { status: 0, name: null };
    const e = askEvent(ctx, s);
    section.append(h("p", { class: "ask-with" }, h("span", { class: "muted", text: t("requests.ask.with") + " " }),
      h("strong", { id: "ask-name", text: found.name || id }), h("span", { class: "kind", text: t("kind." + other) })));
    if (s.sent && s.sent.key === other + ":" + id) {
      const done = h("p", { id: "ask-status", tabindex: "-1" });
      section.append(done);
      tavolo.showStatus(done, "ok", "requests.ask.sent", { name: found.name || id });
      return section;
    }
    const blocked = askBlocked(ctx, s, e, other, id, found);
    if (blocked) {
      section.append(h("p", { id: "ask-status", class: "status error", role: "alert", "data-kind": "error", text: t(blocked[0], blocked[1]) }));
      return section;
    }
    section.append(askForm(ctx, s, e, other, id, found.name));
    return section;
  }

  /* Without ?event= and with several events, the person chooses; the choice is checked by the
   * API (already asked, deadline passed: a 409 said in words). */
  function eventPicker(s) {
    const select = h("select", { id: "ask-event", name: "event", "aria-describedby": "ask-event-error" },
      h("option", { value: "", text: t("requests.ask.choose_event") }),
      s.events.map((x) => h("option", { value: x.id, selected: s.draft.event === x.id, text: String(x.name || x.id) })));
    return h("div", { class: "field" }, h("label", { for: "ask-event", text: t("requests.ask.event") }), select,
      h("p", { id: "ask-event-error", class: "status field-error", hidden: true }));
  }

  function priorityField(draft) {
    const radio = (value) => h("div", { class: "choice" },
      h("input", { type: "radio", id: "ask-" + value, name: "priority", value, checked: draft.priority === value,
        "aria-describedby": value === "must" ? "ask-must-hint" : null }),
      h("label", { for: "ask-" + value, text: t("requests.priority." + value) }));
    return h("fieldset", { class: "priority", "aria-describedby": "ask-priority-error" },
      h("legend", { text: t("requests.ask.priority") }),
      radio("must"),
      h("p", { id: "ask-must-hint", class: "hint muted", text: t("requests.ask.must_hint") }),
      radio("want"),
      h("p", { id: "ask-priority-error", class: "status field-error", hidden: true }));
  }

  function askForm(ctx, s, e, other, id, name) {
    const draft = s.draft || (s.draft = { priority: "want", message: "", event: e ? e.id : "" });
    const area = h("textarea", { id: "ask-message", name: "message", rows: "4", "aria-describedby": "ask-count ask-message-error" });
    area.value = draft.message;
    const counter = h("p", { id: "ask-count", class: "count muted" });
    const form = h("form", { id: "ask-form", novalidate: true },
      !e ? eventPicker(s) : [h("p", { class: "ask-at" },
        h("span", { class: "muted", text: t("requests.ask.event") + ": " }), h("strong", { text: String(e.name || e.id) })),
      deadlineLines(e, s.lists[e.id])],
      h("p", { id: "ask-with-error", class: "status field-error", hidden: true }),
      priorityField(draft),
      h("div", { class: "field" }, h("label", { for: "ask-message", text: t("requests.ask.message") }), area, counter,
        h("p", { id: "ask-message-error", class: "status field-error", hidden: true })),
      h("button", { id: "ask-send", type: "submit", text: t("requests.ask.send") }),
      h("p", { id: "ask-status", class: "status", tabindex: "-1", hidden: true }));
    updateCount(area, counter);
    area.addEventListener("input", () => {
      draft.message = area.value;
      updateCount(area, counter);
      /* An error about the length goes once the message fits again. */
      if (area.getAttribute("aria-invalid") && count(area.value) <= MESSAGE_MAX) {
        area.removeAttribute("aria-invalid");
        tavolo.clearStatus("ask-message-error");
      }
    });
    form.addEventListener("change", (ev) => {
      if (ev.target.name === "priority") draft.priority = ev.target.value;
      if (ev.target.name === "event") draft.event = ev.target.value;
    });
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      send(ctx, s, form, other, id, name);
    });
    return form;
  }

  /* Checks the form in the page first (nothing is sent when a field is wrong), then posts it;
   * the API's refusals are shown next to the field they name. */
  async function send(ctx, s, form, other, id, name) {
    const draft = s.draft;
    const area = form.querySelector("#ask-message");
    clearErrors(form);
    tavolo.clearStatus("ask-status");
    const eventId = draft.event;
    if (!eventId) return fieldError("ask-event-error", form.querySelector("#ask-event"), "requests.ask.pick_event");
    if (count(area.value) > MESSAGE_MAX) {
      fieldError("ask-message-error", area, "requests.ask.too_long", { max: MESSAGE_MAX, n: count(area.value) });
      return area.focus();
    }
    const list = s.lists[eventId];
    const button = form.querySelector("#ask-send");
    button.disabled = true;
    tavolo.showStatus("ask-status", "ok", "requests.ask.sending");
    const body = { priority: draft.priority, message: area.value };
    body[ctx.profile.kind + "_id"] = ctx.profile.id;
    body[other + "_id"] = id;
    const res = await tavolo.api("POST", "/v1/events/" + encodeURIComponent(eventId) + "/requests", body);
    button.disabled = false;
    if (res.ok) {
      list.items = (list.items || []).concat([res.body]);
      s.sent = { key: other + ":" + id };
      s.draft = null;
      await ctx.rerender();
      const done = document.getElementById("ask-status");
      if (done) done.focus();
      return;
    }
    showSendError(form, res, name);
  }

  function showSendError(form, res, name) {
    const fields = tavolo.fieldErrors(res);
    const r = refusal(res);
    if (fields["/message"] !== undefined) fieldError("ask-message-error", form.querySelector("#ask-message"), "requests.ask.too_long", { max: MESSAGE_MAX, n: count(form.querySelector("#ask-message").value) });
    else if (fields["/priority"] !== undefined) fieldError("ask-priority-error", null, "requests.ask.bad_priority");
    else if (fields["/company_id"] !== undefined || fields["/investor_id"] !== undefined) fieldError("ask-with-error", null, "requests.ask.not_participant", { name });
    else if (res.status === 409 && /request_deadline/.test((res.body && res.body.detail) || "")) tavolo.showStatus("ask-status", "error", "requests.ask.closed_now");
    else if (res.status === 409) tavolo.showStatus("ask-status", "error", "requests.ask.already", { name });
    else if (r) tavolo.showStatus("ask-status", "error", r[0], r[1]);
    else if (res.status === 0) tavolo.showStatus("ask-status", "error", "network");
    else tavolo.showStatus("ask-status", "error", "error.status", { status: res.status, detail: (res.body && res.body.detail) || "" });
    const first = form.querySelector(".field-error:not([hidden])") || document.getElementById("ask-status");
    if (first) first.focus();
  }

  /* ---- the page ---- */

  function fromMatches() {
    return h("p", { class: "from-matches" }, t("requests.from_matches") + " ",
      h("a", { href: tavolo.href("/matches"), text: t("requests.to_matches") }));
  }

  /* Events with requests waiting for this profile's answer first, then those with any
   * requests, then the rest, each group in the API's order: on a phone what needs doing is
   * on top. */
  function ordered(ctx, s) {
    const rank = (e) => {
      const items = s.lists[e.id].items || [];
      if (items.some((q) => q.from !== ctx.profile.kind && q.status === "pending")) return 0;
      return items.length ? 1 : 2;
    };
    return s.events.map((e, i) => [rank(e), i, e]).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((x) => x[2]);
  }

  /* Everything goes in one element of class requests-page: requests.css is linked on every
   * page, so its rules are scoped to it. */
  async function render(ctx) {
    const s = store(ctx);
    const root = h("div", { class: "requests-page" });
    ctx.root.append(root);
    ctx.rerender = async () => {
      root.replaceChildren();
      await draw(ctx, s, root);
    };
    if (!s.loaded) {
      const wait = h("p", { class: "muted", text: t("requests.loading") });
      root.append(h("h1", { text: t("requests.title") }), wait);
      const failed = await load(ctx, s);
      root.replaceChildren();
      if (failed) {
        root.append(h("h1", { text: t("requests.title") }),
          h("p", { class: "status error", role: "alert", "data-kind": "error", text: tavolo.problemText(failed) }));
        return;
      }
    }
    await draw(ctx, s, root);
  }

  async function draw(ctx, s, root) {
    s.locked = s.locked || new Set();
    s.nameFound = new Map();
    s.nameText = new Map();
    for (const [key, p] of s.names) {
      const found = await p;
      s.nameFound.set(key, found);
      s.nameText.set(key, nameOf(key.slice(key.indexOf(":") + 1), found));
    }
    root.append(h("h1", { text: t("requests.title") }));
    root.append(ctx.params.get("ask") ? askSection(ctx, s) : fromMatches());
    if (!s.events.length) {
      root.append(h("p", { class: "card", text: t("requests.no_events") }));
      return;
    }
    for (const e of ordered(ctx, s)) root.append(inbox(ctx, s, e));
  }

  tavolo.page("/requests", { title: "requests.title", render });
})();
