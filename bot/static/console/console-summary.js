/*
 * The summary at the top of a handed-over conversation (the gateway builds it from the transcript
 * and the actions' activity lines; nothing here is guessed): what the client asked, what the
 * assistant did, why it handed over.
 */
(function () {
  "use strict";

  var kit = window.ConsoleKit;
  var box = document.getElementById("summary");

  function row(label, testid, content) {
    return kit.h("div", { class: "summary-row", "data-testid": testid },
      kit.h("dt", { text: label }), kit.h("dd", {}, content));
  }

  function items(lines, empty) {
    if (!lines.length) return kit.h("span", { class: "muted", text: empty });
    var ul = kit.h("ul");
    lines.forEach(function (line) { ul.append(kit.h("li", { text: kit.str(line) })); });
    return ul;
  }

  document.addEventListener("console:conversation", function (e) {
    var s = e.detail && e.detail.summary;
    if (!s) { box.hidden = true; box.replaceChildren(); return; }
    var asked = Array.isArray(s.asked) ? s.asked : [];
    var did = Array.isArray(s.did) ? s.did : [];
    var done = did.length ? items(did, "")
      : s.last_answer ? kit.h("span", { text: "Last answered: " + kit.str(s.last_answer) })
        : kit.h("span", { class: "muted", text: "Nothing recorded." });
    box.replaceChildren(
      kit.h("h3", { text: "Summary" }),
      kit.h("dl", {},
        row("Asked", "summary-asked", items(asked, "Nothing typed (buttons only).")),
        row("The assistant", "summary-did", done),
        row("Handed over", "summary-why", kit.h("span", { text: s.why ? capital(kit.str(s.why)) : "Not handed over." }))));
    box.hidden = false;
  });

  document.addEventListener("console:closed", function () { box.hidden = true; });

  function capital(text) { return text.charAt(0).toUpperCase() + text.slice(1); }
})();
