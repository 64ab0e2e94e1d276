// The review queue (/console/review): a lead labels what the assistant missed, then exports it
// as training data. Talks to /console/api/review/* (bot/gateway/review_api.py); text only, never
// HTML, is put into the page.
"use strict";

(() => {
  const API = "/console/api";
  const $ = (id) => document.getElementById(id);
  let labels = [];

  function call(path, body) {
    const options = { credentials: "same-origin", headers: { "X-Requested-With": "console" } };
    if (body !== undefined) {
      options.method = "POST";
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(API + path, options);
  }

  function status(text) {
    $("review-status").textContent = text;
    $("review-status").hidden = !text;
  }

  function labelOptions(select) {
    const groups = { "intent": "Intents", "help topic": "Help topics" };
    const first = document.createElement("option");
    first.value = "";
    first.textContent = "Choose an intent or help topic…";
    select.append(first);
    for (const [kind, title] of Object.entries(groups)) {
      const group = document.createElement("optgroup");
      group.label = title;
      for (const label of labels.filter((l) => l.kind === kind)) {
        const option = document.createElement("option");
        option.value = label.name;
        option.textContent = label.name;
        group.append(option);
      }
      select.append(group);
    }
  }

  function render(items) {
    const list = $("review-list");
    list.replaceChildren();
    for (const item of items) {
      const node = $("review-item").content.firstElementChild.cloneNode(true);
      node.dataset.id = String(item.id);
      node.querySelector(".review-text").textContent = item.text;
      node.querySelector(".review-meta").textContent =
        `${item.source_text} · seen ${item.seen} time${item.seen === 1 ? "" : "s"}`;
      const select = node.querySelector("select");
      select.setAttribute("aria-label", `Intent or help topic for: ${item.text}`);
      labelOptions(select);
      node.querySelectorAll("button[data-action]").forEach((button) => {
        button.addEventListener("click", () => decide(node, item.id, button.dataset.action, select));
      });
      list.append(node);
    }
    $("review-empty").hidden = items.length > 0;
  }

  async function decide(node, id, decision, select) {
    if (decision === "label" && !select.value) {
      select.focus();
      status("Choose an intent or help topic first.");
      return;
    }
    const response = await call(`/review/items/${id}`,
      { decision, label: decision === "label" ? select.value : null });
    if (!response.ok) {
      status("That didn't work; reload the page and try again.");
      return;
    }
    node.remove();
    status("");
    $("review-empty").hidden = $("review-list").children.length > 0;
  }

  async function exportTraining() {
    const button = $("export");
    button.disabled = true;
    try {
      const response = await call("/review/export", {});
      const result = await response.json();
      if (!response.ok) {
        $("export-result").textContent = "The export failed.";
      } else if (result.file) {
        $("export-result").textContent =
          `Wrote ${result.written} example${result.written === 1 ? "" : "s"} to ${result.file}` +
          (result.already_known ? ` (${result.already_known} known already).` : ".");
      } else {
        $("export-result").textContent = result.already_known
          ? `Nothing new: ${result.already_known} known already.`
          : "Nothing to export: decide on some messages first.";
      }
    } finally {
      button.disabled = false;
    }
  }

  async function start() {
    const me = await call("/me");
    if (me.status === 401) {
      status("Sign in to the console first, then come back to this page.");
      return;
    }
    const [itemsResponse, labelsResponse] = await Promise.all([call("/review/items"),
      call("/review/labels")]);
    if (itemsResponse.status === 403) {
      status("The review queue is for leads only.");
      return;
    }
    if (!itemsResponse.ok || !labelsResponse.ok) {
      status("The review queue can't be loaded right now.");
      return;
    }
    labels = (await labelsResponse.json()).labels;
    render((await itemsResponse.json()).items);
    status("");
    $("review-app").hidden = false;
    $("export").addEventListener("click", exportTraining);
  }

  start();
})();
