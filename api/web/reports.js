/* The organisers' reports (issue 17, docs/web.md "Reports"): the event's meetings in figures,
 * GET /v1/events/{id}/figures (for an admin, the Tour's: GET /v1/figures), of every company or
 * of the ESIBE-eligible ones only (?esibe=true, kept in the page's address), each figure a bar chart drawn as SVG in the page (no external
 * service), its numbers written beside every bar and in a table, and a CSV of it to download:
 * meetings per participant, requests sent and accepted by side, how many companies met each
 * kind of investor, meetings by pathology, technology, investor kind and country. */
"use strict";

(() => {
  const { h, t } = tavolo;
  const SVG = "http://www.w3.org/2000/svg";

  tavolo.addMessages({
    en: {
      "reports.title": "Reports",
      "reports.loading": "Counting the event's meetings…",
      "reports.total": "{meetings} meetings, not cancelled; {companies} companies take part.",
      "reports.per.company": "Companies by number of meetings",
      "reports.per.investor": "Investors by number of meetings",
      "reports.n_meetings": "{n} meetings",
      "reports.requests": "Requests, by the side that asked",
      "reports.sent": "sent by {side}",
      "reports.accepted": "accepted, asked by {side}",
      "reports.side.company": "companies",
      "reports.side.investor": "investors",
      "reports.coverage": "Companies that met at least one investor of each kind",
      "reports.of": "{n} of {total}",
      "reports.by_pathology": "Meetings by pathology",
      "reports.by_technology": "Meetings by technology",
      "reports.by_investor_kind": "Meetings by investor kind",
      "reports.by_investor_country": "Meetings by investor country",
      "reports.multi": "A meeting counts once for each of its company's terms.",
      "reports.csv": "CSV",
      "reports.col.what": "What",
      "reports.col.count": "Count",
      "reports.empty": "Nothing to count yet.",
      "reports.outcomes": "What came of the meetings",
      "reports.outcomes_note": "From what each side recorded after its meetings. A rate needs {n} cases at least; a pair is recommended when the investor is among the company's best {k} of the event's investors.",
      "reports.too_few": "too few cases ({n})",
      "reports.rate": "{p}% of {n}",
      "reports.decile": "fit {from}–{to}",
      "reports.acceptance": "Requests accepted",
      "reports.acceptance.recommended": "pairs tavolo recommended",
      "reports.acceptance.other": "other pairs",
      "reports.acceptance_fit": "Requests accepted, by fit",
      "reports.rating_fit": "Mean rating (1 to 5), by fit",
      "reports.mean_rating": "{r} of {n}",
      "reports.follow_fit": "Meetings that led to a follow-up, by fit",
      "reports.recall": "Meetings that led to a follow-up, among the company's best investors",
      "reports.recall_k": "best {k}",
      "reports.outcomes_kind": "Follow-ups by investor kind",
      "reports.outcome_counts": "{follow_ups} of {meetings} (no-shows {no_shows}, term sheets {term_sheets}, investments {investments})",
      "reports.tour": "Reports of the Tour",
      "reports.tour_events": "All {n} events of the Tour together: a company at several events is one company, with all its meetings.",
      "reports.esibe": "ESIBE-eligible companies only",
      "reports.esibe_on": "Only the companies judged ESIBE-eligible are counted: their meetings, requests and participation.",
    },
    it: {
      "reports.title": "Rapporti",
      "reports.loading": "Conteggio degli incontri dell'evento…",
      "reports.total": "{meetings} incontri non annullati; partecipano {companies} aziende.",
      "reports.per.company": "Aziende per numero di incontri",
      "reports.per.investor": "Investitori per numero di incontri",
      "reports.n_meetings": "{n} incontri",
      "reports.requests": "Richieste, per parte che le ha chieste",
      "reports.sent": "inviate da {side}",
      "reports.accepted": "accettate, chieste da {side}",
      "reports.side.company": "aziende",
      "reports.side.investor": "investitori",
      "reports.coverage": "Aziende che hanno incontrato almeno un investitore di ciascun tipo",
      "reports.of": "{n} su {total}",
      "reports.by_pathology": "Incontri per patologia",
      "reports.by_technology": "Incontri per tecnologia",
      "reports.by_investor_kind": "Incontri per tipo di investitore",
      "reports.by_investor_country": "Incontri per paese dell'investitore",
      "reports.multi": "Un incontro conta una volta per ciascun termine della sua azienda.",
      "reports.csv": "CSV",
      "reports.col.what": "Voce",
      "reports.col.count": "Numero",
      "reports.empty": "Ancora niente da contare.",
      "reports.outcomes": "Che cosa è venuto dagli incontri",
      "reports.outcomes_note": "Da quanto ciascuna parte ha registrato dopo i suoi incontri. Una percentuale richiede almeno {n} casi; una coppia è consigliata quando l'investitore è tra i migliori {k} dell'evento per l'azienda.",
      "reports.too_few": "troppo pochi casi ({n})",
      "reports.rate": "{p}% di {n}",
      "reports.decile": "affinità {from}–{to}",
      "reports.acceptance": "Richieste accettate",
      "reports.acceptance.recommended": "coppie consigliate da tavolo",
      "reports.acceptance.other": "altre coppie",
      "reports.acceptance_fit": "Richieste accettate, per affinità",
      "reports.rating_fit": "Valutazione media (da 1 a 5), per affinità",
      "reports.mean_rating": "{r} su {n}",
      "reports.follow_fit": "Incontri con un seguito, per affinità",
      "reports.recall": "Incontri con un seguito, tra i migliori investitori per l'azienda",
      "reports.recall_k": "migliori {k}",
      "reports.outcomes_kind": "Seguiti per tipo di investitore",
      "reports.outcome_counts": "{follow_ups} su {meetings} (assenze {no_shows}, term sheet {term_sheets}, investimenti {investments})",
      "reports.tour": "Rapporti del Tour",
      "reports.tour_events": "Tutti i {n} eventi del Tour insieme: un'azienda presente a più eventi conta una volta, con tutti i suoi incontri.",
      "reports.esibe": "Solo aziende idonee ESIBE",
      "reports.esibe_on": "Contano solo le aziende giudicate idonee ESIBE: i loro incontri, richieste e partecipazione.",
    },
  });

  function svg(tag, attrs) {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
    return el;
  }

  const ROW = 26, LABEL = 290, BAR = 340, NUM = 90;

  /* A horizontal bar chart of 'rows' [{label, value, text}] (text: the number as written). */
  function barChart(rows, title) {
    const max = Math.max(1, ...rows.map((r) => r.value));
    const chart = svg("svg", { class: "chart", role: "img", "aria-label": title,
      viewBox: `0 0 ${LABEL + BAR + NUM} ${rows.length * ROW + 4}`, width: LABEL + BAR + NUM, height: rows.length * ROW + 4 });
    rows.forEach((r, i) => {
      const y = i * ROW + 2, w = Math.max(1, Math.round((r.value / max) * BAR));
      const label = svg("text", { x: LABEL - 8, y: y + 17, "text-anchor": "end", class: "label" });
      label.textContent = r.label;
      const bar = svg("rect", { x: LABEL, y: y + 4, width: w, height: ROW - 8, rx: 2, class: "bar" });
      const num = svg("text", { x: LABEL + w + 6, y: y + 17, class: "num" });
      num.textContent = r.text;
      chart.append(label, bar, num);
    });
    return chart;
  }

  /* A figure: its title, the chart, the same numbers in a table, a CSV download. */
  function figure(id, title, rows, note) {
    const csv = [[t("reports.col.what"), t("reports.col.count")], ...rows.map((r) => [r.label, String(r.value)])]
      .map((line) => line.map((x) => '"' + String(x).replace(/"/g, '""') + '"').join(",")).join("\n") + "\n";
    const download = h("a", { class: "csv", download: id + ".csv", text: t("reports.csv"),
      href: "data:text/csv;charset=utf-8," + encodeURIComponent(csv) });
    return h("section", { class: "card figure-card", id: "fig-" + id, "aria-labelledby": "fig-" + id + "-title" },
      h("h2", { id: "fig-" + id + "-title", text: title }),
      note ? h("p", { class: "muted", text: note }) : null,
      rows.length ? h("div", { class: "scroll" }, barChart(rows, title)) : h("p", { class: "muted", text: t("reports.empty") }),
      rows.length ? h("table", { class: "numbers" },
        h("thead", null, h("tr", null, h("th", { scope: "col", text: t("reports.col.what") }), h("th", { scope: "col", text: t("reports.col.count") }))),
        h("tbody", null, rows.map((r) => h("tr", null, h("th", { scope: "row", text: r.label }), h("td", { text: r.text }))))) : null,
      rows.length ? download : null);
  }

  function termLabel(tax, kind, id) {
    const list = tax && Array.isArray(tax[kind]) ? tax[kind] : [];
    const e = list.find((x) => x.id === id);
    return e && e.label ? e.label[tavolo.state.lang] || e.label.en || id : id;
  }

  function country(code) {
    try {
      return new Intl.DisplayNames([tavolo.locale()], { type: "region" }).of(code) || code;
    } catch (e) {
      return code;
    }
  }

  /* "ESIBE-eligible companies only": the page again with or without ?esibe=true. */
  function esibeToggle(esibe) {
    const box = h("input", { type: "checkbox", id: "reports-esibe", checked: esibe,
      onchange: () => window.location.assign(tavolo.href("/reports", { esibe: box.checked ? "true" : "" })) });
    return h("p", { class: "esibe" }, box, " ", h("label", { for: "reports-esibe", text: t("reports.esibe") }));
  }

  async function render(ctx) {
    const tour = ctx.profile.kind === "admin";
    const esibe = ctx.params.get("esibe") === "true";
    const root = h("div", { class: "reports-page" }, h("h1", { text: t(tour ? "reports.tour" : "reports.title") }),
      esibeToggle(esibe));
    ctx.root.append(root);
    const key = ctx.profile.kind + ":" + ctx.profile.id + (esibe ? ":esibe" : "");
    let data = ctx.cache.reports;
    if (!data || data.key !== key) {
      const wait = h("p", { class: "muted", text: t("reports.loading") });
      root.append(wait);
      const path = (tour ? "/v1/figures" : "/v1/events/" + encodeURIComponent(String(ctx.profile.id)) + "/figures") +
        (esibe ? "?esibe=true" : "");
      const [f, x, o] = await Promise.all([tavolo.api("GET", path), tavolo.api("GET", "/v1/taxonomy"),
        tavolo.api("GET", tour ? "/v1/report" : "/v1/events/" + encodeURIComponent(String(ctx.profile.id)) + "/report")]);
      wait.remove();
      if (!f.ok || !f.body) {
        root.append(h("p", { class: "status error", role: "alert", "data-kind": "error", text: tavolo.problemText(f) }));
        return;
      }
      data = ctx.cache.reports = { key, f: f.body, tax: x.ok ? x.body : null, o: o && o.ok ? o.body : null };
    }
    const { f, tax, o } = data;
    const n = (v) => tavolo.fmt.number(v);
    const per = (kind) => f.per_participant.filter((r) => r.kind === kind)
      .map((r) => ({ label: t("reports.n_meetings", { n: r.meetings }), value: r.participants, text: n(r.participants) }));
    const requests = [];
    for (const side of ["company", "investor"]) {
      const q = f.requests[side] || { sent: 0, accepted: 0 };
      const who = t("reports.side." + side);
      requests.push({ label: t("reports.sent", { side: who }), value: q.sent, text: n(q.sent) },
        { label: t("reports.accepted", { side: who }), value: q.accepted, text: n(q.accepted) });
    }
    const by = (list, label) => list.map((r) => ({ label: label(r.key), value: r.meetings, text: n(r.meetings) }));
    root.append(...[ /* DOM's append writes a null as "null": the notes that apply only */
      tour ? h("p", { id: "reports-tour", class: "muted", text: t("reports.tour_events", { n: n(f.events.length) }) }) : null,
      esibe ? h("p", { id: "reports-esibe-note", class: "muted", text: t("reports.esibe_on") }) : null].filter(Boolean),
      h("p", { id: "reports-total", text: t("reports.total", { meetings: n(f.meetings), companies: n(f.companies) }) }),
      figure("per-company", t("reports.per.company"), per("company")),
      figure("per-investor", t("reports.per.investor"), per("investor")),
      figure("requests", t("reports.requests"), requests),
      figure("coverage", t("reports.coverage"), f.coverage.map((r) => ({
        label: termLabel(tax, "investor_kinds", r.kind), value: r.companies, text: t("reports.of", { n: n(r.companies), total: n(f.companies) }) }))),
      figure("pathology", t("reports.by_pathology"), by(f.by_pathology, (k) => termLabel(tax, "pathologies", k)), t("reports.multi")),
      figure("technology", t("reports.by_technology"), by(f.by_technology, (k) => termLabel(tax, "technologies", k)), t("reports.multi")),
      figure("investor-kind", t("reports.by_investor_kind"), by(f.by_investor_kind, (k) => termLabel(tax, "investor_kinds", k))),
      figure("investor-country", t("reports.by_investor_country"), by(f.by_investor_country, country)));
    if (o) root.append(h("div", { class: "outcomes", id: "reports-outcomes" }, outcomes(o, tax)));
  }

  /* ---- what came of the meetings (issue 18, decision 0068): GET /v1/events/{id}/report ---- */

  /* A rate in words, with its cases: "62% of 40", or "too few cases (3)". */
  function rateText(r) {
    return r.too_few ? t("reports.too_few", { n: tavolo.fmt.number(r.cases) })
      : t("reports.rate", { p: Math.round(r.rate * 100), n: tavolo.fmt.number(r.cases) });
  }

  function rateRow(label, r) {
    return { label, value: r.too_few ? 0 : Math.round(r.rate * 100), text: rateText(r) };
  }

  function outcomes(o, tax) {
    const deciles = (rows, pick) => rows.map((x) => pick(t("reports.decile", { from: x.decile * 10, to: x.decile * 10 + 9 }), x));
    const kinds = o.by.investor_kind || {};
    return [
      h("h2", { class: "outcomes-title", text: t("reports.outcomes") }),
      h("p", { class: "muted", text: t("reports.outcomes_note", { n: o.min_cases, k: o.recommended_k }) }),
      figure("acceptance", t("reports.acceptance"), [
        rateRow(t("reports.acceptance.recommended"), o.acceptance.recommended),
        rateRow(t("reports.acceptance.other"), o.acceptance.other)]),
      figure("acceptance-fit", t("reports.acceptance_fit"), deciles(o.acceptance.by_fit_decile, (label, x) => rateRow(label, x.requests))),
      figure("rating-fit", t("reports.rating_fit"), deciles(o.by_fit_decile, (label, x) => ({
        label, value: x.too_few ? 0 : Math.round(x.mean_rating * 20),
        text: x.too_few ? t("reports.too_few", { n: tavolo.fmt.number(x.rated) })
          : t("reports.mean_rating", { r: x.mean_rating.toFixed(2), n: tavolo.fmt.number(x.rated) }) }))),
      figure("follow-fit", t("reports.follow_fit"), deciles(o.by_fit_decile, (label, x) => rateRow(label, x.follow_up))),
      figure("recall", t("reports.recall"), o.recall.map((x) => rateRow(t("reports.recall_k", { k: x.k }), x.meetings))),
      figure("outcomes-kind", t("reports.outcomes_kind"), Object.entries(kinds).map(([key, c]) => ({
        label: termLabel(tax, "investor_kinds", key), value: c[2],
        text: t("reports.outcome_counts", { meetings: c[0], no_shows: c[1], follow_ups: c[2], term_sheets: c[3], investments: c[4] }) }))),
    ];
  }

  tavolo.page("/reports", { title: "reports.title", kinds: ["organiser", "admin"], render });
})();
