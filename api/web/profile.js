/* The profile page (issue 16): being written. */
"use strict";

tavolo.addMessages({ en: { "profile.title": "Profile" }, it: { "profile.title": "Profilo" } });

tavolo.page("/profile", {
  title: "profile.title",
  render: async (ctx) => {
    ctx.root.append(tavolo.h("h1", { text: tavolo.t("profile.title") }));
  },
});
