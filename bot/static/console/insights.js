// The team's report (/console/insights): reads /console/api/insights for the chosen period and
// channel, shows each figure with what it means, the plots (PNG drawn by the gateway) and the
// CSV link for the same filters. Text only through textContent.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const FEWER = "fewer than 5";

  const percent = (f) => (f.value === null ? FEWER : `${Math.round(f.value * 100)}%`);
  const duration = (f) => {
    if (f.value === null) return FEWER;
    const s = Math.round(f.value);
    if (s < 90) return `${s} s`;
    if (s < 5400) return `${Math.round(s / 60)} min`;
    return `${(s / 3600).toFixed(1)} h`;
  };
  const rating = (f) => (f.value === null ? FEWER : f.value.toFixed(1));

  const FIGURES = [
    ["conversations", "Conversations", (r) => String(r.conversations),
      "with at least one message from a client in the period"],
    ["involvement", "Involvement", (r) => percent(r.involvement),
      "share the assistant answered at all"],
    ["resolution", "Resolution rate", (r) => percent(r.resolution),
      "of those the assistant answered: ended with “That helped”, or no further message and no handoff within the set time"],
    ["handoff", "Handoff rate", (r) => percent(r.handoff), "share handed to a person, any reason"],
    ["fallback", "Fallback rate", (r) => percent(r.fallback),
      "of those the assistant answered: at least one message not understood or out of scope"],
    ["first-reply", "First agent reply", (r) => duration(r.first_agent_reply_seconds),
      "average time from the handoff to the agent's first reply"],
    ["resolution-time", "Time to resolution", (r) => duration(r.resolution_seconds),
      "average time from the first message to the resolution (by the assistant or an agent)"],
    ["csat", "CSAT", (r) => percent(r.csat), "share of rated conversations rated 4 or 5"],
    ["rating", "Average rating", (r) => rating(r.average_rating), "1 (poor) to 5 (great)"],
  ];

  function query() {
    const params = new URLSearchParams({ start: $("start").value, end: $("end").value });
    if ($("channel").value) params.set("channel", $("channel").value);
    return params.toString();
  }

  function card(key, label, value, what) {
    const box = document.createElement("div");
    box.className = "card";
    box.dataset.testid = `figure-${key}`;
    const l = document.createElement("div"); l.className = "label"; l.textContent = label;
    const v = document.createElement("div"); v.className = "value"; v.textContent = value;
    if (value === FEWER) v.classList.add("none");
    const w = document.createElement("div"); w.className = "what"; w.textContent = what;
    box.append(l, v, w);
    return box;
  }

  function row(cells) {
    const tr = document.createElement("tr");
    for (const text of cells) {
      const td = document.createElement("td"); td.textContent = text; tr.append(td);
    }
    return tr;
  }

  function show(report) {
    $("figures").replaceChildren();
    $("too-few").hidden = !report.too_few;
    $("details").hidden = report.too_few;
    if (report.too_few) {
      $("too-few").textContent = `${report.conversations} conversation(s) in this period: ` +
        `fewer than ${report.min_group}, so no figure is shown.`;
      $("figures").append(card("conversations", "Conversations", String(report.conversations),
        FIGURES[0][3]));
      return;
    }
    for (const [key, label, value, what] of FIGURES) {
      $("figures").append(card(key, label, value(report), what));
    }
    $("reasons").replaceChildren(...Object.values(report.handoff_by_reason)
      .map((f) => row([f.name, percent(f)])));
    $("feedback").textContent = `“That helped”: ${report.helped} · “I need more help”: ${report.more_help}`;
    $("topics").replaceChildren(...report.topics.map((t) =>
      row([t.name, String(t.conversations), percent(t.resolution), percent(t.fallback)])));
    const q = query();
    $("days-plot").src = `/console/api/insights/days.png?${q}`;
    $("topics-plot").src = `/console/api/insights/topics.png?${q}`;
  }

  async function load() {
    $("error").hidden = true;
    $("csv").href = `/console/api/insights.csv?${query()}`;
    const response = await fetch(`/console/api/insights?${query()}`, { credentials: "same-origin" });
    if (response.status === 401) { window.location.href = "/console"; return; }
    const body = await response.json();
    if (!response.ok) {
      $("error").textContent = (body.error && body.error.message) || "The report can't be shown.";
      $("error").hidden = false;
      return;
    }
    show(body);
    document.body.dataset.loaded = "true";
  }

  function iso(day) { return day.toISOString().slice(0, 10); }

  document.addEventListener("DOMContentLoaded", () => {
    const params = new URLSearchParams(window.location.search);
    const today = new Date();
    $("end").value = params.get("end") || iso(today);
    $("start").value = params.get("start") || iso(new Date(today.getTime() - 29 * 86400000));
    $("channel").value = params.get("channel") || "";
    $("filters").addEventListener("submit", (event) => {
      event.preventDefault();
      history.replaceState(null, "", `?${query()}`);
      load();
    });
    load();
  });
})();
