/* The profile page (docs/web.md, "Profile"): the acting company or investor edits its own
 * record. The form is built from the record (GET /v1/{companies|investors}/ID) and the
 * taxonomy (GET /v1/taxonomy); Save sends the whole record with PUT and If-Match, so a change
 * made meanwhile elsewhere is refused (412) and never overwritten; the API's errors (422,
 * by JSON pointer) are shown next to their fields. A company sees its ESIBE eligibility
 * judged on the unsaved draft as it types (POST /v1/companies/ID/eligibility, decision
 * 0055). Fields the form does not show (contacts, backers, portfolio) are sent back as read. */
"use strict";

(() => {
  const { h, t } = tavolo;

  tavolo.addMessages({
    en: {
      "profile.title": "Profile",
      "profile.heading.company": "Your company's profile",
      "profile.heading.investor": "Your investor profile",
      "profile.intro": "Changes are kept when you press Save. A field left empty means “not said”: it is unknown, never counted against you.",
      "profile.kept": "Contacts for the daily digest, past backers and the portfolio are kept as they are: ask the event's organiser to change them.",
      "profile.loading": "Loading your profile…",
      "profile.load_failed": "The profile could not be loaded. {detail}",
      "profile.save": "Save",
      "profile.saving": "Saving…",
      "profile.saved": "Saved at {time}.",
      "profile.unsaved": "Changes not saved yet.",
      "profile.nothing_changed": "No change since the last save.",
      "profile.not_said": "Not said",
      "profile.yes": "Yes",
      "profile.no": "No",
      "profile.errors.title": "The profile was not saved: {count} to fix",
      "profile.errors.one": "The profile was not saved: 1 field to fix",
      "profile.errors.other": "Something else is wrong: {detail}",
      "profile.conflict.title": "This profile changed since you opened it",
      "profile.conflict.text": "Someone saved it meanwhile (in another window, or through the API). Nothing was overwritten: your changes are not saved. Reload to see the current profile, then make your changes again.",
      "profile.conflict.reload": "Reload the profile",
      "profile.save_failed": "The profile was not saved. {detail}",
      "profile.eur_hint": "= EUR {amount}",
      "profile.percent_hint": "= {amount}% of R&D",
      "group.identity": "Who you are",
      "group.place": "Where you are",
      "group.esibe": "Figures for ESIBE admission",
      "group.esibe.help": "These figures are private: investors never see them. They decide whether the company may join as an ESIBE emerging biotech.",
      "group.focus": "What you work on",
      "group.funding": "The round you are raising",
      "group.wants": "Investors you want to meet",
      "group.thesis": "Investment thesis",
      "group.ticket": "Ticket and role",
      "group.investor_focus": "What you invest in",
      "f.name": "Name",
      "f.name.help": "As participants should read it. Required, at most 200 characters.",
      "f.area": "Area",
      "f.area.help": "Precision medicine or industrial and environmental biotech: it decides the R&D threshold and which stages apply.",
      "f.language": "Language of the profile",
      "f.language.help": "The language the description is written in.",
      "f.founded": "Year founded",
      "f.founded.help": "A year from 1800 to 2100.",
      "f.description": "Description",
      "f.description.help": "What you do, for investors to read. At most 8000 characters.",
      "f.hq_country": "Country of the headquarters",
      "f.hq_country.help": "Where the registered office is. ESIBE needs Italy.",
      "f.hq_region": "Italian region",
      "f.hq_region.help": "For a headquarters in Italy.",
      "f.subdivision": "State or province",
      "f.subdivision.help": "For a headquarters outside Italy, such as “Bayern” or “CA”. At most 100 characters.",
      "f.city": "City",
      "f.city.help": "At most 100 characters.",
      "f.rd_spend_eur": "R&D spend a year (EUR)",
      "f.rd_spend_eur.help": "Whole euros, such as 2500000.",
      "f.grants_eur": "Grant funding a year (EUR)",
      "f.grants_eur.help": "EU Commission and international grants, whole euros. Industrial biotech may meet the threshold with either figure.",
      "f.rd_share_italy": "Share of R&D done in Italy (%)",
      "f.rd_share_italy.help": "From 0 to 100; ESIBE needs more than half.",
      "f.commercial": "Already selling products?",
      "f.commercial.help": "A company in the commercial phase is not eligible.",
      "f.patents_owned": "Patents owned",
      "f.patents_owned.help": "A whole number from 0 to 100000.",
      "f.patents_licensed": "Patents licensed",
      "f.patents_licensed.help": "A whole number from 0 to 100000. At least one patent, owned or licensed, is needed.",
      "f.pathologies": "Diseases",
      "f.pathologies.help": "Tick the broad group, or a precise disease within it.",
      "f.technologies": "Technologies",
      "f.technologies.help": "Tick every technology you use.",
      "f.priorities": "Environmental priorities",
      "f.priorities.help": "For industrial and environmental biotech.",
      "f.stage": "Stage",
      "f.stage.help": "Clinical stages for precision medicine, scale-up stages for industrial biotech.",
      "f.round": "Round",
      "f.round.help": "The round you are raising now.",
      "f.raise_eur": "Amount sought (EUR)",
      "f.raise_eur.help": "Whole euros, such as 5000000.",
      "f.wants/investor_kinds": "Kinds of investor",
      "f.wants/investor_kinds.help": "Leave all unticked to meet every kind.",
      "f.wants/regions": "Where they come from",
      "f.wants/regions.help": "Leave all unticked for anywhere.",
      "f.wants/lead": "Looking for a lead investor?",
      "f.wants/lead.help": "Whether the round still needs someone to lead it.",
      "f.kind": "Kind of investor",
      "f.kind.help": "How companies will see you described.",
      "f.country": "Country",
      "f.country.help": "Where the investor is based.",
      "f.active": "Investing now?",
      "f.active.help": "An investor not investing now is not proposed to companies.",
      "f.thesis": "Thesis",
      "f.thesis.help": "What you invest in and how, for companies to read. At most 8000 characters.",
      "f.ticket_min_eur": "Smallest ticket (EUR)",
      "f.ticket_min_eur.help": "Whole euros, such as 1000000.",
      "f.ticket_max_eur": "Largest ticket (EUR)",
      "f.ticket_max_eur.help": "Whole euros, not below the smallest ticket.",
      "f.leads": "Do you lead rounds?",
      "f.leads.help": "Companies looking for a lead see this.",
      "f.horizon_years": "Holding horizon (years)",
      "f.horizon_years.help": "A whole number from 1 to 50.",
      "f.stages": "Stages",
      "f.stages.help": "The development stages you invest in.",
      "f.rounds": "Rounds",
      "f.rounds.help": "The rounds you join.",
      "f.regions": "Regions",
      "f.regions.help": "Where you invest.",
      "lang.it": "Italian",
      "lang.en": "English",
      "track.medicine": "Precision medicine",
      "track.industrial": "Industrial and environmental biotech",
      "err.eur": "Write a whole number of euros from 0 to 1000000000000, without decimals.",
      "err.int": "Write a whole number from {min} to {max}.",
      "err.percent": "Write a percentage from 0 to 100.",
      "err.terms": "One of the ticked values is not in the list: untick it and choose from the list.",
      "err.select": "Choose one of the options.",
      "err.text": "Write at most {max} characters.",
      "err.required": "This field is required.",
      "err.ticket_order": "The largest ticket must not be below the smallest.",
      "err.stage_area": "This stage does not belong to the area chosen above.",
      "elig.title": "ESIBE eligibility",
      "elig.of_draft": "Judged on your changes, not saved yet.",
      "elig.of_saved": "Judged on the saved profile.",
      "elig.checking": "Checking…",
      "elig.pass": "Eligible for ESIBE",
      "elig.fail": "Not eligible for ESIBE",
      "elig.unknown": "Not known yet: some figures are missing",
      "elig.invalid": "Cannot be judged until the marked fields are fixed.",
      "elig.failed": "The eligibility could not be checked. {detail}",
      "elig.short": "ESIBE: {verdict}",
      "elig.short.pass": "eligible",
      "elig.short.fail": "not eligible",
      "elig.short.unknown": "not known yet",
      "elig.short.invalid": "fix the marked fields",
      "crit.rd_threshold": "R&D spend",
      "crit.not_commercial": "Not yet selling",
      "crit.patents": "Patents",
      "crit.italy": "Headquarters and R&D in Italy",
      "result.pass": "met",
      "result.fail": "not met",
      "result.unknown": "not known: figures missing",
    },
    it: {
      "profile.title": "Profilo",
      "profile.heading.company": "Il profilo della sua azienda",
      "profile.heading.investor": "Il suo profilo di investitore",
      "profile.intro": "Le modifiche restano quando preme Salva. Un campo lasciato vuoto vuol dire “non indicato”: è ignoto, mai contato a suo sfavore.",
      "profile.kept": "I contatti del riepilogo quotidiano, gli investitori passati e il portafoglio restano come sono: per cambiarli si rivolga all'organizzatore dell'evento.",
      "profile.loading": "Caricamento del profilo…",
      "profile.load_failed": "Il profilo non si è potuto caricare. {detail}",
      "profile.save": "Salva",
      "profile.saving": "Salvataggio…",
      "profile.saved": "Salvato alle {time}.",
      "profile.unsaved": "Modifiche non ancora salvate.",
      "profile.nothing_changed": "Nessuna modifica dall'ultimo salvataggio.",
      "profile.not_said": "Non indicato",
      "profile.yes": "Sì",
      "profile.no": "No",
      "profile.errors.title": "Il profilo non è stato salvato: {count} campi da correggere",
      "profile.errors.one": "Il profilo non è stato salvato: 1 campo da correggere",
      "profile.errors.other": "C'è anche un altro problema: {detail}",
      "profile.conflict.title": "Questo profilo è cambiato da quando l'ha aperto",
      "profile.conflict.text": "Qualcuno l'ha salvato nel frattempo (in un'altra finestra o tramite l'API). Non è stato sovrascritto nulla: le sue modifiche non sono salvate. Ricarichi per vedere il profilo attuale, poi rifaccia le modifiche.",
      "profile.conflict.reload": "Ricarica il profilo",
      "profile.save_failed": "Il profilo non è stato salvato. {detail}",
      "profile.eur_hint": "= {amount} EUR",
      "profile.percent_hint": "= {amount}% della R&S",
      "group.identity": "Chi siete",
      "group.place": "Dove siete",
      "group.esibe": "Dati per l'ammissione ESIBE",
      "group.esibe.help": "Questi dati sono riservati: gli investitori non li vedono mai. Decidono se l'azienda può partecipare come biotech emergente ESIBE.",
      "group.focus": "Su cosa lavorate",
      "group.funding": "Il round che state raccogliendo",
      "group.wants": "Investitori che volete incontrare",
      "group.thesis": "Tesi di investimento",
      "group.ticket": "Ticket e ruolo",
      "group.investor_focus": "In cosa investite",
      "f.name": "Nome",
      "f.name.help": "Come lo devono leggere i partecipanti. Obbligatorio, al massimo 200 caratteri.",
      "f.area": "Area",
      "f.area.help": "Medicina di precisione o biotech industriale e ambientale: decide la soglia di R&S e quali fasi valgono.",
      "f.language": "Lingua del profilo",
      "f.language.help": "La lingua in cui è scritta la descrizione.",
      "f.founded": "Anno di fondazione",
      "f.founded.help": "Un anno dal 1800 al 2100.",
      "f.description": "Descrizione",
      "f.description.help": "Cosa fate, per gli investitori. Al massimo 8000 caratteri.",
      "f.hq_country": "Paese della sede",
      "f.hq_country.help": "Dove si trova la sede legale. ESIBE richiede l'Italia.",
      "f.hq_region": "Regione italiana",
      "f.hq_region.help": "Per una sede in Italia.",
      "f.subdivision": "Stato o provincia",
      "f.subdivision.help": "Per una sede fuori d'Italia, ad esempio “Bayern” o “CA”. Al massimo 100 caratteri.",
      "f.city": "Città",
      "f.city.help": "Al massimo 100 caratteri.",
      "f.rd_spend_eur": "Spesa annua in R&S (EUR)",
      "f.rd_spend_eur.help": "Euro interi, ad esempio 2500000.",
      "f.grants_eur": "Finanziamenti da bandi all'anno (EUR)",
      "f.grants_eur.help": "Bandi della Commissione europea e internazionali, in euro interi. Il biotech industriale raggiunge la soglia con l'uno o l'altro dato.",
      "f.rd_share_italy": "Quota della R&S svolta in Italia (%)",
      "f.rd_share_italy.help": "Da 0 a 100; ESIBE richiede più della metà.",
      "f.commercial": "Vendete già prodotti?",
      "f.commercial.help": "Un'azienda in fase commerciale non è idonea.",
      "f.patents_owned": "Brevetti di proprietà",
      "f.patents_owned.help": "Un numero intero da 0 a 100000.",
      "f.patents_licensed": "Brevetti in licenza",
      "f.patents_licensed.help": "Un numero intero da 0 a 100000. Serve almeno un brevetto, di proprietà o in licenza.",
      "f.pathologies": "Malattie",
      "f.pathologies.help": "Spunti il gruppo generale o una malattia precisa al suo interno.",
      "f.technologies": "Tecnologie",
      "f.technologies.help": "Spunti ogni tecnologia che usate.",
      "f.priorities": "Priorità ambientali",
      "f.priorities.help": "Per il biotech industriale e ambientale.",
      "f.stage": "Fase",
      "f.stage.help": "Fasi cliniche per la medicina di precisione, fasi di scala per il biotech industriale.",
      "f.round": "Round",
      "f.round.help": "Il round che state raccogliendo ora.",
      "f.raise_eur": "Importo cercato (EUR)",
      "f.raise_eur.help": "Euro interi, ad esempio 5000000.",
      "f.wants/investor_kinds": "Tipi di investitore",
      "f.wants/investor_kinds.help": "Non spunti nulla per incontrarli tutti.",
      "f.wants/regions": "Da dove vengono",
      "f.wants/regions.help": "Non spunti nulla per qualunque provenienza.",
      "f.wants/lead": "Cercate un investitore capofila?",
      "f.wants/lead.help": "Se il round ha ancora bisogno di chi lo guidi.",
      "f.kind": "Tipo di investitore",
      "f.kind.help": "Come la vedranno descritta le aziende.",
      "f.country": "Paese",
      "f.country.help": "Dove ha sede l'investitore.",
      "f.active": "State investendo ora?",
      "f.active.help": "Un investitore che ora non investe non viene proposto alle aziende.",
      "f.thesis": "Tesi",
      "f.thesis.help": "In cosa e come investite, per le aziende. Al massimo 8000 caratteri.",
      "f.ticket_min_eur": "Ticket minimo (EUR)",
      "f.ticket_min_eur.help": "Euro interi, ad esempio 1000000.",
      "f.ticket_max_eur": "Ticket massimo (EUR)",
      "f.ticket_max_eur.help": "Euro interi, non meno del ticket minimo.",
      "f.leads": "Guidate i round?",
      "f.leads.help": "Le aziende che cercano un capofila lo vedono.",
      "f.horizon_years": "Orizzonte di investimento (anni)",
      "f.horizon_years.help": "Un numero intero da 1 a 50.",
      "f.stages": "Fasi",
      "f.stages.help": "Le fasi di sviluppo in cui investite.",
      "f.rounds": "Round",
      "f.rounds.help": "I round a cui partecipate.",
      "f.regions": "Regioni",
      "f.regions.help": "Dove investite.",
      "lang.it": "Italiano",
      "lang.en": "Inglese",
      "track.medicine": "Medicina di precisione",
      "track.industrial": "Biotech industriale e ambientale",
      "err.eur": "Scriva un numero intero di euro da 0 a 1000000000000, senza decimali.",
      "err.int": "Scriva un numero intero da {min} a {max}.",
      "err.percent": "Scriva una percentuale da 0 a 100.",
      "err.terms": "Uno dei valori spuntati non è nell'elenco: lo tolga e scelga dall'elenco.",
      "err.select": "Scelga una delle opzioni.",
      "err.text": "Scriva al massimo {max} caratteri.",
      "err.required": "Questo campo è obbligatorio.",
      "err.ticket_order": "Il ticket massimo non può essere inferiore al minimo.",
      "err.stage_area": "Questa fase non appartiene all'area scelta sopra.",
      "elig.title": "Idoneità ESIBE",
      "elig.of_draft": "Valutata sulle sue modifiche, non ancora salvate.",
      "elig.of_saved": "Valutata sul profilo salvato.",
      "elig.checking": "Verifica in corso…",
      "elig.pass": "Idonea ESIBE",
      "elig.fail": "Non idonea ESIBE",
      "elig.unknown": "Non ancora nota: mancano alcuni dati",
      "elig.invalid": "Non si può valutare finché i campi segnalati non sono corretti.",
      "elig.failed": "Non è stato possibile verificare l'idoneità. {detail}",
      "elig.short": "ESIBE: {verdict}",
      "elig.short.pass": "idonea",
      "elig.short.fail": "non idonea",
      "elig.short.unknown": "non ancora nota",
      "elig.short.invalid": "correggere i campi segnalati",
      "crit.rd_threshold": "Spesa in R&S",
      "crit.not_commercial": "Non ancora in vendita",
      "crit.patents": "Brevetti",
      "crit.italy": "Sede e R&S in Italia",
      "result.pass": "soddisfatto",
      "result.fail": "non soddisfatto",
      "result.unknown": "non noto: mancano dati",
    },
  });

  /* ---- the fields: name is the JSON pointer without its leading "/" ---- */

  const EUR = { type: "eur", min: 0, max: 1e12 };
  const COMPANY_GROUPS = [
    { legend: "group.identity", fields: [
      { name: "name", type: "text", max: 200, required: true },
      { name: "area", type: "select", vocab: "areas" },
      { name: "language", type: "select", options: ["it", "en"] },
      { name: "founded", type: "int", min: 1800, max: 2100 },
      { name: "description", type: "textarea", max: 8000 },
    ] },
    { legend: "group.place", fields: [
      { name: "hq_country", type: "country" },
      { name: "hq_region", type: "select", vocab: "it_regions" },
      { name: "subdivision", type: "text", max: 100 },
      { name: "city", type: "text", max: 100 },
    ] },
    { legend: "group.esibe", help: "group.esibe.help", fields: [
      Object.assign({ name: "rd_spend_eur" }, EUR),
      Object.assign({ name: "grants_eur" }, EUR),
      { name: "rd_share_italy", type: "percent" },
      { name: "commercial", type: "bool" },
      { name: "patents_owned", type: "int", min: 0, max: 100000 },
      { name: "patents_licensed", type: "int", min: 0, max: 100000 },
    ] },
    { legend: "group.focus", fields: [
      { name: "pathologies", type: "terms", vocab: "pathologies" },
      { name: "technologies", type: "terms", vocab: "technologies" },
      { name: "priorities", type: "terms", vocab: "priorities" },
    ] },
    { legend: "group.funding", fields: [
      { name: "stage", type: "select", vocab: "stages" },
      { name: "round", type: "select", vocab: "rounds" },
      Object.assign({ name: "raise_eur" }, EUR),
    ] },
    { legend: "group.wants", fields: [
      { name: "wants/investor_kinds", type: "terms", vocab: "investor_kinds" },
      { name: "wants/regions", type: "terms", vocab: "regions" },
      { name: "wants/lead", type: "bool" },
    ] },
  ];
  const INVESTOR_GROUPS = [
    { legend: "group.identity", fields: [
      { name: "name", type: "text", max: 200, required: true },
      { name: "kind", type: "select", vocab: "investor_kinds" },
      { name: "country", type: "country" },
      { name: "language", type: "select", options: ["it", "en"] },
      { name: "active", type: "bool" },
    ] },
    { legend: "group.thesis", fields: [{ name: "thesis", type: "textarea", max: 8000 }] },
    { legend: "group.ticket", fields: [
      Object.assign({ name: "ticket_min_eur" }, EUR),
      Object.assign({ name: "ticket_max_eur" }, EUR),
      { name: "leads", type: "bool" },
      { name: "horizon_years", type: "int", min: 1, max: 50 },
    ] },
    { legend: "group.investor_focus", fields: [
      { name: "stages", type: "terms", vocab: "stages" },
      { name: "rounds", type: "terms", vocab: "rounds" },
      { name: "regions", type: "terms", vocab: "regions" },
      { name: "pathologies", type: "terms", vocab: "pathologies" },
      { name: "technologies", type: "terms", vocab: "technologies" },
      { name: "priorities", type: "terms", vocab: "priorities" },
    ] },
  ];

  const DEBOUNCE_MS = 400;

  /* The page's state for the acting profile, kept in ctx.cache across renders (a language
   * switch renders again and must keep the draft, the errors and the report). */
  function stateFor(ctx) {
    const key = ctx.profile.kind + ":" + ctx.profile.id;
    if (!ctx.cache.profilePage || ctx.cache.profilePage.key !== key) {
      ctx.cache.profilePage = { key, doc: null, etag: null, draft: null, baseline: null,
        errors: null, other: null, conflict: false, elig: null, eligOf: "saved",
        savedAt: null, seq: 0, timer: null, taxonomy: ctx.cache.taxonomy || null };
    }
    return ctx.cache.profilePage;
  }

  function resource(profile) {
    const plural = profile.kind === "company" ? "/v1/companies/" : "/v1/investors/";
    return plural + encodeURIComponent(profile.id);
  }

  function fieldId(name) {
    return "f-" + name.replace(/\//g, "-");
  }

  /* ---- values between the record and the form ---- */

  function getPath(doc, name) {
    return name.split("/").reduce((o, k) => (o && typeof o === "object" ? o[k] : undefined), doc);
  }

  function setPath(doc, name, value) {
    const keys = name.split("/");
    let o = doc;
    for (const k of keys.slice(0, -1)) {
      if (!o[k] || typeof o[k] !== "object") o[k] = {};
      o = o[k];
    }
    o[keys[keys.length - 1]] = value;
  }

  /* Text as the person wrote it -> the JSON value: empty is null (not said); a number that
   * does not parse is sent as written, so that the API names the field. */
  function parseNumber(text, type) {
    const s = text.trim();
    if (s === "") return null;
    if (type === "percent") {
      const p = s.replace(",", ".").replace(/\s*%$/, "");
      return /^-?\d+(\.\d+)?$/.test(p) ? Number((Number(p) / 100).toFixed(6)) : s;
    }
    const digits = type === "eur" ? s.replace(/[\s.,'’_]|EUR|€/gi, "") : s;
    return /^-?\d+$/.test(digits) ? Number(digits) : s;
  }

  function showNumber(v, type) {
    if (v === null || v === undefined) return "";
    if (type === "percent" && typeof v === "number") return String(Number((v * 100).toFixed(4)));
    return String(v);
  }

  /* The form's value of field 'f'. */
  function readField(form, f) {
    const id = fieldId(f.name);
    if (f.type === "terms") {
      const ticked = Array.from(form.querySelectorAll(`#${id} input[type=checkbox]:checked`));
      return ticked.length ? ticked.map((c) => c.value) : null;
    }
    const el = form.querySelector("#" + id);
    if (f.type === "bool") return el.value === "" ? null : el.value === "true";
    if (f.type === "eur" || f.type === "int" || f.type === "percent") return parseNumber(el.value, f.type);
    if (f.type === "text" || f.type === "textarea") return f.required || el.value !== "" ? el.value : null;
    return el.value === "" ? null : el.value;
  }

  /* The record the form describes: the record as read, every field of the form written over
   * it (so the fields the form does not show go back unchanged). */
  function collect(form, st, groups) {
    const doc = JSON.parse(JSON.stringify(st.doc));
    for (const g of groups) {
      for (const f of g.fields) setPath(doc, f.name, readField(form, f));
    }
    if (doc.wants && Object.values(doc.wants).every((v) => v === null) && !st.doc.wants) delete doc.wants;
    return doc;
  }

  /* ---- building the form ---- */

  function labelOf(term, lang) {
    return (term.label && (term.label[lang] || term.label.en)) || term.id;
  }

  function countryNames(tax, lang) {
    let names = null;
    try {
      names = new Intl.DisplayNames([tavolo.locale()], { type: "region" });
    } catch (e) {
      names = null; /* the codes themselves are shown */
    }
    return (tax.countries || []).map((c) => ({ id: c, label: (names && names.of(c)) || c }))
      .sort((a, b) => a.label.localeCompare(b.label, tavolo.locale()));
  }

  function describedBy(f) {
    return fieldId(f.name) + "-help " + fieldId(f.name) + "-error";
  }

  function options(f, tax, lang) {
    const none = h("option", { value: "", text: t("profile.not_said") });
    if (f.options) return [none, ...f.options.map((v) => h("option", { value: v, text: t("lang." + v) }))];
    if (f.type === "country") return [none, ...countryNames(tax, lang).map((c) => h("option", { value: c.id, text: c.label }))];
    const terms = tax[f.vocab] || [];
    if (f.vocab === "stages") {
      const groups = ["medicine", "industrial"].map((track) => h("optgroup", { label: t("track." + track) },
        terms.filter((s) => s.track === track).map((s) => h("option", { value: s.id, text: labelOf(s, lang) }))));
      return [none, ...groups];
    }
    return [none, ...terms.map((s) => h("option", { value: s.id, text: labelOf(s, lang) }))];
  }

  function hintFor(f, value) {
    if (f.type === "eur" && typeof value === "number") return t("profile.eur_hint", { amount: tavolo.fmt.number(value) });
    if (f.type === "percent" && typeof value === "number") return t("profile.percent_hint", { amount: tavolo.fmt.number(value * 100, 1) });
    return "";
  }

  function control(f, value, tax, lang) {
    const common = { id: fieldId(f.name), name: f.name, "aria-describedby": describedBy(f) };
    let el;
    if (f.type === "select" || f.type === "country") {
      el = h("select", common, options(f, tax, lang));
      el.value = value === null || value === undefined ? "" : String(value);
    } else if (f.type === "bool") {
      el = h("select", common, h("option", { value: "", text: t("profile.not_said") }),
        h("option", { value: "true", text: t("profile.yes") }), h("option", { value: "false", text: t("profile.no") }));
      el.value = value === true ? "true" : value === false ? "false" : "";
    } else if (f.type === "textarea") {
      el = h("textarea", Object.assign({ rows: 7, maxlength: f.max }, common));
      el.value = value || "";
    } else if (f.type === "text") {
      el = h("input", Object.assign({ type: "text", maxlength: f.max, required: f.required, autocomplete: "off" }, common));
      el.value = value || "";
    } else {
      el = h("input", Object.assign({ type: "text", inputmode: f.type === "percent" ? "decimal" : "numeric",
        autocomplete: "off", class: "number" }, common));
      el.value = typeof value === "string" ? value : showNumber(value, f.type);
    }
    return el;
  }

  function termsField(f, value, tax, lang) {
    const chosen = new Set(Array.isArray(value) ? value : []);
    const id = fieldId(f.name);
    const parents = new Map((tax[f.vocab] || []).map((term) => [term.id, term.parent]));
    const depth = (term) => {
      let n = 0;
      for (let p = term.parent; p && n < 3; p = parents.get(p)) n++;
      return n;
    };
    const boxes = (tax[f.vocab] || []).map((term, i) => {
      const box = h("input", { type: "checkbox", id: `${id}-${i}`, name: f.name, value: term.id });
      box.checked = chosen.has(term.id);
      return h("li", { class: "depth-" + depth(term) }, box, h("label", { for: `${id}-${i}`, text: labelOf(term, lang) }));
    });
    /* A stored value the taxonomy lost would be dropped silently: keep it, ticked. */
    const known = new Set((tax[f.vocab] || []).map((x) => x.id));
    for (const v of chosen) {
      if (known.has(v)) continue;
      const box = h("input", { type: "checkbox", id: `${id}-x${boxes.length}`, name: f.name, value: v });
      box.checked = true;
      boxes.push(h("li", { class: "depth-0" }, box, h("label", { for: `${id}-x${boxes.length}`, text: v })));
    }
    return h("fieldset", { id, class: "terms", "aria-describedby": describedBy(f) },
      h("legend", { text: t("f." + f.name) }),
      h("p", { id: id + "-help", class: "help", text: t("f." + f.name + ".help") }),
      h("p", { id: id + "-error", class: "field-error", hidden: true }),
      h("ul", { class: "terms-list" }, boxes));
  }

  function field(f, value, tax, lang) {
    if (f.type === "terms") return termsField(f, value, tax, lang);
    const id = fieldId(f.name);
    const el = control(f, value, tax, lang);
    return h("div", { class: "field" + (f.type === "textarea" ? " long" : "") },
      h("label", { for: id, text: t("f." + f.name) }),
      h("p", { id: id + "-help", class: "help", text: t("f." + f.name + ".help") }),
      h("p", { id: id + "-error", class: "field-error", hidden: true }),
      el,
      f.type === "eur" || f.type === "percent" ? h("p", { id: id + "-hint", class: "hint muted", "aria-live": "polite", text: hintFor(f, parseNumber(el.value, f.type)) }) : null);
  }

  /* ---- errors: next to the field, and a summary that links to each ---- */

  /* The field of a JSON pointer: "/pathologies/3" -> the pathologies field. */
  function fieldOfPointer(groups, pointer) {
    const parts = String(pointer || "").split("/").slice(1);
    for (let n = parts.length; n > 0; n--) {
      const name = parts.slice(0, n).join("/");
      for (const g of groups) {
        const f = g.fields.find((x) => x.name === name);
        if (f) return f;
      }
    }
    return null;
  }

  /* The words for an error of field 'f', in the page's language; the API's own detail
   * (English) chooses among them. */
  function messageFor(f, detail) {
    if (/below ticket_min/.test(detail)) return t("err.ticket_order");
    if (/does not belong to area/.test(detail)) return t("err.stage_area");
    if (/missing|non-empty/.test(detail) && f.required) return t("err.required");
    switch (f.type) {
      case "eur": return t("err.eur");
      case "int": return t("err.int", { min: f.min, max: f.max });
      case "percent": return t("err.percent");
      case "terms": return t("err.terms");
      case "text": case "textarea": return t("err.text", { max: f.max });
      default: return t("err.select");
    }
  }

  /* {field name: message}, and the errors no field of the form shows. */
  function sortErrors(groups, res) {
    const byField = {};
    const other = [];
    for (const [pointer, detail] of Object.entries(tavolo.fieldErrors(res))) {
      const f = fieldOfPointer(groups, pointer);
      if (f && !(f.name in byField)) byField[f.name] = messageFor(f, detail);
      else if (!f) other.push(detail);
    }
    if (!Object.keys(byField).length && !other.length) other.push(tavolo.problemText(res));
    return { byField, other };
  }

  function markErrors(root, groups, errors) {
    for (const g of groups) {
      for (const f of g.fields) {
        const id = fieldId(f.name);
        const msg = errors && errors[f.name];
        const p = root.querySelector(`#${id}-error`);
        const target = f.type === "terms" ? root.querySelector(`#${id}`) : root.querySelector(`#${id}`);
        if (!p || !target) continue;
        p.hidden = !msg;
        p.textContent = msg || "";
        if (msg) target.setAttribute("aria-invalid", "true");
        else target.removeAttribute("aria-invalid");
        for (const box of f.type === "terms" ? target.querySelectorAll("input") : []) {
          if (msg) box.setAttribute("aria-invalid", "true");
          else box.removeAttribute("aria-invalid");
        }
      }
    }
  }

  function focusField(root, name) {
    const el = root.querySelector("#" + fieldId(name));
    if (!el) return;
    const target = el.tagName === "FIELDSET" ? el.querySelector("input") : el;
    el.scrollIntoView({ block: "center" });
    if (target) target.focus();
  }

  function renderSummary(box, st, groups) {
    box.replaceChildren();
    box.hidden = true;
    if (st.conflict) {
      box.className = "summary conflict";
      box.append(h("h2", { text: t("profile.conflict.title") }), h("p", { text: t("profile.conflict.text") }),
        h("button", { type: "button", id: "profile-reload", text: t("profile.conflict.reload") }));
      box.hidden = false;
      return;
    }
    const names = Object.keys(st.errors || {});
    if (!st.summary || (!names.length && !(st.other || []).length)) return;
    box.className = "summary errors";
    const title = names.length === 1 ? t("profile.errors.one") : t("profile.errors.title", { count: names.length });
    const list = h("ul", null, names.map((name) => h("li", null,
      h("a", { href: "#" + fieldId(name), "data-field": name, text: t("f." + name) + ": " + st.errors[name] }))));
    box.append(h("h2", { text: title }), list,
      (st.other || []).map((d) => h("p", { text: t("profile.errors.other", { detail: d }) })));
    box.hidden = false;
  }

  /* ---- eligibility, on the draft ---- */

  const SYMBOLS = { pass: "\u2713", fail: "\u2717", unknown: "?", invalid: "!" };

  function verdictOf(report) {
    return report.eligible === true ? "pass" : report.eligible === false ? "fail" : "unknown";
  }

  function renderEligibility(panel, bar, st) {
    const body = panel.querySelector(".elig-body");
    body.replaceChildren();
    let verdict = null;
    if (st.elig && st.elig.error) {
      body.append(h("p", { class: "status error", text: t("elig.failed", { detail: st.elig.error }) }));
    } else if (st.elig && st.elig.invalid) {
      verdict = "invalid";
      body.append(h("p", { class: "elig-verdict", "data-verdict": "invalid" },
        h("span", { class: "sym", "aria-hidden": "true", text: SYMBOLS.invalid }), " ", t("elig.invalid")));
    } else if (st.elig && st.elig.report) {
      const r = st.elig.report;
      verdict = verdictOf(r);
      body.append(
        h("p", { class: "elig-when muted", text: t(st.eligOf === "draft" ? "elig.of_draft" : "elig.of_saved") }),
        h("p", { class: "elig-verdict", "data-verdict": verdict },
          h("span", { class: "sym", "aria-hidden": "true", text: SYMBOLS[verdict] }), " ", t("elig." + verdict)),
        h("ul", { class: "criteria" }, (r.criteria || []).map((c) => h("li", { "data-result": c.result, "data-name": c.name },
          h("p", { class: "crit" }, h("span", { class: "sym", "aria-hidden": "true", text: SYMBOLS[c.result] || "?" }), " ",
            h("strong", { text: t("crit." + c.name) }), ": ", h("span", { class: "result", text: t("result." + c.result) })),
          h("p", { class: "reason", lang: st.elig.lang || null, text: String(c.reason || "") })))));
    } else {
      body.append(h("p", { class: "muted", text: t("elig.checking") }));
    }
    bar.replaceChildren(verdict ? h("a", { href: "#elig", text: SYMBOLS[verdict] + " " +
      t("elig.short", { verdict: t("elig.short." + verdict) }) }) : "");
    bar.dataset.verdict = verdict || "";
  }

  /* Asks for the eligibility of the draft; answers that come back after a newer request
   * was sent are dropped. */
  /* The report's address, its reasons in the page's language. */
  function eligibilityPath(ctx) {
    return resource(ctx.profile) + "/eligibility?lang=" + encodeURIComponent(ctx.lang);
  }

  /* The report of the saved profile, in the page's language. */
  async function savedEligibility(ctx, st) {
    const e = await tavolo.api("GET", eligibilityPath(ctx));
    st.elig = e.ok ? { report: e.body, lang: ctx.lang } : { error: tavolo.problemText(e) };
    st.eligOf = "saved";
  }

  async function checkDraft(ctx, st) {
    const seq = ++st.seq;
    const res = await tavolo.api("POST", eligibilityPath(ctx), st.draft);
    if (seq !== st.seq || ctx.cache.profilePage !== st) return;
    const page = st.page; /* a language switch may have built the page again meanwhile */
    st.eligOf = "draft";
    if (res.ok) {
      st.elig = { report: res.body, lang: ctx.lang };
      st.errors = null;
      st.other = null;
    } else if (res.status === 422 || res.status === 400) {
      const sorted = sortErrors(page.groups, res);
      st.elig = { invalid: true };
      st.errors = sorted.byField;
      st.other = sorted.other;
    } else {
      st.elig = { error: tavolo.problemText(res) };
    }
    page.refresh();
  }

  /* ---- loading, saving ---- */

  async function load(ctx, st) {
    const [doc, tax] = await Promise.all([
      tavolo.api("GET", resource(ctx.profile)),
      st.taxonomy ? Promise.resolve({ ok: true, body: st.taxonomy }) : tavolo.api("GET", "/v1/taxonomy"),
    ]);
    if (!doc.ok) return doc;
    if (!tax.ok) return tax;
    st.doc = doc.body;
    st.etag = doc.headers.get("ETag");
    st.taxonomy = ctx.cache.taxonomy = tax.body;
    st.draft = null;
    st.baseline = null;
    st.errors = null;
    st.other = null;
    st.summary = false;
    st.conflict = false;
    st.elig = null;
    st.eligOf = "saved";
    if (ctx.profile.kind === "company") await savedEligibility(ctx, st);
    return null;
  }

  async function save(ctx, st, built) {
    let page = built;
    clearTimeout(st.timer);
    st.seq++; /* an eligibility answer still on its way is older than what is saved */
    const draft = collect(page.form, st, page.groups);
    st.summary = false; /* the answer to this Save replaces the last one's */
    st.conflict = false;
    page.refresh();
    page.setBusy(true);
    const res = await tavolo.api("PUT", resource(ctx.profile), draft, { "If-Match": st.etag || "*" });
    page.setBusy(false);
    page = st.page;
    if (res.ok) {
      st.doc = res.body;
      st.etag = res.headers.get("ETag");
      st.draft = null;
      st.baseline = null;
      st.errors = null;
      st.other = null;
      st.summary = false;
      st.savedAt = new Date().toISOString();
      if (ctx.profile.kind === "company") await savedEligibility(ctx, st);
      page.rebuild();
      return;
    }
    if (res.status === 412) {
      st.conflict = true;
      page.refresh();
      page.summary.focus();
      return;
    }
    if (res.status === 422 || res.status === 400) {
      const sorted = sortErrors(page.groups, res);
      st.errors = sorted.byField;
      st.other = sorted.other;
      st.summary = true;
      page.refresh();
      const first = Object.keys(st.errors)[0];
      if (first) focusField(page.root, first);
      else page.summary.focus();
      return;
    }
    st.savedAt = null;
    page.status(t("profile.save_failed", { detail: tavolo.problemText(res) }), "error");
  }

  /* ---- the page ---- */

  function layout(ctx, st) {
    const groups = ctx.profile.kind === "company" ? COMPANY_GROUPS : INVESTOR_GROUPS;
    const doc = st.draft || st.doc;
    const lang = ctx.lang;
    const form = h("form", { id: "profile-form", class: "profile-form", novalidate: true },
      groups.map((g) => h("fieldset", { class: "group card" },
        h("legend", { text: t(g.legend) }),
        g.help ? h("p", { class: "help", text: t(g.help) }) : null,
        g.fields.map((f) => field(f, getPath(doc, f.name), st.taxonomy, lang)))));
    const summary = h("div", { id: "profile-summary", class: "summary", tabindex: "-1", role: "alert", hidden: true });
    const status = h("p", { id: "profile-status", class: "save-status", role: "status", "aria-live": "polite" });
    const save = h("button", { type: "submit", id: "profile-save", form: "profile-form", text: t("profile.save") });
    const bar = h("p", { id: "elig-short", class: "elig-short", "aria-hidden": ctx.profile.kind === "company" ? null : "true" });
    const actions = h("div", { class: "actions" }, save, h("div", { class: "action-words" }, status,
      ctx.profile.kind === "company" ? bar : null));
    form.append(actions);
    const panel = ctx.profile.kind === "company"
      ? h("aside", { id: "elig", class: "elig card", "aria-labelledby": "elig-title" },
        h("h2", { id: "elig-title", text: t("elig.title") }),
        h("div", { class: "elig-body", "aria-live": "polite" }))
      : null;
    return { groups, form, summary, statusEl: status, save, bar, panel };
  }

  async function render(ctx) {
    const st = stateFor(ctx);
    const root = ctx.root;
    if (!st.doc) {
      root.append(h("h1", { text: t("profile.heading." + ctx.profile.kind) }),
        h("p", { class: "muted", text: t("profile.loading") }));
      const failed = await load(ctx, st);
      if (ctx.cache.profilePage !== st) return; /* another profile's page meanwhile */
      if (failed) {
        root.replaceChildren(h("h1", { text: t("profile.heading." + ctx.profile.kind) }),
          h("p", { class: "status error", role: "alert", text: t("profile.load_failed", { detail: tavolo.problemText(failed) }) }));
        return;
      }
    }
    build(ctx, st);
  }

  /* Builds the page from 'st' into ctx.root, replacing what is there. */
  function build(ctx, st) {
    const root = ctx.root;
    const page = Object.assign(layout(ctx, st), { root });
    st.page = page;
    st.ctx = ctx; /* the language of the latest render, for checks already scheduled */
    const who = h("p", { class: "profile-who" }, h("strong", { class: "profile-name", text: String(st.doc.name || st.doc.id) }),
      " ", h("span", { class: "muted", text: "· " + t("kind." + ctx.profile.kind) + " " + String(st.doc.id) }));
    const intro = h("div", { class: "intro" }, who, h("p", { text: t("profile.intro") }), h("p", { class: "muted", text: t("profile.kept") }));
    root.replaceChildren(h("h1", { text: t("profile.heading." + ctx.profile.kind) }), intro, page.summary,
      h("div", { class: "profile-layout" + (page.panel ? " with-elig" : "") }, page.form, page.panel));
    if (st.baseline === null) st.baseline = JSON.stringify(collect(page.form, st, page.groups));
    addActions(ctx, st, page);
    listen(ctx, st, page);
    page.refresh();
    /* A language switch: the report's reasons are asked for again in the new language. */
    if (page.panel && st.elig && st.elig.report && st.elig.lang !== ctx.lang) {
      if (st.eligOf === "draft" && st.draft) checkDraft(ctx, st);
      else savedEligibility(ctx, st).then(() => st.page === page && page.refresh());
    }
  }

  /* What the rest of the script does to the built page: status line, busy, refresh, rebuild. */
  function addActions(ctx, st, page) {
    page.status = (text, kind) => {
      page.statusEl.textContent = text;
      page.statusEl.dataset.kind = kind || "";
    };
    page.setBusy = (busy) => {
      page.save.disabled = busy;
      if (busy) page.status(t("profile.saving"), "busy");
    };
    page.refresh = () => {
      markErrors(page.root, page.groups, st.errors);
      renderSummary(page.summary, st, page.groups);
      if (page.panel) renderEligibility(page.panel, page.bar, st);
      const dirty = st.draft && JSON.stringify(st.draft) !== st.baseline;
      if (dirty) page.status(t("profile.unsaved"), "dirty");
      else if (st.savedAt) page.status(t("profile.saved", { time: tavolo.fmt.time(st.savedAt) }), "ok");
      else page.status("", "");
    };
    page.rebuild = () => {
      build(ctx, st);
      document.getElementById("profile-save").focus();
    };
  }

  function listen(ctx, st, page) {
    page.form.addEventListener("input", (ev) => onEdit(ctx, st, ev));
    page.form.addEventListener("change", (ev) => onEdit(ctx, st, ev));
    page.form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      save(ctx, st, page);
    });
    page.summary.addEventListener("click", async (ev) => {
      const a = ev.target.closest("a[data-field]");
      if (a) {
        ev.preventDefault();
        focusField(page.root, a.dataset.field);
        return;
      }
      if (ev.target.id === "profile-reload") {
        st.doc = null;
        st.savedAt = null;
        page.root.replaceChildren();
        await render(ctx);
        const first = page.root.querySelector("#profile-form input, #profile-form select");
        if (first) first.focus();
      }
    });
  }

  function onEdit(ctx, st, ev) {
    const page = st.page;
    const target = ev.target;
    const f = page.groups.flatMap((g) => g.fields).find((x) => x.name === target.name);
    if (f && (f.type === "eur" || f.type === "percent")) {
      const hint = page.root.querySelector(`#${fieldId(f.name)}-hint`);
      if (hint) hint.textContent = hintFor(f, parseNumber(target.value, f.type));
    }
    st.draft = collect(page.form, st, page.groups);
    st.savedAt = null;
    page.refresh();
    if (ctx.profile.kind !== "company") return;
    clearTimeout(st.timer);
    st.timer = setTimeout(() => checkDraft(st.ctx, st), DEBOUNCE_MS);
  }

  tavolo.page("/profile", { title: "profile.title", render });
})();
