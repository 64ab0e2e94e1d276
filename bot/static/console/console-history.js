/*
 * The history tab: search the closed conversations that were with the team (by client, words,
 * status, channel, dates), a page at a time, and open one read-only. The gateway audits each
 * search and each opening.
 */
(function () {
  "use strict";

  var kit = window.ConsoleKit;
  var h = kit.h;
  var PER_PAGE = 10;
  var STATUS_LABEL = { resolved: "Resolved", bot: "Handed back" };
  var page = 1;
  var last = null;

  function tab(which) {
    var history = which === "history";
    document.getElementById("tab-queue").setAttribute("aria-selected", history ? "false" : "true");
    document.getElementById("tab-history").setAttribute("aria-selected", history ? "true" : "false");
    document.getElementById("queue-panel").hidden = history;
    document.getElementById("history-panel").hidden = !history;
    if (history && !last) search(1);
  }

  function params() {
    var form = document.getElementById("history-form");
    var query = new URLSearchParams();
    ["client", "text", "status", "channel", "from", "to"].forEach(function (name) {
      var value = form.elements[name].value.trim();
      if (value) query.set(name, value);
    });
    query.set("page", String(page));
    query.set("per_page", String(PER_PAGE));
    return query;
  }

  function search(wanted) {
    page = wanted;
    var total = document.getElementById("history-total");
    total.textContent = "Searching…";
    return kit.api("GET", "/history?" + params().toString()).then(function (data) {
      last = data;
      render(data);
    }, function (err) {
      total.textContent = err.status === 422 ? "Check the dates: the end is before the start."
        : err.message || "The search failed. Try again.";
    });
  }

  function render(data) {
    var found = Array.isArray(data.conversations) ? data.conversations : [];
    var pages = Math.max(1, Math.ceil((data.total || 0) / PER_PAGE));
    document.getElementById("history-total").textContent = data.total === 1 ? "1 conversation"
      : (data.total || 0) + " conversations";
    document.getElementById("history-page").textContent = "Page " + page + " of " + pages;
    document.getElementById("history-prev").disabled = page <= 1;
    document.getElementById("history-next").disabled = page >= pages;
    var list = document.getElementById("history-list");
    list.replaceChildren();
    if (!found.length) list.append(h("li", { class: "queue-empty", text: "Nothing found." }));
    found.map(kit.summary).forEach(function (c) {
      list.append(h("li", {}, h("button", {
        type: "button", class: "queue-item history-item", "data-testid": "history-item",
        "data-id": kit.str(c.id), onclick: function () { open(c.id); },
      },
      h("span", { class: "queue-top" },
        h("span", { class: "tag", "data-testid": "history-item-status", text: STATUS_LABEL[c.mode] || kit.str(c.mode) }),
        h("span", { class: "waiting", text: kit.format(kit.day, c.updated_at) + " " + kit.format(kit.clock, c.updated_at) })),
      h("span", { class: "queue-name", "data-testid": "history-name", text: kit.clientLabel(c, null) }),
      h("span", { class: "queue-reason", text: kit.channelLabel(c) }),
      c.last_message ? h("span", { class: "queue-preview", text: kit.str(c.last_message) }) : null)));
    });
  }

  function open(id) {
    return kit.api("GET", "/history/" + encodeURIComponent(id)).then(function (data) {
      kit.openReadOnly(data, "From the history: read-only (" +
        (STATUS_LABEL[data.mode] || kit.str(data.mode)).toLowerCase() + ").");
    }, function (err) {
      if (err.status !== 401) kit.toast(err.message || "Could not open it.", "error");
    });
  }

  document.getElementById("tab-queue").addEventListener("click", function () { tab("queue"); });
  document.getElementById("tab-history").addEventListener("click", function () { tab("history"); });
  document.getElementById("history-form").addEventListener("submit", function (e) {
    e.preventDefault();
    search(1);
  });
  document.getElementById("history-prev").addEventListener("click", function () { search(page - 1); });
  document.getElementById("history-next").addEventListener("click", function () { search(page + 1); });
})();
