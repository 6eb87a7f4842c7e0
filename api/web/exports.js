/* The organisers' exports (issue 17, docs/web.md "Exports"): the event's files for the venue
 * and for calendars (tables.csv, every agenda as .ics), and every participant's agenda ready
 * to hand out: one printed page per participant (a print stylesheet), each with its meetings
 * by time, table and the other side. Reads the overview (names) and the meetings. */
"use strict";

(() => {
  const { h, t } = tavolo;

  tavolo.addMessages({
    en: {
      "exports.title": "Exports",
      "exports.loading": "Loading the agendas…",
      "exports.files": "Files",
      "exports.tables": "Tables (CSV, for the venue)",
      "exports.meetings": "Meetings (CSV, by time)",
      "exports.ics": "Every agenda (.ics)",
      "exports.ics_one": "Agenda (.ics)",
      "exports.ics_of": "The agenda of {name} as .ics",
      "exports.failed": "The file could not be downloaded (error {status}).",
      "exports.print": "Print the agendas",
      "exports.agendas": "Agendas to hand out: one page each",
      "exports.count": "{n} participants with meetings",
      "exports.time": "Time",
      "exports.table": "Table",
      "exports.with": "With",
      "exports.held": "held",
    },
    it: {
      "exports.title": "Esportazioni",
      "exports.loading": "Caricamento delle agende…",
      "exports.files": "File",
      "exports.tables": "Tavoli (CSV, per la sede)",
      "exports.meetings": "Incontri (CSV, per orario)",
      "exports.ics": "Tutte le agende (.ics)",
      "exports.ics_one": "Agenda (.ics)",
      "exports.ics_of": "L'agenda di {name} in .ics",
      "exports.failed": "Non è stato possibile scaricare il file (errore {status}).",
      "exports.print": "Stampa le agende",
      "exports.agendas": "Agende da consegnare: una pagina ciascuna",
      "exports.count": "{n} partecipanti con incontri",
      "exports.time": "Ora",
      "exports.table": "Tavolo",
      "exports.with": "Con",
      "exports.held": "avvenuto",
    },
  });

  /* One participant's page: its meetings by slot, and its own .ics ('file' makes the button). */
  function agendaOf(p, mine, o, names, file) {
    const other = p.kind === "company" ? "investor" : "company";
    return h("section", { class: "handout", "data-id": p.id, "aria-labelledby": "handout-" + p.id },
      h("h3", { id: "handout-" + p.id }, h("span", { text: p.name }), " ",
        h("span", { class: "kind", text: t("kind." + p.kind) })),
      file("ics-" + p.id, "exports.ics_one", "/agenda.ics?participant=" + encodeURIComponent(p.id),
        o.event.id + "-" + p.id + ".ics", t("exports.ics_of", { name: p.name })),
      h("p", { class: "muted", text: o.event.name }),
      h("table", null,
        h("thead", null, h("tr", null, ["time", "table", "with"].map((c) => h("th", { scope: "col", text: t("exports." + c) })))),
        h("tbody", null, mine.map((m) => {
          const slot = o.slots[m.slot_index] || "";
          return h("tr", null,
            h("td", { text: tavolo.fmt.day(slot.slice(0, 10)) + " " + slot.slice(11, 16) }),
            h("td", { text: String(m.table) }),
            h("td", { text: names.get(other + ":" + m[other + "_id"]) || m[other + "_id"] }));
        }))));
  }

  async function render(ctx) {
    const root = h("div", { class: "exports-page" }, h("h1", { text: t("exports.title") }));
    ctx.root.append(root);
    const base = "/v1/events/" + encodeURIComponent(String(ctx.profile.id));
    let data = ctx.cache.exports;
    if (!data || data.o.event.id !== String(ctx.profile.id)) {
      const wait = h("p", { class: "muted", text: t("exports.loading") });
      root.append(wait);
      const [o, m] = await Promise.all([tavolo.api("GET", base + "/overview"), tavolo.api("GET", base + "/meetings")]);
      wait.remove();
      if (!o.ok || !m.ok || !o.body || !m.body || !Array.isArray(m.body.items)) {
        root.append(h("p", { class: "status error", role: "alert", "data-kind": "error", text: tavolo.problemText(o.ok ? m : o) }));
        return;
      }
      data = ctx.cache.exports = { o: o.body, meetings: m.body.items.filter((x) => x.status !== "cancelled") };
    }
    const { o, meetings } = data;
    const names = new Map(o.participants.map((p) => [p.kind + ":" + p.id, p.name]));
    const status = h("p", { id: "exports-status", class: "status", hidden: true });
    const file = (id, key, path, name, label) => h("button", { type: "button", id, class: "secondary file", text: t(key),
      "aria-label": label, onclick: () => tavolo.download(base + path, name, status, "exports.failed") });
    const withMeetings = o.participants
      .map((p) => [p, meetings.filter((m) => m[p.kind + "_id"] === p.id).sort((a, b) => a.slot_index - b.slot_index)])
      .filter(([, mine]) => mine.length);
    root.append(
      h("section", { class: "card files", "aria-labelledby": "exports-files" },
        h("h2", { id: "exports-files", text: t("exports.files") }),
        h("div", { class: "actions" },
          file("exports-tables", "exports.tables", "/tables.csv", o.event.id + "-tables.csv"),
          file("exports-meetings", "exports.meetings", "/meetings.csv", o.event.id + "-meetings.csv"),
          file("exports-ics", "exports.ics", "/agenda.ics", o.event.id + ".ics"),
          h("button", { type: "button", id: "exports-print", text: t("exports.print"), onclick: () => window.print() })),
        status),
      h("h2", { class: "agendas-title", text: t("exports.agendas") }),
      h("p", { class: "muted", text: t("exports.count", { n: tavolo.fmt.number(withMeetings.length) }) }),
      h("div", { class: "handouts" }, withMeetings.map(([p, mine]) => agendaOf(p, mine, o, names, file))));
  }

  tavolo.page("/exports", { title: "exports.title", kinds: ["organiser"], render });
})();
