/* "My matches" and the pair page (issue 16, docs/web.md): the chosen profile's ranked,
 * explained matches with the server's filters and text search, and one pair's public profiles
 * side by side with the blocks of its score as a bar chart. Every value is shown as text. */
"use strict";

(() => {
  const { h, t } = tavolo;
  const FILTERS = ["event", "area", "pathology", "technology", "stage", "country", "q"];
  const BLOCKS = ["taxonomy", "text", "stage", "round", "ticket", "geography", "locality",
    "syndicate", "portfolio", "kind", "region", "lead"];

  tavolo.addMessages({
    en: {
      "matches.title": "My matches",
      "matches.intro.company": "The investors that fit {name} best, ranked by fit (0 to 100), and why.",
      "matches.intro.investor": "The companies that fit {name} best, ranked by fit (0 to 100), and why.",
      "matches.filters": "Filters",
      "matches.active": "({n} in use)",
      "matches.event": "Event",
      "matches.event.any": "All events",
      "matches.area": "Area",
      "matches.pathology": "Pathology",
      "matches.technology": "Technology",
      "matches.stage": "Stage",
      "matches.country": "Country",
      "matches.any": "Any",
      "matches.q": "Search",
      "matches.q.help.company": "Words of the investors' names.",
      "matches.q.help.investor": "Words of the companies' names and descriptions.",
      "matches.apply": "Show matches",
      "matches.clear": "Clear filters",
      "matches.count.0": "No match passes these filters. Clear some of them to see more.",
      "matches.count.1": "1 match.",
      "matches.count.n": "{n} matches.",
      "matches.count.filtered.1": "1 match passes these filters.",
      "matches.count.filtered.n": "{n} matches pass these filters, best first.",
      "matches.fit": "Fit {fit}/100",
      "matches.level": "{level} fit",
      "matches.taught": "Your answers to requests and meetings shape this list: a company you said no to does not come back, and companies like those you welcomed rise.",
      "matches.taste.up": "Higher in your list: like companies you welcomed.",
      "matches.taste.down": "Lower in your list: like companies you said no to.",
      "matches.rank": "No. {n}",
      "matches.why": "Why",
      "matches.shared": "Shared terms",
      "matches.flags": "Hard constraint not met",
      "matches.pair": "See the pair in detail",
      "matches.request": "Request a meeting",
      "matches.request.choose": "To request a meeting, choose the event in the filters.",
      "matches.loading": "Loading matches…",
      "matches.bad_filter": "This filter was not accepted: {detail}",
      "kind.company.word": "Company",
      "pair.title": "The pair",
      "pair.back": "Back to my matches",
      "pair.not_yours": "This pair is not one of yours: open it from your matches.",
      "pair.missing": "The address must name a company and an investor.",
      "pair.score": "Score {score}: the fit is its rank among all pairs.",
      "pair.chart": "What makes the score",
      "pair.chart.help": "Each block's contribution to the score of {score}; the blocks add up to it.",
      "pair.constraints": "Hard constraints",
      "pair.reasons": "Why they fit",
      "pair.profile.company": "The company",
      "pair.profile.investor": "The investor",
      "pair.field.area": "Area",
      "pair.field.country": "Country",
      "pair.field.city": "City",
      "pair.field.stage": "Stage",
      "pair.field.round": "Round",
      "pair.field.raise": "Raising",
      "pair.field.founded": "Founded",
      "pair.field.pathologies": "Pathologies",
      "pair.field.technologies": "Technologies",
      "pair.field.description": "Description",
      "pair.field.kind": "Kind",
      "pair.field.regions": "Regions",
      "pair.field.stages": "Stages",
      "pair.field.rounds": "Rounds",
      "pair.field.ticket": "Ticket",
      "pair.field.leads": "Leads rounds",
      "pair.yes": "Yes",
      "pair.no": "No",
      "pair.state.pass": "met",
      "pair.state.fail": "not met",
      "pair.state.unknown": "unknown",
      "pair.state.off": "not checked",
      "block.taxonomy": "Shared focus",
      "block.text": "Shared words",
      "block.stage": "Stage",
      "block.round": "Round",
      "block.ticket": "Ticket size",
      "block.geography": "Geography",
      "block.locality": "City",
      "block.syndicate": "Co-investors",
      "block.portfolio": "Portfolio",
      "block.kind": "Investor kind wanted",
      "block.region": "Region wanted",
      "block.lead": "Lead wanted",
    },
    it: {
      "matches.title": "Le mie corrispondenze",
      "matches.intro.company": "Gli investitori più affini a {name}, in ordine di affinità (da 0 a 100), e perché.",
      "matches.intro.investor": "Le aziende più affini a {name}, in ordine di affinità (da 0 a 100), e perché.",
      "matches.filters": "Filtri",
      "matches.active": "({n} in uso)",
      "matches.event": "Evento",
      "matches.event.any": "Tutti gli eventi",
      "matches.area": "Area",
      "matches.pathology": "Patologia",
      "matches.technology": "Tecnologia",
      "matches.stage": "Fase",
      "matches.country": "Paese",
      "matches.any": "Qualsiasi",
      "matches.q": "Cerca",
      "matches.q.help.company": "Parole dei nomi degli investitori.",
      "matches.q.help.investor": "Parole dei nomi e delle descrizioni delle aziende.",
      "matches.apply": "Mostra",
      "matches.clear": "Togli i filtri",
      "matches.count.0": "Nessuna corrispondenza supera questi filtri. Ne tolga qualcuno per vederne di più.",
      "matches.count.1": "1 corrispondenza.",
      "matches.count.n": "{n} corrispondenze.",
      "matches.count.filtered.1": "1 corrispondenza supera questi filtri.",
      "matches.count.filtered.n": "{n} corrispondenze superano questi filtri, dalla migliore.",
      "matches.fit": "Affinità {fit}/100",
      "matches.level": "affinità {level}",
      "matches.taught": "Le tue risposte a richieste e incontri plasmano questa lista: un'azienda a cui hai detto no non torna, e salgono le aziende simili a quelle che hai accolto.",
      "matches.taste.up": "Più in alto nella tua lista: simile ad aziende che hai accolto.",
      "matches.taste.down": "Più in basso nella tua lista: simile ad aziende a cui hai detto no.",
      "matches.rank": "N. {n}",
      "matches.why": "Perché",
      "matches.shared": "Temi comuni",
      "matches.flags": "Vincolo non rispettato",
      "matches.pair": "Vedi la coppia nel dettaglio",
      "matches.request": "Chiedi un incontro",
      "matches.request.choose": "Per chiedere un incontro, scelga l'evento nei filtri.",
      "matches.loading": "Caricamento delle corrispondenze…",
      "matches.bad_filter": "Questo filtro non è stato accettato: {detail}",
      "kind.company.word": "Azienda",
      "pair.title": "La coppia",
      "pair.back": "Torna alle mie corrispondenze",
      "pair.not_yours": "Questa coppia non è tra le sue: la apra dalle sue corrispondenze.",
      "pair.missing": "L'indirizzo deve indicare un'azienda e un investitore.",
      "pair.score": "Punteggio {score}: l'affinità è la sua posizione tra tutte le coppie.",
      "pair.chart": "Da cosa viene il punteggio",
      "pair.chart.help": "Il contributo di ogni blocco al punteggio di {score}; i blocchi sommati lo danno.",
      "pair.constraints": "Vincoli",
      "pair.reasons": "Perché sono affini",
      "pair.profile.company": "L'azienda",
      "pair.profile.investor": "L'investitore",
      "pair.field.area": "Area",
      "pair.field.country": "Paese",
      "pair.field.city": "Città",
      "pair.field.stage": "Fase",
      "pair.field.round": "Round",
      "pair.field.raise": "Raccolta",
      "pair.field.founded": "Fondata",
      "pair.field.pathologies": "Patologie",
      "pair.field.technologies": "Tecnologie",
      "pair.field.description": "Descrizione",
      "pair.field.kind": "Tipo",
      "pair.field.regions": "Regioni",
      "pair.field.stages": "Fasi",
      "pair.field.rounds": "Round",
      "pair.field.ticket": "Ticket",
      "pair.field.leads": "Guida i round",
      "pair.yes": "Sì",
      "pair.no": "No",
      "pair.state.pass": "rispettato",
      "pair.state.fail": "non rispettato",
      "pair.state.unknown": "sconosciuto",
      "pair.state.off": "non verificato",
      "block.taxonomy": "Interessi comuni",
      "block.text": "Parole comuni",
      "block.stage": "Fase",
      "block.round": "Round",
      "block.ticket": "Dimensione del ticket",
      "block.geography": "Geografia",
      "block.locality": "Città",
      "block.syndicate": "Co-investitori",
      "block.portfolio": "Portafoglio",
      "block.kind": "Tipo di investitore cercato",
      "block.region": "Regione cercata",
      "block.lead": "Lead cercato",
    },
  });

  /* ---- shared helpers ---- */

  const other = (kind) => (kind === "company" ? "investor" : "company");
  const plural = (kind) => (kind === "company" ? "companies" : "investors");

  /* The taxonomy (GET /v1/taxonomy: labels in both languages), fetched once:
   * {raw, kind: Map(id -> term)}. */
  async function taxonomy(ctx) {
    if (!ctx.cache.taxonomy) {
      const res = await tavolo.api("GET", "/v1/taxonomy");
      if (!res.ok) return { res };
      const out = { raw: res.body };
      for (const [k, v] of Object.entries(res.body)) {
        if (Array.isArray(v) && k !== "countries") out[k] = new Map(v.map((x) => [x.id, x]));
      }
      ctx.cache.taxonomy = out;
    }
    return ctx.cache.taxonomy;
  }

  /* A term's label in the page's language. */
  function termLabel(x) {
    return (x.label && (x.label[tavolo.state.lang] || x.label.en)) || String(x.id);
  }

  function label(tax, kind, id) {
    const e = tax[kind] && tax[kind].get(id);
    return e ? termLabel(e) : String(id);
  }

  function countryName(code) {
    if (!code) return "";
    try {
      return new Intl.DisplayNames([tavolo.locale()], { type: "region" }).of(code) || code;
    } catch (e) {
      return code;
    }
  }

  function statusLine(ctx, res) {
    return h("p", { class: "status error", role: "alert", text: tavolo.problemText(res) });
  }

  /* ---- the list ---- */

  /* The filters of the address, as the server reads them. */
  function readFilters(params) {
    const f = {};
    for (const k of FILTERS) {
      const v = (params.get(k) || "").trim();
      if (v) f[k] = v;
    }
    return f;
  }

  function select(id, name, labelKey, options, value, anyKey) {
    const el = h("select", { id, name },
      h("option", { value: "", text: t(anyKey || "matches.any") }),
      options.map(([v, text]) => h("option", { value: v, selected: v === value, text })));
    return h("div", { class: "matches-field" }, h("label", { for: id, text: t(labelKey) }), el);
  }

  /* Terms in the file's order, a finer term indented under its parent. */
  function termOptions(tax, kind) {
    return (tax.raw[kind] || []).map((x) => [x.id, (x.parent ? "\u2014 " : "") + termLabel(x)]);
  }

  function filterForm(ctx, tax, events, f, onSubmit) {
    const countries = (tax.raw.countries || []).map((c) => [c, countryName(c)])
      .sort((a, b) => a[1].localeCompare(b[1], tavolo.locale()));
    const q = h("input", { id: "matches-q", name: "q", type: "search", value: f.q || "",
      maxlength: "200", autocomplete: "off", "aria-describedby": "matches-q-help" });
    const form = h("form", { id: "matches-filters", role: "search",
      "aria-labelledby": "matches-filters-title", novalidate: true },
    h("div", { class: "matches-grid" },
      select("matches-event", "event", "matches.event", events.map((e) => [e.id, e.name || e.id]),
        f.event, "matches.event.any"),
      select("matches-area", "area", "matches.area", termOptions(tax, "areas"), f.area),
      select("matches-pathology", "pathology", "matches.pathology",
        termOptions(tax, "pathologies"), f.pathology),
      select("matches-technology", "technology", "matches.technology",
        termOptions(tax, "technologies"), f.technology),
      select("matches-stage", "stage", "matches.stage", termOptions(tax, "stages"), f.stage),
      select("matches-country", "country", "matches.country", countries, f.country)),
    h("div", { class: "matches-field matches-search" },
      h("label", { for: "matches-q", text: t("matches.q") }), q,
      h("p", { id: "matches-q-help", class: "muted", text: t("matches.q.help." + ctx.profile.kind) })),
    h("div", { class: "matches-actions" },
      h("button", { type: "submit", text: t("matches.apply") }),
      h("button", { type: "button", class: "secondary", id: "matches-clear", text: t("matches.clear"),
        onclick: () => {
          for (const el of form.querySelectorAll("select, input")) el.value = "";
          form.requestSubmit();
        } })));
    /* Open on a wide screen; on a phone closed, so that the matches come first, unless the
     * address holds filters. The summary says how many are in force. */
    const active = Object.keys(f).length;
    const wide = window.matchMedia("(min-width: 40rem)").matches;
    const box = h("details", { class: "matches-filters card", open: wide || active > 0 },
      h("summary", null, h("h2", { id: "matches-filters-title", text: t("matches.filters") }),
        active ? h("span", { class: "muted", text: " " + t("matches.active", { n: active }) }) : null),
      form);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const next = {};
      for (const k of FILTERS) {
        const v = String(form.elements[k].value || "").trim();
        if (v) next[k] = v;
      }
      onSubmit(next);
    });
    return box;
  }

  function countText(n, filtered) {
    if (n === 0) return t("matches.count.0");
    const base = filtered ? "matches.count.filtered." : "matches.count.";
    return t(base + (n === 1 ? "1" : "n"), { n: tavolo.fmt.number(n) });
  }

  /* What the list shows of the other side: kind, country, and a company's area and stage. */
  function otherFacts(tax, m, side) {
    const facts = side === "investor"
      ? [m.investor_kind ? label(tax, "investor_kinds", m.investor_kind) : t("kind.investor"),
        countryName(m.investor_country)]
      : [t("kind.company.word"), countryName(m.company_country),
        m.company_area ? label(tax, "areas", m.company_area) : "",
        m.company_stage ? label(tax, "stages", m.company_stage) : ""];
    return facts.filter(Boolean).join(" · ");
  }

  function fitBadge(m) {
    const meter = h("span", { class: "fit-meter", "aria-hidden": "true" }, h("span", { class: "fit-fill" }));
    meter.firstChild.style.width = Math.max(0, Math.min(100, Number(m.fit) || 0)) + "%";
    return h("p", { class: "fit" },
      h("strong", { text: t("matches.fit", { fit: m.fit }) }), " ",
      h("span", { class: "level", text: t("matches.level", { level: m.level }) }), meter);
  }

  /* What the investor's own answers did to this match's place (decision 0069): said only
   * when it moved the score by a hundredth or more. */
  const TASTE_SAID = 0.01;

  function tasteNote(m) {
    if (!(Math.abs(Number(m.taste) || 0) >= TASTE_SAID)) return null;
    return h("p", { class: "match-taste " + (m.taste > 0 ? "up" : "down"),
      text: t(m.taste > 0 ? "matches.taste.up" : "matches.taste.down") });
  }

  function requestLink(ctx, m, otherId, event) {
    if (!event) return null;
    return h("a", { class: "button-link", href: tavolo.href("/requests", { ask: otherId, event }),
      text: t("matches.request") });
  }

  function matchItem(ctx, tax, m, rank, event) {
    const side = other(ctx.profile.kind);
    const otherId = side === "investor" ? m.investor_id : m.company_id;
    const name = side === "investor" ? m.investor_name : m.company_name;
    const pair = "/pair?" + new URLSearchParams(Object.assign({ company: m.company_id, investor: m.investor_id },
      event ? { event } : {})).toString();
    const reasons = (m.top_reasons || []).map((r) => h("li", { text: r.text }));
    const flags = (m.flags || []).map((f) => h("li", { text: f.text }));
    const terms = (m.shared_terms || []).map((x) => h("li", { text: x.label }));
    return h("li", { class: "match card", "data-id": otherId },
      h("div", { class: "match-head" },
        h("p", { class: "match-rank muted", text: t("matches.rank", { n: rank }) }),
        h("h2", { class: "match-name" }, h("a", { href: pair, text: name })),
        h("p", { class: "match-facts muted", text: otherFacts(tax, m, side) }),
        fitBadge(m)),
      tasteNote(m),
      flags.length ? h("div", { class: "match-flags", role: "note" },
        h("p", null, h("span", { class: "flag-symbol", "aria-hidden": "true", text: "\u26a0 " }),
          h("strong", { text: t("matches.flags") })), h("ul", null, flags)) : null,
      reasons.length ? h("div", { class: "match-why" },
        h("h3", { text: t("matches.why") }), h("ul", null, reasons)) : null,
      terms.length ? h("div", { class: "match-terms" },
        h("h3", { text: t("matches.shared") }), h("ul", { class: "chips" }, terms)) : null,
      h("p", { class: "match-links" },
        h("a", { href: pair, text: t("matches.pair") }), " ", requestLink(ctx, m, otherId, event)));
  }

  async function renderResults(ctx, tax, f, box) {
    const q = new URLSearchParams(Object.assign({ k: "20", lang: ctx.lang }, f));
    const path = "/v1/" + plural(ctx.profile.kind) + "/" + encodeURIComponent(ctx.profile.id) + "/matches?" + q;
    box.removeAttribute("data-ready");
    box.replaceChildren(h("p", { class: "muted", text: t("matches.loading") }));
    const res = await tavolo.api("GET", path);
    if (!res.ok) {
      const bad = res.status === 400 && res.body && res.body.parameter;
      box.replaceChildren(bad
        ? h("p", { id: "matches-count", class: "status error", role: "alert",
          text: t("matches.bad_filter", { detail: tavolo.problemText(res) }) })
        : statusLine(ctx, res));
      box.setAttribute("data-ready", "error");
      return;
    }
    const items = res.body.items || [];
    const filtered = Object.keys(f).some((k) => k !== "event");
    /* replaceChildren() would write a null as the text "null": only the parts there are. */
    box.replaceChildren(...[
      h("p", { id: "matches-count", class: "matches-count", role: "status", text: countText(items.length, filtered) }),
      items.some((m) => "taste" in m) ? h("p", { class: "muted matches-taught", text: t("matches.taught") }) : null,
      items.length && !f.event ? h("p", { class: "muted matches-hint", text: t("matches.request.choose") }) : null,
      items.length ? h("ol", { class: "matches-list" }, items.map((m, i) => matchItem(ctx, tax, m, i + 1, f.event))) : null,
    ].filter(Boolean));
    box.setAttribute("data-ready", "1");
  }

  tavolo.page("/matches", {
    title: "matches.title",
    render: async (ctx) => {
      const name = String(ctx.profile.name || ctx.profile.id);
      ctx.root.append(h("h1", { text: t("matches.title") }),
        h("p", { class: "muted", text: t("matches.intro." + ctx.profile.kind, { name }) }));
      const [tax, ev] = await Promise.all([taxonomy(ctx), tavolo.api("GET", "/v1/events")]);
      if (tax.res) {
        ctx.root.append(statusLine(ctx, tax.res));
        return;
      }
      const events = ev.ok ? ev.body.items || [] : [];
      const f = readFilters(new URLSearchParams(window.location.search));
      const box = h("section", { class: "matches-results", "aria-live": "polite" });
      const form = filterForm(ctx, tax, events, f, (next) => {
        window.history.replaceState(null, "", tavolo.href("/matches", next));
        renderResults(ctx, tax, next, box);
      });
      ctx.root.append(form, box);
      await renderResults(ctx, tax, f, box);
    },
  });

  /* ---- the pair page ---- */

  function field(key, value) {
    if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) return null;
    return [h("dt", { text: t("pair.field." + key) }), h("dd", { text: Array.isArray(value) ? value.join(", ") : String(value) })];
  }

  function euros(n) {
    return n === null || n === undefined ? "" : new Intl.NumberFormat(tavolo.locale(),
      { style: "currency", currency: "EUR", maximumFractionDigits: 0 }).format(n);
  }

  function companyFields(tax, c) {
    const terms = (kind, ids) => (ids || []).map((id) => label(tax, kind, id));
    return [
      field("area", c.area ? label(tax, "areas", c.area) : ""),
      field("country", countryName(c.hq_country)),
      field("city", c.city),
      field("stage", c.stage ? label(tax, "stages", c.stage) : ""),
      field("round", c.round ? label(tax, "rounds", c.round) : ""),
      field("raise", euros(c.raise_eur)),
      field("founded", c.founded),
      field("pathologies", terms("pathologies", c.pathologies)),
      field("technologies", terms("technologies", c.technologies)),
      field("description", c.description),
    ];
  }

  function investorFields(tax, i) {
    const terms = (kind, ids) => (ids || []).map((id) => label(tax, kind, id));
    const ticket = i.ticket_min_eur || i.ticket_max_eur ? euros(i.ticket_min_eur) + " \u2013 " + euros(i.ticket_max_eur) : "";
    return [
      field("kind", i.kind ? label(tax, "investor_kinds", i.kind) : ""),
      field("country", countryName(i.country)),
      field("regions", terms("regions", i.regions)),
      field("pathologies", terms("pathologies", i.pathologies)),
      field("technologies", terms("technologies", i.technologies)),
      field("stages", terms("stages", i.stages)),
      field("rounds", terms("rounds", i.rounds)),
      field("ticket", ticket),
      field("leads", i.leads === true ? t("pair.yes") : i.leads === false ? t("pair.no") : ""),
    ];
  }

  function profileCard(kind, record, fields) {
    return h("section", { class: "pair-side card", "aria-labelledby": "pair-" + kind },
      h("p", { class: "muted", text: t("pair.profile." + kind) }),
      h("h2", { id: "pair-" + kind, text: String(record.name || record.id) }),
      h("dl", null, fields.filter(Boolean).flat()));
  }

  function decimals(v) {
    return new Intl.NumberFormat(tavolo.locale(), { minimumFractionDigits: 3, maximumFractionDigits: 3 }).format(v);
  }

  /* The blocks as horizontal bars, each with its number in text: it reads without colour. */
  function chart(m) {
    const max = Math.max(0.0005, ...BLOCKS.map((b) => Math.abs(Number(m.contributions[b]) || 0)));
    /* Three decimals, as the numbers say: a block below half a thousandth is drawn as 0. */
    const rows = BLOCKS.map((b) => [b, Number(m.contributions[b]) || 0])
      .map(([b, v]) => [b, Math.abs(v) < 0.0005 ? 0 : v])
      .sort((a, b) => b[1] - a[1])
      .map(([b, v]) => {
        const fill = h("span", { class: "block-bar-fill" + (v < 0 ? " negative" : "") });
        fill.style.width = (Math.abs(v) / max) * 100 + "%";
        return h("li", { class: "block-bar", "data-block": b },
          h("span", { class: "block-bar-label", text: t("block." + b) }),
          h("span", { class: "block-bar-track", "aria-hidden": "true" }, fill),
          h("span", { class: "block-bar-value", text: decimals(v) }));
      });
    const score = decimals(m.score);
    return h("figure", { class: "pair-chart card", "aria-labelledby": "pair-chart-title" },
      h("figcaption", null, h("h2", { id: "pair-chart-title", text: t("pair.chart") }),
        h("p", { class: "muted", text: t("pair.chart.help", { score }) })),
      h("ol", { class: "block-bars" }, rows));
  }

  function explanation(m) {
    const constraints = (m.constraints || []).map((c) => h("li", { class: "constraint " + c.state },
      h("span", { class: "constraint-symbol", "aria-hidden": "true",
        text: c.state === "fail" ? "\u26a0 " : c.state === "pass" ? "\u2713 " : "? " }),
      h("strong", { text: t("pair.state." + c.state) }), ": ", c.detail));
    return h("section", { class: "pair-why card" },
      h("h2", { text: t("pair.reasons") }),
      h("ul", null, (m.top_reasons || []).map((r) => h("li", { text: r.text }))),
      (m.shared_terms || []).length ? [h("h3", { text: t("matches.shared") }),
        h("ul", { class: "chips" }, m.shared_terms.map((x) => h("li", { text: x.label })))] : null,
      h("h3", { text: t("pair.constraints") }), h("ul", { class: "constraints" }, constraints));
  }

  async function renderPair(ctx) {
    const c = ctx.params.get("company") || "", i = ctx.params.get("investor") || "";
    const event = ctx.params.get("event") || "";
    const back = h("p", null, h("a", { href: tavolo.href("/matches", { event }), text: t("pair.back") }));
    const page = h("div", { class: "pair" }, h("h1", { text: t("pair.title") }), back);
    ctx.root.append(page);
    if (!c || !i) {
      page.append(h("p", { class: "status error", role: "alert", text: t("pair.missing") }));
      return;
    }
    const mine = ctx.profile.kind === "company" ? ctx.profile.id === c : ctx.profile.id === i;
    if (!mine) {
      page.append(h("p", { class: "status error", role: "alert", text: t("pair.not_yours") }));
      return;
    }
    const self = ctx.profile.kind === "company" ? c : i, with_ = ctx.profile.kind === "company" ? i : c;
    const [tax, pair, co, inv] = await Promise.all([
      taxonomy(ctx),
      tavolo.api("GET", "/v1/" + plural(ctx.profile.kind) + "/" + encodeURIComponent(self) + "/matches/" +
        encodeURIComponent(with_) + "?lang=" + ctx.lang),
      tavolo.api("GET", "/v1/companies/" + encodeURIComponent(c)),
      tavolo.api("GET", "/v1/investors/" + encodeURIComponent(i)),
    ]);
    for (const res of [tax.res, pair, co, inv]) {
      if (res && !res.ok) {
        page.append(statusLine(ctx, res));
        return;
      }
    }
    const m = pair.body;
    document.title = "tavolo · " + m.company_name + " \u00d7 " + m.investor_name;
    page.querySelector("h1").textContent = m.company_name + " \u00d7 " + m.investor_name;
    const otherId = ctx.profile.kind === "company" ? i : c;
    page.append(
      h("div", { class: "pair-summary" }, fitBadge(m),
        h("p", { class: "muted", text: t("pair.score", { score: decimals(m.score) }) }),
        (m.flags || []).length ? h("div", { class: "match-flags", role: "note" },
          h("p", null, h("span", { class: "flag-symbol", "aria-hidden": "true", text: "\u26a0 " }),
            h("strong", { text: t("matches.flags") })),
          h("ul", null, m.flags.map((f) => h("li", { text: f.text })))) : null,
        h("p", null, requestLink(ctx, m, otherId, event))),
      h("div", { class: "pair-sides" },
        profileCard("company", co.body, companyFields(tax, co.body)),
        profileCard("investor", inv.body, investorFields(tax, inv.body))),
      chart(m), explanation(m));
    page.setAttribute("data-ready", "1");
  }

  tavolo.page("/pair", { title: "pair.title", nav: false, render: renderPair });
})();
