/* The events of the Tour (issue 17, docs/web.md "Events"), for a session acting as admin:all
 * (decision 0065): every event with its dates and a way into its console, and a new event
 * from a form or an event file, its participants from a spreadsheet (CSV). Checked first with
 * POST /v1/events?dry_run=true: every problem shown next to its field, or at its line of the
 * spreadsheet; then created with the same POST. */
"use strict";

(() => {
  const { h, t } = tavolo;

  tavolo.addMessages({
    en: {
      "events.title": "Events",
      "events.loading": "Loading the events…",
      "events.list": "The Tour's events",
      "events.none": "No event yet.",
      "events.col.name": "Event",
      "events.col.where": "Where",
      "events.col.when": "When",
      "events.col.zone": "Time zone",
      "events.open": "Open the console of {name}",
      "events.new": "A new event",
      "events.new_hint": "Fill in the form, or load an event file (JSON). The participants come from a spreadsheet saved as CSV: one row per person, columns kind, id, max_meetings, min_meetings, unavailable, name, email, language.",
      "events.f.id": "Id (letters, digits, - and _)",
      "events.f.name": "Name",
      "events.f.city": "City",
      "events.f.time_zone": "Time zone (IANA, such as Europe/Rome)",
      "events.f.language": "Language of its mail",
      "events.f.first_day": "First day",
      "events.f.last_day": "Last day",
      "events.f.day_start": "Meetings from",
      "events.f.day_end": "Meetings until",
      "events.f.slot_minutes": "Minutes a meeting",
      "events.f.breaks": "Breaks (such as 12:30-13:30, 16:00-16:15)",
      "events.f.tables": "Tables",
      "events.f.default_max_meetings": "Meetings a participant at most",
      "events.f.request_deadline": "Requests close at the end of",
      "events.f.csv": "Participants spreadsheet (CSV)",
      "events.f.json": "Or an event file (JSON), instead of the form",
      "events.lang.it": "Italian",
      "events.lang.en": "English",
      "events.days_order": "The last day comes before the first.",
      "events.days_many": "At most 31 days.",
      "events.breaks_bad": "Write each break as HH:MM-HH:MM, separated by commas.",
      "events.required": "Required.",
      "events.check": "Check",
      "events.checking": "Checking…",
      "events.create": "Create the event",
      "events.creating": "Creating the event…",
      "events.not_json": "The file is not JSON: {detail}",
      "events.csv_problems": "The spreadsheet has {n} problems, each with its line.",
      "events.problems": "Not created (error {status}): {n} problems, each next to its field or line.",
      "events.at_line": "line {line}",
      "events.at": "at {pointer}",
      "events.report": "Ready: {companies} companies and {investors} investors, {people} people; {days} days. Nothing is stored yet.",
      "events.created": "Created {name}. Its console: invite the participants, make a draft schedule.",
      "events.open_new": "Open the console",
      "events.failed": "Not created (error {status}): {detail}",
    },
    it: {
      "events.title": "Eventi",
      "events.loading": "Caricamento degli eventi…",
      "events.list": "Gli eventi del Tour",
      "events.none": "Ancora nessun evento.",
      "events.col.name": "Evento",
      "events.col.where": "Dove",
      "events.col.when": "Quando",
      "events.col.zone": "Fuso orario",
      "events.open": "Apri la console di {name}",
      "events.new": "Un nuovo evento",
      "events.new_hint": "Compili il modulo, oppure carichi un file dell'evento (JSON). I partecipanti vengono da un foglio di calcolo salvato come CSV: una riga per persona, colonne kind, id, max_meetings, min_meetings, unavailable, name, email, language.",
      "events.f.id": "Id (lettere, cifre, - e _)",
      "events.f.name": "Nome",
      "events.f.city": "Città",
      "events.f.time_zone": "Fuso orario (IANA, come Europe/Rome)",
      "events.f.language": "Lingua delle sue e-mail",
      "events.f.first_day": "Primo giorno",
      "events.f.last_day": "Ultimo giorno",
      "events.f.day_start": "Incontri dalle",
      "events.f.day_end": "Incontri fino alle",
      "events.f.slot_minutes": "Minuti per incontro",
      "events.f.breaks": "Pause (come 12:30-13:30, 16:00-16:15)",
      "events.f.tables": "Tavoli",
      "events.f.default_max_meetings": "Incontri al massimo per partecipante",
      "events.f.request_deadline": "Le richieste chiudono alla fine del",
      "events.f.csv": "Foglio dei partecipanti (CSV)",
      "events.f.json": "Oppure un file dell'evento (JSON), al posto del modulo",
      "events.lang.it": "Italiano",
      "events.lang.en": "Inglese",
      "events.days_order": "L'ultimo giorno viene prima del primo.",
      "events.days_many": "Al massimo 31 giorni.",
      "events.breaks_bad": "Scriva ogni pausa come HH:MM-HH:MM, separate da virgole.",
      "events.required": "Obbligatorio.",
      "events.check": "Controlla",
      "events.checking": "Controllo in corso…",
      "events.create": "Crea l'evento",
      "events.creating": "Creazione dell'evento…",
      "events.not_json": "Il file non è JSON: {detail}",
      "events.csv_problems": "Il foglio ha {n} problemi, ciascuno con la sua riga.",
      "events.problems": "Non creato (errore {status}): {n} problemi, ciascuno accanto al suo campo o alla sua riga.",
      "events.at_line": "riga {line}",
      "events.at": "in {pointer}",
      "events.report": "Pronto: {companies} aziende e {investors} investitori, {people} persone; {days} giorni. Ancora nulla è salvato.",
      "events.created": "Creato {name}. La sua console: inviti i partecipanti, prepari una bozza dell'agenda.",
      "events.open_new": "Apri la console",
      "events.failed": "Non creato (errore {status}): {detail}",
    },
  });

  /* The console of event 'id': its organiser's pages, which an admin may act for. */
  const consoleHref = (id) => "/organise?organiser=" + encodeURIComponent(id);

  function eventList(events) {
    if (!events.length) return h("p", { class: "muted", id: "events-none", text: t("events.none") });
    const when = (e) => (e.first_day
      ? tavolo.fmt.day(e.first_day) + (e.last_day && e.last_day !== e.first_day ? " – " + tavolo.fmt.day(e.last_day) : "")
      : "");
    return h("table", { class: "events-table", id: "events-table" },
      h("thead", null, h("tr", null, ...["name", "where", "when", "zone"].map((c) => h("th", { scope: "col", text: t("events.col." + c) })))),
      h("tbody", null, ...events.map((e) => h("tr", { "data-event": e.id },
        h("td", null, h("a", { href: consoleHref(e.id), "aria-label": t("events.open", { name: e.name }), text: e.name }),
          h("div", { class: "muted id", text: e.id })),
        h("td", { text: e.city || "" }),
        h("td", { text: when(e) }),
        h("td", { text: e.time_zone })))));
  }

  /* The form's fields: [name, input type, the event file's member it fills]. */
  const FIELDS = [
    ["id", "text", "id"], ["name", "text", "name"], ["city", "text", "city"],
    ["time_zone", "text", "time_zone"], ["language", "select", "language"],
    ["first_day", "date", "days"], ["last_day", "date", "days"],
    ["day_start", "time", "day_start"], ["day_end", "time", "day_end"],
    ["slot_minutes", "number", "slot_minutes"], ["breaks", "text", "breaks"],
    ["tables", "number", "tables"], ["default_max_meetings", "number", "default_max_meetings"],
    ["request_deadline", "date", "request_deadline"],
  ];
  const DEFAULTS = { time_zone: "Europe/Rome", language: "it", day_start: "09:00", day_end: "18:00", slot_minutes: "30", tables: "10", default_max_meetings: "10" };
  const REQUIRED = ["id", "name", "time_zone", "first_day", "last_day", "day_start", "day_end", "slot_minutes", "tables"];

  function field(name, type) {
    const id = "ev-" + name;
    const input = type === "select"
      ? h("select", { id, name, class: "text-input" }, ...["it", "en"].map((l) => h("option", { value: l, text: t("events.lang." + l) })))
      : h("input", { id, name, type, class: "text-input", step: type === "time" ? "900" : undefined, min: type === "number" ? "1" : undefined });
    input.value = DEFAULTS[name] || "";
    if (REQUIRED.includes(name)) input.required = true;
    const error = h("p", { class: "field-error", id: id + "-error", role: "alert", hidden: true });
    input.setAttribute("aria-describedby", error.id);
    return { name, input, error, row: h("div", { class: "field field-" + name }, h("label", { for: id, text: t("events.f." + name) }), input, error) };
  }

  /* The days from 'first' to 'last' ("YYYY-MM-DD"), or a message key. */
  function daysBetween(first, last) {
    const a = Date.parse(first + "T00:00:00Z"), b = Date.parse(last + "T00:00:00Z");
    if (b < a) return "events.days_order";
    if ((b - a) / 86400000 > 30) return "events.days_many";
    const out = [];
    for (let d = a; d <= b; d += 86400000) out.push(new Date(d).toISOString().slice(0, 10));
    return out;
  }

  /* "12:30-13:30, 16:00-16:15" as the file's breaks, or null. */
  function breaksOf(text) {
    const out = [];
    for (const part of text.split(",").map((s) => s.trim()).filter(Boolean)) {
      const m = /^(\d{2}:\d{2})\s*-\s*(\d{2}:\d{2})$/.exec(part);
      if (!m) return null;
      out.push({ start: m[1], end: m[2] });
    }
    return out;
  }

  function newEvent(ctx) {
    const fields = FIELDS.map(([name, type]) => field(name, type));
    const byName = Object.fromEntries(fields.map((f) => [f.name, f]));
    const csv = h("input", { id: "ev-csv", type: "file", accept: ".csv,text/csv" });
    const json = h("input", { id: "ev-json", type: "file", accept: ".json,application/json" });
    const csvProblems = h("ul", { class: "problems", id: "ev-csv-problems", hidden: true });
    const jsonProblems = h("ul", { class: "problems", id: "ev-json-problems", hidden: true });
    const status = h("p", { id: "ev-status", class: "status", hidden: true });
    const result = h("div", { id: "ev-result" });
    const create = h("button", { type: "button", id: "ev-create", text: t("events.create"), disabled: true });
    let checked = null; /* the file the last check passed */

    const clear = () => {
      for (const f of fields) { f.error.hidden = true; f.input.removeAttribute("aria-invalid"); }
      for (const list of [csvProblems, jsonProblems]) { list.replaceChildren(); list.hidden = true; }
      result.replaceChildren();
      status.hidden = true;
    };
    const fieldError = (name, text) => {
      const f = byName[name];
      f.error.textContent = text;
      f.error.hidden = false;
      f.input.setAttribute("aria-invalid", "true");
    };
    const listProblem = (list, where, text) => {
      list.append(h("li", null, where ? h("code", { text: where }) : null, where ? " " : null, text));
      list.hidden = false;
    };

    /* The event file the form and the files make, or null when a problem was shown. */
    const build = async () => {
      let doc, lines = null, ok = true;
      const jsonFile = json.files && json.files[0];
      if (jsonFile) {
        try {
          doc = JSON.parse(await jsonFile.text());
        } catch (e) {
          listProblem(jsonProblems, jsonFile.name, t("events.not_json", { detail: String(e.message) }));
          return null;
        }
      } else {
        const v = (name) => byName[name].input.value.trim();
        for (const name of REQUIRED) if (!v(name)) { fieldError(name, t("events.required")); ok = false; }
        if (!ok) return null;
        const days = daysBetween(v("first_day"), v("last_day"));
        const breaks = breaksOf(v("breaks"));
        if (typeof days === "string") { fieldError("last_day", t(days)); ok = false; }
        if (breaks === null) { fieldError("breaks", t("events.breaks_bad")); ok = false; }
        if (!ok) return null;
        doc = { id: v("id"), name: v("name"), time_zone: v("time_zone"), language: v("language"), days,
          day_start: v("day_start"), day_end: v("day_end"), slot_minutes: Number(v("slot_minutes")),
          tables: Number(v("tables")), participants: [] };
        if (v("city")) doc.city = v("city");
        if (breaks.length) doc.breaks = breaks;
        if (v("default_max_meetings")) doc.default_max_meetings = Number(v("default_max_meetings"));
        if (v("request_deadline")) doc.request_deadline = v("request_deadline");
      }
      const csvFile = csv.files && csv.files[0];
      if (csvFile) {
        const read = await tavolo.readParticipants(csvFile);
        if (read.problems) {
          tavolo.showStatus(status, "error", "events.csv_problems", { n: read.problems.length });
          for (const p of read.problems) listProblem(csvProblems, null, p); /* each names its line */
          return null;
        }
        doc.participants = read.participants;
        lines = read.lines;
      }
      return { doc, lines };
    };

    /* Shows a refused file's problems: the form's next to their fields, the participants' at
     * their line of the spreadsheet, the rest at their place in the JSON file. */
    const showProblems = (res, built) => {
      const errors = (res.body && Array.isArray(res.body.errors) && res.body.errors.length)
        ? res.body.errors : [{ pointer: (res.body && res.body.pointer) || "", detail: tavolo.problemText(res) }];
      tavolo.showStatus(status, "error", "events.problems", { status: res.status, n: errors.length });
      const fromForm = !(json.files && json.files[0]);
      for (const e of errors) {
        const parts = String(e.pointer || "").split("/").slice(1);
        const line = tavolo.spreadsheetLine(e.pointer, built.lines);
        if (line) {
          listProblem(csvProblems, t("events.at_line", { line }), e.detail);
          continue;
        }
        const f = fromForm && fields.find((x) => FIELDS.find((d) => d[0] === x.name)[2] === parts[0]);
        if (f) fieldError(f.name === "first_day" ? "last_day" : f.name, e.detail);
        else listProblem(fromForm ? csvProblems : jsonProblems, t("events.at", { pointer: e.pointer || "/" }), e.detail);
      }
    };

    const check = async () => {
      clear();
      checked = null;
      create.disabled = true;
      const built = await build();
      if (!built) return;
      tavolo.showStatus(status, "ok", "events.checking");
      const res = await tavolo.api("POST", "/v1/events?dry_run=true", built.doc);
      if (!res.ok) {
        showProblems(res, built);
        return;
      }
      const ps = Array.isArray(built.doc.participants) ? built.doc.participants : [];
      const people = ps.reduce((n, p) => n + (Array.isArray(p.people) ? p.people.length : 0), 0);
      tavolo.showStatus(status, "ok", "events.report", {
        companies: ps.filter((p) => p.kind === "company").length, investors: ps.filter((p) => p.kind === "investor").length,
        people, days: Array.isArray(built.doc.days) ? built.doc.days.length : 0 });
      checked = built;
      create.disabled = false;
    };

    create.addEventListener("click", async () => {
      if (!checked) return;
      create.disabled = true;
      tavolo.showStatus(status, "ok", "events.creating");
      const res = await tavolo.api("POST", "/v1/events", checked.doc);
      if (!res.ok) {
        clear();
        showProblems(res, checked);
        return;
      }
      const doc = checked.doc;
      checked = null;
      delete ctx.cache.events;
      tavolo.showStatus(status, "ok", "events.created", { name: doc.name });
      result.replaceChildren(h("a", { id: "ev-open", class: "button", href: consoleHref(doc.id), text: t("events.open_new") }));
    });
    const invalidate = () => { checked = null; create.disabled = true; };
    for (const el of [...fields.map((f) => f.input), csv, json]) {
      el.addEventListener("input", invalidate);
      el.addEventListener("change", invalidate);
    }

    return h("section", { class: "card new-event", "aria-labelledby": "new-event-title" },
      h("h2", { id: "new-event-title", text: t("events.new") }),
      h("p", { class: "muted", text: t("events.new_hint") }),
      h("form", { id: "ev-form", novalidate: true, onsubmit: (e) => { e.preventDefault(); check(); } },
        h("div", { class: "grid" }, ...fields.map((f) => f.row)),
        h("div", { class: "field" }, h("label", { for: "ev-csv", text: t("events.f.csv") }), csv, csvProblems),
        h("div", { class: "field" }, h("label", { for: "ev-json", text: t("events.f.json") }), json, jsonProblems),
        h("div", { class: "actions" }, h("button", { type: "submit", id: "ev-check", class: "secondary", text: t("events.check") }), create)),
      status, result);
  }

  async function render(ctx) {
    const root = h("div", { class: "events-page" }, h("h1", { text: t("events.title") }));
    ctx.root.append(root);
    if (!ctx.cache.events) {
      const wait = h("p", { class: "muted", text: t("events.loading") });
      root.append(wait);
      const res = await tavolo.api("GET", "/v1/events");
      wait.remove();
      if (!res.ok || !res.body || !Array.isArray(res.body.items)) {
        root.append(h("p", { class: "status error", role: "alert", "data-kind": "error", text: tavolo.problemText(res) }));
        return;
      }
      ctx.cache.events = res.body.items;
    }
    root.append(
      h("section", { class: "card", "aria-labelledby": "events-list-title" },
        h("h2", { id: "events-list-title", text: t("events.list") }), eventList(ctx.cache.events)),
      newEvent(ctx));
  }

  tavolo.page("/events", { title: "events.title", kinds: ["admin"], render });
})();
