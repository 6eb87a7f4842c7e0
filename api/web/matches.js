/* The matches page (issue 16): being written. */
"use strict";

tavolo.addMessages({ en: { "matches.title": "My matches" }, it: { "matches.title": "Le mie corrispondenze" } });

tavolo.page("/matches", {
  title: "matches.title",
  render: async (ctx) => {
    ctx.root.append(tavolo.h("h1", { text: tavolo.t("matches.title") }));
  },
});
