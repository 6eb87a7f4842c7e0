/* The agenda page (issue 16, docs/web.md "Agenda and calendar feed"): the chosen profile's
 * meetings by day, in the event's time zone and, when it differs, in the viewer's; the other
 * side and its people; a calendar feed to subscribe to (decision 0054), the .ics download and
 * a printable view (agenda.css, one page per day). Every value is shown with textContent. */
"use strict";

(function () {
  const { h, t, api } = tavolo;

  tavolo.addMessages({
    en: {
      "agenda.title": "Agenda",
      "agenda.intro": "Your meetings, day by day.",
      "agenda.event_zone": "Times in the event's time zone ({zone}).",
      "agenda.both_zones": "Times in the event's time zone ({zone}); in brackets, in yours ({viewer}).",
      "agenda.no_events": "This profile does not take part in any event yet.",
      "agenda.none": "No meetings yet for this event.",
      "agenda.none_deadline": "Meeting requests close on {date}; the schedule is made after that, and your meetings will appear here.",
      "agenda.none_later": "Your meetings will appear here once the organisers publish the schedule.",
      "agenda.count": "{n} meetings",
      "agenda.outcome.open": "How did it go?",
      "agenda.outcome.none": "You have not said yet what came of this meeting.",
      "agenda.outcome.yours": "Your answer: {answer}",
      "agenda.outcome.held_q": "Did it take place?",
      "agenda.outcome.held": "Yes, we met",
      "agenda.outcome.no_show": "No, the other side did not come",
      "agenda.outcome.rating_q": "How useful was it?",
      "agenda.outcome.n1": "1 not at all",
      "agenda.outcome.n2": "2",
      "agenda.outcome.n3": "3",
      "agenda.outcome.n4": "4",
      "agenda.outcome.n5": "5 very",
      "agenda.outcome.follow_up": "We want a follow-up",
      "agenda.outcome.step": "A next step since",
      "agenda.outcome.no_step": "none to record",
      "agenda.outcome.amount": "Amount invested (EUR)",
      "agenda.outcome.date": "Date",
      "agenda.outcome.save": "Save",
      "agenda.outcome.saved": "Saved. Only the organisers see your answer, never the other side.",
      "agenda.outcome.empty": "Choose at least one answer.",
      "agenda.outcome.refused": "Not saved (error {status}): {detail}",
      "agenda.outcome.was_held": "Held",
      "agenda.outcome.was_no_show": "No-show",
      "agenda.outcome.rated": "{n}/5",
      "agenda.outcome.wants_follow_up": "follow-up wanted",
      "agenda.outcome.no_follow_up": "no follow-up",
      "agenda.step.second_meeting": "Second meeting",
      "agenda.step.nda": "NDA",
      "agenda.step.due_diligence": "Due diligence",
      "agenda.step.term_sheet": "Term sheet",
      "agenda.step.investment": "Investment",
      "agenda.step.partnership": "Partnership",
      "agenda.step.none": "No further step",
      "agenda.count_one": "1 meeting",
      "agenda.table": "Table {n}",
      "agenda.with_people": "With {names}",
      "agenda.kind.company": "company",
      "agenda.kind.investor": "investor",
      "agenda.status.scheduled": "Scheduled",
      "agenda.status.locked": "Confirmed",
      "agenda.status.cancelled": "Cancelled",
      "agenda.status.held": "Held",
      "agenda.status.no_show": "No-show",
      "agenda.print": "Print",
      "agenda.download": "Download .ics",
      "agenda.download_failed": "The .ics file could not be downloaded (error {status}).",
      "agenda.feeds.title": "Subscribe in your calendar",
      "agenda.feeds.intro": "A feed link keeps your calendar app (Google Calendar, Outlook, Apple Calendar) up to date with these meetings. Anyone holding the link can read your agenda: keep it private, and revoke it if it leaks.",
      "agenda.feeds.create": "Create a feed link",
      "agenda.feeds.creating": "Creating…",
      "agenda.feeds.created": "Your feed link is ready. It is shown only now: copy it into your calendar app.",
      "agenda.feeds.url": "Feed link",
      "agenda.feeds.copy": "Copy link",
      "agenda.feeds.copied": "Link copied.",
      "agenda.feeds.copy_failed": "Copying did not work: select the link and copy it by hand.",
      "agenda.feeds.webcal": "Open in my calendar app",
      "agenda.feeds.list": "Your feed links",
      "agenda.feeds.none": "No feed link yet.",
      "agenda.feeds.item": "Made {created}",
      "agenda.feeds.used": "last read {used}",
      "agenda.feeds.unused": "never read yet",
      "agenda.feeds.all_events": "every event",
      "agenda.feeds.revoke": "Revoke",
      "agenda.feeds.revoke_label": "Revoke the feed link made {created}",
      "agenda.feeds.revoked": "The feed link was revoked: calendars using it get no more updates.",
    },
    it: {
      "agenda.title": "Agenda",
      "agenda.intro": "I suoi incontri, giorno per giorno.",
      "agenda.event_zone": "Orari nel fuso orario dell'evento ({zone}).",
      "agenda.both_zones": "Orari nel fuso orario dell'evento ({zone}); tra parentesi, nel suo ({viewer}).",
      "agenda.no_events": "Questo profilo non partecipa ancora ad alcun evento.",
      "agenda.none": "Ancora nessun incontro per questo evento.",
      "agenda.none_deadline": "Le richieste di incontro si chiudono il {date}; dopo viene fatto il programma e i suoi incontri compariranno qui.",
      "agenda.none_later": "I suoi incontri compariranno qui quando gli organizzatori pubblicheranno il programma.",
      "agenda.count": "{n} incontri",
      "agenda.outcome.open": "Com'è andata?",
      "agenda.outcome.none": "Non ha ancora detto che cosa è venuto da questo incontro.",
      "agenda.outcome.yours": "La sua risposta: {answer}",
      "agenda.outcome.held_q": "L'incontro si è svolto?",
      "agenda.outcome.held": "Sì, ci siamo incontrati",
      "agenda.outcome.no_show": "No, l'altra parte non è venuta",
      "agenda.outcome.rating_q": "Quanto è stato utile?",
      "agenda.outcome.n1": "1 per niente",
      "agenda.outcome.n2": "2",
      "agenda.outcome.n3": "3",
      "agenda.outcome.n4": "4",
      "agenda.outcome.n5": "5 molto",
      "agenda.outcome.follow_up": "Vogliamo un seguito",
      "agenda.outcome.step": "Un passo successivo da allora",
      "agenda.outcome.no_step": "nessuno da registrare",
      "agenda.outcome.amount": "Importo investito (EUR)",
      "agenda.outcome.date": "Data",
      "agenda.outcome.save": "Salva",
      "agenda.outcome.saved": "Salvato. La sua risposta la vedono solo gli organizzatori, mai l'altra parte.",
      "agenda.outcome.empty": "Scelga almeno una risposta.",
      "agenda.outcome.refused": "Non salvato (errore {status}): {detail}",
      "agenda.outcome.was_held": "Svolto",
      "agenda.outcome.was_no_show": "Assenza",
      "agenda.outcome.rated": "{n}/5",
      "agenda.outcome.wants_follow_up": "seguito richiesto",
      "agenda.outcome.no_follow_up": "nessun seguito",
      "agenda.step.second_meeting": "Secondo incontro",
      "agenda.step.nda": "NDA",
      "agenda.step.due_diligence": "Due diligence",
      "agenda.step.term_sheet": "Term sheet",
      "agenda.step.investment": "Investimento",
      "agenda.step.partnership": "Partnership",
      "agenda.step.none": "Nessun altro passo",
      "agenda.count_one": "1 incontro",
      "agenda.table": "Tavolo {n}",
      "agenda.with_people": "Con {names}",
      "agenda.kind.company": "azienda",
      "agenda.kind.investor": "investitore",
      "agenda.status.scheduled": "In programma",
      "agenda.status.locked": "Confermato",
      "agenda.status.cancelled": "Annullato",
      "agenda.status.held": "Svolto",
      "agenda.status.no_show": "Assente",
      "agenda.print": "Stampa",
      "agenda.download": "Scarica .ics",
      "agenda.download_failed": "Non è stato possibile scaricare il file .ics (errore {status}).",
      "agenda.feeds.title": "Abbonarsi dal calendario",
      "agenda.feeds.intro": "Un link al feed tiene aggiornata con questi incontri la sua app di calendario (Google Calendar, Outlook, Calendario di Apple). Chiunque abbia il link può leggere la sua agenda: lo tenga riservato e lo revochi se finisce in mani altrui.",
      "agenda.feeds.create": "Crea un link al feed",
      "agenda.feeds.creating": "Creazione…",
      "agenda.feeds.created": "Il link al feed è pronto. Viene mostrato solo ora: lo copi nella sua app di calendario.",
      "agenda.feeds.url": "Link al feed",
      "agenda.feeds.copy": "Copia il link",
      "agenda.feeds.copied": "Link copiato.",
      "agenda.feeds.copy_failed": "La copia non è riuscita: selezioni il link e lo copi a mano.",
      "agenda.feeds.webcal": "Apri nella mia app di calendario",
      "agenda.feeds.list": "I suoi link ai feed",
      "agenda.feeds.none": "Ancora nessun link al feed.",
      "agenda.feeds.item": "Creato il {created}",
      "agenda.feeds.used": "letto l'ultima volta il {used}",
      "agenda.feeds.unused": "mai letto finora",
      "agenda.feeds.all_events": "tutti gli eventi",
      "agenda.feeds.revoke": "Revoca",
      "agenda.feeds.revoke_label": "Revoca il link al feed creato il {created}",
      "agenda.feeds.revoked": "Il link al feed è stato revocato: i calendari che lo usano non ricevono più aggiornamenti.",
    },
  });

  /* ---- data ---- */

  /* The events shown: ?event=E, else every event the profile attends (GET /v1/events lists
   * only those for a participant), each with its public fields and this profile's meetings. */
  async function load(ctx) {
    const only = ctx.params.get("event");
    let ids;
    if (only) {
      ids = [only];
    } else {
      const list = await api("GET", "/v1/events");
      if (!list.ok) return { error: list };
      ids = (list.body.items || []).map((e) => String(e.id));
    }
    const events = await Promise.all(ids.map(async (id) => {
      const path = "/v1/events/" + encodeURIComponent(id);
      const [ev, mt] = await Promise.all([api("GET", path), api("GET", path + "/meetings")]);
      if (!ev.ok) return { id, error: ev };
      if (!mt.ok) return { id, error: mt };
      return { id, event: ev.body, meetings: mt.body.items || [] };
    }));
    /* In the order they happen: by first day, then id. */
    const first = (x) => (x.event && Array.isArray(x.event.days) && x.event.days[0]) || "9999";
    events.sort((a, b) => first(a).localeCompare(first(b)) || a.id.localeCompare(b.id));
    return { events };
  }

  /* ---- time ---- */

  /* The local day "YYYY-MM-DD" of a slot as the API writes it ("2027-01-11T09:00:00-08:00"):
   * the event's own day, whatever the viewer's zone. */
  function localDay(slot) {
    return String(slot).slice(0, 10);
  }

  function endOf(slot, minutes) {
    return new Date(new Date(slot).getTime() + minutes * 60000).toISOString();
  }

  function span(slot, minutes, zone) {
    return tavolo.fmt.time(slot, zone) + "–" + tavolo.fmt.time(endOf(slot, minutes), zone);
  }

  /* The day "YYYY-MM-DD" of an instant in zone 'tz'. */
  function dayIn(iso, tz) {
    const p = {};
    for (const x of new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit", timeZone: tz }).formatToParts(new Date(iso))) p[x.type] = x.value;
    return p.year + "-" + p.month + "-" + p.day;
  }

  /* The span in the viewer's zone, with its day when that is not the event's day (a meeting at
   * 15:00 in San Francisco is after midnight in Rome). */
  function viewerSpan(slot, minutes, viewer) {
    const text = span(slot, minutes, viewer);
    if (dayIn(slot, viewer) === localDay(slot)) return text;
    const day = new Intl.DateTimeFormat(tavolo.locale(), { weekday: "short", day: "numeric", month: "short", timeZone: viewer }).format(new Date(slot));
    return day + ", " + text;
  }

  /* ---- the meetings ---- */

  /* ---- what came of a meeting (issue 18, decision 0067): once it has begun, its side says
   * whether it was held, a rating, a follow-up and next steps; its own answers only. ---- */

  const STEPS = ["second_meeting", "nda", "due_diligence", "term_sheet", "investment", "partnership", "none"];

  /* The side's answer in words: "Held · 4/5 · follow-up wanted · Term sheet (20 Jan)". */
  function answerText(a) {
    const parts = [];
    if (a.held !== null) parts.push(t(a.held ? "agenda.outcome.was_held" : "agenda.outcome.was_no_show"));
    if (a.rating !== null) parts.push(t("agenda.outcome.rated", { n: a.rating }));
    if (a.follow_up !== null) parts.push(t(a.follow_up ? "agenda.outcome.wants_follow_up" : "agenda.outcome.no_follow_up"));
    for (const s of a.next_steps) {
      parts.push(t("agenda.step." + s.kind) + (s.amount_eur ? " " + tavolo.fmt.number(s.amount_eur) + " EUR" : "") +
        (s.date ? " (" + tavolo.fmt.day(s.date) + ")" : ""));
    }
    return parts.join(" · ");
  }

  function outcomeBlock(eventId, m) {
    const path = "/v1/events/" + encodeURIComponent(eventId) + "/meetings/" + encodeURIComponent(m.id) + "/outcomes";
    const id = "outcome-" + m.id;
    const status = h("p", { id: id + "-status", class: "status", hidden: true });
    const said = h("p", { id: id + "-answer", class: "agenda-outcome-answer muted" });
    const radio = (name, value, key) => h("label", null, h("input", { type: "radio", name: id + "-" + name, value }), " ", t(key));
    const step = h("select", { id: id + "-step" }, h("option", { value: "", text: t("agenda.outcome.no_step") }),
      STEPS.map((k) => h("option", { value: k, text: t("agenda.step." + k) })));
    const amount = h("input", { id: id + "-amount", type: "number", min: "1", step: "1", inputmode: "numeric" });
    const date = h("input", { id: id + "-date", type: "date" });
    const follow = h("input", { id: id + "-follow", type: "checkbox" });
    const form = h("form", { class: "agenda-outcome-form", id: id + "-form", hidden: true },
      h("fieldset", null, h("legend", { text: t("agenda.outcome.held_q") }),
        radio("held", "true", "agenda.outcome.held"), " ", radio("held", "false", "agenda.outcome.no_show")),
      h("fieldset", null, h("legend", { text: t("agenda.outcome.rating_q") }),
        [1, 2, 3, 4, 5].flatMap((n) => [radio("rating", String(n), "agenda.outcome.n" + n), " "])),
      h("p", null, h("label", { for: id + "-follow" }, follow, " ", t("agenda.outcome.follow_up"))),
      h("p", null, h("label", { for: id + "-step", text: t("agenda.outcome.step") }), " ", step),
      h("p", null, h("label", { for: id + "-amount", text: t("agenda.outcome.amount") }), " ", amount, " ",
        h("label", { for: id + "-date", text: t("agenda.outcome.date") }), " ", date),
      h("button", { type: "submit", id: id + "-save", text: t("agenda.outcome.save") }));
    const show = (body) => {
      const mine = body && body.sides ? Object.values(body.sides)[0] : null;
      said.textContent = mine ? t("agenda.outcome.yours", { answer: answerText(mine) }) : t("agenda.outcome.none");
    };
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const checked = (name) => { const x = form.querySelector("input[name='" + id + "-" + name + "']:checked"); return x ? x.value : null; };
      const body = {};
      if (checked("held") !== null) body.held = checked("held") === "true";
      if (checked("rating") !== null) body.rating = Number(checked("rating"));
      if (follow.checked) body.follow_up = true;
      if (step.value) {
        body.next_step = { kind: step.value };
        if (amount.value) body.next_step.amount_eur = Number(amount.value);
        if (date.value) body.next_step.date = date.value;
      }
      if (!Object.keys(body).length) {
        tavolo.showStatus(status, "error", "agenda.outcome.empty");
        return;
      }
      const res = await api("POST", path, body);
      if (!res.ok) {
        tavolo.showStatus(status, "error", "agenda.outcome.refused", { status: res.status, detail: (res.body && res.body.detail) || "" });
        return;
      }
      show(res.body);
      form.reset();
      tavolo.showStatus(status, "ok", "agenda.outcome.saved");
    });
    const open = h("button", { type: "button", class: "secondary", id: id + "-open", text: t("agenda.outcome.open"),
      "aria-expanded": "false", "aria-controls": id + "-form",
      onclick: async () => {
        const opening = form.hidden;
        form.hidden = !opening;
        open.setAttribute("aria-expanded", String(opening));
        if (!opening) return;
        const res = await api("GET", path);
        if (res.ok) show(res.body);
        else tavolo.showStatus(status, "error", "agenda.outcome.refused", { status: res.status, detail: (res.body && res.body.detail) || "" });
      } });
    return h("div", { class: "agenda-outcome", "data-meeting": m.id }, open, said, form, status);
  }

  function meetingItem(m, ev, viewer, eventId) {
    const minutes = Number(ev.slot_minutes) || 30;
    const zone = ev.time_zone;
    const other = m.with || {};
    const status = String(m.status || "scheduled");
    const time = h("p", { class: "agenda-time" },
      h("time", { datetime: String(m.slot), text: span(m.slot, minutes, zone) }));
    if (viewer !== zone) {
      time.append(" ", h("span", { class: "agenda-viewer-time", text: "(" + viewerSpan(m.slot, minutes, viewer) + " " + viewer + ")" }));
    }
    const people = Array.isArray(other.people) && other.people.length
      ? h("p", { class: "agenda-people", text: t("agenda.with_people", { names: other.people.join(", ") }) })
      : null;
    return h("li", { class: "agenda-meeting status-" + status.replace(/[^a-z_]/g, "") },
      time,
      h("p", { class: "agenda-table", text: t("agenda.table", { n: m.table }) }),
      h("p", { class: "agenda-other" },
        h("strong", { text: String(other.name || other.id || "") }),
        " ",
        h("span", { class: "agenda-kind", text: t("agenda.kind." + (other.kind === "investor" ? "investor" : "company")) })),
      people,
      h("p", { class: "agenda-status", text: t("agenda.status." + status) }),
      status !== "cancelled" && new Date(m.slot) <= new Date() ? outcomeBlock(eventId, m) : null);
  }

  function countText(n) {
    return n === 1 ? t("agenda.count_one") : t("agenda.count", { n: tavolo.fmt.number(n) });
  }

  /* The meetings of one event grouped by the event's local day, in slot order. */
  function days(meetings) {
    const byDay = new Map();
    const sorted = meetings.slice().sort((a, b) => new Date(a.slot) - new Date(b.slot) || a.table - b.table);
    for (const m of sorted) {
      const d = localDay(m.slot);
      if (!byDay.has(d)) byDay.set(d, []);
      byDay.get(d).push(m);
    }
    return byDay;
  }

  function emptyText(ev) {
    if (ev.request_deadline) {
      return t("agenda.none_deadline", { date: tavolo.fmt.dateTime(ev.request_deadline, ev.time_zone) });
    }
    return t("agenda.none_later");
  }

  function eventSection(item, viewer, state) {
    if (item.error) {
      return h("section", { class: "agenda-event card" },
        h("p", { class: "status error", role: "alert", text: tavolo.problemText(item.error) }));
    }
    const ev = item.event;
    const zone = String(ev.time_zone || "UTC");
    const section = h("section", { class: "agenda-event", "aria-labelledby": "agenda-ev-" + state.n },
      h("h2", { id: "agenda-ev-" + state.n, text: String(ev.name || item.id) + (ev.city ? " · " + ev.city : "") }),
      h("p", { class: "muted agenda-zone", text: viewer === zone ? t("agenda.event_zone", { zone }) : t("agenda.both_zones", { zone, viewer }) }));
    state.n++;
    if (!item.meetings.length) {
      section.append(h("div", { class: "card agenda-empty" },
        h("p", { text: t("agenda.none") }), h("p", { class: "muted", text: emptyText(ev) })));
      return section;
    }
    for (const [day, list] of days(item.meetings)) {
      const id = "agenda-day-" + state.days;
      const dayEl = h("section", { class: "agenda-day" + (state.days === 0 ? " first-day" : ""), "aria-labelledby": id },
        h("h3", { id },
          h("span", { text: tavolo.fmt.day(day) }),
          h("span", { class: "agenda-count muted", text: countText(list.length) })),
        h("ol", { class: "agenda-list" }, list.map((m) => meetingItem(m, ev, viewer, item.id))));
      dayEl.dataset.day = day;
      state.days++;
      section.append(dayEl);
    }
    return section;
  }

  /* ---- the .ics download of the current agenda ---- */

  function download(item, ctx, statusEl) {
    return tavolo.download("/v1/events/" + encodeURIComponent(item.id) + "/agenda.ics", item.id + ".ics",
      statusEl, "agenda.download_failed");
  }

  function actions(ctx, loaded) {
    const statusEl = h("p", { id: "agenda-actions-status", class: "status", role: "status", "aria-live": "polite", hidden: true });
    const bar = h("div", { class: "agenda-actions" },
      h("button", { type: "button", class: "secondary", id: "agenda-print", text: t("agenda.print"), onclick: () => window.print() }));
    for (const item of loaded.events || []) {
      if (item.error) continue;
      const name = (loaded.events.length > 1 ? " · " + String(item.event.name || item.id) : "");
      bar.append(h("button", { type: "button", class: "secondary agenda-download", "data-event": item.id,
        text: t("agenda.download") + name, onclick: () => download(item, ctx, statusEl) }));
    }
    return [bar, statusEl];
  }

  /* ---- calendar feeds ---- */

  function mine(ctx, f) {
    return f.kind === ctx.profile.kind && String(f.profile_id) === String(ctx.profile.id);
  }

  async function copyUrl(input, statusEl) {
    try {
      await navigator.clipboard.writeText(input.value);
      tavolo.showStatus(statusEl, "ok", "agenda.feeds.copied");
    } catch (e) {
      input.focus();
      input.select();
      tavolo.showStatus(statusEl, "error", "agenda.feeds.copy_failed");
    }
  }

  /* The feed just made: its URL (shown only now), a copy button, the webcal:// link and the
   * download of the same calendar. */
  function newFeed(created) {
    const statusEl = h("p", { id: "agenda-copy-status", class: "status", role: "status", "aria-live": "polite", hidden: true });
    const input = h("input", { id: "agenda-feed-url", type: "text", readonly: true, value: String(created.url), spellcheck: "false" });
    input.addEventListener("focus", () => input.select());
    return h("div", { class: "agenda-new-feed" },
      h("p", { class: "status ok", role: "status", text: t("agenda.feeds.created") }),
      h("label", { for: "agenda-feed-url", text: t("agenda.feeds.url") }),
      h("div", { class: "agenda-feed-row" }, input,
        h("button", { type: "button", id: "agenda-copy", text: t("agenda.feeds.copy"), onclick: () => copyUrl(input, statusEl) })),
      h("p", { class: "agenda-feed-links" },
        h("a", { id: "agenda-webcal", href: String(created.webcal), text: t("agenda.feeds.webcal") }),
        h("a", { id: "agenda-feed-download", href: new URL(String(created.url)).pathname, download: "agenda.ics", text: t("agenda.download") })),
      statusEl);
  }

  function feedItem(f, names, onRevoke) {
    const created = tavolo.fmt.dateTime(f.created_at);
    const used = f.last_used_at ? t("agenda.feeds.used", { used: tavolo.fmt.dateTime(f.last_used_at) }) : t("agenda.feeds.unused");
    const scope = f.event ? String(names[f.event] || f.event) : t("agenda.feeds.all_events");
    return h("li", { class: "agenda-feed" },
      h("span", { class: "agenda-feed-what" },
        h("strong", { text: scope }), " · ", t("agenda.feeds.item", { created }), " · ", used),
      h("button", { type: "button", class: "secondary", "aria-label": t("agenda.feeds.revoke_label", { created }),
        text: t("agenda.feeds.revoke"), onclick: () => onRevoke(f) }));
  }

  async function feedsSection(ctx, loaded, rerender) {
    const cache = ctx.cache.agendaFeeds;
    const only = ctx.params.get("event");
    const names = {};
    for (const item of loaded.events || []) if (item.event) names[item.id] = item.event.name || item.id;
    const statusEl = h("p", { id: "agenda-feeds-status", class: "status", role: "status", "aria-live": "polite", hidden: true });
    const create = h("button", { type: "button", id: "agenda-feed-create", text: t("agenda.feeds.create") });
    create.addEventListener("click", async () => {
      create.disabled = true;
      create.textContent = t("agenda.feeds.creating");
      const r = await api("POST", "/v1/me/calendar-feeds", only ? { event: only } : {});
      create.disabled = false;
      if (r.status !== 201) {
        statusEl.hidden = false;
        statusEl.className = "status error";
        statusEl.textContent = tavolo.problemText(r);
        create.textContent = t("agenda.feeds.create");
        return;
      }
      cache.created = r.body;
      cache.list = null;
      rerender();
    });
    if (!cache.list) {
      const r = await api("GET", "/v1/me/calendar-feeds");
      cache.list = r.ok ? (r.body.feeds || []) : [];
    }
    const own = cache.list.filter((f) => mine(ctx, f));
    const onRevoke = async (f) => {
      const r = await api("DELETE", "/v1/me/calendar-feeds/" + encodeURIComponent(f.id));
      if (r.status === 204 || r.status === 404) {
        cache.list = null;
        if (cache.created && cache.created.id === f.id) cache.created = null;
        cache.revoked = true;
        rerender();
      } else {
        statusEl.hidden = false;
        statusEl.className = "status error";
        statusEl.textContent = tavolo.problemText(r);
      }
    };
    const section = h("section", { class: "card agenda-feeds", "aria-labelledby": "agenda-feeds-title" },
      h("h2", { id: "agenda-feeds-title", text: t("agenda.feeds.title") }),
      h("p", { text: t("agenda.feeds.intro") }),
      cache.created ? newFeed(cache.created) : create,
      h("h3", { text: t("agenda.feeds.list") }),
      own.length ? h("ul", { class: "agenda-feed-list" }, own.map((f) => feedItem(f, names, onRevoke)))
        : h("p", { class: "muted", text: t("agenda.feeds.none") }),
      statusEl);
    if (cache.revoked) {
      tavolo.showStatus(statusEl, "ok", "agenda.feeds.revoked");
      cache.revoked = false;
    }
    return section;
  }

  /* ---- the page ---- */

  async function render(ctx) {
    const key = ctx.profile.kind + ":" + ctx.profile.id + "|" + (ctx.params.get("event") || "");
    if (!ctx.cache.agenda || ctx.cache.agenda.key !== key) {
      ctx.cache.agenda = { key, loaded: await load(ctx) };
      ctx.cache.agendaFeeds = {};
    }
    const loaded = ctx.cache.agenda.loaded;
    const viewer = tavolo.viewerZone();
    const root = ctx.root;
    const rerender = () => {
      root.replaceChildren();
      render(ctx);
    };
    root.classList.add("agenda");
    const head = h("div", { class: "agenda-head" },
      h("h1", { text: t("agenda.title") + " · " + String(ctx.profile.name || ctx.profile.id) }),
      h("p", { class: "muted", text: t("agenda.intro") }));
    root.append(head);
    if (loaded.error) {
      root.append(h("p", { class: "status error", role: "alert", text: tavolo.problemText(loaded.error) }));
      return;
    }
    root.append(...actions(ctx, loaded));
    if (!loaded.events.length) root.append(h("p", { class: "card", text: t("agenda.no_events") }));
    const state = { n: 0, days: 0 };
    for (const item of loaded.events) root.append(eventSection(item, viewer, state));
    root.append(await feedsSection(ctx, loaded, rerender));
  }

  tavolo.page("/agenda", { title: "agenda.title", render });
})();
