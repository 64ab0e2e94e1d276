/*
 * Saved (canned) replies: "/" in an empty reply box, or the "Saved replies" button, opens a list
 * to filter (type) and pick (click, or arrows and Enter). The chosen text goes into the reply box
 * with {first_name} filled in with the client's first name, ready to edit and send. The team's
 * replies are read-only here; an agent adds, edits and deletes their own.
 */
(function () {
  "use strict";

  var kit = window.ConsoleKit;
  var h = kit.h;
  var panel = document.getElementById("canned");
  var filter = document.getElementById("canned-filter");
  var list = document.getElementById("canned-list");
  var form = document.getElementById("canned-form");
  var input = document.getElementById("reply-input");
  var replies = [];
  var active = 0;
  var editing = null; // the id of the own reply being edited; null: a new one

  function load() {
    return kit.api("GET", "/canned").then(function (data) {
      replies = Array.isArray(data.replies) ? data.replies : [];
      render();
    }, function (err) {
      if (err.status !== 401) kit.toast(err.message || "Could not load the saved replies.", "error");
    });
  }

  function fill(text) {
    return kit.str(text).replace(/\{first_name\}/g, kit.clientFirstName());
  }

  function matching() {
    var words = filter.value.trim().toLowerCase();
    return replies.filter(function (r) {
      return !words || (r.title + " " + r.text).toLowerCase().indexOf(words) >= 0;
    });
  }

  function render() {
    var shown = matching();
    active = Math.min(active, Math.max(0, shown.length - 1));
    list.replaceChildren();
    if (!shown.length) list.append(h("li", { class: "muted", text: "No saved reply matches." }));
    shown.forEach(function (r, i) {
      list.append(h("li", {
        class: "canned-item" + (i === active ? " active" : ""), role: "option",
        "aria-selected": i === active ? "true" : "false", "data-testid": "canned-item",
        onmousedown: function (e) { e.preventDefault(); },
        onclick: function () { choose(r); },
      },
      h("span", { class: "canned-title", text: kit.str(r.title) }),
      r.own ? h("span", { class: "tag", text: "yours" }) : null,
      r.own ? h("button", { type: "button", class: "link-button", "data-testid": "canned-edit", text: "Edit",
        onclick: function (e) { e.stopPropagation(); edit(r); } }) : null,
      r.own ? h("button", { type: "button", class: "link-button", "data-testid": "canned-delete", text: "Delete",
        onclick: function (e) { e.stopPropagation(); remove(r); } }) : null,
      h("span", { class: "canned-text", text: fill(r.text) })));
    });
  }

  function open() {
    if (!kit.isMine()) return;
    panel.hidden = false;
    form.hidden = true;
    filter.value = "";
    active = 0;
    load();
    render();
    filter.focus();
  }

  function close(focusInput) {
    panel.hidden = true;
    // After the key that closed it is over (it must not reach the reply box: Enter sends).
    if (focusInput) setTimeout(function () { input.focus(); }, 0);
  }

  function choose(reply) {
    var text = fill(reply.text);
    input.value = input.value.trim() ? input.value.replace(/\s*$/, " ") + text : text;
    input.dispatchEvent(new Event("input"));
    close(true);
  }

  function edit(reply) {
    editing = reply ? reply.id : null;
    document.getElementById("canned-title").value = reply ? reply.title : "";
    document.getElementById("canned-text").value = reply ? reply.text : "";
    form.hidden = false;
    document.getElementById("canned-title").focus();
  }

  function remove(reply) {
    kit.api("DELETE", "/canned/" + encodeURIComponent(reply.id)).then(load, function (err) {
      kit.toast(err.message || "Not deleted.", "error");
    });
  }

  function save() {
    var body = { title: document.getElementById("canned-title").value.trim(),
      text: document.getElementById("canned-text").value.trim() };
    if (!body.title || !body.text) return;
    var call = editing ? kit.api("PUT", "/canned/" + encodeURIComponent(editing), body)
      : kit.api("POST", "/canned", body);
    call.then(function () {
      form.hidden = true;
      kit.toast("Saved reply " + (editing ? "changed." : "added."));
      editing = null;
      return load();
    }, function (err) { kit.toast(err.message || "Not saved.", "error"); });
  }

  document.getElementById("canned-save").addEventListener("click", save);
  document.getElementById("canned-title").addEventListener("keydown", function (e) {
    if (e.key === "Enter") { e.preventDefault(); save(); }
  });

  document.getElementById("canned-cancel").addEventListener("click", function () {
    form.hidden = true;
    filter.focus();
  });
  document.getElementById("canned-new").addEventListener("click", function () { edit(null); });
  document.getElementById("canned-button").addEventListener("click", function () {
    if (panel.hidden) open(); else close(true);
  });

  input.addEventListener("keydown", function (e) {
    if (e.key === "/" && !input.value.trim() && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      e.stopImmediatePropagation();
      open();
    }
  }, true);

  filter.addEventListener("input", function () { active = 0; render(); });
  filter.addEventListener("keydown", function (e) {
    var shown = matching();
    if (e.key === "ArrowDown") { e.preventDefault(); active = Math.min(active + 1, shown.length - 1); render(); }
    else if (e.key === "ArrowUp") { e.preventDefault(); active = Math.max(active - 1, 0); render(); }
    else if (e.key === "Enter") { e.preventDefault(); if (shown[active]) choose(shown[active]); }
    else if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); close(true); }
  });

  var shownFor = null; // the conversation the list was opened for: another one closes it
  document.addEventListener("console:conversation", function (e) {
    var id = e.detail && e.detail.id;
    if (id !== shownFor) close(false);
    shownFor = id;
  });
  document.addEventListener("console:closed", function () { close(false); });
  document.addEventListener("console:signed-in", load);
})();
