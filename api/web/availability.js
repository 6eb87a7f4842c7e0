/* The availability page (issue 16): being written. */
"use strict";

tavolo.addMessages({ en: { "availability.title": "Availability" }, it: { "availability.title": "Disponibilità" } });

tavolo.page("/availability", {
  title: "availability.title",
  render: async (ctx) => {
    ctx.root.append(tavolo.h("h1", { text: tavolo.t("availability.title") }));
  },
});
