// Adds "Team report" to the console's top bar for an agent with the `lead` role (others don't
// see it; /console/insights answers them 403). Its own file: the console's script stays as is.
"use strict";

(function () {
  async function addLink() {
    const response = await fetch("/console/api/me", { credentials: "same-origin" });
    if (!response.ok) return;
    const body = await response.json();
    if (!body.agent || body.agent.role !== "lead" || document.getElementById("insights-link")) return;
    const bar = document.querySelector(".topbar-end");
    if (!bar) return;
    const link = document.createElement("a");
    link.id = "insights-link";
    link.href = "/console/insights";
    link.className = "button ghost small";
    link.textContent = "Team report";
    link.dataset.testid = "insights-link";
    bar.prepend(link);
  }
  // After a login the console shows its app view: look again when it appears.
  document.addEventListener("DOMContentLoaded", () => {
    addLink();
    const app = document.getElementById("app-view");
    if (app) new MutationObserver(() => { if (!app.hidden) addLink(); })
      .observe(app, { attributes: true, attributeFilter: ["hidden"] });
  });
})();
