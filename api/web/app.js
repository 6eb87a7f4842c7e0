/* tavolo's page shell (docs/web.md): one page for every path; this script decides what to
 * show. Signed out (GET /v1/me does not answer 200), the sign-in form; signed in, the home
 * (the person's profiles) or the page of the path, for the profile chosen. The pages
 * themselves live in their own files (matches.js, requests.js, ...) and register with
 * tavolo.page(); this file gives them the language, the API, the DOM builder and the
 * formats. Every value is shown with textContent, never parsed as HTML. */
"use strict";

const MESSAGES = {
  en: {
    "loading": "Loading…",
    "signin.title": "Sign in",
    "signin.intro": "Enter your e-mail address: we will send you a link that signs you in. No password needed.",
    "signin.email": "E-mail address",
    "signin.submit": "Send me a sign-in link",
    "signin.sending": "Sending…",
    "signin.sent": "Check your mail: if {email} is known to an event, a sign-in link is on its way.",
    "signin.invalid": "Enter your e-mail address, such as name@example.com.",
    "signin.limited": "Too many requests for now: try again in a few minutes.",
    "signin.failed": "Sign-in is not available right now (error {status}). Please try again later.",
    "network": "tavolo cannot be reached: check your connection and try again.",
    "error.status": "Something went wrong (error {status}): {detail}",
    "home.title": "Your page",
    "home.signed_in_as": "Signed in as",
    "home.profiles": "Your profiles",
    "home.choose": "Choose the profile you act for:",
    "home.no_profiles": "No profile is linked to this address yet.",
    "home.signout": "Sign out",
    "home.signout_failed": "Sign-out did not work (error {status}). Please try again.",
    "kind.company": "Company",
    "kind.investor": "Investor",
    "kind.organiser": "Organiser",
    "kind.admin": "Admin",
    "admin.name": "Every event of the Tour",
    "nav.label": "Pages",
    "nav.acting_for": "Acting for",
    "nav.switch": "Change profile",
    "nav.sessions": "Your sessions",
  },
  it: {
    "loading": "Caricamento…",
    "signin.title": "Accedi",
    "signin.intro": "Scriva il suo indirizzo e-mail: le mandiamo un link per accedere. Nessuna password.",
    "signin.email": "Indirizzo e-mail",
    "signin.submit": "Invia il link di accesso",
    "signin.sending": "Invio…",
    "signin.sent": "Controlli la posta: se {email} è noto a un evento, il link di accesso è in arrivo.",
    "signin.invalid": "Scriva il suo indirizzo e-mail, ad esempio nome@esempio.it.",
    "signin.limited": "Troppe richieste per ora: riprovi tra qualche minuto.",
    "signin.failed": "L'accesso non è disponibile ora (errore {status}). Riprovi più tardi.",
    "network": "tavolo non è raggiungibile: controlli la connessione e riprovi.",
    "error.status": "Qualcosa non ha funzionato (errore {status}): {detail}",
    "home.title": "La sua pagina",
    "home.signed_in_as": "Accesso come",
    "home.profiles": "I suoi profili",
    "home.choose": "Scelga il profilo per cui agisce:",
    "home.no_profiles": "Nessun profilo è ancora legato a questo indirizzo.",
    "home.signout": "Esci",
    "home.signout_failed": "L'uscita non è riuscita (errore {status}). Riprovi.",
    "kind.company": "Azienda",
    "kind.investor": "Investitore",
    "kind.organiser": "Organizzazione",
    "kind.admin": "Amministrazione",
    "admin.name": "Tutti gli eventi del Tour",
    "nav.label": "Pagine",
    "nav.acting_for": "Per conto di",
    "nav.switch": "Cambia profilo",
    "nav.sessions": "Le sue sessioni",
  },
};

const LANG_KEY = "tavolo.lang";
const PROFILE_KEY = "tavolo.profile";
const LOCALES = { en: "en-GB", it: "it-IT" };
const state = { lang: "en", me: null, profile: null, status: {}, page: null, cache: {} };
const pages = new Map(); /* path -> {title, nav, render} */

/* The message 'key' in the current language, with {name} replaced by vars[name]. */
function t(key, vars) {
  const text = MESSAGES[state.lang][key] || MESSAGES.en[key] || key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (vars && name in vars ? String(vars[name]) : ""));
}

/* Adds a page's messages: {en: {...}, it: {...}}. */
function addMessages(dict) {
  for (const lang of Object.keys(MESSAGES)) Object.assign(MESSAGES[lang], dict[lang] || {});
}

/* The stored choice, else the browser's language: Italian for it*, English otherwise. */
function initialLang() {
  let stored = null;
  try {
    stored = window.localStorage.getItem(LANG_KEY);
  } catch (e) {
    stored = null; /* storage may be off: the browser's language still picks */
  }
  if (stored === "it" || stored === "en") return stored;
  const nav = (navigator.languages && navigator.languages[0]) || navigator.language || "en";
  return nav.toLowerCase().startsWith("it") ? "it" : "en";
}

/* ---- building the page ---- */

/* An element: h("a", {href: "/x", class: "y", text: "z", onclick: f}, child, "text", ...).
 * Attributes are set with setAttribute, "text" with textContent, on* as listeners; children
 * that are strings become text nodes; null and false children are skipped. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") el.textContent = String(v);
    else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/* A status line: 'kind' is "ok" or "error"; the words say which, the symbol and colour
 * repeat it. 'el' is an element or its id; the line is kept and rewritten on a language
 * switch when it has an id. */
function showStatus(el, kind, key, vars) {
  if (typeof el === "string") el = document.getElementById(el);
  if (el.id) state.status[el.id] = { kind, key, vars };
  el.className = "status " + kind;
  el.dataset.kind = kind;
  el.setAttribute("role", kind === "error" ? "alert" : "status");
  el.textContent = t(key, vars);
  el.hidden = false;
}

function clearStatus(el) {
  if (typeof el === "string") el = document.getElementById(el);
  delete state.status[el.id];
  el.hidden = true;
  el.textContent = "";
  delete el.dataset.kind;
}

/* ---- formats, in the reader's locale ---- */

function locale() {
  return LOCALES[state.lang];
}

/* The browser's own time zone, as calendar apps use it. */
function viewerZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

const fmt = {
  number: (n, digits) =>
    new Intl.NumberFormat(locale(), { maximumFractionDigits: digits === undefined ? 0 : digits }).format(n),
  /* "lunedì 11 gennaio 2027" of an instant (ISO 8601 with offset) in zone 'tz'. */
  date: (iso, tz) =>
    new Intl.DateTimeFormat(locale(), { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: tz || undefined }).format(new Date(iso)),
  /* "09:30" of an instant in zone 'tz'. */
  time: (iso, tz) =>
    new Intl.DateTimeFormat(locale(), { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: tz || undefined }).format(new Date(iso)),
  /* "11 gen 2027, 09:30" of an instant in zone 'tz'. */
  dateTime: (iso, tz) =>
    new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short", hourCycle: "h23", timeZone: tz || undefined }).format(new Date(iso)),
  /* A calendar day "2027-01-11" (no zone: it is the event's own day) in words. */
  day: (ymd) =>
    new Intl.DateTimeFormat(locale(), { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" }).format(new Date(ymd + "T12:00:00Z")),
};

/* ---- the API, as the signed-in person acting for the chosen profile ---- */

function csrfToken(me) {
  return String((me && (me.csrf_token || me.csrf)) || "");
}

/* fetch() of the API with the session's cookie, the profile header (docs/sessions.md) and,
 * for writes, the CSRF token and a JSON body. Resolves to {status, ok, body, headers}: body
 * is the parsed JSON (a problem document on errors) or null; a network failure resolves to
 * status 0. */
async function api(method, path, body, extraHeaders) {
  const headers = Object.assign({}, extraHeaders || {});
  if (state.profile) headers["X-Tavolo-Profile"] = state.profile.kind + ":" + state.profile.id;
  if (method !== "GET" && method !== "HEAD") headers["X-CSRF-Token"] = csrfToken(state.me);
  const init = { method, headers, credentials: "same-origin" };
  if (body !== undefined && body !== null) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let r;
  try {
    r = await fetch(path, init);
  } catch (e) {
    return { status: 0, ok: false, body: null, headers: null };
  }
  let data = null;
  const type = r.headers.get("Content-Type") || "";
  if (type.includes("json")) {
    try {
      data = await r.json();
    } catch (e) {
      data = null;
    }
  }
  return { status: r.status, ok: r.ok, body: data, headers: r.headers };
}

/* Saves the file the API answers at 'path' (fetched with the session and the profile header,
 * which a plain link cannot send) as 'filename' through a blob: URL. On failure shows
 * 'failKey' ({status}) in 'statusEl', or the network message. */
async function download(path, filename, statusEl, failKey) {
  const headers = {};
  if (state.profile) headers["X-Tavolo-Profile"] = state.profile.kind + ":" + state.profile.id;
  let r;
  try {
    r = await fetch(path, { headers, credentials: "same-origin" });
  } catch (e) {
    showStatus(statusEl, "error", "network");
    return false;
  }
  if (!r.ok) {
    showStatus(statusEl, "error", failKey, { status: r.status });
    return false;
  }
  const url = URL.createObjectURL(await r.blob());
  const a = h("a", { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return true;
}

/* The words for a failed api() answer: the problem's detail, or the network message. */
function problemText(res) {
  if (res.status === 0) return t("network");
  const detail = (res.body && (res.body.detail || res.body.title)) || "";
  return t("error.status", { status: res.status, detail });
}

/* The problem's errors by JSON pointer ("/name" -> "expected ..."), for messages shown next
 * to the field that caused them. */
function fieldErrors(res) {
  const out = {};
  const b = res.body || {};
  for (const e of Array.isArray(b.errors) ? b.errors : []) {
    if (e && e.pointer) out[e.pointer] = String(e.detail || e.message || "");
  }
  if (b.pointer && !(b.pointer in out)) out[b.pointer] = String(b.detail || "");
  return out;
}

/* ---- a participants spreadsheet (decision 0065) ---- */

/* Reads a participants spreadsheet ('file', CSV) through POST /v1/spreadsheets/participants:
 * {participants, lines} to put into an event file, or {problems: [words, each naming its
 * line]}. */
async function readParticipants(file) {
  const res = await api("POST", "/v1/spreadsheets/participants", { csv: await file.text() });
  if (res.ok && res.body) return res.body;
  const errors = (res.body && Array.isArray(res.body.errors)) ? res.body.errors : [];
  return { problems: errors.length ? errors.map((e) => String(e.detail)) : [problemText(res)] };
}

/* The line of the spreadsheet that a problem of the event file at 'pointer'
 * ("/participants/3/people/1/email") comes from, by the 'lines' readParticipants gave; null
 * for a problem elsewhere in the file. */
function spreadsheetLine(pointer, lines) {
  const parts = String(pointer || "").split("/").slice(1);
  const at = parts[0] === "participants" && Array.isArray(lines) ? lines[Number(parts[1])] : null;
  if (!at) return null;
  const person = parts[2] === "people" ? at.people[Number(parts[3])] : undefined;
  return person || at.line;
}

/* ---- pages and navigation ---- */

/* Registers the page of 'path': {title: message key, nav: shown in the menu (default true),
 * profile: false for a page of the person rather than of a profile (it opens without one),
 * kinds: the kinds of profile it is for (default company and investor; an organiser's pages
 * say ["organiser"]), render: async (ctx) => void}. render fills ctx.root (emptied before each call) and is called
 * again on a language switch; ctx = {root, me, profile: {kind, id, name}, params
 * (URLSearchParams of the address), cache (an object kept across renders of the page),
 * lang}. */
function page(path, spec) {
  pages.set(path, Object.assign({ nav: true, kinds: ["company", "investor"] }, spec));
}

const KINDS = ["company", "investor", "organiser", "admin"];

/* A profile's name in the menu and on the home; an admin's (decision 0065) says what it is. */
function profileName(p) {
  return p.kind === "admin" ? t("admin.name") : String(p.name || p.id);
}

/* 1 if page 'spec' is for the profile acted for (a page of the person is for any). */
function pageFor(spec, profile) {
  return spec.profile === false || (profile !== null && spec.kinds.includes(profile.kind));
}

/* The address of a page for the chosen profile: href("/agenda", {event: "jpm-2027"}) ->
 * "/agenda?company=c-1&event=jpm-2027". */
function href(path, extra) {
  const q = new URLSearchParams();
  if (state.profile) q.set(state.profile.kind, state.profile.id);
  for (const [k, v] of Object.entries(extra || {})) {
    if (v !== null && v !== undefined && v !== "") q.set(k, String(v));
  }
  const s = q.toString();
  return s ? path + "?" + s : path;
}

function profileKey(p) {
  return p.kind + ":" + p.id;
}

/* The profile acted for: ?company=ID or ?investor=ID (docs/digests.md's contract), else the
 * one chosen last in this browser, else the only one; null when the person must choose. */
function chooseProfile(me, params) {
  const profiles = Array.isArray(me.profiles) ? me.profiles : [];
  const find = (kind, id) => profiles.find((p) => p.kind === kind && String(p.id) === id) || null;
  /* A pair's address names both sides (/pair?company=C&investor=I): the person's is chosen. */
  const named = KINDS.filter((kind) => params.has(kind));
  if (named.length) return named.map((kind) => find(kind, params.get(kind))).find((p) => p) || null;
  let stored = null;
  try {
    stored = window.localStorage.getItem(PROFILE_KEY);
  } catch (e) {
    stored = null;
  }
  if (stored) {
    const i = stored.indexOf(":");
    const p = i > 0 ? find(stored.slice(0, i), stored.slice(i + 1)) : null;
    if (p) return p;
  }
  return profiles.length === 1 ? profiles[0] : null;
}

function rememberProfile(p) {
  try {
    window.localStorage.setItem(PROFILE_KEY, profileKey(p));
  } catch (e) {
    /* chosen for this page only */
  }
}

function renderNav() {
  const nav = document.getElementById("nav");
  const list = document.getElementById("nav-pages");
  const here = window.location.pathname;
  list.replaceChildren();
  for (const [path, spec] of pages) {
    if (!spec.nav || !pageFor(spec, state.profile)) continue;
    const a = h("a", { href: href(path), text: t(spec.title) });
    if (path === here) a.setAttribute("aria-current", "page");
    list.append(h("li", null, a));
  }
  /* On a phone the tabs scroll sideways: the current one is brought into the row's view. */
  const current = list.querySelector("[aria-current]");
  if (current) list.scrollLeft = Math.max(0, current.offsetLeft - list.offsetLeft - 16);
  const who = document.getElementById("nav-who");
  who.replaceChildren();
  if (state.profile) {
    who.append(
      h("span", { class: "muted", text: t("nav.acting_for") + " " }),
      h("strong", { text: profileName(state.profile) }),
      h("span", { class: "kind", text: t("kind." + state.profile.kind) }),
    );
    if ((state.me.profiles || []).length > 1) {
      who.append(" ", h("a", { href: "/?choose=1", text: t("nav.switch") }));
    }
  }
  nav.hidden = false;
}

async function renderPage() {
  const spec = state.page;
  const root = document.getElementById("page");
  root.replaceChildren();
  document.title = "tavolo · " + t(spec.title);
  const ctx = {
    root,
    me: state.me,
    profile: state.profile,
    params: new URLSearchParams(window.location.search),
    cache: state.cache,
    lang: state.lang,
  };
  delete root.dataset.ready;
  try {
    await spec.render(ctx);
    root.dataset.ready = "1"; /* the page's data is shown: tests and benchmarks wait for it */
  } catch (e) {
    root.replaceChildren(h("p", { class: "status error", role: "alert", text: t("error.status", { status: "script", detail: String(e && e.message) }) }));
    throw e;
  }
}

/* Writes every text of the page in the current language, status lines included. */
function applyLang() {
  document.documentElement.lang = state.lang;
  document.title = "tavolo · " + t(state.me ? "home.title" : "signin.title");
  for (const el of document.querySelectorAll("[data-i18n]")) {
    el.textContent = t(el.dataset.i18n);
  }
  for (const b of document.querySelectorAll(".langs button")) {
    b.setAttribute("aria-pressed", String(b.dataset.lang === state.lang));
  }
  for (const [id, s] of Object.entries(state.status)) {
    const el = document.getElementById(id);
    if (el) el.textContent = t(s.key, s.vars);
  }
  if (state.me) {
    renderProfiles(state.me);
    renderNav();
  }
  if (state.page && state.me) renderPage();
}

/* Switches the language; a signed-in person's choice is kept for them (PATCH /v1/me), so
 * that their phone and their laptop agree, and this browser remembers it when signed out. */
function setLang(lang) {
  state.lang = lang;
  try {
    window.localStorage.setItem(LANG_KEY, lang);
  } catch (e) {
    /* not kept across visits, but the page still switches */
  }
  applyLang();
  if (state.me && state.me.email && state.me.language !== lang) {
    state.me.language = lang;
    api("PATCH", "/v1/me", { language: lang }); /* the page has switched whatever the answer */
  }
}

function show(id) {
  for (const s of ["loading", "signin", "home", "page"]) {
    document.getElementById(s).hidden = s !== id;
  }
}

/* ---- signed out ---- */

function plausibleEmail(s) {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s);
}

async function submitSignin(event) {
  event.preventDefault();
  const input = document.getElementById("email");
  const button = document.getElementById("signin-submit");
  const email = input.value.trim();
  if (!plausibleEmail(email)) {
    input.setAttribute("aria-invalid", "true");
    showStatus("signin-status", "error", "signin.invalid");
    input.focus();
    return;
  }
  input.removeAttribute("aria-invalid");
  button.disabled = true;
  showStatus("signin-status", "ok", "signin.sending");
  try {
    const r = await fetch("/v1/signin", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: email }),
      credentials: "same-origin",
    });
    if (r.status === 202 || r.status === 200 || r.status === 204)
      showStatus("signin-status", "ok", "signin.sent", { email: email });
    else if (r.status === 429)
      showStatus("signin-status", "error", "signin.limited");
    else
      showStatus("signin-status", "error", "signin.failed", { status: r.status });
  } catch (e) {
    showStatus("signin-status", "error", "network");
  } finally {
    button.disabled = false;
  }
}

/* ---- signed in ---- */

/* The profile's own page: docs/digests.md's contract, /matches?company=ID or ?investor=ID;
 * an organiser's, /organise?organiser=EVENT_ID; an admin's, /events?admin=all. */
function profileHref(p) {
  const kind = KINDS.includes(p.kind) ? p.kind : "company";
  return homePath(p) + "?" + kind + "=" + encodeURIComponent(String(p.id));
}

function homePath(p) {
  const homes = { organiser: "/organise", admin: "/events" };
  return (p && homes[p.kind]) || "/matches";
}

function renderProfiles(me) {
  const list = document.getElementById("home-profiles");
  const profiles = Array.isArray(me.profiles) ? me.profiles : [];
  list.replaceChildren();
  for (const p of profiles) {
    const a = h("a", { href: profileHref(p), onclick: () => rememberProfile(p) },
      h("span", { class: "kind", text: t("kind." + (KINDS.includes(p.kind) ? p.kind : "company")) }),
      h("span", { class: "name", text: profileName(p) }));
    list.append(h("li", null, a));
  }
  document.getElementById("home-none").hidden = profiles.length > 0;
}

/* Signs out (the home's button or the menu's); 'statusId' is where a failure is said. */
async function signOut(button, statusId) {
  button.disabled = true;
  try {
    const r = await fetch("/signout", {
      method: "POST",
      headers: { "X-CSRF-Token": csrfToken(state.me) },
      credentials: "same-origin",
    });
    if (r.ok || r.status === 303) {
      window.location.assign("/");
      return;
    }
    showStatus(statusId, "error", "home.signout_failed", { status: r.status });
  } catch (e) {
    showStatus(statusId, "error", "network");
  } finally {
    button.disabled = false;
  }
}

function showHome(me) {
  state.me = me;
  document.getElementById("home-email").textContent = String(me.email || "");
  applyLang();
  show("home");
}

function showSignin() {
  state.me = null;
  applyLang();
  show("signin");
}

/* A signed-in person on a page's path: the page for the chosen profile, or the home when
 * none is chosen (several profiles and no ?company= / ?investor=) or the path has no page. */
function showSignedIn(me) {
  const params = new URLSearchParams(window.location.search);
  state.me = me;
  state.profile = chooseProfile(me, params);
  if (state.profile) rememberProfile(state.profile);
  /* The home of a person acting for a profile is that profile's matches; the profile choice
   * stays at /?choose=1. */
  if (window.location.pathname === "/" && state.profile && !params.has("choose"))
    window.history.replaceState(null, "", href(homePath(state.profile)));
  let spec = pages.get(window.location.pathname);
  /* A page of the other kind of profile (an organiser on /matches): that profile's home. */
  if (spec && state.profile && !pageFor(spec, state.profile)) {
    window.history.replaceState(null, "", href(homePath(state.profile)));
    spec = pages.get(window.location.pathname);
  }
  if (!spec || (!state.profile && spec.profile !== false) || params.has("choose")) {
    showHome(me);
    return;
  }
  state.page = spec;
  document.getElementById("home-email").textContent = String(me.email || "");
  show("page");
  applyLang(); /* renders the navigation and the page */
}

/* GET /v1/me: 200 with the person, their profiles and the CSRF token means a session. */
async function start() {
  state.lang = initialLang();
  applyLang();
  for (const b of document.querySelectorAll(".langs button")) {
    b.addEventListener("click", () => setLang(b.dataset.lang));
  }
  document.getElementById("signin-form").addEventListener("submit", submitSignin);
  for (const [id, statusId] of [["signout", "home-status"], ["nav-signout", "nav-status"]]) {
    const button = document.getElementById(id);
    button.addEventListener("click", () => signOut(button, statusId));
  }
  let me = null;
  try {
    const r = await fetch("/v1/me", { credentials: "same-origin" });
    if (r.status === 200) me = await r.json();
  } catch (e) {
    me = null; /* no session can be shown: signing in is what remains */
  }
  if (me && typeof me === "object" && (me.language === "it" || me.language === "en"))
    state.lang = me.language; /* the person's own, wherever they sign in */
  if (me && typeof me === "object") showSignedIn(me);
  else showSignin();
}

/* What the page files use. */
window.tavolo = {
  t, addMessages, h, page, href, api, download, problemText, fieldErrors, showStatus, clearStatus,
  fmt, viewerZone, locale, state, readParticipants, spreadsheetLine,
};

document.addEventListener("DOMContentLoaded", start);
