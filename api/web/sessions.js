/* The sessions page (issue 16, docs/web.md "Sessions"): the person's live sessions
 * (GET /v1/me/sessions, docs/sessions.md), this browser's marked in words, each with when it
 * was opened and last seen in the reader's locale and zone, its browser when the daemon keeps
 * one, and a Revoke button (DELETE /v1/me/sessions/{id}). Revoking this browser's session
 * signs it out. The page belongs to the person, not to a profile: it opens without one. */
"use strict";

(() => {
  const { h, t } = tavolo;

  tavolo.addMessages({
    en: {
      "sessions.title": "Sessions",
      "sessions.intro": "Each browser where you followed a sign-in link keeps a session until you sign out there or it expires. Revoke any you do not recognise: that browser is signed out at once.",
      "sessions.loading": "Loading your sessions…",
      "sessions.none": "No session is open (you are signed in with a token).",
      "sessions.current": "This browser",
      "sessions.other": "Another browser or device",
      "sessions.created": "Signed in:",
      "sessions.seen": "Last seen:",
      "sessions.agent": "Browser:",
      "sessions.id": "Session:",
      "sessions.revoke": "Revoke",
      "sessions.revoke_here": "Sign out here",
      "sessions.revoke_label": "Revoke the session signed in on {when}",
      "sessions.revoke_here_label": "Revoke this browser's session and sign out",
      "sessions.revoking": "Revoking…",
      "sessions.revoked": "Revoked: that browser is signed out.",
      "sessions.gone": "That session had ended already (error 404).",
      "sessions.signed_out": "Signed out. Taking you to the sign-in page…",
      "sessions.refused": "Revoking did not work (error {status}): {detail}",
      "sessions.count": "{n} open sessions",
      "sessions.count_one": "1 open session",
    },
    it: {
      "sessions.title": "Sessioni",
      "sessions.intro": "Ogni browser in cui ha seguito un link di accesso tiene una sessione finché lei non esce da lì o la sessione scade. Revochi quelle che non riconosce: quel browser perde subito l'accesso.",
      "sessions.loading": "Caricamento delle sessioni…",
      "sessions.none": "Nessuna sessione aperta (l'accesso è con un token).",
      "sessions.current": "Questo browser",
      "sessions.other": "Un altro browser o dispositivo",
      "sessions.created": "Accesso:",
      "sessions.seen": "Ultimo uso:",
      "sessions.agent": "Browser:",
      "sessions.id": "Sessione:",
      "sessions.revoke": "Revoca",
      "sessions.revoke_here": "Esci da qui",
      "sessions.revoke_label": "Revoca la sessione aperta il {when}",
      "sessions.revoke_here_label": "Revoca la sessione di questo browser ed esci",
      "sessions.revoking": "Revoca in corso…",
      "sessions.revoked": "Revocata: quel browser non ha più accesso.",
      "sessions.gone": "Quella sessione era già terminata (errore 404).",
      "sessions.signed_out": "Uscita eseguita. Torna alla pagina di accesso…",
      "sessions.refused": "La revoca non è riuscita (errore {status}): {detail}",
      "sessions.count": "{n} sessioni aperte",
      "sessions.count_one": "1 sessione aperta",
    },
  });

  function store(ctx) {
    if (!ctx.cache.sessions) ctx.cache.sessions = { list: null, status: {} };
    return ctx.cache.sessions;
  }

  function when(iso) {
    return iso ? tavolo.fmt.dateTime(iso, tavolo.viewerZone()) : "–";
  }

  /* "label value" as a definition pair. */
  function pair(key, value, cls) {
    return [h("dt", { text: t(key) }), h("dd", { class: cls || null, text: value })];
  }

  function row(ctx, s, x) {
    const current = !!x.current;
    const status = h("p", { id: "session-status-" + x.id, class: "status", tabindex: "-1", hidden: true });
    const li = h("li", { class: "session" + (current ? " current" : ""), id: "session-" + x.id, "data-id": x.id,
      "data-current": String(current) },
      h("p", { class: "which" },
        h("span", { class: "symbol", "aria-hidden": "true", text: current ? "\u25C9" : "\u25CB" }),
        h("strong", { text: t(current ? "sessions.current" : "sessions.other") })),
      h("dl", null,
        pair("sessions.created", when(x.created_at)),
        pair("sessions.seen", when(x.last_seen_at)),
        x.user_agent ? pair("sessions.agent", String(x.user_agent), "agent") : null,
        pair("sessions.id", String(x.prefix || x.id), "prefix")),
      x.revoked ? null : h("button", {
        type: "button", class: current ? "revoke" : "revoke secondary",
        "aria-label": current ? t("sessions.revoke_here_label") : t("sessions.revoke_label", { when: when(x.created_at) }),
        text: t(current ? "sessions.revoke_here" : "sessions.revoke"),
        onclick: (ev) => revoke(ctx, s, x, ev.currentTarget),
      }),
      status);
    const kept = s.status[x.id];
    if (kept) tavolo.showStatus(status, kept.kind, kept.key, kept.vars);
    return li;
  }

  /* DELETE /v1/me/sessions/{id} (with the CSRF token, by tavolo.api). This browser's own:
   * signed out, so to the sign-in page. Another: the row says it is revoked. */
  async function revoke(ctx, s, x, button) {
    button.disabled = true;
    const status = document.getElementById("session-status-" + x.id);
    tavolo.showStatus(status, "ok", "sessions.revoking");
    const res = await tavolo.api("DELETE", "/v1/me/sessions/" + encodeURIComponent(x.id));
    if (res.ok && x.current) {
      tavolo.showStatus(status, "ok", "sessions.signed_out");
      window.location.assign("/");
      return;
    }
    if (res.ok || res.status === 404) {
      x.revoked = true;
      s.status[x.id] = res.ok ? { kind: "ok", key: "sessions.revoked", vars: {} } : { kind: "error", key: "sessions.gone", vars: {} };
    } else {
      s.status[x.id] = res.status === 0
        ? { kind: "error", key: "network", vars: {} }
        : { kind: "error", key: "sessions.refused", vars: { status: res.status, detail: (res.body && res.body.detail) || "" } };
    }
    showCount(s);
    const fresh = row(ctx, s, x);
    document.getElementById("session-" + x.id).replaceWith(fresh);
    document.getElementById("session-status-" + x.id).focus();
  }

  /* "2 open sessions": the ones not revoked from this page. */
  function showCount(s) {
    const live = s.list.filter((x) => !x.revoked).length;
    document.getElementById("sessions-count").textContent =
      live === 1 ? t("sessions.count_one") : t("sessions.count", { n: tavolo.fmt.number(live) });
  }

  async function render(ctx) {
    const s = store(ctx);
    const root = h("div", { class: "sessions-page" }, h("h1", { text: t("sessions.title") }),
      h("p", { class: "intro", text: t("sessions.intro") }));
    ctx.root.append(root);
    if (!s.list) {
      const wait = h("p", { class: "muted", text: t("sessions.loading") });
      root.append(wait);
      const res = await tavolo.api("GET", "/v1/me/sessions");
      wait.remove();
      if (!res.ok) {
        root.append(h("p", { class: "status error", role: "alert", "data-kind": "error", text: tavolo.problemText(res) }));
        return;
      }
      s.list = Array.isArray(res.body && res.body.sessions) ? res.body.sessions : [];
    }
    if (!s.list.length) {
      root.append(h("p", { class: "card", text: t("sessions.none") }));
      return;
    }
    /* This browser's first, then the others as the API orders them (newest first). */
    const list = s.list.slice().sort((a, b) => (b.current ? 1 : 0) - (a.current ? 1 : 0));
    root.append(h("p", { id: "sessions-count", class: "count muted" }),
      h("ul", { class: "sessions" }, list.map((x) => row(ctx, s, x))));
    showCount(s);
  }

  /* Reached from the menu's account links, beside sign-out, not a tab of a profile. */
  tavolo.page("/sessions", { title: "sessions.title", profile: false, nav: false, render });
})();
