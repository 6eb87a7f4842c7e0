/* The sessions page (issue 16): being written. */
"use strict";

tavolo.addMessages({ en: { "sessions.title": "Sessions" }, it: { "sessions.title": "Sessioni" } });

tavolo.page("/sessions", {
  title: "sessions.title",
  profile: false,
  nav: false, /* reached from the menu's account links, beside sign-out */
  render: async (ctx) => {
    ctx.root.append(tavolo.h("h1", { text: tavolo.t("sessions.title") }));
  },
});
