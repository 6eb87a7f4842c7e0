/* The requests page (issue 16): being written. */
"use strict";

tavolo.addMessages({ en: { "requests.title": "Requests" }, it: { "requests.title": "Richieste" } });

tavolo.page("/requests", {
  title: "requests.title",
  render: async (ctx) => {
    ctx.root.append(tavolo.h("h1", { text: tavolo.t("requests.title") }));
  },
});
