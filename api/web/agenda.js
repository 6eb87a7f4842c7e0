/* The agenda page (issue 16): being written. */
"use strict";

tavolo.addMessages({ en: { "agenda.title": "Agenda" }, it: { "agenda.title": "Agenda" } });

tavolo.page("/agenda", {
  title: "agenda.title",
  render: async (ctx) => {
    ctx.root.append(tavolo.h("h1", { text: tavolo.t("agenda.title") }));
  },
});
