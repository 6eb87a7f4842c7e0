/* The organisers' schedule grid (issue 17, docs/web.md "The schedule grid"): one day at a time,
 * slots down and tables across, each meeting a card with both names, pinned ones marked. A
 * card opens its panel: move it to one of the free places the server computes for the pair
 * (GET .../meetings/{mid}/places: no guessing), pin or unpin it, mark it held or no-show, or
 * cancel it; every refusal is said in words, naming the clash. A card can also be dragged onto
 * one of the same places, highlighted on the grid while it is dragged, which sends the same
 * PATCH. Reads the overview (names, slots, tables) and the meetings; writes with PATCH
 * .../meetings/{mid}. */
"use strict";

(() => {
  const { h, t } = tavolo;

  tavolo.addMessages({
    en: {
      "schedule.title": "Schedule",
      "schedule.loading": "Loading the schedule…",
      "schedule.days": "Days",
      "schedule.table": "Table {n}",
      "schedule.slot": "Time",
      "schedule.empty": "free",
      "schedule.pinned": "pinned",
      "schedule.count": "{n} meetings on this day",
      "schedule.panel": "Meeting {id}",
      "schedule.where": "{slot}, table {table}",
      "schedule.state.scheduled": "Scheduled",
      "schedule.state.held": "Held",
      "schedule.state.no_show": "No-show",
      "schedule.state.cancelled": "Cancelled",
      "schedule.move": "Move to…",
      "schedule.places_loading": "Finding the free places…",
      "schedule.places_none": "No free place: both sides are busy or unavailable in every other slot.",
      "schedule.place_label": "Free places for this pair",
      "schedule.place": "{slot} · table {table}",
      "schedule.move_go": "Move here",
      "schedule.drop_here": "drop here",
      "schedule.outcomes": "What came of it",
      "schedule.outcomes_loading": "Reading the answers…",
      "schedule.outcome.none": "Neither side has answered yet.",
      "schedule.outcome.side.company": "The company",
      "schedule.outcome.side.investor": "The investor",
      "schedule.outcome.side.organiser": "The organisers",
      "schedule.outcome.held": "held",
      "schedule.outcome.no_show": "no-show",
      "schedule.outcome.follow_up": "follow-up wanted",
      "schedule.outcome.no_follow_up": "no follow-up",
      "schedule.step.second_meeting": "second meeting",
      "schedule.step.nda": "NDA",
      "schedule.step.due_diligence": "due diligence",
      "schedule.step.term_sheet": "term sheet",
      "schedule.step.investment": "investment",
      "schedule.step.partnership": "partnership",
      "schedule.step.none": "no further step",
      "schedule.table_pages": "Tables shown",
      "schedule.tables_range": "Tables {from}–{to}",
      "schedule.fit": "fit {fit}/100",
      "schedule.drag.hint": "{n} free places shown, {other} on other days or tables (Move to… in the card's panel lists them all). Drop the meeting on a highlighted one; Escape cancels.",
      "schedule.pin": "Pin",
      "schedule.unpin": "Unpin",
      "schedule.held": "Mark held",
      "schedule.no_show": "Mark no-show",
      "schedule.cancel": "Cancel the meeting",
      "schedule.cancel_confirm": "Cancel the meeting of {company} and {investor}? They will be told.",
      "schedule.saving": "Saving…",
      "schedule.saved": "Saved: {what}.",
      "schedule.refused": "Refused (error {status}): {detail}",
      "schedule.close": "Close",
      "schedule.draft.title": "Draft schedule",
      "schedule.draft.none": "No draft. A draft is a scheduler run kept apart: participants see nothing of it until it is published.",
      "schedule.draft.make": "Make a draft schedule",
      "schedule.draft.making": "Running the scheduler…",
      "schedule.draft.made": "Draft made {when}: {meetings} meetings.",
      "schedule.draft.summary": "Publishing it adds {added}, moves {moved} and cancels {cancelled} meetings.",
      "schedule.draft.added": "Added",
      "schedule.draft.moved": "Moved",
      "schedule.draft.cancelled": "Cancelled",
      "schedule.draft.from_to": "{from} → {to}",
      "schedule.draft.more": "… and {n} more",
      "schedule.draft.publish": "Publish",
      "schedule.draft.discard": "Discard",
      "schedule.draft.publish_confirm": "Publish the draft? Participants are told of their changes.",
      "schedule.draft.published": "Published: {n} meetings. Participants are told of their changes.",
      "schedule.draft.discarded": "The draft was discarded.",
    },
    it: {
      "schedule.title": "Agenda incontri",
      "schedule.loading": "Caricamento dell'agenda…",
      "schedule.days": "Giorni",
      "schedule.table": "Tavolo {n}",
      "schedule.slot": "Ora",
      "schedule.empty": "libero",
      "schedule.pinned": "fissato",
      "schedule.count": "{n} incontri in questo giorno",
      "schedule.panel": "Incontro {id}",
      "schedule.where": "{slot}, tavolo {table}",
      "schedule.state.scheduled": "In agenda",
      "schedule.state.held": "Avvenuto",
      "schedule.state.no_show": "Assenza",
      "schedule.state.cancelled": "Annullato",
      "schedule.move": "Sposta in…",
      "schedule.places_loading": "Ricerca dei posti liberi…",
      "schedule.places_none": "Nessun posto libero: le due parti sono occupate o non disponibili in ogni altra fascia.",
      "schedule.place_label": "Posti liberi per questa coppia",
      "schedule.place": "{slot} · tavolo {table}",
      "schedule.move_go": "Sposta qui",
      "schedule.drop_here": "rilasci qui",
      "schedule.outcomes": "Che cosa ne è venuto",
      "schedule.outcomes_loading": "Lettura delle risposte…",
      "schedule.outcome.none": "Nessuna delle due parti ha ancora risposto.",
      "schedule.outcome.side.company": "L'azienda",
      "schedule.outcome.side.investor": "L'investitore",
      "schedule.outcome.side.organiser": "Gli organizzatori",
      "schedule.outcome.held": "svolto",
      "schedule.outcome.no_show": "assenza",
      "schedule.outcome.follow_up": "seguito richiesto",
      "schedule.outcome.no_follow_up": "nessun seguito",
      "schedule.step.second_meeting": "secondo incontro",
      "schedule.step.nda": "NDA",
      "schedule.step.due_diligence": "due diligence",
      "schedule.step.term_sheet": "term sheet",
      "schedule.step.investment": "investimento",
      "schedule.step.partnership": "partnership",
      "schedule.step.none": "nessun altro passo",
      "schedule.table_pages": "Tavoli mostrati",
      "schedule.tables_range": "Tavoli {from}–{to}",
      "schedule.fit": "affinità {fit}/100",
      "schedule.drag.hint": "{n} posti liberi mostrati, {other} in altri giorni o tavoli (Sposta in… nel pannello dell'incontro li elenca tutti). Rilasci l'incontro su uno evidenziato; Esc annulla.",
      "schedule.pin": "Fissa",
      "schedule.unpin": "Sblocca",
      "schedule.held": "Segna avvenuto",
      "schedule.no_show": "Segna assenza",
      "schedule.cancel": "Annulla l'incontro",
      "schedule.cancel_confirm": "Annullare l'incontro tra {company} e {investor}? Saranno avvisati.",
      "schedule.saving": "Salvataggio…",
      "schedule.saved": "Salvato: {what}.",
      "schedule.refused": "Rifiutato (errore {status}): {detail}",
      "schedule.close": "Chiudi",
      "schedule.draft.title": "Bozza dell'agenda",
      "schedule.draft.none": "Nessuna bozza. Una bozza è un'esecuzione dello scheduler tenuta a parte: i partecipanti non ne vedono nulla finché non è pubblicata.",
      "schedule.draft.make": "Prepara una bozza",
      "schedule.draft.making": "Esecuzione dello scheduler…",
      "schedule.draft.made": "Bozza preparata {when}: {meetings} incontri.",
      "schedule.draft.summary": "Pubblicarla aggiunge {added}, sposta {moved} e annulla {cancelled} incontri.",
      "schedule.draft.added": "Aggiunti",
      "schedule.draft.moved": "Spostati",
      "schedule.draft.cancelled": "Annullati",
      "schedule.draft.from_to": "{from} → {to}",
      "schedule.draft.more": "… e altri {n}",
      "schedule.draft.publish": "Pubblica",
      "schedule.draft.discard": "Scarta",
      "schedule.draft.publish_confirm": "Pubblicare la bozza? I partecipanti saranno avvisati dei loro cambiamenti.",
      "schedule.draft.published": "Pubblicata: {n} incontri. I partecipanti saranno avvisati dei loro cambiamenti.",
      "schedule.draft.discarded": "La bozza è stata scartata.",
    },
  });

  function eventPath(ctx) {
    return "/v1/events/" + encodeURIComponent(String(ctx.profile.id));
  }

  /* The overview (names, slots, tables), the meetings and the draft (null when none), kept
   * across renders. */
  async function load(ctx, s) {
    const [o, m, d] = await Promise.all([
      tavolo.api("GET", eventPath(ctx) + "/overview"),
      tavolo.api("GET", eventPath(ctx) + "/meetings"),
      tavolo.api("GET", eventPath(ctx) + "/draft"),
    ]);
    if (!o.ok || !m.ok || !o.body || !Array.isArray(o.body.slots) || !m.body || !Array.isArray(m.body.items))
      return !o.ok ? o : m;
    if (!d.ok && d.status !== 404) return d;
    s.overview = o.body;
    s.meetings = m.body.items;
    s.draft = d.ok ? d.body : null;
    s.names = new Map(o.body.participants.map((p) => [p.kind + ":" + p.id, p.name]));
    if (!(s.tablePage >= 0 && s.tablePage * TABLES_SHOWN < o.body.tables)) s.tablePage = 0;
    return null;
  }

  /* Reads the draft again (null, or the failed answer). */
  async function loadDraft(ctx, s) {
    const d = await tavolo.api("GET", eventPath(ctx) + "/draft");
    if (!d.ok && d.status !== 404) return d;
    s.draft = d.ok ? d.body : null;
    return null;
  }

  /* "lunedì 11 gennaio 09:30" of a local slot name. */
  function slotWords(slot) {
    return tavolo.fmt.day(slot.slice(0, 10)) + " " + timeOf(slot);
  }

  const SHOWN = 20; /* changes listed per kind; the rest counted */

  function changeList(s, key, items) {
    if (!items.length) return null;
    const place = (p) => t("schedule.where", { slot: slotWords(p.slot), table: p.table });
    return h("div", { class: "changes", "data-kind": key },
      h("h3", { text: t("schedule.draft." + key) + " (" + tavolo.fmt.number(items.length) + ")" }),
      h("ul", null, items.slice(0, SHOWN).map((c) => h("li", null,
        h("strong", { text: nameOf(s, "company", c.company_id) + " · " + nameOf(s, "investor", c.investor_id) }), " ",
        h("span", { class: "muted", text: key === "moved" ? t("schedule.draft.from_to", { from: place(c.from), to: place(c.to) })
          : place(key === "added" ? c.to : c.from) })))),
      items.length > SHOWN ? h("p", { class: "muted", text: t("schedule.draft.more", { n: items.length - SHOWN }) }) : null);
  }

  /* Makes, publishes or discards the draft; the page is read again after it. */
  async function draftAction(ctx, s, method, path, status, done) {
    tavolo.showStatus(status, "ok", method === "POST" && path.includes("schedule") ? "schedule.draft.making" : "schedule.saving");
    const res = await tavolo.api(method, eventPath(ctx) + path);
    if (!res.ok) {
      tavolo.showStatus(status, "error", "schedule.refused", { status: res.status, detail: (res.body && res.body.detail) || "" });
      return;
    }
    const err = await load(ctx, s);
    s.draftSaid = err ? null : done(res);
    s.open = null;
    draw(ctx, s);
  }

  function draftCard(ctx, s) {
    const d = s.draft;
    const status = h("p", { id: "draft-status", class: "status", hidden: true });
    const box = h("section", { id: "schedule-draft", class: "card draft", "aria-labelledby": "draft-title" },
      h("h2", { id: "draft-title", text: t("schedule.draft.title") }));
    if (!d) {
      box.append(h("p", { class: "muted", text: t("schedule.draft.none") }),
        h("button", { type: "button", id: "draft-make", text: t("schedule.draft.make"),
          onclick: () => draftAction(ctx, s, "POST", "/schedule?draft=true", status, () => null) }));
    } else {
      const c = d.changes;
      box.append(
        h("p", { text: t("schedule.draft.made", { when: tavolo.fmt.dateTime(d.created_at), meetings: tavolo.fmt.number(d.meetings) }) }),
        h("p", { id: "draft-summary", text: t("schedule.draft.summary", {
          added: tavolo.fmt.number(c.added.length), moved: tavolo.fmt.number(c.moved.length), cancelled: tavolo.fmt.number(c.cancelled.length) }) }),
        changeList(s, "added", c.added) || "", changeList(s, "moved", c.moved) || "", changeList(s, "cancelled", c.cancelled) || "",
        h("div", { class: "actions" },
          h("button", { type: "button", id: "draft-publish", text: t("schedule.draft.publish"),
            onclick: () => {
              if (window.confirm(t("schedule.draft.publish_confirm")))
                draftAction(ctx, s, "POST", "/draft/publish", status, (res) => ({ key: "schedule.draft.published", vars: { n: res.body.published } }));
            } }),
          h("button", { type: "button", id: "draft-discard", class: "secondary", text: t("schedule.draft.discard"),
            onclick: () => draftAction(ctx, s, "DELETE", "/draft", status, () => ({ key: "schedule.draft.discarded", vars: {} })) })));
    }
    box.append(status);
    if (s.draftSaid) tavolo.showStatus(status, "ok", s.draftSaid.key, s.draftSaid.vars);
    s.draftSaid = null;
    return box;
  }

  function nameOf(s, kind, id) {
    return s.names.get(kind + ":" + id) || id;
  }

  /* "09:30" of a local slot name "2027-01-11T09:30". */
  function timeOf(slot) {
    return slot.slice(11, 16);
  }

  function card(ctx, s, m) {
    const label = nameOf(s, "company", m.company_id) + " · " + nameOf(s, "investor", m.investor_id);
    return h("button", {
      type: "button", class: "meeting status-" + m.status + (m.pinned ? " pinned" : ""), draggable: "true",
      "data-id": m.id, "aria-label": label + (typeof m.fit === "number" ? ", " + t("schedule.fit", { fit: m.fit }) : "") +
        (m.pinned ? " (" + t("schedule.pinned") + ")" : ""),
      onclick: () => { s.open = m.id; draw(ctx, s); },
    },
    h("span", { class: "company", text: nameOf(s, "company", m.company_id) }),
    h("span", { class: "investor", text: nameOf(s, "investor", m.investor_id) }),
    typeof m.fit === "number" ? h("span", { class: "fit", text: t("schedule.fit", { fit: m.fit }) }) : null,
    m.pinned ? h("span", { class: "pin", text: "◆ " + t("schedule.pinned") }) : null,
    m.status !== "scheduled" ? h("span", { class: "state", text: t("schedule.state." + m.status) }) : null);
  }

  /* A day's grid shows TABLES_SHOWN tables at a time: 600 tables are 9,600 cells a day, which
   * took the browser 3 to 4 s to draw (bench/organiser_pages.sh), and no screen shows them. */
  const TABLES_SHOWN = 40;

  /* The page of tables that holds table 'n'. */
  const tablePageOf = (n) => Math.floor((n - 1) / TABLES_SHOWN);

  /* Buttons for the pages of tables, when there are several. */
  function tablePages(ctx, s) {
    const pages = Math.ceil(s.overview.tables / TABLES_SHOWN);
    if (pages <= 1) return null;
    return h("div", { class: "days table-pages", role: "group", "aria-label": t("schedule.table_pages") },
      Array.from({ length: pages }, (_, k) => h("button", { type: "button", class: "day", "data-page": k,
        "aria-pressed": String(k === s.tablePage),
        text: t("schedule.tables_range", { from: k * TABLES_SHOWN + 1, to: Math.min((k + 1) * TABLES_SHOWN, s.overview.tables) }),
        onclick: () => { s.tablePage = k; draw(ctx, s); } })));
  }

  function grid(ctx, s) {
    const o = s.overview;
    const day = s.day;
    const slots = o.slots.map((name, index) => ({ name, index })).filter((x) => x.name.startsWith(day));
    const at = new Map();
    let count = 0;
    for (const m of s.meetings) {
      if (m.status === "cancelled") continue;
      at.set(m.slot_index + ":" + m.table, m);
      if (o.slots[m.slot_index] && o.slots[m.slot_index].startsWith(day)) count++;
    }
    const first = s.tablePage * TABLES_SHOWN;
    const tables = Array.from({ length: Math.min(TABLES_SHOWN, o.tables - first) }, (_, k) => first + k + 1);
    return h("div", null,
      h("p", { id: "schedule-count", class: "muted", text: t("schedule.count", { n: tavolo.fmt.number(count) }) }),
      tablePages(ctx, s),
      h("div", { class: "scroll" },
        h("table", { class: "schedule-grid", ondragstart: (e) => dragStart(ctx, s, e), ondragenter: (e) => dragOver(s, e),
          ondragover: (e) => dragOver(s, e), ondrop: (e) => drop(ctx, s, e), ondragend: () => endDrag(s) },
          h("thead", null, h("tr", null, h("th", { scope: "col", text: t("schedule.slot") }),
            tables.map((n) => h("th", { scope: "col", text: t("schedule.table", { n }) })))),
          h("tbody", null, slots.map((x) => h("tr", { "data-slot": x.name },
            h("th", { scope: "row", text: timeOf(x.name) }),
            tables.map((n) => {
              const m = at.get(x.index + ":" + n);
              return h("td", { "data-table": n }, m ? card(ctx, s, m) : h("span", { class: "free muted", text: t("schedule.empty") }));
            })))))),
      h("p", { id: "grid-status", class: "status", hidden: true }));
  }

  /* Sends a change of meeting 'm' and reads the grid again; 'status' (the panel's status line
   * or the grid's) says what happened, across the redraw. A 409 (the place was taken or became
   * impossible meanwhile) also reads the grid again: the one shown is out of date. */
  async function change(ctx, s, m, body, what, status) {
    tavolo.showStatus(status, "ok", "schedule.saving");
    const path = eventPath(ctx) + "/meetings/" + encodeURIComponent(m.id);
    let res;
    /* Held or no-show of a meeting that has begun is an outcome the organisers record (decision
     * 0067): kept with who and when, and the meeting's status set with it. */
    if (body.status && (body.status === "held" || body.status === "no_show") && new Date(m.slot) <= new Date()) {
      res = await tavolo.api("POST", path + "/outcomes", { held: body.status === "held" });
      if (res.ok) res = await tavolo.api("GET", path);
    } else {
      res = await tavolo.api("PATCH", path, body);
    }
    if (!res.ok) {
      const vars = { status: res.status, detail: (res.body && res.body.detail) || "" };
      if (res.status !== 409 || (await load(ctx, s))) {
        tavolo.showStatus(status, "error", "schedule.refused", vars);
        return;
      }
      s.said = { at: status.id, kind: "error", key: "schedule.refused", vars };
      draw(ctx, s);
      return;
    }
    /* The answer is the meeting as saved: the grid takes it in place of reading every meeting
     * again (0.6 to 1.6 s at 27,000 meetings); a draft is read again, its changes now differ. */
    const saved = res.body && res.body.id !== undefined ? res.body : null;
    const at = saved ? s.meetings.findIndex((x) => x.id === saved.id) : -1;
    let err = null;
    if (at >= 0) {
      s.meetings[at] = Object.assign({}, s.meetings[at], saved);
      if (s.draft) err = await loadDraft(ctx, s);
    } else {
      err = await load(ctx, s);
    }
    s.places = null;
    s.said = err ? null : { at: status.id, kind: "ok", key: "schedule.saved", vars: { what } };
    if (saved && saved.slot_index !== undefined) {
      const slot = s.overview.slots[saved.slot_index];
      if (slot) s.day = slot.slice(0, 10);
      if (saved.table) s.tablePage = tablePageOf(saved.table);
    }
    draw(ctx, s);
  }

  /* The free places the server computes for meeting 'm' (GET .../places), one {slot, table}
   * each, in the API's order; {error: res} when it did not answer them. The panel's list and
   * the cells highlighted while a card is dragged both come from here. */
  async function freePlaces(ctx, m) {
    const res = await tavolo.api("GET", eventPath(ctx) + "/meetings/" + encodeURIComponent(m.id) + "/places");
    if (!res.ok || !res.body || !Array.isArray(res.body.places)) return { error: res };
    const places = [];
    for (const p of res.body.places) {
      for (const table of p.tables) places.push({ slot: p.slot, table });
    }
    return { places };
  }

  function placesRefused(status, res) {
    tavolo.showStatus(status, "error", "schedule.refused", { status: res.status, detail: tavolo.problemText(res) });
  }

  /* Moves meeting 'm' to 'place', one of freePlaces(): the panel's Move here and a drop. */
  function moveTo(ctx, s, m, place, status) {
    const what = t("schedule.where", { slot: place.slot.replace("T", " "), table: place.table });
    return change(ctx, s, m, { slot: place.slot, table: place.table }, what, status);
  }

  async function showPlaces(ctx, s, m, box, status) {
    box.replaceChildren(h("p", { class: "muted", text: t("schedule.places_loading") }));
    const r = await freePlaces(ctx, m);
    if (r.error) {
      box.replaceChildren();
      placesRefused(status, r.error);
      return;
    }
    if (!r.places.length) {
      box.replaceChildren(h("p", { class: "muted", text: t("schedule.places_none") }));
      return;
    }
    const select = h("select", { id: "schedule-place" }, r.places.map((p) => h("option", { value: p.slot + "|" + p.table,
      text: t("schedule.place", { slot: tavolo.fmt.day(p.slot.slice(0, 10)) + " " + timeOf(p.slot), table: p.table }) })));
    box.replaceChildren(
      h("label", { for: "schedule-place", text: t("schedule.place_label") }), select,
      h("button", { type: "button", id: "schedule-move-go", text: t("schedule.move_go"),
        onclick: () => moveTo(ctx, s, m, r.places[select.selectedIndex], status) }));
    select.focus();
  }

  /* ---- moving by drag (HTML5 drag and drop), beside the panel's Move for keyboards: while a
   * card is dragged, the free places of freePlaces() on the day shown are highlighted and are
   * the only drop targets (dragover is cancelled there alone); a drop sends moveTo()'s PATCH.
   * Escape, or a drop anywhere else, ends the drag with no request. s.drag is the drag under
   * way: {m, card, table, offered: Set of "slot|table" once the places are in, timer}. */

  function cellPlace(td) {
    const tr = td ? td.closest("tr[data-slot]") : null;
    return tr && td.dataset.table ? { slot: tr.dataset.slot, table: Number(td.dataset.table) } : null;
  }

  /* The cell of event 'e' when the drag under way may drop there, else null. */
  function offeredCell(s, e) {
    const td = e.target instanceof Element ? e.target.closest("td") : null;
    const p = cellPlace(td);
    return s.drag && s.drag.offered && p && s.drag.offered.has(p.slot + "|" + p.table) ? td : null;
  }

  function dragStart(ctx, s, e) {
    const cardEl = e.target instanceof Element ? e.target.closest("button.meeting") : null;
    const m = cardEl ? s.meetings.find((x) => String(x.id) === cardEl.dataset.id) : null;
    if (!m) return;
    endDrag(s);
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", String(m.id)); /* Firefox drags nothing without data */
    const drag = { m, card: cardEl, table: e.currentTarget, offered: null };
    s.drag = drag;
    /* Marked after the drag has begun: Chromium ends a drag whose page changes in dragstart,
     * and the drag image stays the card as it was. */
    drag.timer = setTimeout(() => {
      drag.table.classList.add("dragging");
      drag.card.classList.add("dragged");
      tavolo.showStatus("grid-status", "ok", "schedule.places_loading");
    }, 0);
    freePlaces(ctx, m).then((r) => { if (s.drag === drag) markPlaces(s, drag, r); });
  }

  function markPlaces(s, drag, r) {
    if (r.error) {
      endDrag(s);
      placesRefused("grid-status", r.error);
      return;
    }
    drag.offered = new Set(r.places.map((p) => p.slot + "|" + p.table));
    let here = 0;
    for (const td of drag.table.querySelectorAll("tbody td")) {
      const p = cellPlace(td);
      const ok = drag.offered.has(p.slot + "|" + p.table);
      td.classList.add(ok ? "drop-target" : "no-drop");
      const free = td.querySelector(".free");
      if (ok && free) free.textContent = t("schedule.drop_here");
      if (ok) here++;
    }
    tavolo.showStatus("grid-status", "ok", "schedule.drag.hint",
      { n: tavolo.fmt.number(here), other: tavolo.fmt.number(r.places.length - here) });
  }

  /* dragenter and dragover: cancelled (a drop allowed) over an offered cell only. */
  function dragOver(s, e) {
    const td = offeredCell(s, e);
    if (s.drag && s.drag.over !== td) {
      if (s.drag.over) s.drag.over.classList.remove("over");
      if (td) td.classList.add("over");
      s.drag.over = td;
    }
    if (!td) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
  }

  function drop(ctx, s, e) {
    const td = offeredCell(s, e);
    if (!td) return; /* not a drop target: the browser does nothing with it */
    e.preventDefault();
    const m = s.drag.m;
    endDrag(s, true);
    moveTo(ctx, s, m, cellPlace(td), document.getElementById("grid-status"));
  }

  /* Ends the drag under way, if any: the marks go, and the drag's status line unless a drop
   * ('dropped') is saying what became of it. */
  function endDrag(s, dropped) {
    const drag = s.drag;
    if (!drag) return;
    s.drag = null;
    clearTimeout(drag.timer);
    drag.table.classList.remove("dragging");
    drag.card.classList.remove("dragged");
    for (const td of drag.table.querySelectorAll("td.drop-target, td.no-drop")) {
      td.classList.remove("drop-target", "no-drop", "over");
      const free = td.querySelector(".free");
      if (free) free.textContent = t("schedule.empty");
    }
    const status = document.getElementById("grid-status");
    if (!dropped && status) tavolo.clearStatus(status);
  }

  function panel(ctx, s) {
    const m = s.meetings.find((x) => x.id === s.open);
    if (!m) return null;
    const status = h("p", { id: "schedule-status", class: "status", hidden: true });
    const places = h("div", { class: "places" });
    const slot = s.overview.slots[m.slot_index] || "";
    const act = (key, body, what) => h("button", { type: "button", class: "secondary", "data-action": key, text: t("schedule." + key),
      onclick: () => change(ctx, s, m, body, what, status) });
    const company = nameOf(s, "company", m.company_id), investor = nameOf(s, "investor", m.investor_id);
    const box = h("section", { id: "schedule-panel", class: "card panel", "aria-labelledby": "schedule-panel-title" },
      h("h2", { id: "schedule-panel-title", tabindex: "-1", text: t("schedule.panel", { id: m.id }) }),
      h("p", null, h("strong", { text: company }), " · ", h("strong", { text: investor })),
      h("p", { class: "muted", text: t("schedule.where", { slot: tavolo.fmt.day(slot.slice(0, 10)) + " " + timeOf(slot), table: m.table }) +
        " · " + t("schedule.state." + m.status) + (m.pinned ? " · ◆ " + t("schedule.pinned") : "") }),
      h("div", { class: "actions" },
        h("button", { type: "button", id: "schedule-move", text: t("schedule.move"), onclick: () => showPlaces(ctx, s, m, places, status) }),
        m.pinned ? act("unpin", { pinned: false }, t("schedule.unpin")) : act("pin", { pinned: true }, t("schedule.pin")),
        act("held", { status: "held" }, t("schedule.held")),
        act("no_show", { status: "no_show" }, t("schedule.no_show")),
        h("button", { type: "button", class: "danger", "data-action": "cancel", text: t("schedule.cancel"),
          onclick: () => {
            if (window.confirm(t("schedule.cancel_confirm", { company, investor })))
              change(ctx, s, m, { status: "cancelled" }, t("schedule.cancel"), status);
          } }),
        h("button", { type: "button", class: "secondary", text: t("schedule.close"), onclick: () => { s.open = null; draw(ctx, s); } })),
      places, status);
    if (new Date(m.slot) <= new Date() && m.status !== "cancelled") box.append(outcomes(ctx, m));
    return box;
  }

  /* What the sides said came of meeting 'm' (issue 18, decision 0067): each side's answer,
   * read when the panel opens; the organisers correct a no-show with Mark held / no-show. */
  function outcomes(ctx, m) {
    const list = h("ul", { id: "schedule-outcomes", class: "outcomes" }, h("li", { class: "muted", text: t("schedule.outcomes_loading") }));
    tavolo.api("GET", eventPath(ctx) + "/meetings/" + encodeURIComponent(m.id) + "/outcomes").then((res) => {
      const sides = res.ok && res.body && res.body.sides ? res.body.sides : null;
      if (!sides) {
        list.replaceChildren(h("li", { class: "status error", text: tavolo.problemText(res) }));
        return;
      }
      const words = (a) => [
        a.held === null ? null : t(a.held ? "schedule.outcome.held" : "schedule.outcome.no_show"),
        a.rating === null ? null : a.rating + "/5",
        a.follow_up === null ? null : t(a.follow_up ? "schedule.outcome.follow_up" : "schedule.outcome.no_follow_up"),
        ...a.next_steps.map((s) => t("schedule.step." + s.kind) + (s.amount_eur ? " " + tavolo.fmt.number(s.amount_eur) + " EUR" : "") +
          (s.date ? " (" + s.date + ")" : "")),
      ].filter(Boolean).join(" · ");
      const rows = ["company", "investor", "organiser"].filter((k) => sides[k]).map((k) => h("li", { "data-side": k },
        h("strong", { text: t("schedule.outcome.side." + k) + ": " }), words(sides[k])));
      list.replaceChildren(...(rows.length ? rows : [h("li", { class: "muted", text: t("schedule.outcome.none") })]));
    });
    return h("div", { class: "outcomes-box" }, h("h3", { text: t("schedule.outcomes") }), list);
  }

  function draw(ctx, s) {
    const o = s.overview;
    const days = [...new Set(o.slots.map((x) => x.slice(0, 10)))];
    if (!days.includes(s.day)) s.day = days[0];
    const root = ctx.root.querySelector(".schedule-page");
    /* The panel takes the focus, unless a drop on the grid is being answered there. */
    const focusPanel = s.open !== null && s.open !== undefined && !(s.said && s.said.at === "grid-status");
    endDrag(s);
    root.replaceChildren(
      h("h1", { text: t("schedule.title") + " · " + o.event.name }),
      h("div", { class: "days", role: "group", "aria-label": t("schedule.days") },
        days.map((d) => h("button", { type: "button", class: "day", "aria-pressed": String(d === s.day), text: tavolo.fmt.day(d),
          onclick: () => { s.day = d; draw(ctx, s); } }))),
      draftCard(ctx, s),
      panel(ctx, s) || "",
      grid(ctx, s));
    if (focusPanel) {
      const title = document.getElementById("schedule-panel-title");
      if (title) title.focus();
    }
    /* What the last change came to, in its status line (the grid's if the panel has gone). */
    if (s.said) {
      const el = document.getElementById(s.said.at) || document.getElementById("grid-status");
      tavolo.showStatus(el, s.said.kind, s.said.key, s.said.vars);
    }
    s.said = null;
  }

  async function render(ctx) {
    const s = ctx.cache.schedule || (ctx.cache.schedule = { open: null, drag: null });
    if (!s.escape) {
      s.escape = (e) => { if (e.key === "Escape") endDrag(s); };
      document.addEventListener("keydown", s.escape);
    }
    ctx.root.append(h("div", { class: "schedule-page" }, h("p", { class: "muted", text: t("schedule.loading") })));
    if (!s.overview || s.overview.event.id !== String(ctx.profile.id)) {
      const err = await load(ctx, s);
      if (err) {
        ctx.root.querySelector(".schedule-page").replaceChildren(h("h1", { text: t("schedule.title") }),
          h("p", { class: "status error", role: "alert", "data-kind": "error", text: tavolo.problemText(err) }));
        return;
      }
    }
    draw(ctx, s);
  }

  tavolo.page("/schedule", { title: "schedule.title", kinds: ["organiser"], render });
})();
