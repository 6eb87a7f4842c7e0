/* The availability page (issue 16, docs/web.md "Availability"): the event's days as a grid of
 * slots, each a toggle button (aria-pressed: unavailable) that says its state in words; breaks
 * shown as such; slots holding a meeting name the other side. Save checks the change with a dry
 * run first and, when meetings would move, lists them and asks to confirm before the PUT.
 * API: GET /v1/events (the event choice), GET and PUT /v1/events/{id}/availability. */
"use strict";

tavolo.addMessages({
  en: {
    "availability.title": "Availability",
    "availability.event": "Event",
    "availability.no_events": "You take part in no event yet.",
    "availability.intro": "Mark the slots you cannot do: press a slot to switch it between available and unavailable, then save. The scheduling run places no meeting in an unavailable slot.",
    "availability.zone": "Times are in the event's time zone ({zone}).",
    "availability.zone_viewer": "Times are in the event's time zone ({zone}); your own time ({viewer}) is shown beside each in grey.",
    "availability.grid": "Your slots at {event}",
    "availability.time": "Time",
    "availability.days": "Day shown",
    "availability.available": "Available",
    "availability.unavailable": "Unavailable",
    "availability.past": "Past",
    "availability.break": "Break {start}–{end}",
    "availability.break_word": "Break",
    "availability.meeting": "Meeting: {name}",
    "availability.warn.moved_by_next_run": "will move",
    "availability.warn.conflict": "fixed: a conflict",
    "availability.warn.outcome_kept": "held: kept",
    "availability.next_day": "+1 day",
    "availability.prev_day": "−1 day",
    "availability.legend": "Key",
    "availability.save": "Save",
    "availability.saving": "Checking…",
    "availability.unsaved.one": "1 unsaved change.",
    "availability.unsaved.other": "{n} unsaved changes.",
    "availability.none_unsaved": "No unsaved changes.",
    "availability.undo": "Undo changes",
    "availability.saved.one": "Saved: 1 slot unavailable ({added} marked, {removed} freed).",
    "availability.saved.other": "Saved: {n} slots unavailable ({added} marked, {removed} freed).",
    "availability.saved_moves.one": "Saved. Unavailable slots: {n}. The next scheduling run will move 1 meeting.",
    "availability.saved_moves.other": "Saved. Unavailable slots: {n}. The next scheduling run will move {moves} meetings.",
    "availability.unchanged": "Nothing to save: your slots are as stored.",
    "availability.confirm_title": "These meetings would move",
    "availability.confirm_intro": "Your change makes these meetings impossible. The next scheduling run moves them to another slot (or cancels them when no slot is left); a meeting fixed by the organiser stays and is shown to the organiser as a conflict.",
    "availability.confirm": "Save and move them",
    "availability.cancel": "Cancel",
    "availability.cancelled": "Not saved: your changes are still shown; save again when ready.",
    "availability.with": "with {name}",
    "availability.table": "table {n}",
    "availability.action.moved_by_next_run": "will be moved",
    "availability.action.conflict": "fixed by the organiser: a conflict for them",
    "availability.action.outcome_kept": "already held: kept",
    "availability.invalid": "Not saved: {detail}",
    "availability.load_failed": "Your availability cannot be shown: {detail}",
  },
  it: {
    "availability.title": "Disponibilità",
    "availability.event": "Evento",
    "availability.no_events": "Non partecipa ancora a nessun evento.",
    "availability.intro": "Segni le fasce in cui non può: prema una fascia per passarla da disponibile a non disponibile, poi salvi. Il calcolo del calendario non mette incontri nelle fasce non disponibili.",
    "availability.zone": "Gli orari sono nel fuso dell'evento ({zone}).",
    "availability.zone_viewer": "Gli orari sono nel fuso dell'evento ({zone}); la sua ora ({viewer}) è accanto a ciascuno, in grigio.",
    "availability.grid": "Le sue fasce a {event}",
    "availability.time": "Ora",
    "availability.days": "Giorno mostrato",
    "availability.available": "Disponibile",
    "availability.unavailable": "Non disponibile",
    "availability.past": "Passata",
    "availability.break": "Pausa {start}–{end}",
    "availability.break_word": "Pausa",
    "availability.meeting": "Incontro: {name}",
    "availability.warn.moved_by_next_run": "sarà spostato",
    "availability.warn.conflict": "fissato: un conflitto",
    "availability.warn.outcome_kept": "svolto: resta",
    "availability.next_day": "+1 giorno",
    "availability.prev_day": "−1 giorno",
    "availability.legend": "Legenda",
    "availability.save": "Salva",
    "availability.saving": "Verifica…",
    "availability.unsaved.one": "1 modifica non salvata.",
    "availability.unsaved.other": "{n} modifiche non salvate.",
    "availability.none_unsaved": "Nessuna modifica da salvare.",
    "availability.undo": "Annulla le modifiche",
    "availability.saved.one": "Salvato: 1 fascia non disponibile ({added} segnate, {removed} liberate).",
    "availability.saved.other": "Salvato: {n} fasce non disponibili ({added} segnate, {removed} liberate).",
    "availability.saved_moves.one": "Salvato. Fasce non disponibili: {n}. Il prossimo calcolo del calendario sposterà 1 incontro.",
    "availability.saved_moves.other": "Salvato. Fasce non disponibili: {n}. Il prossimo calcolo del calendario sposterà {moves} incontri.",
    "availability.unchanged": "Niente da salvare: le sue fasce sono come salvate.",
    "availability.confirm_title": "Questi incontri verrebbero spostati",
    "availability.confirm_intro": "La modifica rende impossibili questi incontri. Il prossimo calcolo del calendario li sposta in un'altra fascia (o li annulla se non ne resta nessuna); un incontro fissato dall'organizzatore resta e gli viene segnalato come conflitto.",
    "availability.confirm": "Salva e spostali",
    "availability.cancel": "Annulla",
    "availability.cancelled": "Non salvato: le modifiche restano visibili; salvi di nuovo quando vuole.",
    "availability.with": "con {name}",
    "availability.table": "tavolo {n}",
    "availability.action.moved_by_next_run": "sarà spostato",
    "availability.action.conflict": "fissato dall'organizzatore: un conflitto per lui",
    "availability.action.outcome_kept": "già svolto: resta",
    "availability.invalid": "Non salvato: {detail}",
    "availability.load_failed": "La disponibilità non può essere mostrata: {detail}",
  },
});

(function () {
  const { h, t, fmt } = tavolo;

  /* The event shown: ?event=E, else the first the participant attends. */
  async function chooseEvent(ctx, c) {
    if (!c.events) {
      const res = await tavolo.api("GET", "/v1/events");
      if (!res.ok) return { error: res };
      c.events = (res.body && res.body.items) || [];
    }
    const wanted = ctx.params.get("event");
    const found = c.events.find((e) => e.id === wanted);
    return { id: found ? found.id : wanted || (c.events[0] && c.events[0].id) || null };
  }

  async function load(ctx, c, event) {
    if (c.data && c.data.event_id === event) return null;
    const res = await tavolo.api("GET", "/v1/events/" + encodeURIComponent(event) + "/availability");
    if (!res.ok) return res;
    c.data = res.body;
    c.pending = new Set(res.body.unavailable);
    c.day = 0;
    return null;
  }

  function eventPicker(ctx, c, event) {
    if (c.events.length < 2) return null;
    const select = h("select", { id: "avail-event" },
      c.events.map((e) => h("option", { value: e.id, selected: e.id === event, text: e.name || e.id })));
    select.addEventListener("change", () => window.location.assign(tavolo.href("/availability", { event: select.value })));
    return h("p", { class: "avail-event" }, h("label", { for: "avail-event", text: t("availability.event") }), " ", select);
  }

  /* The local day "YYYY-MM-DD" of an instant in zone 'tz'. */
  function ymd(iso, tz) {
    const p = new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit", timeZone: tz }).formatToParts(new Date(iso));
    const get = (k) => p.find((x) => x.type === k).value;
    return get("year") + "-" + get("month") + "-" + get("day");
  }

  /* The viewer's time beside an event time, with the day shift when it is another day. */
  function viewerTime(slot, data, viewer) {
    const text = fmt.time(slot.at, viewer);
    const shift = ymd(slot.at, viewer).localeCompare(slot.start.slice(0, 10));
    return shift === 0 ? text : text + " (" + t(shift > 0 ? "availability.next_day" : "availability.prev_day") + ")";
  }

  /* Rows of the grid: every slot time of any day, and the breaks, in time order. */
  function rows(data) {
    const times = new Map();
    for (const s of data.slots) {
      const time = s.start.slice(11);
      if (!times.has(time)) times.set(time, { time, byDay: new Map() });
      times.get(time).byDay.set(s.start.slice(0, 10), s);
    }
    const out = [...times.values()];
    for (const b of data.breaks) out.push({ time: b.start, brk: b });
    return out.sort((a, b) => a.time.localeCompare(b.time) || (a.brk ? 1 : -1));
  }

  function meetingsBySlot(data) {
    const m = new Map();
    for (const x of data.meetings) m.set(x.slot, x);
    return m;
  }

  function slotButton(c, slot, meeting, dayIndex) {
    const off = c.pending.has(slot.start);
    const label = fmt.day(slot.start.slice(0, 10)) + ", " + slot.start.slice(11) + ": ";
    const b = h("button", {
      type: "button",
      class: "slot" + (off ? " off" : "") + (meeting ? " busy" : ""),
      "aria-pressed": String(off),
      "data-start": slot.start,
      disabled: slot.past,
    },
    h("span", { class: "sr", text: label }),
    h("span", { class: "state", text: t(slot.past ? "availability.past" : off ? "availability.unavailable" : "availability.available") }),
    meeting ? h("span", { class: "who", text: t("availability.meeting", { name: meeting.with.name }) }) : null,
    meeting && off ? h("span", { class: "warn", text: t("availability.warn." + meeting.action) }) : null);
    b.addEventListener("click", () => {
      if (c.pending.has(slot.start)) c.pending.delete(slot.start);
      else c.pending.add(slot.start);
      c.rerender(slot.start);
    });
    b.dataset.day = String(dayIndex);
    return b;
  }

  function grid(c, data) {
    const viewer = tavolo.viewerZone();
    const showViewer = viewer !== data.time_zone;
    const meetings = meetingsBySlot(data);
    const head = h("tr", null, h("th", { scope: "col", text: t("availability.time") }),
      data.days.map((d, i) => h("th", { scope: "col", class: i === c.day ? "" : "other-day", text: fmt.day(d) })));
    const body = rows(data).map((r) => {
      if (r.brk) {
        /* One cell a day, not one spanning them: the phone hides the other days' cells. */
        return h("tr", { class: "break" }, h("th", { scope: "row", text: r.brk.start }),
          data.days.map((d, i) => h("td", { class: "break-cell" + (i === c.day ? "" : " other-day"), text: t("availability.break", { start: r.brk.start, end: r.brk.end }) })));
      }
      const first = [...r.byDay.values()][0];
      const th = h("th", { scope: "row" }, h("span", { class: "event-time", text: r.time }),
        showViewer ? h("span", { class: "viewer-time", text: viewerTime(first, data, viewer) }) : null);
      return h("tr", null, th, data.days.map((d, i) => {
        const slot = r.byDay.get(d);
        return h("td", { class: i === c.day ? "" : "other-day" }, slot ? slotButton(c, slot, meetings.get(slot.start), i) : null);
      }));
    });
    return h("table", { class: "avail-grid", id: "avail-grid" },
      h("caption", { text: t("availability.grid", { event: data.name }) }),
      h("thead", null, head), h("tbody", null, body));
  }

  /* At 390 px the grid shows one day: these buttons choose it. */
  function dayButtons(c, data) {
    return h("div", { class: "avail-days", role: "group", "aria-label": t("availability.days") },
      data.days.map((d, i) => {
        const b = h("button", { type: "button", class: "secondary", id: "avail-day-" + i, "aria-pressed": String(i === c.day), text: fmt.day(d) });
        b.addEventListener("click", () => {
          c.day = i;
          c.rerender("#avail-day-" + i);
        });
        return b;
      }));
  }

  function legend() {
    return h("p", { class: "avail-legend" }, h("span", { class: "muted", text: t("availability.legend") + ": " }),
      h("span", { class: "key", text: t("availability.available") }), " ",
      h("span", { class: "key off", text: t("availability.unavailable") }), " ",
      h("span", { class: "key brk", text: t("availability.break_word") }));
  }

  function changes(c) {
    const stored = new Set(c.data.unavailable);
    let n = 0;
    for (const s of c.pending) if (!stored.has(s)) n++;
    for (const s of stored) if (!c.pending.has(s)) n++;
    return n;
  }

  /* The message key for a count: KEY.one or KEY.other. */
  function plural(key, n) {
    return key + (n === 1 ? ".one" : ".other");
  }

  function slotName(slot) {
    return fmt.day(slot.slice(0, 10)) + " " + slot.slice(11);
  }

  /* The list of meetings a change would move, and the buttons to go on or not. */
  function confirmPanel(c, report) {
    const list = h("ul", null, report.meetings.map((m) => h("li", null,
      h("strong", { text: slotName(m.slot) }), " ",
      t("availability.with", { name: m.with.name }), ", ",
      t("availability.table", { n: m.table }), " — ",
      t("availability.action." + m.action))));
    const yes = h("button", { type: "button", id: "avail-confirm", text: t("availability.confirm") });
    const no = h("button", { type: "button", class: "secondary", id: "avail-cancel", text: t("availability.cancel") });
    yes.addEventListener("click", () => save(c, false));
    no.addEventListener("click", () => {
      c.confirm = null;
      c.status = { kind: "ok", key: "availability.cancelled" };
      c.rerender(null);
    });
    return h("section", { class: "card avail-confirm", id: "avail-confirm-panel", role: "alertdialog", "aria-labelledby": "avail-confirm-title", "aria-describedby": "avail-confirm-intro" },
      h("h2", { id: "avail-confirm-title", tabindex: "-1", text: t("availability.confirm_title") }),
      h("p", { id: "avail-confirm-intro", text: t("availability.confirm_intro") }),
      list, h("p", { class: "avail-actions" }, yes, " ", no));
  }

  /* Save: a dry run first; when meetings would move, the list and a confirmation; then PUT. */
  async function save(c, dryRunFirst) {
    const body = { unavailable: c.data.slots.map((s) => s.start).filter((s) => c.pending.has(s)) };
    const path = "/v1/events/" + encodeURIComponent(c.data.event_id) + "/availability";
    c.busy = true;
    c.status = { kind: "ok", key: "availability.saving" };
    c.rerender(null);
    const res = await tavolo.api("PUT", path + (dryRunFirst ? "?dry_run=true" : ""), body);
    c.busy = false;
    c.invalid = tavolo.fieldErrors(res);
    if (!res.ok) {
      c.confirm = null;
      c.status = { kind: "error", key: "availability.invalid", vars: { detail: tavolo.problemText(res) } };
    } else if (dryRunFirst && res.body.changed && res.body.meetings.length > 0) {
      c.confirm = res.body;
      c.status = null;
    } else if (dryRunFirst && !res.body.changed) {
      c.status = { kind: "ok", key: "availability.unchanged" };
    } else if (dryRunFirst) {
      return save(c, false);
    } else {
      c.confirm = null;
      c.data.unavailable = res.body.unavailable;
      c.pending = new Set(res.body.unavailable);
      const vars = { n: res.body.unavailable.length, added: res.body.added.length, removed: res.body.removed.length, moves: res.body.meetings.length };
      const moves = res.body.meetings.length;
      c.status = { kind: "ok", key: moves ? plural("availability.saved_moves", moves) : plural("availability.saved", vars.n), vars };
    }
    c.rerender(c.confirm ? "#avail-confirm-title" : "#avail-status");
    return null;
  }

  function statusLine(c) {
    const p = h("p", { id: "avail-status", class: "status", role: "status", "aria-live": "polite", tabindex: "-1", hidden: !c.status });
    if (c.status) tavolo.showStatus(p, c.status.kind, c.status.key, c.status.vars);
    return p;
  }

  function actions(c) {
    const n = changes(c);
    const saveB = h("button", { type: "button", id: "avail-save", text: t("availability.save"), disabled: c.busy || !!c.confirm });
    saveB.addEventListener("click", () => save(c, true));
    const undo = h("button", { type: "button", class: "secondary", id: "avail-undo", text: t("availability.undo"), disabled: n === 0 || c.busy });
    undo.addEventListener("click", () => {
      c.pending = new Set(c.data.unavailable);
      c.confirm = null;
      c.status = null;
      c.rerender(null);
    });
    return h("div", { class: "avail-actions" }, saveB, undo,
      h("span", { class: "muted", id: "avail-unsaved", text: n ? t(plural("availability.unsaved", n), { n }) : t("availability.none_unsaved") }));
  }

  /* Marks the slots a refused save named (pointer /unavailable/N of the list sent). */
  function markInvalid(root, c) {
    const sent = c.data.slots.map((s) => s.start).filter((s) => c.pending.has(s));
    for (const pointer of Object.keys(c.invalid || {})) {
      const m = /^\/unavailable\/(\d+)$/.exec(pointer);
      const b = m && root.querySelector('button.slot[data-start="' + sent[Number(m[1])] + '"]');
      if (b) b.setAttribute("aria-invalid", "true");
    }
  }

  function draw(ctx, c, event) {
    const data = c.data;
    const viewer = tavolo.viewerZone();
    const zone = viewer !== data.time_zone
      ? t("availability.zone_viewer", { zone: data.time_zone, viewer })
      : t("availability.zone", { zone: data.time_zone });
    ctx.root.replaceChildren(...[
      h("h1", { text: t("availability.title") }),
      eventPicker(ctx, c, event),
      h("p", { text: t("availability.intro") }),
      h("p", { class: "muted", text: zone }),
      legend(),
      c.confirm ? confirmPanel(c, c.confirm) : null,
      dayButtons(c, data),
      h("div", { class: "avail-scroll" }, grid(c, data)),
      /* Kept in sight at the bottom while the grid scrolls by. */
      h("div", { class: "avail-bar" }, actions(c), statusLine(c)),
    ].filter(Boolean)); /* replaceChildren would write a null as the text "null" */
    markInvalid(ctx.root, c);
  }

  tavolo.page("/availability", {
    title: "availability.title",
    render: async (ctx) => {
      const c = (ctx.cache.availability = ctx.cache.availability || {});
      ctx.root.append(h("h1", { text: t("availability.title") }), h("p", { text: t("loading") }));
      const chosen = await chooseEvent(ctx, c);
      if (chosen.error || !chosen.id) {
        ctx.root.replaceChildren(h("h1", { text: t("availability.title") }), chosen.error
          ? h("p", { class: "status error", role: "alert", text: t("availability.load_failed", { detail: tavolo.problemText(chosen.error) }) })
          : h("p", { text: t("availability.no_events") }));
        return;
      }
      const failed = await load(ctx, c, chosen.id);
      if (failed) {
        ctx.root.replaceChildren(h("h1", { text: t("availability.title") }),
          h("p", { class: "status error", role: "alert", text: t("availability.load_failed", { detail: tavolo.problemText(failed) }) }));
        return;
      }
      /* Redraws in place, keeping the focus on the slot (or element) named. */
      c.rerender = (focus) => {
        const active = document.activeElement;
        const keep = focus || (active && active.dataset && active.dataset.start ? active.dataset.start : null);
        draw(ctx, c, chosen.id);
        const el = keep && (keep.startsWith("#") ? ctx.root.querySelector(keep) : ctx.root.querySelector('button.slot[data-start="' + keep + '"]'));
        if (el) el.focus();
      };
      draw(ctx, c, chosen.id);
    },
  });
})();
