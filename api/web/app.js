/* tavolo's page shell (docs/web.md): one page for every path; this script decides what to
 * show. Signed out (GET /v1/me does not answer 200), the sign-in form; signed in, a minimal
 * home. Every value is shown with textContent, never parsed as HTML. */
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
    "home.title": "Your page",
    "home.signed_in_as": "Signed in as",
    "home.profiles": "Your profiles",
    "home.choose": "Choose the profile you act for:",
    "home.no_profiles": "No profile is linked to this address yet.",
    "home.signout": "Sign out",
    "home.signout_failed": "Sign-out did not work (error {status}). Please try again.",
    "kind.company": "Company",
    "kind.investor": "Investor",
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
    "home.title": "La sua pagina",
    "home.signed_in_as": "Accesso come",
    "home.profiles": "I suoi profili",
    "home.choose": "Scelga il profilo per cui agisce:",
    "home.no_profiles": "Nessun profilo è ancora legato a questo indirizzo.",
    "home.signout": "Esci",
    "home.signout_failed": "L'uscita non è riuscita (errore {status}). Riprovi.",
    "kind.company": "Azienda",
    "kind.investor": "Investitore",
  },
};

const LANG_KEY = "tavolo.lang";
const state = { lang: "en", me: null, status: {} };

/* The message 'key' in the current language, with {name} replaced by vars[name]. */
function t(key, vars) {
  const text = MESSAGES[state.lang][key] || MESSAGES.en[key] || key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (vars && name in vars ? String(vars[name]) : ""));
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

/* Shows a status line: 'kind' is "ok" or "error"; the words say which, the colour repeats. */
function showStatus(id, kind, key, vars) {
  const el = document.getElementById(id);
  state.status[id] = { kind, key, vars };
  el.className = "status " + kind;
  el.dataset.kind = kind;
  el.textContent = t(key, vars);
  el.hidden = false;
}

function clearStatus(id) {
  const el = document.getElementById(id);
  delete state.status[id];
  el.hidden = true;
  el.textContent = "";
  delete el.dataset.kind;
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
    document.getElementById(id).textContent = t(s.key, s.vars);
  }
  if (state.me) renderProfiles(state.me);
}

function setLang(lang) {
  state.lang = lang;
  try {
    window.localStorage.setItem(LANG_KEY, lang);
  } catch (e) {
    /* not kept across visits, but the page still switches */
  }
  applyLang();
}

function show(id) {
  for (const s of ["loading", "signin", "home"]) {
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

/* The profile's own page of docs/digests.md's contract: /matches?company=ID or ?investor=ID. */
function profileHref(p) {
  const kind = p.kind === "investor" ? "investor" : "company";
  return "/matches?" + kind + "=" + encodeURIComponent(String(p.id));
}

function renderProfiles(me) {
  const list = document.getElementById("home-profiles");
  const profiles = Array.isArray(me.profiles) ? me.profiles : [];
  list.replaceChildren();
  for (const p of profiles) {
    const li = document.createElement("li");
    const a = document.createElement("a");
    const kind = document.createElement("span");
    const name = document.createElement("span");
    a.setAttribute("href", profileHref(p));
    kind.className = "kind";
    kind.textContent = t(p.kind === "investor" ? "kind.investor" : "kind.company");
    name.className = "name";
    name.textContent = String(p.name || p.id);
    a.append(kind, name);
    li.append(a);
    list.append(li);
  }
  document.getElementById("home-none").hidden = profiles.length > 0;
}

function csrfToken(me) {
  return String(me.csrf_token || me.csrf || "");
}

async function signOut() {
  const button = document.getElementById("signout");
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
    showStatus("home-status", "error", "home.signout_failed", { status: r.status });
  } catch (e) {
    showStatus("home-status", "error", "network");
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

/* GET /v1/me: 200 with the person, their profiles and the CSRF token means a session. */
async function start() {
  state.lang = initialLang();
  applyLang();
  for (const b of document.querySelectorAll(".langs button")) {
    b.addEventListener("click", () => setLang(b.dataset.lang));
  }
  document.getElementById("signin-form").addEventListener("submit", submitSignin);
  document.getElementById("signout").addEventListener("click", signOut);
  let me = null;
  try {
    const r = await fetch("/v1/me", { credentials: "same-origin" });
    if (r.status === 200) me = await r.json();
  } catch (e) {
    me = null; /* no session can be shown: signing in is what remains */
  }
  if (me && typeof me === "object") showHome(me);
  else showSignin();
}

document.addEventListener("DOMContentLoaded", start);
